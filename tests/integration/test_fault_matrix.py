# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The fault matrix: each row one fault, in a real ansible-playbook run against the DSM emulator.

Each row sets the fault knobs of its NAS (before the play, or from the play through the control
API when the fault belongs between two tasks), runs tasks that ignore errors, and asserts:

* the outcome of every module task (ok / changed / failed) and, for failures, the parts the
  message must name: host, API, method, the code or what went wrong, and what to do;
* the NAS's request log, request by request, so the number of requests is exact. A step is the
  method (``compound(list+list_storage)`` for SYNO.Entry.Request), with ``: CODE`` when DSM
  answered an error, ``: FAULT`` when a broken HTTP answer was served instead (``, carried out``
  when the call was carried out first), or ``, slow`` when a delay fault held the answer back;
* for writes, the counters ``writes_by_method`` and, from the log, that no write was carried out
  twice.

Rows with the same tasks run together, up to three at a time, one per NAS of the emulator
(nas1..nas3: separate state, log and counters), in one ansible-playbook run (a "wave"). Each row
is still its own test; a wave runs once per test session, also under pytest-xdist (the first
worker that needs it runs it, the others read what it recorded). One more test stops and starts
an emulator of its own (same port, state kept with --state-file) between two tasks of a play.

The summary of the matrix (row, outcome, requests) is printed at the end of the module (visible
with ``-s``) and, when the environment variable FAULT_MATRIX_REPORT names a file, merged into that
JSON file (a list of rows, keyed by row id). The assertions never depend on it.

The client waits 0.5, 1 and 2 s before its retries (retries: 3, the default).
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest

from harness import inventory_for, run_playbook

AUTH = 'SYNO.API.Auth'
ABB = 'SYNO.ActiveBackup.Share'
ENTRY = 'SYNO.Entry.Request'
TASK_API = 'SYNO.ActiveBackup.Task'
SETTING_API = 'SYNO.ActiveBackup.Setting'
WRITES = ('create_fs_dir', 'relink', 'remove', 'backup', 'cancel', 'set')
WRITE_APIS = (ABB, TASK_API, SETTING_API)
SLOW_MS = 2500  # the delay faults hold answers back 3 s
WAVE_SIZE = 3  # the emulator's NAS count (conftest.py)

ADMIN = {'username': 'admin', 'password': 'Adm1n-Secret!'}
TARGET = {'host': '{{ syno_host }}', 'port': '{{ syno_port }}', 'ca_path': '{{ syno_ca }}'}
# per-row tuning through host variables, so that rows with different settings share a wave
TUNING = {'timeout': '{{ fm_timeout | default(omit) }}', 'retries': '{{ fm_retries | default(omit) }}'}
CONNECTION = dict(TARGET, **dict(ADMIN, **TUNING))
# a shared session, with credentials for a re-login only where the row gives them (fm_username)
SHARED = dict(TARGET, session='{{ abb_session.session | default(omit) }}',
              username='{{ fm_username | default(omit) }}', password='{{ fm_password | default(omit) }}')

ROOT = '/volume1/ActiveBackupforBusiness'
NEW_DIR = ROOT + '/fault-matrix'
FREE_PORT = '<a port where nothing listens>'

# Parts of the messages (``{host}`` is the NAS as messages name it: 127.0.0.1:PORT).
UNKNOWN = ['may or may not have been applied on {host}', 'it was not repeated',
           'Run the task again: it reads the state first']
BUSY = 'error 117 (Network unstable or system busy)'

MATRIX = []  # the summary: one dict per row checked by this process


# -- playbook text -----------------------------------------------------------------------------

def _options(options, indent):
    return ''.join('%s%s: %s\n' % (' ' * indent, key, json.dumps(value)) for key, value in options.items())


def play(tasks, defaults=None, hosts='nas'):
    """A play; ``defaults`` are the module_defaults of the action group."""
    text = '- hosts: %s\n  gather_facts: false\n' % hosts
    text += '  module_defaults:\n    group/syno.activebackup.dsm:\n' + _options(defaults or CONNECTION, 6)
    return text + '  tasks:\n' + ''.join(tasks)


def task(name, module, **args):
    """A module task that ignores errors, so the play goes on and records each outcome."""
    text = '    - name: %s\n      syno.activebackup.%s:\n' % (name, module) + _options(args, 8)
    return text + '      ignore_errors: true\n'


def login(**args):
    return ('    - name: Log in\n      syno.activebackup.session:\n' + _options(args, 8)
            + '      register: abb_session\n      no_log: true\n')


READ = task('Read', 'storage_info')
CREATE = task('Create', 'directory', paths=[NEW_DIR])
CREATE_AGAIN = task('Again', 'directory', paths=[NEW_DIR])
RELINK = task('Relink', 'storage', share_name='ABB-Migrated')
RELINK_AGAIN = task('Again', 'storage', share_name='ABB-Migrated')
REMOVE = task('Remove', 'storage', share_name='ActiveBackupforBusiness', state='absent', force=True)
REMOVE_AGAIN = task('Again', 'storage', share_name='ActiveBackupforBusiness', state='absent', force=True)
LOGOUT = task('Log out', 'session', state='absent')
END_SESSIONS = (
    '    - name: The session ends (emulator control API)\n      ansible.builtin.uri:\n'
    + _options({'url': 'https://{{ syno_host }}:{{ syno_port }}/_emulator/faults', 'method': 'POST',
                'body_format': 'json', 'body': '{{ fm_end_sessions }}', 'ca_path': '{{ syno_ca }}',
                'use_proxy': False}, 8))


