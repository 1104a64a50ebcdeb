# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: typed SYNO.ActiveBackup.Version calls (contract section 12)."""

from __future__ import annotations

from ._api import VERSION_STATUSES, ints, is_int, name_of, read_pages, strip_secrets

VERSION_API = 'SYNO.ActiveBackup.Version'
VERSION_INT_FIELDS = ('version_id', 'time_start', 'time_end', 'status', 'verify_status', 'used_size', 'data_format')
COMPLETED = 3  # contract 10.4


def normalize_version(entry):
    out = strip_secrets(ints(entry, VERSION_INT_FIELDS))
    out['status_name'] = name_of(VERSION_STATUSES, out.get('status'))
    return out


def newest_first(versions):
    """Versions sorted by ``time_end``, newest first ([A] contract 12.1: the NAS's order is not relied on)."""
    return sorted(versions, key=lambda item: item.get('time_end') if is_int(item.get('time_end')) else -1,
                  reverse=True)


def latest_completed(versions):
    """The newest version with status completed, or None."""
    for version in newest_first(versions):
        if version.get('status') == COMPLETED:
            return version
    return None


def list_versions(client, task_id, limit=None):
    """The versions of a task, newest first. Returns (versions, total). An unknown task answers 1010 ([A] 12.1)."""
    entries, total = read_pages(client, VERSION_API, 'list', {'task_id': task_id}, 'versions', limit=limit)
    return newest_first([normalize_version(entry) for entry in entries]), total
