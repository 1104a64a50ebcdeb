# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""syno.activebackup.session and the session option of every module: the exact HTTP exchange."""

from __future__ import annotations

import functools
import json

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.syno.activebackup.plugins.module_utils import _client, _runner
from ansible_collections.syno.activebackup.plugins.module_utils._op_info import SHARE_INFO
from ansible_collections.syno.activebackup.plugins.module_utils._op_session import SESSION
from ansible_collections.syno.activebackup.plugins.module_utils._runner import execute
from ansible_collections.syno.activebackup.plugins.module_utils._totp import totp
from ansible_collections.syno.activebackup.plugins.modules import session as session_module

from ansible_collections.syno.activebackup.tests.unit.plugins.module_utils.scripted import (
    SID, SYNOTOKEN, Expect, Script,
)

SEED = 'JBSWY3DPEHPK3PXP'
DEVICE = 'device-token-0123456789'
LOGIN = {'account': 'admin', 'passwd': 'Adm1n-Secret!', 'format': 'sid', 'session': 'webui',
         'enable_syno_token': 'yes'}
GIVEN = {'sid': 'given-sid-0123456789', 'synotoken': 'given-token-0123'}
SHARE_LIST = {'has_fail': False, 'result': [
    {'api': 'SYNO.ActiveBackup.Share', 'method': 'list', 'version': 1, 'success': True,
     'data': {'default_share': 'ActiveBackupforBusiness', 'shares': []}},
    {'api': 'SYNO.ActiveBackup.Share', 'method': 'list_encrypted', 'version': 1, 'success': True,
     'data': {'shares': []}},
]}


def compound_shares():
    return Expect('SYNO.Entry.Request', 'request', version=1)


def logins(script):
    return sum(1 for r in script.requests if r.form.get('method') == 'login')


def with_sid(sid, synotoken):
    def check(request):
        assert request.form['_sid'] == sid
        assert request.headers.get('X-SYNO-TOKEN') == synotoken
    return check


class FakeClock(object):
    """time.time and time.sleep on one fake timeline: sleeping moves the clock on."""

    def __init__(self, now):
        self.now = float(now)
        self.slept = []

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    """A fake clock 5 s before the end of a TOTP window, given to every execute() of this file."""
    fake = FakeClock(1700000000 - (1700000000 % 30) + 25)
    monkeypatch.setitem(globals(), 'execute', functools.partial(_runner.execute, clock=fake.time, sleep=fake.sleep))
    return fake


# -- state=present -------------------------------------------------------------------------


def test_present_logs_in_and_hands_the_session_over(params):
    script = Script(Expect.login(params=LOGIN))
    result = execute(SESSION, params(state='present', request_device_token=False), transport=script)
    script.done()
    assert result == {'changed': False, 'session': {'sid': SID, 'synotoken': SYNOTOKEN}}
    assert script.closed


def test_present_without_synotoken_returns_an_empty_one(params):
    script = Script(Expect.login(synotoken=None))
    result = execute(SESSION, params(state='present', request_device_token=False), transport=script)
    script.done()
    assert result['session'] == {'sid': SID, 'synotoken': ''}


def test_present_needs_credentials_and_sends_nothing(params):
    script = Script()
    result = execute(SESSION, params(state='present', request_device_token=False, username=None, password=None,
                                     session=GIVEN), transport=script)
    script.done()
    assert result['failed'] is True
    assert 'username and password' in result['msg']


def test_present_with_a_session_given_logs_in_anew_and_leaves_the_old_one(params):
    script = Script(Expect.login(params=LOGIN))
    result = execute(SESSION, params(state='present', request_device_token=False,
                                     session=dict(GIVEN, device_id=DEVICE)), transport=script)
    script.done()
    # The old session is not logged out, and its device token is not handed back as if issued now.
    assert result['session'] == {'sid': SID, 'synotoken': SYNOTOKEN}


def test_otp_code_is_sent_with_the_login(params):
    script = Script(Expect.login(params=dict(LOGIN, otp_code='123456')))
    result = execute(SESSION, params(state='present', request_device_token=False, otp_code='123456'),
                     transport=script)
    script.done()
    assert result['session']['sid'] == SID


def test_request_device_token_returns_the_issued_token(params):
    script = Script(Expect.login(params=dict(LOGIN, otp_code='123456', enable_device_token='yes',
                                             device_name='ci-controller'), device_id=DEVICE))
    result = execute(SESSION, params(state='present', request_device_token=True, otp_code='123456',
                                     device_name='ci-controller'), transport=script)
    script.done()
    assert result == {'changed': False, 'session': {'sid': SID, 'synotoken': SYNOTOKEN, 'device_id': DEVICE}}
    assert 'warnings' not in result


