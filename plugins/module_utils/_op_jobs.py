# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: the read operations of ABB backup jobs (task_info, device_info,
version_info, result_info, log_info).

Requests, in order, each read paged for the user (contract section 9: pages of ``offset`` and
``limit`` until the module's ``limit`` or the NAS's ``total``/``count``):

* ``task_info``: ``Task.list`` with status, results and devices (and versions with ``with_versions``),
  filtered on the NAS by ``task_id`` and ``backup_type``; ``name`` is matched exactly.
* ``device_info``: ``Device.list`` with results, filtered by ``host_name`` and ``backup_type``.
* ``version_info``: ``Task.list`` filtered by ``task_id`` (to name the task, or to find it by name:
  a name is looked up in the whole list), then ``Version.list``.
* ``result_info`` and ``log_info``: ``Task.list`` only when a task is given by name, then
  ``Log.list_result`` / ``Log.list_log`` with every filter sent to the NAS (so ``count`` is the NAS's
  own number of matches).

[A]/[R] points relied on: contract 10.1 (task_id only inside filter, the running test), 12.1 (order
of versions, 1010 for an unknown task), 13.1 and 13.2 (filter keys, newest first).
"""

from __future__ import annotations

from . import _api_device, _api_log, _api_task, _api_version
from ._api import BACKUP_TYPES, LOG_LEVELS, RESULT_STATUSES, number_of
from ._errors import DsmError
from ._inputs import check_limit, check_name, check_one_task, check_task_id, numbers_of, parse_since
from ._runner import Operation

BACKUP_TYPE_CHOICES = list(BACKUP_TYPES.values())
STATUS_CHOICES = list(RESULT_STATUSES.values())
LEVEL_CHOICES = list(LOG_LEVELS.values())
TASK_API = _api_task.TASK_API


class NoSuchTask(DsmError):
    """The task named by the user is not on the NAS."""


def backup_type_number(params):
    name = params.get('backup_type')
    return None if name is None else number_of(BACKUP_TYPES, name)


def resolve_task(ctx, name, task_id):
    """The task entry of ``name`` or ``task_id`` (one Task.list); NoSuchTask listing the NAS's task names."""
    tasks, dummy = _api_task.list_tasks(ctx.client, task_id=task_id)
    task = _api_task.find_by_name(tasks, name) if name is not None else next(
        (item for item in tasks if item.get('task_id') == task_id), None)
    if task is None:
        if task_id is not None:
            tasks, dummy = _api_task.list_tasks(ctx.client)
        names = sorted(str(item.get('task_name')) for item in tasks)
        what = 'named %r' % name if name is not None else 'with task_id %s' % task_id
        raise NoSuchTask('No backup task %s on %s; its tasks are: %s. Names are case-sensitive.'
                         % (what, ctx.client.nas_label, ', '.join(names) or 'none'),
                         host=ctx.client.nas_label, api=TASK_API, method='list', details={'task_names': names})
    return task


# -- task_info ------------------------------------------------------------------------------------

def _check_task_info(params, now):
    return {'name': check_name(params.get('name'), 'name'), 'task_id': check_task_id(params.get('task_id'))}


def _task_info(ctx):
    name = ctx.checked['name']
    tasks, dummy = _api_task.list_tasks(ctx.client, task_id=ctx.checked['task_id'],
                                        backup_type=backup_type_number(ctx.params),
                                        versions=ctx.params['with_versions'])
    if name is not None:
        tasks = [task for task in tasks if task.get('task_name') == name]
    return {'tasks': tasks}


TASK_INFO = Operation(
    'task_info',
    dict(name=dict(type='str'), task_id=dict(type='int'),
         backup_type=dict(type='str', choices=BACKUP_TYPE_CHOICES),
         with_versions=dict(type='bool', default=False)),
    _task_info,
    validate=_check_task_info,
    mutually_exclusive=[('name', 'task_id')],
)