# -- the emulator's log ------------------------------------------------------------------------

def step(entry):
    """One request of the emulator's log, as the rows write it."""
    api, method = entry['api'], entry['method']
    if api == ENTRY:
        name = 'compound(%s)' % '+'.join(call.rsplit('.', 1)[1] for call in entry['compound'])
    elif api in (ABB, AUTH):
        name = method
    else:
        name = '%s.%s' % (api, method)
    if entry['duration_ms'] >= SLOW_MS:
        # held back by a delay fault: the client stopped waiting, so what DSM answered in the end does not matter
        return name + ', slow'
    if entry['fault']:
        name += ': %s%s' % (entry['fault'], ', carried out' if entry['success'] is not None else '')
    elif entry['code'] is not None:
        name += ': %s' % entry['code']
    return name


def settled_log(ctl, timeout=10.0):
    """The whole log in request order, once every counted request has finished (a held-back answer is
    logged when it is sent)."""
    deadline = time.monotonic() + timeout
    while True:
        entries = ctl.log()
        if len(entries) >= ctl.stats()['requests'] or time.monotonic() > deadline:
            return sorted(entries, key=lambda entry: entry['seq'])
        time.sleep(0.2)


def carried_out_writes(entries):
    """The writes DSM carried out (successfully), as (method, parameters) in order."""
    return [(entry['method'], json.dumps(entry['params'], sort_keys=True)) for entry in entries
            if entry['api'] in WRITE_APIS and entry['method'] in WRITES and entry['success'] is True]


def assert_writes_once(entries, stats, expected):
    """The write counters are ``expected``, the log agrees, and no write was carried out twice."""
    assert stats['writes_by_method'] == expected
    done = carried_out_writes(entries)
    assert dict(Counter(method for method, dummy in done)) == expected
    repeated = [item for item, count in Counter(done).items() if count > 1]
    assert repeated == [], 'a write was carried out twice: %s' % repeated


# -- the matrix --------------------------------------------------------------------------------

@dataclass
class Row:
    """One fault and what must come of it."""

    id: str
    outcome: str                    # in words, for the summary
    tasks: list
    expect: list                    # [(task name, status)] of the module tasks, in order
    log: list                       # the NAS's request log, one step per request (see step())
    faults: dict = field(default_factory=dict)     # knobs set before the play
    defaults: dict = None           # module_defaults (CONNECTION when None)
    host_vars: dict = field(default_factory=dict)  # fm_timeout, fm_retries, syno_port, ...
    messages: dict = field(default_factory=dict)   # task -> parts its msg contains
    not_said: dict = field(default_factory=dict)   # task -> parts its msg must not contain
    errors: dict = field(default_factory=dict)     # task -> the result's error (host, api, method, code)
    warnings: dict = field(default_factory=dict)   # task -> parts of its one warning; the others warn nothing
    writes: dict = field(default_factory=dict)     # writes_by_method afterwards
    after_first_write: dict = None  # knobs set (by a watcher thread) once DSM carried out a write
    open_sessions: int = 0
    wave: str = ''                  # set by make_waves()
    slot: int = 0                   # index of the row's NAS in its wave

    @property
    def shape(self):
        return json.dumps([self.tasks, self.defaults], sort_keys=True)


def http(kind, method, count=1, after_apply=False, api=ABB):
    return {'http': [{'kind': kind, 'api': api, 'method': method, 'count': count, 'after_apply': after_apply}]}


def queue(code, method, count=1, api=ABB):
    return {'queue': [{'code': code, 'count': count, 'api': api, 'method': method}]}


