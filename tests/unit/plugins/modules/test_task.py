# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""syno.activebackup.task: the exact HTTP exchange of every branch, and its bad input."""

from __future__ import annotations

import copy
import json

import pytest

from ansible_collections.syno.activebackup.plugins.module_utils._op_task import TASK
from ansible_collections.syno.activebackup.plugins.module_utils._runner import execute

from ansible_collections.syno.activebackup.tests.unit.plugins.module_utils.scripted import (
    PASSWORD,
    Clock,
    Expect,
    Script,
)

TASK_API = 'SYNO.ActiveBackup.Task'
HOST = 'nas.example.com'
AGENT_TOKEN = 'AGENT-TOKEN-0123456789'
LOGIN_PASSWORD = 'LOGIN-PASSWORD-0123456789'


def device(device_id, host_name, status='online'):
    return {'device_id': device_id, 'host_name': host_name, 'agent_status': status, 'backup_type': 2,
            'agent_token': AGENT_TOKEN, 'login_password': LOGIN_PASSWORD, 'mssql_user': 'sa'}


def result(result_id, status, success=2, warning=0, error=0, none=0, task_id=1):
    return {'result_id': result_id, 'task_id': task_id, 'task_name': 'Office-PCs', 'backup_type': 2, 'job_action': 1,
            'status': status, 'time_start': 1111110000 + result_id, 'time_end': 1111110600 + result_id,
            'success_count': success, 'warning_count': warning, 'error_count': error, 'none_count': none,
            'transfered_bytes': 123456789, 'detail_path': ''}


def task(task_id=1, name='Office-PCs', last=None, running=False, devices=None, percentage=0.4):
    entry = {'task_id': task_id, 'task_name': name, 'backup_type': 2, 'share_name': 'ActiveBackupforBusiness',
             'storage_id': 1, 'device_count': 2, 'next_trigger_time': 0, 'allow_manual_backup': True,
             'devices': devices if devices is not None else [device(1, 'OFFICE-PC-01'), device(2, 'OFFICE-PC-02')],
             'last_result': last}
    if running:
        entry['progress'] = {'running_task_status': 1, 'percentage': percentage, 'transfered_bytes': 1000,
                             'total_bytes': 5000, 'pid': 4242}
    return entry


IDLE = task(last=result(180, 2))
RUNNING = task(last=result(180, 2), running=True)
OTHER = task(task_id=2, name='Design-Workstations', last=result(21, 3))
LIST_ALL = {'load_status': True, 'load_result': True, 'load_devices': True, 'offset': 0, 'limit': 500}
LIST_ONE = dict(LIST_ALL, filter={'task_id': 1})


def list_all(*tasks):
    return Expect(TASK_API, 'list', params=LIST_ALL, version=1).answer({'tasks': list(tasks), 'total': len(tasks)})


def list_one(entry):
    tasks = [entry] if entry is not None else []
    return Expect(TASK_API, 'list', params=LIST_ONE, version=1).answer({'tasks': tasks, 'total': len(tasks)})


def backup():
    return Expect(TASK_API, 'backup', params={'task_ids': [1], 'trigger_type': 1}, version=1)


def cancel():
    return Expect(TASK_API, 'cancel', params={'task_ids': [1]}, version=1)


def options(**kwargs):
    base = dict(name='Office-PCs', task_id=None, state='started', wait=False, wait_timeout=3600)
    base.update(kwargs)
    return base


def run(params, opts, *expected, **kwargs):
    clock = kwargs.pop('clock', None) or Clock()
    script = Script(*expected)
    outcome = execute(TASK, params(**opts), transport=script, sleep=clock.sleep, clock=clock, **kwargs)
    script.done()
    assert script.closed
    text = json.dumps(outcome)
    for secret in (PASSWORD, AGENT_TOKEN, LOGIN_PASSWORD):
        assert secret not in text
    return outcome, script, clock


def methods(script):
    return [r.form['method'] for r in script.requests]


# -- state=started -----------------------------------------------------------------------------------

