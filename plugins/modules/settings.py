#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
---
module: settings
short_description: Set package settings of Active Backup for Business
version_added: 1.0.0
description:
  - Makes the named package settings of Active Backup for Business (ABB) on a Synology NAS have the
    given values, through C(SYNO.ActiveBackup.Setting) methods C(list) and C(set).
  - Reads every setting first (C(list)) and compares only the named ones, as the NAS stores them
    (text). When some differ, one C(set) carries exactly those; then C(list) is read again and
    RV(settings) is what the NAS stores afterwards.
  - Settings that are not named are never sent and never changed.
  - A name the NAS does not list fails the task before anything is written; the message lists the
    names the NAS has.
author:
  - syno.activebackup maintainers (@syno-activebackup)
extends_documentation_fragment:
  - syno.activebackup._connection
  - syno.activebackup._attributes
  - syno.activebackup._attributes.actions
options:
  settings:
    description:
      - Setting names to the values they must have, for example C(max_concurrent_devices), C(retention_run_hour),
        C(enable_global_bandwidth_control). The names are ABB's own (see RV(settings) or
        M(syno.activebackup.api) with C(SYNO.ActiveBackup.Setting) C(list)); they are case-sensitive.
      - A value is a text, a whole number or a boolean. The NAS stores every setting as text, so a number is
        sent and compared as its decimal text (V(10) as V("10")) and a boolean as V("true") or V("false").
      - Lists, dictionaries, V(null) and decimal numbers are refused before any request; quote a decimal
        number to send it as written.
      - Must not be empty.
    type: dict
    required: true
notes:
  - "Assumptions about the API (listed in the collection's scope guide under these IDs): R16 (C(set) takes
    C(settings), a JSON array of C(name) and C(value) holding only the settings to change), A30 (an unknown
    name would answer 120; the module refuses it itself), A31 (values compared and sent as text, booleans
    as V(true)/V(false)). Please report a mismatch with a real NAS."
  - A C(set) that DSM answered busy, or whose answer was lost, is not repeated; the task fails saying the
    change may or may not have been applied. Run it again; it compares first.
  - When the NAS stores another value than the one sent (it may adjust a value), the task warns and
    RV(settings) shows the stored value.
  - Settings whose name contains C(password), C(token), C(secret) or C(passwd) are never returned.
seealso:
  - module: syno.activebackup.task
  - module: syno.activebackup.api
  - module: syno.activebackup.facts
'''

EXAMPLES = r'''
---
- name: Let ten devices back up at once and run retention at 02:30
  syno.activebackup.settings:
    host: nas1.example.com
    username: backup-admin
    password: "{{ vault_dsm_password }}"
    settings:
      max_concurrent_devices: 10
      retention_run_hour: 2
      retention_run_min: 30
  register: abb_settings

- name: Show what changed
  ansible.builtin.debug:
    msg: "Changed: {{ abb_settings.changed_settings | join(', ') | default('nothing', true) }}"

- name: Turn the global bandwidth limit off
  syno.activebackup.settings:
    settings:
      enable_global_bandwidth_control: false
'''

RETURN = r'''
settings:
  description:
    - Every package setting of ABB on the NAS after the change, name to value as the NAS stores it (text).
    - In check mode, the settings as read with the named ones as they would become.
  returned: success
  type: dict
  sample:
    max_concurrent_devices: "10"
    memory_usage_limit_percentage: "75"
    package_cert_id: dyAaL7
    enable_global_bandwidth_control: "false"
    global_backup_bandwidth_number: "0"
    enable_ip_range_bandwidth_control: "false"
    full_backup_task_ids: ""
    retention_run_hour: "2"
    retention_run_min: "30"
changed_settings:
  description: Names of the settings that were changed (or would be, in check mode), in the order given.
  returned: success
  type: list
  elements: str
  sample:
    - max_concurrent_devices
    - retention_run_hour
    - retention_run_min
'''

from ansible_collections.syno.activebackup.plugins.module_utils._op_settings import SETTINGS
from ansible_collections.syno.activebackup.plugins.module_utils._runner import run_module


def main():
    run_module(SETTINGS)


if __name__ == '__main__':
    main()