def read_rows():
    """Rows of one storage_info task (list_storage); the slow ones first, so they share waves."""
    rows = [
        Row('busy-117x4-read-gives-up', 'failed after 3 retries (bounded)',
            [READ], [('Read', 'failed')], ['login'] + ['list_storage: 117'] * 4 + ['logout'],
            faults=queue(117, 'list_storage', count=4),
            messages={'Read': ['SYNO.ActiveBackup.Share.list_storage on {host} failed: ' + BUSY,
                               'still busy after 3 retries', 'run the task again later', 'or raise retries']},
            errors={'Read': {'api': ABB, 'method': 'list_storage', 'code': 117}}),
        Row('502-html-x4-read-gives-up', 'failed after 3 retries (bounded)',
            [READ], [('Read', 'failed')], ['login'] + ['list_storage: 502_html'] * 4 + ['logout'],
            faults=http('502_html', 'list_storage', count=4),
            messages={'Read': ['SYNO.ActiveBackup.Share.list_storage on {host} failed: HTTP status 502: 502 Bad Gateway',
                               'Still failing after 3 retries',
                               'DSM may be starting, updating or overloaded', 'Run the task again later']},
            errors={'Read': {'api': ABB, 'method': 'list_storage'}}),
        Row('connection-refused', 'failed after 3 retries (4 connection attempts); nothing reached the NAS',
            [READ], [('Read', 'failed')], [],
            host_vars={'syno_port': FREE_PORT},
            messages={'Read': ['SYNO.API.Auth.login on {host} failed: cannot connect', 'Connection refused',
                               'Still failing after 3 retries', 'Check host, port and use_https',
                               'that the NAS is up and reachable']},
            errors={'Read': {'api': AUTH, 'method': 'login'}}),
        Row('read-timeout-list_storage-gives-up', 'failed after 1 retry (timeout 2 s, retries 1)',
            [READ], [('Read', 'failed')], ['login', 'list_storage, slow', 'list_storage, slow', 'logout'],
            faults={'delay': [{'api': ABB, 'method': 'list_storage', 'seconds': 3, 'count': 2}]},
            host_vars={'fm_timeout': 2, 'fm_retries': 1},
            messages={'Read': ['SYNO.ActiveBackup.Share.list_storage on {host} failed: no answer within 2 seconds',
                               'Still failing after 1 retry', 'raise timeout (now 2 seconds)']},
            errors={'Read': {'api': ABB, 'method': 'list_storage'}}),
        Row('read-timeout-list_storage-then-ok', 'ok after 1 retry (timeout 2 s)',
            [READ], [('Read', 'ok')], ['login', 'list_storage, slow', 'list_storage', 'logout'],
            faults={'delay': [{'api': ABB, 'method': 'list_storage', 'seconds': 3}]},
            host_vars={'fm_timeout': 2}),
        Row('busy-117x2-read-then-ok', 'ok after 2 retries',
            [READ], [('Read', 'ok')], ['login', 'list_storage: 117', 'list_storage: 117', 'list_storage', 'logout'],
            faults=queue(117, 'list_storage', count=2)),
        Row('busy-117x2-login-then-ok', 'ok after 2 login retries',
            [READ], [('Read', 'ok')], ['login: 117', 'login: 117', 'login', 'list_storage', 'logout'],
            faults=queue(117, 'login', count=2, api=AUTH)),
        Row('503-html-login-then-ok', 'ok after 1 login retry',
            [READ], [('Read', 'ok')], ['login: 503_html', 'login', 'list_storage', 'logout'],
            faults=http('503_html', 'login', api=AUTH)),
    ]
    for kind in ('502_html', '503_html', 'reset', 'reset_midway', 'truncated_json', 'no_success'):
        rows.append(Row(
            '%s-read-then-ok' % kind.replace('_', '-'), 'ok after 1 retry',
            [READ], [('Read', 'ok')], ['login', 'list_storage: %s' % kind, 'list_storage', 'logout'],
            faults=http(kind, 'list_storage')))
    rows.append(Row(
        'wrong-content-type-read', 'ok at once: a JSON answer is read whatever its label',
        [READ], [('Read', 'ok')], ['login', 'list_storage: wrong_content_type, carried out', 'logout'],
        faults=http('wrong_content_type', 'list_storage')))
    for code in (106, 107, 119, 150):
        rows.append(Row(
            'session-%d-per-task-login' % code, 'ok: one re-login, the call repeated once',
            [READ], [('Read', 'ok')], ['login', 'list_storage: %d' % code, 'login', 'list_storage', 'logout'],
            faults=queue(code, 'list_storage'),
            # the session DSM answered the code for stays behind (a real DSM had ended it)
            open_sessions=1))
    return rows


SESSION_MEANINGS = {106: 'Session timeout', 107: 'Session interrupted by duplicated login',
                    119: 'SID not found (invalid or expired session)',
                    150: 'Request source IP does not match the login IP'}
SHARED_TASKS = [login(**ADMIN), END_SESSIONS, READ, LOGOUT]


def end_sessions(code):
    """The knob that makes the shared session fail with ``code`` at its next use."""
    return {'session_ip_mismatch': 1} if code == 150 else {'expire_sessions': code}


def shared_session_rows():
    """A session shared by the tasks of a play ends in the middle of it."""
    rows = []
    for code, meaning in sorted(SESSION_MEANINGS.items()):
        rows.append(Row(
            'session-%d-shared-with-credentials' % code, 'ok: one re-login, a warning',
            SHARED_TASKS, [('Log in', 'ok'), ('Read', 'ok'), ('Log out', 'ok')],
            ['login', 'list_storage: %d' % code, 'login', 'list_storage', 'logout', 'logout'],
            defaults=SHARED, host_vars={'fm_end_sessions': end_sessions(code), 'fm_username': ADMIN['username'],
                                        'fm_password': ADMIN['password']},
            warnings={'Read': ['The session given to the task was no longer valid on {host}',
                               'error %d, %s' % (code, meaning), 'logged in again with username and password']}))
    for code, what in ((106, ['has expired or was logged out',
                              'Run syno.activebackup.session again, or give username and password as well']),
                       (150, ['is tied to the address that logged in, and this task reached DSM from another address',
                              'Log in with syno.activebackup.session from the host that runs this task, or give '
                              'username and password as well'])):
        rows.append(Row(
            'session-%d-shared-without-credentials' % code, 'failed: the session ended, nothing to log in with',
            SHARED_TASKS, [('Log in', 'ok'), ('Read', 'failed'), ('Log out', 'ok')],
            ['login', 'list_storage: %d' % code, 'logout'],
            defaults=SHARED, host_vars={'fm_end_sessions': end_sessions(code)},
            messages={'Read': ['SYNO.ActiveBackup.Share.list_storage on {host} failed: error %d (%s)'
                               % (code, SESSION_MEANINGS[code]),
                               'the session given in the session option ' + what[0],
                               'no username and password were given to log in again', what[1]]},
            errors={'Read': {'api': ABB, 'method': 'list_storage', 'code': code}}))
    return rows


