# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
name: backup_health
short_description: Classify Active Backup for Business tasks as ok, warning, running, overdue, failed or never run
version_added: 1.0.0
author:
  - syno.activebackup maintainers
description:
  - Takes the backup tasks of a NAS, as M(syno.activebackup.task_info) returns them in RV(syno.activebackup.task_info#module:tasks)
    or M(syno.activebackup.facts) in C(ansible_facts.activebackup.tasks), and returns one entry per task that says how
    healthy its backups are and why.
  - The health is the first of these that applies.
  - V(never) - the task has no last result and is not running.
  - V(failed) - the last run failed or was cancelled.
  - V(overdue) - the last run ended more than O(max_age_hours) ago.
  - V(running) - a backup of the task is running now.
  - V(warning) - the last run partly succeeded (V(partial)), had warnings, ended with a status other than
    success (V(none), V(incomplete), V(no_backup), or a number the collection does not know), or has no end time
    (so its age is unknown).
  - V(ok) - the last run succeeded, without warnings, less than O(max_age_hours) ago.
  - The status of the last run is read from C(last_result.status_name), or from the number C(last_result.status)
    (0 none, 1 incomplete, 2 success, 3 partial, 4 failed, 5 cancelled, 6 no_backup; anything else is V(unknown)).
  - A task counts as running when its C(running) is true or, for a task without C(running), when its C(progress)
    says so (C(running_task_status) 1 or 2, or a C(pid) above 0).
  - Bad input (not a list, an entry that is not a dictionary, a O(max_age_hours) that is not a positive number, a
    O(now) that is not a time) fails the task with a message that says what is wrong.
positional: _input
options:
  _input:
    description:
      - The tasks, a list of dictionaries with the API's fields (C(task_id), C(task_name), C(last_result), C(running),
        C(progress)).
    type: list
    elements: dict
    required: true
  max_age_hours:
    description:
      - A task whose last run ended more than this many hours before O(now) is V(overdue). A run that ended exactly
        O(max_age_hours) ago is not overdue yet.
      - A positive number; fractions are allowed.
    type: float
    default: 26
  now:
    description:
      - The time to measure the age of the last run against, in epoch seconds.
      - Defaults to the current time of the controller.
    type: float
seealso:
  - module: syno.activebackup.task_info
  - module: syno.activebackup.facts
'''

EXAMPLES = r'''
- name: Read the backup tasks of the NAS
  syno.activebackup.task_info:
  register: abb

- name: Fail when a backup failed, is overdue or never ran
  vars:
    health: "{{ abb.tasks | syno.activebackup.backup_health(max_age_hours=26) }}"
    bad: "{{ health | selectattr('health', 'in', ['failed', 'overdue', 'never']) }}"
  ansible.builtin.assert:
    that: bad | length == 0
    fail_msg: >-
      {% for task in bad %}{{ task.task_name }}: {{ task.health }} ({{ task.reason }}){{ '; ' if not loop.last }}{% endfor %}
    quiet: true

- name: Names of the tasks whose last run had warnings, against a fixed clock (epoch seconds)
  ansible.builtin.debug:
    msg: >-
      {{ ansible_facts.activebackup.tasks
         | syno.activebackup.backup_health(max_age_hours=48, now=1767225600)
         | selectattr('health', 'equalto', 'warning') | map(attribute='task_name') }}
'''

RETURN = r'''
_value:
  description:
    - One entry per task, in the order of the input.
  type: list
  elements: dict
  contains:
    task_id:
      description: The task's C(task_id), as given (null when the task has none).
      type: int
    task_name:
      description: The task's C(task_name), as given (null when the task has none).
      type: str
    health:
      description: The health, the first that applies of V(never), V(failed), V(overdue), V(running), V(warning), V(ok).
      type: str
      sample: failed
    reason:
      description: Why, in words. For a running task it names the previous result.
      type: str
      sample: last run failed (status failed, 3 errors, 0 warnings), ended 5.2 h ago
    last_status_name:
      description: The status name of the last run (V(success), V(partial), V(failed), ...), null when there is none.
      type: str
      sample: failed
    last_end:
      description: When the last run ended, in epoch seconds; null when there is no last run or it has no end time.
      type: int
      sample: 1767218400
    age_hours:
      description: Hours from the end of the last run to O(now), one decimal; null when C(last_end) is null.
      type: float
      sample: 5.2
    running:
      description: Whether a backup of the task is running now.
      type: bool
