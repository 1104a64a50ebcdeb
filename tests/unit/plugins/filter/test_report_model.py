# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The report_model filter: the fleet report's data from registered facts results."""

from __future__ import annotations

import copy
import json

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.syno.activebackup.plugins.filter.report_model import FilterModule, report_model

NOW = 1767225600  # 2026-01-01T00:00:00Z
HOUR = 3600
TB = 10 ** 12
SECRETS = ('agent-token-9f2c', 'Login-Pa55!', 'Mssql-Pa55!', 'Oracle-Pa55!', 'nested-secret-77')


def last_result(status, hours_ago, errors=0, warnings=0, task_id=1, name='Laptops'):
    names = {2: 'success', 3: 'partial', 4: 'failed', 5: 'cancelled'}
    return {'result_id': 100 + task_id, 'task_id': task_id, 'task_name': name, 'backup_type': 2, 'job_action': 1,
            'status': status, 'status_name': names.get(status, 'unknown'),
            'time_start': NOW - int((hours_ago + 1) * HOUR), 'time_end': NOW - int(hours_ago * HOUR),
            'success_count': 5, 'warning_count': warnings, 'error_count': errors, 'none_count': 0,
            'transfered_bytes': 5 * 10 ** 9}


def device(device_id, host_name, status='online', **extra):
    out = {'device_id': device_id, 'host_name': host_name, 'host_ip': '10.0.0.%d' % device_id, 'os_name': 'Windows 11',
           'platform_type': 1, 'backup_type': 2, 'backup_type_name': 'pc', 'agent_status': status,
           'login_time': NOW - 100, 'task_count': 1}
    out.update(extra)
    return out


def version(version_id, hours_ago, status=3, status_name='completed'):
    return {'version_id': version_id, 'folder_name': 'ActiveBackup_%d' % version_id, 'status': status,
            'status_name': status_name, 'time_start': NOW - int((hours_ago + 1) * HOUR),
            'time_end': NOW - int(hours_ago * HOUR), 'used_size': 1000 * version_id}


