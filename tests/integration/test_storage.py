# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""syno.activebackup.storage with real ansible-playbook runs against the DSM emulator (nas1, scenario full).

Scenario full: ActiveBackupforBusiness (storage 1, 4 devices, no task), ABB-Migrated on /volume2
(relinkable), ABB-Vault (encrypted, not mounted), ABB-Busy (storage 2, task Laptops, 2 devices).
"""

from __future__ import annotations


from harness import inventory_for, nas1_play as play, run_playbook

LOGIN = 'SYNO.API.Auth.login'
LOGOUT = 'SYNO.API.Auth.logout'
COMPOUND = 'SYNO.Entry.Request.request'
LIST_STORAGE = 'SYNO.ActiveBackup.Share.list_storage'
LIST_ENCRYPTED = 'SYNO.ActiveBackup.Share.list_encrypted'
RELINK = 'SYNO.ActiveBackup.Share.relink'
REMOVE = 'SYNO.ActiveBackup.Share.remove'


def by_session(log):
    """The emulator's request log as {session number: ['api.method', ...]}, one session per task.

    A call answered by a queued fault carries no session in the log; the tasks run one after the
    other on one NAS, so it belongs to the session of the request before it.
    """
    out = {}
    current = None
    for entry in log:
        if entry['session'] is not None:
            current = entry['session']
        out.setdefault(current, []).append('%s.%s' % (entry['api'], entry['method']))
    return out


def share(ctl, name):
    return [s for s in ctl.state()['shares'] if s['name'] == name][0]


def test_relink_check_mode_change_and_rerun(nas):
    ctl = nas.control(0)
    # The relink is done before the first poll (1 s after it started), so the count is exact.
    ctl.faults(relink_seconds=0.3)
    run = run_playbook(play('''\
        - name: Preview
          syno.activebackup.storage:
            share_name: ABB-Migrated
          check_mode: true
          diff: true
          register: preview

        - name: Relink
          syno.activebackup.storage:
            share_name: ABB-Migrated
          diff: true
          register: relinked

        - name: Again
          syno.activebackup.storage:
            share_name: ABB-Migrated
        '''), inventory=inventory_for(nas, names=['nas1']))
    run.assert_success()

    preview = run.result('Preview')
    assert preview['status'] == 'changed'
    assert preview['result']['storage'] == {
        'share_name': 'ABB-Migrated', 'volume_path': '/volume2', 'repo_dir': '@ActiveBackup',
        'relink_state': {'alive': False, 'owner': True, 'state': 0, 'error': {'code': 0}}}
    assert preview['result']['diff']['before'] == {}

    relinked = run.result('Relink')
    assert relinked['status'] == 'changed'
    storage = relinked['result']['storage']
    assert storage['share_name'] == 'ABB-Migrated'
    assert storage['relink_state'] == {'alive': False, 'owner': True, 'state': 0, 'error': {'code': 0}}
    assert storage['volume_path'] == '/volume2'
    assert relinked['result']['share_name'] == 'ABB-Migrated'
    assert relinked['result']['state'] == 'present'
    assert relinked['result']['diff'] == {'before': {}, 'after': storage}

    again = run.result('Again')
    assert again['status'] == 'ok'
    assert again['result']['storage'] == storage

    assert share(ctl, 'ABB-Migrated')['relinkable'] is False
    assert ctl.stats()['writes_by_method'] == {'relink': 1}
    sessions = by_session(ctl.log())
    assert sessions == {
        1: [LOGIN, COMPOUND, LOGOUT],                              # check mode: no write
        2: [LOGIN, COMPOUND, RELINK, LIST_STORAGE, LOGOUT],        # the change: 5 requests
        3: [LOGIN, COMPOUND, LOGOUT],                              # no change: 3 requests
    }


def test_remove_refusals_check_mode_change_rerun_and_relink_back(nas):
    ctl = nas.control(0)
    ctl.faults(relink_seconds=0.3)
    run = run_playbook(play('''\
        - name: Refused without force
          syno.activebackup.storage:
            share_name: ABB-Busy
            state: absent
          ignore_errors: true

        - name: Preview
          syno.activebackup.storage:
            share_name: ActiveBackupforBusiness
            state: absent
            force: true
          check_mode: true
          diff: true

        - name: Remove keeping the data
          syno.activebackup.storage:
            share_name: ActiveBackupforBusiness
            state: absent
            force: true
          diff: true

        - name: Again
          syno.activebackup.storage:
            share_name: ActiveBackupforBusiness
            state: absent

        - name: Relink the kept data
          syno.activebackup.storage:
            share_name: ActiveBackupforBusiness
            state: present

        - name: DSM refuses while a task uses it
          syno.activebackup.storage:
            share_name: ABB-Busy
            state: absent
            force: true
          ignore_errors: true
        '''), inventory=inventory_for(nas, names=['nas1']))
    assert run.rc == 0, run.describe()

    refused = run.result('Refused without force')
    assert refused['status'] == 'failed'
    msg = refused['result']['msg']
    assert 'Refusing to remove the ABB storage on shared folder ABB-Busy' in msg
    assert 'backup tasks: Laptops' in msg
    assert '2 devices' in msg
    assert '1.0 TiB of backed-up data' in msg
    assert 'force: true' in msg

    preview = run.result('Preview')
    assert preview['status'] == 'changed'
    assert preview['result']['storage'] is None
    assert preview['result']['diff']['before']['storage_id'] == 1
    assert preview['result']['diff']['after'] == {}

    removed = run.result('Remove keeping the data')
    assert removed['status'] == 'changed'
    assert removed['result']['storage'] is None
    assert removed['result']['diff']['before']['device_count'] == 4
    assert removed['warnings'] == []
    assert run.result('Again')['status'] == 'ok'

    relinked = run.result('Relink the kept data')
    assert relinked['status'] == 'changed'
    assert relinked['result']['storage']['relink_state']['error']['code'] == 0

    in_use = run.result('DSM refuses while a task uses it')
    assert in_use['status'] == 'failed'
    assert 'reason: storage_in_use' in in_use['result']['msg']
    assert 'Backup tasks still use this storage (Laptops)' in in_use['result']['msg']

    stats = ctl.stats()
    assert stats['writes_by_method'] == {'remove': 1, 'relink': 1}
    sessions = by_session(ctl.log())
    assert sessions[1] == [LOGIN, LIST_STORAGE, LOGOUT]                        # refused: no write
    assert sessions[2] == [LOGIN, LIST_STORAGE, LOGOUT]                        # check mode: no write
    assert sessions[3] == [LOGIN, LIST_STORAGE, REMOVE, LIST_STORAGE, LOGOUT]  # the change: 5 requests
    assert sessions[4] == [LOGIN, LIST_STORAGE, LOGOUT]                        # no change: 3 requests
    assert sessions[6] == [LOGIN, LIST_STORAGE, REMOVE, LOGOUT]                # DSM's refusal
    removes = [entry for entry in ctl.log() if entry['method'] == 'remove']
    assert removes[0]['params']['is_remove_data'] == 'false'
    assert removes[0]['params']['storage_id'] == '1'


def test_remove_data_warns(nas):
    ctl = nas.control(0)
    run = run_playbook(play('''\
        - name: Remove with the data
          syno.activebackup.storage:
            share_name: ActiveBackupforBusiness
            state: absent
            remove_data: true
            force: true
          register: gone
        '''), inventory=inventory_for(nas, names=['nas1']))
    run.assert_success()
    result = run.result('Remove with the data')
    assert result['status'] == 'changed'
    assert any('deletes the ABB repository on ActiveBackupforBusiness' in w and 'every backup version' in w
               for w in result['warnings']), result['warnings']
    assert share(ctl, 'ActiveBackupforBusiness')['relinkable'] is False
    assert not any(path.startswith('/volume1/ActiveBackupforBusiness/@ActiveBackup') for path in ctl.state()['files'])


def test_relink_failure_busy_write_and_clear_refusals(nas):
    ctl = nas.control(0)
    ctl.set_state(patch={'shares': {'Media': {'path': '/volume1/Media', 'free_space': 1}}})
    ctl.faults(relink_seconds=0.3, relink_fail={'share_name': 'ABB-Migrated', 'code': 4401},
               queue=[{'code': 117, 'method': 'relink'}])
    run = run_playbook(play('''\
        - name: Busy
          syno.activebackup.storage:
            share_name: ABB-Migrated
          ignore_errors: true

        - name: Failed relink
          syno.activebackup.storage:
            share_name: ABB-Migrated
          ignore_errors: true

        - name: No such share
          syno.activebackup.storage:
            share_name: NoSuchShare
          ignore_errors: true

        - name: Encrypted, not mounted
          syno.activebackup.storage:
            share_name: ABB-Vault
          ignore_errors: true

        - name: Not relinkable
          syno.activebackup.storage:
            share_name: Media
          ignore_errors: true

        - name: Absent after the failure
          syno.activebackup.storage:
            share_name: ABB-Migrated
            state: absent
        '''), inventory=inventory_for(nas, names=['nas1']))
    assert run.rc == 0, run.describe()

    busy = run.result('Busy')['result']
    assert 'error 117' in busy['msg'] and 'may or may not have been applied' in busy['msg']
    failed = run.result('Failed relink')
    assert failed['status'] == 'failed'
    assert 'relink_state.error.code 4401' in failed['result']['msg']
    assert failed['result']['error']['details']['relink_state']['error']['code'] == 4401
    missing = run.result('No such share')['result']['msg']
    assert 'There is no shared folder named NoSuchShare' in missing
    vault = run.result('Encrypted, not mounted')['result']['msg']
    assert 'ABB-Vault' in vault and 'encrypted and not mounted' in vault
    media = run.result('Not relinkable')['result']['msg']
    assert 'relinkable: false' in media and 'becomes relinkable' in media
    # A failed relink leaves an entry that is no storage: nothing to remove.
    absent = run.result('Absent after the failure')
    assert absent['status'] == 'ok'
    assert absent['result']['storage']['relink_state']['error']['code'] == 4401

    assert ctl.stats()['writes'] == 1  # the relink that then failed; the busy one did nothing
    sessions = by_session(ctl.log())
    assert sessions[1] == [LOGIN, COMPOUND, RELINK, LOGOUT]
    assert sessions[2] == [LOGIN, COMPOUND, RELINK, LIST_STORAGE, LOGOUT]
    assert sessions[3] == [LOGIN, COMPOUND, LIST_ENCRYPTED, LOGOUT]
    assert sessions[4] == [LOGIN, COMPOUND, LIST_ENCRYPTED, LOGOUT]
    assert sessions[5] == [LOGIN, COMPOUND, LOGOUT]


def test_wait_timeout_then_the_running_relink_is_waited_for_not_restarted(nas):
    ctl = nas.control(0)
    ctl.faults(relink_seconds=4)
    run = run_playbook(play('''\
        - name: Short wait
          syno.activebackup.storage:
            share_name: ABB-Migrated
            wait_timeout: 1
          ignore_errors: true

        - name: No wait
          syno.activebackup.storage:
            share_name: ABB-Migrated
            wait: false

        - name: Wait
          syno.activebackup.storage:
            share_name: ABB-Migrated
        '''), inventory=inventory_for(nas, names=['nas1']))
    assert run.rc == 0, run.describe()
    timed_out = run.result('Short wait')
    assert timed_out['status'] == 'failed'
    assert 'did not finish within wait_timeout (1 seconds)' in timed_out['result']['msg']
    assert 'may still complete on the NAS' in timed_out['result']['msg']
    no_wait = run.result('No wait')
    assert no_wait['status'] == 'ok'
    assert no_wait['result']['storage']['relink_state']['alive'] is True
    waited = run.result('Wait')
    assert waited['status'] == 'ok'
    assert waited['result']['storage']['relink_state'] == {'alive': False, 'owner': True, 'state': 0,
                                                           'error': {'code': 0}}
    # One relink in all: the later tasks never started another one.
    assert ctl.stats()['calls'].get('SYNO.ActiveBackup.Share.relink') == 1
