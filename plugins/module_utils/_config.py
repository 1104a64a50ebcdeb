# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: the connection options, checked once.

``ConnectionConfig.from_params()`` checks every connection option's value before any request
(the argument spec has checked the types) and gives the one normalised value the client takes:
host without spaces, port defaulted by ``use_https``, whole numbers in range, the credentials
that go together, a ``ca_path`` that holds a certificate. The options themselves, and their
documentation, are in ``_options`` and the ``syno.activebackup._connection`` doc fragment.
"""

from __future__ import annotations

import ipaddress
import os
import re

from ._errors import SESSION_VALUE_RE, DsmInputError
from ._paths import shown, text_problem
from ._totp import InvalidSecret, decode_secret

# Limits of the connection options' values, checked before any request.
MAX_TEXT = 1024  # characters of username, password, otp_secret, device_id, device_name and the session's values
MAX_HOST = 253  # characters of a host name (RFC 1035), each dot-separated label at most 63
MAX_LABEL = 63
MAX_CA_PATH = 4096
MAX_SECONDS = 86400  # timeout (and the wait_timeout of the modules that wait): one day
MAX_CA_FILE = 16 * 1024 * 1024  # bytes of ca_path read to find a certificate
# OpenSSL loads all three forms from a CA file
PEM_CERT_RE = re.compile(rb'-----BEGIN (?:TRUSTED |X509 )?CERTIFICATE-----')
SESSION_KEYS = ('sid', 'synotoken', 'device_id')
TEXT_OPTIONS = ('username', 'password', 'otp_secret', 'device_id', 'device_name')
DIGITS_AND_DOTS_RE = re.compile(r'^[0-9.]+$')
OTP_CODE_RE = re.compile(r'^[0-9]{6,8}$')
# A host name or IPv4 address; IPv6 addresses are checked with the ipaddress module.
HOST_RE = re.compile(r'^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$')
HOST_PORT_RE = re.compile(r'^[^:]+:[0-9]*$')


def _digits(number: int) -> int:
    """About how many decimal digits ``number`` has, without converting it to text (which fails past 4300 digits)."""
    return int(abs(number).bit_length() * 0.30103) + 1


def whole_number(name: str, value) -> int:
    """``value`` as an int (an int, or the text of one); DsmInputError naming ``name`` otherwise."""
    if isinstance(value, bool):
        raise DsmInputError('%s must be a whole number (got %r).' % (name, value))
    if isinstance(value, int):
        return value
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise DsmInputError('%s must be a whole number (got %r).' % (name, value)) from None
    if number != value and str(number) != str(value).strip():
        raise DsmInputError('%s must be a whole number (got %r).' % (name, value))
    return number


def check_number(name: str, value, low: int, high: int, unit: str = '', below: str | None = None):
    """``value`` (None stays None) as a whole number from ``low`` to ``high``; DsmInputError otherwise.

    ``below`` is the message for a value under ``low`` (``%s`` is the value); by default the range is
    named. A number too large to show is named by its digits.
    """
    if value is None:
        return None
    number = whole_number(name, value)
    if low <= number <= high:
        return number
    huge = abs(number) >= 10 ** 18
    if number < low and below and not huge:
        raise DsmInputError(below % number)
    got = 'a number of %d digits' % _digits(number) if huge else str(number)
    raise DsmInputError('%s must be between %d and %d%s (got %s).' % (name, low, high, unit, got))


def _check_host(host) -> str:
    """The host without surrounding spaces, if it is a host name, an IPv4 address or an IPv6 address."""
    host = (host or '').strip() if isinstance(host, str) or host is None else str(host)
    if not host:
        raise DsmInputError('host is required: the name or address of the NAS (or set SYNOLOGY_HOST).')
    # A host with '@' may hold a user name and password: never shown.
    echo = '' if '@' in host else ' %s' % shown(host)
    problem = text_problem(host)
    if problem:
        raise DsmInputError('host%s %s; give the name or address of the NAS.' % (echo, problem))
    if len(host) > MAX_HOST:
        raise DsmInputError('host is longer than %d characters (%d given), which no host name is.' % (MAX_HOST, len(host)))
    if not host.isascii():
        ascii_form = ''
        if not any(char in host for char in '@:/'):  # user:password@host or a URL: never shown, in any form
            try:
                ascii_form = ': %s' % host.encode('idna').decode('ascii')
            except UnicodeError:
                pass
        raise DsmInputError('host%s is not ASCII; give its ASCII (IDNA) form%s.' % (echo, ascii_form))
    if '@' in host:
        raise DsmInputError('host must be a name or address only, without user name, password, scheme or path; '
                            'give username and password as options.')
    if '://' in host or '/' in host:
        raise DsmInputError('host must be a name or address only, without scheme or path (got %r); use '
                            'use_https and port for the rest.' % host)
    bare = host[1:-1] if host.startswith('[') and host.endswith(']') else host
    if ':' in bare:
        try:
            ipaddress.IPv6Address(bare)
            return host
        except ValueError:
            pass
        if bare == host and HOST_PORT_RE.match(host):
            raise DsmInputError('host must be a name or address only (got %r); give the port in the port option.'
                                % host)
        raise DsmInputError('host %r is not a valid host name or address.' % host)
    if any(len(label) > MAX_LABEL for label in host.split('.')):
        raise DsmInputError('host%s has a dot-separated part longer than %d characters, which no host name has.'
                            % (echo, MAX_LABEL))
    if DIGITS_AND_DOTS_RE.match(host):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            raise DsmInputError('host%s is neither an IPv4 address (four numbers 0-255 separated by dots) nor a host '
                                'name (a host name is not all digits).' % echo) from None
    if bare != host or not HOST_RE.match(host):
        raise DsmInputError('host %r is not a valid host name or address.' % host)
    return host


def _check_texts(params) -> None:
    for name in TEXT_OPTIONS:
        value = params.get(name)
        if not isinstance(value, str) or not value:
            continue
        # otp_secret: whitespace (a trailing newline from a file, spaces between groups) is dropped before
        # decoding, and the seed never goes to DSM.
        problem = text_problem(''.join(value.split()) if name == 'otp_secret' else value)
        if problem:
            hint = ''
            if name == 'password' and value.rstrip('\r\n') != value:
                hint = ' A password read from a file may end with a newline: strip it (for example with | trim).'
            accepts = 'is not accepted' if name == 'otp_secret' else 'DSM does not accept'
            raise DsmInputError('%s %s, which %s.%s' % (name, problem, accepts, hint))
        if len(value) > MAX_TEXT:
            raise DsmInputError('%s is longer than %d characters (%d given).' % (name, MAX_TEXT, len(value)))
    ca_path = params.get('ca_path')
    if isinstance(ca_path, str) and ca_path:
        problem = text_problem(ca_path)
        if problem:
            raise DsmInputError('ca_path %s %s; give the path of a CA bundle (PEM) file.' % (shown(ca_path), problem))
        if len(ca_path) > MAX_CA_PATH:
            raise DsmInputError('ca_path is longer than %d characters (%d given), which no path is.'
                                % (MAX_CA_PATH, len(ca_path)))


def _check_ca_file(ca_path, use_https: bool, validate_certs: bool) -> None:
    """A ca_path file must hold a PEM certificate: else the TLS library fails before the first request with words
    that point at the network. A directory (OpenSSL's hashed CA directory) is left as it is."""
    if not ca_path:
        return
    if not validate_certs:
        raise DsmInputError('ca_path has no effect with validate_certs: false; drop one of them.')
    if not use_https:
        return
    if not os.path.exists(ca_path):
        # requests would raise a bare OSError at the first request.
        raise DsmInputError('ca_path %s does not exist (on the host that runs the task: the controller, or the '
                            'host the task is delegated to).' % ca_path)
    if not os.path.isfile(ca_path):
        return
    try:
        with open(ca_path, 'rb') as handle:
            head = handle.read(MAX_CA_FILE)
    except OSError as exc:
        raise DsmInputError('ca_path %s cannot be read: %s.' % (shown(ca_path), exc.strerror or exc)) from None
    if not PEM_CERT_RE.search(head):
        raise DsmInputError('ca_path %s holds no PEM certificate (no "-----BEGIN CERTIFICATE-----" line); give a CA '
                            'bundle in PEM format, for example the certificate exported from DSM or the CA that '
                            'signed it (convert a DER file with: openssl x509 -inform der -in cert.cer -out ca.pem).'
                            % shown(ca_path))


def _check_session(session) -> None:
    if session is None:
        return
    if not isinstance(session, dict):
        raise DsmInputError('session must be the session dictionary returned by syno.activebackup.session.')
    unknown = sorted(str(key) for key in session if key not in SESSION_KEYS)
    if unknown:
        hint = ''
        if 'session' in session:
            hint = (' It looks like a whole registered result: pass its session member, for example '
                    'session: "{{ login.session }}".')
        raise DsmInputError('session has keys that a session returned by syno.activebackup.session does not have: %s '
                            '(it has sid, synotoken and device_id).%s' % (', '.join(shown(key, 40) for key in unknown), hint))
    for key in SESSION_KEYS:
        value = session.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise DsmInputError('session.%s must be a string (got a value of type %s); pass the session returned by '
                                'syno.activebackup.session unchanged.' % (key, type(value).__name__))
        # Values are secrets: never shown.
        if len(value) > MAX_TEXT:
            raise DsmInputError('session.%s is longer than %d characters (%d given), which no DSM session value is.'
                                % (key, MAX_TEXT, len(value)))
        if not SESSION_VALUE_RE.match(value):
            raise DsmInputError('session.%s has characters that no DSM session value has (only printable ASCII without '
                                'spaces, quotes, commas, semicolons and backslashes); pass the session returned by '
                                'syno.activebackup.session unchanged.' % key)


class ConnectionConfig:
    """The connection options of one task, checked; raises DsmInputError before any request on bad input."""

    FIELDS = ('host', 'port', 'use_https', 'validate_certs', 'ca_path', 'username', 'password', 'otp_code',
              'otp_secret', 'device_id', 'device_name', 'session', 'timeout', 'retries')

    def __init__(self, **kwargs):
        for name in self.FIELDS:
            setattr(self, name, kwargs.get(name))
        self.use_https = True if self.use_https is None else bool(self.use_https)
        self.validate_certs = True if self.validate_certs is None else bool(self.validate_certs)
        self.device_name = self.device_name or 'ansible'
        self._check()

    @classmethod
    def from_params(cls, params, credentials=True) -> 'ConnectionConfig':
        """The checked options of ``params``; with ``credentials``, also ``check_credentials()``."""
        config = cls(**{name: params.get(name) for name in cls.FIELDS})
        if credentials:
            config.check_credentials()
        return config

    def _check(self) -> None:
        self.host = _check_host(self.host)
        if self.port is None:
            self.port = 5001 if self.use_https else 5000
        self.port = check_number('port', self.port, 1, 65535)
        self.timeout = check_number('timeout', 60 if self.timeout is None else self.timeout, 1, MAX_SECONDS,
                                    ' seconds (one day)', below='timeout must be at least 1 second (got %s).')
        self.retries = check_number('retries', 3 if self.retries is None else self.retries, 0, 10)
        _check_texts(self.__dict__)
        _check_session(self.session)
        if self.otp_code is not None:
            self.otp_code = str(self.otp_code).strip()
            if not OTP_CODE_RE.match(self.otp_code):
                raise DsmInputError('otp_code must be the 6 to 8 digits that the authenticator shows.')
        if self.otp_secret:
            try:
                decode_secret(self.otp_secret)
            except InvalidSecret as exc:
                raise DsmInputError(str(exc) + '.') from None
        _check_ca_file(self.ca_path, self.use_https, self.validate_certs)

    def check_credentials(self) -> None:
        """What the task logs in with: a session that has a sid, or username and password together.

        Checked after the operation's own checks, which may say more precisely what is missing.
        """
        if self.session is not None and not self.session.get('sid'):
            raise DsmInputError('session must be the session dictionary returned by syno.activebackup.session '
                                '(it has no sid).')
        if bool(self.username) != bool(self.password):
            raise DsmInputError('username and password must be given together.')
        if not self.session and not self.username:
            raise DsmInputError('give either session (from syno.activebackup.session) or username and password '
                                '(or set SYNOLOGY_USERNAME and SYNOLOGY_PASSWORD).')

    @property
    def netloc(self) -> str:
        host = self.host
        if ':' in host and not host.startswith('['):
            host = '[%s]' % host
        return '%s:%s' % (host, self.port)

    @property
    def base_url(self) -> str:
        return '%s://%s/webapi/' % ('https' if self.use_https else 'http', self.netloc)

    @property
    def label(self) -> str:
        """How messages name the NAS: the host, with the port when it is not the default one."""
        default = 5001 if self.use_https else 5000
        return self.host if int(self.port) == default else self.netloc
