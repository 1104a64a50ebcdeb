# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: the DSM session client.

``DsmClient`` is one DSM web API session for one task: login (with 2FA), re-login, SYNO.API.Info
discovery, calls, compound reads and logout. Every request goes through one send policy,
``_send()``, which applies contract section 5: bounded busy and transport retries with backoff,
one re-login after a session error, discovery after 102/104, and the write rule (a write that
was sent is never sent again). Below it, ``_wire`` encodes and parses and ``_transport`` talks
HTTP; above it, the ``_api_*`` files hold the typed calls of each API.

No ``AnsibleModule`` here: options arrive as a checked ``ConnectionConfig`` and failures leave as
the typed exceptions of ``_errors``, so the same client runs in a module and in an action plugin
on the controller.
"""

from __future__ import annotations

import time

from ._config import ConnectionConfig
from ._errors import (
    ABB_API,
    AUTH_API,
    BUSY_CODES,
    COMPOUND_API,
    DISCOVERY_CODES,
    DSM_INFO_API,
    INFO_API,
    SESSION_CODES,
    AbbNotInstalled,
    DsmApiError,
    DsmAuthError,
    TransportError,
    WriteOutcomeUnknown,
    describe,
    is_abb_api,
    mask,
)
from ._login import LoginMixin
from ._transport import ConnectionFailure, RequestsTransport, is_verification_failure
from ._wire import (
    HINT_CONNECT,
    HINT_NOT_DSM,
    HINT_RESET,
    HINT_TIMEOUT,
    answers_call,
    api_fields,
    encode_form,
    error_code,
    error_details,
    parameter_context,
    parse_answer,
)

# Endpoints tried first, DSM 7's (contract section 3): API -> (path, version). SYNO.API.Info is asked
# only after 102/104. Every SYNO.ActiveBackup.* API is on entry.cgi, version 1 (contract section 9).
DSM7_ENDPOINTS = {
    INFO_API: ('query.cgi', 1),
    AUTH_API: ('entry.cgi', 7),
    COMPOUND_API: ('entry.cgi', 1),
    DSM_INFO_API: ('entry.cgi', 2),  # contract section 16 (DSM 6: version 1, learnt from Info after 104)
}
ABB_ENDPOINT = ('entry.cgi', 1)
# Highest versions the client speaks, whatever Info advertises (ABB APIs: version 1, see discover()).
MAX_VERSIONS = {AUTH_API: 7, COMPOUND_API: 1, DSM_INFO_API: 2}
# What SYNO.API.Info is asked about, besides the API whose call needed it.
DISCOVERED_APIS = (AUTH_API, ABB_API, COMPOUND_API)

BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0


def _retries(count: int) -> str:
    return '1 retry' if count == 1 else '%d retries' % count


class DsmClient(LoginMixin):
    """A DSM web API session for one task. See the module docstring.

    ``sleep`` and ``clock`` (wall time, epoch seconds) are the task's time: tests give fake ones.
    """

    def __init__(self, config: ConnectionConfig, transport=None, warn=None, sleep=time.sleep, clock=time.time):
        self.config = config
        self.nas_label = config.label
        if transport is None:
            verify = (config.ca_path or True) if config.validate_certs else False
            transport = RequestsTransport(verify=verify, timeout=config.timeout)
        self._transport = transport
        self._warn = warn or (lambda msg: None)
        self.sleep = sleep
        self.clock = clock
        self._endpoints = dict(DSM7_ENDPOINTS)
        self._discovered = False
        self._discovery_code = None
        self._compound_ok = True
        self.logins = 0
        self.requests = 0
        self._secrets = set()
        for value in (config.password, config.otp_code, config.otp_secret, config.device_id):
            self._remember_secret(value)
        given = config.session or {}
        self._device_id = given.get('device_id') or None
        self._set_session(given.get('sid'), given.get('synotoken') or None, own=False)
        for key in ('sid', 'synotoken', 'device_id'):
            self._remember_secret(given.get(key))

    def _set_session(self, sid, synotoken, own):
        """The session the client carries (None: none), and whether ``close()`` logs it out (one it opened)."""
        self._sid = sid
        self._synotoken = synotoken
        self._own_session = own

    # -- secrets ---------------------------------------------------------------------------

    def _remember_secret(self, value) -> None:
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

    # -- one request -----------------------------------------------------------------------

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
        except ConnectionFailure as exc:
            raise self._transport_error(exc, api, method) from None
        return parse_answer(answer, self.nas_label, api, method)

    def _transport_error(self, exc, api, method):
        where = '%s.%s on %s' % (api, method, self.nas_label)
        if exc.kind == 'tls' and is_verification_failure(exc.detail):
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
        return TransportError(self.scrub(msg), sent=exc.sent, kind=exc.kind, host=self.nas_label, api=api,
                              method=method, hint=hint)

    # -- the send policy (contract section 5) ----------------------------------------------

    def _send(self, api, method, build, write=False, session=True, relogin=True, retry=True, discover=True,
              endpoint=None):
        """Post ``api.method`` until an answer that ends the call; returns DSM's answer (a success, or a
        failure that the caller turns into its own error).

        ``build(version)`` gives the form fields. ``session``: carry the session (logging in first when
        there is none); ``relogin``: log in again once after a session error; ``retry``: retry busy
        answers and lost requests; ``discover``: ask SYNO.API.Info once after 102/104; ``write``: once
        sent, never sent again (a busy answer or a lost one ends the call with WriteOutcomeUnknown).
        ``endpoint`` is a (path, version) the caller learnt itself (from SYNO.API.Info); it skips the table.
        """
        attempt = 0
        relogged = False
        while True:
            if session and relogin:
                self.ensure_session()
            if endpoint is None:
                self._require(api, method)
            path, version = endpoint or self._endpoint(api)
            try:
                data = self._post(path, build(version), api, method, with_session=session)
            except TransportError as exc:
                if write and exc.sent:
                    raise WriteOutcomeUnknown(
                        '%s The request had been sent, so %s may or may not have been applied on %s; it was not '
                        'repeated. Run the task again: it reads the state first and applies only what is missing.'
                        % (exc.message, method, self.nas_label), host=self.nas_label, api=api, method=method) from None
                if retry and attempt < self.config.retries and exc.retryable:
                    attempt += 1
                    self._backoff(attempt)
                    continue
                raise self._gave_up(exc, attempt)
            if data.get('success'):
                return data
            code = error_code(data)
            if session and relogin and code in SESSION_CODES and not relogged:
                self._renew_session(code, api, method)
                relogged = True
                continue
            if retry and code in BUSY_CODES:
                if write:
                    raise WriteOutcomeUnknown(
                        '%s.%s on %s failed: error %s (%s). The NAS was busy, so the change may or may not have '
                        'been applied; it was not repeated. Run the task again: it reads the state first.'
                        % (api, method, self.nas_label, code, describe(api, code)),
                        host=self.nas_label, api=api, method=method, code=code)
                if attempt < self.config.retries:
                    attempt += 1
                    self._backoff(attempt)
                    continue
                error = DsmAuthError if api == AUTH_API else DsmApiError
                raise error.from_answer(self.nas_label, api, method, code, self._details(data),
                                        context='still busy after %s' % _retries(attempt))
            if discover and code in DISCOVERY_CODES and not self._discovered:
                self._discovery_code = code
                self.discover(api)
                continue
            return data

    @staticmethod
    def _gave_up(exc, attempt):
        """``exc`` (a TransportError) saying how often it was retried; the hint (what to do) stays last."""
        if attempt:
            exc.message = '%s Still failing after %s.' % (exc.message.rstrip(), _retries(attempt))
        return exc

    def _backoff(self, attempt):
        self.sleep(min(BACKOFF_CAP, BACKOFF_BASE * (2 ** (attempt - 1))))

    # -- endpoints and discovery (contract section 3) --------------------------------------

    def _endpoint(self, api):
        if api in self._endpoints:
            return self._endpoints[api]
        if is_abb_api(api) and not self._discovered:
            return ABB_ENDPOINT
        return self._endpoints[api]

    def _known(self, api) -> bool:
        return api in self._endpoints or (is_abb_api(api) and not self._discovered)

    def discover(self, api=None):
        """Ask SYNO.API.Info once about the client's APIs (and ``api``) and adopt the advertised paths and
        versions (contract section 3)."""
        self._discovered = True
        apis = list(DISCOVERED_APIS) + ([api] if api and api not in DISCOVERED_APIS + (INFO_API,) else [])
        info = self.api_info(','.join(apis))
        for name in apis:
            self._adopt_endpoint(name, info.get(name))
        if COMPOUND_API not in self._endpoints:
            self._compound_ok = False
        return info

    def api_info(self, query):
        """SYNO.API.Info ``query`` (no session needed): API name -> what the NAS advertises (contract section 3)."""
        # The Info query value is sent bare, as DSM's own pages send it; a read, retried like any other.
        fields = [('api', INFO_API), ('version', '1'), ('method', 'query'), ('query', query)]
        data = self._send(INFO_API, 'query', lambda version: fields, session=False, discover=False)
        if not data.get('success'):
            raise DsmApiError.from_answer(self.nas_label, INFO_API, 'query', error_code(data), self._details(data))
        info = data.get('data')
        if info is None:
            info = {}
        if not isinstance(info, dict):
            raise TransportError('%s.query on %s failed: the answer is not what DSM answers (its data is %s, not an '
                                 'object).' % (INFO_API, self.nas_label, type(info).__name__),
                                 host=self.nas_label, api=INFO_API, method='query', hint=HINT_NOT_DSM)
        return info

    def _adopt_endpoint(self, api, entry):
        if not isinstance(entry, dict):
            self._endpoints.pop(api, None)
            return
        try:
            low, high = int(entry.get('minVersion', 1)), int(entry.get('maxVersion', 1))
        except (TypeError, ValueError, OverflowError):
            low, high = 1, 1
        # SYNO.ActiveBackup.*: version 1 (its lowest when 1 is not offered), never Info's maxVersion (contract 9).
        version = max(low, 1) if is_abb_api(api) else min(high, MAX_VERSIONS.get(api, high))
        path = entry.get('path')
        self._endpoints[api] = (path if isinstance(path, str) and path else 'entry.cgi', version)

    def _not_installed(self, api, method, code, why):
        return AbbNotInstalled(
            'Active Backup for Business is not installed (or not running) on %s: %s.%s answered error %s (%s) and %s. '
            'Install or start it in DSM Package Center.' % (self.nas_label, api, method, code, describe(api, code), why),
            host=self.nas_label, api=api, method=method, code=code)

    def _require(self, api, method):
        if self._known(api):
            return
        code = self._discovery_code or 102
        if is_abb_api(api):
            raise self._not_installed(api, method, code, '%s does not list %s' % (INFO_API, api))
        raise DsmApiError.from_answer(self.nas_label, api, method, code, context='%s does not list %s' % (INFO_API, api))

    # -- calls -----------------------------------------------------------------------------

    def call(self, api, method, params=None, write=False, discover=True, endpoint=None, raw=False):
        """Call ``api.method`` with the client policy of contract section 5; returns ``data`` ({} when absent).

        ``endpoint``: a (path, version) to use instead of the client's own (the generic ``api`` module's,
        from SYNO.API.Info); no discovery then. ``raw``: ``data`` as DSM sent it (a list or a string too;
        {} when absent), for callers that show it as it is.
        """
        data = self._send(api, method, lambda version: api_fields(api, method, version, params), write=write,
                          discover=discover and endpoint is None, endpoint=endpoint)
        if data.get('success'):
            result = data.get('data')
            if raw and result is not None:
                return result
            return result if isinstance(result, dict) else {}
        code = error_code(data)
        if code == 102 and is_abb_api(api) and self._discovered:
            # Info listed the API (or was asked before) and the call still says it does not exist.
            raise self._not_installed(api, method, code, 'it is not available although %s was asked' % INFO_API)
        details = self._details(data)
        named = isinstance(details, dict) and details.get('name')
        raise DsmApiError.from_answer(self.nas_label, api, method, code, details,
                                      context=None if named else parameter_context(code, params))

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
                answers_call(item, api, method) for (api, method, dummy), item in zip(calls, results)):
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
                    self._warn('Logout from %s failed: %s' % (self.nas_label, self.scrub(exc)))
        finally:
            self._transport.close()


def client_from_params(params, warn=None, transport=None, sleep=time.sleep, clock=time.time):
    """Build a client from module parameters (checked first; no request is sent)."""
    return DsmClient(ConnectionConfig.from_params(params), transport=transport, warn=warn, sleep=sleep, clock=clock)