def nas1_facts():
    """A NAS with every kind of task, a failed relink, a damaged file, an offline device and its system."""
    tasks = [
        {'task_id': 1, 'task_name': 'Laptops', 'backup_type': 2, 'backup_type_name': 'pc',
         'share_name': 'ActiveBackupforBusiness', 'device_count': 2, 'next_trigger_time': NOW + HOUR,
         'running': False, 'last_result': last_result(2, 3),
         'devices': [device(1, 'LAPTOP-01', agent_token='agent-token-9f2c'), device(2, 'LAPTOP-02', status='offline')],
         'version_count': 2, 'last_version_id': 12, 'versions': [version(12, 3), version(11, 27)],
         'latest_version': version(12, 3)},
        {'task_id': 2, 'task_name': 'File server', 'backup_type': 4, 'backup_type_name': 'file_server',
         'share_name': 'ActiveBackupforBusiness', 'device_count': 1, 'running': False,
         'last_result': last_result(4, 5, errors=3, task_id=2, name='File server'),
         'devices': [device(3, 'FS-01', login_password='Login-Pa55!')],
         'version_count': 0, 'versions': [], 'latest_version': None},
        {'task_id': 3, 'task_name': 'SQL', 'backup_type': 3, 'backup_type_name': 'physical_server',
         'running': True, 'progress': {'running_task_status': 1, 'percentage': 0.42, 'transfered_bytes': 10,
                                       'total_bytes': 100, 'pid': 77},
         'last_result': last_result(3, 20, errors=1, warnings=2, task_id=3, name='SQL'),
         'devices': [device(4, 'SQL-01', mssql_password='Mssql-Pa55!', oracle_password='Oracle-Pa55!')],
         'versions': [version(31, 20, status=5, status_name='partial'), version(30, 44)]},
        {'task_id': 4, 'task_name': 'New VMs', 'backup_type': 1, 'backup_type_name': 'vm', 'running': False,
         'last_result': None, 'devices': [], 'version_count': 0, 'latest_version': None},
        {'task_id': 5, 'task_name': 'Old NAS', 'backup_type': 5, 'backup_type_name': 'nas', 'running': False,
         'last_result': last_result(2, 50, task_id=5, name='Old NAS'), 'devices': [],
         'extra': {'deep': [{'client_secret': 'nested-secret-77', 'kept': 1}]}},
        {'task_id': 6, 'task_name': 'Warnings', 'backup_type': 2, 'backup_type_name': 'pc', 'running': False,
         'last_result': last_result(2, 1, warnings=4, task_id=6, name='Warnings'), 'devices': []},
    ]
    return {
        'gathered_subsets': ['shares', 'storages', 'volumes', 'files_check', 'tasks', 'devices', 'system'],
        'default_share': 'ActiveBackupforBusiness',
        'shares': [
            {'name': 'ActiveBackupforBusiness', 'path': '/volume1/ActiveBackupforBusiness', 'free_space': 4 * TB,
             'relinkable': False},
            {'name': 'ABB-Migrated', 'path': '/volume2/ABB-Migrated', 'free_space': 1 * TB, 'relinkable': True},
            {'name': 'Secure', 'path': '/volume1/Secure', 'free_space': 4 * TB, 'relinkable': False},
        ],
        'encrypted_shares': [{'name': 'Secure'}, {'name': 'Vault'}],
        'storages': [
            {'share_name': 'ActiveBackupforBusiness', 'storage_id': 1, 'volume_path': '/volume1', 'device_count': 4,
             'device_info': {'pc_count': 3, 'server_count': 1, 'vm_count': 0, 'dsm_count': 0, 'agentless_count': 0},
             'backup_tasks': [{'task_id': 1, 'task_name': 'Laptops'}, {'task_id': 2, 'task_name': 'File server'}],
             'relink_state': {'alive': False, 'owner': True, 'state': 0}},
            {'share_name': 'ABB-Migrated', 'storage_id': 7, 'volume_path': '/volume2', 'device_count': 0,
             'backup_tasks': [], 'relink_state': {'alive': False, 'owner': False, 'state': 0, 'error': {'code': 4401}}},
        ],
        'volumes': [
            {'volume_path': '/volume1', 'total_bytes': 10 * TB, 'used_bytes': 6 * TB, 'free_bytes': 4 * TB,
             'used_percent': 60.0},
            {'volume_path': '/volume2', 'total_bytes': 2 * TB, 'used_bytes': 1 * TB, 'free_bytes': 1 * TB,
             'used_percent': 50.0},
        ],
        'error_files': [{'share_name': 'ActiveBackupforBusiness', 'path': '@ActiveBackup/config/db', 'error': 5}],
        'tasks': tasks,
        'devices': [device(1, 'LAPTOP-01', agent_token='agent-token-9f2c'), device(2, 'LAPTOP-02', status='offline',
                                                                                   last_result={'status': 4})],
        'system': {'model': 'DS1821+', 'serial': '2150ABC123', 'version': '69057',
                   'version_string': 'DSM 7.2.1-69057 Update 5', 'uptime': 12345, 'temperature': 40},
    }


def nas3_facts():
    """Space only (facts of a module without the backup subsets): /volume1 at 95 %."""
    return {
        'default_share': 'ActiveBackupforBusiness',
        'shares': [{'name': 'ActiveBackupforBusiness', 'path': '/volume1/ActiveBackupforBusiness', 'free_space': 1}],
        'encrypted_shares': [],
        'storages': [
            {'share_name': 'ActiveBackupforBusiness', 'storage_id': 1, 'volume_path': '/volume1', 'device_count': 2,
             'device_info': {'pc_count': 2}, 'backup_tasks': ['raw-entry'], 'relink_state': {}},
            {'share_name': 'Elsewhere', 'storage_id': 2, 'volume_path': '/volume9', 'device_count': 1},
        ],
        'volumes': [{'volume_path': '/volume1', 'total_bytes': 1000, 'used_bytes': 950},
                    {'volume_path': '/volume3', 'total_bytes': 0, 'used_bytes': 0}],
    }


