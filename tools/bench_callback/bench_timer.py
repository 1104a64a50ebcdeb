# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Wall time of every task, for tools/bench.py.

Enabled by ``ANSIBLE_CALLBACK_PLUGINS=tools/bench_callback`` and
``ANSIBLE_CALLBACKS_ENABLED=bench_timer``. For each task result it records the time from the
task's start (``v2_playbook_on_task_start``, sent by the strategy just before it hands the task
to a worker) to the moment the controller processes the host's result. At the end of the
playbook it writes the records as JSON to the file named by ``ABB_BENCH_TIMINGS``.
"""

from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = '''
name: bench_timer
type: aggregate
short_description: wall time per task, written as JSON for the collection's benchmark
description:
  - Records the time from each task's start to each host's result.
  - Writes the records to the file named by the environment variable E(ABB_BENCH_TIMINGS).
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

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._started[task._uuid] = time.monotonic()

    def _record(self, result, status):
        end = time.monotonic()
        task = result._task
        start = self._started.get(task._uuid)
        self._records.append({
            'task': task.get_name(),
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
        path = os.environ.get('ABB_BENCH_TIMINGS')
        if not path:
            return
        with open(path, 'w', encoding='utf-8') as out:
            json.dump(self._records, out, indent=1)
