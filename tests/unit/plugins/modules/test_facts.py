# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""syno.activebackup.facts: gather_subset and the exact HTTP exchange (one compound round trip)."""

from __future__ import annotations

import json

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.syno.activebackup.plugins.module_utils import _client
from ansible_collections.syno.activebackup.plugins.module_utils._op_info import FACTS, resolve_subsets
from ansible_collections.syno.activebackup.plugins.module_utils._runner import execute
from ansible_collections.syno.activebackup.plugins.modules import facts as facts_module

from ansible_collections.syno.activebackup.tests.unit.plugins.module_utils.scripted import Expect, Script

ABB = 'SYNO.ActiveBackup.Share'
TASK = 'SYNO.ActiveBackup.Task'
DEVICE = 'SYNO.ActiveBackup.Device'
DSM_INFO = 'SYNO.DSM.Info'
SHARE = {'name': 'ActiveBackupforBusiness', 'path': '/volume1/ActiveBackupforBusiness', 'free_space': '10401845899264',
         'storage_id': 1, 'relinkable': False, 'available': True}
STORAGE = {'share_name': 'ActiveBackupforBusiness', 'storage_id': '1', 'device_count': 4, 'mounted': True,
           'backup_tasks': [], 'relink_state': {'alive': False, 'owner': True, 'state': 0, 'error': {'code': 0}}}
VOLUME = {'volume_path': '/volume1', 'total_bytes': '23030223990784', 'used_bytes': '12628378091520'}
ERROR_FILE = {'share_name': 'ActiveBackupforBusiness', 'path': '@ActiveBackup/x.db', 'error': 2}
# A device as DSM sends it (contract 11.1), with the secrets of contract section 9.
DEVICE_SECRETS = ('agent-token-F4C75D0E', 'login-pass-7QW2', 'mssql-pass-9ZK1', 'oracle-pass-3XJ8')
DEVICE_RAW = {'device_id': '3', 'host_name': 'pc-01', 'host_ip': '192.0.2.21', 'os_name': 'Windows 11', 'platform_type': '1',
              'backup_type': 2, 'agent_status': 'online', 'login_user': 'alice', 'task_count': '1',
              'agent_token': DEVICE_SECRETS[0], 'login_password': DEVICE_SECRETS[1], 'mssql_user': 'sa',
              'mssql_password': DEVICE_SECRETS[2], 'oracle_user': 'system', 'oracle_password': DEVICE_SECRETS[3],
              'last_result': {'result_id': '40', 'status': '2', 'time_start': 1700000000, 'time_end': '1700000600',
                              'transfered_bytes': '1048576'}}
DEVICE_OUT = {'device_id': 3, 'host_name': 'pc-01', 'host_ip': '192.0.2.21', 'os_name': 'Windows 11', 'platform_type': 1,
              'backup_type': 2, 'backup_type_name': 'pc', 'agent_status': 'online', 'login_user': 'alice', 'task_count': 1,
              'mssql_user': 'sa', 'oracle_user': 'system',
              'last_result': {'result_id': 40, 'status': 2, 'status_name': 'success', 'time_start': 1700000000,
                              'time_end': 1700000600, 'transfered_bytes': 1048576}}
TASK_RAW = {'task_id': '1', 'task_name': 'pc-daily', 'backup_type': '2', 'share_name': 'ActiveBackupforBusiness',
            'storage_id': 1, 'device_count': '1', 'next_trigger_time': '1700086400', 'version_count': 2,
            'last_version_id': '12', 'devices': [DEVICE_RAW], 'progress': {'pid': 0, 'running_task_status': 0},
            'last_result': {'result_id': 40, 'task_id': 1, 'backup_type': 2, 'status': 3, 'time_start': 1700000000,
                            'time_end': 1700000600, 'warning_count': '2', 'transfered_bytes': '1048576'},
            'versions': [{'version_id': 11, 'status': 3, 'time_end': 1699900000},
                         {'version_id': 12, 'status': '4', 'time_end': '1700000600'}]}
