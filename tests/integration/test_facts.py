# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""syno.activebackup.facts in real ansible-playbook runs against the DSM emulator.

The facts are compared with the emulator's state; its request log shows the round trips: every read
of a task in one SYNO.Entry.Request, one request per read when the NAS offers no compound requests.
"""

from __future__ import annotations

import json

import pytest

from harness import inventory_for, run_playbook

ADMIN_PASSWORD = 'Adm1n-Secret!'
ABB = 'SYNO.ActiveBackup.Share'
COMPOUND = 'SYNO.Entry.Request'
ALL_READS = ['list', 'list_encrypted', 'list_storage', 'list_volume', 'check_file']
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
        'gathered_subsets': ['shares', 'storages', 'volumes', 'files_check'],
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
    assert by_name(facts) == by_name(expected_facts(nas.control(0).state()))
    assert run.result('later task reads the facts')['status'] == 'ok'
    log = webapi_log(nas)
    assert log == [
        ('SYNO.API.Auth', 'login', None, []),
        (COMPOUND, 'request', None, ['%s.%s' % (ABB, m) for m in ALL_READS]),
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
    assert by_name(facts) == by_name(expected_facts(nas.control(0).state()))
    log = webapi_log(nas)
    assert log[0][:2] == ('SYNO.API.Auth', 'login')
    # the compound attempt answers 102 (not offered), then each read alone
    assert log[1][:3] == (COMPOUND, 'request', 102)
    assert log[2:-1] == [(ABB, m, None, []) for m in ALL_READS]
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
    assert run.result('gather')['result']['ansible_facts']['activebackup']['gathered_subsets'] == [
        'shares', 'storages', 'volumes', 'files_check']


@pytest.mark.parametrize('subset, gathered, log', [
    (['!files_check'], ['shares', 'storages', 'volumes'],
     [(COMPOUND, 'request', None, ['%s.%s' % (ABB, m) for m in ALL_READS[:4]])]),
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
            'volumes': ['volumes'], 'files_check': ['error_files']}
    wanted = ['gathered_subsets'] + [key for name in gathered for key in keys[name]]
    assert sorted(facts) == sorted(wanted)
    expected = dict((key, full[key]) for key in wanted if key != 'gathered_subsets')
    expected['gathered_subsets'] = gathered
    assert by_name(facts) == by_name(expected)
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
        assert by_name(facts) == by_name(expected_facts(nas.control(index).state()))
    shares1 = run.result('facts as seen by the play', host='nas1')['result']['ansible_facts.activebackup']['shares']
    shares2 = run.result('facts as seen by the play', host='nas2')['result']['ansible_facts.activebackup']['shares']
    assert [s['name'] for s in shares2] == ['ActiveBackupforBusiness']
    assert len(shares1) > len(shares2)