def results():
    return {
        'nas1': {'changed': False, 'ansible_facts': {'activebackup': nas1_facts()}},
        'nas2': {'failed': True, 'msg': 'SYNO.API.Auth.login on nas2:5001 failed: 400 No such account or incorrect password'},
        'nas3': {'changed': False, 'ansible_facts': {'activebackup': nas3_facts()}},
        'nas4': {'unreachable': True, 'msg': 'Failed to connect to the host via ssh'},
        'nas5': None,
        'nas6': {'skipped': True, 'changed': False},
    }


@pytest.fixture
def model():
    return report_model(results(), min_free_percent=10, max_backup_age_hours=26, now=NOW,
                        addresses={'nas1': 'nas1.example.com', 'nas3': 'nas3'})


def host(model, name):
    return next(h for h in model['hosts'] if h['name'] == name)


def test_the_filter_is_registered():
    assert FilterModule().filters() == {'report_model': report_model}


def test_top_level(model):
    assert model['title'] == 'Active Backup for Business fleet report'
    assert model['generated_at'] == '2026-01-01T00:00:00Z'
    assert (model['min_free_percent'], model['max_backup_age_hours']) == (10.0, 26)
    assert [h['name'] for h in model['hosts']] == ['nas1', 'nas2', 'nas3', 'nas4', 'nas5', 'nas6']
    json.dumps(model)  # plain data, fit for the JSON file


def test_summary_says_what_it_counts(model):
    assert model['summary'] == {
        'hosts': 6, 'reported': 2, 'not_reported': 4,
        'breaches': 2, 'breach_hosts': 1, 'flags': 4, 'devices': 7,
        'tasks': 6,
        'health': {'never': 1, 'failed': 1, 'overdue': 1, 'running': 1, 'warning': 1, 'ok': 1},
        'attention': 3, 'attention_hosts': 1, 'warnings': 1, 'warning_hosts': 1,
        'backup_devices': 2, 'devices_offline': 1, 'offline_hosts': 1,
    }


def test_hosts_that_did_not_report(model):
    assert host(model, 'nas2')['status'] == 'failed'
    assert 'No such account' in host(model, 'nas2')['error']
    assert (host(model, 'nas4')['status'], host(model, 'nas4')['error']) == ('unreachable', 'Failed to connect to the host via ssh')
    assert host(model, 'nas5')['status'] == 'not_gathered' and 'before the report role ran' in host(model, 'nas5')['error']
    assert host(model, 'nas6')['status'] == 'not_gathered' and 'skipped' in host(model, 'nas6')['error']
    for name in ('nas2', 'nas4', 'nas5', 'nas6'):
        entry = host(model, name)
        assert entry['tasks'] == [] and entry['backup_devices'] == [] and entry['system'] is None
        assert entry['volumes'] == [] and entry['breaches'] == [] and entry['devices'] == {}


def test_addresses(model):
    assert host(model, 'nas1')['address'] == 'nas1.example.com'
    assert host(model, 'nas2')['address'] is None


def test_volumes_and_breaches(model):
    nas3 = host(model, 'nas3')
    assert nas3['volumes'] == [
        {'volume_path': '/volume1', 'vol_name': None, 'total_bytes': 1000, 'used_bytes': 950, 'free_bytes': 50,
         'used_percent': 95.0, 'free_percent': 5.0, 'flagged': True},
        {'volume_path': '/volume3', 'vol_name': None, 'total_bytes': 0, 'used_bytes': 0, 'free_bytes': 0,
         'used_percent': None, 'free_percent': None, 'flagged': False},
    ]
    assert nas3['breaches'] == ['volume /volume1 has 5.0% free, below 10%',
                                'storage ActiveBackupforBusiness is on /volume1 with 5.0% free, below 10%']
    assert nas3['flags'] == nas3['breaches']
    assert host(model, 'nas1')['breaches'] == []


