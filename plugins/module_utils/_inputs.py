# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: checks of the options that select ABB jobs, made before any request.

A time (``since``), a number of entries (``limit``), a task given by name or by id, and the names
of enumerations (backup types, statuses, log levels) given by users instead of DSM's numbers.
"""

from __future__ import annotations

import datetime
import math
import re

from ._api import number_of
from ._config import check_number
from ._errors import DsmInputError
from ._paths import shown, text_problem

MAX_LIMIT = 100000  # entries one task reads from one list
MAX_NAME = 1024
DURATION_RE = re.compile(r'^\s*([0-9]+)\s*([mhdw])\s*$')
UNITS = {'m': 60, 'h': 3600, 'd': 86400, 'w': 604800}
EPOCH_RE = re.compile(r'^\s*[0-9]{1,12}\s*$')


def parse_since(value, now: float, option: str = 'since') -> int | None:
    """Epoch seconds of ``since``: epoch seconds, an ISO 8601 date-time (UTC when it has no offset), or a
    duration back from ``now`` (``90m``, ``24h``, ``7d``, ``2w``). None stays None.

    Refused before any request: text that parses to nothing, and a time in the future.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise DsmInputError('%s must be epoch seconds, an ISO 8601 date-time or a duration such as 24h (got %r).'
                            % (option, value))
    if isinstance(value, int):
        when = value
    elif isinstance(value, float):
        when = int(value) if math.isfinite(value) else None
    else:
        when = _parse_text(str(value).strip(), now)
    if when is None:
        problem = text_problem(str(value)) or 'is neither epoch seconds, an ISO 8601 date-time nor a duration'
        raise DsmInputError('%s %s %s; give for example 1733270400, 2024-12-04T00:00:00Z, 2024-12-04 or 24h '
                            '(units m, h, d, w).' % (option, shown(value, 60), problem))
    if when > now + 60:
        raise DsmInputError('%s %s is in the future (%s UTC); give a time in the past or a duration such as 24h.'
                            % (option, _show(value), _utc(when)))
    if when < 0:
        raise DsmInputError('%s %s is before 1970; give a later time.' % (option, _show(value)))
    return when


def _show(value):
    """A value for a message; an int too long to write out (Python refuses past 4300 digits) by its digits."""
    if isinstance(value, int) and value.bit_length() > 3000:
        return 'a number of about %d digits' % (int(value.bit_length() * 0.30103) + 1)
    return shown(value, 60)


def _parse_text(text, now):
    """Epoch seconds of a text ``since``, or None."""
    if EPOCH_RE.match(text):
        try:
            when = int(float(text))
        except (ValueError, OverflowError):
            when = None
    else:
        when = _duration(text, now)
        if when is None:
            when = _iso(text)
    return when


def _duration(text, now):
    match = DURATION_RE.match(text)
    if not match:
        return None
    amount = int(match.group(1))
    if amount > 100 * 52:
        return -1  # refused as before 1970 by the caller's check
    return int(now) - amount * UNITS[match.group(2)]


def _iso(text):
    candidate = text[:-1] + '+00:00' if text.endswith(('Z', 'z')) else text
    try:
        when = datetime.datetime.fromisoformat(candidate)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    try:
        return int(when.timestamp())
    except (OverflowError, OSError, ValueError):
        return None


def _utc(when):
    try:
        return datetime.datetime.fromtimestamp(when, datetime.timezone.utc).strftime('%Y-%m-%d %H:%M:%S')
    except (OverflowError, OSError, ValueError):
        return _show(when)


def check_limit(value, option: str = 'limit'):
    """A limit of entries (None: no limit) from 1 to MAX_LIMIT."""
    return check_number(option, value, 1, MAX_LIMIT,
                        below='%s must be at least 1 (got %%s); leave it out to get every entry.' % option)


def check_task_id(value, option: str = 'task_id'):
    return check_number(option, value, 1, 2 ** 31 - 1)


def check_name(value, option: str):
    """A non-empty name without control characters (a task or device name), as given; None stays None."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise DsmInputError('%s must be a non-empty name (got %s).' % (option, shown(value)))
    problem = text_problem(value)
    if problem:
        raise DsmInputError('%s %s %s.' % (option, shown(value), problem))
    if len(value) > MAX_NAME:
        raise DsmInputError('%s is longer than %d characters (%d given).' % (option, MAX_NAME, len(value)))
    return value


def check_one_task(params, required: bool, name_option: str = 'task_name'):
    """(name, task_id) of the task given by ``name_option`` or ``task_id``: never both."""
    name = check_name(params.get(name_option), name_option)
    task_id = check_task_id(params.get('task_id'))
    if name is not None and task_id is not None:
        raise DsmInputError('give %s or task_id, not both.' % name_option)
    if required and name is None and task_id is None:
        raise DsmInputError('give %s (the name of the backup task) or task_id.' % name_option)
    return name, task_id


def numbers_of(table, names, option: str):
    """DSM's numbers for the enumeration ``names`` given by a user (None stays None)."""
    if names is None:
        return None
    numbers = []
    for name in names:
        number = number_of(table, str(name).strip().lower()) if isinstance(name, str) else None
        if number is None:
            raise DsmInputError('%s: unknown name %s; choose from %s.' % (option, shown(name, 40), ', '.join(table.values())))
        if number not in numbers:
            numbers.append(number)
    if not numbers:
        raise DsmInputError('%s is empty; leave it out to keep every %s.' % (option, option))
    return numbers
