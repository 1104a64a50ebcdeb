#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
---
module: task
short_description: Start or cancel a backup of an Active Backup for Business task, and wait for it
version_added: 1.0.0
description:
  - Starts a manual backup of one Active Backup for Business (ABB) backup task on a Synology NAS, or
    cancels the backup that runs, through C(SYNO.ActiveBackup.Task) methods C(list), C(backup) and
    C(cancel).
  - Reads the task first (C(list)). With O(state=started) a task whose backup is running is left alone -
    the NAS never gets a second run - and an idle task gets C(backup) with C(trigger_type=1) (manual).
    With O(state=stopped) a running backup gets C(cancel) and an idle task is left alone.
  - With O(wait=true) the module polls C(list) until the run has ended and returns its result in
    RV(result); a run that failed or was cancelled fails the task, a partial run gives a warning.
  - A start or cancel that was sent and whose answer was lost (or that DSM answered busy) is never sent
    again; the task fails saying that the outcome is unknown and how to find it out.
author:
  - syno.activebackup maintainers (@syno-activebackup)
extends_documentation_fragment:
  - syno.activebackup._connection
  - syno.activebackup._attributes
attributes:
  check_mode:
    description: Says whether it would start or cancel a backup, and sends neither. Nothing is waited for.
    support: full
  diff_mode:
    description: Returns whether the task runs, before and after.
    support: full
  idempotent:
    description:
      - A second run while the backup started by the first still runs reports no change (never a second
        backup). Once that backup has ended, O(state=started) starts a new one, which is its purpose.
      - O(state=stopped) is idempotent.
    support: partial
