# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: typed SYNO.ActiveBackup.Log calls and normalisers (contract section 13).

``list_result`` is the job history (one entry per run), ``list_log`` the event log. Filters go to
the NAS (contract 13.1, 13.2), so that ``count`` is the NAS's own count of matches; entries come
newest first ([A] contract 13.1). ``Log.list`` does not exist on a real NAS (contract 13.3).
"""

from __future__ import annotations

from ._api import BACKUP_TYPES, LOG_LEVELS, RESULT_STATUSES, ints, name_of, read_pages, strip_secrets, with_filter

LOG_API = 'SYNO.ActiveBackup.Log'
RESULT_INT_FIELDS = ('result_id', 'task_id', 'backup_type', 'job_action', 'status', 'time_start', 'time_end',
                     'success_count', 'warning_count', 'error_count', 'none_count', 'transfered_bytes')
LOG_INT_FIELDS = ('log_id', 'log_time', 'log_level', 'log_type', 'error_code', 'task_id', 'device_id', 'result_id')


def normalize_result(entry):
    """A result (a task's ``last_result``, a ``list_result`` entry): ints, ``status_name``, ``backup_type_name``.

    None for what is no result (a task that never ran has none, [A] contract 10.1).
    """
    if not isinstance(entry, dict):
        return None
    out = strip_secrets(ints(entry, RESULT_INT_FIELDS))
    out['status_name'] = name_of(RESULT_STATUSES, out.get('status'))
    if 'backup_type' in out:
        out['backup_type_name'] = name_of(BACKUP_TYPES, out.get('backup_type'))
    return out


def normalize_log(entry):
    out = strip_secrets(ints(entry, LOG_INT_FIELDS))
    out['level_name'] = name_of(LOG_LEVELS, out.get('log_level'))
    return out


def _params(task_id, **query):
    return with_filter({} if task_id is None else {'task_id': task_id}, **query)


def list_results(client, task_id=None, statuses=None, since=None, limit=None):
    """Job results that match, newest first. Returns (results, count): count is the NAS's number of matches."""
    params = _params(task_id, status=statuses, from_timestamp=since)
    entries, count = read_pages(client, LOG_API, 'list_result', params, 'results', limit=limit, count_key='count')
    return [normalize_result(entry) for entry in entries], count


def list_logs(client, task_id=None, levels=None, keyword=None, since=None, limit=None):
    """Log entries that match, newest first. Returns (logs, count)."""
    # [A] contract 13.2: log_level takes a list of numbers.
    params = _params(task_id, log_level=levels, key_word=keyword, from_timestamp=since)
    entries, count = read_pages(client, LOG_API, 'list_log', params, 'logs', limit=limit, count_key='count')
    return [normalize_log(entry) for entry in entries], count