def write_rows():
    created = ['login', 'list_file', 'create_fs_dir', 'logout']
    found = ['login', 'list_file', 'logout']
    twice = [CREATE, CREATE_AGAIN]
    failed_then_changed = [('Create', 'failed'), ('Again', 'changed')]
    failed_then_ok = [('Create', 'failed'), ('Again', 'ok')]
    return [
        Row('busy-117-create_fs_dir', 'failed, outcome unknown (DSM did nothing); the re-run applies it',
            twice, failed_then_changed, ['login', 'list_file', 'create_fs_dir: 117', 'logout'] + created,
            faults=queue(117, 'create_fs_dir'),
            messages={'Create': ['SYNO.ActiveBackup.Share.create_fs_dir on {host} failed: ' + BUSY,
                                 'The NAS was busy, so the change may or may not have been applied',
                                 'it was not repeated', 'Run the task again']},
            errors={'Create': {'api': ABB, 'method': 'create_fs_dir', 'code': 117}},
            writes={'create_fs_dir': 1}),
        Row('502-html-create_fs_dir-before-apply', 'failed, outcome unknown (not applied); the re-run applies it',
            twice, failed_then_changed, ['login', 'list_file', 'create_fs_dir: 502_html', 'logout'] + created,
            faults=http('502_html', 'create_fs_dir'),
            messages={'Create': ['SYNO.ActiveBackup.Share.create_fs_dir on {host} failed: HTTP status 502'] + UNKNOWN},
            not_said={'Create': ['Still failing']},
            errors={'Create': {'api': ABB, 'method': 'create_fs_dir'}},
            writes={'create_fs_dir': 1}),
        Row('502-html-create_fs_dir-after-apply', 'failed, outcome unknown (applied); the re-run finds it: no change',
            twice, failed_then_ok, ['login', 'list_file', 'create_fs_dir: 502_html, carried out', 'logout'] + found,
            faults=http('502_html', 'create_fs_dir', after_apply=True),
            messages={'Create': ['SYNO.ActiveBackup.Share.create_fs_dir on {host} failed: HTTP status 502'] + UNKNOWN},
            not_said={'Create': ['Still failing']},
            errors={'Create': {'api': ABB, 'method': 'create_fs_dir'}},
            writes={'create_fs_dir': 1}),
        Row('reset-create_fs_dir-before-apply', 'failed, outcome unknown (not applied); the re-run applies it',
            twice, failed_then_changed, ['login', 'list_file', 'create_fs_dir: reset', 'logout'] + created,
            faults=http('reset', 'create_fs_dir'),
            messages={'Create': ['SYNO.ActiveBackup.Share.create_fs_dir on {host} failed: connection lost'] + UNKNOWN},
            not_said={'Create': ['Still failing']},
            writes={'create_fs_dir': 1}),
        Row('reset-create_fs_dir-after-apply', 'failed, outcome unknown (applied); the re-run finds it: no change',
            twice, failed_then_ok, ['login', 'list_file', 'create_fs_dir: reset, carried out', 'logout'] + found,
            faults=http('reset', 'create_fs_dir', after_apply=True),
            messages={'Create': ['SYNO.ActiveBackup.Share.create_fs_dir on {host} failed: connection lost'] + UNKNOWN},
            not_said={'Create': ['Still failing']},
            writes={'create_fs_dir': 1}),
        Row('reset-midway-create_fs_dir-after-apply',
            'failed, outcome unknown (applied, the answer cut off by a reset); the re-run finds it: no change',
            twice, failed_then_ok, ['login', 'list_file', 'create_fs_dir: reset_midway, carried out', 'logout'] + found,
            faults=http('reset_midway', 'create_fs_dir', after_apply=True),
            messages={'Create': ['SYNO.ActiveBackup.Share.create_fs_dir on {host} failed: connection lost'] + UNKNOWN},
            not_said={'Create': ['Still failing']},
            writes={'create_fs_dir': 1}),
        Row('no-success-create_fs_dir-after-apply', 'failed, outcome unknown (applied); the re-run finds it: no change',
            twice, failed_then_ok, ['login', 'list_file', 'create_fs_dir: no_success, carried out', 'logout'] + found,
            faults=http('no_success', 'create_fs_dir', after_apply=True),
            messages={'Create': ['SYNO.ActiveBackup.Share.create_fs_dir on {host} failed: the answer is JSON but not a '
                                 'DSM answer'] + UNKNOWN},
            not_said={'Create': ['Still failing']},
            writes={'create_fs_dir': 1}),
        Row('wrong-content-type-create_fs_dir', 'changed at once: a JSON answer is read whatever its label',
            twice, [('Create', 'changed'), ('Again', 'ok')],
            ['login', 'list_file', 'create_fs_dir: wrong_content_type, carried out', 'logout'] + found,
            faults=http('wrong_content_type', 'create_fs_dir'),
            writes={'create_fs_dir': 1}),
        Row('session-119-create_fs_dir', 'changed: one re-login, the write sent again once (DSM had done nothing)',
            twice, [('Create', 'changed'), ('Again', 'ok')],
            ['login', 'list_file', 'create_fs_dir: 119', 'login', 'create_fs_dir', 'logout'] + found,
            faults=queue(119, 'create_fs_dir'),
            writes={'create_fs_dir': 1}, open_sessions=1),
        Row('reset-relink-after-apply', 'failed, outcome unknown (applied); the re-run finds it linked: no change',
            [RELINK, RELINK_AGAIN], [('Relink', 'failed'), ('Again', 'ok')],
            ['login', 'compound(list+list_storage)', 'relink: reset, carried out', 'logout',
             'login', 'compound(list+list_storage)', 'logout'],
            # relink_seconds 0: done before the re-run reads (a running one would be waited for)
            faults=dict(http('reset', 'relink', after_apply=True), relink_seconds=0),
            messages={'Relink': ['SYNO.ActiveBackup.Share.relink on {host} failed: connection lost'] + UNKNOWN},
            not_said={'Relink': ['Still failing']},
            errors={'Relink': {'api': ABB, 'method': 'relink'}},
            writes={'relink': 1}),
        Row('relink-fails-midway', 'failed: the relink ran and failed on the NAS (code 4401); sent once',
            [RELINK], [('Relink', 'failed')],
            ['login', 'compound(list+list_storage)', 'relink', 'list_storage', 'logout'],
            faults={'relink_seconds': 0.3, 'relink_fail': {'share_name': 'ABB-Migrated', 'code': 4401}},
            messages={'Relink': ['SYNO.ActiveBackup.Share.relink on {host} failed: the relink of shared folder ABB-Migrated ran '
                                 'and ended with an error',
                                 'relink_state.error.code 4401', 'run the task again to retry the relink']},
            errors={'Relink': {'api': ABB, 'method': 'relink'}},
            writes={'relink': 1}),
        Row('502-html-during-relink-wait', 'changed: the poll of the wait retried once; the relink sent once',
            [RELINK], [('Relink', 'changed')],
            ['login', 'compound(list+list_storage)', 'relink', 'list_storage: 502_html', 'list_storage', 'logout'],
            # the first poll comes 1 s after the relink; the fault is set as soon as the relink is counted
            faults={'relink_seconds': 0.3}, after_first_write=http('502_html', 'list_storage'),
            writes={'relink': 1}),
        Row('truncated-json-remove-after-apply', 'failed, outcome unknown (applied); the re-run finds it gone: no change',
            [REMOVE, REMOVE_AGAIN], [('Remove', 'failed'), ('Again', 'ok')],
            ['login', 'list_storage', 'remove: truncated_json, carried out', 'logout', 'login', 'list_storage', 'logout'],
            faults=http('truncated_json', 'remove', after_apply=True),
            messages={'Remove': ['SYNO.ActiveBackup.Share.remove on {host} failed: the answer', 'is not valid JSON']
                      + UNKNOWN},
            not_said={'Remove': ['Still failing']},
            errors={'Remove': {'api': ABB, 'method': 'remove'}},
            writes={'remove': 1}),
        Row('503-html-remove-before-apply', 'failed, outcome unknown (not applied); the re-run applies it',
            [REMOVE, REMOVE_AGAIN], [('Remove', 'failed'), ('Again', 'changed')],
            ['login', 'list_storage', 'remove: 503_html', 'logout',
             'login', 'list_storage', 'remove', 'list_storage', 'logout'],
            faults=http('503_html', 'remove'),
            messages={'Remove': ['SYNO.ActiveBackup.Share.remove on {host} failed: HTTP status 503'] + UNKNOWN},
            not_said={'Remove': ['Still failing']},
            writes={'remove': 1}),
    ]