def test_request_device_token_reads_dsm6_did(params):
    script = Script(Expect.login(did=DEVICE))
    result = execute(SESSION, params(state='present', request_device_token=True, otp_code='123456'),
                     transport=script)
    script.done()
    assert result['session']['device_id'] == DEVICE


def test_request_device_token_warns_when_none_was_issued(params):
    script = Script(Expect.login())
    result = execute(SESSION, params(state='present', request_device_token=True), transport=script)
    script.done()
    assert 'device_id' not in result['session']
    assert len(result['warnings']) == 1
    assert 'issued no trusted-device token' in result['warnings'][0]


def test_device_token_skips_the_code(params, clock):
    """With device_id, no code is computed or sent even when otp_secret is there as well."""
    script = Script(Expect.login(params=dict(LOGIN, device_id=DEVICE, device_name='ansible'), device_id=DEVICE))
    result = execute(SESSION, params(state='present', request_device_token=False, device_id=DEVICE,
                                     otp_secret=SEED), transport=script)
    script.done()
    # DSM echoed the token the task gave: not returned as if newly issued.
    assert result == {'changed': False, 'session': {'sid': SID, 'synotoken': SYNOTOKEN}}
    assert clock.slept == []


# -- two-factor failures: never retried, except the one TOTP window wait ----------------------


@pytest.mark.parametrize('code, words', [
    (400, 'No such account or incorrect password'),
    (404, 'code wrong or already used'),
    (407, 'Control Panel > Security > Protection > Auto Block'),
])
def test_failed_login_is_not_retried(params, code, words):
    script = Script(Expect('SYNO.API.Auth', 'login', session=False).error(code))
    result = execute(SESSION, params(state='present', request_device_token=False, otp_code='000000'),
                     transport=script)
    script.done()
    assert logins(script) == 1
    assert result['failed'] is True
    assert 'error %d' % code in result['msg']
    assert words in result['msg']
    assert 'Adm1n-Secret!' not in json.dumps(result)
    assert result['error']['code'] == code


def test_otp_required_names_the_options(params):
    script = Script(Expect('SYNO.API.Auth', 'login', session=False).error(
        403, {'token': 'x', 'types': [{'type': 'otp'}]}))
    result = execute(SESSION, params(state='present', request_device_token=False), transport=script)
    script.done()
    assert result['failed'] is True
    assert 'otp_code, otp_secret or device_id' in result['msg']


def test_otp_secret_sends_the_code_of_the_current_window(params, clock):
    code = totp(SEED, clock.now)
    script = Script(Expect.login(params=dict(LOGIN, otp_code=code)))
    result = execute(SESSION, params(state='present', request_device_token=False, otp_secret=SEED),
                     transport=script)
    script.done()
    assert result['session']['sid'] == SID
    assert clock.slept == []
    assert code not in json.dumps(result)


def test_code_already_used_in_this_window_waits_once_for_the_next(params, clock):
    """Two otp_secret tasks in one 30 s window: the second one's first code answers 404."""
    start = clock.now
    first, second = totp(SEED, start), totp(SEED, start + 30)
    assert first != second
    script = Script(
        Expect('SYNO.API.Auth', 'login', params=dict(LOGIN, otp_code=first), session=False).error(404),
        Expect.login(params=dict(LOGIN, otp_code=second)),
    )
    result = execute(SESSION, params(state='present', request_device_token=False, otp_secret=SEED),
                     transport=script)
    script.done()
    assert result['session']['sid'] == SID
    assert len(clock.slept) == 1
    # 5 s were left in the window; the wait ends just inside the next one.
    assert 5 <= clock.slept[0] <= 7


def test_a_wrong_seed_fails_after_the_one_window_wait(params, clock):
    script = Script(
        Expect('SYNO.API.Auth', 'login', session=False).error(404),
        Expect('SYNO.API.Auth', 'login', session=False).error(404),
    )
    result = execute(SESSION, params(state='present', request_device_token=False, otp_secret=SEED),
                     transport=script)
    script.done()
    assert result['failed'] is True
    assert 'error 404' in result['msg']
    assert len(clock.slept) == 1


def test_an_invalid_seed_fails_before_any_request(params):
    script = Script()
    result = execute(SESSION, params(state='present', request_device_token=False, otp_secret='not base32!'),
                     transport=script)
    script.done()
    assert result['failed'] is True
    assert 'base32' in result['msg']
    assert 'not base32!' not in result['msg']


# -- state=absent ----------------------------------------------------------------------------


def test_absent_logs_the_given_session_out(params):
    script = Script(Expect.logout().inspect(with_sid(GIVEN['sid'], GIVEN['synotoken'])))
    result = execute(SESSION, params(state='absent', request_device_token=False, username=None, password=None,
                                     session=GIVEN), transport=script)
    script.done()
    assert result == {'changed': False, 'logged_out': True}


