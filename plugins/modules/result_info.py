#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
---
module: result_info
short_description: Read the job history (results of backup runs) of Active Backup for Business
version_added: 1.0.0
description:
  - Reads the job history of Active Backup for Business (ABB) on a Synology NAS, one entry per run of a backup
    task, through C(SYNO.ActiveBackup.Log) method C(list_result), newest first.
  - Every result keeps the API's fields as they come (C(transfered_bytes) spelt as the API spells it), numbers
    as integers, and gains RV(results[].status_name) and RV(results[].backup_type_name) beside the numbers.
  - Filters go to the NAS, not only to the result, so that RV(count) is the NAS's own number of matches.
    O(task_id) is sent as C(task_id), O(status) as the list of its numbers in C(filter), O(since) as
    C(from_timestamp) in C(filter). A task given by O(task_name) is first looked up with
    C(SYNO.ActiveBackup.Task) method C(list) and sent as its C(task_id); a name that matches no task fails,
    listing the task names of the NAS.
  - The history is read in pages (C(offset) and C(limit)) until O(limit) results or every match has come;
    the user never pages.
  - Changes nothing.
author:
  - syno.activebackup maintainers (@syno-activebackup)
extends_documentation_fragment:
  - syno.activebackup._connection
  - syno.activebackup._attributes
  - syno.activebackup._attributes.info_module
  - syno.activebackup._history
options:
  task_name:
    description:
      - Return only the runs of the task of this name (exact, case-sensitive).
      - Mutually exclusive with O(task_id).
    type: str
  task_id:
    description:
      - Return only the runs of the task with this ID.
      - Mutually exclusive with O(task_name).
    type: int
  status:
    description:
      - Return only the runs with one of these outcomes (sent to the NAS as their numbers, V(0) to V(6)).
    type: list
    elements: str
    choices: [none, incomplete, success, partial, failed, cancelled, no_backup]
  limit:
    description:
      - Return at most this many results (the newest), from 1 to 100000.
      - RV(count) still says how many match on the NAS.
    type: int
    default: 100
notes:
  - "Assumptions about the API (listed in the collection's scope guide under these IDs): A27 (O(since) is
    compared with the start time of a run), A28 (results come newest first, so O(limit) keeps the newest),
    R8 (result status numbers; the number and the counts are kept beside the name), R4 (a task name is
    resolved with C(filter)), R1 (these APIs are called with version 1)."
seealso:
  - module: syno.activebackup.log_info
  - module: syno.activebackup.task_info
    description: The last result of each task, with its progress while it runs.
  - module: syno.activebackup.version_info
'''

EXAMPLES = r'''
---
- name: Read the failed and cancelled runs of the last 24 hours
  syno.activebackup.result_info:
    host: nas1.example.com
    username: backup-admin
    password: "{{ vault_dsm_password }}"
    status:
      - failed
      - cancelled
    since: 24h
  register: bad_runs

- name: Fail when a run failed
  ansible.builtin.assert:
    that: bad_runs.count == 0
    fail_msg: >-
      {{ bad_runs.count }} failed runs:
      {{ bad_runs.results | map(attribute='task_name') | unique | join(', ') }}

- name: The last 20 runs of the task Office-PCs since a given day
  syno.activebackup.result_info:
    host: nas1.example.com
    username: backup-admin
    password: "{{ vault_dsm_password }}"
    task_name: Office-PCs
    since: "2024-12-01"
    limit: 20
  register: office_runs

- name: Show the bytes each run transferred
  ansible.builtin.debug:
    msg: "{{ item.time_start }}: {{ item.status_name }}, {{ item.transfered_bytes | human_readable }}"
  loop: "{{ office_runs.results }}"
  loop_control:
    label: "{{ item.result_id }}"
'''

RETURN = r'''
results:
  description:
    - The runs that match, newest first, at most O(limit). Fields not listed here are passed on unchanged.
    - Empty when nothing matches.
  returned: success
  type: list
  elements: dict
  sample:
    - result_id: 294
      task_id: 4
      task_name: File-Server
      backup_type: 3
      backup_type_name: physical_server
      job_action: 1
      status: 4
      status_name: failed
      time_start: 1733270400
      time_end: 1733270868
      success_count: 0
      warning_count: 0
      error_count: 1
      none_count: 0
      transfered_bytes: 4960105871
      detail_path: ""
      task_config:
        device_list:
          - device_id: 7
            host_name: SRV-FILE-01
  contains:
    result_id:
      description: ID of the run's result (a new ID for each run).
      type: int
      sample: 293
    task_id:
      description: ID of the task that ran.
      type: int
      sample: 1
    task_name:
      description: Name of the task that ran.
      type: str
      sample: Office-PCs
    backup_type:
      description: Kind of backup as ABB's number (V(1) vm, V(2) pc, V(3) physical_server, V(4) file_server, V(5) nas).
      type: int
      sample: 2
    backup_type_name:
      description:
        - Added by the collection. Name of RV(results[].backup_type), or V(unknown) for a number outside the table.
      type: str
      returned: when the NAS gives C(backup_type)
      choices: [vm, pc, physical_server, file_server, nas, unknown]
      sample: pc
    job_action:
      description:
        - What the job did, as ABB's bit flags (V(1) backup, V(128) restore device, V(512) verify, V(1024) restore
          file, V(65536) delete target, V(131072) delete version, V(2097152) relink, V(4194304) compact,
          V(268435456) create task). Passed on as it comes.
      type: int
      sample: 1
    status:
      description:
        - Outcome of the run as ABB's number (V(0) none, V(1) incomplete, V(2) success, V(3) partial, V(4) failed,
          V(5) cancelled, V(6) no backup). Sources disagree on V(4) and V(5) (assumption R8), so the number is kept.
      type: int
      sample: 2
    status_name:
      description:
        - Added by the collection. Name of RV(results[].status), or V(unknown) for a number outside the table.
      type: str
      choices: [none, incomplete, success, partial, failed, cancelled, no_backup, unknown]
      sample: success
    time_start:
      description: Start of the run, epoch seconds.
      type: int
      sample: 1733270400
    time_end:
      description: End of the run, epoch seconds.
      type: int
      sample: 1733271520
    success_count:
      description: Number of devices (or items) backed up successfully in the run.
      type: int
      sample: 2
    warning_count:
      description: Number of warnings in the run.
      type: int
      sample: 0
    error_count:
      description: Number of errors in the run.
      type: int
      sample: 0
    none_count:
      description: Number of devices (or items) with no outcome (for example after a cancel).
      type: int
      sample: 0
    transfered_bytes:
      description: Bytes transferred by the run. The name is spelt as the API spells it.
      type: int
      sample: 23717955778
    detail_path:
      description: Where ABB keeps the run's details, as DSM gives it; often empty.
      type: str
      sample: ""
    task_config:
      description: The task's configuration at the time of the run, as DSM gives it; C(device_list) names its devices.
      type: dict
      sample:
        device_list:
          - device_id: 1
            host_name: OFFICE-PC-01
count:
  description:
    - Number of runs on the NAS that match the filters, as the NAS counts them (C(count) of C(list_result));
      can be more than the length of RV(results) when O(limit) cut it.
    - The length of RV(results) when the NAS gave no count.
  returned: success
  type: int
  sample: 294
'''

from ansible_collections.syno.activebackup.plugins.module_utils._op_jobs import RESULT_INFO
from ansible_collections.syno.activebackup.plugins.module_utils._runner import run_module


def main():
    run_module(RESULT_INFO)


if __name__ == '__main__':
    main()