'''

import math
import time

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.syno.activebackup.plugins.module_utils._api import RESULT_STATUSES, name_of
from ansible_collections.syno.activebackup.plugins.module_utils._api_task import is_running as progress_running

# The order in which the health values are decided (the first that applies wins).
HEALTH_ORDER = ('never', 'failed', 'overdue', 'running', 'warning', 'ok')
# The order in which reports list them: what needs attention first.
HEALTH_SEVERITY = ('failed', 'overdue', 'never', 'warning', 'running', 'ok')
# The health values that need someone to act (a report's "attention").
ATTENTION = ('failed', 'overdue', 'never')

_FAILED = ('failed', 'cancelled')


def _number(value):
    """An int or float from a number or a decimal string; None for anything else (bool, NaN, text)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = value
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        if number.is_integer() and value.strip().lstrip('+-').isdigit():
            number = int(number)
    else:
        return None
    if isinstance(number, float) and not math.isfinite(number):
        return None
    return number


def _count(value):
    """A count from the API (an int, or its string); 0 for anything else."""
    number = _number(value)
    return int(number) if number is not None and number >= 0 else 0


def _epoch(value):
    """An epoch time (seconds, > 0) as an int; None when missing, 0 or not a number."""
    number = _number(value)
    if number is None or number <= 0:
        return None
    return int(number)


def status_name(result):
    """The status name of a result (``status_name`` when given, else from ``status``)."""
    name = result.get('status_name')
    if isinstance(name, str) and name:
        return name
    return name_of(RESULT_STATUSES, result.get('status'))


def is_running(task):
    """Whether a backup of ``task`` runs: its ``running`` flag, else its ``progress`` (contract 10.1)."""
    running = task.get('running')
    if isinstance(running, bool):
        return running
    return progress_running(task.get('progress'))


def _percent(task):
    """' (45%)' from the task's progress, or ''."""
    progress = task.get('progress')
    value = _number(progress.get('percentage')) if isinstance(progress, Mapping) else None
    if value is None:
        return ''
    # The API gives 0.0-1.0; a value above 1 is read as a percentage already.
    percent = value * 100 if value <= 1 else value
    return ' (%g%%)' % round(max(0.0, min(percent, 100.0)), 1)


def _plural(count, word):
    return '%d %s%s' % (count, word, '' if count == 1 else 's')


def _hours(value):
    """'26 h', '30.5 h': one decimal at most."""
    text = '%.1f' % value
    return '%s h' % (text[:-2] if text.endswith('.0') else text)


def _age_text(age_hours):
    if age_hours is None:
        return 'end time unknown'
    if age_hours < 0:
        return 'ended %s after the time of the check (are the clocks in step?)' % _hours(-age_hours)
    return 'ended %s ago' % _hours(age_hours)


def check_max_age(max_age_hours):
    number = _number(max_age_hours)
    if number is None or number <= 0:
        raise AnsibleFilterError(
            'backup_health: max_age_hours must be a positive number of hours, not %r' % (max_age_hours,))
    return number


def check_now(now):
    """``now`` as epoch seconds (float); the current time when None."""
    if now is None:
        return time.time()
    number = _number(now)
    if number is None or number < 0:
        raise AnsibleFilterError(
            'backup_health: now must be a time in epoch seconds (a number of 0 or more), not %r' % (now,))
    return float(number)


def task_health(task, max_age_hours, now):
    """The health entry of one task (a mapping); ``max_age_hours`` and ``now`` already checked."""
    result = task.get('last_result')
    if not isinstance(result, Mapping) or not result:
        result = None
    running = is_running(task)
    entry = {
        'task_id': task.get('task_id'),
        'task_name': task.get('task_name'),
        'health': None,
        'reason': None,
        'last_status_name': None,
        'last_end': None,
        'age_hours': None,
        'running': running,
    }
    now_running = 'a backup is running now%s' % _percent(task)
    if result is None:
        if running:
            entry.update(health='running', reason='%s; no previous result (first run)' % now_running)
        else:
            entry.update(health='never', reason='never ran: the task has no backup result yet')
        return entry

    name = status_name(result)
    last_end = _epoch(result.get('time_end'))
    age_seconds = now - last_end if last_end is not None else None
    age_hours = round(age_seconds / 3600.0, 1) if age_seconds is not None else None
    errors, warnings = _count(result.get('error_count')), _count(result.get('warning_count'))
    counts = '%s, %s' % (_plural(errors, 'error'), _plural(warnings, 'warning'))
    entry.update(last_status_name=name, last_end=last_end, age_hours=age_hours)
    also_running = '; %s' % now_running if running else ''

    if name in _FAILED:
        verb = 'failed' if name == 'failed' else 'was cancelled'
        entry.update(health='failed', reason='last run %s (%s), %s%s' % (verb, counts, _age_text(age_hours), also_running))
    elif age_seconds is not None and age_seconds > max_age_hours * 3600.0:
        entry.update(health='overdue', reason='last run (%s) ended %s ago, more than the %s allowed%s' % (
            name, _hours(age_hours), _hours(max_age_hours), also_running))
    elif running:
        entry.update(health='running', reason='%s; previous run: %s (%s), %s' % (now_running, name, counts, _age_text(age_hours)))
    elif name == 'partial':
        entry.update(health='warning', reason='last run partly succeeded (partial: %s), %s' % (counts, _age_text(age_hours)))
    elif name != 'success':
        raw = result.get('status')
        shown = '%s (unknown)' % (raw,) if name == 'unknown' and raw is not None else name
        entry.update(health='warning', reason='last run ended with status %s, not success (%s), %s' % (
            shown, counts, _age_text(age_hours)))
    elif warnings:
        entry.update(health='warning', reason='last run succeeded with %s (%s), %s' % (
            _plural(warnings, 'warning'), _plural(errors, 'error'), _age_text(age_hours)))
    elif last_end is None:
        entry.update(health='warning', reason='last run succeeded, but it has no end time, so its age is unknown')
    else:
        entry.update(health='ok', reason='last run succeeded, %s' % _age_text(age_hours))
    return entry


def backup_health(tasks, max_age_hours=26, now=None):
    """One health entry per task (see DOCUMENTATION)."""
    if isinstance(tasks, Mapping):
        hint = ' (the result has a "tasks" key: use result.tasks)' if 'tasks' in tasks else ''
        raise AnsibleFilterError('backup_health: expects a list of tasks, not a dictionary%s' % hint)
    if isinstance(tasks, (str, bytes)) or not isinstance(tasks, (list, tuple)):
        raise AnsibleFilterError('backup_health: expects a list of tasks (the tasks of task_info or of '
                                 'ansible_facts.activebackup), not %s' % type(tasks).__name__)
    max_age = check_max_age(max_age_hours)
    clock = check_now(now)
    out = []
    for index, task in enumerate(tasks):
        if not isinstance(task, Mapping):
            raise AnsibleFilterError('backup_health: entry %d of the list is %s, not a task (a dictionary)' % (
                index, 'null' if task is None else type(task).__name__))
        out.append(task_health(task, max_age, clock))
    return out


class FilterModule:
    def filters(self):
        return {'backup_health': backup_health}
