# -*- coding: utf-8 -*-
# Copyright: contributors to syno.activebackup
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run real ``ansible-playbook`` / ``ansible`` against the DSM emulator and read the results.

::

    from harness import inventory_for, run_playbook

    def test_something(nas):                      # fixture from conftest.py
        run = run_playbook('''
        - hosts: nas
          gather_facts: false
          tasks:
            - name: Read the shares
              syno.activebackup.share_info:
                host: "{{ syno_host }}"
                port: "{{ syno_port }}"
                ca_path: "{{ syno_ca }}"
                username: admin
                password: Adm1n-Secret!
              register: shares
        ''', inventory=inventory_for(nas))
        run.assert_success()
        assert run.result('Read the shares', host='nas1')['result']['shares']
        assert nas.control(0).stats()['logins'] == 1

Every run gets its own working directory (removed afterwards), an empty ansible.cfg, the
collection from ``build/collections`` (the symlink to this work tree made by
``tests/utils/collection_root.py``), a minimal environment (no proxies, no CA bundle
variables, no user Ansible configuration), and the test-only callback
``tests/integration/callback_plugins/results_json.py``, whose records become
``PlaybookRun.results``.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
CALLBACK_DIR = HERE / 'callback_plugins'

# environment variables passed through to Ansible from the test process; nothing else is
PASS_ENV = ('HOME', 'USER', 'LOGNAME', 'TMPDIR', 'TZ')


class PlaybookTimeout(AssertionError):
    """ansible-playbook / ansible did not finish in time."""


@dataclass
class PlaybookRun:
    """What one ansible-playbook (or ad-hoc ansible) run did."""

    rc: int
    stdout: str
    stderr: str
    results: list = field(default_factory=list)  # one dict per task result and host
    stats: dict = field(default_factory=dict)  # play recap per host
    command: list = field(default_factory=list)
    playbook: str = ''  # the playbook text (or path) that ran
    inventory: str = ''  # the inventory text that ran

    def describe(self, limit=6000):
        """rc, command and the tail of the output, for assertion messages."""
        out = self.stdout[-limit:]
        err = self.stderr[-limit:]
        return 'rc=%s\ncommand: %s\n--- stdout (tail) ---\n%s\n--- stderr (tail) ---\n%s' % (
            self.rc, ' '.join(self.command), out, err)

    def assert_success(self):
        """Fail the test (showing the output) unless the run exited 0."""
        assert self.rc == 0, 'ansible run failed\n' + self.describe()
        return self

    def for_task(self, task, host=None):
        """All results of the task named ``task`` (optionally of one host)."""
        return [r for r in self.results if r['task'] == task and (host is None or r['host'] == host)]

    def for_host(self, host):
        return [r for r in self.results if r['host'] == host]

    def result(self, task, host=None):
        """The one result record of ``task`` (on ``host``); fails unless there is exactly one."""
        found = self.for_task(task, host)
        assert len(found) == 1, 'expected one result for task %r%s, found %d\n%s' % (
            task, '' if host is None else ' on %s' % host, len(found), self.describe(2000))
        return found[0]

    @property
    def statuses(self):
        """``[(host, task, status), ...]`` in the order the results came."""
        return [(r['host'], r['task'], r['status']) for r in self.results]

    @property
    def failed(self):
        """Results that failed (not ignored) or were unreachable."""
        return [r for r in self.results
                if r['status'] == 'unreachable' or (r['status'] == 'failed' and not r['ignore_errors'])]


def _bin(name):
    """``name`` from the venv running the tests, else from the repo's .venv."""
    candidate = Path(sys.executable).parent / name
    if candidate.exists():
        return str(candidate)
    candidate = REPO / '.venv' / 'bin' / name
    if candidate.exists():
        return str(candidate)
    raise RuntimeError('%s not found next to %s nor in %s (run make venv)' % (
        name, sys.executable, REPO / '.venv' / 'bin'))


@functools.lru_cache(maxsize=None)
def collections_path():
    """``build/collections``, after making sure the collection symlink is in place."""
    out = subprocess.run([sys.executable, str(REPO / 'tests' / 'utils' / 'collection_root.py')],
                         check=True, capture_output=True, text=True).stdout.strip()
    root = Path(out)  # .../build/collections/ansible_collections/<namespace>/<name>
    return str(root.parent.parent.parent)


