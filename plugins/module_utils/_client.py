# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: the DSM web API client.

Layers, bottom up:

* ``RequestsTransport``: one ``requests.Session`` per task (keep-alive), POST of a
  pre-encoded form body, failures classified by whether the request may have reached the server.
* ``DsmClient``: the DSM envelope: parameter encoding, ``success``/``error`` parsing, the error
  tables, login (with 2FA), re-login, bounded retries, SYNO.API.Info discovery, compound
  requests and logout.

No ``AnsibleModule`` here: options arrive as a plain mapping and failures leave as the typed
exceptions of ``_errors``, so the same client runs in a module and in an action plugin on the
controller.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import time
import traceback

from urllib.parse import quote, urlencode

from ._errors import (
    ABB_API,
    AUTH_API,
    BUSY_CODES,
    COMPOUND_API,
    DISCOVERY_CODES,
    INFO_API,
    NO_RETRY_LOGIN_CODES,
    SESSION_CODES,
    SESSION_VALUE_RE,
    AbbNotInstalled,
    DsmApiError,
    DsmAuthError,
    DsmInputError,
    SessionExpired,
    TransportError,
    WriteOutcomeUnknown,
    describe,
    mask,
)
from ._totp import InvalidSecret, decode_secret, seconds_left, totp

try:
    import requests
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised by the missing-library test
    requests = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

# Parameters sent bare (not as JSON text), contract section 2.
ENVELOPE_FIELDS = frozenset(('api', 'version', 'method', '_sid', 'SynoToken'))

# DSM 7 endpoints, tried first (contract section 3). Info is queried only after 102/104.
DSM7_ENDPOINTS = {
    AUTH_API: ('entry.cgi', 7),
    ABB_API: ('entry.cgi', 1),
    COMPOUND_API: ('entry.cgi', 1),
}
# Highest versions the client speaks, whatever Info advertises.
MAX_VERSIONS = {AUTH_API: 7, ABB_API: 1, COMPOUND_API: 1}

BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0
OTP_CODE_RE = re.compile(r'^[0-9]{6,8}$')
# A host name or IPv4 address; IPv6 addresses are checked with the ipaddress module.
HOST_RE = re.compile(r'^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$')
HOST_PORT_RE = re.compile(r'^[^:]+:[0-9]*$')
HTML_TITLE_RE = re.compile(r'<title[^>]*>([^<]{1,80})', re.IGNORECASE)

# What to do about an answer that is not DSM's (contract section 1), by what came instead.
HINT_GATEWAY = ('DSM\'s web server, or a reverse proxy in front of it, did not pass the request on: DSM may be starting, '
                'updating or overloaded. Run the task again later; if it persists, check DSM and the reverse proxy.')
HINT_NOT_DSM = ('host, port and use_https may point at another web server or service than DSM\'s web API (or at a '
                'reverse proxy that does not pass /webapi/ on); check them.')
HINT_CUT = ('The answer may have been cut off on the way (a dropped connection or a proxy); run the task again. If it '
            'persists, check that host, port and use_https point at DSM\'s web API.')
HINT_RESET = ('The connection was cut before the whole answer came (DSM\'s web server restarting, a proxy or the '
              'network); run the task again.')
HINT_CONNECT = 'Check host, port and use_https, and that the NAS is up and reachable from the host that runs the task.'
HINT_TIMEOUT = ('DSM did not answer in time (list_storage and list_volume can take long on a NAS with many backups); '
                'raise timeout (now %s seconds) or run the task again later.')


