# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Sessions and two-factor authentication in real ansible-playbook runs against the DSM emulator.

The emulator's counters (logins, failed_logins, logouts, requests, open_sessions) and its request
log show what each play cost on the NAS. examples/sessions.yml runs here as it is shipped.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml

from harness import inventory_for, run_playbook

REPO = Path(__file__).resolve().parent.parent.parent
EXAMPLE = REPO / 'examples' / 'sessions.yml'

ADMIN = ('admin', 'Adm1n-Secret!')
OTP_USER = ('otpadmin', '0tp-Secret!')
SEED = 'JBSWY3DPEHPK3PXP'
AUTH = 'SYNO.API.Auth'

# What examples/sessions.yml reads from the inventory, for the emulator's NAS.
EXAMPLE_HOST_VARS = {'ansible_host': '{{ syno_host }}', 'dsm_port': '{{ syno_port }}', 'dsm_ca_path': '{{ syno_ca }}'}


def connection(username=ADMIN[0], password=ADMIN[1], indent=6, **extra):
    """Connection options as YAML lines (for module_defaults or a task), from the harness's host vars."""
    options = {'host': '{{ syno_host }}', 'port': '{{ syno_port }}', 'ca_path': '{{ syno_ca }}'}
    if username is not None:
        options.update(username=username, password=password)
    options.update(extra)
    pad = ' ' * indent
    return '\n'.join('%s%s: %s' % (pad, key, json.dumps(value)) for key, value in options.items())


def play(tasks, defaults=None, hosts='nas1'):
    """A play on ``hosts`` with ``tasks`` (YAML text at 4 spaces) and optional module_defaults lines."""
    text = '- hosts: %s\n  gather_facts: false\n' % hosts
    if defaults is not None:
        text += '  module_defaults:\n    group/syno.activebackup.dsm:\n%s\n' % defaults
    return text + '  tasks:\n' + tasks


LOGIN_TASK = '''
    - name: login
      syno.activebackup.session:
      register: abb_session
      no_log: true
      check_mode: false
'''

LOGOUT_TASK = '''
    - name: logout
      syno.activebackup.session:
        state: absent
      check_mode: false
'''

SESSION_DEFAULT = '\n      session: "{{ abb_session.session | default(omit) }}"'


def stats(nas, index=0):
    return nas.control(index).stats()


def auth_entries(nas, method='login', index=0):
    return [e for e in nas.control(index).log() if e['api'] == AUTH and e['method'] == method]


