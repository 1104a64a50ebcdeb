#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
---
module: log_info
short_description: Read the event log of Active Backup for Business
version_added: 1.0.0
description:
  - Reads the event log of Active Backup for Business (ABB) on a Synology NAS (task started, finished, failed,
    device offline, ...) through C(SYNO.ActiveBackup.Log) method C(list_log), newest first.
  - Every entry keeps the API's fields as they come, numbers as integers, and gains RV(logs[].level_name)
    beside C(log_level).
  - Filters go to the NAS, not only to the result, so that RV(count) is the NAS's own number of matches.
    O(level) is sent as the list of its numbers in C(filter) (C(log_level)), O(keyword) as C(key_word),
    O(since) as C(from_timestamp), O(task_id) as C(task_id). A task given by O(task_name) is first looked up
    with C(SYNO.ActiveBackup.Task) method C(list) and sent as its C(task_id); a name that matches no task
    fails, listing the task names of the NAS.
  - The log is read in pages (C(offset) and C(limit)) until O(limit) entries or every match has come; the
    user never pages.
  - Changes nothing.
author:
  - syno.activebackup maintainers (@syno-activebackup)
extends_documentation_fragment:
  - syno.activebackup._connection
  - syno.activebackup._attributes
  - syno.activebackup._attributes.info_module
  - syno.activebackup._history
options:
  level:
    description:
      - Return only the entries of these levels (sent to the NAS as their numbers, V(0) error, V(1) warning,
        V(2) info).
    type: list
    elements: str
    choices: [error, warning, info]
  task_name:
    description:
      - Return only the entries of the task of this name (exact, case-sensitive).
      - Mutually exclusive with O(task_id).
    type: str
  task_id:
    description:
      - Return only the entries of the task with this ID.
      - Mutually exclusive with O(task_name).
    type: int
  keyword:
    description:
      - Return only the entries that contain this text; the NAS searches for it (C(key_word)), for example in
        task, device and user names.
    type: str
  limit:
    description:
      - Return at most this many entries (the newest), from 1 to 100000.
      - RV(count) still says how many match on the NAS.
    type: int
    default: 100
notes:
  - "Assumptions about the API (listed in the collection's scope guide under these IDs): A29 (the C(log_level)
    filter takes a list of numbers), R14 (RV(logs[].log_type) is a message number such as V(1104) task error
    or V(5006) device offline; it is passed on, not named), R1 (these APIs are called with version 1)."
  - Entries come newest first, as the NAS sends them.
seealso:
  - module: syno.activebackup.result_info
  - module: syno.activebackup.task_info
  - module: syno.activebackup.device_info
'''

EXAMPLES = r'''
---
- name: Read the errors and warnings of the last 7 days
  syno.activebackup.log_info:
    host: nas1.example.com
    username: backup-admin
    password: "{{ vault_dsm_password }}"
    level:
      - error
      - warning
    since: 7d
  register: abb_log

- name: Show them
  ansible.builtin.debug:
    msg: "{{ item.log_time }} {{ item.level_name }} {{ item.task_name }} {{ item.device_name }} (type {{ item.log_type }}, code {{ item.error_code }})"
  loop: "{{ abb_log.logs }}"
  loop_control:
    label: "{{ item.log_id }}"

- name: Fail when the task File-Server logged an error since midnight UTC
  block:
    - name: Read the errors of File-Server
      syno.activebackup.log_info:
        host: nas1.example.com
        username: backup-admin
        password: "{{ vault_dsm_password }}"
        task_name: File-Server
        level:
          - error
        since: "{{ now(utc=true).strftime('%Y-%m-%d') }}"
      register: file_server_errors

    - name: Assert that there is none
      ansible.builtin.assert:
        that: file_server_errors.count == 0
        fail_msg: "{{ file_server_errors.count }} errors, the newest with code {{ file_server_errors.logs[0].error_code | default('') }}"
'''

RETURN = r'''
logs:
  description:
    - The entries that match, newest first, at most O(limit). Fields not listed here are passed on unchanged.
    - Empty when nothing matches.
  returned: success
  type: list
  elements: dict
  sample:
    - log_id: 603
      log_time: 1733270868
      log_level: 0
      level_name: error
      log_type: 1104
      error_code: 1001
      task_id: 4
      task_name: File-Server
      device_id: 0
      device_name: ""
      result_id: 294
      user_name: admin
      backup_type: 3
      other_params:
        task_id: 4
        task_name: File-Server
  contains:
    log_id:
      description: ID of the entry.
      type: int
      sample: 603
    log_time:
      description: When the event happened, epoch seconds.
      type: int
      sample: 1733270868
    log_level:
      description: Level as ABB's number (V(0) error, V(1) warning, V(2) info).
      type: int
      sample: 0
    level_name:
      description: Added by the collection. Name of RV(logs[].log_level), or V(unknown) for a number outside the table.
      type: str
      choices: [error, warning, info, unknown]
      sample: error
    log_type:
      description:
        - Message number of the event, for example V(1101) task started, V(1102) task finished, V(1104) task
          error, V(5006) device offline (assumption R14). Passed on as it comes.
      type: int
      sample: 1104
    error_code:
      description: ABB's error code of the event, V(0) when none.
      type: int
      sample: 1001
    task_id:
      description: ID of the task the event belongs to, V(0) when none.
      type: int
      sample: 4
    task_name:
      description: Name of that task.
      type: str
      sample: File-Server
    device_id:
      description: ID of the device the event belongs to, V(0) when none.
      type: int
      sample: 0
    device_name:
      description: Name of that device.
      type: str
      sample: ""
    result_id:
      description: ID of the run (as in RV(syno.activebackup.result_info#module:results[].result_id)) the event belongs to, V(0) when none.
      type: int
      sample: 294
    user_name:
      description: Account that caused the event, when there is one.
      type: str
      sample: admin
    other_params:
      description: Further details of the event as DSM gives them.
      type: dict
      sample:
        task_id: 4
        task_name: File-Server
count:
  description:
    - Number of entries on the NAS that match the filters, as the NAS counts them (C(count) of C(list_log));
      can be more than the length of RV(logs) when O(limit) cut it.
    - The length of RV(logs) when the NAS gave no count.
  returned: success
  type: int
  sample: 606
'''

from ansible_collections.syno.activebackup.plugins.module_utils._op_jobs import LOG_INFO
from ansible_collections.syno.activebackup.plugins.module_utils._runner import run_module


def main():
    run_module(LOG_INFO)


if __name__ == '__main__':
    main()
