# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Benchmarks: the collection against hand-written ansible.builtin.uri plays (fleet, per task, monitoring), and run and wait.

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

Monitoring part (``monitoring``). Starts the emulator as N virtual NAS with backup jobs (scenario
``full``) and runs, alternating with the same forks, the report role (one facts task per host:
login, one compound request, logout; then the report written once on the controller) and what
a competent user writes with ansible.builtin.uri for a backup report (login, Task.list with
results and devices, Device.list, list_storage, list_volume, logout; then one template on the
controller). Reports the wall ratio, the task runs per host and once, controller CPU per
collection task (the play's whole CPU divided by the runs of syno.activebackup modules) and per
task run, the requests of every NAS from the emulator's counters and log, and the role's CPU
split by step (start-up, each task) from the marks of the timing callback.

Run-and-wait part (``runwait``). N NAS whose backup runs last ``--run-seconds``; a play logs in
once per NAS, runs syno.activebackup.task state=started wait=true over two task names, and logs
out. Reports wall time against the run time, controller CPU per module run and the requests per
NAS by call. Runs by default only once plugins/modules/task.py exists.

Writes the figures as Markdown between the bench markers of ``--output`` and prints them; a
part that did not run keeps its figures there.

    python tools/bench.py                    # every part: fleet N=20 (5 pairs), 50 and 100 (2 pairs);
                                             # 5 x 25 timed tasks of each kind; monitoring N=20
                                             # (5 pairs) and 100 (2 pairs); run and wait, 20 NAS
    python tools/bench.py --sizes 20 --pairs 3
    python tools/bench.py --only task --task-count 21 --task-reps 3
    python tools/bench.py --only monitoring --monitoring-sizes 20 --monitoring-pairs 3
    python tools/bench.py --only runwait --run-seconds 3
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


# ---------------------------------------------------------------------------- monitoring part

MONITORING_SCENARIO = 'full'
REPORT_ROLE_FILES = ('activebackup-report.html', 'activebackup-report.md', 'activebackup-report.json')
URI_REPORT = 'uri-report/backup-report.md'

# The report role as examples/monitoring.yml uses it: the connection from module_defaults, every
# setting at its default (facts subset "all": shares, storages, volumes, the repository check,
# backup tasks with results, devices and versions, backup devices, system info). It writes the
# three report files next to the playbook (activebackup-report/).
MONITORING_ROLE_PLAY = '''---
- name: Fleet backup report, the collection's report role
  hosts: nas
  gather_facts: false
  module_defaults:
    group/syno.activebackup.dsm:
      host: "{{ syno_host }}"
      port: "{{ syno_port }}"
      ca_path: "{{ syno_ca }}"
      username: "%(user)s"
      password: "%(password)s"
  roles:
    - role: syno.activebackup.report
''' % {'user': USER, 'password': PASSWORD}

# What a competent user writes for the same report with ansible.builtin.uri: log in, the backup
# tasks with their last results and devices, the devices with their last results, storages,
# volumes, log out (6 tasks per host); then, once on the controller, a directory and a template
# that rates every backup task (never ran, failed, overdue, running, warning, ok) and flags
# offline devices and volumes below 10% free. The list answers carry the devices' secrets, so
# those two tasks have no_log.
MONITORING_URI_PLAY = '''---
- name: Fleet backup report with ansible.builtin.uri
  hosts: nas
  gather_facts: false
  vars:
    sid: "{{ dsm_login.json.data.sid }}"
    dsm_headers: {Cookie: "id={{ sid }}", X-SYNO-TOKEN: "{{ dsm_login.json.data.synotoken }}"}
    report_max_age_hours: 26
    report_min_free_percent: 10
  module_defaults:
    ansible.builtin.uri:
      url: "https://{{ syno_host }}:{{ syno_port }}/webapi/entry.cgi"
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

    - name: List the backup tasks with their last results and devices
      ansible.builtin.uri:
        body: {api: SYNO.ActiveBackup.Task, version: "1", method: list, load_status: "true", load_result: "true",
               load_devices: "true", _sid: "{{ sid }}"}
        headers: "{{ dsm_headers }}"
      register: abb_tasks
      no_log: true
      failed_when: not abb_tasks.json.success

    - name: List the backup devices with their last results
      ansible.builtin.uri:
        body: {api: SYNO.ActiveBackup.Device, version: "1", method: list, load_result: "true", _sid: "{{ sid }}"}
        headers: "{{ dsm_headers }}"
      register: abb_devices
      no_log: true
      failed_when: not abb_devices.json.success

    - name: List the storages
      ansible.builtin.uri:
        body: {api: SYNO.ActiveBackup.Share, version: "1", method: list_storage, _sid: "{{ sid }}"}
        headers: "{{ dsm_headers }}"
      register: abb_storages
      failed_when: not abb_storages.json.success

    - name: List the volumes
      ansible.builtin.uri:
        body: {api: SYNO.ActiveBackup.Share, version: "1", method: list_volume, _sid: "{{ sid }}"}
        headers: "{{ dsm_headers }}"
      register: abb_volumes
      failed_when: not abb_volumes.json.success

    - name: Log out
      ansible.builtin.uri:
        body: {api: SYNO.API.Auth, version: "7", method: logout, session: webui, _sid: "{{ sid }}"}
        headers: "{{ dsm_headers }}"

    - name: Create the report directory
      ansible.builtin.file:
        path: "{{ playbook_dir }}/uri-report"
        state: directory
        mode: "0755"
      run_once: true
      delegate_to: localhost

    - name: Write the report
      ansible.builtin.template:
        src: backup-report.md.j2
        dest: "{{ playbook_dir }}/%(report)s"
        mode: "0644"
      run_once: true
      delegate_to: localhost
''' % {'user': USER, 'password': PASSWORD, 'report': URI_REPORT}

MONITORING_URI_TEMPLATE = '''{#- The uri play's report: every NAS, its backup tasks rated, offline devices, volumes. -#}
{%- set now_epoch = now().timestamp() -%}
{%- set status_names = {0: 'none', 1: 'incomplete', 2: 'success', 3: 'partial', 4: 'failed', 5: 'cancelled', 6: 'no backup'} -%}
{%- set type_names = {1: 'vm', 2: 'pc', 3: 'physical server', 4: 'file server', 5: 'nas'} -%}
# Active Backup for Business

Generated {{ now(utc=true).strftime('%Y-%m-%d %H:%M') }} UTC for {{ ansible_play_hosts_all | length }} NAS.
Backups that failed, are overdue (last run more than {{ report_max_age_hours }} h ago) or never ran are in bold.

{% for host in ansible_play_hosts_all %}
{%- set nas = hostvars[host] %}
## {{ host }}

| task | type | last result | ended (UTC) | age | health |
|---|---|---|---|---|---|
{% for task in nas.abb_tasks.json.data.tasks %}
{%- set last = task.last_result %}
{%- set age = ((now_epoch - last.time_end) / 3600) if last and last.time_end else none %}
{%- if not last and task.progress is not defined %}{% set health = '**never ran**' %}
{%- elif last and last.status in [4, 5] %}{% set health = '**failed**' %}
{%- elif age is not none and age > report_max_age_hours %}{% set health = '**overdue**' %}
{%- elif task.progress is defined %}{% set health = 'running, %d%%' | format(task.progress.percentage * 100) %}
{%- elif last.status == 3 or last.warning_count | default(0) > 0 %}{% set health = 'warning' %}
{%- else %}{% set health = 'ok' %}{% endif %}
{%- set ended = '%Y-%m-%d %H:%M' | strftime(last.time_end, utc=true) if last and last.time_end else '' %}
{%- set shown_status = status_names[last.status] | default('unknown') if last else 'never ran' %}
| {{ task.task_name }} | {{ type_names[task.backup_type] | default(task.backup_type) }} | {{ shown_status }} | {{ ended }} \
| {{ '%.1f h' | format(age) if age is not none else '' }} | {{ health }} |
{% endfor %}

Devices: {{ nas.abb_devices.json.data.devices | length }};
offline: {{ nas.abb_devices.json.data.devices | selectattr('agent_status', 'equalto', 'offline') | map(attribute='host_name') | join(', ') or 'none' }}.

| volume | size | free | storages |
|---|---|---|---|
{% for volume in nas.abb_volumes.json.data.volumes %}
{%- set total = volume.total_bytes | int %}
{%- set free = ((total - volume.used_bytes | int) * 100 / total) if total else 0 %}
{%- set storages = nas.abb_storages.json.data.storages | selectattr('volume_path', 'equalto', volume.volume_path) %}
{%- set shown_free = '%.1f%%' | format(free) %}
| {{ volume.volume_path }} | {{ total | filesizeformat(true) }} | {{ '**' ~ shown_free ~ '**' if free < report_min_free_percent else shown_free }} \
| {{ storages | map(attribute='share_name') | join(', ') }} |
{% endfor %}

{% endfor %}
'''

MONITORING_PLAYS = {'collection': MONITORING_ROLE_PLAY, 'uri': MONITORING_URI_PLAY}


def per_host_requests(handle):
    """Per NAS: the emulator's counters and the requests it logged, one 'API.method [inner calls]' each."""
    hosts = []
    for index in range(len(handle.nas)):
        ctl = handle.control(index)
        stats = ctl.stats()
        hosts.append({'requests': stats['requests'], 'logins': stats['logins'], 'logouts': stats['logouts'],
                      'open_sessions': stats['open_sessions'], 'info_queries': stats['info_queries'],
                      'writes': stats['writes'], 'writes_by_call': stats.get('writes_by_call', {}),
                      'calls': log_calls(ctl.log())})
    return hosts


def cpu_split(marks, startup_wall):
    """What each task cost the controller, from the callback's marks: start-up, then task by task."""
    steps = [{'task': '(start-up: imports, inventory, playbook and role parsing)', 'action': None,
              'cpu': marks[0]['cpu_self'] + marks[0]['cpu_children'], 'wall': startup_wall}]
    for mark, following in zip(marks, marks[1:]):
        steps.append({'task': mark['task'], 'action': mark['action'],
                      'cpu': (following['cpu_self'] + following['cpu_children']) - (mark['cpu_self'] + mark['cpu_children']),
                      'wall': following['time'] - mark['time']})
    return steps


def run_monitoring_play(name, workdir, handle, forks, env):
    playbook = os.path.join(workdir, 'monitoring-%s.yml' % name)
    with open(playbook, 'w', encoding='utf-8') as out:
        out.write(MONITORING_PLAYS[name])
    for path in REPORT_ROLE_FILES:
        if os.path.exists(os.path.join(workdir, 'activebackup-report', path)):
            os.remove(os.path.join(workdir, 'activebackup-report', path))
    if os.path.exists(os.path.join(workdir, URI_REPORT)):
        os.remove(os.path.join(workdir, URI_REPORT))
    for index in range(len(handle.nas)):
        handle.control(index).reset(MONITORING_SCENARIO)
    timings = os.path.join(workdir, 'timings-monitoring-%s.json' % name)
    marks_file = os.path.join(workdir, 'marks-monitoring-%s.json' % name)
    extra = {'ANSIBLE_CALLBACK_PLUGINS': CALLBACK_DIR, 'ANSIBLE_CALLBACKS_ENABLED': 'bench_timer',
             'ABB_BENCH_TIMINGS': timings, 'ABB_BENCH_MARKS': marks_file}
    before = children_cpu()
    start = time.monotonic()
    returncode, output = run_ansible([os.path.join(REPO, '.venv', 'bin', 'ansible-playbook'), '-i',
                                      os.path.join(workdir, 'inventory.json'), playbook, '-f', str(forks)], env, workdir, extra)
    wall = time.monotonic() - start
    cpu = children_cpu() - before
    if returncode != 0:
        sys.stderr.write(output[-6000:])
        raise SystemExit('monitoring %s play failed with rc %s' % (name, returncode))
    written = [os.path.join(workdir, 'activebackup-report', path) for path in REPORT_ROLE_FILES] if name == 'collection' \
        else [os.path.join(workdir, URI_REPORT)]
    for path in written:
        with open(path, encoding='utf-8') as report:
            text = report.read()
        # Both reports must name every NAS and a backup task (the check that the play did the work).
        if 'File-Server' not in text or handle.nas[-1]['name'] not in text:
            raise SystemExit('monitoring %s play: %s lacks the backup tasks or a NAS' % (name, path))
    with open(timings, encoding='utf-8') as source:
        records = json.load(source)
    with open(marks_file, encoding='utf-8') as source:
        marks = json.load(source)
    hosts = len(handle.nas)
    collection_runs = sum(1 for r in records if (r['action'] or '').startswith('syno.activebackup.'))
    once_runs = sum(1 for r in records if r['run_once'])
    per_host_runs = len(records) - once_runs
    split = cpu_split(marks, marks[0]['time'] - start)
    split.append({'task': '(after the last task: stats, exit)', 'action': None,
                  'cpu': cpu - sum(step['cpu'] for step in split), 'wall': wall - (marks[-1]['time'] - start)})
    return {'play': name, 'wall': wall, 'cpu': cpu, 'task_runs': len(records), 'collection_runs': collection_runs,
            'per_host_runs': per_host_runs, 'once_runs': once_runs,
            'tasks_per_host': per_host_runs / float(hosts),
            'cpu_per_collection_task': cpu / collection_runs if collection_runs else None,
            'cpu_per_task_run': cpu / len(records),
            'split': split,
            'hosts': per_host_requests(handle), 'report_bytes': sum(os.path.getsize(p) for p in written)}


def monitoring_size(size, pairs, forks, latency_ms, env):
    """The monitoring part at one fleet size: ``pairs`` alternating runs of the report role and the uri play."""
    runs = {'collection': [], 'uri': []}
    with tempfile.TemporaryDirectory(prefix='abb-bench-monitoring-') as workdir:
        handle = start_nas(workdir, count=size, scenario=MONITORING_SCENARIO, extra_args=['--latency-ms', str(latency_ms)])
        try:
            with open(os.path.join(workdir, 'inventory.json'), 'w', encoding='utf-8') as out:
                json.dump(inventory(handle), out)
            os.makedirs(os.path.join(workdir, 'templates'), exist_ok=True)
            with open(os.path.join(workdir, 'templates', 'backup-report.md.j2'), 'w', encoding='utf-8') as out:
                out.write(MONITORING_URI_TEMPLATE)
            for index in range(pairs):
                order = ('collection', 'uri') if index % 2 == 0 else ('uri', 'collection')
                for name in order:
                    load = os.getloadavg()[0]
                    result = run_monitoring_play(name, workdir, handle, forks, env)
                    result['load_before'] = load
                    runs[name].append(result)
                    print('monitoring N=%d pair %d %-10s wall %6.2f s  cpu %6.2f s  cpu/collection task %s  '
                          'requests/host %s  load %.1f' % (
                              size, index + 1, name, result['wall'], result['cpu'],
                              '%.3f s' % result['cpu_per_collection_task'] if result['cpu_per_collection_task'] else '-',
                              span((min(h['requests'] for h in result['hosts']), max(h['requests'] for h in result['hosts']))),
                              load), flush=True)
        finally:
            handle.stop()
    ratios = [a['wall'] / b['wall'] for a, b in zip(runs['collection'], runs['uri'])]
    out = {'size': size, 'pairs': pairs, 'ratios': ratios, 'ratio_median': statistics.median(ratios),
           'loads': [r['load_before'] for items in runs.values() for r in items]}
    for name, items in runs.items():
        walls = [r['wall'] for r in items]
        last = items[-1]
        hosts = last['hosts']
        out[name] = {
            'wall_median': statistics.median(walls), 'wall_min': min(walls), 'wall_max': max(walls),
            'cpu_median': statistics.median([r['cpu'] for r in items]),
            'cpu_per_task_run_median': statistics.median([r['cpu_per_task_run'] for r in items]),
            'cpu_per_collection_task_median': (statistics.median([r['cpu_per_collection_task'] for r in items])
                                               if last['collection_runs'] else None),
            'task_runs': last['task_runs'], 'collection_runs': last['collection_runs'],
            'per_host_runs': last['per_host_runs'], 'once_runs': last['once_runs'],
            'tasks_per_host': last['tasks_per_host'],
            'requests': (min(h['requests'] for h in hosts), max(h['requests'] for h in hosts)),
            'logins': (min(h['logins'] for h in hosts), max(h['logins'] for h in hosts)),
            'logouts': (min(h['logouts'] for h in hosts), max(h['logouts'] for h in hosts)),
            'info_queries': (min(h['info_queries'] for h in hosts), max(h['info_queries'] for h in hosts)),
            'open_sessions': max(h['open_sessions'] for h in hosts),
            'calls_nas1': hosts[0]['calls'],
            'report_bytes': last['report_bytes'],
            # The split of the run with the median wall time.
            'split': sorted(items, key=lambda r: r['wall'])[len(items) // 2]['split'],
        }
    return out


def monitoring_markdown(results, forks, latency_ms):
    lines = ['| N NAS | play | wall median (min-max) s | (a)/(b) per pair | median (a)/(b) | CPU s (median) | '
             'task runs: per host + once | collection task runs | CPU per collection task s | CPU per task run s | '
             'requests/host | logins / logouts per host | SYNO.API.Info queries |',
             '|---|---|---|---|---|---|---|---|---|---|---|---|---|']
    for res in results:
        for name, label in (('collection', '(a) report role'), ('uri', '(b) uri + template')):
            item = res[name]
            per_coll = item['cpu_per_collection_task_median']
            lines.append('| %d | %s | %.2f (%.2f-%.2f) | %s | %s | %.2f | %g per host + %d once | %s | %s | %.3f | %s | %s / %s | %s |' % (
                res['size'], label, item['wall_median'], item['wall_min'], item['wall_max'],
                ', '.join('%.2f' % r for r in res['ratios']) if name == 'collection' else '',
                '%.2f' % res['ratio_median'] if name == 'collection' else '',
                item['cpu_median'], item['tasks_per_host'], item['once_runs'],
                item['collection_runs'] or '-', '%.3f' % per_coll if per_coll is not None else '-',
                item['cpu_per_task_run_median'], span(item['requests']), span(item['logins']), span(item['logouts']),
                span(item['info_queries'])))
    out = ['Forks %d, %d ms emulator latency per request, scenario `%s` (7 backup tasks, 11 devices per NAS), '
           '%d CPU cores, Python %s; load average (1 min) before the runs: %s.' % (
               forks, latency_ms, MONITORING_SCENARIO, os.cpu_count(), sys.version.split()[0],
               '; '.join('N=%d %.1f-%.1f' % (r['size'], min(r['loads']), max(r['loads'])) for r in results)),
           '', '\n'.join(lines), '']
    first = results[0]
    for name, label in (('collection', 'report role'), ('uri', 'uri play')):
        out.append('Requests of nas1 (%s, N=%d): %s.' % (label, first['size'], '; '.join(
            '`%s`' % call for call in first[name]['calls_nas1'])))
        out.append('')
    out.append('Controller CPU of the report role run by step (the run with the median wall time; from the '
               'callback\'s marks, each step\'s workers and result handling):')
    out.append('')
    head = '| step | action | ' + ' | '.join('N=%d CPU s | N=%d wall s' % (r['size'], r['size']) for r in results) + ' |'
    out.append(head)
    out.append('|---|---|' + '---|---|' * len(results))
    steps = [(s['task'], s['action']) for s in first['collection']['split']]
    for index, (task, action) in enumerate(steps):
        cells = []
        for res in results:
            split = res['collection']['split']
            step = split[index] if index < len(split) else None
            cells.append('%.2f | %s' % (step['cpu'], '%.2f' % step['wall'] if step['wall'] is not None else '')
                         if step else ' | ')
        out.append('| %s | %s | %s |' % (task if task else '(end of the playbook: stats)', '`%s`' % action if action else '',
                                         ' | '.join(cells)))
    return '\n'.join(out) + '\n'


# ---------------------------------------------------------------------------- run-and-wait part

RUNWAIT_SCENARIO = 'default'
RUNWAIT_TASKS = ('Office-PCs', 'Design-Workstations')

# The fleet "run and wait" pattern: one login per NAS, the named backup tasks started one after the
# other, each waited for, then the logout.
RUNWAIT_PLAY = '''---
- name: Run backup tasks across the fleet and wait for them
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
        - name: Run the backup and wait for it to end
          syno.activebackup.task:
            name: "{{ item }}"
            state: started
            wait: true
          loop: %(tasks)s
      always:
        - name: Log out
          syno.activebackup.session:
            state: absent
          check_mode: false
''' % {'user': USER, 'password': PASSWORD, 'tasks': json.dumps(list(RUNWAIT_TASKS))}


def task_module_present():
    return all(os.path.exists(os.path.join(REPO, 'plugins', kind, 'task.py')) for kind in ('modules', 'action'))


def runwait_bench(size, reps, forks, latency_ms, run_seconds, env):
    """The run-and-wait part: ``reps`` runs of RUNWAIT_PLAY on ``size`` NAS whose backup runs last ``run_seconds``."""
    runs = []
    with tempfile.TemporaryDirectory(prefix='abb-bench-runwait-') as workdir:
        handle = start_nas(workdir, count=size, scenario=RUNWAIT_SCENARIO,
                           extra_args=['--latency-ms', str(latency_ms), '--run-seconds', str(run_seconds)])
        try:
            with open(os.path.join(workdir, 'inventory.json'), 'w', encoding='utf-8') as out:
                json.dump(inventory(handle), out)
            playbook = os.path.join(workdir, 'runwait.yml')
            with open(playbook, 'w', encoding='utf-8') as out:
                out.write(RUNWAIT_PLAY)
            for index in range(reps):
                for nas in range(size):
                    handle.control(nas).reset(RUNWAIT_SCENARIO)
                load = os.getloadavg()[0]
                before = children_cpu()
                start = time.monotonic()
                returncode, output = run_ansible([os.path.join(REPO, '.venv', 'bin', 'ansible-playbook'), '-i',
                                                  os.path.join(workdir, 'inventory.json'), playbook, '-f', str(forks)],
                                                 env, workdir)
                wall = time.monotonic() - start
                cpu = children_cpu() - before
                if returncode != 0:
                    sys.stderr.write(output[-6000:])
                    raise SystemExit('run-and-wait play failed with rc %s' % returncode)
                hosts = per_host_requests(handle)
                for number, host in enumerate(hosts):
                    # Every task started exactly once and its run ended (the play waited for it).
                    started = host['writes_by_call'].get('SYNO.ActiveBackup.Task.backup', 0)
                    if started != len(RUNWAIT_TASKS):
                        raise SystemExit('run-and-wait: nas%d started %d backups, expected %d' % (
                            number + 1, started, len(RUNWAIT_TASKS)))
                running = [n for n in range(size) if handle.control(n).jobs()['running']]
                if running:
                    raise SystemExit('run-and-wait: backups still running after the play on %d NAS' % len(running))
                per_call = [collections.Counter(call.split(' [', 1)[0] for call in host['calls']) for host in hosts]
                # Runs of the collection's modules: the login, each loop item of the task module, the logout.
                module_runs = size * (2 + len(RUNWAIT_TASKS))
                result = {'wall': wall, 'cpu': cpu, 'load_before': load, 'module_runs': module_runs,
                          'cpu_per_module_run': cpu / module_runs, 'hosts': hosts, 'per_call': per_call}
                runs.append(result)
                print('runwait N=%d rep %d wall %6.2f s  cpu %6.2f s  cpu/module run %.3f s  requests/host %s  load %.1f' % (
                    size, index + 1, wall, cpu, result['cpu_per_module_run'],
                    span((min(h['requests'] for h in hosts), max(h['requests'] for h in hosts))), load), flush=True)
        finally:
            handle.stop()
    last = runs[-1]
    calls = sorted(set(call for counter in last['per_call'] for call in counter))
    walls = [r['wall'] for r in runs]
    return {
        'size': size, 'reps': reps, 'forks': forks, 'latency_ms': latency_ms, 'run_seconds': run_seconds,
        'tasks': list(RUNWAIT_TASKS), 'wall_median': statistics.median(walls), 'wall_min': min(walls), 'wall_max': max(walls),
        'cpu_median': statistics.median([r['cpu'] for r in runs]),
        'cpu_per_module_run_median': statistics.median([r['cpu_per_module_run'] for r in runs]),
        'module_runs': last['module_runs'], 'loads': [r['load_before'] for r in runs],
        'requests': (min(h['requests'] for h in last['hosts']), max(h['requests'] for h in last['hosts'])),
        'logins': (min(h['logins'] for h in last['hosts']), max(h['logins'] for h in last['hosts'])),
        'logouts': (min(h['logouts'] for h in last['hosts']), max(h['logouts'] for h in last['hosts'])),
        'info_queries': max(h['info_queries'] for h in last['hosts']),
        'open_sessions': max(h['open_sessions'] for h in last['hosts']),
        'calls': dict((call, (min(c.get(call, 0) for c in last['per_call']), max(c.get(call, 0) for c in last['per_call'])))
                      for call in calls),
        'calls_nas1': last['hosts'][0]['calls'],
    }


def runwait_markdown(res):
    floor = len(res['tasks']) * res['run_seconds']
    lines = ['| N NAS | runs | wall median (min-max) s | backup run time per NAS s | wall / run time | CPU s (median) | '
             'collection module runs | CPU per module run s | requests/host | logins / logouts per host | '
             'SYNO.API.Info queries | open sessions after |',
             '|---|---|---|---|---|---|---|---|---|---|---|---|',
             '| %d | %d | %.2f (%.2f-%.2f) | %g | %.2f | %.2f | %d | %.3f | %s | %s / %s | %d | %d |' % (
                 res['size'], res['reps'], res['wall_median'], res['wall_min'], res['wall_max'], floor,
                 res['wall_median'] / floor, res['cpu_median'], res['module_runs'], res['cpu_per_module_run_median'],
                 span(res['requests']), span(res['logins']), span(res['logouts']), res['info_queries'], res['open_sessions'])]
    calls = '; '.join('`%s` %s' % (call, span(pair)) for call, pair in sorted(res['calls'].items()))
    head = ('Forks %d, %d ms emulator latency per request, every backup run lasts %g s (`--run-seconds`), scenario `%s`, '
            'tasks %s run one after the other on each NAS; %d CPU cores, Python %s; load average (1 min) before the runs: '
            '%s.' % (res['forks'], res['latency_ms'], res['run_seconds'], RUNWAIT_SCENARIO,
                     ', '.join('`%s`' % t for t in res['tasks']), os.cpu_count(), sys.version.split()[0],
                     ', '.join('%.1f' % x for x in res['loads'])))
    tail = ('Requests per host by call (min-max over the NAS): %s. The requests of nas1 in order: %s.' % (
        calls, '; '.join('`%s`' % call for call in res['calls_nas1'])))
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
            ('task', '<!-- bench:task -->', '#### Per-task figures'),
            ('monitoring', '<!-- bench:monitoring -->', '#### Monitoring figures'),
            ('runwait', '<!-- bench:runwait -->', '#### Run-and-wait figures'))


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
    parser.add_argument('--only', choices=('fleet', 'task', 'monitoring', 'runwait'),
                        help='run one part only (default: every part; runwait only once the task module exists)')
    parser.add_argument('--sizes', default='20,50,100', help='fleet sizes, comma separated (default 20,50,100)')
    parser.add_argument('--pairs', type=int, default=5, help='alternating pairs at the first size (default 5)')
    parser.add_argument('--pairs-larger', type=int, default=2, help='pairs at the larger sizes (default 2)')
    parser.add_argument('--forks', type=int, default=20)
    parser.add_argument('--latency-ms', type=int, default=20)
    parser.add_argument('--relink-seconds', type=float, default=1.0)
    parser.add_argument('--task-count', type=int, default=25,
                        help='per-task part: timed tasks in each play (default 25; at least 20 for the documented figure)')
    parser.add_argument('--task-reps', type=int, default=5, help='per-task part: alternating repetitions (default 5)')
    parser.add_argument('--monitoring-sizes', default='20,100',
                        help='monitoring part: fleet sizes, comma separated (default 20,100)')
    parser.add_argument('--monitoring-pairs', type=int, default=5,
                        help='monitoring part: alternating pairs at the first size (default 5; --pairs-larger at the others)')
    parser.add_argument('--runwait-size', type=int, default=20, help='run-and-wait part: number of NAS (default 20)')
    parser.add_argument('--runwait-reps', type=int, default=2, help='run-and-wait part: runs of the play (default 2)')
    parser.add_argument('--run-seconds', type=float, default=3.0,
                        help='run-and-wait part: how long each backup run lasts on the emulator (default 3)')
    parser.add_argument('--module-path', action='store_true',
                        help='fleet part: also run the collection play with every task as a module (the '
                             'figures before the action plugins); printed and in --json, not in --output')
    parser.add_argument('--output', help='Markdown file whose bench block gets the figures (e.g. docs/performance.md)')
    parser.add_argument('--json', help='write the raw figures here')
    args = parser.parse_args()
    if args.task_count < 1 or args.task_reps < 1:
        parser.error('--task-count and --task-reps must be at least 1')
    if args.monitoring_pairs < 1 or args.pairs_larger < 1 or args.runwait_reps < 1 or args.runwait_size < 1:
        parser.error('--monitoring-pairs, --pairs-larger, --runwait-reps and --runwait-size must be at least 1')
    if args.run_seconds <= 0:
        parser.error('--run-seconds must be above 0')
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
    if args.only in (None, 'monitoring'):
        results = []
        for position, size in enumerate(int(s) for s in args.monitoring_sizes.split(',')):
            pairs = args.monitoring_pairs if position == 0 else args.pairs_larger
            results.append(monitoring_size(size, pairs, args.forks, args.latency_ms, env))
        tables['monitoring'] = monitoring_markdown(results, args.forks, args.latency_ms)
        raw['monitoring'] = results
    if args.only in (None, 'runwait'):
        if task_module_present():
            raw['runwait'] = runwait_bench(args.runwait_size, args.runwait_reps, args.forks, args.latency_ms,
                                           args.run_seconds, env)
            tables['runwait'] = runwait_markdown(raw['runwait'])
        elif args.only == 'runwait':
            raise SystemExit('the run-and-wait part needs plugins/modules/task.py and plugins/action/task.py')
        else:
            print('run-and-wait part skipped: the task module (plugins/modules/task.py) is not there yet', flush=True)
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
