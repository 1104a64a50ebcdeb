# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: how the DSM client logs in and out (contract section 4).

``LoginMixin`` is the part of ``_client.DsmClient`` that opens and ends sessions: a login with
password and the 2FA variants (one code, a TOTP seed, a trusted-device token with the code as
fallback), a re-login after a session error, and logout. Every request goes through the client's
send policy (``_send``); what is particular to logins stays here: the 2FA fallbacks, no retry of
a login that Auto Block would count (400, 404, 407), and the session values adopted from the answer.
"""

from __future__ import annotations

from ._errors import (
    AUTH_API,
    NO_RETRY_LOGIN_CODES,
    SESSION_CODES,
    SESSION_VALUE_RE,
    DsmApiError,
    DsmAuthError,
    DsmInputError,
    SessionExpired,
    TransportError,
    describe,
)
from ._totp import seconds_left, totp
from ._wire import HINT_NOT_DSM, error_code


class LoginMixin:
    """Login, re-login and logout of ``_client.DsmClient`` (which provides ``_send``, ``config`` and the session state)."""

    def _otp_now(self):
        code = totp(self.config.otp_secret, self.clock())
        self._remember_secret(code)
        return code

    def _login_fields(self, version, otp, with_device, ask_device_token):
        cfg = self.config
        fields = [('api', AUTH_API), ('version', str(version)), ('method', 'login'),
                  ('account', cfg.username), ('passwd', cfg.password),
                  ('format', 'sid'), ('session', 'webui'), ('enable_syno_token', 'yes')]
        if otp:
            fields.append(('otp_code', otp))
        if with_device:
            fields.extend([('device_id', cfg.device_id), ('device_name', cfg.device_name)])
        elif ask_device_token:
            fields.extend([('enable_device_token', 'yes'), ('device_name', cfg.device_name)])
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
        while True:
            data = self._send(AUTH_API, 'login',
                              lambda version: self._login_fields(version, otp, with_device, request_device_token),
                              session=False)
            if data.get('success'):
                self._adopt_login(data.get('data'))
                return self.session
            code = error_code(data)
            if code == 403 and with_device and (cfg.otp_code or cfg.otp_secret):
                # The trusted-device token was not accepted; fall back to the code once.
                with_device = False
                otp = cfg.otp_code or self._otp_now()
                continue
            if code == 404 and cfg.otp_secret and not cfg.otp_code and not waited_window:
                # This window's code was already used (two tasks in one 30 s window): wait for the next one, once.
                waited_window = True
                self.sleep(seconds_left(self.clock()) + 1)
                otp = self._otp_now()
                continue
            context = 'not retried, so that DSM Auto Block is not fed' if code in NO_RETRY_LOGIN_CODES else None
            raise DsmAuthError.from_answer(self.nas_label, AUTH_API, 'login', code, self._details(data), context=context)

    def _adopt_login(self, data):
        data = data if isinstance(data, dict) else {}
        sid = data.get('sid')
        if isinstance(sid, bool) or not isinstance(sid, (str, int)) or not str(sid):
            raise TransportError('%s.login on %s answered success without a session id.' % (AUTH_API, self.nas_label),
                                 host=self.nas_label, api=AUTH_API, method='login')
        token = data.get('synotoken')
        token = token if isinstance(token, str) and token else None
        device = data.get('device_id') or data.get('did')
        device = str(device) if isinstance(device, (str, int)) and not isinstance(device, bool) and device else None
        # The values go into a cookie and a header: something no DSM session value holds is not DSM's answer.
        for value in (str(sid), token, device):
            if value is not None and (len(value) > 1024 or not SESSION_VALUE_RE.match(value)):
                raise TransportError('%s.login on %s answered success with a session value that no DSM session '
                                     'value has (characters that cannot go into a cookie or header).'
                                     % (AUTH_API, self.nas_label), host=self.nas_label, api=AUTH_API, method='login',
                                     hint=HINT_NOT_DSM)
        self._set_session(str(sid), token, own=True)
        if device is not None:
            self._device_id = device
        for value in (self._sid, self._synotoken, self._device_id):
            self._remember_secret(value)
        self.logins += 1

    def logout(self):
        """Log the current session out. Returns True when DSM confirmed it, False when it was already gone.

        Never retried and never a re-login: a logout that fails leaves nothing to repair.
        """
        if not self._sid:
            return False
        try:
            data = self._send(AUTH_API, 'logout',
                              lambda version: [('api', AUTH_API), ('version', str(version)), ('method', 'logout'),
                                               ('session', 'webui')],
                              relogin=False, retry=False, discover=False)
        finally:
            self._set_session(None, None, own=False)
        if data.get('success'):
            return True
        code = error_code(data)
        if code in SESSION_CODES or code == 105:
            return False
        raise DsmApiError.from_answer(self.nas_label, AUTH_API, 'logout', code, self._details(data))

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
                'password were given to log in again. %s'
                % (api, method, self.nas_label, code, describe(api, code), what, todo),
                host=self.nas_label, api=api, method=method, code=code)
        if given:
            self._warn('The session given to the task was no longer valid on %s (error %s, %s); the task logged in '
                       'again with username and password.' % (self.nas_label, code, describe(api, code)))
        self._sid = None
        self.login()

    def keep_session(self):
        """Hand the current session over to the caller: ``close()`` will not log it out."""
        self._own_session = False

    def ensure_session(self):
        if not self._sid:
            self.login()
