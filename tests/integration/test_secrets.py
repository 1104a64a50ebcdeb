# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""No secret leaves a task: plays at -vvv with distinctive secrets, on both ways a task can run.

The monitoring modules (task_info, device_info, version_info, result_info, log_info, api_info) and the facts
subsets tasks, devices and system read ABB answers that carry device secrets (agent_token, login_password,
mssql_password, oracle_password; the emulator's values are distinctive per NAS and device): none may appear
in any output, result, file or message.

Every play runs on two hosts: nas1 with ``ansible_connection: local`` (the action plugin runs the
operation in the controller's worker) and nas2 with ``relay_local``, a connection plugin made for
this test that runs commands on the controller like ``local`` under another name, so that the action
plugin hands the task to the module (AnsiballZ, a new interpreter). ``async`` tasks take the module
path on both hosts.

Secrets: the passwords of both accounts, ``otp_code`` (the right code and a wrong one), ``otp_secret``
and the codes the client computes from it, the trusted-device token DSM issued and a wrong one, the
session ID and SynoToken of every session the session module opened, wrong passwords and malformed
secret options. Places: stdout and stderr of every run, every result record (the callback's), the
emulator's request log (``raw_url``, ``url_params``, ``params``) and every file left under the run's
own TMPDIR, ANSIBLE_LOCAL_TEMP, ANSIBLE_REMOTE_TMP, ANSIBLE_HOME, ANSIBLE_ASYNC_DIR and working
directory.

The one task allowed to show a session is a session login without ``no_log`` (its result is the
session, documented as secret): its values may appear in that task's own result and its own lines of
output, nowhere else. With ANSIBLE_KEEP_REMOTE_FILES=1, ansible-core keeps the AnsiballZ wrapper of
every module it ran, and that file holds the module's arguments in plain text (``ANSIBLE_MODULE_ARGS``,
no_log values included); that is ansible-core's debugging feature (the wrapper's ``explode``
subcommand writes them to an ``args`` file), not the collection's doing. The test allows a secret
there and only there, inside the arguments; the run without that setting must leave no file at all.
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
import yaml

import harness
from harness import inventory_for, run_playbook

import dsm_emulator

ADMIN = ('admin', 'Adm1n-Secret!')
OTP_USER = ('otpadmin', '0tp-Secret!')
SEED = dsm_emulator.OTP_SECRET
DEVICE_NAME = 'syno-secrets-test'
REDACTED = '<redacted>'
# Form fields the emulator's log redacts; none of them may ever come in the URL.
SECRET_FIELDS = ('passwd', 'otp_code', 'device_id', '_sid', 'SynoToken')
INPUT_FILES = ('playbook.yml', 'inventory.yml', 'extra-vars.json', 'ansible.cfg')

RELAY_PLUGIN = '''\
# -*- coding: utf-8 -*-
# Written by tests/integration/test_secrets.py for its runs.
from __future__ import annotations

DOCUMENTATION = """
name: relay_local
short_description: The local connection under another name (integration tests only)
description:
  - Runs commands on the controller as ansible.builtin.local does; only the name differs.
author: syno.activebackup contributors
options:
  become_success_timeout:
    type: int
    default: 10
    description: As for ansible.builtin.local.
  become_strip_preamble:
    type: bool
    default: true
    description: As for ansible.builtin.local.
extends_documentation_fragment:
  - connection_pipelining
"""

from ansible.plugins.connection.local import Connection as LocalConnection


class Connection(LocalConnection):
    transport = 'relay_local'
'''

MODULE_DEFAULTS = {'group/syno.activebackup.dsm': {
    'host': '{{ syno_host }}', 'port': '{{ syno_port }}', 'ca_path': '{{ syno_ca }}'}}


# Secrets come in variables (extra vars here, a vault in real life): ansible-core 2.19 shows the lines of
# the playbook around a failed task, so a secret written into the playbook itself would be shown there.
SECRET_VARS = {'admin_password': ADMIN[1], 'otp_password': OTP_USER[1], 'otp_seed': SEED}


def admin(**extra):
    return dict(dict(username=ADMIN[0], password='{{ admin_password }}'), **extra)


def otp_user(**extra):
    return dict(dict(username=OTP_USER[0], password='{{ otp_password }}'), **extra)


def task(name, action, args=None, **keywords):
    out = {'name': name, action: args or {}}
    out.update(keywords)
    return out


def hand_over(register):
    """A task that writes the session in ``register`` to the test's hand-over directory.

    The pipe lookup runs on the controller and writes outside every place this test checks; the
    task is no_log, and a lookup leaves no module file behind.
    """
    target = "((handover_dir ~ '/' ~ inventory_hostname ~ '-%s.json') | quote)" % register
    command = "'umask 077 && printf %%s ' ~ (%s.session | to_json | quote) ~ ' > ' ~ %s" % (register, target)
    return task('hand %s over to the test' % register, 'ansible.builtin.set_fact',
                {'handed_over': "{{ lookup('ansible.builtin.pipe', %s) }}" % command}, no_log=True)


def set_faults(name, **knobs):
    """A task that sets fault knobs of the task's NAS through the emulator's control API."""
    return task(name, 'ansible.builtin.uri', {
        'url': 'https://{{ syno_host }}:{{ syno_port }}/_emulator/faults', 'method': 'POST',
        'body_format': 'json', 'body': knobs, 'ca_path': '{{ syno_ca }}', 'use_proxy': False})


def playbook(tasks, always=None, handover_dir=None):
    play = {'name': 'secrets', 'hosts': 'nas1,nas2', 'gather_facts': False,
            'module_defaults': MODULE_DEFAULTS, 'vars': {'handover_dir': str(handover_dir or '/nonexistent')}}
    play['tasks'] = [{'name': 'work', 'block': tasks, 'always': always}] if always else tasks
    return yaml.safe_dump([play], sort_keys=False, width=1000)


def code_at(window):
    return dsm_emulator.hotp(SEED, window)


def wrong_code():
    """8 digits (otp_code takes 6 to 8) that are no TOTP code of this time and appear nowhere else."""
    while True:
        candidate = '%08d' % (uuid.uuid4().int % 100000000)
        if candidate[0] != '0' and candidate[:6] not in {code_at(int(time.time() // 30) + d) for d in (-1, 0, 1)}:
            return candidate


def variants(value):
    """The forms a secret could take in text: as is, URL-encoded, form-encoded, JSON-escaped."""
    return {value, quote(value, safe=''), quote_plus(value), json.dumps(value)[1:-1]}


class Audit(object):
    """Secrets by label, and every place looked at for them."""

    def __init__(self):
        self.secrets = {}
        self.places = {}  # kind -> number of places of that kind looked at
        self.leaks = []
        # (file name, secret labels, arguments) of each AnsiballZ wrapper kept by keep_remote_files
        self.kept_args = []
        self.exec_lines = []  # (host, secret labels) of the command lines shown at -vvv for environment tasks
        self._patterns = {}

    def add(self, label, value):
        value = str(value)
        assert len(value) >= 6, 'secret %s is too short to search for: %r' % (label, value)
        self.secrets[label] = value
        if value.isdigit():  # codes: not as part of a longer number
            pattern = r'(?<![0-9])%s(?![0-9])' % value
        else:
            pattern = '|'.join(re.escape(v) for v in sorted(variants(value), key=len, reverse=True))
        self._patterns[label] = re.compile(pattern)

    def found(self, text):
        return sorted(label for label, pattern in self._patterns.items() if pattern.search(text))

    def look(self, kind, where, text, allowed=()):
        """Record ``text`` as one place of ``kind``; any secret outside ``allowed`` is a leak."""
        self.places[kind] = self.places.get(kind, 0) + 1
        for label in self.found(text):
            if label not in allowed:
                match = self._patterns[label].search(text)
                start = max(0, match.start() - 150)
                self.leaks.append('%s (%s) in %s: ...%s...' % (label, kind, where, text[start:match.end() + 80]))

    def assert_clean(self):
        assert not self.leaks, '%d leaks:\n%s' % (len(self.leaks), '\n\n'.join(self.leaks[:20]))

    @property
    def total_places(self):
        return sum(self.places.values())


def output_blocks(text):
    """stdout of the default callback as (task name or None, text) per TASK section."""
    name, lines, out = None, [], []
    for line in text.splitlines():
        if line.startswith(('TASK [', 'PLAY [', 'PLAY RECAP', 'PLAYBOOK:')):
            out.append((name, '\n'.join(lines)))
            name = line[6:line.index(']')] if line.startswith('TASK [') else None
            lines = []
        lines.append(line)
    out.append((name, '\n'.join(lines)))
    return out


def audit_run(audit, label, run, allowed_in_task=None, environment_tasks=()):
    """stdout, stderr and result records of one run.

    ``environment_tasks``: tasks with the ``environment`` keyword. On the module path ansible-core
    puts the task's environment in front of the module's command line, and -vvv shows that line
    (``<host> EXEC /bin/sh -c 'NAME=value ... AnsiballZ_...'``); such lines are kept apart in
    ``audit.exec_lines`` (host, secret labels), everything else of the task's output is checked.
    """
    allowed_in_task = allowed_in_task or {}
    for name, block in output_blocks(run.stdout):
        if name in environment_tasks:
            lines = block.splitlines()
            execs = [line for line in lines if re.match(r'^<[^>]+> EXEC ', line)]
            audit.exec_lines.extend((line[1:line.index('>')], audit.found(line)) for line in execs)
            block = '\n'.join(line for line in lines if line not in execs)
        audit.look('stdout', '%s: stdout of task %r' % (label, name), block, allowed_in_task.get(name, ()))
    audit.look('stderr', '%s: stderr' % label, run.stderr)
    for record in run.results:
        audit.look('result', '%s: result of %r on %s' % (label, record['task'], record['host']),
                   json.dumps(record, ensure_ascii=False), allowed_in_task.get(record['task'], ()))


def audit_emulator(audit, label, handle, indexes):
    """The request log of each NAS: no secret in the URL, every secret field in the body and redacted."""
    redacted_fields = {}
    for index in indexes:
        entries = handle.control(index).log()
        assert entries, 'no request reached NAS %d' % index
        for entry in entries:
            where = '%s: %s log seq %s (%s.%s)' % (label, handle.nas[index]['name'], entry['seq'], entry['api'], entry['method'])
            audit.look('emulator log', where, json.dumps(entry, ensure_ascii=False))
            assert entry['http_method'] == 'POST', where
            assert entry['url_params'] == [], where
            assert not set(SECRET_FIELDS) & set(re.split(r'[?&=]', entry['raw_url'])), where
            for field in SECRET_FIELDS:
                if field in entry['params']:
                    assert entry['params'][field] in (REDACTED, '"%s"' % REDACTED), (where, entry['params'])
                    redacted_fields[field] = redacted_fields.get(field, 0) + 1
    return redacted_fields


def audit_emulator_output(audit, label, handle):
    """The emulator process's own output (stdout and stderr, its log file)."""
    with open(handle.log_path, encoding='utf-8', errors='replace') as log:
        audit.look('emulator log', '%s: %s' % (label, handle.log_path), log.read())


def kept_wrapper_args(path, text):
    """``(text, dict)`` of the ANSIBLE_MODULE_ARGS of an AnsiballZ wrapper kept by ANSIBLE_KEEP_REMOTE_FILES, else None."""
    if not path.name.startswith('AnsiballZ_'):
        return None
    start = text.find('{"ANSIBLE_MODULE_ARGS": ')
    if start < 0 or text.count('"ANSIBLE_MODULE_ARGS"') != 1:
        return None
    args, end = json.JSONDecoder().raw_decode(text, start)
    return text[start:end], args['ANSIBLE_MODULE_ARGS']


def wait_for_async_cleanup(remote_tmp, seconds):
    """Wait (at most ``seconds``) until no ansible-tmp-* directory is left under ``remote_tmp``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(Path(remote_tmp).glob('ansible-tmp-*')):
        time.sleep(0.1)


def audit_files(audit, label, roots, keep_remote_files):
    """Every file under ``roots``; returns the list of files found."""
    files = []
    for root in roots:
        for folder, dummy, names in os.walk(str(root)):
            for name in names:
                path = Path(folder) / name
                files.append(path)
                text = path.read_bytes().decode('utf-8', 'replace')
                kept = kept_wrapper_args(path, text) if keep_remote_files else None
                if kept is not None:
                    # a secret in the arguments (ansible-core's kept wrapper), and nowhere else in the file
                    audit.look('file', '%s: %s' % (label, path), text.replace(kept[0], ''))
                    audit.kept_args.append((path.name, audit.found(kept[0]), kept[1]))
                else:
                    audit.look('file', '%s: %s' % (label, path), text)
    return files


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    """Dedicated temporary directories for the runs, the relay connection, and the run's working directory.

    The harness removes a run's working directory when the run ends; the wrapper keeps the list of
    files found there (other than the inputs the harness wrote) and their text for the audit.
    """
    dirs = {}
    for name in ('home', 'tmpdir', 'local-tmp', 'remote-tmp', 'ansible-home', 'async', 'handover', 'plugins'):
        dirs[name] = tmp_path / name
        dirs[name].mkdir()
    (dirs['plugins'] / 'relay_local.py').write_text(RELAY_PLUGIN)
    workdirs = []
    original = harness._execute

    def execute(command, workdir, *args, **kwargs):
        try:
            return original(command, workdir, *args, **kwargs)
        finally:
            left = {}
            for path in sorted(Path(workdir).rglob('*')):
                if path.is_file() and path.name not in INPUT_FILES:
                    left[str(path.relative_to(workdir))] = path.read_bytes().decode('utf-8', 'replace')
            workdirs.append(left)

    monkeypatch.setattr(harness, '_execute', execute)
    dirs['workdirs'] = workdirs
    return dirs


def run_env(sandbox, keep_remote_files):
    return {
        'HOME': sandbox['home'],
        'TMPDIR': sandbox['tmpdir'],
        'ANSIBLE_LOCAL_TEMP': sandbox['local-tmp'],
        'ANSIBLE_REMOTE_TMP': sandbox['remote-tmp'],
        'ANSIBLE_HOME': sandbox['ansible-home'],
        'ANSIBLE_ASYNC_DIR': sandbox['async'],
        'ANSIBLE_CONNECTION_PLUGINS': sandbox['plugins'],
        'ANSIBLE_KEEP_REMOTE_FILES': '1' if keep_remote_files else '0',
    }


def audit_workdir(audit, label, sandbox, allowed_in_task=None):
    """The files of the last run's working directory other than its inputs: only the callback's results file.

    It holds the result records, line by line; the one task allowed to show a session may show it there.
    """
    left = sandbox['workdirs'][-1]
    assert sorted(left) == ['results.jsonl'], sorted(left)
    for number, line in enumerate(left['results.jsonl'].splitlines()):
        record = json.loads(line)
        audit.look('file', '%s: working directory results.jsonl line %d' % (label, number + 1), line,
                   (allowed_in_task or {}).get(record.get('task'), ()))


# The run's own directories (environment of ansible-playbook); the working directory is checked apart.
CHECKED_DIRS = ('home', 'tmpdir', 'local-tmp', 'remote-tmp', 'ansible-home', 'async')


def handed_over(sandbox, host, register):
    return json.loads((sandbox['handover'] / ('%s-%s.json' % (host, register))).read_text())


def inventory(nas):
    return inventory_for(nas, names=['nas1', 'nas2'], extra_host_vars={'nas2': {'ansible_connection': 'relay_local'}})


def report(capsys, what, audit, runs, extra=''):
    with capsys.disabled():
        print('\n%s: %d secrets, %d places (%s) in %d runs at -vvv%s' % (
            what, len(audit.secrets), audit.total_places,
            ', '.join('%s %d' % item for item in sorted(audit.places.items())), runs, extra))


def modules_run(audit, handle):
    """{NAS name: sorted module names} of the kept AnsiballZ wrappers: the tasks that took the module path."""
    names = dict((int(nas['port']), nas['name']) for nas in handle.nas)
    out = {}
    for name, dummy, args in audit.kept_args:
        if args.get('_ansible_module_name', '').startswith('syno.activebackup.'):
            out.setdefault(names[int(args['port'])], []).append(args['_ansible_module_name'].split('.')[-1])
    return dict((key, sorted(value)) for key, value in out.items())


def wait_for_code_window(margin=20):
    """The window number after making sure at least ``margin`` seconds of it are left."""
    left = 30 - time.time() % 30
    if left < margin:
        time.sleep(left + 0.2)
    return int(time.time() // 30)


# -- succeeding tasks ------------------------------------------------------------------------

SUCCESS_TASKS = [
    task('login with a code and ask for a device token', 'syno.activebackup.session',
         otp_user(otp_code='{{ otp_code_now }}', request_device_token=True, device_name=DEVICE_NAME),
         register='first'),
    task('log the first session out', 'syno.activebackup.session', {'state': 'absent', 'session': '{{ first.session }}'}),
    task('login with the device token', 'syno.activebackup.session',
         otp_user(device_id='{{ first.session.device_id }}', device_name=DEVICE_NAME), register='second',
         no_log=True),
    hand_over('second'),
]
ENVIRONMENT_TASK = 'volume_info with the password in the task environment'
SUCCESS_BLOCK = [
    task('facts on the session', 'syno.activebackup.facts', {'session': '{{ second.session }}'}),
    task('directory on the session', 'syno.activebackup.directory',
         {'session': '{{ second.session }}', 'paths': ['/volume1/ActiveBackupforBusiness/secrets-test']}),
    task('storage_info with otp_secret', 'syno.activebackup.storage_info', otp_user(otp_secret='{{ otp_seed }}')),
    task('volume_info with a password', 'syno.activebackup.volume_info', admin()),
    task('share_info as an async job', 'syno.activebackup.share_info', admin(), **{'async': 30, 'poll': 1}),
    task(ENVIRONMENT_TASK, 'syno.activebackup.volume_info', {'username': ADMIN[0]},
         environment={'SYNOLOGY_PASSWORD': '{{ admin_password }}'}),
]
SUCCESS_ALWAYS = [
    task('log the second session out', 'syno.activebackup.session', {'state': 'absent', 'session': '{{ second.session }}'}),
]
FIRST_LOGIN = SUCCESS_TASKS[0]['name']


def test_succeeding_tasks_leak_no_secret(nas, sandbox, capsys):
    window = wait_for_code_window()
    otp_code = code_at(window - 1)  # the previous window's code: the otp_secret task computes another one
    started = time.time()
    run = run_playbook(playbook(SUCCESS_TASKS + SUCCESS_BLOCK, SUCCESS_ALWAYS, sandbox['handover']), inventory=inventory(nas),
                       extra_vars=dict(SECRET_VARS, otp_code_now=otp_code), env=run_env(sandbox, True), verbosity=3, forks=2)
    run.assert_success()
    assert [s for s in run.statuses if s[2] not in ('ok', 'changed')] == []

    audit = Audit()
    audit.add('admin password', ADMIN[1])
    audit.add('otpadmin password', OTP_USER[1])
    audit.add('otp_secret', SEED)
    audit.add('otp_code', otp_code)
    for step in range(int(started // 30), int(time.time() // 30) + 1):
        if code_at(step) != otp_code:
            audit.add('otp code of window %d' % step, code_at(step))
    allowed_first = set()
    for host in ('nas1', 'nas2'):
        first = run.result(FIRST_LOGIN, host=host)['result']['session']
        second = handed_over(sandbox, host, 'second')
        assert sorted(first) == ['device_id', 'sid', 'synotoken'] and sorted(second) == ['sid', 'synotoken']
        for key in ('sid', 'synotoken', 'device_id'):
            audit.add('%s %s of the first login' % (host, key), first[key])
            allowed_first.add('%s %s of the first login' % (host, key))
        for key in ('sid', 'synotoken'):
            audit.add('%s %s of the no_log login' % (host, key), second[key])
        assert first['sid'] != second['sid']

    # facts (all) reads the devices of ABB, with their secrets
    add_device_secrets(audit, nas, (0, 1))

    # The first login has no no_log: its result (and only that) shows its session; the scan sees it.
    first_block = [block for name, block in output_blocks(run.stdout) if name == FIRST_LOGIN]
    assert len(first_block) == 1 and len(audit.found(first_block[0])) == 6, audit.found(first_block[0])
    audit_run(audit, 'succeeding tasks', run, {FIRST_LOGIN: allowed_first}, environment_tasks=(ENVIRONMENT_TASK,))
    assert audit.leaks == []
    # The task environment (SYNOLOGY_PASSWORD): the action plugin (nas1) shows it nowhere; on the module path
    # (nas2) ansible-core may show it in the module's command line at -vvv, and nowhere else.
    assert all(host == 'nas2' for host, labels in audit.exec_lines if labels), audit.exec_lines
    environment_shown = sum(1 for host, labels in audit.exec_lines if 'admin password' in labels)

    fields = audit_emulator(audit, 'succeeding tasks', nas, (0, 1))
    audit_emulator_output(audit, 'succeeding tasks', nas)
    # 6 logins per NAS (passwd), one otp_code and the computed codes, the device token, a sid on every call
    assert fields.get('passwd') == 12 and fields.get('otp_code', 0) >= 4 and fields.get('device_id') == 2, fields
    assert fields.get('_sid', 0) >= 10, fields
    for index in (0, 1):
        counters = nas.control(index).stats()
        assert (counters['logins'], counters['logouts'], counters['open_sessions'], counters['failed_logins']) == (6, 6, 0, 0)

    files = audit_files(audit, 'succeeding tasks', [sandbox[name] for name in CHECKED_DIRS], keep_remote_files=True)
    audit_workdir(audit, 'succeeding tasks', sandbox, {FIRST_LOGIN: allowed_first})
    audit.assert_clean()
    # Both ways of running a task were taken: on nas1 only the async task ran the module, on nas2 every task.
    assert modules_run(audit, nas) == {
        'nas1': ['share_info'],
        'nas2': ['directory', 'facts', 'session', 'session', 'session', 'session', 'share_info', 'storage_info',
                 'volume_info', 'volume_info']}
    # Kept wrappers hold the module's arguments, secrets included: ansible-core's, see the docstring.
    held = sorted(set((name, tuple(labels)) for name, labels, dummy in audit.kept_args if labels))
    assert ('AnsiballZ_volume_info.py', ('admin password',)) in held, held
    report(capsys, 'succeeding tasks', audit, 1, '; %d files left with keep_remote_files, %d AnsiballZ wrappers, '
           'secrets in their arguments: %s; task environment shown by ansible-core in %d module command line(s) '
           'of nas2' % (len(files), len(audit.kept_args), '; '.join(
               '%s: %s' % (name, ', '.join(labels)) for name, labels in held), environment_shown))


# -- failing tasks ---------------------------------------------------------------------------


def failing_tasks():
    ignore = {'ignore_errors': True}
    return [
        task('wrong password', 'syno.activebackup.session', admin(password='{{ wrong.password }}'), **ignore),
        task('wrong otp_code', 'syno.activebackup.facts', otp_user(otp_code='{{ wrong.otp_code }}'), **ignore),
        task('unknown device token', 'syno.activebackup.share_info',
             otp_user(device_id='{{ wrong.device_id }}', device_name=DEVICE_NAME), **ignore),
        task('malformed otp_secret', 'syno.activebackup.volume_info', admin(otp_secret='{{ wrong.otp_secret }}'),
             **ignore),
        task('malformed otp_code', 'syno.activebackup.file_info',
             admin(otp_code='{{ wrong.bad_code }}', root_path='/volume1/ActiveBackupforBusiness'), **ignore),
        task('argument of the wrong type', 'syno.activebackup.storage_info',
             admin(password='{{ wrong.password2 }}', retries='several'), **ignore),
        task('login for the expiry', 'syno.activebackup.session', admin(), register='third', no_log=True),
        hand_over('third'),
        set_faults('expire every session (emulator)', expire_sessions=119),
        task('expired session without credentials', 'syno.activebackup.share_info',
             {'session': '{{ third.session }}'}, **ignore),
        task('expired session with credentials', 'syno.activebackup.storage_info',
             admin(session='{{ third.session }}')),
        task('refusal: storage in use', 'syno.activebackup.storage',
             admin(share_name='ABB-Busy', state='absent'), **ignore),
        set_faults('the next list_volume answers 105 (emulator)',
                   queue=[{'code': 105, 'api': 'SYNO.ActiveBackup.Share', 'method': 'list_volume'}]),
        task('API error 105', 'syno.activebackup.volume_info', admin(), **ignore),
        task('API error 408', 'syno.activebackup.file_info',
             admin(root_path='/volume1/ActiveBackupforBusiness/not-there'), **ignore),
        task('log the expired session out', 'syno.activebackup.session',
             {'state': 'absent', 'session': '{{ third.session }}'}),
    ]


EXPECTED_FAILURES = {
    'wrong password': 400,
    'wrong otp_code': 404,
    'unknown device token': 403,
    'malformed otp_secret': None,
    'malformed otp_code': None,
    'argument of the wrong type': None,
    'expired session without credentials': 119,
    'refusal: storage in use': None,
    'API error 105': 105,
    'API error 408': 408,
}


def test_failing_tasks_leak_no_secret(nas, sandbox, capsys):
    tag = uuid.uuid4().hex
    wrong = {
        'password': 'S3cr3t-%s' % uuid.uuid4(),
        'password2': 'S3cr3t-%s' % uuid.uuid4(),
        'otp_code': wrong_code(),
        'device_id': 'D3v1ce-%s' % uuid.uuid4(),
        'otp_secret': 'N0T-BASE32-%s!' % tag[:12],
        'bad_code': '12ab%s' % tag[12:24],
    }
    run = run_playbook(playbook(failing_tasks(), handover_dir=sandbox['handover']), inventory=inventory(nas),
                       extra_vars=dict(SECRET_VARS, wrong=wrong), env=run_env(sandbox, True), verbosity=3, forks=2)
    run.assert_success()
    for host in ('nas1', 'nas2'):
        for name, code in EXPECTED_FAILURES.items():
            record = run.result(name, host=host)
            assert record['status'] == 'failed', (host, name, record)
            if code is not None:
                assert record['result'].get('error', {}).get('code') == code, (host, name, record['result'])
        relogin = run.result('expired session with credentials', host=host)
        assert relogin['status'] == 'ok' and any('logged in again' in w for w in relogin['warnings'])
        # DSM's 2FA prompt carries a pending-login token: masked in the result
        prompt = run.result('unknown device token', host=host)['result']['error']
        assert prompt['details']['token'] == '********' and prompt['details']['types'] == [{'type': 'otp'}], prompt
    assert 'otp_secret is not a valid base32' in run.result('malformed otp_secret', host='nas1')['result']['msg']
    assert 'retries' in run.result('argument of the wrong type', host='nas2')['result']['msg']

    audit = Audit()
    audit.add('admin password', ADMIN[1])
    audit.add('otpadmin password', OTP_USER[1])
    for key, value in wrong.items():
        audit.add('wrong %s' % key, value)
    for host in ('nas1', 'nas2'):
        for key, value in handed_over(sandbox, host, 'third').items():
            audit.add('%s %s of the expired session' % (host, key), value)
    audit_run(audit, 'failing tasks', run)

    fields = audit_emulator(audit, 'failing tasks', nas, (0, 1))
    audit_emulator_output(audit, 'failing tasks', nas)
    assert fields.get('passwd', 0) >= 8 and fields.get('otp_code') == 2 and fields.get('device_id') == 2, fields
    for index in (0, 1):
        counters = nas.control(index).stats()
        # wrong password, wrong code, unknown device token; the play's login and the task's fresh one
        assert counters['failed_logins'] == 3 and counters['open_sessions'] == 0, counters

    files = audit_files(audit, 'failing tasks', [sandbox[name] for name in CHECKED_DIRS], keep_remote_files=True)
    audit_workdir(audit, 'failing tasks', sandbox)
    audit.assert_clean()
    ran = modules_run(audit, nas)
    collection_tasks = [t for t in failing_tasks() if any(key.startswith('syno.activebackup.') for key in t)]
    assert sorted(ran) == ['nas2'] and len(ran['nas2']) == len(collection_tasks) == 13, ran
    held = sorted(set((name, tuple(labels)) for name, labels, dummy in audit.kept_args if labels))
    assert ('AnsiballZ_session.py', ('wrong password',)) in held, held
    report(capsys, 'failing tasks', audit, 1, '; %d files left with keep_remote_files, %d AnsiballZ wrappers, '
           'secrets in their arguments: %s' % (len(files), len(audit.kept_args), '; '.join(
               '%s: %s' % (name, ', '.join(labels)) for name, labels in held)))


# -- what a default run leaves on disk ---------------------------------------------------------


def test_default_run_leaves_no_file(nas, sandbox, capsys):
    wrong_password = 'S3cr3t-%s' % uuid.uuid4()
    tasks = [
        task('login', 'syno.activebackup.session', admin(), register='fourth', no_log=True),
        hand_over('fourth'),
        task('facts on the session', 'syno.activebackup.facts', {'session': '{{ fourth.session }}'}),
        task('share_info as an async job', 'syno.activebackup.share_info', admin(), **{'async': 30, 'poll': 1}),
        task('wrong password', 'syno.activebackup.volume_info', admin(password='{{ wrong_password }}'),
             ignore_errors=True),
        task('credentials from the environment of ansible-playbook', 'syno.activebackup.storage_info'),
    ]
    always = [task('logout', 'syno.activebackup.session', {'state': 'absent', 'session': '{{ fourth.session }}'})]
    # The documented way for ad hoc use: SYNOLOGY_USERNAME and SYNOLOGY_PASSWORD exported before the run.
    env = dict(run_env(sandbox, False), SYNOLOGY_USERNAME=ADMIN[0], SYNOLOGY_PASSWORD=ADMIN[1])
    run = run_playbook(playbook(tasks, always, sandbox['handover']), inventory=inventory(nas),
                       extra_vars=dict(SECRET_VARS, wrong_password=wrong_password), env=env, verbosity=3, forks=2)
    run.assert_success()
    assert [r['status'] for r in run.for_task('credentials from the environment of ansible-playbook')] == ['ok', 'ok']
    for host in ('nas1', 'nas2'):
        assert run.result('wrong password', host=host)['result']['error']['code'] == 400
        assert run.result('share_info as an async job', host=host)['status'] == 'ok'
    # nas2 ran the module (AnsiballZ); nas1 the action plugin alone
    facts_block = [block for name, block in output_blocks(run.stdout) if name == 'facts on the session']
    assert len(facts_block) == 1 and facts_block[0].count('AnsiballZ_facts.py') >= 1, facts_block

    audit = Audit()
    audit.add('admin password', ADMIN[1])
    audit.add('wrong password', wrong_password)
    for host in ('nas1', 'nas2'):
        for key, value in handed_over(sandbox, host, 'fourth').items():
            audit.add('%s %s' % (host, key), value)
    add_device_secrets(audit, nas, (0, 1))
    audit_run(audit, 'default run', run)
    audit_emulator(audit, 'default run', nas, (0, 1))
    audit_emulator_output(audit, 'default run', nas)
    # An async task's module runs under ansible-core's async wrapper, which removes its temporary
    # directory (AnsiballZ file with the arguments) only after it has written the job's result: the
    # play can end a moment before that. Give the wrapper time to finish, then audit what is left.
    wait_for_async_cleanup(sandbox['remote-tmp'], seconds=20)
    files = audit_files(audit, 'default run', [sandbox[name] for name in CHECKED_DIRS], keep_remote_files=False)
    audit_workdir(audit, 'default run', sandbox)
    audit.assert_clean()
    assert files == [], 'a run without ANSIBLE_KEEP_REMOTE_FILES left files: %s' % files
    report(capsys, 'default run', audit, 1, '; files left: %d' % len(files))


# -- the monitoring modules: device secrets of ABB answers ---------------------------------------

MONITORING_TASKS = [
    task('facts with every subset', 'syno.activebackup.facts', admin()),
    task('facts as seen by the play', 'ansible.builtin.debug', {'var': 'ansible_facts.activebackup'}),
    task('facts tasks, devices and system', 'syno.activebackup.facts', admin(gather_subset=['tasks', 'devices', 'system'])),
    task('task_info with versions', 'syno.activebackup.task_info', admin(with_versions=True)),
    task('device_info', 'syno.activebackup.device_info', admin()),
    task('version_info by name', 'syno.activebackup.version_info', admin(task_name='Office-PCs', limit=5)),
    task('result_info of a task', 'syno.activebackup.result_info',
         admin(task_name='Office-PCs', status=['success', 'failed'], since='30d', limit=20)),
    task('log_info', 'syno.activebackup.log_info', admin(level=['error', 'warning', 'info'], since='7d', limit=50)),
    task('api_info', 'syno.activebackup.api_info', admin(query=['SYNO.ActiveBackup.*', 'SYNO.DSM.Info'])),
    task('device_info as an async job', 'syno.activebackup.device_info', admin(), **{'async': 30, 'poll': 1}),
    task('version_info of no such task', 'syno.activebackup.version_info', admin(task_name='No-Such-Task'),
         ignore_errors=True),
    task('result_info since the future', 'syno.activebackup.result_info', admin(since='2999-01-01'), ignore_errors=True),
    set_faults('the next Device.list answers 1001 (emulator)',
               queue=[{'code': 1001, 'api': 'SYNO.ActiveBackup.Device', 'method': 'list'}]),
    task('device_info API error', 'syno.activebackup.device_info', admin(), ignore_errors=True),
]
MONITORING_MODULES = ['api_info', 'device_info', 'device_info', 'device_info', 'facts', 'facts', 'log_info',
                      'result_info', 'result_info', 'task_info', 'version_info', 'version_info']


def add_device_secrets(audit, handle, indexes):
    """The distinctive secrets of every device of the emulator's NAS (agent_token, login/mssql/oracle passwords)."""
    count = 0
    for index in indexes:
        name = handle.nas[index]['name']
        for device in handle.control(index).jobs()['devices']:
            assert sorted(device['secrets']) == ['agent_token', 'login_password', 'mssql_password', 'oracle_password']
            for key, value in device['secrets'].items():
                assert value.startswith('EMU-') and name in value, value
                audit.add('%s %s of %s' % (name, key, device['host_name']), value)
                count += 1
    return count


def test_monitoring_modules_leak_no_device_secret(nas, sandbox, capsys):
    run = run_playbook(playbook(MONITORING_TASKS), inventory=inventory(nas), extra_vars=SECRET_VARS,
                       env=run_env(sandbox, True), verbosity=3, forks=2)
    run.assert_success()
    for host in ('nas1', 'nas2'):
        for item in MONITORING_TASKS:
            record = run.result(item['name'], host=host)
            failing = item.get('ignore_errors')
            assert record['status'] == ('failed' if failing else 'ok'), (host, item['name'], record['status'])
        facts = run.result('facts with every subset', host=host)['result']['ansible_facts']['activebackup']
        assert len(facts['devices']) == 11 and len(facts['tasks']) == 7 and facts['system']['model'] == 'DS1821+'
        assert all(device['mssql_user'] == 'sa-emu' for device in facts['devices'])
        assert len(run.result('device_info', host=host)['result']['devices']) == 11
        assert run.result('version_info by name', host=host)['result']['task_name'] == 'Office-PCs'
        missing = run.result('version_info of no such task', host=host)['result']
        assert "No backup task named 'No-Such-Task'" in missing['msg'] and 'Office-PCs' in missing['msg']
        assert 'is in the future' in run.result('result_info since the future', host=host)['result']['msg']
        assert run.result('device_info API error', host=host)['result']['error']['code'] == 1001
        apis = run.result('api_info', host=host)['result']['apis']
        assert 'SYNO.ActiveBackup.Task' in apis and 'SYNO.DSM.Info' in apis

    audit = Audit()
    audit.add('admin password', ADMIN[1])
    secrets = add_device_secrets(audit, nas, (0, 1))
    assert secrets == 2 * 11 * 4
    audit_run(audit, 'monitoring modules', run)
    assert 'EMU-' not in run.stdout and 'EMU-' not in run.stderr
    assert not any('EMU-' in json.dumps(record) for record in run.results)
    audit_emulator(audit, 'monitoring modules', nas, (0, 1))
    audit_emulator_output(audit, 'monitoring modules', nas)
    files = audit_files(audit, 'monitoring modules', [sandbox[name] for name in CHECKED_DIRS], keep_remote_files=True)
    audit_workdir(audit, 'monitoring modules', sandbox)
    audit.assert_clean()
    # Both ways: on nas1 the action plugin ran every task but the async one; on nas2 the module ran every task.
    assert modules_run(audit, nas) == {'nas1': ['device_info'], 'nas2': MONITORING_MODULES}
    report(capsys, 'monitoring modules', audit, 1, '; %d device secrets; %d files left with keep_remote_files'
           % (secrets, len(files)))


def test_secret_named_keys_in_an_abb_error_leak_nowhere(nas, sandbox):
    token, password = 'ERR-AGENT-TOKEN-%s' % uuid.uuid4().hex[:12], 'ERR-LOGIN-PASSWORD-%s' % uuid.uuid4().hex[:12]
    tasks = [
        set_faults('the next Task.list answers 5001 with device details (emulator)', queue=[{
            'code': 5001, 'api': 'SYNO.ActiveBackup.Task', 'method': 'list',
            'errors': {'reason': 'offline', 'agent_token': token, 'devices': [{'login_password': password}]}}]),
        task('task_info API error', 'syno.activebackup.task_info', admin(), ignore_errors=True),
    ]
    run = run_playbook(playbook(tasks), inventory=inventory(nas), extra_vars=SECRET_VARS, env=run_env(sandbox, False),
                       verbosity=3, forks=2)
    run.assert_success()
    for host in ('nas1', 'nas2'):
        assert run.result('task_info API error', host=host)['result']['error']['code'] == 5001
    audit = Audit()
    audit.add('agent_token in the error', token)
    audit.add('login_password in the error', password)
    # the fault task itself carries the planted values (the test's own set-up, not the collection)
    planted = {tasks[0]['name']: {'agent_token in the error', 'login_password in the error'}}
    audit_run(audit, 'ABB error details', run, planted)
    audit.assert_clean()