def test_start_by_name_sends_one_backup_and_reads_again(params):
    out, script, clock = run(params, options(), Expect.login(), list_all(IDLE, OTHER), backup().answer(),
                             list_one(RUNNING), Expect.logout(), diff=True)
    assert out['changed'] is True
    assert out['task']['running'] is True
    assert out['task']['progress']['running_task_status_name'] == 'running'
    assert 'result' not in out
    assert out['diff'] == {'before': {'task_id': 1, 'task_name': 'Office-PCs', 'running': False},
                           'after': {'task_id': 1, 'task_name': 'Office-PCs', 'running': True}}
    assert 'agent_token' not in out['task']['devices'][0] and 'login_password' not in out['task']['devices'][0]
    assert clock.sleeps == []


def test_start_by_task_id_filters_on_the_nas(params):
    out, script, clock = run(params, options(name=None, task_id=1), Expect.login(), list_one(IDLE), backup().answer(),
                             list_one(RUNNING), Expect.logout())
    assert out['changed'] is True and out['task']['task_id'] == 1


def test_running_task_is_never_started_twice(params):
    out, script, clock = run(params, options(), Expect.login(), list_all(RUNNING, OTHER), Expect.logout(), diff=True)
    assert out['changed'] is False
    assert 'backup' not in methods(script)
    assert out['task']['running'] is True
    assert out['diff']['before'] == out['diff']['after']


def test_wait_until_the_run_ends_with_success(params):
    out, script, clock = run(params, options(wait=True), Expect.login(), list_all(IDLE), backup().answer(),
                             list_one(RUNNING), list_one(task(last=result(180, 2), running=True, percentage=0.9)),
                             list_one(task(last=result(181, 2))), Expect.logout())
    assert out['changed'] is True
    assert out['result']['result_id'] == 181 and out['result']['status_name'] == 'success'
    assert out['task']['running'] is False and out['task']['last_result'] == out['result']
    # 2 s, then doubling: no busy loop
    assert clock.sleeps == [2.0, 4.0, 8.0]
    assert 'warnings' not in out


def test_wait_ignores_an_idle_read_with_the_old_result(params):
    """Not running yet (queued) and the result before the start: not the end of the run."""
    out, script, clock = run(params, options(wait=True), Expect.login(), list_all(IDLE), backup().answer(),
                             list_one(IDLE), list_one(RUNNING), list_one(task(last=result(181, 2))), Expect.logout())
    assert out['result']['result_id'] == 181


def test_wait_interval_is_capped_at_30_seconds(params):
    polls = [list_one(RUNNING) for dummy in range(6)] + [list_one(task(last=result(181, 2)))]
    out, script, clock = run(params, options(wait=True), Expect.login(), list_all(IDLE), backup().answer(), *polls,
                             Expect.logout())
    assert clock.sleeps == [2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]


def test_wait_partial_warns(params):
    out, script, clock = run(params, options(wait=True), Expect.login(), list_all(IDLE), backup().answer(),
                             list_one(task(last=result(181, 3, success=1, warning=1))), Expect.logout())
    assert out['changed'] is True and out['result']['status_name'] == 'partial'
    assert len(out['warnings']) == 1
    warning = out['warnings'][0]
    for part in ('Office-PCs (task_id 1)', HOST, 'ended partial (status 3', 'success 1, warning 1, error 0, none 0',
                 'syno.activebackup.log_info'):
        assert part in warning, warning


@pytest.mark.parametrize('status,name', [(4, 'failed'), (5, 'cancelled')])
def test_wait_failed_or_cancelled_fails(params, status, name):
    ended = result(181, status, success=0, error=2 if status == 4 else 0, none=2 if status == 5 else 0)
    out, script, clock = run(params, options(wait=True), Expect.login(), list_all(IDLE), backup().answer(),
                             list_one(task(last=ended)), Expect.logout())
    assert out['failed'] is True
    msg = out['msg']
    for part in ('The backup of task Office-PCs (task_id 1) on %s ended %s (status %s;' % (HOST, name, status),
                 'success 0, warning 0, error %d, none %d' % (ended['error_count'], ended['none_count'])):
        assert part in msg, msg
    assert out['error']['details']['result']['status_name'] == name
    assert out['error']['host'] == HOST and out['error']['api'] == TASK_API


