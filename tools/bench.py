# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Benchmarks: the collection against hand-written ansible.builtin.uri plays, fleet and per task.

Fleet part (``fleet``). Starts the DSM emulator as N virtual NAS (HTTPS, 20 ms per request), then
runs in alternating order, with the same forks:

(a) the collection's documented fleet pattern: session login, facts, directory ensure,
    storage ensure with wait, logout (5 tasks per host);
(b) what a competent user writes with ansible.builtin.uri for the same work: log in, each list
    call, the existence check and the writes, the relink poll, log out (11 tasks per host).

Before every run each NAS is reset to the same scenario, so both plays do the same changes
(create a directory, relink a share). Reports wall time (median/min/max), the (a)/(b) ratio pair
by pair, HTTP requests/logins/logouts per host from the emulator's counters, repeated reads,
and controller CPU (user+sys of ansible-playbook and its workers) per task.

Per-task part (``task``). Starts the emulator as one NAS with the same latency and runs, in
alternating order, a play of ``syno.activebackup.share_info`` tasks with credentials (each task
logs in, reads and logs out) and a play of ``ansible.builtin.uri`` tasks that each make one
call (``SYNO.ActiveBackup.Share`` ``list`` with the session of a login task before them). Each
play starts with one task that is not counted (a share_info task; the uri login), so plugin
loading is not charged to the first timed task. The wall time of every task comes from the
callback plugin in tools/bench_callback (task start to result). Reports the median wall
time per task of both, their ratio (pooled and per repetition), the HTTP requests, logins and
logouts per share_info task from the emulator's counters, the exact requests of one share_info
task run alone, and the SYNO.API.Info queries (expected: none).

Writes the figures as Markdown between the bench markers of ``--output`` and prints them; a
part that did not run keeps its figures there.

    python tools/bench.py                    # both parts: N=20, 5 pairs, then N=50 and N=100,
                                             # 2 pairs each; 5 x 25 timed tasks of each kind
    python tools/bench.py --sizes 20 --pairs 3
    python tools/bench.py --only task --task-count 21 --task-reps 3
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, 'tests', 'emulator'))

from control import start_emulator  # noqa: E402  pylint: disable=wrong-import-position

USER = 'admin'
PASSWORD = 'Adm1n-Secret!'
NEW_DIR = '/volume1/ActiveBackupforBusiness/laptops'
RELINK_SHARE = 'ABB-Migrated'
WRITES = ('create_fs_dir', 'relink', 'remove')

COLLECTION_PLAY = '''---
- name: ABB destinations, the collection's fleet pattern
  hosts: nas
  gather_facts: false
  module_defaults:
    group/syno.activebackup.dsm:
      host: "{{ syno_host }}"
      port: "{{ syno_port }}"
      ca_path: "{{ syno_ca }}"
      username: "%(user)s"
      password: "%(password)s"
  tasks:
    - name: Log in once for the whole play
      syno.activebackup.session:
      register: dsm_login
      no_log: true
      check_mode: false

    - name: Work with the session
      module_defaults:
        group/syno.activebackup.dsm:
          host: "{{ syno_host }}"
          port: "{{ syno_port }}"
          ca_path: "{{ syno_ca }}"
          session: "{{ dsm_login.session }}"
      block:
        - name: Read volumes and the repository check
          syno.activebackup.facts:
            gather_subset: [volumes, files_check]

        - name: Make sure the destination directory exists
          syno.activebackup.directory:
            paths: ["%(new_dir)s"]

        - name: Make sure the migrated share is a storage
          syno.activebackup.storage:
            share_name: "%(relink)s"
            state: present
            wait: true
      always:
        - name: Log out
          syno.activebackup.session:
            state: absent
          check_mode: false
''' % {'user': USER, 'password': PASSWORD, 'new_dir': NEW_DIR, 'relink': RELINK_SHARE}