# The task module: a start or cancel is a write; a wait polls Task.list (2 s after the start, then 4, 8, ...).
START = task('Start', 'task', task_id=1, state='started')
START_AGAIN = task('Again', 'task', task_id=1, state='started')
STOP = task('Stop', 'task', task_id=1, state='stopped')
STOP_AGAIN = task('Again', 'task', task_id=1, state='stopped')
START_WAIT = task('Start and wait', 'task', task_id=1, state='started', wait=True, wait_timeout=60)
LIST = TASK_API + '.list'
BACKUP = TASK_API + '.backup'
CANCEL = TASK_API + '.cancel'
TASK_UNKNOWN = ['outcome is unknown', 'It was not sent again', 'syno.activebackup.task_info', 'run this task again']


def task_rows():
    started = ['login', LIST, BACKUP, LIST, 'logout']
    running = ['login', LIST, 'logout']
    long_runs = {'run_seconds': 30}
    return [
        Row('task-start-answer-lost', 'failed, outcome unknown (started); the re-run finds it running: no second run',
            [START, START_AGAIN], [('Start', 'failed'), ('Again', 'ok')],
            ['login', LIST, BACKUP + ': reset, carried out', 'logout'] + running,
            faults=dict(long_runs, **http('reset', 'backup', after_apply=True, api=TASK_API)),
            messages={'Start': [BACKUP + ' on {host} failed', 'may or may not have been started',
                                'never starts a second run while one is going'] + TASK_UNKNOWN},
            not_said={'Start': ['Still failing']},
            errors={'Start': {'api': TASK_API, 'method': 'backup'}},
            writes={'backup': 1}),
        Row('busy-117-task-start', 'failed, outcome unknown (DSM did nothing); the re-run starts it once',
            [START, START_AGAIN], [('Start', 'failed'), ('Again', 'changed')],
            ['login', LIST, BACKUP + ': 117', 'logout'] + started,
            faults=dict(long_runs, **queue(117, 'backup', api=TASK_API)),
            messages={'Start': [BACKUP + ' on {host} failed: ' + BUSY, 'The NAS was busy'] + TASK_UNKNOWN},
            errors={'Start': {'api': TASK_API, 'method': 'backup', 'code': 117}},
            writes={'backup': 1}),
        Row('task-start-4007-while-idle', 'failed: refused (read again: not running), code and hint; the re-run starts it',
            [START, START_AGAIN], [('Start', 'failed'), ('Again', 'changed')],
            ['login', LIST, BACKUP + ': 4007', LIST, 'logout'] + started,
            faults=dict(long_runs, **queue(4007, 'backup', api=TASK_API)),
            messages={'Start': [BACKUP + ' on {host} refused to start the backup of task Office-PCs (task_id 1): error '
                                '4007 (Another backup of the task is running)', 'never runs two at once']},
            errors={'Start': {'api': TASK_API, 'method': 'backup', 'code': 4007}},
            writes={'backup': 1}),
        Row('task-cancel-answer-lost', 'failed, outcome unknown (cancelled); the re-run finds it idle: no change',
            [START, STOP, STOP_AGAIN], [('Start', 'changed'), ('Stop', 'failed'), ('Again', 'ok')],
            started + ['login', LIST, CANCEL + ': reset, carried out', 'logout'] + running,
            faults=dict(long_runs, **http('reset', 'cancel', after_apply=True, api=TASK_API)),
            messages={'Stop': [CANCEL + ' on {host} failed', 'may or may not have been cancelled',
                               'cancels only a run that is still going'] + TASK_UNKNOWN},
            not_said={'Stop': ['Still failing']},
            errors={'Stop': {'api': TASK_API, 'method': 'cancel'}},
            writes={'backup': 1, 'cancel': 1}),
        Row('busy-117-task-cancel', 'failed, outcome unknown (DSM did nothing); the re-run cancels it once',
            [START, STOP, STOP_AGAIN], [('Start', 'changed'), ('Stop', 'failed'), ('Again', 'changed')],
            started + ['login', LIST, CANCEL + ': 117', 'logout', 'login', LIST, CANCEL, LIST, 'logout'],
            faults=dict(long_runs, **queue(117, 'cancel', api=TASK_API)),
            messages={'Stop': [CANCEL + ' on {host} failed: ' + BUSY, 'may or may not have been cancelled']},
            errors={'Stop': {'api': TASK_API, 'method': 'cancel', 'code': 117}},
            writes={'backup': 1, 'cancel': 1}),
        Row('session-119-during-wait', 'ok: one re-login during the wait, the wait goes on, one run',
            [START_WAIT], [('Start and wait', 'changed')],
            ['login', LIST, BACKUP, LIST + ': 119', 'login', LIST, LIST, 'logout'],
            # the run lasts 4 s: running at the first poll (2 s), ended at the second (6 s)
            faults={'run_seconds': 4}, after_first_write={'expire_sessions': 119},
            writes={'backup': 1}),
        Row('nas-restart-during-wait', 'ok: polls answered 503 while DSM restarts are retried, then a re-login',
            [START_WAIT], [('Start and wait', 'changed')],
            ['login', LIST, BACKUP, LIST + ': 503_html', LIST + ': 503_html', LIST + ': 119', 'login', LIST, 'logout'],
            faults={'run_seconds': 2.5},
            after_first_write={'http': [{'kind': '503_html', 'api': TASK_API, 'method': 'list', 'count': 2}],
                               'expire_sessions': 119},
            writes={'backup': 1}),
        Row('nas-down-during-wait', 'failed after 3 retries of a poll: the last state read, no success reported',
            [START_WAIT], [('Start and wait', 'failed')],
            ['login', LIST, BACKUP] + [LIST + ': reset'] * 4 + ['logout'],
            faults=long_runs,
            after_first_write={'http': [{'kind': 'reset', 'api': TASK_API, 'method': 'list', 'count': 4}]},
            messages={'Start and wait': ['Waiting for the backup of task Office-PCs (task_id 1) on {host} to end',
                                         LIST + ' on {host} failed', 'Still failing after 3 retries',
                                         'the read before it showed the task not running',
                                         'The outcome of the run was not seen', 'syno.activebackup.task_info']},
            not_said={'Start and wait': ['ended success']},
            errors={'Start and wait': {'api': TASK_API, 'method': 'list'}},
            writes={'backup': 1}),
    ]