VERSION_11 = {'version_id': 11, 'status': 3, 'status_name': 'completed', 'time_end': 1699900000}
TASK_OUT = {'task_id': 1, 'task_name': 'pc-daily', 'backup_type': 2, 'backup_type_name': 'pc',
            'share_name': 'ActiveBackupforBusiness', 'storage_id': 1, 'device_count': 1, 'next_trigger_time': 1700086400,
            'version_count': 2, 'last_version_id': 12, 'devices': [DEVICE_OUT], 'running': False,
            'last_result': {'result_id': 40, 'task_id': 1, 'backup_type': 2, 'backup_type_name': 'pc', 'status': 3,
                            'status_name': 'partial', 'time_start': 1700000000, 'time_end': 1700000600,
                            'warning_count': 2, 'transfered_bytes': 1048576},
            'versions': [{'version_id': 12, 'status': 4, 'status_name': 'failed', 'time_end': 1700000600}, VERSION_11],
            'latest_version': VERSION_11}
SYSTEM_RAW = {'model': 'DS1821+', 'serial': '2150ABC123', 'version': '69057', 'version_string': 'DSM 7.2.1-69057 Update 5',
              'ram': '8192', 'uptime': '123456', 'temperature': 41, 'temperature_warn': False}
SYSTEM_OUT = {'model': 'DS1821+', 'serial': '2150ABC123', 'version': '69057', 'version_string': 'DSM 7.2.1-69057 Update 5',
              'ram': 8192, 'uptime': 123456, 'temperature': 41, 'temperature_warn': False}
DATA = {
    'list': {'default_share': 'ActiveBackupforBusiness', 'shares': [SHARE]},
    'list_encrypted': {'shares': []},
    'list_storage': {'storages': [STORAGE]},
    'list_volume': {'volumes': [VOLUME]},
    'check_file': {'error_files': [ERROR_FILE]},
    'tasks': {'tasks': [TASK_RAW], 'total': 1, 'has_devices': True},
    'devices': {'devices': [DEVICE_RAW], 'total': 1, 'total_devices_of_backup_type': 1},
    'system': SYSTEM_RAW,
}
# The reads of the compound request, in its order: (api, method, version, params).
TASK_LIST = {'load_status': True, 'load_result': True, 'load_devices': True, 'load_versions': True}
DEVICE_LIST = {'load_result': True}
READS = {
    'list': (ABB, 'list', 1, None),
    'list_encrypted': (ABB, 'list_encrypted', 1, None),
    'list_storage': (ABB, 'list_storage', 1, None),
    'list_volume': (ABB, 'list_volume', 1, None),
    'check_file': (ABB, 'check_file', 1, None),
    'tasks': (TASK, 'list', 1, dict(TASK_LIST, offset=0, limit=500)),
    'devices': (DEVICE, 'list', 1, dict(DEVICE_LIST, offset=0, limit=500)),
    'system': (DSM_INFO, 'getinfo', 2, None),
}
ALL_METHODS = ['list', 'list_encrypted', 'list_storage', 'list_volume', 'check_file', 'tasks', 'devices', 'system']
ALL_SUBSETS = ['shares', 'storages', 'volumes', 'files_check', 'tasks', 'devices', 'system']
GIVEN = {'sid': 'given-sid-0123456789', 'synotoken': 'given-token-0123'}

EXPECTED_ALL = {
    'gathered_subsets': ALL_SUBSETS,
    'default_share': 'ActiveBackupforBusiness',
    'shares': [dict(SHARE, free_space=10401845899264)],
    'encrypted_shares': [],
    'storages': [dict(STORAGE, storage_id=1)],
    'volumes': [{'volume_path': '/volume1', 'total_bytes': 23030223990784, 'used_bytes': 12628378091520,
                 'free_bytes': 10401845899264, 'used_percent': 54.8}],
    'error_files': [ERROR_FILE],
    'tasks': [TASK_OUT],
    'devices': [DEVICE_OUT],
    'system': SYSTEM_OUT,
}


def compound(methods, failed=(), data=None):
    """The expected SYNO.Entry.Request for ``methods`` (keys of READS) and DSM's answer (``failed`` ones answer 100).

    ``data`` overrides DATA for some reads."""
    answers = dict(DATA, **(data or {}))
    request = {'mode': 'sequential', 'stop_when_error': False, 'compound': []}
    results = []
    for m in methods:
        api, method, version, params = READS[m]
        request['compound'].append(dict({'api': api, 'method': method, 'version': version}, **(params or {})))
        item = {'api': api, 'method': method, 'version': version}
        if m in failed:
            item.update(success=False, error={'code': 100})
        else:
            item.update(success=True, data=answers[m])
        results.append(item)
    return Expect('SYNO.Entry.Request', 'request', version=1, params=request).answer(
        {'has_fail': bool(failed), 'result': results})


