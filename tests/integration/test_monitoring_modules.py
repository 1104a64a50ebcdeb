# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""task_info, device_info, version_info, result_info, log_info, api_info and the facts subsets tasks, devices
and system in real ansible-playbook (and ad hoc ansible) runs against the DSM emulator (scenario ``full``).

Results are compared with the emulator's own job state (control API ``jobs`` and ``state``); the request
log shows what went to the NAS: the filters as the NAS's numbers, the pages, one compound request for the
facts, no login for api_info, nothing at all for an option refused before any request. No secret of the
emulator's device objects appears in any output at -vvv.
"""

from __future__ import annotations

import datetime
import json
import time

from harness import inventory_for, nas1_play, run_adhoc, run_playbook

PASSWORD = 'Adm1n-Secret!'
LOGIN = ('SYNO.API.Auth', 'login')
LOGOUT = ('SYNO.API.Auth', 'logout')
TASK_API = 'SYNO.ActiveBackup.Task'
DEVICE_API = 'SYNO.ActiveBackup.Device'
VERSION_API = 'SYNO.ActiveBackup.Version'
LOG_API = 'SYNO.ActiveBackup.Log'
SECRET_KEYS = ('agent_token', 'login_password', 'mssql_password', 'oracle_password')
RESULT_NAMES = {0: 'none', 1: 'incomplete', 2: 'success', 3: 'partial', 4: 'failed', 5: 'cancelled', 6: 'no_backup'}
TYPE_NAMES = {1: 'vm', 2: 'pc', 3: 'physical_server', 4: 'file_server', 5: 'nas'}
LEVEL_NAMES = {0: 'error', 1: 'warning', 2: 'info'}

# Every read module once or more; the task names are the keys of the per-task request checks below.
READ_TASKS = '''
- name: task_info
  syno.activebackup.task_info:
    with_versions: true
  register: r_tasks

- name: task_info name never run
  syno.activebackup.task_info:
    name: SMB-Archive
  register: r_never

- name: task_info task_id running
  syno.activebackup.task_info:
    task_id: 7
  register: r_running

- name: task_info backup_type
  syno.activebackup.task_info:
    backup_type: vm
  register: r_vm

- name: device_info
  syno.activebackup.device_info:
  register: r_devices

- name: device_info host_name backup_type
  syno.activebackup.device_info:
    host_name: SRV-FILE-01
    backup_type: physical_server
  register: r_device

- name: version_info
  syno.activebackup.version_info:
    task_name: Office-PCs
    limit: 3
  register: r_versions

- name: result_info filters
  syno.activebackup.result_info:
    task_name: File-Server
    status: [failed, partial]
    since: 21d
  register: r_results

- name: result_info since epoch
  syno.activebackup.result_info:
    since: {epoch}
    limit: 1000
  register: r_epoch

- name: result_info since iso
  syno.activebackup.result_info:
    since: "{iso}"
    limit: 1000
  register: r_iso

- name: log_info errors
  syno.activebackup.log_info:
    level: [error]
    task_id: 4
    since: 2w
  register: r_errors

- name: log_info keyword
  syno.activebackup.log_info:
    keyword: NAS-Replica
    limit: 5
  register: r_keyword

- name: api_info
  syno.activebackup.api_info:
  register: r_apis

- name: facts
  syno.activebackup.facts:
    gather_subset: [tasks, devices, system]
'''
READ_TASK_NAMES = ['task_info', 'task_info name never run', 'task_info task_id running', 'task_info backup_type',
                   'device_info', 'device_info host_name backup_type', 'version_info', 'result_info filters',
                   'result_info since epoch', 'result_info since iso', 'log_info errors', 'log_info keyword',
                   'api_info', 'facts']


def secrets_of(jobs):
    """Every secret value of the emulator's device objects (its README: EMU-...-TOKEN-/-PASSWORD- values)."""
    values = [value for device in jobs['devices'] for value in device['secrets'].values()]
    assert len(values) >= 4 * len(jobs['devices']) and all(value.startswith('EMU-') for value in values)
    return values


