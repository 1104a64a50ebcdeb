# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Wall time of every task, for tools/bench.py.

Enabled by ``ANSIBLE_CALLBACK_PLUGINS=tools/bench_callback`` and
``ANSIBLE_CALLBACKS_ENABLED=bench_timer``. For each task result it records the time from the
task's start (``v2_playbook_on_task_start``, sent by the strategy just before it hands the task
to a worker) to the moment the controller processes the host's result, with the task's action
(``syno.activebackup.facts``, ``ansible.builtin.template``, ...) and whether it ran once for the
play (``run_once``). At the end of the playbook it writes the records as JSON to the file named
by ``ABB_BENCH_TIMINGS``.

With ``ABB_BENCH_MARKS`` set it also writes there, as JSON, one mark per task start and one at
the end of the playbook: the task's name and action, the wall clock (monotonic) and the CPU
time (user+sys) so far of ``ansible-playbook`` itself and of its finished workers. The CPU of
the first mark is the playbook's start-up (imports, inventory, parsing); the difference between
two marks is what the task between them cost the controller (its workers and the result
handling in ``ansible-playbook``). Before each mark the workers that have ended are reaped
(``multiprocessing.active_children()``), so their CPU is counted there; a worker still ending at
that moment is counted at the next mark, so the split between neighbouring tasks is close, not
exact, while the sum is exact.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import resource
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = '''
name: bench_timer
type: aggregate
short_description: wall time per task, written as JSON for the collection's benchmark
description:
  - Records the time from each task's start to each host's result.
  - Writes the records to the file named by the environment variable E(ABB_BENCH_TIMINGS).
  - With E(ABB_BENCH_MARKS) set, also writes the controller's CPU time at each task start there.
requirements:
  - enabled in the configuration (callbacks_enabled)
'''


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'bench_timer'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._started = {}
        self._records = []
        self._marks = []

    def _mark(self, name, action):
        if not os.environ.get('ABB_BENCH_MARKS'):
            return
        multiprocessing.active_children()  # reap the workers that have ended, so their CPU counts here
        own = resource.getrusage(resource.RUSAGE_SELF)
        workers = resource.getrusage(resource.RUSAGE_CHILDREN)
        self._marks.append({'task': name, 'action': action, 'time': time.monotonic(),
                            'cpu_self': own.ru_utime + own.ru_stime,
                            'cpu_children': workers.ru_utime + workers.ru_stime})

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._mark(task.get_name(), task.action)
        self._started[task._uuid] = time.monotonic()

    def _record(self, result, status):
        end = time.monotonic()
        task = result._task
        start = self._started.get(task._uuid)
        self._records.append({
            'task': task.get_name(),
            'action': task.action,
            'run_once': bool(task.run_once),
            'host': result._host.get_name(),
            'status': status,
            'wall': None if start is None else end - start,
        })

    def v2_runner_on_ok(self, result):
        self._record(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, 'failed')

    def v2_runner_on_skipped(self, result):
        self._record(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._record(result, 'unreachable')

    def v2_playbook_on_stats(self, stats):
        self._mark(None, None)
        for variable, data in (('ABB_BENCH_TIMINGS', self._records), ('ABB_BENCH_MARKS', self._marks)):
            path = os.environ.get(variable)
            if path:
                with open(path, 'w', encoding='utf-8') as out:
                    json.dump(data, out, indent=1)