def test_the_threshold_is_exclusive():
    entry = report_model({'n': {'ansible_facts': {'activebackup': {'volumes': [
        {'volume_path': '/volume1', 'total_bytes': 100, 'used_bytes': 90}]}}}}, min_free_percent=10, now=NOW)
    assert entry['hosts'][0]['volumes'][0]['flagged'] is False
    entry = report_model({'n': {'ansible_facts': {'activebackup': {'volumes': [
        {'volume_path': '/volume1', 'total_bytes': 100, 'used_bytes': 90}]}}}}, min_free_percent=10.5, now=NOW)
    assert entry['hosts'][0]['volumes'][0]['flagged'] is True
    assert entry['hosts'][0]['breaches'] == ['volume /volume1 has 10.0% free, below 10.5%']


def test_storages(model):
    nas1 = {s['share_name']: s for s in host(model, 'nas1')['storages']}
    abb = nas1['ActiveBackupforBusiness']
    assert abb['relink'] == 'linked' and abb['relink_error_code'] is None
    assert abb['backup_tasks'] == ['Laptops', 'File server']
    assert abb['devices'] == {'pc': 3, 'server': 1, 'vm': 0, 'dsm': 0, 'agentless': 0}
    assert (abb['volume_total_bytes'], abb['volume_free_bytes'], abb['volume_free_percent'], abb['flagged']) == (
        10 * TB, 4 * TB, 40.0, False)
    migrated = nas1['ABB-Migrated']
    assert (migrated['relink'], migrated['relink_error_code']) == ('failed', 4401)
    nas3 = {s['share_name']: s for s in host(model, 'nas3')['storages']}
    assert nas3['ActiveBackupforBusiness']['backup_tasks'] == ['raw-entry']
    assert nas3['ActiveBackupforBusiness']['flagged'] is True
    assert nas3['Elsewhere']['volume_free_percent'] is None and nas3['Elsewhere']['flagged'] is False
    assert host(model, 'nas1')['devices'] == {'total': 4, 'pc': 3, 'server': 1, 'vm': 0, 'dsm': 0, 'agentless': 0}
    assert host(model, 'nas3')['devices']['total'] == 3


def test_relinking():
    facts = {'storages': [{'share_name': 'S', 'relink_state': {'alive': True}}]}
    model = report_model({'n': {'ansible_facts': {'activebackup': facts}}}, now=NOW)
    assert model['hosts'][0]['storages'][0]['relink'] == 'relinking'


def test_flags(model):
    assert host(model, 'nas1')['flags'] == ['relink of ABB-Migrated failed with error 4401',
                                            '1 repository file(s) reported by check_file']
    assert host(model, 'nas1')['files_checked'] is True and host(model, 'nas3')['files_checked'] is False


def test_shares(model):
    shares = {s['name']: s for s in host(model, 'nas1')['shares']}
    assert list(shares) == ['ActiveBackupforBusiness', 'ABB-Migrated', 'Secure', 'Vault']
    assert shares['ActiveBackupforBusiness'] == {
        'name': 'ActiveBackupforBusiness', 'path': '/volume1/ActiveBackupforBusiness', 'free_space': 4 * TB,
        'storage': True, 'relinkable': False, 'encrypted': False, 'mounted': True, 'default': True}
    # a failed relink links nothing
    assert shares['ABB-Migrated']['storage'] is False and shares['ABB-Migrated']['relinkable'] is True
    assert (shares['Secure']['encrypted'], shares['Secure']['mounted']) == (True, True)
    assert (shares['Vault']['encrypted'], shares['Vault']['mounted'], shares['Vault']['path']) == (True, False, None)


def test_system_info(model):
    assert host(model, 'nas1')['system'] == {'model': 'DS1821+', 'serial': '2150ABC123', 'version': '69057',
                                             'version_string': 'DSM 7.2.1-69057 Update 5', 'uptime': 12345}
    assert host(model, 'nas3')['system'] is None


def test_tasks_attention_first_with_their_health(model):
    tasks = host(model, 'nas1')['tasks']
    assert [(t['task_name'], t['health']) for t in tasks] == [
        ('File server', 'failed'), ('Old NAS', 'overdue'), ('New VMs', 'never'), ('Warnings', 'warning'),
        ('SQL', 'running'), ('Laptops', 'ok')]
    assert [t['attention'] for t in tasks] == [True, True, True, False, False, False]
    assert host(model, 'nas1')['backup_health'] == {'failed': 1, 'overdue': 1, 'never': 1, 'warning': 1,
                                                    'running': 1, 'ok': 1}
    assert host(model, 'nas1')['backups_gathered'] is True and host(model, 'nas3')['backups_gathered'] is False
    assert host(model, 'nas3')['tasks'] == []