def _base_env(workdir, results_file, extra=None):
    env = {name: os.environ[name] for name in PASS_ENV if name in os.environ}
    env.update({
        'PATH': os.pathsep.join([str(Path(sys.executable).parent), '/usr/local/bin', '/usr/bin', '/bin']),
        'LANG': 'C.UTF-8',
        'LC_ALL': 'C.UTF-8',
        'PYTHONDONTWRITEBYTECODE': '1',
        'ANSIBLE_CONFIG': str(workdir / 'ansible.cfg'),
        'ANSIBLE_HOME': str(workdir / 'ansible-home'),
        'ANSIBLE_LOCAL_TEMP': str(workdir / 'local-tmp'),
        'ANSIBLE_REMOTE_TMP': str(workdir / 'remote-tmp'),
        'ANSIBLE_COLLECTIONS_PATH': collections_path(),
        'ANSIBLE_CALLBACK_PLUGINS': str(CALLBACK_DIR),
        'ANSIBLE_CALLBACKS_ENABLED': 'results_json',
        'ANSIBLE_LOAD_CALLBACK_PLUGINS': '1',  # ad-hoc `ansible` loads callbacks only with this
        'ANSIBLE_STDOUT_CALLBACK': 'default',
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_FORCE_COLOR': '0',
        'ANSIBLE_RETRY_FILES_ENABLED': '0',
        'ANSIBLE_HOST_KEY_CHECKING': '0',
        'RESULTS_JSON_FILE': str(results_file),
    })
    if extra:
        for name, value in extra.items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = str(value)
    return env


def _write_inputs(workdir, inventory, extra_vars):
    """ansible.cfg, inventory and extra vars files; returns (inventory args, extra-vars args, inventory text)."""
    (workdir / 'ansible.cfg').write_text('# integration test run: empty on purpose\n[defaults]\n')
    if inventory is None:
        inventory = {'all': {'hosts': {'localhost': {
            'ansible_connection': 'local',
            'ansible_python_interpreter': '{{ ansible_playbook_python }}'}}}}
    if isinstance(inventory, Path):
        inv_path, inv_text = inventory, inventory.read_text()
    else:
        inv_text = inventory if isinstance(inventory, str) else yaml.safe_dump(inventory, sort_keys=False)
        inv_path = workdir / 'inventory.yml'
        inv_path.write_text(inv_text)
    ev_args = []
    if extra_vars:
        ev_path = workdir / 'extra-vars.json'
        ev_path.write_text(json.dumps(extra_vars))
        ev_args = ['-e', '@%s' % ev_path]
    return ['-i', str(inv_path)], ev_args, inv_text


def _common_args(check, diff, verbosity, limit, forks):
    args = []
    if check:
        args.append('--check')
    if diff:
        args.append('--diff')
    if verbosity:
        args.append('-' + 'v' * int(verbosity))
    if limit:
        args += ['--limit', limit if isinstance(limit, str) else ','.join(limit)]
    if forks:
        args += ['--forks', str(forks)]
    return args


def _read_results(path):
    results, stats = [], {}
    if path.exists():
        with open(path, encoding='utf-8') as handle:
            for line in handle:
                record = json.loads(line)
                if record.pop('type') == 'stats':
                    stats = record['hosts']
                else:
                    results.append(record)
    return results, stats