def alone(m, data=None, params=None):
    """The read ``m`` (a key of READS) sent alone, with its parameters (exactly)."""
    api, method, version, read_params = READS[m]
    return Expect(api, method, version=version, params=params if params is not None else dict(read_params or {})).answer(
        data if data is not None else DATA[m])


def secrets_absent(value):
    text = json.dumps(value)
    for secret in DEVICE_SECRETS:
        assert secret not in text
    for key in ('agent_token', 'login_password', 'mssql_password', 'oracle_password'):
        assert '"%s"' % key not in text


def facts_params(params, subset=None, **kw):
    return params(gather_subset=subset if subset is not None else ['all'], **kw)


# -- gather_subset -----------------------------------------------------------------------------


@pytest.mark.parametrize('requested, expected', [
    (None, ['shares', 'storages', 'volumes', 'files_check', 'tasks', 'devices', 'system']),
    (['all'], ['shares', 'storages', 'volumes', 'files_check', 'tasks', 'devices', 'system']),
    (['!files_check'], ['shares', 'storages', 'volumes', 'tasks', 'devices', 'system']),
    (['all', '!files_check', '!shares'], ['storages', 'volumes', 'tasks', 'devices', 'system']),
    (['!tasks', '!devices', '!system'], ['shares', 'storages', 'volumes', 'files_check']),
    (['system', 'tasks'], ['tasks', 'system']),
    (['!all', 'devices'], ['devices']),
    (['all', '!tasks'], ['shares', 'storages', 'volumes', 'files_check', 'devices', 'system']),
    (['volumes', 'shares'], ['shares', 'volumes']),
    (['!all', 'volumes'], ['volumes']),
    (['!all'], []),
    (['storages', '!storages'], ['storages']),
    ([' shares '], ['shares']),
])
def test_resolve_subsets(requested, expected):
    assert resolve_subsets(requested) == expected


@pytest.mark.parametrize('bad', ['share', '!volume', 'min', ''])
def test_unknown_subset_fails_before_any_request(params, bad):
    script = Script()
    result = execute(FACTS, facts_params(params, ['all', bad]), transport=script)
    script.done()
    assert result['failed'] is True
    assert 'gather_subset: unknown subset %r' % bad in result['msg']
    assert 'all, shares, storages, volumes, files_check, tasks, devices, system' in result['msg']


# -- the exchange ------------------------------------------------------------------------------


def test_all_is_login_one_compound_logout(params):
    script = Script(Expect.login(), compound(ALL_METHODS), Expect.logout())
    result = execute(FACTS, facts_params(params), transport=script)
    script.done()
    assert result == {'changed': False, 'ansible_facts': {'activebackup': EXPECTED_ALL}}
    secrets_absent(result)


def test_the_compound_request_of_all_on_the_wire(params):
    """Every read of ``all`` in one SYNO.Entry.Request, in this order, each with its API's version and parameters."""
    def check(request):
        sent = json.loads(dict(request.pairs)['compound'])
        assert sent == [
            {'api': ABB, 'method': 'list', 'version': 1},
            {'api': ABB, 'method': 'list_encrypted', 'version': 1},
            {'api': ABB, 'method': 'list_storage', 'version': 1},
            {'api': ABB, 'method': 'list_volume', 'version': 1},
            {'api': ABB, 'method': 'check_file', 'version': 1},
            {'api': TASK, 'method': 'list', 'version': 1, 'load_status': True, 'load_result': True,
             'load_devices': True, 'load_versions': True, 'offset': 0, 'limit': 500},
            {'api': DEVICE, 'method': 'list', 'version': 1, 'load_result': True, 'offset': 0, 'limit': 500},
            {'api': DSM_INFO, 'method': 'getinfo', 'version': 2},
        ]
    script = Script(Expect.login(), compound(ALL_METHODS).inspect(check), Expect.logout())
    result = execute(FACTS, facts_params(params), transport=script)
    script.done()
    assert result['ansible_facts']['activebackup'] == EXPECTED_ALL
    assert [call[1] for call in script.calls()] == ['login', 'request', 'logout']


def test_the_new_subsets_alone_are_one_compound(params):
    script = Script(Expect.login(), compound(['tasks', 'devices', 'system']), Expect.logout())
    result = execute(FACTS, facts_params(params, ['tasks', 'devices', 'system']), transport=script)
    script.done()
    assert result['ansible_facts']['activebackup'] == {'gathered_subsets': ['tasks', 'devices', 'system'],
                                                       'tasks': [TASK_OUT], 'devices': [DEVICE_OUT],
                                                       'system': SYSTEM_OUT}
    secrets_absent(result)


