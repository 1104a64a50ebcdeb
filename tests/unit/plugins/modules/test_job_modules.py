# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""task_info, device_info, version_info, result_info, log_info and api_info: the exact HTTP exchange
(every request in order, with its parameters) and the results."""

from __future__ import annotations

import json

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.syno.activebackup.plugins.module_utils import _client
from ansible_collections.syno.activebackup.plugins.module_utils._op_api import API_INFO, check_patterns, info_query
from ansible_collections.syno.activebackup.plugins.module_utils._op_jobs import (
    DEVICE_INFO,
    LOG_INFO,
    RESULT_INFO,
    TASK_INFO,
    VERSION_INFO,
)
from ansible_collections.syno.activebackup.plugins.module_utils._runner import execute
from ansible_collections.syno.activebackup.plugins.modules import task_info as task_info_module

from ansible_collections.syno.activebackup.tests.unit.plugins.module_utils.scripted import (
    Clock,
    Expect,
    Script,
    base_params,
)

NOW = 1733280000  # 2024-12-04T02:40:00Z
MIDNIGHT = 1733270400  # 2024-12-04T00:00:00Z
LOAD = {'load_status': True, 'load_result': True, 'load_devices': True}
SECRETS = ['AGENT-TOKEN-4f2a9c', 'LOGIN-PW-Zq81', 'MSSQL-PW-71aa', 'ORACLE-PW-x0x0', 'NESTED-TOKEN-ee12']
GIVEN = {'sid': 'given-sid-0123456789', 'synotoken': 'given-token-0123'}

DEFAULTS = {
    'task_info': dict(name=None, task_id=None, backup_type=None, with_versions=False),
    'device_info': dict(host_name=None, backup_type=None),
    'version_info': dict(task_name=None, task_id=None, limit=None),
    'result_info': dict(task_name=None, task_id=None, status=None, since=None, limit=100),
    'log_info': dict(task_name=None, task_id=None, level=None, keyword=None, since=None, limit=100),
    'api_info': dict(query=['SYNO.ActiveBackup.*']),
}
OPERATIONS = {'task_info': TASK_INFO, 'device_info': DEVICE_INFO, 'version_info': VERSION_INFO,
              'result_info': RESULT_INFO, 'log_info': LOG_INFO, 'api_info': API_INFO}


def run(module, *expected, **options):
    """Run ``module`` with ``options`` on the scripted exchange; every expected request must be made."""
    session = options.pop('_session', None)
    params = base_params(**dict(DEFAULTS[module], **options))
    if session is not None:
        params.update(session=session, username=None, password=None)
    script = Script(*expected, session=session)
    result = execute(OPERATIONS[module], params, transport=script, clock=Clock(NOW + 0.25), sleep=Clock().sleep)
    script.done()
    if script.requests:
        assert script.closed, 'the transport was not closed'
    return result, script


def no_secrets(result):
    text = json.dumps(result)
    for secret in SECRETS:
        assert secret not in text, 'secret %s in the result' % secret
    for key in ('agent_token', 'login_password', 'mssql_password', 'oracle_password'):
        assert '"%s"' % key not in text


def device(device_id, host_name, **extra):
    out = {'device_id': device_id, 'host_name': host_name, 'backup_type': 2, 'agent_status': 'online',
           'mssql_user': 'sa', 'oracle_user': 'system', 'agent_token': SECRETS[0], 'login_password': SECRETS[1],
           'mssql_password': SECRETS[2], 'oracle_password': SECRETS[3],
           'agent_info': {'connection': {'Session_Token': SECRETS[4], 'port': 5510}}}
    out.update(extra)
    return out


def task(task_id, name, **extra):
    out = {'task_id': task_id, 'task_name': name, 'backup_type': 2, 'share_name': 'ActiveBackupforBusiness',
           'devices': [device(task_id * 10, 'host-%d' % task_id)]}
    out.update(extra)
    return out


DEVICE_OUT = {'backup_type': 2, 'backup_type_name': 'pc', 'agent_status': 'online', 'mssql_user': 'sa',
              'oracle_user': 'system', 'agent_info': {'connection': {'port': 5510}}}


# -- task_info -------------------------------------------------------------------------------------------------

def test_task_info_reads_every_task_with_status_results_and_devices():
    tasks = [
        task(1, 'pc-daily', last_result={'result_id': 5, 'status': 2, 'time_end': '1733200000', 'transfered_bytes': '10'},
             progress={'running_task_status': 0, 'pid': 0}),
        task(2, 'never-run'),
        task(3, 'running', last_result=None,
             progress={'running_task_status': 1, 'percentage': 0.5, 'transfered_bytes': '100', 'total_bytes': '200',
                       'pid': '4242'}),
        task(4, 'odd', backup_type=99, last_result={'status': 42}),
    ]
    result, dummy = run('task_info', Expect.login(),
                        Expect.task('list', dict(LOAD, offset=0, limit=500), {'tasks': tasks, 'total': 4}),
                        Expect.logout())
    assert result['changed'] is False
    out = result['tasks']
    assert [t['task_id'] for t in out] == [1, 2, 3, 4]
    assert out[0]['last_result'] == {'result_id': 5, 'status': 2, 'status_name': 'success', 'time_end': 1733200000,
                                     'transfered_bytes': 10}
    assert out[0]['running'] is False and 'progress' not in out[0]
    assert out[1]['last_result'] is None and out[1]['running'] is False
    assert out[2]['running'] is True
    assert out[2]['progress'] == {'running_task_status': 1, 'running_task_status_name': 'running', 'percentage': 0.5,
                                  'transfered_bytes': 100, 'total_bytes': 200, 'pid': 4242}
    assert out[2]['last_result'] is None
    assert out[3]['backup_type_name'] == 'unknown' and out[3]['last_result']['status_name'] == 'unknown'
    assert out[3]['backup_type'] == 99 and out[3]['last_result']['status'] == 42
    assert out[0]['devices'] == [dict(DEVICE_OUT, device_id=10, host_name='host-1')]
    no_secrets(result)


def test_task_info_filters_go_to_the_nas_inside_filter():
    result, dummy = run('task_info', Expect.login(),
                        Expect.task('list', dict(LOAD, load_versions=True, filter={'task_id': 3, 'backup_type': 5},
                                                 offset=0, limit=500),
                                    {'tasks': [task(3, 'nas-weekly', backup_type=5)], 'total': 1}),
                        Expect.logout(),
                        task_id=3, backup_type='nas', with_versions=True)
    assert [t['task_name'] for t in result['tasks']] == ['nas-weekly']
    assert result['tasks'][0]['backup_type_name'] == 'nas'


@pytest.mark.parametrize('backup_type, number', [('vm', 1), ('pc', 2), ('physical_server', 3), ('file_server', 4),
                                                 ('nas', 5)])
def test_task_info_backup_type_names_are_sent_as_numbers(backup_type, number):
    run('task_info', Expect.login(),
        Expect.task('list', dict(LOAD, filter={'backup_type': number}, offset=0, limit=500), {'tasks': [], 'total': 0}),
        Expect.logout(), backup_type=backup_type)


def test_task_info_name_is_matched_exactly_and_not_sent():
    tasks = [task(1, 'PC-daily'), task(2, 'pc-daily '), task(3, 'pc-daily'), task(4, 'pc-daily-2')]
    result, dummy = run('task_info', Expect.login(),
                        Expect.task('list', dict(LOAD, offset=0, limit=500), {'tasks': tasks, 'total': 4}),
                        Expect.logout(), name='pc-daily')
    assert [(t['task_id'], t['task_name']) for t in result['tasks']] == [(3, 'pc-daily')]


def test_task_info_a_name_that_matches_nothing_is_an_empty_list():
    result, dummy = run('task_info', Expect.login(),
                        Expect.task('list', dict(LOAD, offset=0, limit=500), {'tasks': [task(1, 'a')], 'total': 1}),
                        Expect.logout(), name='b')
    assert result == {'changed': False, 'tasks': []}


def test_task_info_with_versions_sorts_them_and_names_the_latest_completed():
    versions = [{'version_id': 1, 'status': 3, 'time_end': 100}, {'version_id': 3, 'status': 4, 'time_end': 300},
                {'version_id': 2, 'status': '3', 'time_end': '200'}]
    result, dummy = run('task_info', Expect.login(),
                        Expect.task('list', dict(LOAD, load_versions=True, offset=0, limit=500),
                                    {'tasks': [task(1, 'a', versions=versions, version_count=3)], 'total': 1}),
                        Expect.logout(), with_versions=True)
    out = result['tasks'][0]
    assert [v['version_id'] for v in out['versions']] == [3, 2, 1]
    assert out['latest_version'] == {'version_id': 2, 'status': 3, 'status_name': 'completed', 'time_end': 200}


def test_task_info_reads_every_page_up_to_the_total():
    def names(first, count):
        return [{'task_id': i, 'task_name': 't%d' % i} for i in range(first, first + count)]
    result, dummy = run('task_info', Expect.login(),
                        Expect.task('list', dict(LOAD, offset=0, limit=500), {'tasks': names(1, 500), 'total': 1203}),
                        Expect.task('list', dict(LOAD, offset=500, limit=500), {'tasks': names(501, 500), 'total': 1203}),
                        Expect.task('list', dict(LOAD, offset=1000, limit=500), {'tasks': names(1001, 203), 'total': 1203}),
                        Expect.logout())
    assert [t['task_id'] for t in result['tasks']] == list(range(1, 1204))


def test_task_info_with_a_session_is_one_request():
    result, script = run('task_info', Expect.task('list', dict(LOAD, offset=0, limit=500), {'tasks': [], 'total': 0}),
                         _session=GIVEN)
    assert result == {'changed': False, 'tasks': []}
    assert script.requests[0].form['_sid'] == GIVEN['sid']


# -- device_info ------------------------------------------------------------------------------------------------

def test_device_info_reads_devices_with_results_without_secrets():
    devices = [device('11', 'pc-01', last_result={'status': '4', 'error_count': '2', 'backup_type': 2}),
               device(12, 'srv-01', backup_type='3', platform_type='2')]
    result, dummy = run('device_info', Expect.login(),
                        Expect.device('list', {'load_result': True, 'offset': 0, 'limit': 500},
                                      {'devices': devices, 'total': 2}),
                        Expect.logout())
    assert result['devices'][0] == dict(DEVICE_OUT, device_id=11, host_name='pc-01', last_result={
        'status': 4, 'status_name': 'failed', 'error_count': 2, 'backup_type': 2, 'backup_type_name': 'pc'})
    assert result['devices'][1]['backup_type_name'] == 'physical_server'
    assert result['devices'][1]['platform_type'] == 2 and 'last_result' not in result['devices'][1]
    no_secrets(result)


def test_device_info_filters_go_to_the_nas():
    run('device_info', Expect.login(),
        Expect.device('list', {'load_result': True, 'filter': {'host_name': 'pc-01', 'backup_type': 1},
                               'offset': 0, 'limit': 500}, {'devices': [], 'total': 0}),
        Expect.logout(), host_name='pc-01', backup_type='vm')


def test_device_info_pages():
    first = {'devices': [{'device_id': i} for i in range(500)], 'total': 501}
    result, dummy = run('device_info', Expect.login(),
                        Expect.device('list', {'load_result': True, 'offset': 0, 'limit': 500}, first),
                        Expect.device('list', {'load_result': True, 'offset': 500, 'limit': 500},
                                      {'devices': [{'device_id': 500}], 'total': 501}),
                        Expect.logout())
    assert [d['device_id'] for d in result['devices']] == list(range(501))


# -- version_info -----------------------------------------------------------------------------------------------

VERSIONS = [
    {'version_id': 7, 'status': 3, 'time_start': 150, 'time_end': '160', 'folder_name': 'ActiveBackup_b'},
    {'version_id': 9, 'status': 4, 'time_start': 290, 'time_end': 300},
    {'version_id': 8, 'status': 3, 'time_start': 190, 'time_end': 200, 'locked': True},
    {'version_id': 6, 'status': 0, 'time_start': 50, 'time_end': 60},
]


def test_version_info_by_name_resolves_the_task_then_lists_its_versions():
    tasks = [task(1, 'other'), task(4, 'pc-daily'), task(5, 'PC-DAILY')]
    result, script = run('version_info', Expect.login(),
                         Expect.task('list', dict(LOAD, offset=0, limit=500), {'tasks': tasks, 'total': 3}),
                         Expect.versions({'task_id': 4, 'offset': 0, 'limit': 500}, {'versions': VERSIONS, 'total': 4}),
                         Expect.logout(), task_name='pc-daily')
    assert result['task_id'] == 4 and result['task_name'] == 'pc-daily'
    assert [v['version_id'] for v in result['versions']] == [9, 8, 7, 6], 'newest first by time_end'
    assert [v['status_name'] for v in result['versions']] == ['failed', 'completed', 'completed', 'backing_up']
    assert result['latest'] == {'version_id': 8, 'status': 3, 'status_name': 'completed', 'time_start': 190,
                                'time_end': 200, 'locked': True}
    assert result['total'] == 4
    no_secrets(result)


def test_version_info_by_id_filters_the_task_list():
    result, dummy = run('version_info', Expect.login(),
                        Expect.task('list', dict(LOAD, filter={'task_id': 4}, offset=0, limit=500),
                                    {'tasks': [task(4, 'pc-daily')], 'total': 1}),
                        Expect.versions({'task_id': 4, 'offset': 0, 'limit': 500}, {'versions': [], 'total': 0}),
                        Expect.logout(), task_id=4)
    assert result == {'changed': False, 'task_id': 4, 'task_name': 'pc-daily', 'versions': [], 'total': 0,
                      'latest': None}


def test_version_info_an_unknown_name_lists_the_task_names_and_sends_no_version_list():
    tasks = [task(2, 'zeta'), task(1, 'alpha'), task(3, 'Pc-Daily')]
    result, script = run('version_info', Expect.login(),
                         Expect.task('list', dict(LOAD, offset=0, limit=500), {'tasks': tasks, 'total': 3}),
                         Expect.logout(), task_name='pc-daily')
    assert result['failed'] is True
    assert result['msg'] == ("No backup task named 'pc-daily' on nas.example.com; its tasks are: Pc-Daily, alpha, zeta. "
                             "Names are case-sensitive.")
    assert result['error']['details'] == {'task_names': ['Pc-Daily', 'alpha', 'zeta']}
    assert ('SYNO.ActiveBackup.Version', 'list') not in script.calls()


def test_version_info_an_unknown_id_lists_the_task_names():
    result, script = run('version_info', Expect.login(),
                         Expect.task('list', dict(LOAD, filter={'task_id': 99}, offset=0, limit=500),
                                     {'tasks': [], 'total': 0}),
                         Expect.task('list', dict(LOAD, offset=0, limit=500), {'tasks': [task(1, 'a')], 'total': 1}),
                         Expect.logout(), task_id=99)
    assert result['failed'] is True
    assert result['msg'].startswith('No backup task with task_id 99 on nas.example.com; its tasks are: a.')


def test_version_info_no_tasks_at_all():
    result, dummy = run('version_info', Expect.login(),
                        Expect.task('list', dict(LOAD, offset=0, limit=500), {'tasks': [], 'total': 0}),
                        Expect.logout(), task_name='x')
    assert "its tasks are: none." in result['msg']


@pytest.mark.parametrize('limit, pages', [(2, [2]), (500, [500]), (700, [500, 200])])
def test_version_info_limit(limit, pages):
    expected = [Expect.login(), Expect.task('list', dict(LOAD, filter={'task_id': 4}, offset=0, limit=500),
                                            {'tasks': [task(4, 't')], 'total': 1})]
    offset = 0
    for size in pages:
        expected.append(Expect.versions({'task_id': 4, 'offset': offset, 'limit': size}, {'versions': [
            {'version_id': offset + i, 'status': 3, 'time_end': 10 ** 6 - offset - i} for i in range(size)], 'total': 5000}))
        offset += size
    expected.append(Expect.logout())
    result, dummy = run('version_info', *expected, task_id=4, limit=limit)
    assert len(result['versions']) == limit and result['total'] == 5000
    assert result['latest']['version_id'] == 0


def test_version_info_unknown_task_on_the_version_api_is_abb_no_such_task():
    result, dummy = run('version_info', Expect.login(),
                        Expect.task('list', dict(LOAD, filter={'task_id': 4}, offset=0, limit=500),
                                    {'tasks': [task(4, 't')], 'total': 1}),
                        Expect.versions({'task_id': 4, 'offset': 0, 'limit': 500}).error(1010),
                        Expect.logout(), task_id=4)
    assert result['failed'] is True
    assert 'SYNO.ActiveBackup.Version.list on nas.example.com failed: error 1010 (No such task)' in result['msg']


# -- result_info ------------------------------------------------------------------------------------------------

RESULTS = [{'result_id': 30, 'task_id': 4, 'task_name': 'pc-daily', 'status': '4', 'backup_type': 2, 'time_start': 300,
            'error_count': '3', 'transfered_bytes': '0'},
           {'result_id': 29, 'task_id': 4, 'status': 5, 'backup_type': '2', 'time_start': 200}]


def test_result_info_defaults():
    result, dummy = run('result_info', Expect.login(),
                        Expect.log('list_result', {'offset': 0, 'limit': 100}, {'results': RESULTS, 'count': 57}),
                        Expect.logout())
    assert result['count'] == 57
    assert result['results'][0] == {'result_id': 30, 'task_id': 4, 'task_name': 'pc-daily', 'status': 4,
                                    'status_name': 'failed', 'backup_type': 2, 'backup_type_name': 'pc', 'time_start': 300,
                                    'error_count': 3, 'transfered_bytes': 0}
    assert result['results'][1]['status_name'] == 'cancelled'


def test_result_info_every_filter_goes_to_the_nas():
    result, dummy = run('result_info', Expect.login(),
                        Expect.log('list_result', {'task_id': 4, 'filter': {'status': [4, 5, 3],
                                                                            'from_timestamp': MIDNIGHT},
                                                   'offset': 0, 'limit': 20}, {'results': RESULTS, 'count': 2}),
                        Expect.logout(), task_id=4, status=['failed', 'cancelled', 'partial', 'failed'],
                        since='2024-12-04T00:00:00Z', limit=20)
    assert result['count'] == 2 and len(result['results']) == 2


@pytest.mark.parametrize('since, sent', [
    (MIDNIGHT, MIDNIGHT), (str(MIDNIGHT), MIDNIGHT), ('2024-12-04', MIDNIGHT), ('2024-12-04T01:00:00+01:00', MIDNIGHT),
    ('2024-12-04T00:00:00', MIDNIGHT), ('90m', NOW - 5400), ('24h', NOW - 86400), ('7d', NOW - 7 * 86400),
    ('2w', NOW - 14 * 86400),
])
def test_result_info_since_is_sent_as_from_timestamp(since, sent):
    run('result_info', Expect.login(),
        Expect.log('list_result', {'filter': {'from_timestamp': sent}, 'offset': 0, 'limit': 100},
                   {'results': [], 'count': 0}),
        Expect.logout(), since=since)


def test_result_info_task_name_is_resolved_first_and_sent_as_task_id():
    result, script = run('result_info', Expect.login(),
                         Expect.task('list', dict(LOAD, offset=0, limit=500),
                                     {'tasks': [task(1, 'a'), task(4, 'pc-daily')], 'total': 2}),
                         Expect.log('list_result', {'task_id': 4, 'offset': 0, 'limit': 100},
                                    {'results': RESULTS, 'count': 2}),
                         Expect.logout(), task_name='pc-daily')
    assert [r['result_id'] for r in result['results']] == [30, 29]


def test_result_info_unknown_task_name_sends_no_log_request():
    result, script = run('result_info', Expect.login(),
                         Expect.task('list', dict(LOAD, offset=0, limit=500), {'tasks': [task(1, 'a')], 'total': 1}),
                         Expect.logout(), task_name='b')
    assert result['failed'] is True and "No backup task named 'b'" in result['msg']
    assert [c[0] for c in script.calls()].count('SYNO.ActiveBackup.Log') == 0


def test_result_info_limit_beyond_a_page_reads_several_pages_and_keeps_the_nas_count():
    def results(first, count):
        return [{'result_id': i, 'status': 2} for i in range(first, first + count)]
    result, dummy = run('result_info', Expect.login(),
                        Expect.log('list_result', {'offset': 0, 'limit': 500}, {'results': results(0, 500), 'count': 5000}),
                        Expect.log('list_result', {'offset': 500, 'limit': 500}, {'results': results(500, 500), 'count': 5000}),
                        Expect.log('list_result', {'offset': 1000, 'limit': 200}, {'results': results(1000, 200), 'count': 5000}),
                        Expect.logout(), limit=1200)
    assert len(result['results']) == 1200 and result['count'] == 5000


def test_result_info_without_a_count_counts_what_came():
    result, dummy = run('result_info', Expect.login(),
                        Expect.log('list_result', {'offset': 0, 'limit': 100}, {'results': RESULTS}),
                        Expect.logout())
    assert result['count'] == 2


@pytest.mark.parametrize('statuses, numbers', [
    (['none'], [0]), (['incomplete'], [1]), (['success'], [2]), (['partial'], [3]), (['failed'], [4]),
    (['cancelled'], [5]), (['no_backup'], [6]),
])
def test_result_info_status_numbers(statuses, numbers):
    run('result_info', Expect.login(),
        Expect.log('list_result', {'filter': {'status': numbers}, 'offset': 0, 'limit': 100}, {'results': [], 'count': 0}),
        Expect.logout(), status=statuses)


# -- log_info ---------------------------------------------------------------------------------------------------

LOGS = [{'log_id': '3', 'log_time': '1733275000', 'log_level': '0', 'log_type': 1104, 'task_id': 4, 'task_name': 'pc-daily',
         'device_name': 'pc-01', 'other_params': {'agent_token': SECRETS[0], 'path': 'C:/'}},
        {'log_id': 2, 'log_time': 1733274000, 'log_level': 2, 'log_type': 1101}]


def test_log_info_every_filter_goes_to_the_nas():
    result, dummy = run('log_info', Expect.login(),
                        Expect.log('list_log', {'task_id': 4, 'filter': {'log_level': [0, 1], 'key_word': 'disk full',
                                                                         'from_timestamp': NOW - 86400},
                                                'offset': 0, 'limit': 100}, {'logs': LOGS, 'count': 812}),
                        Expect.logout(), task_id=4, level=['error', 'warning'], keyword='disk full', since='24h')
    assert result['count'] == 812
    assert result['logs'][0] == {'log_id': 3, 'log_time': 1733275000, 'log_level': 0, 'level_name': 'error',
                                 'log_type': 1104, 'task_id': 4, 'task_name': 'pc-daily', 'device_name': 'pc-01',
                                 'other_params': {'path': 'C:/'}}
    assert result['logs'][1]['level_name'] == 'info'
    no_secrets(result)


def test_log_info_defaults_and_task_name():
    result, dummy = run('log_info', Expect.login(),
                        Expect.task('list', dict(LOAD, offset=0, limit=500), {'tasks': [task(7, 'nas-weekly')], 'total': 1}),
                        Expect.log('list_log', {'task_id': 7, 'offset': 0, 'limit': 100}, {'logs': [], 'count': 0}),
                        Expect.logout(), task_name='nas-weekly')
    assert result == {'changed': False, 'logs': [], 'count': 0}


def test_log_info_info_level_and_a_keyword_with_form_characters():
    run('log_info', Expect.login(),
        Expect.log('list_log', {'filter': {'log_level': [2], 'key_word': 'a&b=c%20d+e "q"'}, 'offset': 0, 'limit': 5},
                   {'logs': [], 'count': 0}),
        Expect.logout(), level=['info'], keyword='a&b=c%20d+e "q"', limit=5)


def test_log_info_limit_beyond_a_page():
    result, dummy = run('log_info', Expect.login(),
                        Expect.log('list_log', {'offset': 0, 'limit': 500},
                                   {'logs': [{'log_id': i} for i in range(500)], 'count': 9999}),
                        Expect.log('list_log', {'offset': 500, 'limit': 1},
                                   {'logs': [{'log_id': 500}], 'count': 9999}),
                        Expect.logout(), limit=501)
    assert [entry['log_id'] for entry in result['logs']] == list(range(501)) and result['count'] == 9999


# -- refusals before any request ----------------------------------------------------------------------------------

@pytest.mark.parametrize('module, options, words', [
    ('version_info', {}, 'give task_name (the name of the backup task) or task_id.'),
    ('version_info', {'task_name': 'a', 'task_id': 1}, 'give task_name or task_id, not both.'),
    ('result_info', {'task_name': 'a', 'task_id': 1}, 'give task_name or task_id, not both.'),
    ('log_info', {'task_name': 'a', 'task_id': 1}, 'give task_name or task_id, not both.'),
    ('result_info', {'since': '2099-01-01'}, 'is in the future'),
    ('log_info', {'since': 'last tuesday'}, 'is neither epoch seconds'),
    ('result_info', {'limit': 0}, 'limit must be at least 1'),
    ('log_info', {'limit': -1}, 'limit must be at least 1'),
    ('version_info', {'task_id': 1, 'limit': 10 ** 6}, 'limit must be between 1 and 100000'),
    ('result_info', {'status': ['failed', 'exploded']}, "status: unknown name 'exploded'"),
    ('log_info', {'level': ['debug']}, "level: unknown name 'debug'"),
    ('log_info', {'keyword': 'a\nb'}, 'keyword'),
    ('log_info', {'keyword': ''}, 'keyword must be a non-empty name'),
    ('task_info', {'name': 'a\x00'}, 'contains a control character'),
    ('device_info', {'host_name': '   '}, 'host_name must be a non-empty name'),
    ('task_info', {'task_id': 0}, 'task_id must be between 1 and 2147483647'),
    ('api_info', {'query': ['ActiveBackup']}, "query: 'ActiveBackup' is not an API name"),
    ('api_info', {'query': []}, 'query is empty'),
])
def test_bad_input_is_refused_before_any_request(module, options, words):
    result, script = run(module, **options)
    assert result['failed'] is True
    assert words in result['msg']
    assert script.requests == []


# -- api_info -----------------------------------------------------------------------------------------------------

INFO = {
    'SYNO.API.Auth': {'path': 'entry.cgi', 'minVersion': 1, 'maxVersion': 7, 'requestFormat': 'JSON'},
    'SYNO.ActiveBackup.Task': {'path': 'entry.cgi', 'minVersion': 1, 'maxVersion': 1},
    'SYNO.ActiveBackup.Share': {'path': 'entry.cgi', 'minVersion': 1, 'maxVersion': 1},
    'SYNO.ActiveBackupPortal.X': {'path': 'entry.cgi', 'minVersion': 1, 'maxVersion': 1},
    'SYNO.ActiveInsight.Y': {'path': 'entry.cgi', 'minVersion': 1, 'maxVersion': 2},
    'SYNO.DSM.Info': {'path': 'entry.cgi', 'minVersion': 1, 'maxVersion': 2},
    'SYNO.Broken': 'not an object',
}


@pytest.mark.parametrize('query, sent, names', [
    (['SYNO.ActiveBackup.*'], 'SYNO.ActiveBackup.', ['SYNO.ActiveBackup.Share', 'SYNO.ActiveBackup.Task']),
    (['SYNO.API.Auth'], 'SYNO.API.Auth', ['SYNO.API.Auth']),
    (['SYNO.DSM.Info', 'SYNO.API.Auth'], 'SYNO.DSM.Info,SYNO.API.Auth', ['SYNO.API.Auth', 'SYNO.DSM.Info']),
    (['SYNO.Active*'], 'all', ['SYNO.ActiveBackup.Share', 'SYNO.ActiveBackup.Task', 'SYNO.ActiveBackupPortal.X',
                               'SYNO.ActiveInsight.Y']),
    (['SYNO.DSM.Info', 'SYNO.ActiveBackup.*'], 'SYNO.DSM.Info,SYNO.ActiveBackup.',
     ['SYNO.ActiveBackup.Share', 'SYNO.ActiveBackup.Task', 'SYNO.DSM.Info']),
    (['SYNO.ActiveBackup.*', 'SYNO.ActiveBackup.*'], 'SYNO.ActiveBackup.', ['SYNO.ActiveBackup.Share',
                                                                            'SYNO.ActiveBackup.Task']),
    (['SYNO.Nothing'], 'SYNO.Nothing', []),
    (['SYNO.*'], 'SYNO.', ['SYNO.API.Auth', 'SYNO.ActiveBackup.Share', 'SYNO.ActiveBackup.Task',
                           'SYNO.ActiveBackupPortal.X', 'SYNO.ActiveInsight.Y', 'SYNO.DSM.Info']),
])
def test_api_info_is_one_request_without_login_or_logout(query, sent, names):
    result, script = run('api_info', Expect.info(INFO, query=sent), query=query)
    assert result['changed'] is False
    assert list(result['apis']) == names
    for name in names:
        assert result['apis'][name] == INFO[name]
    assert script.calls() == [('SYNO.API.Info', 'query')]
    assert script.requests[0].path == 'query.cgi'


def test_api_info_with_a_session_sends_no_session():
    result, script = run('api_info', Expect.info(INFO, query='SYNO.ActiveBackup.'), _session=GIVEN)
    assert sorted(result['apis']) == ['SYNO.ActiveBackup.Share', 'SYNO.ActiveBackup.Task']
    assert GIVEN['sid'] not in script.requests[0].body


def test_api_info_error_is_reported():
    result, dummy = run('api_info', Expect(
        'SYNO.API.Info', 'query', params={'query': 'SYNO.ActiveBackup.'}, path='query.cgi', version=1, session=False).error(
        101))
    assert result['failed'] is True
    assert 'SYNO.API.Info.query on nas.example.com failed: error 101' in result['msg']


@pytest.mark.parametrize('pattern', [
    'ActiveBackup', 'SYNO.', 'SYNO..Task', 'SYNO.*.Task', '*', 'SYNO.Active Backup', 'SYNO.Active-Backup',
    'syno.ActiveBackup.Task', 'SYNO.ActiveBackup.**', 'SYNO.Active*Backup', 'SYNO.ActiveBackup.Task,SYNO.API.Auth',
    'SYNO.A\x00', 'SYNO.Ä', '', 5,
])
def test_api_info_patterns_that_are_no_api_names_fail(pattern):
    with pytest.raises(Exception) as info:
        check_patterns([pattern])
    assert type(info.value).__name__ == 'DsmInputError'
    assert 'is not an API name (such as SYNO.ActiveBackup.Task) or a prefix ending in * (such as SYNO.ActiveBackup.*)' \
        in str(info.value)


def test_api_info_query_terms():
    assert check_patterns(None) == ['SYNO.ActiveBackup.*']
    assert check_patterns([' SYNO.API.Auth ', 'SYNO.API.Auth']) == ['SYNO.API.Auth']
    assert info_query(['SYNO.ActiveBackup.*']) == 'SYNO.ActiveBackup.'
    assert info_query(['SYNO.API.Auth', 'SYNO.Active*']) == 'all'
    assert info_query(['SYNO.API.Auth', 'SYNO.ActiveBackup.*']) == 'SYNO.API.Auth,SYNO.ActiveBackup.'


def test_api_info_too_many_patterns():
    with pytest.raises(Exception) as info:
        check_patterns(['SYNO.X%d' % i for i in range(101)])
    assert str(info.value) == 'query: 101 patterns given; at most 100.'


# -- secrets in error details --------------------------------------------------------------------------------------

def test_secret_named_keys_in_an_abb_error_never_reach_the_message():
    errors = {'reason': 'device offline', 'agent_token': SECRETS[0],
              'devices': [{'host_name': 'pc-01', 'login_password': SECRETS[1], 'Mssql_Password': SECRETS[2]}],
              'detail': {'oracle_password': SECRETS[3], 'session_token': SECRETS[4]}}
    result, dummy = run('task_info', Expect.login(), Expect.task('list', dict(LOAD, offset=0, limit=500)).error(
        5001, errors=errors), Expect.logout())
    assert result['failed'] is True
    assert 'error 5001 (The device is offline)' in result['msg']
    assert 'device offline' in result['msg']
    text = json.dumps(result)
    for secret in SECRETS:
        assert secret not in text
    # the keys stay, so that a user sees what DSM sent; their values are masked
    details = result['error']['details']
    assert details['agent_token'] == '********' and details['detail']['session_token'] == '********'
    assert details['devices'][0] == {'host_name': 'pc-01', 'login_password': '********', 'Mssql_Password': '********'}


def test_known_secret_keys_in_an_abb_error_never_reach_the_message():
    """The keys the client masks today (password, passwd, token, ...) are masked in ABB errors too."""
    errors = {'reason': 'x', 'password': SECRETS[1], 'token': SECRETS[0], 'passwd': SECRETS[2]}
    failing = Expect.device('list', {'load_result': True, 'offset': 0, 'limit': 500}).error(1001, errors=errors)
    result, dummy = run('device_info', Expect.login(), failing, Expect.logout())
    assert result['failed'] is True
    text = json.dumps(result)
    for secret in SECRETS[:3]:
        assert secret not in text


# -- the module file --------------------------------------------------------------------------------------------------

def test_task_info_module_file(monkeypatch, capsys):
    script = Script(Expect.login(), Expect.task('list', dict(LOAD, filter={'backup_type': 2}, offset=0, limit=500),
                                                {'tasks': [task(1, 'pc-daily')], 'total': 1}), Expect.logout())
    monkeypatch.setattr(_client, 'RequestsTransport', lambda **kwargs: script)
    with patch_module_args({'host': 'nas.example.com', 'username': 'admin', 'password': 'Adm1n-Secret!',
                            'backup_type': 'pc'}):
        with pytest.raises(SystemExit):
            task_info_module.main()
    script.done()
    out = json.loads(capsys.readouterr().out)
    assert out['changed'] is False
    assert [t['task_name'] for t in out['tasks']] == ['pc-daily']
    no_secrets(out)