def code_not_valid_now():
    """A 6-digit code that is valid in no window near now (the emulator accepts this one and the previous)."""
    import base64
    import hashlib
    import hmac
    import struct

    key = base64.b32decode(SEED)
    valid = set()
    now = int(time.time() // 30)
    for counter in (now - 1, now, now + 1):
        digest = hmac.new(key, struct.pack('>Q', counter), hashlib.sha1).digest()
        offset = digest[-1] & 0x0F
        valid.add(str((struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1000000).zfill(6))
    return next(candidate for candidate in ('000000', '111111', '222222', '333333') if candidate not in valid)


# -- the example playbook and the cost of a play ----------------------------------------------


def example_without_session():
    """examples/sessions.yml turned into per-task logins: the same five module tasks, no session."""
    plays = yaml.safe_load(EXAMPLE.read_text())
    (example,) = plays
    defaults = example['module_defaults']['group/syno.activebackup.dsm']
    del defaults['session']
    block = next(task for task in example['tasks'] if 'block' in task)
    example['tasks'] = block['block']
    return yaml.safe_dump(plays, sort_keys=False)


MODULE_ACTIONS = ('syno.activebackup.facts', 'syno.activebackup.share_info', 'syno.activebackup.storage_info',
                  'syno.activebackup.volume_info', 'syno.activebackup.file_info')


def module_tasks(run, host):
    return [r for r in run.for_host(host) if r['action'] in MODULE_ACTIONS]


def test_example_playbook_makes_one_login_per_nas(nas):
    run = run_playbook(EXAMPLE, inventory=inventory_for(nas, extra_host_vars=EXAMPLE_HOST_VARS),
                       extra_vars={'dsm_username': ADMIN[0], 'dsm_password': ADMIN[1]})
    run.assert_success()
    for index, name in enumerate(('nas1', 'nas2', 'nas3')):
        assert [r['status'] for r in module_tasks(run, name)] == ['ok'] * 5
        counters = stats(nas, index)
        # login, one request for each of the five module tasks, logout
        assert (counters['logins'], counters['logouts'], counters['requests']) == (1, 1, 7), counters
        assert counters['open_sessions'] == 0
        assert counters['failed_logins'] == 0
        # every request between login and logout ran in the one session of the play
        sessions = set(e['session'] for e in nas.control(index).log() if e['api'] != AUTH)
        assert len(sessions) == 1
    summary = run.result('Summary', host='nas1')['result']['msg']
    assert summary[0].startswith('default destination: ActiveBackupforBusiness')
    # The login task's result is censored (no_log): the session never reaches the output.
    assert run.result('Log in once', host='nas1')['result'].get('censored')
    login_sid_shown = [line for line in run.stdout.splitlines() if '"sid"' in line]
    assert login_sid_shown == []


def test_per_task_login_costs_a_login_per_task(nas, capsys):
    """The same five tasks without a session: what the session saves (figures for the guide)."""
    run = run_playbook(example_without_session(), inventory=inventory_for(nas, names=['nas1'],
                                                                          extra_host_vars=EXAMPLE_HOST_VARS),
                       extra_vars={'dsm_username': ADMIN[0], 'dsm_password': ADMIN[1]})
    run.assert_success()
    assert [r['status'] for r in module_tasks(run, 'nas1')] == ['ok'] * 5
    per_task = stats(nas)
    assert (per_task['logins'], per_task['logouts'], per_task['requests']) == (5, 5, 15), per_task
    with capsys.disabled():
        print('\nper-task login, 5 module tasks on one NAS: logins %d, logouts %d, HTTP requests %d'
              % (per_task['logins'], per_task['logouts'], per_task['requests']))


def test_three_tasks_sharing_one_session_make_one_login(nas):
    tasks = LOGIN_TASK + ''.join('''
    - name: read %d
      syno.activebackup.share_info:
''' % i for i in range(3)) + LOGOUT_TASK
    run = run_playbook(play(tasks, connection() + SESSION_DEFAULT), inventory=inventory_for(nas))
    run.assert_success()
    counters = stats(nas)
    assert counters['logins'] == 1
    assert counters['logouts'] == 1
    assert counters['requests'] == 5
    assert counters['open_sessions'] == 0
    assert run.result('logout')['result']['logged_out'] is True
    assert run.result('logout')['status'] == 'ok'


def test_session_result_and_every_module_accepts_session(nas):
    """The session module's result, and every module of the collection working on it alone."""
    tasks = '''
    - name: login
      syno.activebackup.session:
%s
      register: abb_session

    - name: facts
      syno.activebackup.facts:
        session: "{{ abb_session.session }}"
%s
    - name: share_info
      syno.activebackup.share_info:
        session: "{{ abb_session.session }}"
%s
    - name: storage_info
      syno.activebackup.storage_info:
        session: "{{ abb_session.session }}"
%s
    - name: volume_info
      syno.activebackup.volume_info:
        session: "{{ abb_session.session }}"
%s
    - name: file_info
      syno.activebackup.file_info:
        root_path: /volume1/ActiveBackupforBusiness
        session: "{{ abb_session.session }}"
%s
    - name: directory
      syno.activebackup.directory:
        paths: [/volume1/ActiveBackupforBusiness/exports/2024]
        session: "{{ abb_session.session }}"
%s
    - name: storage
      syno.activebackup.storage:
        share_name: ActiveBackupforBusiness
        state: present
        session: "{{ abb_session.session }}"
%s
    - name: logout
      syno.activebackup.session:
        state: absent
        session: "{{ abb_session.session }}"
%s
''' % ((connection(indent=8),) + (connection(username=None, indent=8),) * 8)
    run = run_playbook(play(tasks), inventory=inventory_for(nas))
    run.assert_success()
    login = run.result('login')
    assert login['status'] == 'ok'
    session = login['result']['session']
    assert sorted(session) == ['sid', 'synotoken']
    assert len(session['sid']) > 20 and session['synotoken']
    for name in ('facts', 'share_info', 'storage_info', 'volume_info', 'file_info', 'directory', 'storage'):
        result = run.result(name)
        assert result['status'] == 'ok', result
        # the given session is a no_log option: masked in the invocation
        assert session['sid'] not in json.dumps(result['result'])
    counters = stats(nas)
    assert counters['logins'] == 1
    assert counters['logouts'] == 1
    assert counters['writes'] == 0


# -- expired sessions -------------------------------------------------------------------------


def expire_task(how='expire_sessions', code=119):
    """A task that ends every session on the NAS through the emulator's control API.

    ``expire_sessions``: the next request of a session answers ``code`` (idle timeout, 106; another
    sign-in, 107; 119). ``drop_sessions``: DSM forgets every session (a restart; 119).
    """
    endpoint, body = ('faults', '{expire_sessions: %d}' % code) if how == 'expire_sessions' else (how, '{}')
    return '''
    - name: end every session (emulator control API)
      ansible.builtin.uri:
        url: "https://{{ syno_host }}:{{ syno_port }}/_emulator/%s"
        method: POST
        body_format: json
        body: %s
        ca_path: "{{ syno_ca }}"
        use_proxy: false
''' % (endpoint, body)


EXPIRE_TASK = expire_task()


@pytest.mark.parametrize('how, code', [('expire_sessions', 106), ('expire_sessions', 107),
                                       ('expire_sessions', 119), ('drop_sessions', 119)])
def test_expired_session_with_credentials_logs_in_once_and_warns(nas, how, code):
    tasks = LOGIN_TASK + expire_task(how, code) + '''
    - name: read after expiry
      syno.activebackup.share_info:
      register: shares
''' + LOGOUT_TASK
    run = run_playbook(play(tasks, connection() + SESSION_DEFAULT), inventory=inventory_for(nas))
    run.assert_success()
    read = run.result('read after expiry')
    assert read['status'] == 'ok'
    assert read['result']['default_share'] == 'ActiveBackupforBusiness'
    assert any('logged in again' in w and 'error %d' % code in w for w in read['warnings']), read['warnings']
    counters = stats(nas)
    # the play's login and one fresh login by the task; the task logged its own session out
    assert counters['logins'] == 2
    assert counters['failed_logins'] == 0
    assert counters['open_sessions'] == 0
    # logging out the expired session is no error and no login
    logout = run.result('logout')
    assert logout['status'] == 'ok'
    assert 'failed' not in logout['result']


def test_expired_session_without_credentials_fails_saying_so(nas):
    tasks = '''
    - name: login
      syno.activebackup.session:
%s
      register: abb_session
      no_log: true
''' % connection(indent=8) + EXPIRE_TASK + '''
    - name: read after expiry
      syno.activebackup.share_info:
%s
        session: "{{ abb_session.session }}"
      ignore_errors: true
''' % connection(username=None, indent=8)
    run = run_playbook(play(tasks), inventory=inventory_for(nas))
    run.assert_success()
    read = run.result('read after expiry')
    assert read['status'] == 'failed'
    msg = read['result']['msg']
    assert 'expired' in msg and 'no username and password' in msg, msg
    assert stats(nas)['logins'] == 1


# -- two-factor authentication ------------------------------------------------------------------


def wait_for_fresh_window(margin=12):
    """Sleep into a TOTP window with at least ``margin`` seconds of it left."""
    left = 30 - time.time() % 30
    if left < margin:
        time.sleep(left + 0.5)


def test_two_otp_secret_tasks_in_one_window_both_succeed(nas):
    tasks = '''
    - name: first
      syno.activebackup.share_info:

    - name: second
      syno.activebackup.share_info:
'''
    wait_for_fresh_window()
    run = run_playbook(play(tasks, connection(*OTP_USER, otp_secret=SEED)), inventory=inventory_for(nas))
    run.assert_success()
    assert run.result('first')['status'] == 'ok'
    assert run.result('second')['status'] == 'ok'
    counters = stats(nas)
    # the second task's first code was this window's, already used: one 404, one wait, one login
    assert counters['logins'] == 2
    assert counters['failed_logins'] == 1
    logins = auth_entries(nas)
    assert [e['code'] for e in logins] == [None, 404, None]
    assert int(logins[0]['time'] // 30) == int(logins[1]['time'] // 30)
    assert int(logins[2]['time'] // 30) == int(logins[1]['time'] // 30) + 1


def test_one_session_with_otp_secret_is_one_code(nas):
    run = run_playbook(EXAMPLE, inventory=inventory_for(nas, names=['nas1'], extra_host_vars=EXAMPLE_HOST_VARS),
                       extra_vars={'dsm_username': OTP_USER[0], 'dsm_password': OTP_USER[1],
                                   'dsm_otp_secret': SEED})
    run.assert_success()
    counters = stats(nas)
    assert (counters['logins'], counters['failed_logins'], counters['logouts']) == (1, 0, 1)


def test_device_token_is_issued_once_and_skips_the_code(nas):
    tasks = '''
    - name: ask for a device token
      syno.activebackup.session:
%s
        otp_secret: %s
        device_name: ci-controller
        request_device_token: true
      register: abb_token

    - name: log that session out
      syno.activebackup.session:
        state: absent
%s
        session: "{{ abb_token.session }}"

    - name: read with the device token, no code
      syno.activebackup.share_info:
%s
        device_id: "{{ abb_token.session.device_id }}"
        device_name: ci-controller
      register: shares
''' % (connection(*OTP_USER, indent=8), SEED, connection(username=None, indent=8), connection(*OTP_USER, indent=8))
    run = run_playbook(play(tasks), inventory=inventory_for(nas))
    run.assert_success()
    token = run.result('ask for a device token')['result']['session']
    assert sorted(token) == ['device_id', 'sid', 'synotoken']
    assert run.result('read with the device token, no code')['status'] == 'ok'
    logins = auth_entries(nas)
    assert len(logins) == 2
    first, second = (e['params'] for e in logins)
    assert first.get('otp_code') and first.get('enable_device_token') == 'yes'
    assert 'otp_code' not in second and second.get('device_id') and second.get('device_name') == 'ci-controller'
    counters = stats(nas)
    assert (counters['logins'], counters['failed_logins']) == (2, 0)


def test_without_a_second_factor_the_login_names_the_options(nas):
    tasks = '''
    - name: login
      syno.activebackup.session:
      ignore_errors: true
'''
    run = run_playbook(play(tasks, connection(*OTP_USER)), inventory=inventory_for(nas))
    run.assert_success()
    result = run.result('login')
    assert result['status'] == 'failed'
    assert 'error 403' in result['result']['msg']
    assert 'otp_code, otp_secret or device_id' in result['result']['msg']
    assert stats(nas)['failed_logins'] == 1


def test_a_wrong_code_fails_after_one_attempt(nas):
    wrong = code_not_valid_now()
    tasks = '''
    - name: login
      syno.activebackup.session:
        otp_code: "%s"
      ignore_errors: true
''' % wrong
    run = run_playbook(play(tasks, connection(*OTP_USER)), inventory=inventory_for(nas))
    run.assert_success()
    result = run.result('login')
    assert result['status'] == 'failed'
    assert 'error 404' in result['result']['msg']
    assert wrong not in result['result']['msg']
    counters = stats(nas)
    assert (counters['failed_logins'], counters['logins']) == (1, 0)
    assert len(auth_entries(nas)) == 1


def test_wrong_password_is_not_retried_and_auto_block_is_explained(nas):
    nas.control(0).faults(autoblock='1:60:300')
    tasks = '''
    - name: wrong password
      syno.activebackup.share_info:
      ignore_errors: true

    - name: right password, blocked address
      syno.activebackup.share_info:
        password: "%s"
      ignore_errors: true
''' % ADMIN[1]
    run = run_playbook(play(tasks, connection(password='not-the-password')), inventory=inventory_for(nas))
    run.assert_success()
    wrong = run.result('wrong password')
    assert wrong['status'] == 'failed'
    assert 'error 400' in wrong['result']['msg']
    assert 'not-the-password' not in json.dumps(wrong['result'])
    blocked = run.result('right password, blocked address')
    assert blocked['status'] == 'failed'
    msg = blocked['result']['msg']
    assert 'error 407' in msg
    assert 'Auto Block' in msg and 'Control Panel > Security > Protection' in msg
    # one attempt per task: nothing retried
    assert [e['code'] for e in auth_entries(nas)] == [400, 407]
    assert stats(nas)['logins'] == 0


@pytest.mark.parametrize('check', [False, True])
def test_session_pattern_under_check_mode(nas, check):
    """The login and logout tasks run under --check too, so the reads between them work."""
    tasks = LOGIN_TASK + '''
    - name: read
      syno.activebackup.volume_info:
      register: volumes
''' + LOGOUT_TASK
    run = run_playbook(play(tasks, connection() + SESSION_DEFAULT), inventory=inventory_for(nas), check=check)
    run.assert_success()
    assert run.result('read')['result']['volumes']
    counters = stats(nas)
    assert (counters['logins'], counters['logouts'], counters['requests']) == (1, 1, 3)
    assert all(r['status'] == 'ok' for r in run.results)


def test_session_given_as_text_stays_hidden_at_vvv(nas, tmp_path):
    """A session passed as text (JSON, or sid=... synotoken=...) is masked once parsed, on both task paths."""
    saved = tmp_path / 'session.json'
    tasks = LOGIN_TASK + '''
    - name: keep the session for the test
      ansible.builtin.copy:
        content: "{{ abb_session.session | to_json }}"
        dest: "%s"
        mode: "0600"
      no_log: true
      delegate_to: localhost

    - name: session as JSON text, in the controller's worker
      syno.activebackup.file_info:
        root_path: /volume1/ActiveBackupforBusiness/no-such-dir
        session: "{{ abb_session.session | to_json }}"
      register: as_json
      ignore_errors: true

    - name: session as key=value text, as a module (async)
      syno.activebackup.share_info:
        session: "sid={{ abb_session.session.sid }} synotoken={{ abb_session.session.synotoken }}"
      async: 30
      poll: 1
      register: as_pairs
''' % saved + LOGOUT_TASK
    run = run_playbook(play(tasks, connection() + SESSION_DEFAULT), inventory=inventory_for(nas), verbosity=3)
    run.assert_success()
    session = json.loads(saved.read_text())
    secrets = [session['sid'], session['synotoken']]
    assert all(len(value) >= 8 for value in secrets)
    assert run.result('session as JSON text, in the controller\'s worker')['status'] == 'failed'
    assert 'error 408' in run.result('session as JSON text, in the controller\'s worker')['result']['msg']
    assert run.result('session as key=value text, as a module (async)')['status'] == 'ok'
    shown = run.stdout + run.stderr + json.dumps([r for r in run.results if r['task'] != 'login'])
    for value in secrets:
        assert value not in shown
    for name in ('session as JSON text, in the controller\'s worker', 'session as key=value text, as a module (async)'):
        invocation = run.result(name)['result'].get('invocation', {}).get('module_args', {})
        assert invocation.get('session') in ({'sid': 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER',
                                              'synotoken': 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'}, None), invocation
    assert stats(nas)['logins'] == 1 and stats(nas)['open_sessions'] == 0