def other_rows():
    return [
        Row('busy-117-inside-compound-read', 'ok: the failed element read again alone, at once',
            [task('Facts', 'facts', gather_subset=['storages', 'volumes'])], [('Facts', 'ok')],
            ['login', 'compound(list_storage+list_volume)', 'list_storage', 'logout'],
            faults=queue(117, 'list_storage')),
        Row('tls-certificate-changed', 'failed at the first attempt (not retried); ok once ca_path trusts the new CA',
            [READ, task('Read trusting the new CA', 'storage_info', ca_path='{{ fm_ca_bundle }}')],
            [('Read', 'failed'), ('Read trusting the new CA', 'ok')],
            ['login', 'list_storage', 'logout'],
            faults={'rotate_certificate': True},
            messages={'Read': ['SYNO.API.Auth.login on {host} failed: the TLS certificate of {host} could not be '
                               'verified', 'CERTIFICATE_VERIFY_FAILED', 'Give ca_path',
                               'or set validate_certs: false']},
            # a certificate that fails verification fails the same way again: not retried
            not_said={'Read': ['Still failing']},
            errors={'Read': {'api': AUTH, 'method': 'login'}}),
    ]


def make_waves(rows):
    """Rows with the same tasks and module_defaults, in waves of up to WAVE_SIZE; returns them in wave order."""
    shapes = {}
    for row in rows:
        shapes.setdefault(row.shape, []).append(row)
    ordered = []
    count = 0
    for same in shapes.values():
        for start in range(0, len(same), WAVE_SIZE):
            count += 1
            for slot, row in enumerate(same[start:start + WAVE_SIZE]):
                row.wave, row.slot = 'wave-%02d' % count, slot
                ordered.append(row)
    return ordered


ROWS = make_waves(read_rows() + shared_session_rows() + write_rows() + task_rows() + other_rows())


# -- running a wave ------------------------------------------------------------------------------