options:
  name:
    description:
      - Name of the backup task, exactly as ABB shows it (case-sensitive).
      - When no task has this name, the task fails and the message lists the tasks of the NAS.
      - Exactly one of O(name) and O(task_id) is required.
    type: str
  task_id:
    description:
      - ID of the backup task (RV(syno.activebackup.task_info#module:tasks[].task_id)).
      - Exactly one of O(name) and O(task_id) is required.
    type: int
  state:
    description:
      - V(started) makes sure a backup of the task runs (or, with O(wait), has run). It starts one unless
        one is running.
      - V(stopped) makes sure no backup of the task runs. It cancels the one that runs.
    type: str
    required: true
    choices: [started, stopped]
  wait:
    description:
      - With O(state=started), wait until the run has ended - the one this task started, or the one that
        was already running - and return it in RV(result). The run has ended when the task is not running
        and its C(last_result) has another C(result_id) than before.
      - With O(state=stopped), wait until the task is no longer running.
      - C(list) is polled 2 seconds after the start, then every 4, 8, 16 and at most 30 seconds; the time
        between two reads never exceeds 30 seconds, and the last read is made at O(wait_timeout).
      - A session that expires during the wait is renewed (with O(username) and O(password)); a read
        that fails is retried as every read is (O(retries)); if it still fails, the task fails with the
        last state it could read and never reports an end it did not see.
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait with O(wait=true). When they have passed and the backup still runs, the task
        fails; the backup goes on on the NAS, and a later run with O(wait=true) waits for it (it never
        starts a second one).
      - From V(1) to V(604800) (one week).
    type: int
    default: 3600
notes:
  - "Outcome with O(wait=true): status V(success) is success; V(partial) succeeds with a warning; V(failed) and
    V(cancelled) fail the task, naming the NAS, the task, the status with its number and the counts of
    successes, warnings, errors and skipped items; the result is in C(error.details.result)."
  - "Refusals of C(backup), each with its code, meaning and what to do: 5001 a device of the task is offline
    (the message names the offline devices); 1104 and 1105 outside the task's backup window; 4005 another
    backup conflicts; 4007 a backup of the task is already running; 1010 no such task; 1011 no permission on
    the task; 1009 batch error (with the task's own code when the NAS gives it)."
  - "After 4007 or 4005 the task reads the task once more: when a backup of it runs now (started by its
    schedule or by someone else between the read and the start), the task reports no change and warns; it
    waits for that backup with O(wait=true). Otherwise it fails with the code."
  - "Assumptions about the API (listed in the collection's scope guide under these IDs): R5 (C(backup) with
    C(task_ids) and C(trigger_type)), R6 (its error codes), R7 (C(cancel)), A21 (a task is running when
    C(progress.running_task_status) is V(1) or V(2) or C(progress.pid) is above V(0)), A22 (the end of a run
    is seen as a new C(last_result)), A23 (C(errors) of 1009), A24 (cancelling an idle task), R8 (status
    numbers). Please report a mismatch with a real NAS."
  - Runs in a loop over task names, and across a fleet with forks (one session per host and task).
seealso:
  - module: syno.activebackup.task_info
  - module: syno.activebackup.result_info
  - module: syno.activebackup.log_info
  - module: syno.activebackup.settings
  - plugin: syno.activebackup.backup_health
    plugin_type: filter
'''

EXAMPLES = r'''
---
- name: Start a backup of a task and go on
  syno.activebackup.task:
    host: nas1.example.com
    username: backup-admin
    password: "{{ vault_dsm_password }}"
    name: Office-PCs
    state: started

- name: Back up the file server before maintenance and wait for the result
  syno.activebackup.task:
    host: nas1.example.com
    username: backup-admin
    password: "{{ vault_dsm_password }}"
    name: File-Server
    state: started
    wait: true
    wait_timeout: 7200
  register: abb_run

- name: Show what the run backed up
  ansible.builtin.debug:
    msg: >-
      {{ abb_run.task.task_name }}: {{ abb_run.result.status_name }},
      {{ abb_run.result.transfered_bytes }} bytes, {{ abb_run.result.warning_count }} warnings

- name: Run several tasks, one after the other
  syno.activebackup.task:
    name: "{{ item }}"
    state: started
    wait: true
  loop:
    - Office-PCs
    - Design-Workstations

- name: Cancel the backup of a task that runs into the working day
  syno.activebackup.task:
    task_id: 7
    state: stopped
    wait: true
'''

RETURN = r'''
task:
  description:
    - The task after the change, as RV(syno.activebackup.task_info#module:tasks) returns it (numbers as
      integers, names beside numbers, RV(task.running), devices without secrets).
    - In check mode, the task as read with RV(task.running) as predicted.
  returned: success
  type: dict
  sample:
    task_id: 1
    task_name: Office-PCs
    backup_type: 2
    backup_type_name: pc
    share_name: ActiveBackupforBusiness
    storage_id: 1
    device_count: 2
    running: true
    progress:
      running_task_status: 1
      running_task_status_name: running
      percentage: 0.12
      transfered_bytes: 1288490188
      total_bytes: 10737418240
      pid: 20680
    last_result:
      result_id: 180
      status: 2
      status_name: success
      time_start: 1733270400
      time_end: 1733271520
  contains:
    task_id:
      description: ID of the task.
      type: int
      sample: 1
    task_name:
      description: Name of the task.
      type: str
      sample: Office-PCs
    running:
      description: Whether a backup of the task runs (assumption A21).
      type: bool
      sample: true
    progress:
      description: Progress of the running backup (absent when the task is not running).
      type: dict
      sample:
        running_task_status: 1
        running_task_status_name: running
        percentage: 0.12
        pid: 20680
    last_result:
      description: The newest result of the task with C(status_name), or V(null) when it never ran.
      type: dict
      sample:
        result_id: 180
        status: 2
        status_name: success
result:
  description:
    - The result of the run that was waited for (the task's new C(last_result)), with C(status) and
      C(status_name) and the counts.
    - With O(state=stopped), the result of the cancelled run, or V(null) when the NAS shows none.
    - V(null) in check mode.
  returned: when O(wait=true)
  type: dict
  sample:
    result_id: 181
    task_id: 1
    task_name: Office-PCs
    backup_type: 2
    backup_type_name: pc
    job_action: 1
    status: 2
    status_name: success
    time_start: 1733299200
    time_end: 1733300410
    success_count: 2
    warning_count: 0
    error_count: 0
    none_count: 0
    transfered_bytes: 23717955778
    detail_path: ""
  contains:
    result_id:
      description: ID of the result.
      type: int
      sample: 181
    status:
      description: Outcome as ABB's number (V(2) success, V(3) partial, V(4) failed, V(5) cancelled).
      type: int
      sample: 2
    status_name:
      description: Name of RV(result.status) (V(unknown) for a number outside the table).
      type: str
      choices: [none, incomplete, success, partial, failed, cancelled, no_backup, unknown]
      sample: success
    time_start:
      description: Start of the run, epoch seconds.
      type: int
      sample: 1733299200
    time_end:
      description: End of the run, epoch seconds.
      type: int
      sample: 1733300410
    success_count:
      description: Items (devices) backed up successfully.
      type: int
      sample: 2
    warning_count:
      description: Items with warnings.
      type: int
      sample: 0
    error_count:
      description: Items that failed.
      type: int
      sample: 0
    none_count:
      description: Items not backed up (for example after a cancellation).
      type: int
      sample: 0
    transfered_bytes:
      description: Bytes transferred by the run (the API's spelling).
      type: int
      sample: 23717955778
'''

from ansible_collections.syno.activebackup.plugins.module_utils._op_task import TASK
from ansible_collections.syno.activebackup.plugins.module_utils._runner import run_module


def main():
    run_module(TASK)


if __name__ == '__main__':
    main()