URI_PLAY = '''---
- name: ABB destinations with ansible.builtin.uri
  hosts: nas
  gather_facts: false
  vars:
    api: "https://{{ syno_host }}:{{ syno_port }}/webapi/entry.cgi"
    sid: "{{ dsm_login.json.data.sid }}"
    session_fields: {_sid: "{{ sid }}"}
  module_defaults:
    ansible.builtin.uri:
      url: "{{ api }}"
      method: POST
      body_format: form-urlencoded
      ca_path: "{{ syno_ca }}"
      return_content: true
  tasks:
    - name: Log in
      ansible.builtin.uri:
        body: {api: SYNO.API.Auth, version: "7", method: login, account: "%(user)s", passwd: "%(password)s",
               format: sid, session: webui, enable_syno_token: "yes"}
      register: dsm_login
      no_log: true
      failed_when: not dsm_login.json.success

    - name: List shares
      ansible.builtin.uri:
        body: "{{ {'api': 'SYNO.ActiveBackup.Share', 'version': '1', 'method': 'list'} | combine(session_fields) }}"
        headers: {Cookie: "id={{ sid }}", X-SYNO-TOKEN: "{{ dsm_login.json.data.synotoken }}"}
      register: shares
      failed_when: not shares.json.success

    - name: List encrypted shares
      ansible.builtin.uri:
        body: "{{ {'api': 'SYNO.ActiveBackup.Share', 'version': '1', 'method': 'list_encrypted'} | combine(session_fields) }}"
        headers: {Cookie: "id={{ sid }}", X-SYNO-TOKEN: "{{ dsm_login.json.data.synotoken }}"}
      register: encrypted
      failed_when: not encrypted.json.success

    - name: List storages
      ansible.builtin.uri:
        body: "{{ {'api': 'SYNO.ActiveBackup.Share', 'version': '1', 'method': 'list_storage'} | combine(session_fields) }}"
        headers: {Cookie: "id={{ sid }}", X-SYNO-TOKEN: "{{ dsm_login.json.data.synotoken }}"}
      register: storages
      failed_when: not storages.json.success

    - name: List volumes
      ansible.builtin.uri:
        body: "{{ {'api': 'SYNO.ActiveBackup.Share', 'version': '1', 'method': 'list_volume'} | combine(session_fields) }}"
        headers: {Cookie: "id={{ sid }}", X-SYNO-TOKEN: "{{ dsm_login.json.data.synotoken }}"}
      register: volumes
      failed_when: not volumes.json.success

    - name: Check the repositories
      ansible.builtin.uri:
        body: "{{ {'api': 'SYNO.ActiveBackup.Share', 'version': '1', 'method': 'check_file'} | combine(session_fields) }}"
        headers: {Cookie: "id={{ sid }}", X-SYNO-TOKEN: "{{ dsm_login.json.data.synotoken }}"}
      register: check
      failed_when: not check.json.success

    - name: Does the destination directory exist
      ansible.builtin.uri:
        body: "{{ {'api': 'SYNO.ActiveBackup.Share', 'version': '1', 'method': 'list_file',
                   'root_path': '\\"/volume1/ActiveBackupforBusiness\\"'} | combine(session_fields) }}"
        headers: {Cookie: "id={{ sid }}", X-SYNO-TOKEN: "{{ dsm_login.json.data.synotoken }}"}
      register: listing
      failed_when: not listing.json.success

    - name: Create the destination directory
      ansible.builtin.uri:
        body: "{{ {'api': 'SYNO.ActiveBackup.Share', 'version': '1', 'method': 'create_fs_dir',
                   'paths': '[\\"%(new_dir)s\\"]'} | combine(session_fields) }}"
        headers: {Cookie: "id={{ sid }}", X-SYNO-TOKEN: "{{ dsm_login.json.data.synotoken }}"}
      register: created
      when: "'laptops' not in (listing.json.data.files | map(attribute='name'))"
      failed_when: not created.json.success
      changed_when: true

    - name: Relink the migrated share
      ansible.builtin.uri:
        body: "{{ {'api': 'SYNO.ActiveBackup.Share', 'version': '1', 'method': 'relink',
                   'share_name': '\\"%(relink)s\\"'} | combine(session_fields) }}"
        headers: {Cookie: "id={{ sid }}", X-SYNO-TOKEN: "{{ dsm_login.json.data.synotoken }}"}
      register: relinked
      when: >-
        (shares.json.data.shares | selectattr('name', 'equalto', '%(relink)s') | map(attribute='relinkable') | first)
        and '%(relink)s' not in (storages.json.data.storages | map(attribute='share_name'))
      failed_when: not relinked.json.success
      changed_when: true

    - name: Wait for the relink
      ansible.builtin.uri:
        body: "{{ {'api': 'SYNO.ActiveBackup.Share', 'version': '1', 'method': 'list_storage'} | combine(session_fields) }}"
        headers: {Cookie: "id={{ sid }}", X-SYNO-TOKEN: "{{ dsm_login.json.data.synotoken }}"}
      register: polled
      when: relinked is changed
      until: >-
        polled.json.success and
        (polled.json.data.storages | selectattr('share_name', 'equalto', '%(relink)s')
         | map(attribute='relink_state.alive') | list) == [false]
      retries: 60
      delay: 1

    - name: Log out
      ansible.builtin.uri:
        body: "{{ {'api': 'SYNO.API.Auth', 'version': '7', 'method': 'logout', 'session': 'webui'} | combine(session_fields) }}"
        headers: {Cookie: "id={{ sid }}", X-SYNO-TOKEN: "{{ dsm_login.json.data.synotoken }}"}
''' % {'user': USER, 'password': PASSWORD, 'new_dir': NEW_DIR, 'relink': RELINK_SHARE}