class HttpAnswer(object):
    """What the transport hands back: status, lower-cased headers, body bytes."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = dict((k.lower(), v) for k, v in (headers or {}).items())
        self.body = body or b''


class TransportFailure(Exception):
    """Raised by a transport. ``sent`` is False only when the request surely never reached the server."""

    def __init__(self, kind, detail, sent):
        super(TransportFailure, self).__init__(detail)
        self.kind = kind
        self.detail = detail
        self.sent = sent


def _connect_phase(exc):
    """True when a requests exception happened before the request was sent (refused, DNS, connect timeout)."""
    seen = set()
    todo = [exc]
    while todo:
        item = todo.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        name = type(item).__name__
        if name in ('NewConnectionError', 'NameResolutionError', 'ConnectTimeoutError', 'ConnectTimeout',
                    'ConnectionRefusedError', 'gaierror'):
            return True
        todo.extend([getattr(item, 'reason', None), item.__cause__, item.__context__])
        todo.extend(arg for arg in getattr(item, 'args', ()) if isinstance(arg, BaseException))
    return False


class RequestsTransport(object):
    """HTTP transport on one ``requests.Session`` (keep-alive) for the life of a task."""

    def __init__(self, verify=True, timeout=60):
        self.verify = verify
        self.timeout = timeout
        self._session = None

    def post(self, url, body, headers):
        if self._session is None:
            self._session = requests.Session()
            self._session.trust_env = False
        try:
            resp = self._session.post(url, data=body.encode('utf-8'), headers=headers, timeout=self.timeout,
                                      verify=self.verify, allow_redirects=False)
            answer = HttpAnswer(resp.status_code, resp.headers, resp.content)
        except requests.exceptions.SSLError as exc:
            raise TransportFailure('tls', _short_reason(exc), sent=False) from None
        except requests.exceptions.ConnectTimeout as exc:
            raise TransportFailure('connect', 'connection timed out: %s' % _short_reason(exc), sent=False) from None
        except requests.exceptions.ReadTimeout:
            raise TransportFailure('timeout', 'no answer within %s seconds' % self.timeout, sent=True) from None
        except requests.exceptions.ChunkedEncodingError as exc:
            # status and headers came, then the connection broke before the whole body had arrived
            raise TransportFailure('io', 'connection lost in the middle of the answer: %s' % _short_reason(exc),
                                   sent=True) from None
        except requests.exceptions.ConnectionError as exc:
            if _connect_phase(exc):
                raise TransportFailure('connect', 'cannot connect: %s' % _short_reason(exc), sent=False) from None
            raise TransportFailure('io', 'connection lost: %s' % _short_reason(exc), sent=True) from None
        except requests.exceptions.RequestException as exc:
            raise TransportFailure('io', _short_reason(exc), sent=True) from None
        except (UnicodeError, ValueError) as exc:
            # a header or URL value that HTTP cannot carry: the request was never sent
            raise TransportFailure('request', 'the request could not be built (%s)' % type(exc).__name__,
                                   sent=False) from None
        finally:
            # The session is carried explicitly (form field, cookie, header); keep no cookie jar state.
            if self._session is not None:
                self._session.cookies.clear()
        return answer

    def close(self):
        if self._session is not None:
            self._session.close()
            self._session = None


def _retries(count):
    return '1 retry' if count == 1 else '%d retries' % count


def _is_verification_failure(detail):
    text = str(detail).lower()
    return any(marker in text for marker in ('certificate_verify_failed', 'certificate verify failed',
                                             'hostname mismatch', "doesn't match", 'self-signed', 'self signed'))


def _short_reason(exc):
    """The innermost useful words of a requests/urllib3 exception, without object reprs."""
    text = str(exc)
    for marker in ('[SSL: CERTIFICATE_VERIFY_FAILED]', 'certificate verify failed', 'hostname mismatch',
                   'Connection refused', 'Name or service not known', 'Temporary failure in name resolution',
                   'Connection reset by peer', 'Remote end closed connection', 'IncompleteRead', 'timed out'):
        if marker in text:
            idx = text.find(marker)
            end = text.find(')', idx)
            if marker == 'IncompleteRead' and end > idx:
                end += 1  # keep the byte counts' closing parenthesis
            return text[idx:end if end > idx else idx + 120].strip(" '\"(")
    text = re.sub(r'<[^>]+ object at 0x[0-9a-f]+>', '', text)
    return text[:200]


def encode_value(value):
    """JSON text of a parameter value (contract section 2)."""
    return json.dumps(value, separators=(',', ':'), ensure_ascii=False)


def encode_form(fields):
    """Form body with spaces as %20 (never '+').

    A value that is not valid text (a lone surrogate, left by bytes that were not UTF-8) cannot be sent:
    DsmInputError naming the field, never the value (it may be a password).
    """
    fields = list(fields)
    for name, value in fields:
        try:
            str(value).encode('utf-8')
        except UnicodeEncodeError:
            raise DsmInputError('%s: the value holds a character that is not valid text (most likely a byte that was not '
                                'UTF-8 in the input), so it cannot be sent to DSM; correct the value.' % name) from None
    return urlencode(fields, quote_via=quote)


def api_fields(api, method, version, params):
    """The ordered form fields of an API call, values JSON-encoded except the envelope's."""
    fields = [('api', api), ('version', str(version)), ('method', method)]
    for key, value in (params or {}).items():
        if value is None:
            continue
        fields.append((key, str(value) if key in ENVELOPE_FIELDS else encode_value(value)))
    return fields


