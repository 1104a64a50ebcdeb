# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: what every ABB API file shares.

Each ``_api_<family>.py`` file holds the typed calls and normalisers of one API family
(``SYNO.ActiveBackup.Share``, ``.Task``, ...). They build on these helpers:

* numbers: ``to_int`` and ``ints`` (DSM sends some numbers as strings, contract section 6);
* tolerant reading: ``items`` (a list member, or []), ``text``, ``flag``;
* names beside raw numbers: ``name_of`` and the enumerations of contract 10.4;
* secrets: ``strip_secrets`` removes every secret-named key at any depth (contract section 9);
* paging: ``read_pages`` asks ``offset``/``limit`` pages until the caller's limit or the NAS's
  total (contract section 9).
"""

from __future__ import annotations

import re

from ._errors import is_secret_key

# Contract 10.4: enumerations. A number outside a table is named 'unknown', never guessed.
BACKUP_TYPES = {1: 'vm', 2: 'pc', 3: 'physical_server', 4: 'file_server', 5: 'nas'}
RESULT_STATUSES = {0: 'none', 1: 'incomplete', 2: 'success', 3: 'partial', 4: 'failed', 5: 'cancelled', 6: 'no_backup'}
RUNNING_STATUSES = {0: 'waiting', 1: 'running', 2: 'pausing', 3: 'cancelling'}
VERSION_STATUSES = {0: 'backing_up', 1: 'deleting', 2: 'paused', 3: 'completed', 4: 'failed', 5: 'partial',
                    6: 'cancelled', 7: 'delete_failed', 8: 'cloning', 777: 'waiting_connection'}
LOG_LEVELS = {0: 'error', 1: 'warning', 2: 'info'}
UNKNOWN = 'unknown'

# Largest page one request asks for; a limit beyond it takes several pages.
PAGE_SIZE = 500


def to_int(value):
    """An int from an int, a float without fraction or a decimal string; anything else unchanged.

    A decimal string too long for Python's int conversion limit (4300 digits) is kept as it is.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.match(r'^-?[0-9]+$', value.strip()):
        try:
            return int(value.strip())
        except ValueError:
            return value
    return value


def kind_of(value) -> str:
    """What a value is, in words (not the class name: values from a playbook carry ansible-core's own classes)."""
    if value is None:
        return 'nothing (null)'
    for types, word in ((bool, 'a boolean'), (int, 'a whole number'), (float, 'a float'), (str, 'a text'),
                        (dict, 'a dict'), (list, 'a list'), (tuple, 'a tuple'), (set, 'a set')):
        if isinstance(value, types):
            return word
    return 'a %s' % type(value).__name__


def is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def ints(entry, fields):
    """A copy of the dict ``entry`` with ``fields`` (where present) through ``to_int``; a non-dict unchanged."""
    if not isinstance(entry, dict):
        return entry
    out = dict(entry)
    for name in fields:
        if name in out:
            out[name] = to_int(out[name])
    return out


def items(data, key) -> list:
    """The list ``data[key]``, or [] when DSM sent none (or something else)."""
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, list) else []


def objects(data, key) -> list:
    """The JSON objects of the list ``data[key]``: an entry of no documented shape is left out."""
    return [item for item in items(data, key) if isinstance(item, dict)]


def text(value):
    """A non-empty str, or None."""
    return value if isinstance(value, str) and value else None


def flag(value) -> bool:
    """A JSON boolean as DSM may send it: true/false, 0/1, or their strings."""
    if isinstance(value, str):
        return value.strip().lower() in ('true', '1', 'yes')
    return bool(value)


def name_of(table, value) -> str:
    """The name of ``value`` in an enumeration of contract 10.4, or 'unknown'."""
    number = to_int(value)
    return table.get(number, UNKNOWN) if is_int(number) else UNKNOWN


def number_of(table, name):
    """The number of ``name`` in an enumeration, or None."""
    for number, known in table.items():
        if known == name:
            return number
    return None


def strip_secrets(value, depth=0):
    """A copy of ``value`` without any secret-named key (contract section 9), at any depth.

    Containers nested deeper than 32 levels are cut (``'...'``): no ABB answer nests so.
    """
    if isinstance(value, (dict, list)) and depth >= 32:
        return '...'
    if isinstance(value, dict):
        return {key: strip_secrets(item, depth + 1) for key, item in value.items() if not is_secret_key(key)}
    if isinstance(value, list):
        return [strip_secrets(item, depth + 1) for item in value]
    return value


def with_filter(params, **query) -> dict:
    """``params`` plus a ``filter`` object of the ``query`` values that are not None (contract section 9)."""
    out = dict(params)
    query = {key: value for key, value in query.items() if value is not None}
    if query:
        out['filter'] = query
    return out


def read_pages(client, api, method, params, key, limit=None, count_key='total', page_size=PAGE_SIZE, first=None):
    """Entries of a paged list method (contract section 9), up to ``limit`` (None: all).

    Returns ``(entries, total)``: the JSON objects of ``data[key]`` in the NAS's order, and the NAS's
    own count of matches (``total`` or ``count``; None when it sent none). Pages are asked until
    ``limit`` entries came, the NAS's count is reached, or a page comes back short. ``first`` is the
    answer to the first page (``offset`` 0, ``limit`` ``page_size``) when it was read already.
    """
    entries = []
    total = None
    offset = 0
    while limit is None or len(entries) < limit:
        size = page_size if limit is None else min(page_size, limit - len(entries))
        if first is not None and offset == 0:
            data = first
        else:
            data = client.call(api, method, dict(params or {}, offset=offset, limit=size))
        page = items(data, key)
        reported = to_int(data.get(count_key)) if isinstance(data, dict) else None
        if is_int(reported):
            total = reported
        entries.extend(item for item in page if isinstance(item, dict))
        offset += len(page)
        if len(page) < size or (total is not None and offset >= total):
            break
    return entries, total


class Read:
    """One read of several made in one round trip (``read_all``): the call, and how its answer becomes
    results. ``finish(client, data)`` returns a dict; it may read more (the next pages)."""

    def __init__(self, api, method, params, finish):
        self.call = (api, method, params)
        self.finish = finish


def paged_read(api, method, params, key, normalise, name, count_key='total'):
    """A Read of every entry of a paged list: its first page goes in the round trip, the rest (rare) after."""
    def finish(client, data):
        entries, dummy = read_pages(client, api, method, params, key, count_key=count_key, first=data)
        return {name: [normalise(entry) for entry in entries]}
    return Read(api, method, dict(params or {}, offset=0, limit=PAGE_SIZE), finish)


def read_all(client, reads) -> dict:
    """Several reads in one round trip where the NAS offers it (contract section 7); their results merged."""
    reads = list(reads)
    out = {}
    for read, data in zip(reads, client.read_many([read.call for read in reads])):
        out.update(read.finish(client, data))
    return out
