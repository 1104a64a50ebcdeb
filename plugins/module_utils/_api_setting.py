# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: typed SYNO.ActiveBackup.Setting calls (contract section 14).

``Setting.list`` answers ``settings`` = ``[{id, name, value}]`` with string values (14.1, [V]);
``Setting.set`` takes ``settings`` = a JSON array of ``{"name", "value"}`` holding only the settings
to change (14.2, [R]; R16). Values are compared and sent as strings: an int as its decimal text, a
boolean as ``"true"``/``"false"`` ([A] A31). A setting whose name is secret-named (contract section 9)
is never returned.
"""

from __future__ import annotations

from ._api import is_secret_key, objects

SETTING_API = 'SYNO.ActiveBackup.Setting'


def as_setting_text(value) -> str:
    """A value as the NAS stores it ([A] A31): bools as 'true'/'false', ints as decimal text, None as ''."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if value is None:
        return ''
    return str(value)


def list_settings(client) -> dict:
    """Every package setting the NAS lists, name -> string value, in the NAS's order (contract 14.1)."""
    data = client.call(SETTING_API, 'list')
    out = {}
    for entry in objects(data, 'settings'):
        name = entry.get('name')
        if isinstance(name, str) and name:
            out[name] = as_setting_text(entry.get('value'))
    return out


def shown_settings(settings: dict) -> dict:
    """``settings`` without the secret-named ones (contract section 9), for results and diffs."""
    return {name: value for name, value in settings.items() if not is_secret_key(name)}


def set_settings(client, changes: dict):
    """Set ``changes`` (name -> string) in one Setting.set (contract 14.2, [R]). A write: never sent twice."""
    payload = [{'name': name, 'value': value} for name, value in changes.items()]
    return client.call(SETTING_API, 'set', {'settings': payload}, write=True)