PLAYS = {'collection': (COLLECTION_PLAY, 5), 'uri': (URI_PLAY, 11),
         # --module-path: the same collection play with every task run as a module (AnsiballZ, a new
         # interpreter), as before the action plugins ran the operations in the controller's worker
         'collection-module': (COLLECTION_PLAY, 5)}

# A local connection under another name: the action plugins run the operation in the worker only
# for the connection named "local", so with this one every task takes the module path.
MODULE_PATH_CONNECTION = '''# Written by tools/bench.py for --module-path runs.
from __future__ import annotations

DOCUMENTATION = """
name: bench_local
short_description: ansible.builtin.local under another name (benchmark only)
description:
  - Runs commands on the controller as ansible.builtin.local does; only the name differs.
author: syno.activebackup contributors
extends_documentation_fragment:
  - connection_pipelining
"""

from ansible.plugins.connection.local import Connection as LocalConnection


class Connection(LocalConnection):
    transport = 'bench_local'
'''


# Interruption (Ctrl-C, SIGTERM, SIGHUP) raises in the main thread, so every ``finally`` runs: the
# emulator is stopped, ansible-playbook's process group is ended, the temporary directories go.
# While the emulator starts, a signal is held back until its handle exists, so it can be stopped.
_SIGNALS = {'defer': False, 'pending': None}


def _raise_for(signum):
    if signum == signal.SIGINT:
        raise KeyboardInterrupt()
    sys.stderr.write('bench.py: %s, cleaning up\n' % signal.Signals(signum).name)
    raise SystemExit(128 + signum)


def _on_signal(signum, frame):  # pylint: disable=unused-argument
    if _SIGNALS['defer']:
        _SIGNALS['pending'] = signum
        return
    _raise_for(signum)


def install_signal_handlers():
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _on_signal)


def start_nas(workdir, count, scenario, extra_args):
    """start_emulator over HTTPS; a signal that arrives meanwhile stops the new emulator, then raises."""
    _SIGNALS['defer'] = True
    try:
        handle = start_emulator(workdir, count=count, scenario=scenario, tls=True, extra_args=extra_args, timeout=60)
    finally:
        _SIGNALS['defer'] = False
    pending, _SIGNALS['pending'] = _SIGNALS['pending'], None
    if pending is not None:
        handle.stop()
        _raise_for(pending)
    return handle