def test_wait_timeout_fails_with_the_last_state(params):
    out, script, clock = run(params, options(wait=True, wait_timeout=5), Expect.login(), list_all(IDLE),
                             backup().answer(), list_one(RUNNING), list_one(RUNNING), Expect.logout())
    assert out['failed'] is True
    # the last read is made at the deadline, not after it
    assert clock.sleeps == [2.0, 3.0]
    for part in ('still going after wait_timeout (5 seconds)', 'running, 40 % done', 'run this task again to wait',
                 'never started twice'):
        assert part in out['msg'], out['msg']


def test_wait_for_a_run_that_was_already_going(params):
    out, script, clock = run(params, options(wait=True), Expect.login(), list_all(RUNNING), list_one(RUNNING),
                             list_one(task(last=result(181, 2))), Expect.logout())
    assert out['changed'] is False
    assert 'backup' not in methods(script)
    assert out['result']['result_id'] == 181


def test_session_expiry_during_the_wait_logs_in_again_and_waits_on(params):
    out, script, clock = run(params, options(wait=True), Expect.login(), list_all(IDLE), backup().answer(),
                             list_one(RUNNING), Expect(TASK_API, 'list', params=LIST_ONE).error(119),
                             Expect.login(sid='sid-second-login-0001'), list_one(task(last=result(181, 2))),
                             Expect.logout())
    assert out['changed'] is True and out['result']['status_name'] == 'success'
    assert methods(script).count('backup') == 1


def test_a_lost_poll_is_retried_by_the_client(params):
    out, script, clock = run(params, options(wait=True), Expect.login(), list_all(IDLE), backup().answer(),
                             Expect(TASK_API, 'list', params=LIST_ONE).fail('io', 'connection lost', sent=True),
                             list_one(task(last=result(181, 2))), Expect.logout())
    assert out['result']['result_id'] == 181
    assert clock.sleeps == [2.0, 0.5]


def test_nas_restarting_during_the_wait_reports_the_last_state_not_a_success(params):
    down = [Expect(TASK_API, 'list', params=LIST_ONE).fail('connect', 'cannot connect: Connection refused')
            for dummy in range(4)]
    out, script, clock = run(params, options(wait=True), Expect.login(), list_all(IDLE), backup().answer(),
                             list_one(RUNNING), *down, Expect.logout())
    assert out['failed'] is True
    msg = out['msg']
    for part in ('Waiting for the backup of task Office-PCs (task_id 1) on %s to end' % HOST, 'Connection refused',
                 'Still failing after 3 retries', 'Last state read', 'running, 40 % done',
                 'The outcome of the run was not seen', 'syno.activebackup.task_info'):
        assert part in msg, msg
    assert 'result' not in out
    assert out['error']['details']['last_seen']['running'] is True


def test_check_mode_start_sends_no_write(params):
    out, script, clock = run(params, options(wait=True), Expect.login(), list_all(IDLE), Expect.logout(),
                             check_mode=True, diff=True)
    assert out['changed'] is True
    assert methods(script) == ['login', 'list', 'logout']
    assert out['task']['running'] is True
    assert out['diff']['before']['running'] is False and out['diff']['after']['running'] is True
    assert out['result'] is None


def test_check_mode_start_of_a_running_task_is_no_change(params):
    out, script, clock = run(params, options(wait=True), Expect.login(), list_all(RUNNING), Expect.logout(),
                             check_mode=True)
    assert out['changed'] is False and clock.sleeps == []


# -- refusals of Task.backup ---------------------------------------------------------------------------