def parse_answer(answer, host, api, method):
    """Turn an HTTP answer into DSM's JSON object, or raise TransportError (contract section 1)."""
    where = '%s.%s on %s' % (api, method, host)
    ctype = answer.headers.get('content-type', '')
    if answer.status != 200:
        title = HTML_TITLE_RE.search(answer.body[:4096].decode('utf-8', 'replace'))
        extra = ': %s' % title.group(1).strip() if title else ''
        raise TransportError('%s failed: HTTP status %s%s (a reverse proxy or DSM web server error, not an API answer).'
                             % (where, answer.status, extra), host=host, api=api, method=method,
                             hint=HINT_GATEWAY if answer.status in (502, 503, 504) else HINT_NOT_DSM)
    if not answer.body.strip():
        raise TransportError('%s failed: the answer was empty.' % where, host=host, api=api, method=method,
                             hint=HINT_CUT)
    try:
        data = json.loads(answer.body.decode('utf-8', 'replace'))
    except (ValueError, RecursionError) as exc:
        html = b'<html' in answer.body[:512].lower()
        what = 'an HTML page' if html else 'not valid JSON'
        if isinstance(exc, RecursionError):
            what = 'JSON nested too deeply to read'
        raise TransportError('%s failed: the answer (%d bytes, content type %r) is %s.'
                             % (where, len(answer.body), ctype or 'none', what),
                             host=host, api=api, method=method, hint=HINT_NOT_DSM if html else HINT_CUT) from None
    if not isinstance(data, dict) or not isinstance(data.get('success'), bool):
        raise TransportError('%s failed: the answer is JSON but not a DSM answer (no "success" member).' % where,
                             host=host, api=api, method=method, hint=HINT_NOT_DSM)
    return data


def error_code(data):
    """The error code of a failed DSM answer, or None when DSM gave none."""
    err = data.get('error')
    code = err.get('code') if isinstance(err, dict) else err
    # DSM sends a JSON integer; accept a whole number in any JSON form, nothing else (a boolean is
    # not a code, 119.7 is not 119, "1_000" and non-ASCII digits are not DSM's).
    if isinstance(code, bool):
        return None
    if isinstance(code, int):
        return code
    if isinstance(code, float):
        return int(code) if code.is_integer() else None
    if isinstance(code, str) and re.match(r'^\s*-?[0-9]{1,10}\s*$', code, re.ASCII):
        return int(code)
    return None


def error_details(data):
    err = data.get('error')
    details = None
    if isinstance(err, dict):
        details = err.get('errors')
    if details is None:
        details = data.get('errors')
    return details


def _names_call(item, api, method):
    """False when a compound result names another API or method than the call at its position."""
    if not isinstance(item, dict):
        return True
    return item.get('api', api) == api and item.get('method', method) == method


def _parameter_context(code, params):
    """For error 120 (contract section 5: "fail, name the parameter"): the names of the parameters sent.

    DSM does not say which parameter it refused, so the message names every one that was sent.
    """
    if code != 120:
        return None
    names = sorted(key for key, value in (params or {}).items() if value is not None)
    if not names:
        return 'no parameters were sent, so a required one is missing'
    return ('parameters sent: %s (DSM does not say which one it refused or which required one is missing)'
            % ', '.join(names))


def _check_host(host):
    """Accept a host name, an IPv4 address, or an IPv6 address (bare or in brackets)."""
    bare = host[1:-1] if host.startswith('[') and host.endswith(']') else host
    if ':' in bare:
        try:
            ipaddress.IPv6Address(bare)
            return
        except ValueError:
            pass
        if bare == host and HOST_PORT_RE.match(host):
            raise DsmInputError('host must be a name or address only (got %r); give the port in the port option.'
                                % host)
        raise DsmInputError('host %r is not a valid host name or address.' % host)
    if bare != host or not HOST_RE.match(host):
        raise DsmInputError('host %r is not a valid host name or address.' % host)


def _whole_number(name, value):
    if isinstance(value, bool):
        raise DsmInputError('%s must be a whole number (got %r).' % (name, value))
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise DsmInputError('%s must be a whole number (got %r).' % (name, value)) from None
    if number != value and str(number) != str(value).strip():
        raise DsmInputError('%s must be a whole number (got %r).' % (name, value))
    return number