def _execute(command, workdir, results_file, env, timeout, playbook_text, inv_text):
    try:
        proc = subprocess.run(command, cwd=str(workdir), env=env, stdin=subprocess.DEVNULL, check=False,
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode('utf-8', 'replace') if isinstance(exc.stdout, bytes) else (exc.stdout or '')
        raise PlaybookTimeout('%s did not finish within %s s\n--- stdout ---\n%s' % (
            ' '.join(command), timeout, out[-6000:]))
    results, stats = _read_results(results_file)
    return PlaybookRun(rc=proc.returncode, stdout=proc.stdout, stderr=proc.stderr, results=results,
                       stats=stats, command=command, playbook=playbook_text, inventory=inv_text)


def run_playbook(playbook, inventory=None, extra_vars=None, env=None, check=False, diff=False,
                 verbosity=0, limit=None, forks=None, timeout=600, args=()):
    """Run ``ansible-playbook`` and return a ``PlaybookRun``.

    ``playbook``: YAML text, or a path (str or Path) of an existing playbook file.
    ``inventory``: YAML text (see ``inventory_for``), a dict, a Path, or None for localhost.
    ``extra_vars``: dict passed with ``-e @file``. ``env``: extra environment variables
    (a value of None removes one). ``limit``: pattern or list of hosts. ``args``: more
    ansible-playbook arguments.
    """
    workdir = Path(tempfile.mkdtemp(prefix='syno-playbook-'))
    try:
        is_path = isinstance(playbook, Path) or ('\n' not in playbook and os.path.isfile(playbook))
        if is_path:
            pb_path = Path(playbook).resolve()
            playbook_text = str(pb_path)
        else:
            pb_path = workdir / 'playbook.yml'
            pb_path.write_text(playbook)
            playbook_text = playbook
        inv_args, ev_args, inv_text = _write_inputs(workdir, inventory, extra_vars)
        results_file = workdir / 'results.jsonl'
        command = ([_bin('ansible-playbook')] + inv_args + ev_args
                   + _common_args(check, diff, verbosity, limit, forks) + list(args) + [str(pb_path)])
        return _execute(command, workdir, results_file, _base_env(workdir, results_file, env),
                        timeout, playbook_text, inv_text)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run_adhoc(host_pattern, module, module_args=None, inventory=None, extra_vars=None, env=None,
              check=False, diff=False, verbosity=0, limit=None, forks=None, timeout=300, args=()):
    """Run ``ansible HOST_PATTERN -m MODULE -a ARGS`` and return a ``PlaybookRun``.

    ``module_args``: a dict (sent as JSON) or a ``k=v`` string.
    """
    workdir = Path(tempfile.mkdtemp(prefix='syno-adhoc-'))
    try:
        inv_args, ev_args, inv_text = _write_inputs(workdir, inventory, extra_vars)
        results_file = workdir / 'results.jsonl'
        command = [_bin('ansible'), host_pattern, '-m', module]
        if module_args:
            command += ['-a', module_args if isinstance(module_args, str) else json.dumps(module_args)]
        command += inv_args + ev_args + _common_args(check, diff, verbosity, limit, forks) + list(args)
        return _execute(command, workdir, results_file, _base_env(workdir, results_file, env),
                        timeout, '', inv_text)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def inventory_for(handle, names=None, extra_host_vars=None, group='nas'):
    """Inventory YAML with each emulated NAS as a host of ``group`` (all of them, or ``names``).

    Each host: ``ansible_connection: local``, the controller's Python, and ``syno_host``,
    ``syno_port``, ``syno_ca`` (the emulator's CA file) for the tasks to use.
    ``extra_host_vars``: a dict of variables for every host, or ``{host name: {vars}}``
    (when every key is a NAS name) for some hosts.
    """
    wanted = list(names) if names is not None else [nas['name'] for nas in handle.nas]
    known = {nas['name']: nas for nas in handle.nas}
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise ValueError('no such NAS in the emulator: %s (it has %s)' % (', '.join(unknown), ', '.join(known)))
    extra_host_vars = extra_host_vars or {}
    per_host = bool(extra_host_vars) and all(
        key in known and isinstance(value, dict) for key, value in extra_host_vars.items())
    hosts = {}
    for name in wanted:
        nas = known[name]
        host_vars = {
            'ansible_connection': 'local',
            'ansible_python_interpreter': '{{ ansible_playbook_python }}',
            'syno_host': urllib.parse.urlsplit(nas['url']).hostname or '127.0.0.1',
            'syno_port': int(nas['port']),
            'syno_ca': str(handle.ca),
        }
        host_vars.update(extra_host_vars.get(name, {}) if per_host else extra_host_vars)
        hosts[name] = host_vars
    return yaml.safe_dump({'all': {'children': {group: {'hosts': hosts}}}}, sort_keys=False)


def nas1_play(tasks):
    """A play on host nas1 with the admin connection in ``module_defaults``; ``tasks``: YAML of the task list."""
    return textwrap.dedent('''\
        - hosts: nas1
          gather_facts: false
          module_defaults:
            group/syno.activebackup.dsm:
              host: "{{ syno_host }}"
              port: "{{ syno_port }}"
              ca_path: "{{ syno_ca }}"
              username: admin
              password: Adm1n-Secret!
          tasks:
        ''') + textwrap.indent(textwrap.dedent(tasks), '    ')
