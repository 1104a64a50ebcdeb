# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""syno.activebackup.facts in real ansible-playbook runs against the DSM emulator.

The facts are compared with the emulator's state (Share data) and its jobs summary (tasks, devices,
SYNO.DSM.Info); its request log shows the round trips: every read of a task in one SYNO.Entry.Request,
one request per read when the NAS offers no compound requests.
"""

from __future__ import annotations

import json

import pytest

from harness import inventory_for, run_playbook

ADMIN_PASSWORD = 'Adm1n-Secret!'
ABB = 'SYNO.ActiveBackup.Share'
COMPOUND = 'SYNO.Entry.Request'
ALL_READS = ['list', 'list_encrypted', 'list_storage', 'list_volume', 'check_file']
# The reads of the subsets tasks, devices and system, after the Share reads in the one compound request.
JOB_READS = ['SYNO.ActiveBackup.Task.list', 'SYNO.ActiveBackup.Device.list', 'SYNO.DSM.Info.getinfo']
ALL_COMPOUND = ['%s.%s' % (ABB, m) for m in ALL_READS] + JOB_READS
ALL_SUBSETS = ['shares', 'storages', 'volumes', 'files_check', 'tasks', 'devices', 'system']
JOB_KEYS = ('tasks', 'devices', 'system')
# SYNO.DSM.Info of the emulator's NAS (tests/emulator/README.md, the demo fleet).
SERIALS = {'nas1': '2260PDN2B9C49', 'nas2': '2260PDN6267E9', 'nas3': '2260PDNABC85A'}
DEVICE_SECRET_KEYS = ('agent_token', 'login_password', 'mssql_password', 'oracle_password')
ERROR_FILES = [
    {'share_name': 'ABB-Busy', 'path': '/volume1/ABB-Busy/@ActiveBackup/config/version.db', 'error': 2},
    {'share_name': 'ActiveBackupforBusiness', 'path': '/volume1/ActiveBackupforBusiness/@ActiveBackup/pc.db',
     'error': 5},
]
# Fields of the emulator's state that the API does not answer.
STATE_ONLY = {'shares': ('encrypted', 'mounted'), 'volumes': ('vol_name',)}

MODULE_DEFAULTS = '''  module_defaults:
    group/syno.activebackup.dsm:
      host: "{{ syno_host }}"
      port: "{{ syno_port }}"
      ca_path: "{{ syno_ca }}"
      username: admin
      password: "%s"
''' % ADMIN_PASSWORD


def play(tasks, hosts='nas1', defaults=MODULE_DEFAULTS):
    return '- hosts: %s\n  gather_facts: false\n%s  tasks:\n%s' % (hosts, defaults, tasks)


def expected_facts(state):
    """ansible_facts.activebackup for gather_subset all, from the emulator's state."""
    def api(items, kind):
        return [dict((k, v) for k, v in item.items() if k not in STATE_ONLY.get(kind, ())) for item in items]

    volumes = []
    for volume in api(state['volumes'], 'volumes'):
        total, used = int(volume['total_bytes']), int(volume['used_bytes'])
        volumes.append(dict(volume, total_bytes=total, used_bytes=used, free_bytes=total - used,
                            used_percent=round(used * 100.0 / total, 1)))
    shares = state['shares']
    return {
        'gathered_subsets': ALL_SUBSETS,
        'default_share': state['default_share'],
        'shares': api([s for s in shares if not s['encrypted'] or s['mounted']], 'shares'),
        'encrypted_shares': api([s for s in shares if s['encrypted']], 'shares'),
        'storages': state['storages'],
        'volumes': volumes,
        'error_files': state['error_files'],
    }


def by_name(facts):
    """Facts with the lists keyed, so that the comparison does not depend on order."""
    keys = {'shares': 'name', 'encrypted_shares': 'name', 'storages': 'share_name', 'volumes': 'volume_path',
            'error_files': 'path'}
    out = {}
    for name, value in facts.items():
        if name in keys:
            value = dict((item[keys[name]], item) for item in value)
        out[name] = value
    return out


def share_part(facts):
    """The facts without the subsets tasks, devices and system (checked by check_jobs)."""
    return dict((key, value) for key, value in facts.items() if key not in JOB_KEYS)