class ClientConfig(object):
    """Validated connection options. Raises DsmInputError before any request on bad input."""

    FIELDS = ('host', 'port', 'use_https', 'validate_certs', 'ca_path', 'username', 'password', 'otp_code',
              'otp_secret', 'device_id', 'device_name', 'session', 'timeout', 'retries')

    def __init__(self, **kwargs):
        for name in self.FIELDS:
            setattr(self, name, kwargs.get(name))
        self.use_https = True if self.use_https is None else bool(self.use_https)
        self.validate_certs = True if self.validate_certs is None else bool(self.validate_certs)
        self.device_name = self.device_name or 'ansible'
        self.timeout = 60 if self.timeout is None else self.timeout
        self.retries = 3 if self.retries is None else self.retries
        self._check()

    @classmethod
    def from_params(cls, params):
        return cls(**dict((name, params.get(name)) for name in cls.FIELDS))

    def _check(self):
        host = (self.host or '').strip()
        if not host:
            raise DsmInputError('host is required: the name or address of the NAS (or set SYNOLOGY_HOST).')
        if '@' in host:
            # Never echo it: what precedes '@' is a user name and maybe a password.
            raise DsmInputError('host must be a name or address only, without user name, password, scheme or path; '
                                'give username and password as options.')
        if '://' in host or '/' in host:
            raise DsmInputError('host must be a name or address only, without scheme or path (got %r); use '
                                'use_https and port for the rest.' % host)
        _check_host(host)
        self.host = host
        if self.port is None:
            self.port = 5001 if self.use_https else 5000
        self.port = _whole_number('port', self.port)
        if not 1 <= self.port <= 65535:
            raise DsmInputError('port must be between 1 and 65535 (got %s).' % self.port)
        self.timeout = _whole_number('timeout', self.timeout)
        if self.timeout < 1:
            raise DsmInputError('timeout must be at least 1 second (got %s).' % self.timeout)
        self.retries = _whole_number('retries', self.retries)
        if not 0 <= self.retries <= 10:
            raise DsmInputError('retries must be between 0 and 10 (got %s).' % self.retries)
        if self.session is not None:
            if not isinstance(self.session, dict) or not self.session.get('sid'):
                raise DsmInputError('session must be the session dictionary returned by syno.activebackup.session '
                                    '(it has no sid).')
        if bool(self.username) != bool(self.password):
            raise DsmInputError('username and password must be given together.')
        if not self.session and not self.username:
            raise DsmInputError('give either session (from syno.activebackup.session) or username and password '
                                '(or set SYNOLOGY_USERNAME and SYNOLOGY_PASSWORD).')
        if self.otp_code is not None:
            self.otp_code = str(self.otp_code).strip()
            if not OTP_CODE_RE.match(self.otp_code):
                raise DsmInputError('otp_code must be the 6 to 8 digits that the authenticator shows.')
        if self.otp_secret:
            try:
                decode_secret(self.otp_secret)
            except InvalidSecret as exc:
                raise DsmInputError(str(exc) + '.') from None
        if self.ca_path and not self.validate_certs:
            raise DsmInputError('ca_path has no effect with validate_certs: false; drop one of them.')
        if self.ca_path and self.use_https and not os.path.exists(self.ca_path):
            # requests would raise a bare OSError at the first request.
            raise DsmInputError('ca_path %s does not exist (on the host that runs the task: the controller, or the '
                                'host the task is delegated to).' % self.ca_path)

    @property
    def netloc(self):
        host = self.host
        if ':' in host and not host.startswith('['):
            host = '[%s]' % host
        return '%s:%s' % (host, self.port)

    @property
    def base_url(self):
        return '%s://%s/webapi/' % ('https' if self.use_https else 'http', self.netloc)

    @property
    def label(self):
        """How messages name the NAS: the host, with the port when it is not the default one."""
        default = 5001 if self.use_https else 5000
        return self.host if int(self.port) == default else self.netloc