def free_port():
    """A loopback port where nothing listens."""
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def set_after_first_write(ctl, knobs, stop):
    while not stop.is_set():
        if ctl.stats()['writes']:
            ctl.faults(**knobs)
            return
        time.sleep(0.05)


def run_wave(nas, rows):
    """Run the rows of one wave, each on its own NAS, in one ansible-playbook run; returns what each
    row needs for its assertions (plain data)."""
    host_vars, labels, rotated, watchers = {}, {}, [], []
    stop = threading.Event()
    for row in rows:
        ctl = nas.control(row.slot)
        extra = dict(row.host_vars)
        if extra.get('syno_port') == FREE_PORT:
            extra['syno_port'] = free_port()
        if row.faults:
            answer = ctl.faults(**row.faults)
            if answer.get('ca_bundle'):
                extra['fm_ca_bundle'] = answer['ca_bundle']
                rotated.append(ctl)  # this control client trusts both CAs
        if row.after_first_write:
            watcher = threading.Thread(target=set_after_first_write, args=(nas.control(row.slot), row.after_first_write, stop))
            watcher.start()
            watchers.append(watcher)
        name = nas.nas[row.slot]['name']
        host_vars[name] = extra
        labels[row.id] = '127.0.0.1:%s' % extra.get('syno_port', nas.nas[row.slot]['port'])
    started = time.monotonic()
    try:
        run = run_playbook(play(rows[0].tasks, rows[0].defaults),
                           inventory=inventory_for(nas, names=list(host_vars), extra_host_vars=host_vars))
    finally:
        stop.set()
        for watcher in watchers:
            watcher.join(10)
        for ctl in rotated:
            ctl.faults(rotate_certificate=False)  # else the next test could not even reset the NAS
    seconds = round(time.monotonic() - started, 1)
    out = {}
    for row in rows:
        ctl = nas.control(row.slot)
        name = nas.nas[row.slot]['name']
        out[row.id] = {'rc': run.rc, 'output': run.describe(3000), 'seconds': seconds, 'host': labels[row.id],
                       'results': [r for r in run.results if r['host'] == name],
                       'log': settled_log(ctl), 'stats': ctl.stats()}
    return out


@pytest.fixture(scope='session')
def wave_store(tmp_path_factory):
    """A directory shared by the pytest-xdist workers of this test session (not by other sessions)."""
    run_id = os.environ.get('PYTEST_XDIST_TESTRUNUID')
    base = tmp_path_factory.getbasetemp()
    path = base.parent / ('fault-matrix-%s' % run_id) if run_id else base / 'fault-matrix'
    path.mkdir(exist_ok=True)
    return path


def wave_outcome(store, nas, wave):
    """The recorded outcome of ``wave``; the first process to need it runs it (the others wait)."""
    with open(store / (wave + '.lock'), 'w', encoding='utf-8') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        record = store / (wave + '.json')
        if not record.exists():
            outcome = run_wave(nas, [row for row in ROWS if row.wave == wave])
            tmp = store / (wave + '.json.tmp')
            tmp.write_text(json.dumps(outcome))
            tmp.replace(record)
        return json.loads(record.read_text())


def module_results(results):
    return [r for r in results if r['action'].startswith('syno.activebackup.')]


def fill(part, host):
    return part.replace('{host}', host)


def check_results(results, row, host, output):
    """Outcome, message parts, error fields and warnings of the row's module tasks."""
    results = module_results(results)
    assert [(r['task'], r['status']) for r in results] == row.expect, output
    for result in results:
        name = result['task']
        msg = result['result'].get('msg', '')
        for part in row.messages.get(name, ()):
            assert fill(part, host) in msg, '%r not in the message of %s: %s' % (fill(part, host), name, msg)
        for part in row.not_said.get(name, ()):
            assert part not in msg, '%r in the message of %s: %s' % (part, name, msg)
        if name in row.errors:
            expected = dict({'host': host}, **row.errors[name])
            error = result['result']['error']
            assert dict((key, error.get(key)) for key in expected) == expected, error
        if name in row.warnings:
            assert len(result['warnings']) == 1, result['warnings']
            for part in row.warnings[name]:
                assert fill(part, host) in result['warnings'][0], (part, result['warnings'])
        else:
            assert result['warnings'] == [], (name, result['warnings'])
        assert ADMIN['password'] not in json.dumps(result)
    return results


@pytest.mark.parametrize('row', ROWS, ids=[row.id for row in ROWS])
def test_fault_row(nas, wave_store, row):
    outcome = wave_outcome(wave_store, nas, row.wave)[row.id]
    assert outcome['rc'] == 0, outcome['output']
    results = check_results(outcome['results'], row, outcome['host'], outcome['output'])

    entries, stats = outcome['log'], outcome['stats']
    assert [step(entry) for entry in entries] == row.log
    assert stats['requests'] == len(row.log)
    assert_writes_once(entries, stats, row.writes)
    assert stats['open_sessions'] == row.open_sessions

    MATRIX.append({'row': row.id, 'outcome': row.outcome,
                   'statuses': ['%s: %s' % (r['task'], r['status']) for r in results],
                   'requests': stats['requests'], 'logins': stats['logins'], 'writes': stats['writes_by_method'],
                   'wave': row.wave, 'wave_seconds': outcome['seconds']})


# -- a restart of DSM between two tasks ----------------------------------------------------------