def check_jobs(facts, nas, index, keys=JOB_KEYS):
    """tasks, devices and system of the facts against the emulator's jobs summary; no device secret anywhere."""
    jobs = nas.control(index).jobs()
    name = nas.nas[index]['name']
    if 'tasks' in keys:
        tasks = facts['tasks']
        assert [(t['task_id'], t['task_name'], t['backup_type'], t['share_name']) for t in tasks] == [
            (t['task_id'], t['task_name'], t['backup_type'], t['share_name']) for t in jobs['tasks']]
        for task, summary in zip(tasks, jobs['tasks']):
            assert task['running'] is summary['running'], task['task_name']
            assert isinstance(task['backup_type_name'], str) and task['backup_type_name'] != 'unknown'
            if summary['last_status'] is None:
                assert task['last_result'] is None, task['task_name']
            else:
                assert task['last_result']['status'] == summary['last_status']
                assert task['last_result']['result_id'] == summary['last_result_id']
                assert task['last_result']['time_end'] == summary['last_time_end']
                assert task['last_result']['status_name'] != 'unknown'
            assert [d['host_name'] for d in task['devices']] == summary['devices']
            assert len(task['versions']) == summary['versions']
            if summary['running']:
                assert task['progress']['running_task_status_name'] in ('waiting', 'running', 'pausing', 'cancelling')
            else:
                assert 'progress' not in task
        assert any(t['running'] for t in tasks) or name != 'nas1', 'NAS-Replica runs on nas1'
        assert any(t['last_result'] is None for t in tasks) or name == 'nas2', 'SMB-Archive never ran'
    if 'devices' in keys:
        devices = facts['devices']
        assert [(d['device_id'], d['host_name'], d['agent_status'], d['backup_type']) for d in devices] == [
            (d['device_id'], d['host_name'], d['agent_status'], d['backup_type']) for d in jobs['devices']]
        assert all(d['backup_type_name'] != 'unknown' for d in devices)
    if 'system' in keys:
        system = facts['system']
        assert system['serial'] == SERIALS[name]
        assert system['model'] == 'DS1821+'
        assert system['version_string'] == 'DSM 7.2.1-69057 Update 5'
        assert system['version'] == '69057'
        assert isinstance(system['uptime'], int) and not isinstance(system['uptime'], bool)
    text = json.dumps(facts)
    for device in jobs['devices']:
        assert sorted(device['secrets']) == sorted(DEVICE_SECRET_KEYS)
        for secret in device['secrets'].values():
            assert secret not in text, 'a device secret of %s in the facts' % device['host_name']
    for key in DEVICE_SECRET_KEYS:
        assert '"%s"' % key not in text
    assert 'EMU-' not in text


def webapi_log(nas, index=0):
    return [(e['api'], e['method'], e['code'], e['compound']) for e in nas.control(index).log()]


GATHER_AND_READ = '''
    - name: gather
      syno.activebackup.facts:
      register: gathered

    - name: later task reads the facts
      ansible.builtin.assert:
        that:
          - ansible_facts.activebackup.default_share == 'ActiveBackupforBusiness'
          - ansible_facts.activebackup.volumes | map(attribute='volume_path') | list == ['/volume1', '/volume2']
          - ansible_facts.activebackup.error_files | length == 2

    - name: facts as seen by the play
      ansible.builtin.debug:
        var: ansible_facts.activebackup
'''


def test_gather_subset_all_is_login_one_request_logout(nas, capsys):
    nas.control(0).set_state(patch={'error_files': ERROR_FILES})
    run = run_playbook(play(GATHER_AND_READ), inventory=inventory_for(nas))
    run.assert_success()
    gathered = run.result('gather')
    assert gathered['status'] == 'ok'
    assert gathered['result']['changed'] is False
    facts = run.result('facts as seen by the play')['result']['ansible_facts.activebackup']
    assert by_name(share_part(facts)) == by_name(expected_facts(nas.control(0).state()))
    check_jobs(facts, nas, 0)
    assert run.result('later task reads the facts')['status'] == 'ok'
    log = webapi_log(nas)
    assert log == [
        ('SYNO.API.Auth', 'login', None, []),
        (COMPOUND, 'request', None, ALL_COMPOUND),
        ('SYNO.API.Auth', 'logout', None, []),
    ]
    with capsys.disabled():
        print('\nfacts gather_subset all: %d HTTP requests (%s)' % (len(log), ', '.join(m for _a, m, _c, _i in log)))


def test_without_compound_requests_one_request_per_read(nas):
    nas.control(0).set_state(patch={'error_files': ERROR_FILES})
    nas.control(0).faults(compound_unsupported=True)
    run = run_playbook(play(GATHER_AND_READ), inventory=inventory_for(nas))
    run.assert_success()
    facts = run.result('facts as seen by the play')['result']['ansible_facts.activebackup']
    assert by_name(share_part(facts)) == by_name(expected_facts(nas.control(0).state()))
    check_jobs(facts, nas, 0)
    log = webapi_log(nas)
    assert log[0][:2] == ('SYNO.API.Auth', 'login')
    # the compound attempt answers 102 (not offered), then each read alone
    assert log[1][:3] == (COMPOUND, 'request', 102)
    assert log[2:-1] == [(ABB, m, None, []) for m in ALL_READS] + [
        ('SYNO.ActiveBackup.Task', 'list', None, []), ('SYNO.ActiveBackup.Device', 'list', None, []),
        ('SYNO.DSM.Info', 'getinfo', None, [])]
    assert log[-1][:2] == ('SYNO.API.Auth', 'logout')
    assert nas.control(0).stats()['logins'] == 1