def assert_no_secret(run, secrets):
    text = run.stdout + run.stderr + json.dumps(run.results)
    leaked = [value for value in secrets if value in text]
    assert not leaked, 'secret values in the output: %s' % leaked[:3]
    for key in SECRET_KEYS:
        assert '"%s"' % key not in json.dumps(run.results), key
    assert 'EMU-AGENT-TOKEN' not in text and '-PASSWORD-' not in text


def units(entries):
    """The request log cut into what each task sent: login ... logout, or a lone request without login."""
    out, current = [], None
    for entry in entries:
        call = (entry['api'], entry['method'])
        if call == LOGIN:
            current = [entry]
        elif current is not None:
            current.append(entry)
            if call == LOGOUT:
                out.append(current)
                current = None
        else:
            out.append([entry])
    assert current is None, 'a login without logout: %s' % current
    return out


def calls(unit):
    return [(entry['api'], entry['method']) for entry in unit]


def params(entry, name):
    """A form field of a logged request, decoded from its JSON text."""
    return json.loads(entry['params'][name])


def walk_keys(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from walk_keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk_keys(item)


def test_read_modules_against_emulator_state(nas):
    """Every read module, at -vvv: results match the emulator's state, filters and pages went to the NAS."""
    control = nas.control(0)
    jobs = control.jobs()
    state = control.state()
    now = int(time.time())
    epoch = now - 3 * 86400
    iso_time = datetime.datetime.fromtimestamp(now - 10 * 86400, datetime.timezone.utc).replace(tzinfo=None)
    iso = iso_time.strftime('%Y-%m-%dT%H:%M:%S')  # no offset: read as UTC
    playbook = nas1_play(READ_TASKS.replace('{epoch}', str(epoch)).replace('{iso}', iso))
    run = run_playbook(playbook, inventory=inventory_for(nas, ['nas1']), verbosity=3)
    run.assert_success()
    assert_no_secret(run, secrets_of(jobs))
    res = dict((name, run.result(name, 'nas1')['result']) for name in READ_TASK_NAMES)
    for name, result in res.items():
        assert result['changed'] is False, name
        assert not set(walk_keys(result)) & set(SECRET_KEYS), name

    # task_info: every task of the emulator, names beside numbers, last results as the emulator's.
    summary = dict((task['task_name'], task) for task in jobs['tasks'])
    tasks = res['task_info']['tasks']
    assert [task['task_name'] for task in tasks] == [task['task_name'] for task in jobs['tasks']]
    assert len(tasks) == 7
    for task in tasks:
        known = summary[task['task_name']]
        assert task['task_id'] == known['task_id']
        assert task['backup_type'] == known['backup_type']
        assert task['backup_type_name'] == TYPE_NAMES[known['backup_type']]
        assert task['running'] is known['running']
        if known['last_status'] is None:
            assert task['last_result'] is None
        else:
            assert task['last_result']['result_id'] == known['last_result_id']
            assert task['last_result']['status'] == known['last_status']
            assert task['last_result']['status_name'] == RESULT_NAMES[known['last_status']]
            assert task['last_result']['time_end'] == known['last_time_end']
            assert isinstance(task['last_result']['transfered_bytes'], int)
        assert [device['host_name'] for device in task['devices']] == known['devices']
        assert task['version_count'] == len(task['versions']) == known['versions']
        ends = [version['time_end'] for version in task['versions']]
        assert ends == sorted(ends, reverse=True)
        completed = [version for version in task['versions'] if version['status'] == 3]
        assert task['latest_version'] == (completed[0] if completed else None)
        for version in task['versions']:
            assert version['status_name'] == {3: 'completed', 5: 'partial'}[version['status']]
    by_name = dict((task['task_name'], task) for task in tasks)
    assert by_name['File-Server']['last_result']['status_name'] == 'failed'
    assert by_name['Design-Workstations']['last_result']['status_name'] == 'partial'
    assert by_name['SMB-Archive']['last_result'] is None and by_name['SMB-Archive']['next_trigger_time'] == 0
    assert by_name['SMB-Archive']['versions'] == [] and by_name['SMB-Archive']['latest_version'] is None
    for name, task in by_name.items():
        assert ('progress' in task) is (name == 'NAS-Replica'), name

    never = res['task_info name never run']['tasks']
    assert [task['task_name'] for task in never] == ['SMB-Archive']
    assert never[0]['last_result'] is None and never[0]['running'] is False and 'versions' not in never[0]

    running = res['task_info task_id running']['tasks']
    assert [task['task_name'] for task in running] == ['NAS-Replica']
    progress = running[0]['progress']
    assert running[0]['running'] is True
    assert progress['running_task_status'] == 1 and progress['running_task_status_name'] == 'running'
    assert progress['pid'] > 0 and 0.0 <= progress['percentage'] < 1.0
    assert 0 < progress['transfered_bytes'] <= progress['total_bytes']
    assert running[0]['last_result']['status_name'] == 'success'

    assert [task['task_name'] for task in res['task_info backup_type']['tasks']] == ['VM-Cluster']

    # device_info: every device, no secrets, online/offline as the emulator has them.
    devices = res['device_info']['devices']
    known_devices = dict((device['host_name'], device) for device in jobs['devices'])
    assert sorted(device['host_name'] for device in devices) == sorted(known_devices)
    for device in devices:
        known = known_devices[device['host_name']]
        assert device['device_id'] == known['device_id']
        assert device['agent_status'] == known['agent_status']
        assert device['backup_type'] == known['backup_type']
        assert device['backup_type_name'] == TYPE_NAMES[known['backup_type']]
        assert 'mssql_user' in device and 'oracle_user' in device
        if device['last_result'] is not None:
            assert device['last_result']['status_name'] == RESULT_NAMES[device['last_result']['status']]
    server = res['device_info host_name backup_type']['devices']
    assert [device['host_name'] for device in server] == ['SRV-FILE-01']
    assert server[0]['last_result']['status_name'] == 'failed'

    # version_info: the three newest of Office-PCs, the NAS's total, the newest completed as latest.
    versions = res['version_info']
    office = summary['Office-PCs']
    assert versions['task_id'] == office['task_id'] and versions['task_name'] == 'Office-PCs'
    assert len(versions['versions']) == 3 and versions['total'] == office['versions']
    assert versions['versions'] == by_name['Office-PCs']['versions'][:3]
    assert versions['latest'] == by_name['Office-PCs']['latest_version']

    # result_info: what the emulator's state holds for the same filters, newest first, count = matches.
    results = state['abb']['results']

    def matching(task_id=None, statuses=None, since=None):
        found = [item for item in results if (task_id is None or item['task_id'] == task_id)
                 and (statuses is None or item['status'] in statuses) and (since is None or item['time_start'] >= since)]
        return sorted(found, key=lambda item: item['time_start'], reverse=True)

    per_task = dict(zip(READ_TASK_NAMES, units(control.log())))
    sent_since = params(per_task['result_info filters'][2], 'filter')['from_timestamp']
    assert abs(sent_since - (now - 21 * 86400)) <= 120
    expected = matching(4, (4, 3), sent_since)
    filtered = res['result_info filters']
    assert filtered['count'] == len(filtered['results']) == len(expected) > 0
    assert [item['result_id'] for item in filtered['results']] == [item['result_id'] for item in expected]
    for item in filtered['results']:
        assert item['task_name'] == 'File-Server' and item['status_name'] in ('failed', 'partial')
        assert item['backup_type_name'] == 'physical_server'
    for name, since in (('result_info since epoch', epoch), ('result_info since iso', int(iso_time.replace(
            tzinfo=datetime.timezone.utc).timestamp()))):
        expected = matching(since=since)
        assert res[name]['count'] == len(expected) > 0, name
        assert [item['result_id'] for item in res[name]['results']] == [item['result_id'] for item in expected], name
        assert all(item['time_start'] >= since for item in res[name]['results'])
        assert res[name]['results'][0]['status_name'] == RESULT_NAMES[res[name]['results'][0]['status']]
    assert res['result_info since epoch']['count'] < res['result_info since iso']['count']

    # log_info: errors of task 4, level names beside the numbers.
    errors = res['log_info errors']
    logs = state['abb']['logs']
    sent_since = params(per_task['log_info errors'][1], 'filter')['from_timestamp']
    expected = [item for item in logs if item['log_level'] == 0 and item['task_id'] == 4
                and item['log_time'] >= sent_since]
    assert errors['count'] == len(errors['logs']) == len(expected) > 0
    assert all(item['level_name'] == 'error' and item['task_name'] == 'File-Server' for item in errors['logs'])
    times = [item['log_time'] for item in errors['logs']]
    assert times == sorted(times, reverse=True)
    keyword = res['log_info keyword']
    assert len(keyword['logs']) == 5 and keyword['count'] > 5
    assert all(item['task_name'] == 'NAS-Replica' for item in keyword['logs'])
    assert all(item['level_name'] == LEVEL_NAMES[item['log_level']] for item in keyword['logs'])

    # api_info: the job APIs as the emulator advertises them.
    apis = res['api_info']['apis']
    assert sorted(apis) == ['SYNO.ActiveBackup.%s' % name for name in
                            ('Device', 'Log', 'Overview', 'Setting', 'Share', 'Task', 'Version')]
    assert apis['SYNO.ActiveBackup.Task'] == {'path': 'entry.cgi', 'minVersion': 1, 'maxVersion': 2,
                                              'requestFormat': 'JSON'}

    # facts: the same tasks and devices as the modules, and the system.
    facts = res['facts']['ansible_facts']['activebackup']
    assert facts['gathered_subsets'] == ['tasks', 'devices', 'system']
    strip = ('progress', 'running')
    assert [dict((k, v) for k, v in task.items() if k not in strip) for task in facts['tasks']] == \
        [dict((k, v) for k, v in task.items() if k not in strip) for task in tasks]
    assert facts['devices'] == devices
    assert facts['system']['serial'] == '2260PDN2B9C49' and facts['system']['model'] == 'DS1821+'
    assert facts['system']['version'] == '69057' and facts['system']['version_string'] == 'DSM 7.2.1-69057 Update 5'
    assert isinstance(facts['system']['uptime'], int)

    # The wire: per task login, its reads, logout; api_info alone without login; filters as numbers.
    assert len(units(control.log())) == len(READ_TASK_NAMES)
    for name, unit in per_task.items():
        if name != 'api_info':
            assert calls(unit)[0] == LOGIN and calls(unit)[-1] == LOGOUT, name
        assert all(entry['http_method'] == 'POST' and entry['success'] for entry in unit), name
    assert calls(per_task['api_info']) == [('SYNO.API.Info', 'query')]
    assert per_task['api_info'][0]['params']['query'] == 'SYNO.ActiveBackup.'
    assert calls(per_task['facts'])[1:-1] == [('SYNO.Entry.Request', 'request')]
    assert per_task['facts'][1]['compound'] == ['%s.list' % TASK_API, '%s.list' % DEVICE_API, 'SYNO.DSM.Info.getinfo']

    task_list = per_task['task_info'][1]
    assert calls(per_task['task_info'])[1:-1] == [(TASK_API, 'list')]
    assert params(task_list, 'load_versions') is True and 'filter' not in task_list['params']
    running_list = per_task['task_info task_id running'][1]
    assert params(running_list, 'filter') == {'task_id': 7} and 'task_id' not in running_list['params']
    assert params(per_task['task_info backup_type'][1], 'filter') == {'backup_type': 1}
    assert params(per_task['device_info host_name backup_type'][1], 'filter') == {
        'host_name': 'SRV-FILE-01', 'backup_type': 3}
    assert calls(per_task['version_info'])[1:-1] == [(TASK_API, 'list'), (VERSION_API, 'list')]
    version_list = per_task['version_info'][2]
    assert params(version_list, 'task_id') == 1 and params(version_list, 'limit') == 3

    unit = per_task['result_info filters']
    assert calls(unit)[1:-1] == [(TASK_API, 'list'), (LOG_API, 'list_result')]
    sent = params(unit[2], 'filter')
    assert params(unit[2], 'task_id') == 4
    assert sorted(sent['status']) == [3, 4]
    assert abs(sent['from_timestamp'] - (now - 21 * 86400)) <= 120
    assert params(per_task['result_info since epoch'][1], 'filter') == {'from_timestamp': epoch}
    assert params(per_task['result_info since iso'][1], 'filter') == {
        'from_timestamp': int(iso_time.replace(tzinfo=datetime.timezone.utc).timestamp())}
    unit = per_task['log_info errors']
    assert calls(unit)[1:-1] == [(LOG_API, 'list_log')]
    assert params(unit[1], 'task_id') == 4
    sent = params(unit[1], 'filter')
    assert sent['log_level'] == [0] and abs(sent['from_timestamp'] - (now - 14 * 86400)) <= 120
    assert params(per_task['log_info keyword'][1], 'filter') == {'key_word': 'NAS-Replica'}
    assert params(per_task['log_info keyword'][1], 'limit') == 5

    stats = control.stats()
    assert stats['logins'] == stats['logouts'] == len(READ_TASK_NAMES) - 1
    assert stats['info_queries'] == 1 and stats['writes'] == 0 and stats['open_sessions'] == 0


def test_paging_and_unknown_numbers(nas):
    """A limit beyond one page reads several pages (count = the NAS's); numbers the tables lack are 'unknown'."""
    control = nas.control(0)
    state = control.state()
    results = state['abb']['results']
    newest = max(results, key=lambda item: item['time_start'])
    count = 650 - len(results)
    assert count > 0
    # Older copies of existing results, so that the history holds more than one page of 500. They take the
    # lowest result IDs (the emulator's last result of a task is its highest ID), the others move up.
    extra = []
    for index in range(count):
        copy = dict(results[index % len(results)])
        copy['result_id'] = 1 + index
        copy['time_start'] -= 400 * 86400 + index * 3600
        copy['time_end'] -= 400 * 86400 + index * 3600
        extra.append(copy)
    patched = [dict(item, result_id=item['result_id'] + count) for item in results]
    patched = [dict(item, status=42, backup_type=9) if item['time_start'] == newest['time_start']
               and item['task_id'] == newest['task_id'] else item for item in patched] + extra
    newest = dict(newest, result_id=newest['result_id'] + count)
    control.set_state({'abb': {'results': patched}})
    logs_total = len(state['abb']['logs'])
    assert logs_total > 550, 'the emulator history is too short for this test: %d logs' % logs_total

    run = run_playbook(nas1_play('''
        - name: result_info 600
          syno.activebackup.result_info:
            limit: 600
          register: r_results

        - name: log_info 550
          syno.activebackup.log_info:
            limit: 550
          register: r_logs

        - name: task_info unknown status
          syno.activebackup.task_info:
            task_id: {task_id}
          register: r_task
        '''.replace('{task_id}', str(newest['task_id']))), inventory=inventory_for(nas, ['nas1']))
    run.assert_success()
    got = run.result('result_info 600', 'nas1')['result']
    assert got['count'] == 650 and len(got['results']) == 600
    assert len(set(item['result_id'] for item in got['results'])) == 600
    starts = [item['time_start'] for item in got['results']]
    assert starts == sorted(starts, reverse=True)
    assert got['results'][0]['result_id'] == newest['result_id']
    assert got['results'][0]['status'] == 42 and got['results'][0]['status_name'] == 'unknown'
    assert got['results'][0]['backup_type'] == 9 and got['results'][0]['backup_type_name'] == 'unknown'
    logs = run.result('log_info 550', 'nas1')['result']
    assert logs['count'] == logs_total and len(logs['logs']) == 550
    assert len(set(item['log_id'] for item in logs['logs'])) == 550
    task = run.result('task_info unknown status', 'nas1')['result']['tasks'][0]
    assert task['last_result']['result_id'] == newest['result_id']
    assert task['last_result']['status_name'] == 'unknown' and task['last_result']['backup_type_name'] == 'unknown'

    pages = [(entry['method'], params(entry, 'offset'), params(entry, 'limit')) for entry in control.log()
             if entry['api'] == LOG_API]
    assert pages == [('list_result', 0, 500), ('list_result', 500, 100), ('list_log', 0, 500), ('list_log', 500, 50)]


def test_adhoc_check_mode_and_refusals(nas):
    """Ad hoc `ansible -m`, check mode, and options refused before any request."""
    control = nas.control(0)
    secrets = secrets_of(control.jobs())
    args = ('name=Office-PCs host={{ syno_host }} port={{ syno_port }} ca_path={{ syno_ca }} '
            'username=admin password=%s' % PASSWORD)
    adhoc = run_adhoc('nas1', 'syno.activebackup.task_info', args, inventory=inventory_for(nas, ['nas1']),
                      verbosity=3)
    adhoc.assert_success()
    assert_no_secret(adhoc, secrets)
    record = adhoc.result('syno.activebackup.task_info', 'nas1') if adhoc.results else None
    assert record is not None, adhoc.describe()
    tasks = record['result']['tasks']
    assert [task['task_name'] for task in tasks] == ['Office-PCs'] and tasks[0]['last_result']['status_name'] == 'success'
    assert 'Office-PCs' in adhoc.stdout and '"status_name": "success"' in adhoc.stdout
    assert control.stats()['logins'] == 1

    control.reset()
    run = run_playbook(nas1_play('''
        - name: task_info
          syno.activebackup.task_info:
          register: r_tasks

        - name: result_info
          syno.activebackup.result_info:
            since: 24h
          register: r_results

        - name: log_info
          syno.activebackup.log_info:
            level: [warning]
          register: r_logs

        - name: device_info
          syno.activebackup.device_info:

        - name: version_info
          syno.activebackup.version_info:
            task_id: 2

        - name: api_info
          syno.activebackup.api_info:
            query: [SYNO.API.Auth, SYNO.DSM.*]

        - name: facts
          syno.activebackup.facts:
            gather_subset: [system]
        '''), inventory=inventory_for(nas, ['nas1']), check=True)
    run.assert_success()
    for record in run.for_host('nas1'):
        assert record['status'] == 'ok' and record['result']['changed'] is False, record['task']
    assert len(run.result('task_info', 'nas1')['result']['tasks']) == 7
    assert run.result('result_info', 'nas1')['result']['count'] > 0
    assert all(item['level_name'] == 'warning' for item in run.result('log_info', 'nas1')['result']['logs'])
    assert run.result('version_info', 'nas1')['result']['task_name'] == 'Design-Workstations'
    assert sorted(run.result('api_info', 'nas1')['result']['apis']) == ['SYNO.API.Auth', 'SYNO.DSM.Info']
    assert run.result('facts', 'nas1')['result']['ansible_facts']['activebackup']['system']['model'] == 'DS1821+'
    assert control.stats()['writes'] == 0

    # Refused before any request: a since in the future or unparseable, unknown names, an unknown task.
    control.reset()
    run = run_playbook(nas1_play('''
        - name: since future
          syno.activebackup.result_info:
            since: "{future}"
          ignore_errors: true

        - name: since text
          syno.activebackup.log_info:
            since: yesterday
          ignore_errors: true

        - name: since duration unit
          syno.activebackup.result_info:
            since: 3y
          ignore_errors: true

        - name: status name
          syno.activebackup.result_info:
            status: [broken]
          ignore_errors: true

        - name: both task options
          syno.activebackup.version_info:
            task_name: Office-PCs
            task_id: 1
          ignore_errors: true

        - name: api_info pattern
          syno.activebackup.api_info:
            query: ['entry.cgi?x=1']
          ignore_errors: true
        '''.replace('{future}', (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2))
                    .strftime('%Y-%m-%dT%H:%M:%SZ'))), inventory=inventory_for(nas, ['nas1']))
    assert run.rc == 0, run.describe()
    messages = dict((record['task'], record['result'].get('msg', '')) for record in run.for_host('nas1'))
    assert all(record['status'] == 'failed' for record in run.for_host('nas1'))
    assert 'in the future' in messages['since future']
    assert 'yesterday' in messages['since text'] and 'duration' in messages['since text']
    assert '3y' in messages['since duration unit']
    assert 'broken' in messages['status name']
    assert 'task_name' in messages['both task options'] and 'task_id' in messages['both task options']
    assert 'query' in messages['api_info pattern']
    assert control.log() == [] and control.stats()['requests'] == 0

    # A task name that the NAS does not have fails naming the NAS's tasks (after one Task.list).
    control.reset()
    run = run_playbook(nas1_play('''
        - name: unknown task
          syno.activebackup.result_info:
            task_name: office-pcs
          ignore_errors: true
        '''), inventory=inventory_for(nas, ['nas1']))
    record = run.result('unknown task', 'nas1')
    assert record['status'] == 'failed'
    assert 'office-pcs' in record['result']['msg'] and 'Office-PCs' in record['result']['msg']
    assert [(entry['api'], entry['method']) for entry in control.log()] == [LOGIN, (TASK_API, 'list'), LOGOUT]
