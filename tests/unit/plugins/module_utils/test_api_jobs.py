# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""_api helpers (secrets, names, filters, paging) and the normalisers of the ABB job APIs (_api_task,
_api_device, _api_version, _api_log, _api_dsm)."""

from __future__ import annotations

import copy
import json

import pytest

from ansible_collections.syno.activebackup.plugins.module_utils import (
    _api,
    _api_device,
    _api_dsm,
    _api_log,
    _api_task,
    _api_version,
)

from ansible_collections.syno.activebackup.tests.unit.plugins.module_utils.scripted import (
    TASK,
    Expect,
    Script,
    make_client,
)


# -- strip_secrets ---------------------------------------------------------------------------------------

@pytest.mark.parametrize('key', [
    'password', 'Password', 'PASSWORD', 'login_password', 'mssql_password', 'oracle_password', 'PasswordHint',
    'token', 'agent_token', 'Agent_Token', 'TOKENS', 'x-token-y',
    'secret', 'client_secret', 'SecretKey', 'SECRET',
    'passwd', 'Passwd', 'old_passwd', 'PASSWDX',
])
def test_is_secret_key(key):
    assert _api.is_secret_key(key) is True


@pytest.mark.parametrize('key', ['host_name', 'mssql_user', 'oracle_user', 'pass', 'pwd', 'tok', 'sid', 'device_id',
                                 'login_user', 'secre', 'passw', '', 7, None])
def test_is_not_secret_key(key):
    assert _api.is_secret_key(key) is False


SECRETS = ['AGENT-5f1c9e', 'LOGIN-PW-42', 'MSSQL-PW-77', 'ORACLE-PW-13', 'DEEP-SECRET-1', 'LIST-TOKEN-2', 'UPPER-PW-3']


def test_strip_secrets_at_any_depth_and_in_lists():
    value = {
        'device_id': 3, 'host_name': 'pc-01', 'mssql_user': 'sa', 'oracle_user': 'system',
        'agent_token': SECRETS[0], 'login_password': SECRETS[1], 'mssql_password': SECRETS[2],
        'oracle_password': SECRETS[3],
        'agent': {'status': 'online', 'config': {'nested': {'client_secret': SECRETS[4], 'port': 443}}},
        'credentials': [{'Token': SECRETS[5], 'user': 'bob'}, [{'PASSWD': SECRETS[6]}], 'plain'],
        'token_info': {'anything': 'goes'},
    }
    original = copy.deepcopy(value)
    out = _api.strip_secrets(value)
    assert out == {
        'device_id': 3, 'host_name': 'pc-01', 'mssql_user': 'sa', 'oracle_user': 'system',
        'agent': {'status': 'online', 'config': {'nested': {'port': 443}}},
        'credentials': [{'user': 'bob'}, [{}], 'plain'],
    }
    text = json.dumps(out)
    assert not any(secret in text for secret in SECRETS)
    assert value == original, 'the input is not changed'


@pytest.mark.parametrize('value', [None, 5, 'text', True, 1.5, [], {}, [1, 'a', None]])
def test_strip_secrets_leaves_plain_values(value):
    assert _api.strip_secrets(value) == value


def test_strip_secrets_int_keys_are_kept():
    assert _api.strip_secrets({1: 'a', 'password': 'x'}) == {1: 'a'}


def test_strip_secrets_cuts_absurd_nesting():
    deep = {'password': 'x'}
    for dummy in range(40):
        deep = {'a': deep}
    out = _api.strip_secrets(deep)
    assert 'password' not in json.dumps(out)
    level = out
    for dummy in range(32):
        level = level['a']
    assert level == '...'


# -- names beside numbers ----------------------------------------------------------------------------------

@pytest.mark.parametrize('table, value, name', [
    (_api.BACKUP_TYPES, 1, 'vm'), (_api.BACKUP_TYPES, '2', 'pc'), (_api.BACKUP_TYPES, 3.0, 'physical_server'),
    (_api.BACKUP_TYPES, 4, 'file_server'), (_api.BACKUP_TYPES, ' 5 ', 'nas'), (_api.BACKUP_TYPES, 6, 'unknown'),
    (_api.BACKUP_TYPES, 0, 'unknown'), (_api.BACKUP_TYPES, None, 'unknown'), (_api.BACKUP_TYPES, True, 'unknown'),
    (_api.BACKUP_TYPES, 'pc', 'unknown'), (_api.BACKUP_TYPES, 1.5, 'unknown'), (_api.BACKUP_TYPES, [1], 'unknown'),
    (_api.RESULT_STATUSES, 0, 'none'), (_api.RESULT_STATUSES, 2, 'success'), (_api.RESULT_STATUSES, 3, 'partial'),
    (_api.RESULT_STATUSES, 4, 'failed'), (_api.RESULT_STATUSES, 5, 'cancelled'), (_api.RESULT_STATUSES, 6, 'no_backup'),
    (_api.RESULT_STATUSES, 7, 'unknown'), (_api.RESULT_STATUSES, -1, 'unknown'),
    (_api.VERSION_STATUSES, 3, 'completed'), (_api.VERSION_STATUSES, 777, 'waiting_connection'),
    (_api.VERSION_STATUSES, '777', 'waiting_connection'), (_api.VERSION_STATUSES, 9, 'unknown'),
    (_api.RUNNING_STATUSES, 1, 'running'), (_api.RUNNING_STATUSES, 3, 'cancelling'), (_api.RUNNING_STATUSES, 4, 'unknown'),
    (_api.LOG_LEVELS, 0, 'error'), (_api.LOG_LEVELS, 1, 'warning'), (_api.LOG_LEVELS, 2, 'info'),
    (_api.LOG_LEVELS, 3, 'unknown'),
])
def test_name_of(table, value, name):
    assert _api.name_of(table, value) == name


def test_number_of():
    assert _api.number_of(_api.BACKUP_TYPES, 'nas') == 5
    assert _api.number_of(_api.RESULT_STATUSES, 'none') == 0
    assert _api.number_of(_api.RESULT_STATUSES, 'nope') is None


def test_ints():
    entry = {'a': '5', 'b': 'x', 'c': 7.0, 'd': '8'}
    assert _api.ints(entry, ('a', 'b', 'c', 'missing')) == {'a': 5, 'b': 'x', 'c': 7, 'd': '8'}
    assert entry['a'] == '5'
    assert _api.ints(None, ('a',)) is None and _api.ints([1], ('a',)) == [1]


def test_with_filter():
    assert _api.with_filter({'a': 1}) == {'a': 1}
    assert _api.with_filter({'a': 1}, task_id=None, x=None) == {'a': 1}
    assert _api.with_filter({}, task_id=3, backup_type=None, status=[4]) == {'filter': {'task_id': 3, 'status': [4]}}
    assert _api.with_filter({}, key_word='', log_level=[]) == {'filter': {'key_word': '', 'log_level': []}}


# -- read_pages ----------------------------------------------------------------------------------------------

def page(first, count, total=None, key='tasks', count_key='total'):
    data = {key: [{'task_id': index} for index in range(first, first + count)]}
    if total is not None:
        data[count_key] = total
    return data


def run_pages(expected, **kwargs):
    script = Script(*([Expect.login()] + list(expected) if expected else []))
    client = make_client(script)
    out = _api.read_pages(client, TASK, 'list', kwargs.pop('params', {'load_status': True}), kwargs.pop('key', 'tasks'),
                          **kwargs)
    script.done()
    return out


def ids(entries):
    return [entry['task_id'] for entry in entries]


def test_read_pages_until_the_total():
    entries, total = run_pages([
        Expect.task('list', {'load_status': True, 'offset': 0, 'limit': 2}, page(1, 2, 5)),
        Expect.task('list', {'load_status': True, 'offset': 2, 'limit': 2}, page(3, 2, 5)),
        Expect.task('list', {'load_status': True, 'offset': 4, 'limit': 2}, page(5, 1, 5)),
    ], page_size=2)
    assert ids(entries) == [1, 2, 3, 4, 5] and total == 5


def test_read_pages_total_an_exact_multiple_of_the_page_asks_no_empty_page():
    entries, total = run_pages([
        Expect.task('list', {'load_status': True, 'offset': 0, 'limit': 2}, page(1, 2, 4)),
        Expect.task('list', {'load_status': True, 'offset': 2, 'limit': 2}, page(3, 2, 4)),
    ], page_size=2)
    assert ids(entries) == [1, 2, 3, 4] and total == 4


def test_read_pages_without_a_total_reads_until_a_short_page():
    entries, total = run_pages([
        Expect.task('list', {'load_status': True, 'offset': 0, 'limit': 2}, page(1, 2)),
        Expect.task('list', {'load_status': True, 'offset': 2, 'limit': 2}, page(3, 2)),
        Expect.task('list', {'load_status': True, 'offset': 4, 'limit': 2}, page(5, 1)),
    ], page_size=2)
    assert ids(entries) == [1, 2, 3, 4, 5] and total is None


def test_read_pages_without_a_total_stops_at_an_empty_page():
    entries, total = run_pages([
        Expect.task('list', {'load_status': True, 'offset': 0, 'limit': 2}, page(1, 2)),
        Expect.task('list', {'load_status': True, 'offset': 2, 'limit': 2}, {'tasks': []}),
    ], page_size=2)
    assert ids(entries) == [1, 2] and total is None


def test_read_pages_a_short_page_ends_even_below_the_total():
    """A NAS whose total is larger than what it gives is not asked forever."""
    entries, total = run_pages([
        Expect.task('list', {'load_status': True, 'offset': 0, 'limit': 2}, page(1, 2, 10)),
        Expect.task('list', {'load_status': True, 'offset': 2, 'limit': 2}, page(3, 1, 10)),
    ], page_size=2)
    assert ids(entries) == [1, 2, 3] and total == 10


def test_read_pages_an_empty_first_page():
    entries, total = run_pages([Expect.task('list', {'load_status': True, 'offset': 0, 'limit': 500}, page(1, 0, 0))])
    assert entries == [] and total == 0


@pytest.mark.parametrize('limit, sizes', [
    (4, [2, 2]),      # an exact multiple of the page: no third request
    (5, [2, 2, 1]),   # the last page asks only what is missing
    (1, [1]),
    (2, [2]),
])
def test_read_pages_up_to_a_limit(limit, sizes):
    expected = []
    offset = 0
    for size in sizes:
        expected.append(Expect.task('list', {'load_status': True, 'offset': offset, 'limit': size}, page(offset + 1, size, 100)))
        offset += size
    entries, total = run_pages(expected, page_size=2, limit=limit)
    assert ids(entries) == list(range(1, limit + 1)) and total == 100


def test_read_pages_the_first_page_given():
    """The first page came in a compound request: reading goes on at the next offset."""
    entries, total = run_pages([
        Expect.task('list', {'load_status': True, 'offset': 2, 'limit': 2}, page(3, 2, 5)),
        Expect.task('list', {'load_status': True, 'offset': 4, 'limit': 2}, page(5, 1, 5)),
    ], page_size=2, first=page(1, 2, 5))
    assert ids(entries) == [1, 2, 3, 4, 5] and total == 5


def test_read_pages_a_short_first_page_given_asks_nothing():
    entries, total = run_pages([], first=page(1, 3, 3))
    assert ids(entries) == [1, 2, 3] and total == 3


def test_read_pages_count_key_as_text_and_entries_that_are_no_objects():
    data = {'logs': [{'task_id': 1}, 'odd', None, {'task_id': 2}], 'count': '9'}
    entries, total = run_pages([
        Expect.task('list', {'offset': 0, 'limit': 4}, data),
        Expect.task('list', {'offset': 4, 'limit': 4}, {'logs': [{'task_id': 3}], 'count': '9'}),
    ], params={}, key='logs', count_key='count', page_size=4)
    assert ids(entries) == [1, 2, 3] and total == 9


def test_read_pages_a_total_that_is_no_number_is_none():
    entries, total = run_pages([Expect.task('list', {'offset': 0, 'limit': 500}, {'tasks': [{'task_id': 1}], 'total': 'many'})],
                               params={})
    assert ids(entries) == [1] and total is None


def test_paged_read_sends_the_first_page_and_reads_the_rest():
    read = _api.paged_read(TASK, 'list', {'load_result': True}, 'tasks', lambda e: dict(e, seen=True), 'things')
    assert read.call == (TASK, 'list', {'load_result': True, 'offset': 0, 'limit': 500})
    script = Script(Expect.login(), Expect.task('list', {'load_result': True, 'offset': 500, 'limit': 500},
                                                page(501, 1, 501)))
    client = make_client(script)
    out = read.finish(client, page(1, 500, 501))
    script.done()
    assert ids(out['things']) == list(range(1, 502))
    assert all(entry['seen'] for entry in out['things'])


# -- normalisers ------------------------------------------------------------------------------------------------

DEVICE = {'device_id': '7', 'host_name': 'srv-01', 'backup_type': '3', 'platform_type': '2', 'create_time': '1690000000',
          'login_time': 1700000000, 'task_count': '2', 'agent_status': 'offline', 'mssql_user': 'sa',
          'agent_token': SECRETS[0], 'login_password': SECRETS[1], 'mssql_password': SECRETS[2],
          'oracle_password': SECRETS[3], 'extra': {'nested': [{'SecretValue': SECRETS[4]}]}}


def test_normalize_device():
    out = _api_device.normalize_device(DEVICE)
    assert out == {'device_id': 7, 'host_name': 'srv-01', 'backup_type': 3, 'backup_type_name': 'physical_server',
                   'platform_type': 2, 'create_time': 1690000000, 'login_time': 1700000000, 'task_count': 2,
                   'agent_status': 'offline', 'mssql_user': 'sa', 'extra': {'nested': [{}]}}
    assert not any(secret in json.dumps(out) for secret in SECRETS)


def test_normalize_device_with_a_last_result_and_no_backup_type():
    out = _api_device.normalize_device({'device_id': 1, 'last_result': {'status': '4', 'backup_type': 9}})
    assert out == {'device_id': 1, 'last_result': {'status': 4, 'status_name': 'failed', 'backup_type': 9,
                                                   'backup_type_name': 'unknown'}}
    assert _api_device.normalize_device({'last_result': None}) == {'last_result': None}


def test_device_list_params():
    assert _api_device.list_params() == {'load_result': True}
    assert _api_device.list_params('pc-01', 2) == {'load_result': True, 'filter': {'host_name': 'pc-01', 'backup_type': 2}}


def test_normalize_result():
    out = _api_log.normalize_result({'result_id': '9', 'task_id': '1', 'status': '5', 'backup_type': '1', 'job_action': '1',
                                     'time_start': '1', 'time_end': '2', 'success_count': '3', 'warning_count': '0',
                                     'error_count': '1', 'none_count': '0', 'transfered_bytes': '1024',
                                     'detail_path': '/x', 'task_config': {'device_list': [{'device_id': 1}]}})
    assert out == {'result_id': 9, 'task_id': 1, 'status': 5, 'status_name': 'cancelled', 'backup_type': 1,
                   'backup_type_name': 'vm', 'job_action': 1, 'time_start': 1, 'time_end': 2, 'success_count': 3,
                   'warning_count': 0, 'error_count': 1, 'none_count': 0, 'transfered_bytes': 1024, 'detail_path': '/x',
                   'task_config': {'device_list': [{'device_id': 1}]}}


@pytest.mark.parametrize('value', [None, 'none', [], 0])
def test_normalize_result_of_no_result_is_none(value):
    assert _api_log.normalize_result(value) is None


def test_normalize_result_without_backup_type_and_unknown_status():
    assert _api_log.normalize_result({'status': 42}) == {'status': 42, 'status_name': 'unknown'}
    assert _api_log.normalize_result({}) == {'status_name': 'unknown'}


def test_normalize_log():
    out = _api_log.normalize_log({'log_id': '1', 'log_time': '1700000000', 'log_level': '1', 'log_type': '1104',
                                  'error_code': '0', 'task_id': '3', 'device_id': '7', 'result_id': '9',
                                  'other_params': {'token': 'LOG-TOKEN-1', 'x': 1}, 'user_name': 'admin'})
    assert out == {'log_id': 1, 'log_time': 1700000000, 'log_level': 1, 'level_name': 'warning', 'log_type': 1104,
                   'error_code': 0, 'task_id': 3, 'device_id': 7, 'result_id': 9, 'other_params': {'x': 1},
                   'user_name': 'admin'}
    assert _api_log.normalize_log({'log_level': 5})['level_name'] == 'unknown'


def test_normalize_version_and_order():
    versions = [_api_version.normalize_version(v) for v in (
        {'version_id': 1, 'status': '3', 'time_end': '100'},
        {'version_id': 2, 'status': 4, 'time_end': 300},
        {'version_id': 3, 'status': 3, 'time_end': 200, 'locked': True},
        {'version_id': 4, 'status': 0},
        {'version_id': 5, 'status': 999, 'time_end': 'soon'},
    )]
    ordered = _api_version.newest_first(versions)
    assert [v['version_id'] for v in ordered] == [2, 3, 1, 4, 5]
    assert [v['status_name'] for v in ordered] == ['failed', 'completed', 'completed', 'backing_up', 'unknown']
    assert _api_version.latest_completed(versions) == {'version_id': 3, 'status': 3, 'status_name': 'completed',
                                                       'time_end': 200, 'locked': True}
    assert _api_version.latest_completed([v for v in versions if v['status'] != 3]) is None
    assert _api_version.latest_completed([]) is None


def test_task_list_params():
    assert _api_task.list_params() == {'load_status': True, 'load_result': True, 'load_devices': True}
    assert _api_task.list_params(3, 2, True) == {'load_status': True, 'load_result': True, 'load_devices': True,
                                                 'load_versions': True, 'filter': {'task_id': 3, 'backup_type': 2}}
    assert _api_task.TASKS_READ.call == (TASK, 'list', {'load_status': True, 'load_result': True, 'load_devices': True,
                                                        'load_versions': True, 'offset': 0, 'limit': 500})


@pytest.mark.parametrize('last_result', ['absent', None])
def test_a_task_that_never_ran_has_no_last_result(last_result):
    entry = {'task_id': 1, 'task_name': 'new', 'backup_type': 2}
    if last_result != 'absent':
        entry['last_result'] = last_result
    out = _api_task.normalize_task(entry)
    assert out == {'task_id': 1, 'task_name': 'new', 'backup_type': 2, 'backup_type_name': 'pc', 'last_result': None,
                   'running': False}


@pytest.mark.parametrize('progress, running', [
    ({'running_task_status': 1, 'pid': 0}, True),
    ({'running_task_status': '2', 'pid': '0'}, True),
    ({'running_task_status': 0, 'pid': 4321}, True),
    ({'running_task_status': 0, 'pid': '4321'}, True),
    ({'running_task_status': 0, 'pid': 0}, False),
    ({'running_task_status': 3, 'pid': 0}, False),
    ({'pid': 0}, False),
    ({}, False),
    (None, False),
    ('running', False),
])
def test_running(progress, running):
    entry = {'task_id': 1, 'progress': progress}
    out = _api_task.normalize_task(entry)
    assert out['running'] is running
    if not running:
        assert 'progress' not in out


def test_a_running_task_has_its_progress_named():
    out = _api_task.normalize_task({'task_id': '4', 'backup_type': 5, 'progress': {
        'running_task_status': '1', 'percentage': 0.42, 'transfered_bytes': '2048', 'total_bytes': '4096', 'pid': '77'}})
    assert out == {'task_id': 4, 'backup_type': 5, 'backup_type_name': 'nas', 'last_result': None, 'running': True,
                   'progress': {'running_task_status': 1, 'running_task_status_name': 'running', 'percentage': 0.42,
                                'transfered_bytes': 2048, 'total_bytes': 4096, 'pid': 77}}


def test_a_running_task_with_an_unknown_status_number():
    out = _api_task.normalize_task({'task_id': 4, 'backup_type': 17, 'progress': {'running_task_status': 9, 'pid': 12}})
    assert out['running'] is True
    assert out['progress']['running_task_status_name'] == 'unknown'
    assert out['backup_type_name'] == 'unknown'


def test_normalize_task_strips_secrets_of_its_devices_at_any_depth():
    entry = {'task_id': 1, 'task_name': 't', 'backup_type': 2, 'devices': [DEVICE, 'odd', {'host_name': 'h', 'agent': {
        'connection': {'agent_token': 'NESTED-TOKEN-9', 'list': [{'oracle_password': 'NESTED-PW-8'}]}}}],
        'db_password': 'TASK-LEVEL-PW', 'options': {'smb_passwd': 'SMB-PW-1', 'share': 's'}}
    out = _api_task.normalize_task(entry)
    text = json.dumps(out)
    for secret in SECRETS + ['NESTED-TOKEN-9', 'NESTED-PW-8', 'TASK-LEVEL-PW', 'SMB-PW-1']:
        assert secret not in text
    assert out['devices'] == [_api_device.normalize_device(DEVICE), {'host_name': 'h', 'agent': {'connection': {'list': [{}]}}}]
    assert out['options'] == {'share': 's'}
    assert 'db_password' not in out


def test_normalize_task_with_versions():
    out = _api_task.normalize_task({'task_id': 1, 'versions': [
        {'version_id': 1, 'status': 3, 'time_end': 10}, {'version_id': 2, 'status': 4, 'time_end': 20}, 'odd']})
    assert [v['version_id'] for v in out['versions']] == [2, 1]
    assert out['latest_version'] == {'version_id': 1, 'status': 3, 'status_name': 'completed', 'time_end': 10}


def test_normalize_task_keeps_the_api_fields_and_spelling():
    out = _api_task.normalize_task({'task_id': 1, 'sched_content': {'run_weekday': [1, 2]}, 'retention_policy': {'keep': 3},
                                    'allow_manual_backup': True, 'last_result': {'status': 2, 'transfered_bytes': '5'}})
    assert out['sched_content'] == {'run_weekday': [1, 2]} and out['retention_policy'] == {'keep': 3}
    assert out['allow_manual_backup'] is True
    assert out['last_result'] == {'status': 2, 'status_name': 'success', 'transfered_bytes': 5}


def test_find_by_name_is_exact():
    tasks = [{'task_name': 'PC-daily'}, {'task_name': 'pc-daily '}, {'task_name': 'pc-daily', 'task_id': 3}]
    assert _api_task.find_by_name(tasks, 'pc-daily') == {'task_name': 'pc-daily', 'task_id': 3}
    assert _api_task.find_by_name(tasks, 'pc') is None


@pytest.mark.parametrize('data, expected', [
    ({'model': 'DS1821+', 'version': 69057, 'ram': '8192', 'uptime': '99', 'temperature': '40', 'serial': 'X'},
     {'model': 'DS1821+', 'version': '69057', 'ram': 8192, 'uptime': 99, 'temperature': 40, 'serial': 'X'}),
    ({'version': '42962', 'version_string': 'DSM 7.1'}, {'version': '42962', 'version_string': 'DSM 7.1'}),
    ({'version': None}, {'version': None}),
    ({'model': 'x', 'admin_password': 'ADMIN-PW'}, {'model': 'x'}),
    (None, {}),
    ('odd', {}),
])
def test_normalize_system(data, expected):
    assert _api_dsm.normalize_system(data) == expected


def test_system_read():
    read = _api_dsm.SYSTEM_READ
    assert read.call == ('SYNO.DSM.Info', 'getinfo', None)
    assert read.finish(None, {'model': 'DS920+'}) == {'system': {'model': 'DS920+'}}
