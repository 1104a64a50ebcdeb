# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Ten NAS at once: forks=10 against an emulator of its own, every session closed, every write applied once.

The play: log in (session module), facts, a destination directory, ABB-Migrated relinked and waited
for, log out in ``always``: 5 tasks on each of 10 NAS, 50 tasks, run twice (the second run changes
nothing). The same work with a login per task is the second variant. For every NAS the emulator's
counters and request log must show: no session left open, as many logouts as logins, no failed
login, each write (``create_fs_dir``, ``relink``) applied exactly once by the first run and none by
the second. A third case starts two backup tasks on each NAS twice: exactly one run per task.
"""

from __future__ import annotations

import time

import pytest
import yaml

from harness import collections_path, inventory_for, run_playbook

NAS_COUNT = 10
FORKS = 10
ADMIN = ('admin', 'Adm1n-Secret!')
SHARE = 'ABB-Migrated'
WRITES = ('create_fs_dir', 'relink', 'remove')
# A run that hangs fails after this long (a run takes about 5-12 s on 2 cores; the module, about 45 s).
RUN_TIMEOUT = 60


@pytest.fixture(scope='module')
def fleet(tmp_path_factory):
    """An emulator of ten NAS (scenario full, HTTPS), relinks done in 0.5 s."""
    from control import start_emulator  # tests/emulator/control.py

    collections_path()
    handle = start_emulator(tmp_path_factory.mktemp('fleet'), count=NAS_COUNT, scenario='full', tls=True,
                            extra_args=['--relink-seconds', '0.5'])
    try:
        yield handle
    finally:
        code = handle.stop()
    assert code == 0, 'the DSM emulator exited with %s' % code


@pytest.fixture
def ten(fleet):
    for index in range(NAS_COUNT):
        fleet.control(index).reset()
    return fleet


def connection(with_session):
    options = {'host': '{{ syno_host }}', 'port': '{{ syno_port }}', 'ca_path': '{{ syno_ca }}',
               'username': ADMIN[0], 'password': '{{ admin_password }}'}
    if with_session:
        options['session'] = '{{ abb_session.session | default(omit) }}'
    return {'group/syno.activebackup.dsm': options}


WORK = [
    {'name': 'facts', 'syno.activebackup.facts': {}},
    {'name': 'destination directory', 'syno.activebackup.directory': {
        'paths': ['/volume1/ActiveBackupforBusiness/fleet/{{ inventory_hostname }}']}},
    {'name': 'relink', 'syno.activebackup.storage': {'share_name': SHARE, 'state': 'present', 'wait': True}},
]


def session_play():
    tasks = [
        {'name': 'log in', 'syno.activebackup.session': {}, 'register': 'abb_session', 'no_log': True,
         'check_mode': False},
        {'name': 'work on the session', 'block': WORK, 'always': [
            {'name': 'log out', 'syno.activebackup.session': {'state': 'absent'}, 'check_mode': False}]},
    ]
    return yaml.safe_dump([{'name': 'fleet', 'hosts': 'nas', 'gather_facts': False,
                            'module_defaults': connection(True), 'tasks': tasks}], sort_keys=False)


def per_task_play():
    return yaml.safe_dump([{'name': 'fleet', 'hosts': 'nas', 'gather_facts': False,
                            'module_defaults': connection(False), 'tasks': WORK}], sort_keys=False)


def run_fleet(handle, text):
    started = time.monotonic()
    run = run_playbook(text, inventory=inventory_for(handle), extra_vars={'admin_password': ADMIN[1]},
                       forks=FORKS, timeout=RUN_TIMEOUT)
    elapsed = time.monotonic() - started
    run.assert_success()
    assert len(run.stats) == NAS_COUNT and all(s['failures'] == 0 and s['unreachable'] == 0
                                               for s in run.stats.values()), run.stats
    return run, elapsed


def writes_in_log(entries):
    """{method: number} of the write calls DSM carried out (successful), from log entries."""
    out = {}
    for entry in entries:
        if entry['method'] in WRITES and entry['success']:
            out[entry['method']] = out.get(entry['method'], 0) + 1
    return out


def last_seq(ctl):
    entries = ctl.log()
    return entries[-1]['seq'] if entries else 0


def check_fleet(handle, run, expect_change, logins_per_run, runs, since, one_session=False):
    """Counters and log of every NAS after ``runs`` runs; ``since``: log seq per NAS before this run."""
    figures = []
    for index, nas in enumerate(handle.nas):
        name = nas['name']
        ctl = handle.control(index)
        counters = ctl.stats()
        where = '%s: %s' % (name, counters)
        assert counters['open_sessions'] == 0, where
        assert counters['logins'] == counters['logouts'] == logins_per_run * runs, where
        assert counters['failed_logins'] == 0, where
        # each write exactly once over all runs: by the first, none by the second
        assert counters['writes_by_method'] == {'create_fs_dir': 1, 'relink': 1}, where
        assert counters['writes'] == 2, where
        this_run = ctl.log(since=since[index])
        if one_session:
            # every call of the run went through the play's one session of this NAS
            assert len(set(e['session'] for e in this_run if e['api'] != 'SYNO.API.Auth')) == 1, (name, this_run)
        assert writes_in_log(this_run) == ({'create_fs_dir': 1, 'relink': 1} if expect_change else {}), (name, this_run)
        assert writes_in_log(ctl.log()) == {'create_fs_dir': 1, 'relink': 1}, name
        state = ctl.state()
        assert [s['share_name'] for s in state['storages']].count(SHARE) == 1, state['storages']
        assert state['files'].get('/volume1/ActiveBackupforBusiness/fleet/%s' % name) == 'dir', sorted(state['files'])
        statuses = dict((r['task'], r['status']) for r in run.for_host(name))
        expected = 'changed' if expect_change else 'ok'
        assert statuses['destination directory'] == expected and statuses['relink'] == expected, (name, statuses)
        assert statuses['facts'] == 'ok', (name, statuses)
        figures.append((counters['requests'], counters['logins'], counters['logouts'], counters['writes']))
    return figures


def describe(figures):
    """min-max of each figure over the NAS."""
    columns = list(zip(*figures))
    parts = []
    for label, values in zip(('requests', 'logins', 'logouts', 'writes'), columns):
        low, high = min(values), max(values)
        parts.append('%s %s' % (label, low if low == high else '%d-%d' % (low, high)))
    return ', '.join(parts)


@pytest.mark.parametrize('variant', ['session', 'per-task login'])
def test_ten_nas_with_ten_forks(ten, variant, capsys):
    text, logins_per_run = (session_play(), 1) if variant == 'session' else (per_task_play(), len(WORK))
    since = [0] * NAS_COUNT
    first, first_time = run_fleet(ten, text)
    if variant == 'session':
        assert len(first.results) == 5 * NAS_COUNT
        assert all(r['result'].get('censored') for r in first.for_task('log in'))
        assert all(r['result'].get('logged_out') is True for r in first.for_task('log out'))
    else:
        assert len(first.results) == 3 * NAS_COUNT
    first_figures = check_fleet(ten, first, True, logins_per_run, 1, since, variant == 'session')

    since = [last_seq(ten.control(index)) for index in range(NAS_COUNT)]
    second, second_time = run_fleet(ten, text)
    second_figures = check_fleet(ten, second, False, logins_per_run, 2, since, variant == 'session')
    second_only = [tuple(b - a for a, b in zip(one, two)) for one, two in zip(first_figures, second_figures)]
    with capsys.disabled():
        print('\n%s, %d NAS, forks %d: first run %.1f s (per NAS: %s); second run %.1f s (per NAS: %s)' % (
            variant, NAS_COUNT, FORKS, first_time, describe(first_figures), second_time, describe(second_only)))


BACKUP_TASKS = ['Office-PCs', 'Design-Workstations']
BACKUP_CALL = 'SYNO.ActiveBackup.Task.backup'


def test_ten_nas_with_ten_forks_run_two_tasks_each_exactly_once(ten, capsys):
    """Start two tasks on every NAS, then start them again while they run: one run per task (the second start finds
    it running and reports no change), every session closed."""
    for index in range(NAS_COUNT):
        ten.control(index).jobs(run_seconds=60)  # still running when the second start reads them
    start = {'syno.activebackup.task': {'name': '{{ item }}', 'state': 'started'}, 'loop': BACKUP_TASKS}
    play = yaml.safe_dump([{'name': 'backups', 'hosts': 'nas', 'gather_facts': False,
                            'module_defaults': connection(False),
                            'tasks': [dict(start, name='start'), dict(start, name='start again')]}], sort_keys=False)
    run, elapsed = run_fleet(ten, play)
    for index, nas in enumerate(ten.nas):
        name = nas['name']
        ctl = ten.control(index)
        counters = ctl.stats()
        where = '%s: %s' % (name, counters)
        assert counters['open_sessions'] == 0, where
        assert counters['logins'] == counters['logouts'] == 2 * len(BACKUP_TASKS), where
        assert counters['failed_logins'] == 0, where
        assert counters['writes_by_call'] == {BACKUP_CALL: len(BACKUP_TASKS)}, where
        started = sorted(entry['params']['task_ids'] for entry in ctl.log()
                         if '%s.%s' % (entry['api'], entry['method']) == BACKUP_CALL and entry['success'])
        assert started == ['[1]', '[2]'], (name, started)
        assert set(BACKUP_TASKS) <= set(ctl.jobs()['running']), name
        first = run.result('start', host=name)['result']['results']
        second = run.result('start again', host=name)['result']['results']
        assert [item['changed'] for item in first] == [True, True], (name, first)
        assert [item['changed'] for item in second] == [False, False], (name, second)
        assert all(item['task']['running'] for item in first + second), name
    with capsys.disabled():
        print('\nbackups, %d NAS, forks %d, two tasks each started twice: %.1f s' % (NAS_COUNT, FORKS, elapsed))
