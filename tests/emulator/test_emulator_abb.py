# -*- coding: utf-8 -*-
# Copyright: contributors to syno.activebackup
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Self-tests of the emulator's backup jobs (contract sections 9-16): SYNO.ActiveBackup.Task,
Device, Version, Log, Setting, SYNO.DSM.Info, auth.cgi logins, compound reads, runs, knobs and
faults. One emulator process (HTTPS, three NAS, scenario full, short runs)."""

from __future__ import annotations

import json
import os
import sys
import time

import pytest
import requests

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from control import EmulatorControlError, start_emulator  # noqa: E402

TASK = 'SYNO.ActiveBackup.Task'
DEVICE = 'SYNO.ActiveBackup.Device'
VERSION = 'SYNO.ActiveBackup.Version'
LOG = 'SYNO.ActiveBackup.Log'
SETTING = 'SYNO.ActiveBackup.Setting'
SHARE = 'SYNO.ActiveBackup.Share'
DSM_INFO = 'SYNO.DSM.Info'
ADMIN = ('admin', 'Adm1n-Secret!')
RUN_SECONDS = 0.4
SECRETS = ('agent_token', 'login_password', 'mssql_password', 'oracle_password')


@pytest.fixture(scope='module')
def emulator(tmp_path_factory):
    handle = start_emulator(tmp_path_factory.mktemp('emulator-abb'), count=3, scenario='full',
                            extra_args=['--run-seconds', str(RUN_SECONDS)])
    yield handle
    assert handle.stop() == 0


@pytest.fixture
def ctl(emulator):
    for index in range(len(emulator.nas)):
        emulator.control(index).reset()
    return emulator.control(0)


class Dsm:
    """A client that speaks the contract: POST form bodies, JSON values."""

    def __init__(self, url, ca):
        self.url = url + '/webapi/'
        self.http = requests.Session()
        self.http.verify = ca if ca else True
        self.http.trust_env = False
        self.sid = None

    def call(self, api, method, version=1, cgi='entry.cgi', **params):
        fields = {'api': api, 'version': str(version), 'method': method}
        if self.sid:
            fields['_sid'] = self.sid
        fields.update((name, json.dumps(value)) for name, value in params.items())
        return self.http.post(self.url + cgi, data=fields, timeout=15).json()

    def data(self, api, method, **params):
        answer = self.call(api, method, **params)
        assert answer['success'], answer
        return answer.get('data')

    def login(self, account=ADMIN[0], passwd=ADMIN[1]):
        answer = self.http.post(self.url + 'entry.cgi', data={
            'api': 'SYNO.API.Auth', 'version': '7', 'method': 'login', 'account': account, 'passwd': passwd,
            'format': 'sid', 'session': 'webui'}, timeout=15).json()
        assert answer['success'], answer
        self.sid = answer['data']['sid']
        return self

    def tasks(self, **params):
        return self.data(TASK, 'list', load_result=True, load_devices=True, **params)

    def task(self, name, **params):
        found = [item for item in self.tasks(**params)['tasks'] if item['task_name'] == name]
        assert len(found) == 1, name
        return found[0]


def code_of(answer):
    assert answer['success'] is False, answer
    return answer['error']['code']


@pytest.fixture
def dsm(emulator, ctl):
    return Dsm(emulator.url(0), emulator.ca).login()


def wait_ended(dsm, name, limit=10.0):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        task = dsm.task(name)
        if 'progress' not in task:
            return task
        time.sleep(0.05)
    raise AssertionError('%s still running after %s s' % (name, limit))


def logs_of_result(dsm, result_id, task_id):
    return [log for log in dsm.data(LOG, 'list_log', task_id=task_id, limit=50)['logs'] if log['result_id'] == result_id]


# ------------------------------------------------------------------ discovery, versions, routing


def test_info_advertises_job_apis_and_versions(emulator, dsm, ctl):
    info = dsm.http.post(dsm.url + 'query.cgi', data={'api': 'SYNO.API.Info', 'version': '1', 'method': 'query',
                                                      'query': 'SYNO.ActiveBackup.,SYNO.DSM.Info'}, timeout=5).json()['data']
    for api in (TASK, DEVICE, VERSION, LOG, SETTING, 'SYNO.ActiveBackup.Overview'):
        assert info[api]['path'] == 'entry.cgi' and info[api]['minVersion'] == 1 and info[api]['maxVersion'] == 2, api
    assert info[DSM_INFO] == {'path': 'entry.cgi', 'minVersion': 1, 'maxVersion': 2}
    # contract 9: a client that takes maxVersion from Info fails like on a real NAS
    for api, method in ((TASK, 'list'), (DEVICE, 'list'), (VERSION, 'list'), (LOG, 'list_result'), (SETTING, 'list')):
        assert code_of(dsm.call(api, method, version=2, task_id=1)) == 103, api
        assert code_of(dsm.call(api, method, version=3)) == 104, api
    # contract 13.3: methods that do not exist
    assert code_of(dsm.call(LOG, 'list')) == 103
    assert code_of(dsm.call('SYNO.ActiveBackup.Overview', 'get')) == 103
    assert code_of(dsm.call(TASK, 'backup_now', task_ids=[1])) == 103
    assert code_of(dsm.call(TASK, 'list', cgi='auth.cgi')) == 102
    ctl.faults(abb_missing=True)
    assert TASK not in dsm.http.get(dsm.url + 'query.cgi', params={'api': 'SYNO.API.Info', 'version': '1', 'method': 'query'},
                                    timeout=5).json()['data']
    assert code_of(dsm.call(TASK, 'list')) == 102


def test_viewer_gets_105_on_jobs_but_reads_dsm_info(emulator, ctl):
    viewer = Dsm(emulator.url(0), emulator.ca).login('viewer', 'V1ewer-Secret!')
    for api, method in ((TASK, 'list'), (DEVICE, 'list'), (SETTING, 'list'), (LOG, 'list_log')):
        assert code_of(viewer.call(api, method)) == 105
    assert viewer.data(DSM_INFO, 'getinfo', version=2)['model'] == 'DS1821+'
    assert code_of(Dsm(emulator.url(0), emulator.ca).call(TASK, 'list')) == 119


# ------------------------------------------------------------------ Task.list


def test_task_list_fields_paging_and_filters(dsm):
    everything = dsm.tasks(load_status=True, load_versions=True)
    names = [task['task_name'] for task in everything['tasks']]
    assert names == ['Office-PCs', 'Design-Workstations', 'Laptops', 'File-Server', 'VM-Cluster', 'SMB-Archive', 'NAS-Replica']
    assert everything['total'] == 7 and everything['has_devices'] and everything['has_windows_agent']
    assert everything['has_linux_agent'] and everything['has_mac_agent'] and everything['has_dsm_agent']
    by_name = dict((task['task_name'], task) for task in everything['tasks'])
    office = by_name['Office-PCs']
    for field in ('task_id', 'backup_type', 'share_name', 'storage_id', 'target_dir', 'device_count', 'next_trigger_time',
                  'sched_content', 'retention_policy', 'allow_manual_backup'):
        assert field in office, field
    assert 'emu' not in office, 'internal fields stay inside the emulator'
    assert office['backup_type'] == 2 and office['device_count'] == 2 and office['next_trigger_time'] > time.time()
    assert office['last_result']['status'] == 2 and office['last_result']['transfered_bytes'] > 0
    assert office['version_count'] == len(office['versions']) == 10 and office['last_version_id'] == office['versions'][0]['version_id']
    assert by_name['SMB-Archive']['last_result'] is None and by_name['SMB-Archive']['next_trigger_time'] == 0
    assert by_name['Design-Workstations']['last_result']['status'] == 3
    assert by_name['File-Server']['last_result']['status'] == 4 and by_name['File-Server']['last_result']['error_count'] == 1
    assert time.time() - by_name['VM-Cluster']['last_result']['time_end'] > 26 * 3600
    assert [task['backup_type'] for task in everything['tasks']] == [2, 2, 2, 3, 1, 4, 5]
    replica = by_name['NAS-Replica']['progress']
    assert replica['running_task_status'] == 1 and replica['pid'] > 0 and 0.0 < replica['percentage'] < 1.0
    assert all('progress' not in task for task in everything['tasks'] if task['task_name'] != 'NAS-Replica')
    # secrets ride along in devices[] (contract 9)
    device = office['devices'][0]
    assert device['agent_token'].startswith('EMU-AGENT-TOKEN-nas1-dev1-') and device['login_password'].startswith('EMU-LOGIN-PASSWORD-nas1-dev1-')
    # paging: total is the number of matches
    page = dsm.tasks(offset=2, limit=3)
    assert page['total'] == 7 and [task['task_name'] for task in page['tasks']] == names[2:5]
    assert dsm.tasks(offset=6, limit=3)['tasks'][0]['task_name'] == 'NAS-Replica'
    # filters
    only = dsm.tasks(filter={'task_id': 4})
    assert only['total'] == 1 and only['tasks'][0]['task_name'] == 'File-Server'
    assert [task['task_name'] for task in dsm.tasks(filter={'backup_type': 2})['tasks']] == names[:3]
    assert [task['task_name'] for task in dsm.tasks(filter={'device_id': 6})['tasks']] == ['Laptops']
    assert dsm.tasks(task_id=4)['total'] == 7, 'task_id works only inside filter'
    bare = dsm.data(TASK, 'list')
    assert 'last_result' not in bare['tasks'][0] and 'devices' not in bare['tasks'][0] and 'versions' not in bare['tasks'][0]
    assert code_of(dsm.call(TASK, 'list', filter='not-an-object')) == 120


def test_demo_fleet_differs_per_nas(emulator, ctl):
    statuses = []
    for index in range(3):
        client = Dsm(emulator.url(index), emulator.ca).login()
        tasks = client.tasks()['tasks']
        statuses.append(dict((task['task_name'], (task['last_result'] or {}).get('status')) for task in tasks))
        assert [task['task_name'] for task in tasks][:3] == ['Office-PCs', 'Design-Workstations', 'Laptops']
        running = [task['task_name'] for task in tasks if 'progress' in task]
        assert running == (['NAS-Replica'] if index == 0 else [])
    assert statuses[0] == {'Office-PCs': 2, 'Design-Workstations': 3, 'Laptops': 2, 'File-Server': 4, 'VM-Cluster': 2,
                           'SMB-Archive': None, 'NAS-Replica': 2}
    assert set(statuses[1].values()) == {2}, 'nas2 is all green'
    assert statuses[2]['Office-PCs'] == 5 and statuses[2]['Laptops'] == 4 and statuses[2]['SMB-Archive'] is None
    offline = [device['host_name'] for device in emulator.control(2).jobs()['devices'] if device['agent_status'] == 'offline']
    assert offline == ['LAPTOP-BEN']


# ------------------------------------------------------------------ Device.list


def test_device_list_filters_and_secrets(emulator, dsm):
    answer = dsm.data(DEVICE, 'list', load_result=True)
    assert answer['total'] == len(answer['devices']) == 11 and answer['total_devices_of_backup_type'] == 0
    ids = [device['device_id'] for device in answer['devices']]
    assert ids == list(range(1, 12))
    for device in answer['devices']:
        for field in ('device_uuid', 'host_name', 'host_ip', 'os_name', 'platform_type', 'backup_type', 'create_time',
                      'login_time', 'login_user', 'task_count', 'agent_status', 'mssql_user', 'oracle_user') + SECRETS:
            assert field in device, field
        assert device['agent_token'] == 'EMU-AGENT-TOKEN-nas1-dev%d-%s' % (device['device_id'], device['agent_token'][-4:])
        assert len(set(device[name] for name in SECRETS)) == 4
    smb = [device for device in answer['devices'] if device['host_name'] == 'archive-smb'][0]
    assert smb['last_result'] is None and smb['task_count'] == 1
    assert [device['last_result']['task_name'] for device in answer['devices'][:2]] == ['Office-PCs', 'Office-PCs']
    pcs = dsm.data(DEVICE, 'list', filter={'backup_type': 2}, offset=1, limit=2)
    assert pcs['total'] == 6 and pcs['total_devices_of_backup_type'] == 6 and [d['device_id'] for d in pcs['devices']] == [2, 3]
    one = dsm.data(DEVICE, 'list', filter={'host_name': 'laptop-ben'})
    assert one['total'] == 1 and one['devices'][0]['device_id'] == 6 and 'last_result' not in one['devices'][0]
    other = Dsm(emulator.url(1), emulator.ca).login().data(DEVICE, 'list')['devices'][0]
    assert other['agent_token'].startswith('EMU-AGENT-TOKEN-nas2-dev1-') and other['agent_token'] != answer['devices'][0]['agent_token']


# ------------------------------------------------------------------ Version.list


def test_version_list(dsm):
    assert code_of(dsm.call(VERSION, 'list')) == 120
    assert code_of(dsm.call(VERSION, 'list', task_id=999)) == 1010
    answer = dsm.data(VERSION, 'list', task_id=1)
    assert answer['total'] == 10 and len(answer['versions']) == 10
    ends = [version['time_end'] for version in answer['versions']]
    assert ends == sorted(ends, reverse=True)
    for field in ('version_id', 'folder_name', 'time_start', 'time_end', 'status', 'verify_status', 'used_size', 'locked',
                  'is_snapshot', 'data_format'):
        assert field in answer['versions'][0], field
    assert answer['versions'][0]['folder_name'].startswith('ActiveBackup_') and answer['versions'][0]['status'] in (3, 5)
    page = dsm.data(VERSION, 'list', task_id=1, offset=8, limit=5)
    assert page['total'] == 10 and [v['version_id'] for v in page['versions']] == [v['version_id'] for v in answer['versions'][8:]]
    assert dsm.data(VERSION, 'list', task_id=6) == {'total': 0, 'versions': []}
    partial = dsm.data(VERSION, 'list', task_id=2)['versions'][0]
    assert partial['status'] == 5


# ------------------------------------------------------------------ Log.list_result and list_log


def test_list_result_paging_and_filters(dsm):
    first = dsm.data(LOG, 'list_result', task_id=1, offset=0, limit=50)
    assert first['count'] == 180 and len(first['results']) == 50
    seen = []
    for offset in range(0, 200, 50):
        page = dsm.data(LOG, 'list_result', task_id=1, offset=offset, limit=50)
        assert page['count'] == 180
        seen += page['results']
    assert len(seen) == 180 and len(set(item['result_id'] for item in seen)) == 180
    starts = [item['time_start'] for item in seen]
    assert starts == sorted(starts, reverse=True), 'newest first'
    assert time.time() - starts[-1] > 55 * 86400, 'about 60 days of history'
    for field in ('result_id', 'task_id', 'task_name', 'backup_type', 'job_action', 'status', 'time_start', 'time_end',
                  'success_count', 'warning_count', 'error_count', 'none_count', 'transfered_bytes'):
        assert field in seen[0], field
    assert seen[0]['task_config']['device_list'] == [{'device_id': 1, 'host_name': 'OFFICE-PC-01'},
                                                     {'device_id': 2, 'host_name': 'OFFICE-PC-02'}]
    everything = dsm.data(LOG, 'list_result', limit=1000)
    assert everything['count'] == len(everything['results']) > 250
    failed = dsm.data(LOG, 'list_result', filter={'status': [4]})
    assert failed['count'] >= 1 and all(item['status'] == 4 for item in failed['results'])
    assert failed['count'] < everything['count']
    both = dsm.data(LOG, 'list_result', filter={'status': [3, 4]})['count']
    partial = dsm.data(LOG, 'list_result', filter={'status': [3]})['count']
    assert both == partial + failed['count']
    since = int(time.time() - 3 * 86400)
    recent = dsm.data(LOG, 'list_result', task_id=1, filter={'from_timestamp': since})
    assert 6 <= recent['count'] <= 10 and all(item['time_start'] >= since for item in recent['results'])
    window = dsm.data(LOG, 'list_result', filter={'from_timestamp': since, 'to_timestamp': since + 86400})
    assert all(since <= item['time_start'] <= since + 86400 for item in window['results'])
    vms = dsm.data(LOG, 'list_result', filter={'backup_type': 1, 'job_action': 1})
    assert vms['count'] == 28 and {item['task_name'] for item in vms['results']} == {'VM-Cluster'}
    assert dsm.data(LOG, 'list_result', filter={'key_word': 'laptop-anna'})['count'] == 21
    assert dsm.data(LOG, 'list_result', filter={'job_action': 512})['count'] == 0


def test_list_log_filters(dsm):
    everything = dsm.data(LOG, 'list_log', limit=0)
    assert everything['count'] == len(everything['logs']) > 500
    times = [log['log_time'] for log in everything['logs']]
    assert times == sorted(times, reverse=True)
    for field in ('log_id', 'log_time', 'log_level', 'log_type', 'error_code', 'task_id', 'task_name', 'device_id',
                  'device_name', 'result_id', 'user_name', 'other_params'):
        assert field in everything['logs'][0], field
    errors = dsm.data(LOG, 'list_log', filter={'log_level': [0]}, limit=5)
    assert errors['count'] >= 1 and all(log['log_level'] == 0 and log['log_type'] == 1104 for log in errors['logs'])
    levels = {log['log_level'] for log in everything['logs']}
    assert levels == {0, 1, 2}
    warnings = dsm.data(LOG, 'list_log', filter={'log_level': [0, 1]})['count']
    assert warnings == errors['count'] + dsm.data(LOG, 'list_log', filter={'log_level': [1]})['count']
    server = dsm.data(LOG, 'list_log', task_id=4, offset=0, limit=3)
    assert len(server['logs']) == 3 and server['count'] == sum(1 for log in everything['logs'] if log['task_id'] == 4) >= 60
    assert all(log['task_id'] == 4 for log in server['logs'])
    assert server['logs'][0]['log_type'] == 1104 and server['logs'][0]['result_id'] > 0
    device = dsm.data(LOG, 'list_log', filter={'device_id': 7})
    assert device['count'] >= 1 and all(log['device_id'] == 7 for log in device['logs'])
    since = int(time.time() - 86400)
    recent = dsm.data(LOG, 'list_log', filter={'from_timestamp': since})
    assert all(log['log_time'] >= since for log in recent['logs']) and recent['count'] < everything['count']
    vm_logs = [log for log in everything['logs'] if log['task_name'] == 'VM-Cluster']
    assert dsm.data(LOG, 'list_log', filter={'key_word': 'vm-cluster'})['count'] == len(vm_logs) >= 56
    assert code_of(dsm.call(LOG, 'list_log', filter={'log_level': ['error']})) == 120


# ------------------------------------------------------------------ runs


def test_backup_run_lifecycle(dsm, ctl):
    before = dsm.task('Office-PCs', load_versions=True)
    results_before = ctl.jobs()['results_count']
    assert dsm.call(TASK, 'backup', task_ids=[1], trigger_type=1) == {'success': True}
    seen = []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        task = dsm.task('Office-PCs')
        if 'progress' not in task:
            break
        seen.append(task['progress'])
        time.sleep(0.03)
    assert len(seen) >= 2, 'the run is visible while it lasts'
    assert all(item['running_task_status'] == 1 and item['pid'] > 0 and item['total_bytes'] > 0 for item in seen)
    percentages = [item['percentage'] for item in seen]
    assert percentages == sorted(percentages) and 0.0 <= percentages[0] < percentages[-1] < 1.0
    assert [item['transfered_bytes'] for item in seen] == sorted(item['transfered_bytes'] for item in seen)
    after = dsm.task('Office-PCs', load_versions=True)
    result = after['last_result']
    assert result['result_id'] > before['last_result']['result_id'] and result['status'] == 2
    assert result['time_end'] >= result['time_start'] >= int(time.time()) - 10
    assert result['transfered_bytes'] == seen[-1]['total_bytes'] and result['success_count'] == 2
    assert after['last_version_id'] > before['last_version_id'] and after['versions'][0]['status'] == 3
    assert after['version_count'] == 10, 'retention keeps 10 versions'
    assert [log['log_type'] for log in logs_of_result(dsm, result['result_id'], 1)] == [1102]
    assert dsm.data(LOG, 'list_log', task_id=1, limit=2)['logs'][1]['log_type'] == 1101
    assert dsm.data(LOG, 'list_result', task_id=1, limit=1)['results'][0]['result_id'] == result['result_id']
    assert ctl.jobs()['results_count'] == results_before + 1
    stats = ctl.stats()
    assert stats['writes_by_call'] == {TASK + '.backup': 1} and stats['writes_by_method'] == {'backup': 1}
    assert stats['calls'][TASK + '.backup'] == 1


def test_second_start_answers_4007_and_never_runs_twice(dsm, ctl):
    ctl.jobs(run_seconds=30)
    assert dsm.call(TASK, 'backup', task_ids=[2])['success']
    pid = dsm.task('Design-Workstations')['progress']['pid']
    assert code_of(dsm.call(TASK, 'backup', task_ids=[2], trigger_type=1)) == 4007
    assert dsm.task('Design-Workstations')['progress']['pid'] == pid
    assert code_of(dsm.call(TASK, 'backup', task_ids=[7])) == 4007, 'NAS-Replica runs from the start'
    assert ctl.stats()['writes'] == 1
    summary = ctl.jobs()
    assert sorted(summary['running']) == ['Design-Workstations', 'NAS-Replica']


@pytest.mark.parametrize('outcome, status, version_status, last_log', [
    ('success', 2, 3, 1102), ('partial', 3, 5, 1105), ('failed', 4, None, 1104), ('cancelled', 5, None, 1103)])
def test_run_outcomes(dsm, ctl, outcome, status, version_status, last_log):
    ctl.task_knobs('VM-Cluster', outcome=outcome, run_seconds=0.1)
    before = dsm.task('VM-Cluster', load_versions=True)
    assert dsm.call(TASK, 'backup', task_ids=[5])['success']
    after = wait_ended(dsm, 'VM-Cluster')
    after = dsm.task('VM-Cluster', load_versions=True)
    result = after['last_result']
    assert result['status'] == status and result['result_id'] > before['last_result']['result_id']
    if version_status is None:
        assert after['last_version_id'] == before['last_version_id']
    else:
        assert after['versions'][0]['status'] == version_status and after['last_version_id'] > before['last_version_id']
    assert logs_of_result(dsm, result['result_id'], 5)[0]['log_type'] == last_log
    if outcome == 'failed':
        assert result['error_count'] == 2 and result['success_count'] == 0
    if outcome == 'partial':
        assert result['warning_count'] >= 1


def test_cancel(dsm, ctl):
    results = ctl.jobs()['results_count']
    before = dsm.task('Office-PCs')
    assert dsm.call(TASK, 'cancel', task_ids=[1]) == {'success': True}, 'idle: success, nothing changes'
    assert ctl.jobs()['results_count'] == results and dsm.task('Office-PCs') == before
    ctl.jobs(run_seconds=30)
    assert dsm.call(TASK, 'backup', task_ids=[1])['success']
    assert 'progress' in dsm.task('Office-PCs')
    assert dsm.call(TASK, 'cancel', task_ids=[1]) == {'success': True}
    task = dsm.task('Office-PCs')
    assert 'progress' not in task and task['last_result']['status'] == 5
    assert ctl.jobs()['results_count'] == results + 1
    assert logs_of_result(dsm, task['last_result']['result_id'], 1)[0]['log_type'] == 1103
    assert code_of(dsm.call(TASK, 'cancel', task_ids=[99])) == 1010
    assert code_of(dsm.call(TASK, 'cancel')) == 120
    assert ctl.stats()['writes_by_call'] == {TASK + '.backup': 1, TASK + '.cancel': 2}


def test_backup_error_knobs(dsm, ctl):
    assert code_of(dsm.call(TASK, 'backup', task_ids=[99])) == 1010
    assert code_of(dsm.call(TASK, 'backup')) == 120
    assert code_of(dsm.call(TASK, 'backup', task_ids='x')) == 120
    ctl.device_offline('LAPTOP-BEN')
    assert [d['agent_status'] for d in dsm.data(DEVICE, 'list', filter={'host_name': 'LAPTOP-BEN'})['devices']] == ['offline']
    assert code_of(dsm.call(TASK, 'backup', task_ids=[3])) == 5001
    ctl.device_offline(6, offline=False)
    ctl.task_knobs('Laptops', backup_window=1104)
    assert code_of(dsm.call(TASK, 'backup', task_ids=[3])) == 1104
    ctl.task_knobs(3, backup_window=1105)
    assert code_of(dsm.call(TASK, 'backup', task_ids=[3])) == 1105
    ctl.task_knobs(3, backup_window=None, conflict=True)
    assert code_of(dsm.call(TASK, 'backup', task_ids=[3])) == 4005
    ctl.task_knobs(3, conflict=False, no_permission=True)
    assert code_of(dsm.call(TASK, 'backup', task_ids=[3])) == 1011
    assert code_of(dsm.call(TASK, 'cancel', task_ids=[3])) == 1011
    ctl.task_knobs(3, no_permission=False)
    assert ctl.stats()['writes'] == 0 and ctl.jobs()['running'] == ['NAS-Replica'], 'refused starts change nothing'
    batch = dsm.call(TASK, 'backup', task_ids=[3, 7, 99])
    assert code_of(batch) == 1009
    assert batch['error']['errors'] == [{'task_id': 7, 'code': 4007}, {'task_id': 99, 'code': 1010}]
    assert sorted(ctl.jobs()['running']) == ['Laptops', 'NAS-Replica'], 'the startable task of a batch starts'
    assert ctl.stats()['writes_by_call'] == {TASK + '.backup': 1}
    ctl.faults(queue=[{'code': 1202, 'api': TASK, 'method': 'backup'}])
    assert code_of(dsm.call(TASK, 'backup', task_ids=[1])) == 1202, 'any code can be forced on a method'


def test_jobs_control_api(ctl):
    summary = ctl.jobs()
    assert summary['run_seconds'] == RUN_SECONDS and summary['results_count'] > 250
    entry = [task for task in summary['tasks'] if task['task_name'] == 'NAS-Replica'][0]
    assert entry['running'] and entry['progress']['pid'] > 0 and entry['knobs']['outcome'] == 'success'
    finished = ctl.jobs(finish=['NAS-Replica'])
    assert finished['running'] == [] and finished['results_count'] == summary['results_count'] + 1
    started = ctl.jobs(start=[{'task': 'SMB-Archive', 'seconds': 60, 'outcome': 'failed'}])
    assert started['running'] == ['SMB-Archive']
    assert ctl.stats()['writes'] == 0, 'control calls are not API writes'
    for bad in ({'tasks': {'Nope': {'outcome': 'failed'}}}, {'tasks': {'Office-PCs': {'outcome': 'exploded'}}},
                {'tasks': {'Office-PCs': {'colour': 1}}}, {'devices': {'OFFICE-PC-01': {'offline': 'yes'}}},
                {'run_seconds': -1}, {'start': ['SMB-Archive']}, {'bogus': 1}):
        with pytest.raises(EmulatorControlError):
            ctl.jobs(**bad)
    assert ctl.faults(run_seconds=1.5)['faults']['run_seconds'] == 1.5
    assert ctl.jobs()['run_seconds'] == 1.5
    state = ctl.state()
    assert {task['task_name'] for task in state['abb']['tasks']} >= {'Office-PCs', 'SMB-Archive'}
    ctl.set_state({'abb': {'settings': {'max_concurrent_devices': '3'}, 'devices': {'OFFICE-PC-01': {'agent_status': 'offline'}}}})
    assert ctl.jobs()['settings']['max_concurrent_devices'] == '3'
    assert ctl.jobs()['devices'][0]['agent_status'] == 'offline'


# ------------------------------------------------------------------ settings


def test_settings(dsm, ctl):
    answer = dsm.data(SETTING, 'list')
    settings = dict((item['name'], item['value']) for item in answer['settings'])
    assert settings['max_concurrent_devices'] == '10' and settings['retention_run_hour'] == '14'
    assert all(isinstance(value, str) for value in settings.values()) and 'cert_from_package' in answer['cert_info']
    assert set(settings) >= {'memory_usage_limit_percentage', 'enable_global_bandwidth_control', 'global_backup_bandwidth_number',
                             'enable_ip_range_bandwidth_control', 'retention_run_min', 'package_cert_id', 'full_backup_task_ids'}
    assert dsm.call(SETTING, 'set', settings=[{'name': 'max_concurrent_devices', 'value': '4'},
                                              {'name': 'enable_global_bandwidth_control', 'value': 'true'}]) == {'success': True}
    after = dict((item['name'], item['value']) for item in dsm.data(SETTING, 'list')['settings'])
    assert after['max_concurrent_devices'] == '4' and after['enable_global_bandwidth_control'] == 'true'
    bad_type = dsm.call(SETTING, 'set', settings=[{'name': 'retention_run_hour', 'value': 3}])
    assert code_of(bad_type) == 120 and bad_type['error']['errors']['setting'] == 'retention_run_hour'
    unknown = dsm.call(SETTING, 'set', settings=[{'name': 'retention_run_hour', 'value': '3'}, {'name': 'nope', 'value': '1'}])
    assert code_of(unknown) == 120 and unknown['error']['errors']['setting'] == 'nope'
    assert dict((i['name'], i['value']) for i in dsm.data(SETTING, 'list')['settings'])['retention_run_hour'] == '14', 'atomic'
    assert code_of(dsm.call(SETTING, 'set')) == 120
    assert dsm.call(SETTING, 'set', settings=[], cert_use_package=False)['success']
    assert dsm.data(SETTING, 'list')['cert_info']['cert_use_package'] is False
    stats = ctl.stats()
    assert stats['writes_by_call'] == {SETTING + '.set': 2} and stats['writes'] == 2
    assert ctl.jobs()['settings']['max_concurrent_devices'] == '4'


# ------------------------------------------------------------------ SYNO.DSM.Info, auth.cgi, compound


def test_dsm_info(emulator, dsm, ctl):
    serials = set()
    for index in range(3):
        client = Dsm(emulator.url(index), emulator.ca).login()
        info = client.data(DSM_INFO, 'getinfo', version=2)
        assert info['model'] == 'DS1821+' and info['version'] == '69057' and info['version_string'].startswith('DSM 7.2')
        assert isinstance(info['ram'], int) and info['uptime'] > 86400 and isinstance(info['temperature'], int)
        assert info['temperature_warn'] is False
        serials.add(info['serial'])
    assert len(serials) == 3
    assert dsm.data(DSM_INFO, 'getinfo', version=1)['serial'] == dsm.data(DSM_INFO, 'getinfo', version=2)['serial']
    assert code_of(dsm.call(DSM_INFO, 'getinfo', version=3)) == 104
    assert code_of(dsm.call(DSM_INFO, 'nothing')) == 103
    ctl.set_state({'dsm': {'temperature': 71, 'temperature_warn': True}})
    assert dsm.data(DSM_INFO, 'getinfo', version=2)['temperature_warn'] is True
    ctl.faults(dsm6=True)
    assert code_of(dsm.call(DSM_INFO, 'getinfo', version=2)) == 104
    assert dsm.data(DSM_INFO, 'getinfo', version=1)['version_string'].startswith('DSM 6.2')


@pytest.mark.parametrize('version, fmt', [(3, 'cookie'), (6, 'sid'), (7, 'sid')])
def test_auth_cgi_login_and_logout_on_dsm7(emulator, ctl, version, fmt):
    """Third-party clients log in DSM 6 style: GET on auth.cgi with the fields in the query string."""
    http = requests.Session()
    http.verify = emulator.ca
    http.trust_env = False
    base = emulator.url(0) + '/webapi/'
    answer = http.get(base + 'auth.cgi', params={'api': 'SYNO.API.Auth', 'version': version, 'method': 'login', 'account': ADMIN[0],
                                                 'passwd': ADMIN[1], 'session': 'ActiveBackup', 'format': fmt}, timeout=5).json()
    assert answer['success'] and answer['data']['sid']
    assert http.cookies.get('id') == answer['data']['sid']
    listed = http.get(base + 'entry.cgi', params={'api': TASK, 'version': 1, 'method': 'list', '_sid': answer['data']['sid']},
                      timeout=5).json()
    assert listed['success'] and listed['data']['total'] == 7
    assert ctl.stats()['open_sessions'] == 1
    out = http.get(base + 'auth.cgi', params={'api': 'SYNO.API.Auth', 'version': version, 'method': 'logout',
                                              '_sid': answer['data']['sid']}, timeout=5).json()
    assert out == {'success': True}
    stats = ctl.stats()
    assert stats['open_sessions'] == 0 and stats['logouts'] == 1 and stats['http_methods'] == {'GET': 3}
    entries = ctl.log()
    assert [entry['path'] for entry in entries] == ['/webapi/auth.cgi', '/webapi/entry.cgi', '/webapi/auth.cgi']
    assert all(entry['http_method'] == 'GET' for entry in entries)
    assert code_of(http.get(base + 'auth.cgi', params={'api': 'SYNO.API.Auth', 'version': 8, 'method': 'login'}, timeout=5).json()) == 104


def test_compound_with_job_apis(dsm, ctl):
    calls = [{'api': SHARE, 'method': 'list', 'version': 1},
             {'api': TASK, 'method': 'list', 'version': 1, 'load_result': True, 'load_devices': True},
             {'api': DEVICE, 'method': 'list', 'version': 1, 'load_result': True},
             {'api': DSM_INFO, 'method': 'getinfo', 'version': 2},
             {'api': TASK, 'method': 'list', 'version': 2},
             {'api': LOG, 'method': 'list_result', 'version': 1, 'task_id': 1, 'limit': 5, 'filter': {'status': [2]}},
             {'api': 'SYNO.API.Auth', 'method': 'logout', 'version': 7}]
    answer = dsm.data('SYNO.Entry.Request', 'request', mode='sequential', stop_when_error=False, compound=calls)
    result = answer['result']
    assert [item['success'] for item in result] == [True, True, True, True, False, True, False] and answer['has_fail']
    assert result[0]['data']['default_share'] == 'ActiveBackupforBusiness'
    assert result[1]['data']['total'] == 7 and result[1]['data']['tasks'][0]['devices'][0]['agent_token'].startswith('EMU-AGENT-TOKEN-')
    assert result[2]['data']['total'] == 11
    assert result[3]['data']['model'] == 'DS1821+'
    assert result[4]['error'] == {'code': 103}
    assert len(result[5]['data']['results']) == 5 and result[5]['data']['count'] > 100
    assert result[6]['error']['code'] == 120
    stats = ctl.stats()
    assert stats['requests'] == 2 and stats['calls'][TASK + '.list'] == 2 and stats['calls'][DSM_INFO + '.getinfo'] == 1
    assert ctl.log()[-1]['compound'][:4] == [SHARE + '.list', TASK + '.list', DEVICE + '.list', DSM_INFO + '.getinfo']
    assert dsm.data(TASK, 'list')['total'] == 7, 'the session survives'


# ------------------------------------------------------------------ faults on the job APIs


def test_answer_lost_after_backup_was_applied(dsm, ctl):
    ctl.faults(http=[{'kind': 'reset', 'api': TASK, 'method': 'backup', 'after_apply': True}])
    with pytest.raises(requests.exceptions.ConnectionError):
        dsm.call(TASK, 'backup', task_ids=[1])
    assert 'Office-PCs' in ctl.jobs()['running'], 'the backup started although the answer was lost'
    stats = ctl.stats()
    assert stats['writes_by_call'] == {TASK + '.backup': 1} and stats['http_faults'] == 1
    assert code_of(dsm.call(TASK, 'backup', task_ids=[1])) == 4007


def test_busy_and_lost_answer_before_apply_start_nothing(dsm, ctl):
    ctl.faults(queue=[{'code': 117, 'api': TASK, 'method': 'backup'}],
               http=[{'kind': '502_html', 'api': TASK, 'method': 'cancel'}])
    assert code_of(dsm.call(TASK, 'backup', task_ids=[1])) == 117
    assert ctl.jobs()['running'] == ['NAS-Replica']
    response = dsm.http.post(dsm.url + 'entry.cgi', data={'api': TASK, 'version': '1', 'method': 'cancel', 'task_ids': '[7]',
                                                          '_sid': dsm.sid}, timeout=5)
    assert response.status_code == 502 and ctl.jobs()['running'] == ['NAS-Replica']
    stats = ctl.stats()
    assert stats['writes'] == 0 and stats['queued_faults'] == 1 and stats['calls'][TASK + '.backup'] == 1


def test_session_expiry_and_restart_while_polling(dsm, ctl):
    ctl.jobs(run_seconds=1.0)
    assert dsm.call(TASK, 'backup', task_ids=[4])['success']
    ctl.faults(expire_sessions=106)
    assert code_of(dsm.call(TASK, 'list', load_result=True)) == 106
    dsm.login()
    assert 'progress' in dsm.task('File-Server')
    ctl.drop_sessions()
    assert code_of(dsm.call(TASK, 'list')) == 119
    dsm.login()
    task = wait_ended(dsm, 'File-Server')
    assert task['last_result']['status'] == 2 and time.time() - task['last_result']['time_end'] < 10
    ctl.faults(delay=[{'api': TASK, 'method': 'list', 'seconds': 0.3}])
    started = time.monotonic()
    assert dsm.call(TASK, 'list')['success'] and time.monotonic() - started >= 0.3


def test_state_file_keeps_jobs_and_runs_across_restart(tmp_path):
    state_file = str(tmp_path / 'state.json')
    args = ['--nas', 'alpha:0:default', '--state-file', state_file, '--run-seconds', '0.5']
    handle = start_emulator(tmp_path / 'run1', tls=False, extra_args=args)
    try:
        client = Dsm(handle.url(0), None).login()
        tasks = client.tasks()['tasks']
        assert [task['task_name'] for task in tasks] == ['Office-PCs', 'Design-Workstations']
        serial = client.data(DSM_INFO, 'getinfo', version=2)['serial']
        last = tasks[0]['last_result']['result_id']
        assert client.call(SETTING, 'set', settings=[{'name': 'max_concurrent_devices', 'value': '2'}])['success']
        assert client.call(TASK, 'backup', task_ids=[1])['success']
    finally:
        assert handle.stop() == 0
    time.sleep(0.5)
    handle = start_emulator(tmp_path / 'run2', tls=False, extra_args=args)
    try:
        client = Dsm(handle.url(0), None).login()
        office = client.task('Office-PCs')
        assert 'progress' not in office and office['last_result']['result_id'] == last + 1, 'the run ended while stopped'
        assert dict((i['name'], i['value']) for i in client.data(SETTING, 'list')['settings'])['max_concurrent_devices'] == '2'
        assert client.data(DSM_INFO, 'getinfo', version=2)['serial'] == serial
        assert client.data(DEVICE, 'list')['devices'][0]['agent_token'].startswith('EMU-AGENT-TOKEN-alpha-dev1-')
    finally:
        assert handle.stop() == 0