def test_a_task_row(model):
    tasks = {t['task_name']: t for t in host(model, 'nas1')['tasks']}
    laptops = tasks['Laptops']
    assert {k: laptops[k] for k in ('task_id', 'backup_type', 'backup_type_name', 'share_name', 'health', 'running',
                                    'last_status', 'last_status_name', 'last_end', 'last_end_at', 'age_hours',
                                    'transfered_bytes', 'success_count', 'warning_count', 'error_count',
                                    'version_count', 'device_count', 'device_names', 'next_trigger_at',
                                    'progress_percent')} == {
        'task_id': 1, 'backup_type': 2, 'backup_type_name': 'pc', 'share_name': 'ActiveBackupforBusiness',
        'health': 'ok', 'running': False, 'last_status': 2, 'last_status_name': 'success',
        'last_end': NOW - 3 * HOUR, 'last_end_at': '2025-12-31T21:00:00Z', 'age_hours': 3.0,
        'transfered_bytes': 5 * 10 ** 9, 'success_count': 5, 'warning_count': 0, 'error_count': 0,
        'version_count': 2, 'device_count': 2, 'device_names': ['LAPTOP-01', 'LAPTOP-02'],
        'next_trigger_at': '2026-01-01T01:00:00Z', 'progress_percent': None}
    assert laptops['latest_version'] == {'version_id': 12, 'folder_name': 'ActiveBackup_12', 'status_name': 'completed',
                                         'time_end': NOW - 3 * HOUR, 'time_end_at': '2025-12-31T21:00:00Z',
                                         'used_size': 12000}
    assert laptops['reason'] == 'last run succeeded, ended 3 h ago'
    assert laptops['last_result']['result_id'] == 101


def test_versions_without_version_count_or_latest_version(model):
    sql = next(t for t in host(model, 'nas1')['tasks'] if t['task_name'] == 'SQL')
    assert sql['version_count'] == 2
    assert sql['latest_version']['version_id'] == 30  # the newest *completed* one
    assert sql['progress_percent'] == 42.0 and sql['running'] is True
    assert sql['device_count'] == 1
    never = next(t for t in host(model, 'nas1')['tasks'] if t['task_name'] == 'New VMs')
    assert (never['version_count'], never['latest_version'], never['last_end_at'], never['transfered_bytes']) == (
        0, None, None, None)
    warnings = next(t for t in host(model, 'nas1')['tasks'] if t['task_name'] == 'Warnings')
    assert warnings['version_count'] is None  # versions were not loaded


def test_attention(model):
    assert host(model, 'nas1')['backup_attention'] == [
        'backup task File server: failed (last run failed (3 errors, 0 warnings), ended 5 h ago)',
        'backup task Old NAS: overdue (last run (success) ended 50 h ago, more than the 26 h allowed)',
        'backup task New VMs: never (never ran: the task has no backup result yet)',
    ]
    assert [(a['host'], a['task_name'], a['health']) for a in model['attention']] == [
        ('nas1', 'File server', 'failed'), ('nas1', 'Old NAS', 'overdue'), ('nas1', 'New VMs', 'never')]
    assert model['attention'][0]['summary'] == (
        'nas1: backup task File server: failed (last run failed (3 errors, 0 warnings), ended 5 h ago)')
    assert model['attention'][0]['last_end_at'] == '2025-12-31T19:00:00Z'


def test_attention_across_hosts_is_sorted_by_health_then_host():
    def facts(*tasks):
        return {'ansible_facts': {'activebackup': {'tasks': list(tasks)}}}
    failed = {'task_id': 1, 'task_name': 'B', 'last_result': last_result(4, 1)}
    never = {'task_id': 2, 'task_name': 'A', 'last_result': None}
    model = report_model({'z': facts(failed), 'a': facts(never, dict(failed, task_name='C'))}, now=NOW)
    assert [(a['host'], a['task_name'], a['health']) for a in model['attention']] == [
        ('a', 'C', 'failed'), ('z', 'B', 'failed'), ('a', 'A', 'never')]
    assert (model['summary']['attention'], model['summary']['attention_hosts']) == (3, 2)