def stop_group(proc):
    """End a process group started by run_ansible: SIGTERM, a bounded wait, then SIGKILL for what is left."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def run_ansible(command, env, workdir, extra_env=None):
    """Run an Ansible command in its own process group, its temporary files under ``workdir``.

    Returns (return code, output). If this script is interrupted meanwhile, the whole group
    (ansible-playbook and its workers) is ended before the interruption goes on.
    """
    tmp = os.path.join(workdir, 'ansible-tmp')
    env = dict(env, ANSIBLE_LOCAL_TEMP=tmp, ANSIBLE_REMOTE_TMP=tmp, **(extra_env or {}))
    proc = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        output = proc.communicate()[0]
    except BaseException:
        stop_group(proc)
        raise
    return proc.returncode, output.decode('utf-8', 'replace')


def inventory(handle):
    hosts = {}
    for nas in handle.nas:
        hosts[nas['name']] = {'syno_host': '127.0.0.1', 'syno_port': nas['port'], 'syno_ca': handle.ca}
    return {'all': {'children': {'nas': {'hosts': hosts}},
                    'vars': {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable}}}


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def reset_all(handle):
    for index in range(len(handle.nas)):
        handle.control(index).reset('full')


def fleet_counts(handle):
    """Per-host request figures from the emulator: requests, logins, logouts, writes, repeated reads."""
    per_host = []
    for index in range(len(handle.nas)):
        ctl = handle.control(index)
        stats = ctl.stats()
        reads = collections.Counter()
        for entry in ctl.log():
            calls = entry.get('compound') or ['%s.%s' % (entry.get('api'), entry.get('method'))]
            for call in calls:
                if call.startswith('SYNO.ActiveBackup.Share.') and call.rsplit('.', 1)[1] not in WRITES:
                    reads[call] += 1
        per_host.append({
            'requests': stats['requests'],
            'logins': stats['logins'],
            'logouts': stats['logouts'],
            'open_sessions': stats['open_sessions'],
            'writes': stats['writes'],
            'repeated_reads': dict((k, v) for k, v in reads.items() if v > 1),
        })
    return per_host


def run_play(name, workdir, handle, forks, env):
    text, tasks_per_host = PLAYS[name]
    playbook = os.path.join(workdir, '%s.yml' % name)
    with open(playbook, 'w', encoding='utf-8') as handle_out:
        handle_out.write(text)
    reset_all(handle)
    inventory_file, extra_env = os.path.join(workdir, 'inventory.json'), None
    if name == 'collection-module':
        inventory_file = os.path.join(workdir, 'inventory-module.json')
        extra_env = {'ANSIBLE_CONNECTION_PLUGINS': os.path.join(workdir, 'connection_plugins')}
    before = children_cpu()
    start = time.monotonic()
    returncode, output = run_ansible([os.path.join(REPO, '.venv', 'bin', 'ansible-playbook'), '-i',
                                      inventory_file, playbook, '-f', str(forks)], env, workdir, extra_env)
    wall = time.monotonic() - start
    cpu = children_cpu() - before
    if returncode != 0:
        sys.stderr.write(output[-6000:])
        raise SystemExit('%s play failed with rc %s' % (name, returncode))
    hosts = len(handle.nas)
    counts = fleet_counts(handle)
    return {'play': name, 'wall': wall, 'cpu': cpu, 'cpu_per_task': cpu / (tasks_per_host * hosts),
            'tasks': tasks_per_host * hosts, 'counts': counts}


def summarize_counts(counts):
    def per(key):
        values = [c[key] for c in counts]
        return min(values), max(values)
    repeated = collections.Counter()
    for item in counts:
        for call, number in item['repeated_reads'].items():
            repeated['%s x%d' % (call, number)] += 1
    return {'requests': per('requests'), 'logins': per('logins'), 'logouts': per('logouts'),
            'open_sessions': per('open_sessions'), 'writes': per('writes'), 'repeated_reads': dict(repeated)}


def span(pair):
    low, high = pair
    return str(low) if low == high else '%s-%s' % (low, high)


def write_module_path_inputs(workdir, handle):
    """The inventory and connection plugin of the --module-path play."""
    plugins = os.path.join(workdir, 'connection_plugins')
    os.makedirs(plugins, exist_ok=True)
    with open(os.path.join(plugins, 'bench_local.py'), 'w', encoding='utf-8') as out:
        out.write(MODULE_PATH_CONNECTION)
    data = inventory(handle)
    data['all']['vars']['ansible_connection'] = 'bench_local'
    with open(os.path.join(workdir, 'inventory-module.json'), 'w', encoding='utf-8') as out:
        json.dump(data, out)


def bench_size(size, pairs, forks, latency_ms, relink_seconds, env, module_path=False):
    runs = {'collection': [], 'uri': []}
    if module_path:
        runs['collection-module'] = []
    with tempfile.TemporaryDirectory(prefix='abb-bench-') as workdir:
        handle = start_nas(workdir, count=size, scenario='full',
                           extra_args=['--latency-ms', str(latency_ms), '--relink-seconds', str(relink_seconds)])
        try:
            with open(os.path.join(workdir, 'inventory.json'), 'w', encoding='utf-8') as out:
                json.dump(inventory(handle), out)
            if module_path:
                write_module_path_inputs(workdir, handle)
            for index in range(pairs):
                order = ('collection', 'uri') if index % 2 == 0 else ('uri', 'collection')
                if module_path:
                    order = ('collection-module',) + order if index % 2 == 0 else order + ('collection-module',)
                for name in order:
                    result = run_play(name, workdir, handle, forks, env)
                    runs[name].append(result)
                    print('N=%d pair %d %-17s wall %6.2f s  cpu %6.2f s  cpu/task %.3f s' % (
                        size, index + 1, name, result['wall'], result['cpu'], result['cpu_per_task']), flush=True)
        finally:
            handle.stop()
    ratios = [a['wall'] / b['wall'] for a, b in zip(runs['collection'], runs['uri'])]
    out = {'size': size, 'pairs': pairs, 'ratios': ratios, 'ratio_median': statistics.median(ratios)}
    if module_path:
        module_ratios = [m['wall'] / b['wall'] for m, b in zip(runs['collection-module'], runs['uri'])]
        out['module_path_ratios'] = module_ratios
        out['module_path_ratio_median'] = statistics.median(module_ratios)
    for name, items in runs.items():
        walls = [r['wall'] for r in items]
        out[name] = {
            'wall_median': statistics.median(walls), 'wall_min': min(walls), 'wall_max': max(walls),
            'cpu_per_task_median': statistics.median([r['cpu_per_task'] for r in items]),
            'cpu_median': statistics.median([r['cpu'] for r in items]),
            'tasks': items[0]['tasks'],
            'counts': summarize_counts(items[-1]['counts']),
        }
    if module_path:
        print('N=%d module path: wall median %.2f s, cpu/task median %.3f s, (module path)/(b) median %.2f; '
              'action plugins: wall median %.2f s, cpu/task median %.3f s, (a)/(b) median %.2f' % (
                  size, out['collection-module']['wall_median'], out['collection-module']['cpu_per_task_median'],
                  out['module_path_ratio_median'], out['collection']['wall_median'],
                  out['collection']['cpu_per_task_median'], out['ratio_median']), flush=True)
    return out


# ---------------------------------------------------------------------------- per-task part

TIMED = 'timed '
TASK_SCENARIO = 'default'
CALLBACK_DIR = os.path.join(REPO, 'tools', 'bench_callback')

SHARE_INFO_HEAD = """---
- name: share_info tasks with credentials, one login per task
  hosts: nas
  gather_facts: false
  module_defaults:
    syno.activebackup.share_info:
      host: "{{ syno_host }}"
      port: "{{ syno_port }}"
      ca_path: "{{ syno_ca }}"
      username: "%(user)s"
      password: "%(password)s"
  tasks:
    - name: First share_info task (not timed)
      syno.activebackup.share_info:
