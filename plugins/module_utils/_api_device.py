# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: typed SYNO.ActiveBackup.Device calls and normalisers (contract section 11).

Device objects carry the agent's token and the passwords ABB keeps for the device (contract
section 9): every secret-named key is removed, at any depth, before a device leaves this file.
"""

from __future__ import annotations

from ._api import BACKUP_TYPES, ints, name_of, paged_read, read_pages, strip_secrets, with_filter
from ._api_log import normalize_result

DEVICE_API = 'SYNO.ActiveBackup.Device'
DEVICE_INT_FIELDS = ('device_id', 'backup_type', 'platform_type', 'create_time', 'login_time', 'task_count')


def normalize_device(entry):
    """A device object without its secrets, numbers as ints, with ``backup_type_name`` and a named last result."""
    out = strip_secrets(ints(entry, DEVICE_INT_FIELDS))
    if 'backup_type' in out:
        out['backup_type_name'] = name_of(BACKUP_TYPES, out.get('backup_type'))
    if 'last_result' in out:
        out['last_result'] = normalize_result(out['last_result'])
    return out


def list_params(host_name=None, backup_type=None):
    return with_filter({'load_result': True}, host_name=host_name, backup_type=backup_type)


def list_devices(client, host_name=None, backup_type=None, limit=None):
    """Every device that matches (all pages), normalised. Returns (devices, total)."""
    entries, total = read_pages(client, DEVICE_API, 'list', list_params(host_name, backup_type), 'devices', limit=limit)
    return [normalize_device(entry) for entry in entries], total


# The facts subset ``devices``: every device with its last result.
DEVICES_READ = paged_read(DEVICE_API, 'list', list_params(), 'devices', normalize_device, 'devices')
