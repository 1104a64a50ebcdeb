# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: typed exceptions and DSM error tables.

Nothing here is a public API of the collection; it may change in any release.
"""

from __future__ import annotations

import re

AUTH_API = 'SYNO.API.Auth'
ABB_API = 'SYNO.ActiveBackup.Share'
INFO_API = 'SYNO.API.Info'
COMPOUND_API = 'SYNO.Entry.Request'
DSM_INFO_API = 'SYNO.DSM.Info'

# Codes shared by every DSM web API.
COMMON_ERRORS = {
    100: 'Unknown error',
    101: 'No parameter of API, method or version',
    102: 'The requested API does not exist',
    103: 'The requested method does not exist',
    104: 'The requested version does not support the functionality',
    105: 'The logged in session does not have permission',
    106: 'Session timeout',
    107: 'Session interrupted by duplicated login',
    109: 'Network unstable or system busy',
    110: 'Network unstable or system busy',
    111: 'Network unstable or system busy',
    114: 'Lost parameters for this API',
    117: 'Network unstable or system busy',
    118: 'Network unstable or system busy',
    119: 'SID not found (invalid or expired session)',
    120: 'Invalid parameter',
    150: 'Request source IP does not match the login IP',
    160: 'Insufficient application privilege',
}

# Codes that only SYNO.API.Auth answers.
AUTH_ERRORS = {
    400: 'No such account or incorrect password',
    401: 'Disabled account',
    402: 'Permission denied',
    403: 'Two-factor authentication code required',
    404: 'Two-factor authentication code wrong or already used',
    406: 'Two-factor authentication enrolment enforced',
    407: 'Address blocked by Auto Block',
    408: 'Expired password cannot be changed',
    409: 'Password expired',
    410: 'Password must be changed',
}

# Codes of every Active Backup for Business API (contract section 15, [R]: one client's table).
ABB_ERRORS = {
    120: 'Invalid parameter (ABB answers it for a missing or malformed required parameter)',
    1001: 'Internal error of Active Backup for Business',
    1006: 'Active Backup for Business is upgrading',
    1007: 'An upgrade of Active Backup for Business is running',
    1008: 'The upgrade of Active Backup for Business failed',
    1009: 'Some of the tasks failed (batch error)',
    1010: 'No such task',
    1011: 'No permission on the task',
    1016: 'No space left on the backup storage',
    1019: 'No space left on the system volume',
    1031: 'Timeout inside Active Backup for Business',
    1104: 'Outside the backup window of the task',
    1105: 'Outside the backup window of the task',
    1201: 'Job not found',
    1202: 'Job conflict',
    4005: 'Backup conflict',
    4007: 'Another backup of the task is running',
    5001: 'The device is offline',
    5003: 'The device is being deleted',
}

# Codes that only SYNO.ActiveBackup.Share answers (contract section 15, [R]).
SHARE_ERRORS = {
    1026: 'The storage exists already',
    1029: 'Cannot remove the storage: a task on it is running',
    1030: 'The repository comes from a newer Active Backup for Business',
    1401: 'Relink failed: the repository data is damaged',
    1402: 'Relink failed: not enough space',
    1403: 'Relink failed: permission denied',
    3047: 'Cannot remove the storage: it is busy',
}

API_ERRORS = {
    AUTH_API: AUTH_ERRORS,
    ABB_API: SHARE_ERRORS,
}

ABB_PREFIX = 'SYNO.ActiveBackup.'


def is_abb_api(api) -> bool:
    """True for every Active Backup for Business API (``SYNO.ActiveBackup.*``)."""
    return isinstance(api, str) and api.startswith(ABB_PREFIX)


SESSION_CODES = frozenset((106, 107, 119, 150))
BUSY_CODES = frozenset((109, 110, 111, 117, 118))
DISCOVERY_CODES = frozenset((102, 104))
NO_RETRY_LOGIN_CODES = frozenset((400, 404, 407))

BUSY_HINT = ('DSM was busy (or its network unstable) at every attempt; run the task again later, or raise retries '
             '(each retry waits twice as long as the one before, up to 8 seconds).')

# What a user can do about a code, where there is something to say.
HINTS = {
    102: 'Check that the API is installed and running on the NAS.',
    105: 'The account needs to be a member of the administrators group in DSM.',
    106: 'Log in again (run the session module again) or give username and password.',
    109: BUSY_HINT,
    110: BUSY_HINT,
    111: BUSY_HINT,
    117: BUSY_HINT,
    118: BUSY_HINT,
    119: 'Log in again (run the session module again) or give username and password.',
    150: 'The address of the controller changed since login; log in again.',
    160: ('Allow the account to use Active Backup for Business in DSM: Control Panel > '
          'Application Privileges.'),
    400: 'Check username and password.',
    401: 'Enable the account in DSM: Control Panel > User & Group.',
    402: 'The account needs administrator rights in DSM.',
    403: 'The account has two-factor authentication: give otp_code, otp_secret or device_id.',
    404: ('The two-factor code was wrong or already used in this 30-second window; with '
          'otp_secret check the controller clock (TOTP needs it within about 30 s of the NAS).'),
    406: 'The account must first enrol in two-factor authentication in DSM (sign in once in a browser).',
    407: ('DSM Auto Block has blocked the controller address after failed logins. Unblock it in DSM: '
          'Control Panel > Security > Protection > Auto Block (Allow/Block List); then fix the credentials.'),
    409: 'Change the password of the account in DSM.',
    410: 'Change the password of the account in DSM.',
}


# Keys of DSM's ``errors`` member (and of anything else shown) whose values are never shown:
# the 403 answer of a 2FA login carries a pending-login ``token`` (contract section 4).
SECRET_KEYS = frozenset(('token', 'sid', '_sid', 'synotoken', 'syno_token', 'passwd', 'password', 'otp_code',
                         'otp_secret', 'device_id', 'did'))
# Contract section 9: a key whose name holds one of these is a secret wherever it appears in an answer.
SECRET_KEY_PARTS = ('password', 'token', 'secret', 'passwd')
MASK = '********'


_SECRET_KEY_CACHE = {}  # key name -> is_secret_key(); API answers repeat the same few hundred names


def is_secret_key(key) -> bool:
    """True for a key whose name holds password, token, secret or passwd (contract section 9)."""
    known = _SECRET_KEY_CACHE.get(key) if isinstance(key, str) else None
    if known is not None:
        return known
    lowered = str(key).lower()
    secret = any(part in lowered for part in SECRET_KEY_PARTS)
    if isinstance(key, str) and len(_SECRET_KEY_CACHE) < 4096:
        _SECRET_KEY_CACHE[key] = secret
    return secret


# What a DSM session value (sid, synotoken, device token) can hold: printable ASCII that fits a cookie
# and a header, without space, quote, comma, semicolon or backslash.
SESSION_VALUE_RE = re.compile(r'^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$')

MASK_DEPTH = 32  # levels of nesting shown; deeper parts of an answer are replaced (no real DSM answer nests so)


def mask(value, secrets=(), _depth=0):
    """A copy of ``value`` (str, dict, list, scalar) with secret keys' values and every known secret masked.

    Secrets shorter than 4 characters are left alone (they would mask ordinary words and numbers).
    Containers nested deeper than MASK_DEPTH become ``'...'``.
    """
    if isinstance(value, (dict, list, tuple)) and _depth >= MASK_DEPTH:
        return '...'
    if isinstance(value, str):
        for secret in sorted((str(s) for s in secrets if s), key=len, reverse=True):
            if len(secret) >= 4:
                value = value.replace(secret, MASK)
        return value
    if isinstance(value, dict):
        # keys too: a known secret can arrive as a key (a map by session id, say)
        return dict((mask(key, secrets) if isinstance(key, str) else key,
                     MASK if (str(key).lower() in SECRET_KEYS or is_secret_key(key)) and value[key] not in (None, '')
                     else mask(value[key], secrets, _depth + 1))
                    for key in value)
    if isinstance(value, (list, tuple)):
        return type(value)(mask(item, secrets, _depth + 1) for item in value)
    return value


def describe(api, code):
    """Meaning of ``code`` for ``api``: the API's own table, then ABB's (for its APIs), then the common one."""
    for table in (API_ERRORS.get(api, {}), ABB_ERRORS if is_abb_api(api) else {}):
        if code in table:
            return table[code]
    if code in COMMON_ERRORS:
        return COMMON_ERRORS[code]
    return None


class DsmError(Exception):
    """Base of every error the client raises. ``str()`` is safe to show: it holds no secret."""

    def __init__(self, message, host=None, api=None, method=None, code=None, details=None, hint=None):
        super().__init__(message)
        self.message = message
        self.host = host
        self.api = api
        self.method = method
        self.code = code
        self.details = details
        self.hint = hint

    def __str__(self):
        text = self.message
        if self.hint:
            text = '%s %s' % (text.rstrip(), self.hint)
        return text

    def to_result(self):
        """Structured description for a failed task's result."""
        out = {}
        for key in ('host', 'api', 'method', 'code'):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.code is not None:
            out['meaning'] = describe(self.api, self.code)
        if self.details:
            out['details'] = self.details
        return out