@pytest.mark.parametrize('code,parts', [
    (5001, ['error 5001 (The device is offline)', 'offline device: OFFICE-PC-02', 'Start the device']),
    (1104, ['error 1104 (Outside the backup window of the task)', 'Backup window', 'widen the window']),
    (1105, ['error 1105 (Outside the backup window of the task)', 'Backup window']),
    (1011, ['error 1011 (No permission on the task)', 'administrators group']),
    (1001, ['error 1001 (Internal error of Active Backup for Business)']),
    (105, ['error 105 (The logged in session does not have permission)', 'administrators group in DSM']),
])
def test_refusals_name_code_meaning_and_hint(params, code, parts):
    before = task(last=result(180, 2), devices=[device(1, 'OFFICE-PC-01'), device(2, 'OFFICE-PC-02', 'offline')])
    out, script, clock = run(params, options(), Expect.login(), list_all(before), backup().error(code), Expect.logout())
    assert out['failed'] is True
    assert ('SYNO.ActiveBackup.Task.backup on %s refused to start the backup of task Office-PCs (task_id 1)' % HOST) in out['msg']
    for part in parts:
        assert part in out['msg'], out['msg']
    assert out['error']['code'] == code and out['error']['method'] == 'backup'
    assert methods(script).count('backup') == 1


def test_no_such_task_on_backup_lists_the_tasks_now(params):
    out, script, clock = run(params, options(), Expect.login(), list_all(IDLE, OTHER), backup().error(1010),
                             list_all(OTHER), Expect.logout())
    assert 'error 1010 (No such task)' in out['msg']
    assert 'the tasks of %s are now: Design-Workstations' % HOST in out['msg']


def test_batch_error_names_the_code_of_the_task(params):
    out, script, clock = run(params, options(), Expect.login(), list_all(IDLE),
                             backup().error(1009, errors=[{'task_id': 1, 'code': 1011}]), Expect.logout())
    assert out['failed'] is True
    for part in ('error 1009 (Some of the tasks failed (batch error))', 'for this task: error 1011',
                 'administrators group'):
        assert part in out['msg'], out['msg']


@pytest.mark.parametrize('code', [4007, 4005])
def test_busy_on_start_because_it_started_elsewhere_is_no_change(params, code):
    out, script, clock = run(params, options(), Expect.login(), list_all(IDLE), backup().error(code),
                             list_one(RUNNING), Expect.logout())
    assert out['changed'] is False and out['task']['running'] is True
    assert len(out['warnings']) == 1 and 'started elsewhere' in out['warnings'][0]
    assert 'error %d' % code in out['warnings'][0]


@pytest.mark.parametrize('code,part', [(4005, 'Another backup conflicts'), (4007, 'never runs two at once')])
def test_busy_on_start_with_the_task_idle_fails(params, code, part):
    out, script, clock = run(params, options(), Expect.login(), list_all(IDLE), backup().error(code),
                             list_one(IDLE), Expect.logout())
    assert out['failed'] is True and 'error %d' % code in out['msg'] and part in out['msg']


@pytest.mark.parametrize('failure', ['lost', 'busy'])
def test_a_start_whose_answer_was_lost_is_never_sent_again(params, failure):
    sent = backup().fail('io', 'connection lost', sent=True) if failure == 'lost' else backup().error(117)
    out, script, clock = run(params, options(wait=True), Expect.login(), list_all(IDLE), sent, Expect.logout())
    assert out['failed'] is True
    assert methods(script).count('backup') == 1
    for part in ('outcome is unknown', 'may or may not have been started', 'It was not sent again',
                 'syno.activebackup.task_info', 'run this task again',
                 'never starts a second run while one is going'):
        assert part in out['msg'], out['msg']
    assert out['error']['method'] == 'backup'


def test_no_such_task_lists_the_names(params):
    out, script, clock = run(params, options(name='office-pcs'), Expect.login(), list_all(IDLE, OTHER), Expect.logout())
    assert out['failed'] is True
    assert "No backup task named 'office-pcs' on %s; its tasks are: Design-Workstations, Office-PCs" % HOST in out['msg']


# -- state=stopped -------------------------------------------------------------------------------------

def test_stop_cancels_a_running_backup(params):
    out, script, clock = run(params, options(state='stopped'), Expect.login(), list_all(RUNNING), cancel().answer(),
                             list_one(task(last=result(181, 5))), Expect.logout(), diff=True)
    assert out['changed'] is True and out['task']['running'] is False
    assert out['diff']['before']['running'] is True and out['diff']['after']['running'] is False
    assert 'result' not in out