@pytest.mark.parametrize('code', [106, 119])
def test_absent_on_an_ended_session_is_no_change_and_no_login(params, code):
    """Credentials from module_defaults must not turn a logout into a login."""
    script = Script(Expect.logout().error(code))
    result = execute(SESSION, params(state='absent', request_device_token=False, session=GIVEN), transport=script)
    script.done()
    assert result == {'changed': False, 'logged_out': False}
    assert logins(script) == 0


def test_absent_needs_a_session_and_sends_nothing(params):
    script = Script()
    result = execute(SESSION, params(state='absent', request_device_token=False), transport=script)
    script.done()
    assert result['failed'] is True
    assert 'give the session' in result['msg']


# -- the session option of the other modules --------------------------------------------------


def test_three_tasks_sharing_one_session_make_one_login(params):
    scripts = [Script(Expect.login())]
    session = execute(SESSION, params(state='present', request_device_token=False), transport=scripts[0])['session']
    for _task in range(3):
        script = Script(compound_shares().answer(SHARE_LIST).inspect(with_sid(SID, SYNOTOKEN)))
        result = execute(SHARE_INFO, params(name=None, session=session), transport=script)
        assert result['default_share'] == 'ActiveBackupforBusiness'
        scripts.append(script)
    scripts.append(Script(Expect.logout().inspect(with_sid(SID, SYNOTOKEN))))
    assert execute(SESSION, params(state='absent', request_device_token=False, session=session),
                   transport=scripts[-1])['logged_out'] is True
    for script in scripts:
        script.done()
    assert sum(logins(s) for s in scripts) == 1
    assert sum(len(s.requests) for s in scripts) == 5


@pytest.mark.parametrize('code', [106, 107, 119, 150])
def test_an_expired_session_with_credentials_is_replaced_by_one_login(params, code):
    script = Script(
        compound_shares().error(code).inspect(with_sid(GIVEN['sid'], GIVEN['synotoken'])),
        Expect.login(params=LOGIN),
        compound_shares().answer(SHARE_LIST).inspect(with_sid(SID, SYNOTOKEN)),
        # The replacement session belongs to the task: it is logged out; the given one is not touched.
        Expect.logout().inspect(with_sid(SID, SYNOTOKEN)),
    )
    result = execute(SHARE_INFO, params(name=None, session=GIVEN), transport=script)
    script.done()
    assert 'failed' not in result
    assert result['default_share'] == 'ActiveBackupforBusiness'
    assert len(result['warnings']) == 1
    assert 'logged in again' in result['warnings'][0]
    assert GIVEN['sid'] not in json.dumps(result)


def test_an_expired_session_without_credentials_fails_saying_so(params):
    script = Script(compound_shares().error(119))
    result = execute(SHARE_INFO, params(name=None, session=GIVEN, username=None, password=None), transport=script)
    script.done()
    assert result['failed'] is True
    assert 'session' in result['msg'] and 'expired' in result['msg']
    assert 'no username and password' in result['msg']
    assert GIVEN['sid'] not in result['msg']
    assert logins(script) == 0


def test_permission_denied_on_a_session_is_no_reason_to_log_in(params):
    script = Script(compound_shares().error(105))
    result = execute(SHARE_INFO, params(name=None, session=GIVEN), transport=script)
    script.done()
    assert result['failed'] is True
    assert 'error 105' in result['msg']
    assert logins(script) == 0


# -- the module file ---------------------------------------------------------------------------


def run_main(monkeypatch, capsys, args, script):
    monkeypatch.setattr(_client, 'RequestsTransport', lambda **kwargs: script)
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            session_module.main()
    return json.loads(capsys.readouterr().out)


def test_module_returns_the_session_unmasked_and_no_password(monkeypatch, capsys):
    script = Script(Expect.login(params=dict(LOGIN, enable_device_token='yes', device_name='ansible',
                                             otp_code='654321'), device_id=DEVICE))
    out = run_main(monkeypatch, capsys, {'host': 'nas.example.com', 'username': 'admin',
                                         'password': 'Adm1n-Secret!', 'otp_code': '654321',
                                         'request_device_token': True}, script)
    script.done()
    assert out['changed'] is False
    assert out['session'] == {'sid': SID, 'synotoken': SYNOTOKEN, 'device_id': DEVICE}
    assert 'Adm1n-Secret!' not in json.dumps(out)


def test_module_logout(monkeypatch, capsys):
    script = Script(Expect.logout().inspect(with_sid(GIVEN['sid'], GIVEN['synotoken'])))
    out = run_main(monkeypatch, capsys, {'host': 'nas.example.com', 'state': 'absent', 'session': GIVEN}, script)
    script.done()
    assert out['changed'] is False
    assert out['logged_out'] is True
