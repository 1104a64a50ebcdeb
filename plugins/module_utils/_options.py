# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: the connection options every module shares.

Documented by the ``syno.activebackup._connection`` doc fragment; keep both in step.
"""

from __future__ import annotations

import copy
import ipaddress
import os
import re

from ansible.module_utils.common.parameters import env_fallback

from ._errors import SESSION_VALUE_RE, DsmInputError
from ._paths import shown, text_problem

CONNECTION_SPEC = dict(
    host=dict(type='str', required=True, fallback=(env_fallback, ['SYNOLOGY_HOST'])),
    port=dict(type='int', fallback=(env_fallback, ['SYNOLOGY_PORT'])),
    use_https=dict(type='bool', default=True),
    validate_certs=dict(type='bool', default=True, fallback=(env_fallback, ['SYNOLOGY_VALIDATE_CERTS'])),
    ca_path=dict(type='path'),
    username=dict(type='str', fallback=(env_fallback, ['SYNOLOGY_USERNAME'])),
    password=dict(type='str', no_log=True, fallback=(env_fallback, ['SYNOLOGY_PASSWORD'])),
    otp_code=dict(type='str', no_log=True),
    otp_secret=dict(type='str', no_log=True, fallback=(env_fallback, ['SYNOLOGY_OTP_SECRET'])),
    device_id=dict(type='str', no_log=True, fallback=(env_fallback, ['SYNOLOGY_DEVICE_ID'])),
    device_name=dict(type='str', default='ansible'),
    # The keys (sid, synotoken, device_id; documented as suboptions) are checked by check_connection(), which
    # _runner.execute() runs for every operation that connects. No sub-option spec: ansible-core's sub-option
    # validation raises a bare TypeError for a session that is a number or a boolean, where this gives a message.
    session=dict(type='dict', no_log=True),
    timeout=dict(type='int', default=60),
    retries=dict(type='int', default=3),
)

CONNECTION_REQUIRED_ONE_OF = [('session', 'username')]
CONNECTION_REQUIRED_TOGETHER = [('username', 'password')]

# Limits of the connection options' values, checked before any request.
MAX_TEXT = 1024  # characters of username, password, otp_secret, device_id, device_name and the session's values
MAX_HOST = 253  # characters of a host name (RFC 1035), each dot-separated label at most 63
MAX_LABEL = 63
MAX_CA_PATH = 4096
MAX_SECONDS = 86400  # timeout (and the storage module's wait_timeout): one day
MAX_CA_FILE = 16 * 1024 * 1024  # bytes of ca_path read to find a certificate
# OpenSSL loads all three forms from a CA file
PEM_CERT_RE = re.compile(rb'-----BEGIN (?:TRUSTED |X509 )?CERTIFICATE-----')
SESSION_KEYS = ('sid', 'synotoken', 'device_id')
TEXT_OPTIONS = ('username', 'password', 'otp_secret', 'device_id', 'device_name')
SECRET_OPTIONS = frozenset(('password', 'otp_code', 'otp_secret', 'device_id'))
DIGITS_AND_DOTS_RE = re.compile(r'^[0-9.]+$')


def argument_spec(**options):
    """The connection options plus a module's own ``options``."""
    spec = copy.deepcopy(CONNECTION_SPEC)
    spec.update(options)
    return spec


def _digits(number):
    """About how many decimal digits ``number`` has, without converting it to text (which fails past 4300 digits)."""
    return int(abs(number).bit_length() * 0.30103) + 1


def check_number(params, name, low, high, unit=''):
    """Refuse a whole number option above ``high``, or one too large to show; returns the value.

    A value below ``low`` is left to the caller (the client, for the connection options), which
    has its own words for it; None and non-numbers are left to other checks.
    """
    value = params.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or low <= value <= high:
        return value
    huge = abs(value) >= 10 ** 18
    if value > high or huge:
        got = 'a number of %d digits' % _digits(value) if huge else str(value)
        raise DsmInputError('%s must be between %d and %d%s (got %s).' % (name, low, high, unit, got))
    return value


def _check_host(host):
    if not isinstance(host, str) or not host.strip():
        return  # the client says that host is required
    host = host.strip()
    # A host with '@' may hold a user name and password: never shown (the client refuses it).
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
    if ':' in host or '@' in host or '/' in host:
        return  # IPv6 addresses and host:port, user@host, URLs: the client's checks
    if any(len(label) > MAX_LABEL for label in host.split('.')):
        raise DsmInputError('host%s has a dot-separated part longer than %d characters, which no host name has.'
                            % (echo, MAX_LABEL))
    if DIGITS_AND_DOTS_RE.match(host):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            raise DsmInputError('host%s is neither an IPv4 address (four numbers 0-255 separated by dots) nor a host '
                                'name (a host name is not all digits).' % echo) from None


def _check_texts(params):
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


def _check_ca_file(params):
    """A ca_path file must hold a PEM certificate: else the TLS library fails before the first request with words
    that point at the network. A directory (OpenSSL's hashed CA directory) is left as it is."""
    ca_path = params.get('ca_path')
    if not ca_path or not isinstance(ca_path, str) or params.get('use_https') is False:
        return
    if params.get('validate_certs') is False or not os.path.isfile(ca_path):
        return  # the client refuses ca_path with validate_certs: false, and a ca_path that does not exist
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


def _check_session(session):
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


def check_connection(params):
    """Checks of the connection options' values that the argument spec cannot express, before any request.

    The client (``_client.ClientConfig``) checks the rest (host syntax, port, timeout and retries
    ranges, credentials given together, otp_code, otp_secret, ca_path existence).
    """
    _check_host(params.get('host'))
    check_number(params, 'port', 1, 65535)
    check_number(params, 'timeout', 1, MAX_SECONDS, ' seconds (one day)')
    check_number(params, 'retries', 0, 10)
    _check_texts(params)
    _check_ca_file(params)
    _check_session(params.get('session'))


def session_secrets(params):
    """The values of a ``session`` option: secrets to mask in the result and the output.

    A session given as text (JSON or ``sid=... synotoken=...``) is turned into a dict after
    ansible-core collected the values to hide, which then hold only the whole text.
    """
    session = params.get('session')
    if not isinstance(session, dict):
        return set()
    return set(str(value) for value in session.values() if isinstance(value, (str, int)) and str(value))