def test_with_a_session_facts_is_one_request(nas):
    tasks = '''
    - name: login
      syno.activebackup.session:
      register: abb_session
      no_log: true

    - name: gather
      syno.activebackup.facts:
        session: "{{ abb_session.session }}"

    - name: logout
      syno.activebackup.session:
        state: absent
        session: "{{ abb_session.session }}"
'''
    run = run_playbook(play(tasks), inventory=inventory_for(nas))
    run.assert_success()
    assert [m for _a, m, _c, _i in webapi_log(nas)] == ['login', 'request', 'logout']
    assert webapi_log(nas)[1][3] == ALL_COMPOUND
    facts = run.result('gather')['result']['ansible_facts']['activebackup']
    assert facts['gathered_subsets'] == ALL_SUBSETS
    check_jobs(facts, nas, 0)


@pytest.mark.parametrize('subset, gathered, log', [
    (['!files_check'], ['shares', 'storages', 'volumes', 'tasks', 'devices', 'system'],
     [(COMPOUND, 'request', None, ['%s.%s' % (ABB, m) for m in ALL_READS[:4]] + JOB_READS)]),
    (['!files_check', '!tasks', '!devices', '!system'], ['shares', 'storages', 'volumes'],
     [(COMPOUND, 'request', None, ['%s.%s' % (ABB, m) for m in ALL_READS[:4]])]),
    (['!all', 'tasks'], ['tasks'], [('SYNO.ActiveBackup.Task', 'list', None, [])]),
    (['!all', 'system'], ['system'], [('SYNO.DSM.Info', 'getinfo', None, [])]),
    (['devices', 'system', 'volumes'], ['volumes', 'devices', 'system'],
     [(COMPOUND, 'request', None, ['%s.list_volume' % ABB] + JOB_READS[1:])]),
    (['!all', 'volumes'], ['volumes'], [(ABB, 'list_volume', None, [])]),
    (['storages', 'files_check'], ['storages', 'files_check'],
     [(COMPOUND, 'request', None, ['%s.list_storage' % ABB, '%s.check_file' % ABB])]),
])
def test_gather_subset_chooses_the_reads(nas, subset, gathered, log):
    tasks = '''
    - name: gather
      syno.activebackup.facts:
        gather_subset: %s
''' % json.dumps(subset)
    run = run_playbook(play(tasks), inventory=inventory_for(nas))
    run.assert_success()
    facts = run.result('gather')['result']['ansible_facts']['activebackup']
    assert facts['gathered_subsets'] == gathered
    full = expected_facts(nas.control(0).state())
    keys = {'shares': ['default_share', 'shares', 'encrypted_shares'], 'storages': ['storages'],
            'volumes': ['volumes'], 'files_check': ['error_files'], 'tasks': ['tasks'], 'devices': ['devices'],
            'system': ['system']}
    wanted = ['gathered_subsets'] + [key for name in gathered for key in keys[name]]
    assert sorted(facts) == sorted(wanted)
    expected = dict((key, full[key]) for key in wanted if key not in ('gathered_subsets',) + JOB_KEYS)
    expected['gathered_subsets'] = gathered
    assert by_name(share_part(facts)) == by_name(expected)
    check_jobs(facts, nas, 0, keys=[key for key in JOB_KEYS if key in gathered])
    assert webapi_log(nas)[1:-1] == log


def test_unknown_subset_fails_before_any_request(nas):
    tasks = '''
    - name: gather
      syno.activebackup.facts:
        gather_subset: [all, volume]
      ignore_errors: true
'''
    run = run_playbook(play(tasks), inventory=inventory_for(nas))
    run.assert_success()
    result = run.result('gather')
    assert result['status'] == 'failed'
    assert "unknown subset 'volume'" in result['result']['msg']
    assert nas.control(0).stats()['requests'] == 0


def test_facts_under_check_mode_and_per_host(nas):
    """--check gathers the same facts; each NAS gets its own."""
    nas.control(0).set_state(patch={'error_files': ERROR_FILES})
    nas.control(1).reset('default')
    run = run_playbook(play('''
    - name: gather
      syno.activebackup.facts:

    - name: facts as seen by the play
      ansible.builtin.debug:
        var: ansible_facts.activebackup
''', hosts='nas1,nas2'), inventory=inventory_for(nas), check=True)
    run.assert_success()
    for index, host in enumerate(('nas1', 'nas2')):
        facts = run.result('facts as seen by the play', host=host)['result']['ansible_facts.activebackup']
        assert by_name(share_part(facts)) == by_name(expected_facts(nas.control(index).state()))
        check_jobs(facts, nas, index)
    shares1 = run.result('facts as seen by the play', host='nas1')['result']['ansible_facts.activebackup']['shares']
    shares2 = run.result('facts as seen by the play', host='nas2')['result']['ansible_facts.activebackup']['shares']
    assert [s['name'] for s in shares2] == ['ActiveBackupforBusiness']
    assert len(shares1) > len(shares2)