@pytest.mark.parametrize('subset, read, key, expected', [
    ('tasks', 'tasks', 'tasks', [TASK_OUT]),
    ('devices', 'devices', 'devices', [DEVICE_OUT]),
    ('system', 'system', 'system', SYSTEM_OUT),
])
def test_one_new_subset_is_a_plain_call(params, subset, read, key, expected):
    script = Script(Expect.login(), alone(read), Expect.logout())
    result = execute(FACTS, facts_params(params, [subset]), transport=script)
    script.done()
    assert result['ansible_facts']['activebackup'] == {'gathered_subsets': [subset], key: expected}


def test_tasks_beyond_the_first_page_are_read_after_the_compound(params):
    """The first page travels in the compound request; the next ones (offset 500, ...) follow alone."""
    def task(index):
        return {'task_id': index, 'task_name': 'task-%04d' % index, 'backup_type': 2}
    first = {'tasks': [task(i) for i in range(1, 501)], 'total': 1001}
    second = {'tasks': [task(i) for i in range(501, 1001)], 'total': 1001}
    third = {'tasks': [task(1001)], 'total': 1001}
    script = Script(
        Expect.login(),
        compound(['tasks', 'system'], data={'tasks': first}),
        alone('tasks', second, params=dict(TASK_LIST, offset=500, limit=500)),
        alone('tasks', third, params=dict(TASK_LIST, offset=1000, limit=500)),
        Expect.logout(),
    )
    result = execute(FACTS, facts_params(params, ['tasks', 'system']), transport=script)
    script.done()
    tasks = result['ansible_facts']['activebackup']['tasks']
    assert [t['task_id'] for t in tasks] == list(range(1, 1002))
    assert tasks[0] == {'task_id': 1, 'task_name': 'task-0001', 'backup_type': 2, 'backup_type_name': 'pc',
                        'last_result': None, 'running': False}
    assert result['ansible_facts']['activebackup']['system'] == SYSTEM_OUT


def test_system_version_is_the_build_as_text(params):
    script = Script(Expect.login(), alone('system', {'model': 'DS920+', 'version': 42962, 'uptime': '7'}), Expect.logout())
    result = execute(FACTS, facts_params(params, ['system']), transport=script)
    script.done()
    assert result['ansible_facts']['activebackup']['system'] == {'model': 'DS920+', 'version': '42962', 'uptime': 7}


def test_with_a_session_facts_is_one_request(params):
    def check(request):
        assert request.form['_sid'] == GIVEN['sid']
        assert request.headers['X-SYNO-TOKEN'] == GIVEN['synotoken']
    script = Script(compound(ALL_METHODS).inspect(check))
    result = execute(FACTS, facts_params(params, session=GIVEN, username=None, password=None), transport=script)
    script.done()
    assert result['ansible_facts']['activebackup'] == EXPECTED_ALL


def test_exclusions_leave_their_reads_and_facts_out(params):
    script = Script(Expect.login(), compound(['list', 'list_encrypted', 'list_volume']), Expect.logout())
    result = execute(FACTS, facts_params(params, ['!storages', '!files_check', '!tasks', '!devices', '!system']),
                     transport=script)
    script.done()
    facts = result['ansible_facts']['activebackup']
    assert sorted(facts) == ['default_share', 'encrypted_shares', 'gathered_subsets', 'shares', 'volumes']
    assert facts['gathered_subsets'] == ['shares', 'volumes']


def test_exclusions_keep_the_new_subsets_in_the_one_compound(params):
    script = Script(Expect.login(), compound(['list', 'list_encrypted', 'list_volume', 'tasks', 'devices', 'system']),
                    Expect.logout())
    result = execute(FACTS, facts_params(params, ['!storages', '!files_check']), transport=script)
    script.done()
    facts = result['ansible_facts']['activebackup']
    assert sorted(facts) == ['default_share', 'devices', 'encrypted_shares', 'gathered_subsets', 'shares', 'system',
                             'tasks', 'volumes']
    assert facts['gathered_subsets'] == ['shares', 'volumes', 'tasks', 'devices', 'system']
    assert facts['tasks'] == [TASK_OUT] and facts['devices'] == [DEVICE_OUT] and facts['system'] == SYSTEM_OUT