""" % {'user': USER, 'password': PASSWORD}

SHARE_INFO_TASK = """
    - name: %(name)s
      syno.activebackup.share_info:
"""

URI_HEAD = """---
- name: ansible.builtin.uri tasks, one call each
  hosts: nas
  gather_facts: false
  vars:
    sid: "{{ dsm_login.json.data.sid }}"
  module_defaults:
    ansible.builtin.uri:
      url: "https://{{ syno_host }}:{{ syno_port }}/webapi/entry.cgi"
      method: POST
      body_format: form-urlencoded
      ca_path: "{{ syno_ca }}"
      return_content: true
  tasks:
    - name: Log in (not timed)
      ansible.builtin.uri:
        body: {api: SYNO.API.Auth, version: "7", method: login, account: "%(user)s", passwd: "%(password)s",
               format: sid, session: webui, enable_syno_token: "yes"}
      register: dsm_login
      no_log: true
      failed_when: not dsm_login.json.success
""" % {'user': USER, 'password': PASSWORD}

URI_TASK = """
    - name: %(name)s
      ansible.builtin.uri:
        body: {api: SYNO.ActiveBackup.Share, version: "1", method: list, _sid: "{{ sid }}"}
        headers: {Cookie: "id={{ sid }}", X-SYNO-TOKEN: "{{ dsm_login.json.data.synotoken }}"}
      register: listed
      failed_when: not listed.json.success
"""

URI_TAIL = """
    - name: Log out (not timed)
      ansible.builtin.uri:
        body: {api: SYNO.API.Auth, version: "7", method: logout, session: webui, _sid: "{{ sid }}"}
        headers: {Cookie: "id={{ sid }}", X-SYNO-TOKEN: "{{ dsm_login.json.data.synotoken }}"}
