# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: typed SYNO.ActiveBackup.Task calls and normalisers (contract section 10).

A task keeps the API's fields as they come (``transfered_bytes`` included), numbers as ints, and
gains names beside raw numbers: ``backup_type_name``, ``last_result.status_name``, the versions'
``status_name``, ``progress.running_task_status_name``. It also gains ``running`` (contract 10.1:
[A] a run is going when ``progress.running_task_status`` is 1 or 2, or ``progress.pid`` > 0),
``latest_version`` when versions were loaded, and loses every secret-named key (contract
section 9; the devices of a task carry agent tokens and passwords).
"""

from __future__ import annotations

from ._api import (
    BACKUP_TYPES,
    RUNNING_STATUSES,
    ints,
    is_int,
    name_of,
    paged_read,
    read_pages,
    strip_secrets,
    to_int,
    with_filter,
)
from ._api_device import normalize_device
from ._api_log import normalize_result
from ._api_version import latest_completed, newest_first, normalize_version

TASK_API = 'SYNO.ActiveBackup.Task'

TASK_INT_FIELDS = ('task_id', 'backup_type', 'storage_id', 'device_count', 'next_trigger_time', 'version_count',
                   'last_version_id')
PROGRESS_INT_FIELDS = ('running_task_status', 'transfered_bytes', 'total_bytes', 'pid')
# [A] contract 10.1: running_task_status values that mean a run is going.
RUNNING_CODES = (1, 2)


def is_running(progress) -> bool:
    if not isinstance(progress, dict):
        return False
    pid = to_int(progress.get('pid'))
    return to_int(progress.get('running_task_status')) in RUNNING_CODES or (is_int(pid) and pid > 0)


def normalize_task(entry):
    out = strip_secrets(ints(entry, TASK_INT_FIELDS))
    out['backup_type_name'] = name_of(BACKUP_TYPES, out.get('backup_type'))
    # [A] contract 10.1: a task that never ran has no last_result (or null).
    out['last_result'] = normalize_result(out.get('last_result'))
    progress = out.get('progress')
    out['running'] = is_running(progress)
    if out['running']:
        progress = ints(progress, PROGRESS_INT_FIELDS)
        progress['running_task_status_name'] = name_of(RUNNING_STATUSES, progress.get('running_task_status'))
        out['progress'] = progress
    else:
        out.pop('progress', None)
    if isinstance(out.get('devices'), list):
        out['devices'] = [normalize_device(item) for item in out['devices'] if isinstance(item, dict)]
    if isinstance(out.get('versions'), list):
        out['versions'] = newest_first([normalize_version(item) for item in out['versions'] if isinstance(item, dict)])
        out['latest_version'] = latest_completed(out['versions'])
    return out


def list_params(task_id=None, backup_type=None, versions=False):
    """The parameters of a Task.list that loads status, results and devices (and versions when asked)."""
    params = {'load_status': True, 'load_result': True, 'load_devices': True}
    if versions:
        params['load_versions'] = True
    # [R] contract 10.1: task_id works only inside filter.
    return with_filter(params, task_id=task_id, backup_type=backup_type)


def list_tasks(client, task_id=None, backup_type=None, versions=False, limit=None):
    """Every task that matches (all pages), normalised. Returns (tasks, total)."""
    entries, total = read_pages(client, TASK_API, 'list', list_params(task_id, backup_type, versions), 'tasks',
                                limit=limit)
    return [normalize_task(entry) for entry in entries], total


# The facts subset ``tasks``: every task with status, results, devices and versions.
TASKS_READ = paged_read(TASK_API, 'list', list_params(versions=True), 'tasks', normalize_task, 'tasks')


def find_by_name(tasks, name):
    for task in tasks:
        if task.get('task_name') == name:
            return task
    return None


def backup(client, task_id):
    """Start a manual backup of one task (contract 10.2, [R]). A write: never sent twice."""
    return client.call(TASK_API, 'backup', {'task_ids': [task_id], 'trigger_type': 1}, write=True)


def cancel(client, task_id):
    """Cancel the running backup of one task (contract 10.3, [R]). A write: never sent twice."""
    return client.call(TASK_API, 'cancel', {'task_ids': [task_id]}, write=True)