RESTART_PLAY_TASKS = [
    login(**ADMIN),
    task('Create before the restart', 'directory', paths=[NEW_DIR]),
    '''    - name: Tell the test that the play waits
      ansible.builtin.file:
        path: "{{ gate }}/waiting"
        state: touch
        mode: "0600"
    - name: Wait for the restart
      ansible.builtin.wait_for:
        path: "{{ gate }}/restarted"
        timeout: 60
''',
    task('Create after the restart', 'directory', paths=[NEW_DIR], **ADMIN),
    task('Read without credentials', 'storage_info'),
    LOGOUT,
]


def wait_for_file(path, thread, timeout=60):
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        assert thread.is_alive(), 'the play ended before it reached the restart'
        assert time.monotonic() < deadline, 'the play did not reach the restart within %s s' % timeout
        time.sleep(0.05)


def test_emulator_restart_between_tasks(tmp_path):
    """The emulator stops and starts again (same port, state kept in a file) while the play waits:
    DSM forgot every session, the data is still there."""
    from control import start_emulator  # tests/emulator/control.py

    state_file = tmp_path / 'state.json'
    gate = tmp_path / 'gate'
    gate.mkdir()

    def start(port):
        # The same directory: the new process writes its (new) CA where the inventory's ca_path points.
        return start_emulator(tmp_path / 'emulator', extra_args=[
            '--state-file', state_file, '--nas', 'nas1:%s:full' % port])

    first = start(0)
    port = first.nas[0]['port']
    second = None
    outcome = {}
    try:
        thread = threading.Thread(target=lambda: outcome.update(run=run_playbook(
            play(RESTART_PLAY_TASKS, SHARED), inventory=inventory_for(first), extra_vars={'gate': str(gate)},
            timeout=180)))
        started = time.monotonic()
        thread.start()
        try:
            wait_for_file(gate / 'waiting', thread)
            before = first.control(0).stats()
            before_log = first.control(0).log()
            assert first.stop() == 0
            second = start(port)
            assert second.nas[0]['port'] == port
            # the new process answers with a certificate from a new CA, written to the same place
            assert second.ca == first.ca
            (gate / 'restarted').touch()
        finally:
            thread.join(180)
        seconds = time.monotonic() - started
        run = outcome['run']
        assert run.rc == 0, run.describe()
        after = second.control(0).stats()
        after_log = second.control(0).log()
    finally:
        first.stop()
        if second is not None:
            second.stop()

    results = module_results(run.results)
    assert [(r['task'], r['status']) for r in results] == [
        ('Log in', 'ok'), ('Create before the restart', 'changed'), ('Create after the restart', 'ok'),
        ('Read without credentials', 'failed'), ('Log out', 'ok')]
    host = '127.0.0.1:%s' % port
    # with credentials: one re-login and a warning; the directory made before the restart is still there
    created = run.result('Create after the restart')
    assert len(created['warnings']) == 1
    assert ('The session given to the task was no longer valid on %s (error 119, SID not found (invalid or '
            'expired session)); the task logged in again with username and password.' % host) in created['warnings']
    # without credentials: a clear failure
    msg = run.result('Read without credentials')['result']['msg']
    for part in ('SYNO.ActiveBackup.Share.list_storage on %s failed: error 119' % host,
                 'the session given in the session option has expired or was logged out',
                 'Run syno.activebackup.session again, or give username and password as well'):
        assert part in msg, msg
    # logging out a session DSM forgot is no error: DSM confirms it (the session is gone now)
    assert run.result('Log out')['result']['logged_out'] is True

    assert [step(entry) for entry in before_log] == ['login', 'list_file', 'create_fs_dir']
    assert [step(entry) for entry in sorted(after_log, key=lambda entry: entry['seq'])] == [
        'list_file: 119', 'login', 'list_file', 'logout', 'list_storage: 119', 'logout']
    assert (before['requests'], after['requests']) == (3, 6)
    assert_writes_once(before_log, before, {'create_fs_dir': 1})
    assert_writes_once(after_log, after, {})
    assert after['open_sessions'] == 0

    MATRIX.append({'row': 'emulator-restart-between-tasks',
                   'outcome': 'sessions lost: re-login with a warning (credentials), clear failure (session only); '
                              'data kept',
                   'statuses': ['%s: %s' % (r['task'], r['status']) for r in results],
                   'requests': before['requests'] + after['requests'], 'logins': before['logins'] + after['logins'],
                   'writes': before['writes_by_method'], 'wave': 'restart', 'wave_seconds': round(seconds, 1)})


# -- the summary -------------------------------------------------------------------------------

def write_report(path, rows):
    """Merge ``rows`` into the JSON list in the file at ``path``, by row id (pytest-xdist workers each add theirs)."""
    with open(path, 'a+', encoding='utf-8') as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        try:
            merged = dict((row['row'], row) for row in json.loads(handle.read() or '[]'))
        except (ValueError, TypeError, KeyError):
            merged = {}
        merged.update((row['row'], row) for row in rows)
        handle.seek(0)
        handle.truncate()
        json.dump(sorted(merged.values(), key=lambda row: row['row']), handle, indent=1)


@pytest.fixture(scope='module', autouse=True)
def matrix_summary():
    yield
    if not MATRIX:
        return
    width = max(len(row['row']) for row in MATRIX)
    print('\nfault matrix: %d rows' % len(MATRIX))
    for row in MATRIX:
        print('%-*s  requests %2d  %-7s %5.1f s  %s'
              % (width, row['row'], row['requests'], row['wave'], row['wave_seconds'], row['outcome']))
    path = os.environ.get('FAULT_MATRIX_REPORT')
    if path:
        write_report(path, MATRIX)
