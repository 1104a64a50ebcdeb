# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: the settings operation (named ABB package settings to a desired value).

Requests, in order: ``Setting.list`` (contract 14.1); when a named setting differs, one
``Setting.set`` carrying only those (14.2, R16), then ``Setting.list`` again to return what the NAS
stores. A name the NAS does not list fails before any write (A30), naming the NAS's settings.
Values are compared and sent as strings ([A] A31: an int as its decimal text, a boolean as
``"true"``/``"false"``).
"""

from __future__ import annotations

from ._api import is_secret_key, kind_of
from ._api_setting import SETTING_API, as_setting_text, list_settings, set_settings, shown_settings
from ._errors import DsmError, DsmInputError
from ._paths import shown, text_problem
from ._runner import Operation

MAX_SETTINGS = 200
MAX_NAME = 256
MAX_VALUE = 65536


def check_settings(value) -> dict:
    """The ``settings`` option as name -> the string the NAS would store; DsmInputError on bad input."""
    if not isinstance(value, dict):
        raise DsmInputError('settings must be a dictionary of setting names to values (got %s).' % type(value).__name__)
    if not value:
        raise DsmInputError('settings is empty; give at least one setting, for example max_concurrent_devices: 10.')
    if len(value) > MAX_SETTINGS:
        raise DsmInputError('settings: %d given; at most %d.' % (len(value), MAX_SETTINGS))
    out = {}
    for name, item in value.items():
        if not isinstance(name, str) or not name.strip():
            raise DsmInputError('settings: every name must be a non-empty text (got %s).' % shown(name, 40))
        problem = text_problem(name)
        if problem or len(name) > MAX_NAME:
            raise DsmInputError('settings: the name %s %s.' % (shown(name, 60), problem or 'is too long'))
        if isinstance(item, (dict, list, tuple, set, float)) or item is None:
            kind = kind_of(item)
            extra = ''
            if isinstance(item, float):
                # the value of a secret-named setting is never shown
                extra = ' Quote a decimal number%s to send it as it is written.' % (
                    '' if is_secret_key(name) else ' ("%s")' % item)
            raise DsmInputError('settings: %s is %s; each value must be a text, a whole number or a boolean (the NAS '
                                'stores every setting as text).%s' % (shown(name, 60), kind, extra))
        text = as_setting_text(item)
        problem = text_problem(text)
        if problem:
            raise DsmInputError('settings: the value of %s %s.' % (name, problem))
        if len(text) > MAX_VALUE:
            raise DsmInputError('settings: the value of %s is longer than %d characters.' % (name, MAX_VALUE))
        out[name] = text
    return out


def _check(params, now):
    return {'settings': check_settings(params.get('settings'))}


def _settings(ctx):
    client = ctx.client
    wanted = ctx.checked['settings']
    current = list_settings(client)
    unknown = [name for name in wanted if name not in current]
    if unknown:
        raise DsmError(
            'No package setting named %s on %s; its Active Backup for Business settings are: %s. Names are '
            'case-sensitive; nothing was changed.'
            % (', '.join(unknown), client.nas_label, ', '.join(current) or 'none'),
            host=client.nas_label, api=SETTING_API, method='list',
            details={'unknown': unknown, 'setting_names': list(current)})
    changes = {name: value for name, value in wanted.items() if current[name] != value}
    before = {name: current[name] for name in wanted}
    after_all = current
    if changes and ctx.check_mode:
        after_all = dict(current, **changes)
    elif changes:
        set_settings(client, changes)
        after_all = list_settings(client)
        differ = [name for name in changes if after_all.get(name) != changes[name]]
        if differ:
            stored = ', '.join(name if is_secret_key(name) else '%s as %s (sent %s)' % (
                name, shown(after_all.get(name), 60), shown(changes[name], 60)) for name in differ)
            ctx.warn('%s accepted the change, but now stores %s; the NAS may adjust or refuse some values.'
                     % (client.nas_label, stored))
    out = {'changed': bool(changes), 'settings': shown_settings(after_all), 'changed_settings': list(changes)}
    if ctx.diff:
        out['diff'] = {'before': shown_settings(before),
                       'after': shown_settings({name: after_all.get(name) for name in wanted})}
    return out


SETTINGS = Operation(
    'settings',
    dict(settings=dict(type='dict', required=True)),
    _settings,
    validate=_check,
)
