# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The operating modules task, settings and api in real ansible-playbook runs against the DSM emulator.

Each test asserts on the results and on the emulator: the request log (what was sent, in order),
the write counters (a backup, cancel or set carried out exactly as often as it must be) and the
sessions (none left open). The emulator's job knobs set the outcome and duration of runs and the
refusals of Task.backup.
"""

from __future__ import annotations

import json

import yaml

from harness import REPO, inventory_for, nas1_play, run_playbook

TASK_API = 'SYNO.ActiveBackup.Task'
SETTING_API = 'SYNO.ActiveBackup.Setting'


def calls(ctl, api=None):
    """``api.method`` of every call in the log (compound elements included), in order; only ``api`` when given."""
    out = []
    for entry in sorted(ctl.log(), key=lambda item: item['seq']):
        names = entry['compound'] or ['%s.%s' % (entry['api'], entry['method'])]
        out.extend(name for name in names if api is None or name.startswith(api + '.'))
    return out


def no_secret(run, ctl):
    text = json.dumps(run.results)
    assert 'Adm1n-Secret!' not in text
    for device in ctl.jobs()['devices']:
        for value in device['secrets'].values():
            assert value not in text and value not in run.stdout


# -- task --------------------------------------------------------------------------------------------

def test_start_then_wait_starts_exactly_one_run(nas):
    ctl = nas.control(0)
    ctl.jobs(run_seconds=3)
    run = run_playbook(nas1_play('''
        - name: Start
          syno.activebackup.task:
            name: Office-PCs
            state: started
          register: started
        - name: Start again while it runs
          syno.activebackup.task:
            name: Office-PCs
            state: started
          register: again
        - name: Wait for it
          syno.activebackup.task:
            name: Office-PCs
            state: started
            wait: true
          register: waited
        - name: The run ended with success
          ansible.builtin.assert:
            that:
              - started is changed and started.task.running
              - again is not changed and again.task.running
              - waited is not changed
              - waited.result.status_name == 'success'
              - waited.result.result_id != started.task.last_result.result_id
              - not waited.task.running
    '''), inventory=inventory_for(nas, names=['nas1']), diff=True)
    run.assert_success()
    assert run.result('Start')['result']['diff'] == {
        'before': {'task_id': 1, 'task_name': 'Office-PCs', 'running': False},
        'after': {'task_id': 1, 'task_name': 'Office-PCs', 'running': True}}
    stats = ctl.stats()
    assert stats['writes_by_call'] == {TASK_API + '.backup': 1}
    assert stats['open_sessions'] == 0 and stats['logins'] == stats['logouts'] == 3
    assert calls(ctl, TASK_API).count(TASK_API + '.backup') == 1
    no_secret(run, ctl)


def test_wait_on_a_failed_run_fails_with_nas_task_status_and_counts(nas):
    ctl = nas.control(0)
    ctl.jobs(run_seconds=1, tasks={'Design-Workstations': {'outcome': 'failed'}, 'Office-PCs': {'outcome': 'partial'}})
    run = run_playbook(nas1_play('''
        - name: Partial
          syno.activebackup.task:
            name: Office-PCs
            state: started
            wait: true
        - name: Failed
          syno.activebackup.task:
            name: Design-Workstations
            state: started
            wait: true
          ignore_errors: true
    '''), inventory=inventory_for(nas, names=['nas1']))
    run.assert_success()
    partial = run.result('Partial')
    assert partial['status'] == 'changed' and partial['result']['result']['status_name'] == 'partial'
    assert len(partial['warnings']) == 1 and 'ended partial (status 3' in partial['warnings'][0]
    failed = run.result('Failed')
    assert failed['status'] == 'failed'
    msg = failed['result']['msg']
    host = '127.0.0.1:%s' % nas.nas[0]['port']
    for part in ('The backup of task Design-Workstations (task_id 2) on %s ended failed (status 4;' % host,
                 'success 0, warning 0, error 2, none 0', 'syno.activebackup.log_info'):
        assert part in msg, msg
    assert failed['result']['error']['details']['result']['status'] == 4
    assert ctl.stats()['writes_by_call'] == {TASK_API + '.backup': 2}


def test_stop_cancels_and_waits_then_an_idle_task_is_unchanged(nas):
    ctl = nas.control(0)
    ctl.jobs(run_seconds=60)
    run = run_playbook(nas1_play('''
        - name: Start
          syno.activebackup.task:
            task_id: 1
            state: started
        - name: Stop (check mode)
          syno.activebackup.task:
            task_id: 1
            state: stopped
          check_mode: true
        - name: Stop
          syno.activebackup.task:
            task_id: 1
            state: stopped
            wait: true
          register: stopped
        - name: Stop again
          syno.activebackup.task:
            task_id: 1
            state: stopped
    '''), inventory=inventory_for(nas, names=['nas1']))
    run.assert_success()
    assert [r['status'] for r in run.results] == ['changed', 'changed', 'changed', 'ok']
    stopped = run.result('Stop')['result']
    assert stopped['task']['running'] is False and stopped['result']['status_name'] == 'cancelled'
    assert ctl.stats()['writes_by_call'] == {TASK_API + '.backup': 1, TASK_API + '.cancel': 1}
    assert 'Office-PCs' not in ctl.jobs()['running']


def test_check_mode_sends_no_write(nas):
    ctl = nas.control(0)
    run = run_playbook(nas1_play('''
        - name: Start
          syno.activebackup.task:
            name: Office-PCs
            state: started
            wait: true
        - name: Settings
          syno.activebackup.settings:
            settings:
              max_concurrent_devices: 3
        - name: Write call
          syno.activebackup.api:
            api: SYNO.ActiveBackup.Setting
            method: set
            params:
              settings: [{name: max_concurrent_devices, value: "4"}]
    '''), inventory=inventory_for(nas, names=['nas1']), check=True, diff=True)
    run.assert_success()
    assert [r['status'] for r in run.results] == ['changed', 'changed', 'changed']
    diff = run.result('Settings')['result']['diff']
    assert diff == {'before': {'max_concurrent_devices': '10'}, 'after': {'max_concurrent_devices': '3'}}
    stats = ctl.stats()
    assert stats['writes'] == 0 and stats['writes_by_call'] == {}
    assert ctl.jobs()['settings']['max_concurrent_devices'] == '10'


def test_refusals_name_code_meaning_and_hint(nas):
    ctl1, ctl3 = nas.control(0), nas.control(2)
    ctl1.jobs(tasks={'Office-PCs': {'backup_window': 1104}, 'Design-Workstations': {'no_permission': True}})
    run = run_playbook('''
- hosts: nas
  gather_facts: false
  module_defaults:
    group/syno.activebackup.dsm:
      host: "{{ syno_host }}"
      port: "{{ syno_port }}"
      ca_path: "{{ syno_ca }}"
      username: admin
      password: Adm1n-Secret!
  tasks:
    - name: Start
      syno.activebackup.task:
        name: "{{ item }}"
        state: started
      loop: "{{ abb_tasks }}"
      ignore_errors: true
''', inventory=inventory_for(nas, names=['nas1', 'nas3'], extra_host_vars={
        'nas1': {'abb_tasks': ['Office-PCs', 'Design-Workstations', 'No-Such-Task']},
        'nas3': {'abb_tasks': ['Laptops']}}))
    run.assert_success()
    # a loop is recorded as one result per host with the item results inside
    items = {(r['host'], item['item']): item for r in run.for_task('Start') for item in r['result']['results']}
    assert len(items) == 4
    nas1 = '127.0.0.1:%s' % nas.nas[0]['port']
    nas3 = '127.0.0.1:%s' % nas.nas[2]['port']
    expected = {
        ('nas1', 'Office-PCs'): ['error 1104 (Outside the backup window of the task)', 'Backup window', nas1],
        ('nas1', 'Design-Workstations'): ['error 1011 (No permission on the task)', 'administrators group'],
        ('nas1', 'No-Such-Task'): ["No backup task named 'No-Such-Task' on %s; its tasks are: " % nas1,
                                   'Design-Workstations, File-Server, Laptops, NAS-Replica, Office-PCs, SMB-Archive, '
                                   'VM-Cluster'],
        ('nas3', 'Laptops'): ['error 5001 (The device is offline)', 'offline device: LAPTOP-BEN', nas3],
    }
    for key, parts in expected.items():
        assert items[key]['failed'] is True, items[key]
        for part in parts:
            assert part in items[key]['msg'], items[key]['msg']
    assert ctl1.stats()['writes'] == 0 and ctl3.stats()['writes'] == 0


# -- settings ----------------------------------------------------------------------------------------

def test_settings_change_once_and_second_run_sends_no_write(nas):
    ctl = nas.control(0)
    play = nas1_play('''
        - name: Settings
          syno.activebackup.settings:
            settings:
              max_concurrent_devices: 12
              enable_global_bandwidth_control: true
              retention_run_hour: "14"
          register: abb_settings
    ''')
    first = run_playbook(play, inventory=inventory_for(nas, names=['nas1']), diff=True)
    first.assert_success()
    result = first.result('Settings')
    assert result['status'] == 'changed'
    assert result['result']['changed_settings'] == ['max_concurrent_devices', 'enable_global_bandwidth_control']
    assert result['result']['settings']['max_concurrent_devices'] == '12'
    assert result['result']['settings']['enable_global_bandwidth_control'] == 'true'
    sets = [entry for entry in ctl.log() if entry['api'] == SETTING_API and entry['method'] == 'set']
    assert len(sets) == 1
    assert json.loads(sets[0]['params']['settings']) == [{'name': 'max_concurrent_devices', 'value': '12'},
                                                         {'name': 'enable_global_bandwidth_control', 'value': 'true'}]
    assert ctl.jobs()['settings']['max_concurrent_devices'] == '12'

    second = run_playbook(play, inventory=inventory_for(nas, names=['nas1']))
    second.assert_success()
    assert second.result('Settings')['status'] == 'ok'
    assert ctl.stats()['writes_by_call'] == {SETTING_API + '.set': 1}


def test_settings_unknown_name_fails_before_any_write(nas):
    ctl = nas.control(0)
    run = run_playbook(nas1_play('''
        - name: Settings
          syno.activebackup.settings:
            settings:
              max_concurrent_devices: 12
              max_devices: 3
          ignore_errors: true
    '''), inventory=inventory_for(nas, names=['nas1']))
    run.assert_success()
    msg = run.result('Settings')['result']['msg']
    assert 'No package setting named max_devices' in msg and 'retention_run_min' in msg
    assert ctl.stats()['writes'] == 0


# -- api ---------------------------------------------------------------------------------------------

def test_api_reads_redacts_and_finds_paths_and_versions_in_info(nas):
    ctl = nas.control(0)
    run = run_playbook(nas1_play('''
        - name: Tasks with devices
          syno.activebackup.api:
            api: SYNO.ActiveBackup.Task
            method: list
            params:
              load_devices: true
              filter: {task_id: 1}
          register: abb_tasks
        - name: Info (on query.cgi)
          syno.activebackup.api:
            api: SYNO.API.Info
            method: query
        - name: DSM info (highest version)
          syno.activebackup.api:
            api: SYNO.DSM.Info
            method: getinfo
        - name: A method that does not exist
          syno.activebackup.api:
            api: SYNO.ActiveBackup.Overview
            method: get
          ignore_errors: true
        - name: Set a setting
          syno.activebackup.api:
            api: SYNO.ActiveBackup.Setting
            method: set
            params:
              settings: [{name: retention_run_min, value: "5"}]
    '''), inventory=inventory_for(nas, names=['nas1']))
    run.assert_success()
    tasks = run.result('Tasks with devices')['result']
    assert tasks['changed'] is False and tasks['version'] == 1 and tasks['path'] == 'entry.cgi'
    device = tasks['data']['tasks'][0]['devices'][0]
    assert device['agent_token'] == device['login_password'] == 'VALUE_REDACTED'
    assert isinstance(device['device_id'], int)
    info = run.result('Info (on query.cgi)')['result']
    assert info['path'] == 'query.cgi' and TASK_API in info['data']
    dsm = run.result('DSM info (highest version)')['result']
    assert dsm['version'] == 2 and dsm['data']['model'] == 'DS1821+'
    missing = run.result('A method that does not exist')['result']
    assert missing['error']['code'] == 103 and 'SYNO.ActiveBackup.Overview.get on 127.0.0.1' in missing['msg']
    assert run.result('Set a setting')['status'] == 'changed'
    assert ctl.jobs()['settings']['retention_run_min'] == '5'
    log = [(e['api'], e['method'], e['path'].rsplit('/', 1)[-1], int(e['version']))
           for e in sorted(ctl.log(), key=lambda e: e['seq'])]
    # the module's own Info query, then the call of SYNO.API.Info.query itself: both on query.cgi
    assert [entry for entry in log if entry[0] == 'SYNO.API.Info'][-1] == ('SYNO.API.Info', 'query', 'query.cgi', 1)
    assert [version for api, method, path, version in log if api == 'SYNO.DSM.Info'] == [2]
    assert ctl.stats()['writes_by_call'] == {SETTING_API + '.set': 1}
    assert ctl.stats()['open_sessions'] == 0
    no_secret(run, ctl)


def test_api_redact_false_warns(nas):
    run = run_playbook(nas1_play('''
        - name: Devices
          syno.activebackup.api:
            api: SYNO.ActiveBackup.Device
            method: list
            redact: false
          no_log: true
          register: abb_devices
        - name: Values are there
          ansible.builtin.assert:
            that: abb_devices.data.devices[0].agent_token is match('EMU-AGENT-TOKEN-')
    '''), inventory=inventory_for(nas, names=['nas1']))
    run.assert_success()
    assert 'EMU-AGENT-TOKEN-' not in run.stdout


# -- examples/run_backups.yml --------------------------------------------------------------------

def test_run_backups_example_runs_each_task_once_reports_and_fails_on_failures(nas, tmp_path):
    """The example as shipped: both tasks on each NAS run once and are waited for; nas3's Laptops cannot start (a
    device offline, 5001); the report is written with the new results; exit code 2 naming NAS, task and reason."""
    example = REPO / 'examples' / 'run_backups.yml'
    for index in range(3):
        nas.control(index).jobs(run_seconds=0.5)
    nas.control(1).jobs(tasks={'Office-PCs': {'outcome': 'partial'}})
    inventory = yaml.safe_load(inventory_for(nas, extra_host_vars={
        'ansible_host': '{{ syno_host }}', 'dsm_port': '{{ syno_port }}', 'dsm_ca_path': '{{ syno_ca }}',
        'dsm_username': 'admin', 'dsm_password': 'Adm1n-Secret!'}))
    report_dir = tmp_path / 'report'
    run = run_playbook(example, inventory=inventory, extra_vars={'activebackup_report_dir': str(report_dir)})
    assert run.rc == 2, run.describe(3000)
    msg = run.result('Fail with the NAS and backup tasks whose run did not end well')['result']['msg']
    nas3 = '127.0.0.1:%s' % nas.nas[2]['port']
    assert msg.startswith('nas3: Laptops: SYNO.ActiveBackup.Task.backup on %s refused to start the backup of task '
                          'Laptops (task_id 3): error 5001 (The device is offline); offline device: LAPTOP-BEN' % nas3), msg
    assert 'nas1' not in msg and 'nas2' not in msg
    assert msg.endswith('Report in %s.' % report_dir), msg
    # a partial run passes with a warning
    runs = {r['host']: r for r in run.for_task('Start each backup task and wait for its run to end')}
    partial = [item for item in runs['nas2']['result']['results'] if item['item'] == 'Office-PCs'][0]
    assert partial['result']['status_name'] == 'partial' and not partial.get('failed')
    expected = {0: {TASK_API + '.backup': 2}, 1: {TASK_API + '.backup': 2}, 2: {TASK_API + '.backup': 1}}
    for index, writes in expected.items():
        stats = nas.control(index).stats()
        assert stats['writes_by_call'] == writes, (index, stats)
        assert stats['open_sessions'] == 0
    report = json.loads((report_dir / 'activebackup-report.json').read_text())
    assert [(h['name'], h['status']) for h in report['hosts']] == [('nas1', 'ok'), ('nas2', 'ok'), ('nas3', 'ok')]
    no_secret(run, nas.control(0))