def test_stop_with_wait_waits_until_not_running(params):
    out, script, clock = run(params, options(state='stopped', wait=True), Expect.login(), list_all(RUNNING),
                             cancel().answer(), list_one(RUNNING), list_one(task(last=result(181, 5, none=2))),
                             Expect.logout())
    assert out['changed'] is True and 'failed' not in out
    assert out['result']['status_name'] == 'cancelled'
    assert clock.sleeps == [2.0, 4.0]


def test_stop_idle_task_is_unchanged(params):
    out, script, clock = run(params, options(state='stopped', wait=True), Expect.login(), list_all(IDLE),
                             Expect.logout())
    assert out['changed'] is False and 'cancel' not in methods(script)


def test_check_mode_stop_sends_no_cancel(params):
    out, script, clock = run(params, options(state='stopped'), Expect.login(), list_all(RUNNING), Expect.logout(),
                             check_mode=True, diff=True)
    assert out['changed'] is True and methods(script) == ['login', 'list', 'logout']
    assert out['task']['running'] is False and 'progress' not in out['task']


def test_a_cancel_whose_answer_was_lost_is_never_sent_again(params):
    out, script, clock = run(params, options(state='stopped'), Expect.login(), list_all(RUNNING),
                             cancel().fail('timeout', 'no answer within 60 seconds', sent=True), Expect.logout())
    assert out['failed'] is True and methods(script).count('cancel') == 1
    for part in ('outcome is unknown', 'may or may not have been cancelled', 'syno.activebackup.task_info'):
        assert part in out['msg'], out['msg']


def test_cancel_refused_without_permission(params):
    out, script, clock = run(params, options(state='stopped'), Expect.login(), list_all(RUNNING), cancel().error(1011),
                             Expect.logout())
    assert 'refused to cancel the backup of task Office-PCs' in out['msg'] and 'error 1011' in out['msg']


def test_a_task_deleted_while_waiting(params):
    out, script, clock = run(params, options(wait=True), Expect.login(), list_all(IDLE), backup().answer(),
                             list_one(None), Expect.logout())
    assert out['failed'] is True and 'no longer listed' in out['msg']


# -- bad input: refused before any request ---------------------------------------------------------------

@pytest.mark.parametrize('opts,part', [
    (dict(name='Office-PCs', task_id=1), 'give name or task_id, not both'),
    (dict(name=None, task_id=None), 'give name (the name of the backup task) or task_id'),
    (dict(name=''), 'name must be a non-empty name'),
    (dict(name='   '), 'name must be a non-empty name'),
    (dict(name='a\nb'), 'control character'),
    (dict(name=None, task_id=0), 'task_id must be between 1 and'),
    (dict(name=None, task_id=-3), 'task_id must be between 1 and'),
    (dict(wait_timeout=0), 'wait_timeout must be at least 1 second'),
    (dict(wait_timeout=-10), 'wait_timeout must be at least 1 second'),
    (dict(wait_timeout=10 ** 30), 'wait_timeout must be between 1 and 604800'),
    (dict(wait_timeout=604801), 'wait_timeout must be between 1 and 604800'),
    (dict(wait_timeout='soon'), 'wait_timeout must be a whole number'),
    (dict(state='running'), 'state must be started or stopped'),
])
def test_bad_input_is_refused_before_any_request(params, opts, part):
    script = Script()
    out = execute(TASK, params(**options(**opts)), transport=script)
    assert out['failed'] is True
    assert part in out['msg'], out['msg']
    assert script.requests == []


def test_operation_spec_makes_name_and_task_id_exclusive_and_one_required():
    assert ('name', 'task_id') in TASK.mutually_exclusive
    assert ('name', 'task_id') in [tuple(item) for item in TASK.required_one_of]
    spec = copy.deepcopy(TASK.argument_spec)
    assert spec['state']['choices'] == ['started', 'stopped'] and spec['state']['required'] is True
    assert spec['wait']['default'] is False and spec['wait_timeout']['default'] == 3600