class DsmInputError(DsmError):
    """Bad input found before any request was sent."""


class DsmApiError(DsmError):
    """DSM answered ``success: false`` with an error code."""

    @classmethod
    def from_answer(cls, host, api, method, code, errors=None, context=None):
        errors = mask(errors)
        meaning = describe(api, code)
        if code is None:
            what = 'success false, with no error code'
        elif meaning:
            what = 'error %s (%s)' % (code, meaning)
        else:
            what = 'error %s (no description known for this code)' % code
        msg = '%s.%s on %s failed: %s' % (api, method, host, what)
        if isinstance(errors, dict):
            rest = dict(errors)
            name = rest.pop('name', None) if isinstance(rest.get('name'), str) else None
            reason = rest.pop('reason', None)
            if name:
                # ABB answers 120 with the parameter it refused (contract 5, row 120: name the parameter).
                msg += ', parameter %s' % name
            if reason:
                msg += ', reason: %s' % reason
            if rest:
                msg += ', details: %s' % (rest,)
        elif errors:
            msg += ', details: %s' % (errors,)
        if context:
            msg += '. ' + context
        msg += '.'
        return cls(msg, host=host, api=api, method=method, code=code, details=errors, hint=HINTS.get(code))

    @property
    def reason(self):
        if isinstance(self.details, dict):
            return self.details.get('reason')
        return None


class DsmAuthError(DsmApiError):
    """Login failed (SYNO.API.Auth answered an error)."""


class SessionExpired(DsmError):
    """The given session is no longer valid and no credentials were given to log in again."""


class AbbNotInstalled(DsmError):
    """SYNO.ActiveBackup.Share is not offered by the NAS."""


class TransportError(DsmError):
    """No valid DSM answer: connection failure, TLS failure, non-200 status or a body that is not DSM's JSON.

    ``sent`` tells whether the request may have reached the server.
    """

    def __init__(self, message, sent=True, kind=None, **kwargs):
        super().__init__(message, **kwargs)
        self.sent = sent
        self.kind = kind

    @property
    def retryable(self):
        """False for a TLS failure (a certificate that fails verification fails the same way next time) and
        for a request that could not be built (it would fail the same way)."""
        return self.kind not in ('tls', 'request')


class WriteOutcomeUnknown(DsmError):
    """A write was sent, and DSM answered busy or the answer was lost: it may or may not have been applied."""
