# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""syno.activebackup.directory with real ansible-playbook runs against the DSM emulator (nas1, scenario full)."""

from __future__ import annotations

import json

from harness import inventory_for, nas1_play as play, run_playbook

ROOT = '/volume1/ActiveBackupforBusiness'
PATHS = [ROOT + '/laptops', ROOT + '/servers/', ROOT + '/exports/2024', ROOT + '/exports/2025/q1']
CREATED = [ROOT + '/laptops', ROOT + '/servers', ROOT + '/exports/2025/q1']


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


LOGIN = 'SYNO.API.Auth.login'
LOGOUT = 'SYNO.API.Auth.logout'
LIST_FILE = 'SYNO.ActiveBackup.Share.list_file'
CREATE = 'SYNO.ActiveBackup.Share.create_fs_dir'


def test_check_mode_change_and_rerun(nas):
    run = run_playbook(play('''\
        - name: Preview
          syno.activebackup.directory:
            paths: {paths}
          check_mode: true
          diff: true
          register: preview

        - name: Create
          syno.activebackup.directory:
            paths: {paths}
          register: created

        - name: Again
          syno.activebackup.directory:
            paths: {paths}
          register: again
        '''.format(paths=PATHS)), inventory=inventory_for(nas, names=['nas1']))
    run.assert_success()

    preview = run.result('Preview')
    assert preview['status'] == 'changed'
    assert preview['result']['created'] == CREATED
    assert preview['result']['paths'] == PATHS
    assert preview['result']['diff'] == {
        'before': {ROOT + '/laptops': 'absent', ROOT + '/servers': 'absent', ROOT + '/exports/2024': 'present',
                   ROOT + '/exports/2025/q1': 'absent'},
        'after': dict((path.rstrip('/'), 'present') for path in PATHS),
    }
    created = run.result('Create')
    assert created['status'] == 'changed'
    assert created['result']['created'] == CREATED
    again = run.result('Again')
    assert again['status'] == 'ok'
    assert again['result']['created'] == []

    ctl = nas.control(0)
    files = ctl.state()['files']
    for path in CREATED + [ROOT + '/exports/2025']:
        assert files.get(path) == 'dir', path
    # One write in all: the check-mode task and the re-run sent none.
    assert ctl.stats()['writes_by_method'] == {'create_fs_dir': 1}

    sessions = by_session(ctl.log())
    assert sorted(sessions) == [1, 2, 3]
    # Check mode: the reads only. exports/2025 is missing, so exports is listed too; the root answers
    # for laptops and servers at once.
    assert sessions[1] == [LOGIN, LIST_FILE, LIST_FILE, LIST_FILE, LOGOUT]
    # The change: the same three reads and one create_fs_dir for the three missing paths (6 requests).
    assert sessions[2] == [LOGIN, LIST_FILE, LIST_FILE, LIST_FILE, CREATE, LOGOUT]
    # No change: one list_file per distinct parent (5 requests).
    assert sessions[3] == [LOGIN, LIST_FILE, LIST_FILE, LIST_FILE, LOGOUT]
    creates = [entry for entry in ctl.log() if entry['method'] == 'create_fs_dir']
    assert [json.loads(entry['params']['paths']) for entry in creates] == [CREATED]


def test_refusals_send_no_write(nas):
    ctl = nas.control(0)
    run = run_playbook(play('''\
        - name: Relative path
          syno.activebackup.directory:
            paths: [ActiveBackupforBusiness/pc]
          ignore_errors: true

        - name: Dot dot
          syno.activebackup.directory:
            paths: [/volume1/ActiveBackupforBusiness/../homes/pc]
          ignore_errors: true

        - name: Outside a share
          syno.activebackup.directory:
            paths: [/volume1]
          ignore_errors: true

        - name: No such share
          syno.activebackup.directory:
            paths: [/volume1/NoSuchShare/pc]
          ignore_errors: true

        - name: Share on another volume
          syno.activebackup.directory:
            paths: [/volume2/ActiveBackupforBusiness/pc/2025]
          ignore_errors: true

        - name: A file in the way
          syno.activebackup.directory:
            paths: [/volume1/ActiveBackupforBusiness/README.txt/pc]
          ignore_errors: true
        '''), inventory=inventory_for(nas, names=['nas1']))
    assert run.rc == 0, run.describe()

    for task, words in [('Relative path', 'is relative'), ('Dot dot', '".."'),
                        ('Outside a share', 'is not under /volumeN/<shared folder>/')]:
        result = run.result(task)
        assert result['status'] == 'failed'
        assert words in result['result']['msg']
    missing = run.result('No such share')['result']
    assert missing['msg'].startswith("paths: the shared folder 'NoSuchShare' does not exist on /volume1")
    other_volume = run.result('Share on another volume')['result']
    assert "the shared folder 'ActiveBackupforBusiness' does not exist on /volume2" in other_volume['msg']
    in_the_way = run.result('A file in the way')['result']
    assert ROOT + '/README.txt' in in_the_way['msg']
    assert 'is a file, not a directory' in in_the_way['msg']

    stats = ctl.stats()
    assert stats['writes'] == 0
    # The three bad paths were refused before any request, the login included.
    assert stats['logins'] == 3
    sessions = by_session(ctl.log())
    assert sessions[1] == [LOGIN, LIST_FILE, LOGOUT]
    assert sessions[2] == [LOGIN, LIST_FILE, LIST_FILE, LOGOUT]
    assert sessions[3] == [LOGIN, LIST_FILE, LIST_FILE, LOGOUT]


def test_busy_write_may_or_may_not_have_been_applied_and_a_rerun_tells(nas):
    ctl = nas.control(0)
    inventory = inventory_for(nas, names=['nas1'])
    task = '''\
        - name: Create
          syno.activebackup.directory:
            paths: [/volume1/ActiveBackupforBusiness/pc]
          ignore_errors: true

        - name: Again
          syno.activebackup.directory:
            paths: [/volume1/ActiveBackupforBusiness/pc]
        '''
    # Busy: DSM did nothing; the re-run creates the directory.
    ctl.faults(queue=[{'code': 117, 'method': 'create_fs_dir'}])
    run = run_playbook(play(task), inventory=inventory)
    assert run.rc == 0, run.describe()
    busy = run.result('Create')
    assert busy['status'] == 'failed'
    assert 'error 117' in busy['result']['msg']
    assert 'may or may not have been applied' in busy['result']['msg']
    assert run.result('Again')['status'] == 'changed'
    assert [e['method'] for e in ctl.log() if e['method'] == 'create_fs_dir'] == ['create_fs_dir'] * 2

    # Answer lost after DSM applied it: not repeated; the re-run finds the directory.
    ctl.reset()
    ctl.faults(http=[{'kind': 'reset', 'after_apply': True, 'method': 'create_fs_dir'}])
    run = run_playbook(play(task), inventory=inventory)
    assert run.rc == 0, run.describe()
    lost = run.result('Create')
    assert lost['status'] == 'failed'
    assert 'may or may not have been applied' in lost['result']['msg']
    assert run.result('Again')['status'] == 'ok'
    assert ctl.stats()['writes_by_method'] == {'create_fs_dir': 1}