# -- device_info ----------------------------------------------------------------------------------

def _check_device_info(params, now):
    return {'host_name': check_name(params.get('host_name'), 'host_name')}


def _device_info(ctx):
    devices, dummy = _api_device.list_devices(ctx.client, host_name=ctx.checked['host_name'],
                                              backup_type=backup_type_number(ctx.params))
    return {'devices': devices}


DEVICE_INFO = Operation(
    'device_info',
    dict(host_name=dict(type='str'), backup_type=dict(type='str', choices=BACKUP_TYPE_CHOICES)),
    _device_info,
    validate=_check_device_info,
)


# -- version_info ---------------------------------------------------------------------------------

def _check_version_info(params, now):
    name, task_id = check_one_task(params, required=True)
    return {'task_name': name, 'task_id': task_id, 'limit': check_limit(params.get('limit'))}


def _version_info(ctx):
    task = resolve_task(ctx, ctx.checked['task_name'], ctx.checked['task_id'])
    versions, total = _api_version.list_versions(ctx.client, task['task_id'], limit=ctx.checked['limit'])
    return {'task_id': task['task_id'], 'task_name': task.get('task_name'), 'versions': versions, 'total': total,
            'latest': _api_version.latest_completed(versions)}


VERSION_INFO = Operation(
    'version_info',
    dict(task_name=dict(type='str'), task_id=dict(type='int'), limit=dict(type='int')),
    _version_info,
    validate=_check_version_info,
    mutually_exclusive=[('task_name', 'task_id')],
    required_one_of=[('task_name', 'task_id')],
)


# -- result_info and log_info ---------------------------------------------------------------------

def _check_history(params, now):
    name, task_id = check_one_task(params, required=False)
    return {'task_name': name, 'task_id': task_id, 'limit': check_limit(params.get('limit')),
            'since': parse_since(params.get('since'), now)}


def _task_id_of(ctx):
    if ctx.checked['task_name'] is None:
        return ctx.checked['task_id']
    return resolve_task(ctx, ctx.checked['task_name'], None)['task_id']


def _check_result_info(params, now):
    checked = _check_history(params, now)
    checked['statuses'] = numbers_of(RESULT_STATUSES, params.get('status'), 'status')
    return checked


def _result_info(ctx):
    results, count = _api_log.list_results(ctx.client, task_id=_task_id_of(ctx), statuses=ctx.checked['statuses'],
                                           since=ctx.checked['since'], limit=ctx.checked['limit'])
    return {'results': results, 'count': count if count is not None else len(results)}


RESULT_INFO = Operation(
    'result_info',
    dict(task_name=dict(type='str'), task_id=dict(type='int'),
         status=dict(type='list', elements='str', choices=STATUS_CHOICES),
         since=dict(type='raw'), limit=dict(type='int', default=100)),
    _result_info,
    validate=_check_result_info,
    mutually_exclusive=[('task_name', 'task_id')],
)


def _check_log_info(params, now):
    checked = _check_history(params, now)
    checked['levels'] = numbers_of(LOG_LEVELS, params.get('level'), 'level')
    checked['keyword'] = check_name(params.get('keyword'), 'keyword')
    return checked


def _log_info(ctx):
    logs, count = _api_log.list_logs(ctx.client, task_id=_task_id_of(ctx), levels=ctx.checked['levels'],
                                     keyword=ctx.checked['keyword'], since=ctx.checked['since'],
                                     limit=ctx.checked['limit'])
    return {'logs': logs, 'count': count if count is not None else len(logs)}


LOG_INFO = Operation(
    'log_info',
    dict(task_name=dict(type='str'), task_id=dict(type='int'),
         level=dict(type='list', elements='str', choices=LEVEL_CHOICES),
         keyword=dict(type='str', no_log=False), since=dict(type='raw'), limit=dict(type='int', default=100)),
    _log_info,
    validate=_check_log_info,
    mutually_exclusive=[('task_name', 'task_id')],
)
