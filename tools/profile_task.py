# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Where one task's controller time goes: the module path (AnsiballZ) against the action-plugin path.

Starts the DSM emulator (one NAS, HTTPS) and measures, for one ``syno.activebackup.share_info``
task:

1. module path: the task run as a module (the module loaded by its short name from
   ANSIBLE_LIBRARY, so that no action plugin applies): the AnsiballZ payload is kept
   (ANSIBLE_KEEP_REMOTE_FILES) and run again under cProfile, so the profile shows interpreter
   start-up, imports and the work itself;
2. action-plugin path: the same operation called in-process as the action plugin calls it,
   under cProfile (``execute()`` with validated parameters);
3. the fixed cost of a task in a playbook (fork of the worker, TaskExecutor, templating,
   callbacks): controller CPU of a play of 41 tasks minus that of a play of 1 task, per task,
   for both paths.

    python tools/profile_task.py [--top 12]
"""

from __future__ import annotations

import argparse
import cProfile
import glob
import io
import os
import pstats
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, 'tests', 'emulator'))

from control import start_emulator  # noqa: E402  pylint: disable=wrong-import-position

ARGS = 'host=127.0.0.1 port={port} ca_path={ca} username=admin password=Adm1n-Secret!'


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def environment(workdir, collections_path):
    config = os.path.join(workdir, 'ansible.cfg')
    with open(config, 'w', encoding='utf-8') as out:
        out.write('[defaults]\n')
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path, ANSIBLE_CONFIG=config, NO_COLOR='1',
               ANSIBLE_REMOTE_TMP=os.path.join(workdir, 'remote-tmp'), ANSIBLE_ASYNC_DIR=os.path.join(workdir, 'async'))
    env['PATH'] = os.path.join(REPO, '.venv', 'bin') + os.pathsep + env['PATH']
    env['ANSIBLE_LIBRARY'] = os.path.join(REPO, 'plugins', 'modules')
    env['ANSIBLE_PYTHON_INTERPRETER'] = sys.executable
    return env


def play(tasks, module_path, args):
    # By its short name from ANSIBLE_LIBRARY the module has no action plugin: it runs as a module.
    name = 'share_info' if module_path else 'syno.activebackup.share_info'
    lines = ['---', '- hosts: localhost', '  gather_facts: false', '  tasks:']
    for index in range(tasks):
        lines.append('    - name: share_info %d' % index)
        lines.append('      %s: %s' % (name, args))
    return '\n'.join(lines) + '\n'


def play_cpu(workdir, env, tasks, module_path, args):
    path = os.path.join(workdir, 'play-%d-%s.yml' % (tasks, module_path))
    with open(path, 'w', encoding='utf-8') as out:
        out.write(play(tasks, module_path, args))
    before = children_cpu()
    start = time.monotonic()
    subprocess.run([os.path.join(REPO, '.venv', 'bin', 'ansible-playbook'), '-i', 'localhost,', '-c', 'local', path],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    return children_cpu() - before, time.monotonic() - start


def profile_text(profile, top):
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats('cumulative').print_stats(top)
    return out.getvalue()


def module_profile(workdir, env, args, top):
    """Run the task as a module, keep its AnsiballZ payload, run that again under cProfile."""
    keep_env = dict(env, ANSIBLE_KEEP_REMOTE_FILES='1')
    subprocess.run([os.path.join(REPO, '.venv', 'bin', 'ansible'), 'localhost', '-c', 'local', '-i', 'localhost,',
                    '-m', 'share_info', '-a', args],
                   env=keep_env, check=True, stdout=subprocess.DEVNULL)
    payloads = glob.glob(os.path.join(workdir, 'remote-tmp', '*', 'AnsiballZ_share_info.py'))
    if not payloads:
        raise SystemExit('no AnsiballZ payload was kept under %s' % os.path.join(workdir, 'remote-tmp'))
    stats_file = os.path.join(workdir, 'module.prof')
    before = children_cpu()
    start = time.monotonic()
    subprocess.run([sys.executable, payloads[0]], env=env, check=True, stdout=subprocess.DEVNULL)
    cpu, wall = children_cpu() - before, time.monotonic() - start
    # A second run under cProfile (the payload removes sys.path[0] itself, so it is run from -c).
    runner = ('import cProfile, runpy, sys; sys.argv = [sys.argv[1]]; '
              'cProfile.run("runpy.run_path(sys.argv[0], run_name=\'__main__\')", %r)' % stats_file)
    subprocess.run([sys.executable, '-c', runner, payloads[0]], env=env, check=False, stdout=subprocess.DEVNULL)
    return cpu, wall, profile_text(stats_file, top)


def action_profile(handle, top):
    """The operation as the action plugin runs it, in-process, under cProfile (imports already done)."""
    from ansible_collections.syno.activebackup.plugins.module_utils._op_info import SHARE_INFO  # pylint: disable=import-error
    from ansible_collections.syno.activebackup.plugins.module_utils._runner import execute  # pylint: disable=import-error
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

    args = {'host': '127.0.0.1', 'port': handle.nas[0]['port'], 'ca_path': handle.ca, 'username': 'admin',
            'password': 'Adm1n-Secret!'}
    profiler = cProfile.Profile()
    start_cpu = time.process_time()
    start = time.monotonic()
    profiler.enable()
    validation = ArgumentSpecValidator(SHARE_INFO.argument_spec, **SHARE_INFO.validator_kwargs()).validate(args)
    result = execute(SHARE_INFO, validation.validated_parameters)
    profiler.disable()
    cpu, wall = time.process_time() - start_cpu, time.monotonic() - start
    if result.get('failed'):
        raise SystemExit('share_info failed: %s' % result.get('msg'))
    return cpu, wall, profile_text(profiler, top)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--top', type=int, default=12)
    opts = parser.parse_args()
    root = subprocess.run([os.path.join(REPO, '.venv', 'bin', 'python'), os.path.join(REPO, 'tests', 'utils', 'collection_root.py')],
                          stdout=subprocess.PIPE, check=True).stdout.decode().strip()
    collections_path = os.path.dirname(os.path.dirname(os.path.dirname(root)))
    sys.path.insert(0, collections_path)
    # SIGTERM and SIGHUP raise like Ctrl-C does, so the emulator is stopped and the directory removed.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda number, frame: sys.exit(128 + number))
    workdir = tempfile.mkdtemp(prefix='abb-profile-')
    handle = None
    try:
        handle = start_emulator(workdir, count=1, scenario='default', tls=True)
        env = environment(workdir, collections_path)
        args = ARGS.format(port=handle.nas[0]['port'], ca=handle.ca)
        m_cpu, m_wall, m_text = module_profile(workdir, env, args, opts.top)
        a_cpu, a_wall, a_text = action_profile(handle, opts.top)
        fixed = {}
        for module_path in (False, True):
            one = play_cpu(workdir, env, 1, module_path, args)
            many = play_cpu(workdir, env, 41, module_path, args)
            fixed[module_path] = ((many[0] - one[0]) / 40, (many[1] - one[1]) / 40)
    finally:
        if handle is not None:
            handle.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    print('== module path: the AnsiballZ payload of one share_info task, run alone ==')
    print('CPU %.3f s, wall %.3f s (a new interpreter, imports, the work)' % (m_cpu, m_wall))
    print(m_text)
    print('== action-plugin path: the same operation in-process (validation + execute) ==')
    print('CPU %.3f s, wall %.3f s' % (a_cpu, a_wall))
    print(a_text)
    print('== controller cost per task inside a playbook ((41 tasks - 1 task) / 40) ==')
    print('module path:                   CPU %.3f s, wall %.3f s per task' % fixed[True])
    print('action-plugin path:            CPU %.3f s, wall %.3f s per task' % fixed[False])


if __name__ == '__main__':
    main()