def test_the_age_threshold_and_clock_are_used():
    facts = {'ansible_facts': {'activebackup': {'tasks': [{'task_id': 1, 'task_name': 'T',
                                                           'last_result': last_result(2, 10)}]}}}
    assert report_model({'n': facts}, max_backup_age_hours=9, now=NOW)['hosts'][0]['tasks'][0]['health'] == 'overdue'
    assert report_model({'n': facts}, max_backup_age_hours=11, now=NOW)['hosts'][0]['tasks'][0]['health'] == 'ok'
    assert report_model({'n': facts}, now=NOW + 20 * HOUR)['hosts'][0]['tasks'][0]['health'] == 'overdue'


def test_backup_devices_offline_first_without_secrets(model):
    devices = host(model, 'nas1')['backup_devices']
    assert [(d['host_name'], d['offline']) for d in devices] == [('LAPTOP-02', True), ('LAPTOP-01', False)]
    assert devices[0]['last_status_name'] == 'failed' and devices[1]['last_status_name'] is None
    assert 'agent_token' not in devices[1] and devices[1]['host_ip'] == '10.0.0.1'
    assert host(model, 'nas1')['devices_offline'] == 1


def test_no_secret_anywhere(model):
    text = json.dumps(model)
    for secret in SECRETS:
        assert secret not in text
    for key in ('agent_token', 'login_password', 'mssql_password', 'oracle_password', 'client_secret'):
        assert key not in text


def test_the_input_is_not_changed():
    given = results()
    before = copy.deepcopy(given)
    report_model(given, now=NOW)
    assert given == before


def test_title_and_defaults():
    model = report_model({}, title='Night report', now=NOW)
    assert model['title'] == 'Night report' and model['hosts'] == [] and model['attention'] == []
    assert model['summary']['hosts'] == 0 and model['summary']['health']['ok'] == 0
    assert report_model({})['generated_at'].endswith('Z')


def test_odd_entries_are_left_out():
    facts = {'volumes': ['x', None], 'storages': [1], 'shares': 'none', 'tasks': [None, 'x'], 'devices': [[]]}
    entry = report_model({'n': {'ansible_facts': {'activebackup': facts}}}, now=NOW)['hosts'][0]
    assert entry['status'] == 'ok'
    assert (entry['volumes'], entry['storages'], entry['shares'], entry['tasks'], entry['backup_devices']) == (
        [], [], [], [], [])


@pytest.mark.parametrize('kwargs, message', [
    ({'results': []}, 'expects a dictionary of host name to the registered result of the facts task, not list'),
    ({'results': None}, 'not NoneType'),
    ({'min_free_percent': 101}, 'min_free_percent must be a number from 0 to 100, not 101'),
    ({'min_free_percent': -1}, 'min_free_percent must be a number from 0 to 100'),
    ({'min_free_percent': 'ten'}, "min_free_percent must be a number, not 'ten'"),
    ({'min_free_percent': True}, 'min_free_percent must be a number, not True'),
    ({'max_backup_age_hours': 0}, 'max_backup_age_hours must be a positive number of hours, not 0'),
    ({'max_backup_age_hours': 'x'}, 'max_backup_age_hours must be a positive number of hours'),
    ({'now': 'now'}, "now must be a number, not 'now'"),
    ({'now': -5}, 'now must be a number of 0 or more, not -5'),
    ({'addresses': ['a']}, 'addresses must be a dictionary of host name to address, not list'),
    ({'title': 5}, 'title must be a string, not int'),
])
def test_bad_input(kwargs, message):
    given = kwargs.pop('results', {})
    options = dict({'now': NOW}, **kwargs)
    with pytest.raises(AnsibleFilterError, match='^report_model: ') as caught:
        report_model(given, **options)
    assert message in str(caught.value)
