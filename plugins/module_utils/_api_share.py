# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: typed SYNO.ActiveBackup.Share calls and state helpers (contract section 6).

Field names are the API's own (contract section 6); numbers are normalised to ints and the
volume byte strings become ints. Parsing is tolerant: a missing field stays missing, a number
sent as a string is converted, an unexpected type is kept as DSM sent it. A list entry that is
not a JSON object (a record of no documented shape) is left out.
"""

from __future__ import annotations

import math

from ._api import Read, flag, ints, is_int, items, objects, read_all, text, to_int
from ._errors import ABB_API

SHARE_INT_FIELDS = ('free_space', 'storage_compress_algorithm', 'storage_encrypt_algorithm', 'storage_id')
STORAGE_INT_FIELDS = ('compacting_percentage', 'compressed_size', 'dedup_size', 'device_count', 'fs_type',
                      'storage_compress_algorithm', 'storage_encrypt_algorithm', 'storage_id')
VOLUME_INT_FIELDS = ('total_bytes', 'used_bytes')

# Reads by name: (method, key of the list inside data).
READS = {
    'shares': ('list', 'shares'),
    'encrypted_shares': ('list_encrypted', 'shares'),
    'storages': ('list_storage', 'storages'),
    'volumes': ('list_volume', 'volumes'),
    'error_files': ('check_file', 'error_files'),
}


def normalize_share(entry):
    return ints(entry, SHARE_INT_FIELDS)


def normalize_storage(entry):
    out = ints(entry, STORAGE_INT_FIELDS)
    if isinstance(out, dict):
        if isinstance(out.get('device_info'), dict):
            out['device_info'] = dict((k, to_int(v)) for k, v in out['device_info'].items())
        state = out.get('relink_state')
        if isinstance(state, dict):
            state = dict(state)
            if 'state' in state:
                state['state'] = to_int(state['state'])
            if isinstance(state.get('error'), dict) and 'code' in state['error']:
                state['error'] = dict(state['error'], code=to_int(state['error']['code']))
            out['relink_state'] = state
    return out


def used_percent(used, total):
    """``used`` as a percentage of ``total``, one decimal; 0.0 for a total of 0 or less.

    None when the ratio does not fit a float (byte counts far beyond any real volume).
    """
    if total <= 0:
        return 0.0
    # The float formula first (the one every caller knows); exact integer division when a count
    # is too large for a float.
    for numerator in (used * 100.0 if abs(used) < 2 ** 1000 else None, used * 100):
        if numerator is None:
            continue
        try:
            value = round(numerator / total, 1)
        except OverflowError:
            continue
        if math.isfinite(value):
            return value
    return None


def normalize_volume(entry):
    """Byte strings become ints; ``free_bytes`` and ``used_percent`` (one decimal) are added when
    both byte counts are ints."""
    out = ints(entry, VOLUME_INT_FIELDS)
    if not isinstance(out, dict):
        return out
    total, used = out.get('total_bytes'), out.get('used_bytes')
    if is_int(total) and is_int(used):
        out['free_bytes'] = max(total - used, 0)
        percent = used_percent(used, total)
        if percent is not None:
            out['used_percent'] = percent
    return out


NORMALIZERS = {
    'shares': normalize_share,
    'encrypted_shares': normalize_share,
    'storages': normalize_storage,
    'volumes': normalize_volume,
    'error_files': lambda entry: entry,
}


def _list_read(name):
    method, key = READS[name]

    def finish(client, data):
        out = {name: [NORMALIZERS[name](item) for item in objects(data, key)]}
        if name == 'shares':
            default = data.get('default_share') if isinstance(data, dict) else None
            out['default_share'] = default if isinstance(default, str) else None
        return out
    return Read(ABB_API, method, None, finish)


LIST_READS = {name: _list_read(name) for name in READS}


def read_lists(client, names) -> dict:
    """Read several lists in one round trip. Returns {name: [normalised entries]}, plus
    ``default_share`` (a str, or None) when ``shares`` is read. Entries that are not objects are
    left out."""
    return read_all(client, [LIST_READS[name] for name in names])


def list_file(client, root_path):
    """Direct children of ``root_path`` as [{name, path, isdir}] (contract 6.6, [A]).

    Accepts ``files`` or ``items`` and entries with ``name`` or ``path``; an entry with neither as
    a non-empty string is left out. ``isdir`` is a bool (``"false"`` and ``0`` are false).
    """
    data = client.call(ABB_API, 'list_file', {'root_path': root_path})
    entries = items(data, 'files') or items(data, 'items')
    files = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        name = text(entry.get('name'))
        path = text(entry.get('path'))
        if not name and path:
            name = text(path.rstrip('/').rsplit('/', 1)[-1])
        if not name:
            continue
        if not path:
            path = root_path.rstrip('/') + '/' + name
        files.append({'name': name, 'path': path, 'isdir': flag(entry.get('isdir', entry.get('is_dir', False)))})
    return files


def create_fs_dir(client, paths):
    """Create directories, parents included (contract 6.7, [A]). A write: never retried once sent."""
    return client.call(ABB_API, 'create_fs_dir', {'paths': list(paths)}, write=True)


def relink(client, share_name):
    """Start relinking a share that holds an ABB repository (contract 6.8, [A]: answers at once,
    works in the background)."""
    return client.call(ABB_API, 'relink', {'share_name': share_name}, write=True)


def remove(client, share_name, remove_data, storage_id=None):
    """Detach a storage, with or without its data (contract 6.9)."""
    params = {'share_name': share_name, 'is_remove_data': bool(remove_data)}
    if isinstance(storage_id, int) and not isinstance(storage_id, bool) and storage_id > 0:
        # [A] storage_id is sent when known; DSM answers 120 if it does not belong to share_name.
        params['storage_id'] = storage_id
    return client.call(ABB_API, 'remove', params, write=True)


def find_share(shares, name):
    for share in shares:
        if isinstance(share, dict) and share.get('name') == name:
            return share
    return None


def find_storage(storages, share_name):
    for storage in storages:
        if isinstance(storage, dict) and storage.get('share_name') == share_name:
            return storage
    return None


def storage_status(storage):
    """State of a storage entry (contract 6.10, [A]).

    ``None`` (no entry), ``relinking`` (relink running), ``failed`` (a relink that failed: not
    linked), or ``linked``.
    """
    if not isinstance(storage, dict):
        return None
    state = storage.get('relink_state')
    if isinstance(state, dict):
        if state.get('alive'):
            return 'relinking'
        error = state.get('error')
        code = to_int(error.get('code')) if isinstance(error, dict) else 0
        if state.get('owner') is False and code not in (0, None):
            return 'failed'
    return 'linked'


def relink_error_code(storage):
    state = storage.get('relink_state') if isinstance(storage, dict) else None
    error = state.get('error') if isinstance(state, dict) else None
    return to_int(error.get('code')) if isinstance(error, dict) else None


def task_names(storage):
    """Names of a storage's backup tasks, or the raw entries where they have no name (contract 6.10)."""
    tasks = storage.get('backup_tasks') if isinstance(storage, dict) else None
    if not tasks:
        return []
    names = []
    for task in tasks if isinstance(tasks, list) else [tasks]:
        if isinstance(task, dict) and task.get('task_name'):
            names.append(str(task['task_name']))
        else:
            names.append(str(task))
    return names