"""


def task_play(kind, count):
    """The playbook text: one untimed first task, ``count`` timed tasks (and, for uri, the logout)."""
    if kind == 'share_info':
        return SHARE_INFO_HEAD + ''.join(SHARE_INFO_TASK % {'name': '%sshare_info %d' % (TIMED, n + 1)} for n in range(count))
    return URI_HEAD + ''.join(URI_TASK % {'name': '%suri %d' % (TIMED, n + 1)} for n in range(count)) + URI_TAIL


def log_calls(entries):
    """Each logged request as 'API.method', a compound one with its inner calls in brackets."""
    calls = []
    for entry in entries:
        call = '%s.%s' % (entry.get('api'), entry.get('method'))
        if entry.get('compound'):
            call += ' [%s]' % ', '.join(entry['compound'])
        calls.append(call)
    return calls


def run_task_play(kind, count, workdir, handle, env, label):
    """Run one per-task play after a reset; returns the timed tasks' wall times and the NAS's counters."""
    playbook = os.path.join(workdir, 'task-%s-%d.yml' % (kind, count))
    with open(playbook, 'w', encoding='utf-8') as out:
        out.write(task_play(kind, count))
    timings = os.path.join(workdir, 'timings-%s.json' % label)
    ctl = handle.control(0)
    ctl.reset(TASK_SCENARIO)
    extra = {'ANSIBLE_CALLBACK_PLUGINS': CALLBACK_DIR, 'ANSIBLE_CALLBACKS_ENABLED': 'bench_timer',
             'ABB_BENCH_TIMINGS': timings}
    returncode, output = run_ansible([os.path.join(REPO, '.venv', 'bin', 'ansible-playbook'), '-i',
                                      os.path.join(workdir, 'inventory.json'), playbook], env, workdir, extra)
    if returncode != 0:
        sys.stderr.write(output[-6000:])
        raise SystemExit('%s task play failed with rc %s' % (kind, returncode))
    with open(timings, encoding='utf-8') as source:
        records = json.load(source)
    walls = [r['wall'] for r in records if r['task'].startswith(TIMED) and r['status'] == 'ok' and r['wall'] is not None]
    if len(walls) != count:
        raise SystemExit('%s task play: %d timed task results, expected %d' % (kind, len(walls), count))
    stats = ctl.stats()
    return {'walls': walls, 'stats': stats, 'calls': log_calls(ctl.log()) if count == 0 else None}


def task_bench(count, reps, latency_ms, env):
    """The per-task part: share_info against uri, ``reps`` alternating pairs of ``count`` timed tasks each."""
    walls = {'share_info': [], 'uri': []}
    medians = {'share_info': [], 'uri': []}
    stats = {'share_info': [], 'uri': []}
    with tempfile.TemporaryDirectory(prefix='abb-bench-task-') as workdir:
        handle = start_nas(workdir, count=1, scenario=TASK_SCENARIO, extra_args=['--latency-ms', str(latency_ms)])
        try:
            with open(os.path.join(workdir, 'inventory.json'), 'w', encoding='utf-8') as out:
                json.dump(inventory(handle), out)
            # One share_info task alone (the untimed first task of a play with no timed task): its requests.
            alone = run_task_play('share_info', 0, workdir, handle, env, 'alone')
            for index in range(reps):
                order = ('share_info', 'uri') if index % 2 == 0 else ('uri', 'share_info')
                for kind in order:
                    result = run_task_play(kind, count, workdir, handle, env, '%s-%d' % (kind, index + 1))
                    walls[kind].extend(result['walls'])
                    medians[kind].append(statistics.median(result['walls']))
                    stats[kind].append(result['stats'])
                    print('task rep %d %-10s %d tasks  median %.3f s  min %.3f s  max %.3f s  requests %d' % (
                        index + 1, kind, count, medians[kind][-1], min(result['walls']), max(result['walls']),
                        result['stats']['requests']), flush=True)
        finally:
            handle.stop()
    out = {'tasks': count, 'reps': reps, 'latency_ms': latency_ms,
           'ratio': statistics.median(walls['share_info']) / statistics.median(walls['uri']),
           'ratios': [a / b for a, b in zip(medians['share_info'], medians['uri'])],
           'alone': {'requests': alone['stats']['requests'], 'calls': alone['calls'],
                     'logins': alone['stats']['logins'], 'logouts': alone['stats']['logouts'],
                     'info_queries': alone['stats']['info_queries'], 'open_sessions': alone['stats']['open_sessions']}}
    for kind, tasks_per_play in (('share_info', count + 1), ('uri', count + 2)):
        items = stats[kind]
        out[kind] = {
            'timed_tasks': len(walls[kind]), 'wall_median': statistics.median(walls[kind]),
            'wall_min': min(walls[kind]), 'wall_max': max(walls[kind]), 'medians': medians[kind],
            'tasks_per_play': tasks_per_play,
            'requests_per_task': [s['requests'] / float(tasks_per_play) for s in items],
            'logins': [s['logins'] for s in items], 'logouts': [s['logouts'] for s in items],
            'info_queries': [s['info_queries'] for s in items], 'open_sessions': [s['open_sessions'] for s in items],
        }
    return out


def task_markdown(res):
    def spread(values, fmt='%g'):
        low, high = min(values), max(values)
        return fmt % low if low == high else (fmt + '-' + fmt) % (low, high)

    si, uri, alone = res['share_info'], res['uri'], res['alone']
    lines = ['| task | timed tasks | wall per task, median (min-max) s | median share_info / median uri | '
             'per repetition | HTTP requests per task | logins / logouts | SYNO.API.Info queries |',
             '|---|---|---|---|---|---|---|---|']
    per_task = float(si['tasks_per_play'])
    lines.append('| `syno.activebackup.share_info` with credentials | %d | %.3f (%.3f-%.3f) | %.2f | %s | %s | %s / %s per task | %s |' % (
        si['timed_tasks'], si['wall_median'], si['wall_min'], si['wall_max'], res['ratio'],
        ', '.join('%.2f' % r for r in res['ratios']), spread(si['requests_per_task']),
        spread([n / per_task for n in si['logins']]), spread([n / per_task for n in si['logouts']]), spread(si['info_queries'])))
    lines.append('| `ansible.builtin.uri`, one `list` call | %d | %.3f (%.3f-%.3f) |  |  | %s | %s / %s per play (untimed tasks) | %s |' % (
        uri['timed_tasks'], uri['wall_median'], uri['wall_min'], uri['wall_max'], spread(uri['requests_per_task'], '%.2f'),
        spread(uri['logins']), spread(uri['logouts']), spread(uri['info_queries'])))
    head = ('One NAS, %d ms emulator latency per request; alternating repetitions: %d, each a play of %d timed tasks '
            'of each kind after one untimed first task (the uri play: its login; it also logs out, untimed); %d CPU cores, '
            'Python %s. Requests, logins and logouts per share_info task are the NAS\'s counters over all %d share_info '
            'tasks of a play.' % (res['latency_ms'], res['reps'], res['tasks'], os.cpu_count(), sys.version.split()[0],
                                  si['tasks_per_play']))
    calls = '; '.join('`%s`' % call for call in alone['calls'])
    tail = ('One share_info task alone on a NAS just reset: %d HTTP requests: %s; SYNO.API.Info queries: %d; '
            'open sessions afterwards: %d.' % (alone['requests'], calls, alone['info_queries'], alone['open_sessions']))
    return head + '\n\n' + '\n'.join(lines) + '\n\n' + tail + '\n'


def markdown(results, forks, latency_ms, relink_seconds):
    lines = ['| N NAS | play | task runs | wall median (min-max) s | (a)/(b) per pair | median (a)/(b) | '
             'CPU s (median) | CPU per task s | requests/host | logins/host | logouts/host | repeated reads |',
             '|---|---|---|---|---|---|---|---|---|---|---|---|']
    for res in results:
        for name, label in (('collection', '(a) collection'), ('uri', '(b) uri')):
            item = res[name]
            counts = item['counts']
            ratios = ', '.join('%.2f' % r for r in res['ratios']) if name == 'collection' else ''
            median = '%.2f' % res['ratio_median'] if name == 'collection' else ''
            repeated = ', '.join('%s on %d hosts' % (k, v) for k, v in sorted(counts['repeated_reads'].items())) or 'none'
            lines.append('| %d | %s | %d | %.2f (%.2f-%.2f) | %s | %s | %.2f | %.3f | %s | %s | %s | %s |' % (
                res['size'], label, item['tasks'], item['wall_median'], item['wall_min'], item['wall_max'], ratios, median,
                item['cpu_median'], item['cpu_per_task_median'], span(counts['requests']), span(counts['logins']),
                span(counts['logouts']), repeated))
    head = ('Forks %d, %d ms emulator latency per request, relink takes %s s on the emulator, %d CPU cores, '
            'Python %s.' % (forks, latency_ms, relink_seconds, os.cpu_count(), sys.version.split()[0]))
    return head + '\n\n' + '\n'.join(lines) + '\n'


BLOCK_START = '<!-- bench:start (written by tools/bench.py) -->'
BLOCK_END = '<!-- bench:end -->'
SECTIONS = (('fleet', '<!-- bench:fleet -->', '#### Fleet figures'),
            ('task', '<!-- bench:task -->', '#### Per-task figures'))


def block_sections(block):
    """The sections of an existing bench block, by name (text after the section's marker)."""
    found = {}
    for name, marker, _title in SECTIONS:
        if marker in block:
            text = block.split(marker, 1)[1]
            for _other, other_marker, _t in SECTIONS:
                text = text.split(other_marker, 1)[0]
            found[name] = text.strip('\n')
    return found


def write_block(path, tables):
    """Replace the figures between the bench markers of ``path`` (or append them), keeping the prose.

    ``tables`` maps a section name ('fleet', 'task') to its Markdown; a section not given keeps
    what the block had for it.
    """
    stamp = 'Measured %s by `make bench`.' % time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())
    text = ''
    if os.path.exists(path):
        with open(path, encoding='utf-8') as handle:
            text = handle.read()
    old = {}
    if BLOCK_START in text and BLOCK_END in text:
        old = block_sections(text.split(BLOCK_START, 1)[1].split(BLOCK_END, 1)[0])
    parts = []
    for name, marker, title in SECTIONS:
        if name in tables:
            body = '%s\n\n%s\n\n%s' % (title, stamp, tables[name].rstrip('\n'))
        else:
            body = old.get(name) or '%s\n\nNot measured yet: run `make bench`.' % title
        parts.append(marker + '\n' + body + '\n')
    block = BLOCK_START + '\n' + '\n'.join(parts) + '\n' + BLOCK_END
    if BLOCK_START in text and BLOCK_END in text:
        head, rest = text.split(BLOCK_START, 1)
        text = head + block + rest.split(BLOCK_END, 1)[1]
    else:
        text = text + ('\n' if text else '') + block + '\n'
    with open(path + '.tmp', 'w', encoding='utf-8') as handle:
        handle.write(text)
    os.replace(path + '.tmp', path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--only', choices=('fleet', 'task'), help='run one part only (default: both)')
    parser.add_argument('--sizes', default='20,50,100', help='fleet sizes, comma separated (default 20,50,100)')
    parser.add_argument('--pairs', type=int, default=5, help='alternating pairs at the first size (default 5)')
    parser.add_argument('--pairs-larger', type=int, default=2, help='pairs at the larger sizes (default 2)')
    parser.add_argument('--forks', type=int, default=20)
    parser.add_argument('--latency-ms', type=int, default=20)
    parser.add_argument('--relink-seconds', type=float, default=1.0)
    parser.add_argument('--task-count', type=int, default=25,
                        help='per-task part: timed tasks in each play (default 25; at least 20 for the documented figure)')
    parser.add_argument('--task-reps', type=int, default=5, help='per-task part: alternating repetitions (default 5)')
    parser.add_argument('--module-path', action='store_true',
                        help='fleet part: also run the collection play with every task as a module (the '
                             'figures before the action plugins); printed and in --json, not in --output')
    parser.add_argument('--output', help='Markdown file whose bench block gets the figures (e.g. docs/performance.md)')
    parser.add_argument('--json', help='write the raw figures here')
    args = parser.parse_args()
    if args.task_count < 1 or args.task_reps < 1:
        parser.error('--task-count and --task-reps must be at least 1')
    install_signal_handlers()

    root = subprocess.run([os.path.join(REPO, '.venv', 'bin', 'python'), os.path.join(REPO, 'tests', 'utils', 'collection_root.py')],
                          stdout=subprocess.PIPE, check=True).stdout.decode().strip()
    collections_path = os.path.dirname(os.path.dirname(os.path.dirname(root)))
    config = os.path.join(REPO, 'build', 'bench-ansible.cfg')
    with open(config, 'w', encoding='utf-8') as out:
        out.write('# written by tools/bench.py: no user configuration applies\n[defaults]\n')
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path, ANSIBLE_CONFIG=config,
               ANSIBLE_FORKS=str(args.forks), NO_COLOR='1')
    env['PATH'] = os.path.join(REPO, '.venv', 'bin') + os.pathsep + env.get('PATH', '')

    tables, raw = {}, {}
    if args.only in (None, 'fleet'):
        results = []
        for position, size in enumerate(int(s) for s in args.sizes.split(',')):
            pairs = args.pairs if position == 0 else args.pairs_larger
            results.append(bench_size(size, pairs, args.forks, args.latency_ms, args.relink_seconds, env,
                                      module_path=args.module_path))
        tables['fleet'] = markdown(results, args.forks, args.latency_ms, args.relink_seconds)
        raw['fleet'] = results
    if args.only in (None, 'task'):
        raw['task'] = task_bench(args.task_count, args.task_reps, args.latency_ms, env)
        tables['task'] = task_markdown(raw['task'])
    for name, _marker, title in SECTIONS:
        if name in tables:
            print()
            print(title)
            print()
            print(tables[name])
    if args.output:
        write_block(args.output, tables)
    if args.json:
        with open(args.json, 'w', encoding='utf-8') as out:
            json.dump(raw, out, indent=2)


if __name__ == '__main__':
    try:
        main()
    except KeyboardInterrupt:
        sys.exit('interrupted: the emulator and the temporary directories were cleaned up')