class DsmClient(object):
    """A DSM web API session for one task. See the module docstring."""

    def __init__(self, config, transport=None, warn=None, sleep=time.sleep, clock=time.time):
        self.config = config
        self.host = config.label
        if transport is None:
            verify = (config.ca_path or True) if config.validate_certs else False
            transport = RequestsTransport(verify=verify, timeout=config.timeout)
        self._transport = transport
        self._warn = warn or (lambda msg: None)
        self._sleep = sleep
        self._clock = clock
        self._endpoints = dict(DSM7_ENDPOINTS)
        self._discovered = False
        self._discovery_code = None
        self._compound_ok = True
        self._sid = None
        self._synotoken = None
        self._device_id = None
        self._own_session = False
        self.logins = 0
        self.requests = 0
        self._secrets = set()
        for value in (config.password, config.otp_code, config.otp_secret, config.device_id):
            self._remember_secret(value)
        if config.session:
            self._sid = config.session.get('sid')
            self._synotoken = config.session.get('synotoken') or None
            self._device_id = config.session.get('device_id') or None
            for key in ('sid', 'synotoken', 'device_id'):
                self._remember_secret(config.session.get(key))

    # -- secrets ---------------------------------------------------------------------------

    def _remember_secret(self, value):
        if value:
            self._secrets.add(str(value))

    def scrub(self, value):
        """Replace every secret this client has seen by a mask (in a text, or in a dict/list of them).
        Messages are built without secrets; this is the second line of defence."""
        if not isinstance(value, (dict, list, tuple)):
            value = str(value)
        return mask(value, self._secrets)

    def _details(self, data):
        """DSM's ``errors`` member of a failed answer, without secrets."""
        details = error_details(data)
        return None if details is None else self.scrub(details)

    @property
    def session(self):
        """The current session as the session module returns it (secret: only for that module)."""
        if not self._sid:
            return None
        out = {'sid': self._sid, 'synotoken': self._synotoken or ''}
        if self._device_id:
            out['device_id'] = self._device_id
        return out

    # -- transport and envelope ------------------------------------------------------------

    def _post(self, path, fields, api, method, with_session=True):
        headers = {'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8', 'Accept': 'application/json'}
        fields = list(fields)
        if with_session and self._sid:
            fields.append(('_sid', self._sid))
            headers['Cookie'] = 'id=%s' % self._sid
            if self._synotoken:
                headers['X-SYNO-TOKEN'] = self._synotoken
        url = self.config.base_url + path
        self.requests += 1
        try:
            answer = self._transport.post(url, encode_form(fields), headers)
        except TransportFailure as exc:
            raise self._transport_error(exc, api, method) from None
        return parse_answer(answer, self.host, api, method)

    def _transport_error(self, exc, api, method):
        where = '%s.%s on %s' % (api, method, self.host)
        if exc.kind == 'tls' and _is_verification_failure(exc.detail):
            msg = ('%s failed: the TLS certificate of %s could not be verified (%s). Give ca_path (the CA that '
                   'signed the certificate of DSM, or the certificate exported from DSM), or set '
                   'validate_certs: false to skip verification (not recommended).'
                   % (where, self.config.netloc, exc.detail))
        elif exc.kind == 'tls':
            msg = ('%s failed: the TLS handshake with %s failed (%s). Check port and use_https (DSM answers HTTPS '
                   'on 5001 and HTTP on 5000 by default).' % (where, self.config.netloc, exc.detail))
        else:
            msg = '%s failed: %s.' % (where, exc.detail)
        hint = {'connect': HINT_CONNECT, 'timeout': HINT_TIMEOUT % self.config.timeout, 'io': HINT_RESET}.get(exc.kind)
        return TransportError(self.scrub(msg), sent=exc.sent, kind=exc.kind, host=self.host, api=api, method=method,
                              hint=hint)

    @staticmethod
    def _gave_up(exc, attempt):
        """``exc`` (a TransportError) saying how often it was retried; the hint (what to do) stays last."""
        if attempt:
            exc.message = '%s Still failing after %s.' % (exc.message.rstrip(), _retries(attempt))
        return exc

    def _backoff(self, attempt):
        self._sleep(min(BACKOFF_CAP, BACKOFF_BASE * (2 ** (attempt - 1))))

    def _endpoint(self, api):
        return self._endpoints[api]

    # -- discovery -------------------------------------------------------------------------

    def discover(self):
        """Query SYNO.API.Info once and adopt the advertised paths and versions (contract section 3)."""
        self._discovered = True
        # The Info query value is sent bare, as DSM's own pages send it.
        fields = [('api', INFO_API), ('version', '1'), ('method', 'query'),
                  ('query', ','.join((AUTH_API, ABB_API, COMPOUND_API)))]
        attempt = 0
        while True:
            # A read: lost answers and busy codes are retried like those of any other read (contract 5).
            try:
                data = self._post('query.cgi', fields, INFO_API, 'query', with_session=False)
            except TransportError as exc:
                if attempt < self.config.retries and exc.retryable:
                    attempt += 1
                    self._backoff(attempt)
                    continue
                raise self._gave_up(exc, attempt)
            if data.get('success'):
                break
            code = error_code(data)
            if code in BUSY_CODES and attempt < self.config.retries:
                attempt += 1
                self._backoff(attempt)
                continue
            raise DsmApiError.from_answer(self.host, INFO_API, 'query', code, self._details(data),
                                          context='still busy after %s' % _retries(attempt) if code in BUSY_CODES else None)
        info = data.get('data')
        if info is None:
            info = {}
        if not isinstance(info, dict):
            raise TransportError('%s.query on %s failed: the answer is not what DSM answers (its data is %s, not an '
                                 'object).' % (INFO_API, self.host, type(info).__name__),
                                 host=self.host, api=INFO_API, method='query', hint=HINT_NOT_DSM)
        for api, top in MAX_VERSIONS.items():
            entry = info.get(api)
            if not isinstance(entry, dict):
                self._endpoints.pop(api, None)
                continue
            try:
                low, high = int(entry.get('minVersion', 1)), int(entry.get('maxVersion', 1))
            except (TypeError, ValueError, OverflowError):
                low, high = 1, 1
            version = min(high, top) if api != ABB_API else max(low, 1)
            path = entry.get('path')
            self._endpoints[api] = (path if isinstance(path, str) and path else 'entry.cgi', version)
        if COMPOUND_API not in self._endpoints:
            self._compound_ok = False
        return info

    def _not_installed(self, method, code, why):
        return AbbNotInstalled(
            'Active Backup for Business is not installed (or not running) on %s: %s.%s answered error %s (%s) and %s. '
            'Install or start it in DSM Package Center.' % (self.host, ABB_API, method, code, describe(ABB_API, code), why),
            host=self.host, api=ABB_API, method=method, code=code)

    def _require(self, api, method):
        if api in self._endpoints:
            return
        code = self._discovery_code or 102
        if api == ABB_API:
            raise self._not_installed(method, code, '%s does not list %s' % (INFO_API, ABB_API))
        raise DsmApiError.from_answer(self.host, api, method, code, context='%s does not list %s' % (INFO_API, api))

    # -- authentication --------------------------------------------------------------------

    def _otp_now(self):
        now = self._clock()
        code = totp(self.config.otp_secret, now)
        self._remember_secret(code)
        return code

    def _login_fields(self, otp, with_device, ask_device_token):
        version = self._endpoint(AUTH_API)[1]
        fields = [('api', AUTH_API), ('version', str(version)), ('method', 'login'),
                  ('account', self.config.username), ('passwd', self.config.password),
                  ('format', 'sid'), ('session', 'webui'), ('enable_syno_token', 'yes')]
        if otp:
            fields.append(('otp_code', otp))
        if with_device:
            fields.extend([('device_id', self.config.device_id), ('device_name', self.config.device_name)])
        elif ask_device_token:
            fields.extend([('enable_device_token', 'yes'), ('device_name', self.config.device_name)])
        return fields

    def login(self, request_device_token=False):
        """Log in with the configured credentials (and 2FA); the new session replaces any current one."""
        cfg = self.config
        if not cfg.username:
            raise DsmInputError('username and password are needed to log in.')
        with_device = bool(cfg.device_id)
        # A trusted-device login sends no code (contract 4); the code, single use, is kept for the fallback.
        otp = None
        if not with_device:
            otp = cfg.otp_code or (self._otp_now() if cfg.otp_secret else None)
        waited_window = False
        attempt = 0
        while True:
            self._require(AUTH_API, 'login')
            path = self._endpoint(AUTH_API)[0]
            fields = self._login_fields(otp, with_device, request_device_token)
            try:
                data = self._post(path, fields, AUTH_API, 'login', with_session=False)
            except TransportError as exc:
                # A login changes nothing on the NAS: retried like a read.
                if attempt < cfg.retries and exc.retryable:
                    attempt += 1
                    self._backoff(attempt)
                    continue
                raise self._gave_up(exc, attempt)
            if data.get('success'):
                self._adopt_login(data.get('data'))
                return self.session
            code = error_code(data)
            if code in BUSY_CODES and attempt < cfg.retries:
                attempt += 1
                self._backoff(attempt)
                continue
            if code in DISCOVERY_CODES and not self._discovered:
                self._discovery_code = code
                self.discover()
                continue
            if code == 403 and with_device and (cfg.otp_code or cfg.otp_secret):
                # The trusted-device token was not accepted; fall back to the code once.
                with_device = False
                otp = cfg.otp_code or self._otp_now()
                continue
            if code == 404 and cfg.otp_secret and not cfg.otp_code and not waited_window:
                # This window's code was already used (two tasks in one 30 s window): wait for the next one, once.
                waited_window = True
                self._sleep(seconds_left(self._clock()) + 1)
                otp = self._otp_now()
                continue
            context = None
            if code in NO_RETRY_LOGIN_CODES:
                context = 'not retried, so that DSM Auto Block is not fed'
            elif code in BUSY_CODES:
                context = 'still busy after %s' % _retries(attempt)
            raise DsmAuthError.from_answer(self.host, AUTH_API, 'login', code, self._details(data), context=context)

    def _adopt_login(self, data):
        data = data if isinstance(data, dict) else {}
        sid = data.get('sid')
        if isinstance(sid, bool) or not isinstance(sid, (str, int)) or not str(sid):
            raise TransportError('%s.login on %s answered success without a session id.' % (AUTH_API, self.host),
                                 host=self.host, api=AUTH_API, method='login')
        token = data.get('synotoken')
        token = token if isinstance(token, str) and token else None
        device = data.get('device_id') or data.get('did')
        device = str(device) if isinstance(device, (str, int)) and not isinstance(device, bool) and device else None
        # The values go into a cookie and a header: something no DSM session value holds is not DSM's answer.
        for value in (str(sid), token, device):
            if value is not None and (len(value) > 1024 or not SESSION_VALUE_RE.match(value)):
                raise TransportError('%s.login on %s answered success with a session value that no DSM session '
                                     'value has (characters that cannot go into a cookie or header).'
                                     % (AUTH_API, self.host), host=self.host, api=AUTH_API, method='login',
                                     hint=HINT_NOT_DSM)
        self._sid = str(sid)
        self._synotoken = token
        if device is not None:
            self._device_id = device
        for value in (self._sid, self._synotoken, self._device_id):
            self._remember_secret(value)
        self._own_session = True
        self.logins += 1

    def logout(self):
        """Log the current session out. Returns True when DSM confirmed it, False when it was already gone."""
        if not self._sid:
            return False
        try:
            # SYNO.API.Info may have left SYNO.API.Auth out: a typed error (close() turns it into a warning)
            self._require(AUTH_API, 'logout')
            path, version = self._endpoint(AUTH_API)
            fields = [('api', AUTH_API), ('version', str(version)), ('method', 'logout'), ('session', 'webui')]
            data = self._post(path, fields, AUTH_API, 'logout')
        finally:
            self._sid = None
            self._synotoken = None
            self._own_session = False
        if data.get('success'):
            return True
        code = error_code(data)
        if code in SESSION_CODES or code == 105:
            return False
        raise DsmApiError.from_answer(self.host, AUTH_API, 'logout', code, self._details(data))

    def _renew_session(self, code, api, method):
        """After a session error: log in again when credentials allow it, else fail clearly."""
        given = not self._own_session
        if not self.config.username:
            if code == 150:
                # DSM ties a session to the address that logged in (contract section 5, row 150).
                what = ('is tied to the address that logged in, and this task reached DSM from another address '
                        '(a task delegated to another host, or a controller whose address changed), so DSM treats it '
                        'as expired')
                todo = ('Log in with syno.activebackup.session from the host that runs this task, or give username '
                        'and password as well.')
            else:
                what = 'has expired or was logged out'
                todo = 'Run syno.activebackup.session again, or give username and password as well.'
            raise SessionExpired(
                '%s.%s on %s failed: error %s (%s): the session given in the session option %s, and no username and '
                'password were given to log in again. %s' % (api, method, self.host, code, describe(api, code), what, todo),
                host=self.host, api=api, method=method, code=code)
        if given:
            self._warn('The session given to the task was no longer valid on %s (error %s, %s); the task logged in '
                       'again with username and password.' % (self.host, code, describe(api, code)))
        self._sid = None
        self.login()

    def keep_session(self):
        """Hand the current session over to the caller: ``close()`` will not log it out."""
        self._own_session = False

    def ensure_session(self):
        if not self._sid:
            self.login()

    # -- calls -----------------------------------------------------------------------------

    def call(self, api, method, params=None, write=False, discover=True):
        """Call ``api.method`` with the client policy of contract section 5; returns ``data`` ({} when absent)."""
        relogged = False
        attempt = 0
        while True:
            self.ensure_session()
            self._require(api, method)
            path, version = self._endpoint(api)
            try:
                data = self._post(path, api_fields(api, method, version, params), api, method)
            except TransportError as exc:
                if write and exc.sent:
                    raise WriteOutcomeUnknown(
                        '%s The request had been sent, so %s may or may not have been applied on %s; it was not '
                        'repeated. Run the task again: it reads the state first and applies only what is missing.'
                        % (exc.message, method, self.host), host=self.host, api=api, method=method) from None
                if attempt < self.config.retries and exc.retryable:
                    attempt += 1
                    self._backoff(attempt)
                    continue
                raise self._gave_up(exc, attempt)
            if data.get('success'):
                result = data.get('data')
                return result if isinstance(result, dict) else {}
            code = error_code(data)
            if code in SESSION_CODES and not relogged:
                self._renew_session(code, api, method)
                relogged = True
                continue
            if code in BUSY_CODES:
                if write:
                    raise WriteOutcomeUnknown(
                        '%s.%s on %s failed: error %s (%s). The NAS was busy, so the change may or may not have '
                        'been applied; it was not repeated. Run the task again: it reads the state first.'
                        % (api, method, self.host, code, describe(api, code)),
                        host=self.host, api=api, method=method, code=code)
                if attempt < self.config.retries:
                    attempt += 1
                    self._backoff(attempt)
                    continue
                raise DsmApiError.from_answer(self.host, api, method, code, self._details(data),
                                              context='still busy after %s' % _retries(attempt))
            if code in DISCOVERY_CODES and discover and not self._discovered:
                self._discovery_code = code
                self.discover()
                continue
            if code == 102 and api == ABB_API and self._discovered:
                # Info listed the API (or was asked before) and the call still says it does not exist.
                raise self._not_installed(method, code, 'it is not available although %s was asked' % INFO_API)
            details = self._details(data)
            named = isinstance(details, dict) and details.get('name')
            raise DsmApiError.from_answer(self.host, api, method, code, details,
                                          context=None if named else _parameter_context(code, params))

    def read_many(self, calls):
        """Several reads, in one SYNO.Entry.Request round trip where the NAS offers it (contract section 7).

        ``calls`` is a list of ``(api, method, params)``; returns their ``data`` in the same order.
        A call that fails inside the compound request is repeated alone, with the full client policy.
        """
        calls = list(calls)
        if len(calls) < 2 or not self._compound_ok:
            return [self.call(api, method, params) for api, method, params in calls]
        compound = []
        for api, method, params in calls:
            self._require(api, method)
            item = {'api': api, 'method': method, 'version': self._endpoint(api)[1]}
            item.update(params or {})
            compound.append(item)
        try:
            data = self.call(COMPOUND_API, 'request',
                             {'mode': 'sequential', 'stop_when_error': False, 'compound': compound}, discover=False)
        except DsmApiError as exc:
            if exc.code not in (102, 103, 104):
                raise
            self._compound_ok = False
            return [self.call(api, method, params) for api, method, params in calls]
        results = data.get('result')
        if not isinstance(results, list) or len(results) != len(calls) or not all(
                _names_call(item, api, method) for (api, method, dummy), item in zip(calls, results)):
            # An answer that does not line up with the request: do not guess, ask one by one.
            return [self.call(api, method, params) for api, method, params in calls]
        out = []
        for (api, method, params), item in zip(calls, results):
            if isinstance(item, dict) and item.get('success') is True:
                value = item.get('data')
                out.append(value if isinstance(value, dict) else {})
            else:
                out.append(self.call(api, method, params))
        return out

    def close(self):
        """Log out the session this client opened (never one it was given) and close the connection.

        A failing logout is reported as a warning; it never hides the task's own result or error.
        """
        try:
            if self._own_session and self._sid:
                try:
                    self.logout()
                except (DsmApiError, TransportError) as exc:
                    self._warn('Logout from %s failed: %s' % (self.host, self.scrub(exc)))
        finally:
            self._transport.close()


def client_from_params(params, warn=None, transport=None, sleep=time.sleep, clock=time.time):
    """Build a client from module parameters (validated first; no request is sent)."""
    return DsmClient(ClientConfig.from_params(params), transport=transport, warn=warn, sleep=sleep, clock=clock)