def test_one_read_is_a_plain_call(params):
    script = Script(Expect.login(), Expect.abb('list_volume', data=DATA['list_volume']), Expect.logout())
    result = execute(FACTS, facts_params(params, ['volumes']), transport=script)
    script.done()
    assert result['ansible_facts']['activebackup'] == {'gathered_subsets': ['volumes'],
                                                       'volumes': EXPECTED_ALL['volumes']}


def test_nothing_gathered_sends_nothing(params):
    script = Script()
    result = execute(FACTS, facts_params(params, ['!all']), transport=script)
    script.done()
    assert result == {'changed': False, 'ansible_facts': {'activebackup': {'gathered_subsets': []}}}


@pytest.mark.parametrize('code', [102, 103])
def test_without_compound_requests_one_request_per_read(params, code):
    script = Script(
        Expect.login(),
        Expect('SYNO.Entry.Request', 'request', version=1).error(code),
        *[alone(m) for m in ALL_METHODS],
        Expect.logout()
    )
    result = execute(FACTS, facts_params(params), transport=script)
    script.done()
    assert result['ansible_facts']['activebackup'] == EXPECTED_ALL


def test_a_read_that_failed_inside_the_compound_is_repeated_alone(params):
    script = Script(
        Expect.login(),
        compound(ALL_METHODS, failed=('list_storage',)),
        Expect.abb('list_storage', data=DATA['list_storage']),
        Expect.logout(),
    )
    result = execute(FACTS, facts_params(params), transport=script)
    script.done()
    assert result['ansible_facts']['activebackup'] == EXPECTED_ALL


@pytest.mark.parametrize('failed', ['tasks', 'devices', 'system'])
def test_a_new_read_that_failed_inside_the_compound_is_repeated_alone(params, failed):
    script = Script(Expect.login(), compound(ALL_METHODS, failed=(failed,)), alone(failed), Expect.logout())
    result = execute(FACTS, facts_params(params), transport=script)
    script.done()
    assert result['ansible_facts']['activebackup'] == EXPECTED_ALL


def test_a_read_that_fails_again_fails_the_task(params):
    script = Script(
        Expect.login(),
        compound(ALL_METHODS, failed=('check_file',)),
        Expect.abb('check_file').error(160),
        Expect.logout(),
    )
    result = execute(FACTS, facts_params(params), transport=script)
    script.done()
    assert result['failed'] is True
    assert 'SYNO.ActiveBackup.Share.check_file' in result['msg']
    assert 'error 160' in result['msg']
    assert 'ansible_facts' not in result


def test_an_abb_job_read_that_fails_again_names_the_abb_meaning(params):
    script = Script(
        Expect.login(),
        compound(ALL_METHODS, failed=('tasks',)),
        Expect(TASK, 'list', version=1, params=dict(TASK_LIST, offset=0, limit=500)).error(1001),
        Expect.logout(),
    )
    result = execute(FACTS, facts_params(params), transport=script)
    script.done()
    assert result['failed'] is True
    assert 'SYNO.ActiveBackup.Task.list on nas.example.com failed: error 1001 (Internal error of Active Backup for ' \
           'Business)' in result['msg']
    assert result['error']['meaning'] == 'Internal error of Active Backup for Business'
    assert 'ansible_facts' not in result


def test_an_expired_session_with_credentials_logs_in_once(params):
    script = Script(
        Expect('SYNO.Entry.Request', 'request', version=1).error(119),
        Expect.login(),
        compound(ALL_METHODS),
        Expect.logout(),
    )
    result = execute(FACTS, facts_params(params, session=GIVEN), transport=script)
    script.done()
    assert result['ansible_facts']['activebackup'] == EXPECTED_ALL
    assert 'logged in again' in result['warnings'][0]


# -- the module file ---------------------------------------------------------------------------


def test_module_sets_ansible_facts(monkeypatch, capsys):
    script = Script(Expect.login(), compound(['list_storage', 'list_volume']), Expect.logout())
    monkeypatch.setattr(_client, 'RequestsTransport', lambda **kwargs: script)
    with patch_module_args({'host': 'nas.example.com', 'username': 'admin', 'password': 'Adm1n-Secret!',
                            'gather_subset': 'storages,volumes'}):
        with pytest.raises(SystemExit):
            facts_module.main()
    script.done()
    out = json.loads(capsys.readouterr().out)
    assert out['changed'] is False
    assert out['ansible_facts']['activebackup']['gathered_subsets'] == ['storages', 'volumes']
    assert out['ansible_facts']['activebackup']['volumes'] == EXPECTED_ALL['volumes']
