#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
---
module: task_info
short_description: List the backup tasks of Active Backup for Business with their last result and progress
version_added: 1.0.0
description:
  - Lists the backup tasks of Active Backup for Business (ABB) on a Synology NAS through
    C(SYNO.ActiveBackup.Task) method C(list), with their status, last result and devices (and their
    backup versions with O(with_versions=true)).
  - Every task keeps the API's fields as they come, numbers as integers, and gains names beside the
    raw numbers (RV(tasks[].backup_type_name), RV(tasks[].last_result.status_name),
    RV(tasks[].progress.running_task_status_name)), RV(tasks[].running), and, with versions,
    RV(tasks[].latest_version).
  - Filters go to the NAS. O(task_id) and O(backup_type) are sent as the C(filter) of C(list). O(name) is
    matched exactly (case-sensitive) against the tasks the NAS returns.
  - The list is read in pages (C(offset) and C(limit)) until every task has come; the user never pages.
  - Device objects of the tasks lose every key whose name contains C(password), C(token), C(secret) or
    C(passwd) (the agent token and the passwords ABB keeps for a device) before anything is returned.
  - Changes nothing.
author:
  - syno.activebackup maintainers (@syno-activebackup)
extends_documentation_fragment:
  - syno.activebackup._connection
  - syno.activebackup._attributes
  - syno.activebackup._attributes.info_module
options:
  name:
    description:
      - Return only the task with exactly this name (case-sensitive).
      - A name that matches no task gives an empty RV(tasks), not an error.
      - Mutually exclusive with O(task_id).
    type: str
  task_id:
    description:
      - Return only the task with this ID (sent to the NAS inside C(filter), as C(task_id)).
      - Mutually exclusive with O(name).
    type: int
  backup_type:
    description:
      - Return only the tasks of this kind (sent to the NAS as its number in C(filter)).
      - V(vm) virtual machines, V(pc) PCs, V(physical_server) physical servers, V(file_server) file servers
        (SMB or rsync, without an agent), V(nas) Synology NAS.
    type: str
    choices: [vm, pc, physical_server, file_server, nas]
  with_versions:
    description:
      - Also load the backup versions of each task (C(load_versions)), returned as RV(tasks[].versions)
        newest first, with RV(tasks[].latest_version), RV(tasks[].version_count) and RV(tasks[].last_version_id).
      - Versions make the answer larger; for the versions of one task see M(syno.activebackup.version_info).
    type: bool
    default: false
notes:
  - Status numbers are returned raw beside their names, with the success, warning and error counts of the
    run, because public sources disagree on some of them. A number none of the tables knows is named
    V(unknown); no meaning is guessed.
  - "Assumptions about the API (listed in the collection's scope guide under these IDs): R4 (one task is
    selected only inside C(filter)), A19 (RV(tasks[].next_trigger_time) is V(0) for a task without a
    schedule), A20 (a task that never ran has no last result: RV(tasks[].last_result) is V(null)), A21
    (C(progress) while a backup runs; a task is running when C(running_task_status) is V(1) or V(2) or
    C(pid) is above V(0)), R8 and R9 (the status numbers), R10 (version status numbers), A25 (order of
    versions; they are sorted by end time anyway), R1 (these APIs are called with version 1)."
  - Use the filter P(syno.activebackup.backup_health#filter) on RV(tasks) to rate each task as
    V(never), V(failed), V(overdue), V(running), V(warning) or V(ok).
seealso:
  - module: syno.activebackup.device_info
  - module: syno.activebackup.version_info
  - module: syno.activebackup.result_info
  - module: syno.activebackup.log_info
  - module: syno.activebackup.facts
    description: The V(tasks) subset of the facts holds the same task list, read in the same round trip as every other fact.
  - plugin: syno.activebackup.backup_health
    plugin_type: filter
'''

EXAMPLES = r'''
---
- name: Read every backup task of a NAS
  syno.activebackup.task_info:
    host: nas1.example.com
    username: backup-admin
    password: "{{ vault_dsm_password }}"
  register: abb_tasks

- name: Show each task with the status of its last run
  ansible.builtin.debug:
    msg: >-
      {{ item.task_name }}: {{ item.last_result.status_name if item.last_result else 'never ran' }}
      {{ ('(running, ' ~ (item.progress.percentage * 100) | round | int ~ ' %)') if item.running else '' }}
  loop: "{{ abb_tasks.tasks }}"
  loop_control:
    label: "{{ item.task_name }}"

- name: Fail unless every task is healthy (last run within 26 hours, not failed)
  ansible.builtin.assert:
    that: unhealthy | length == 0
    fail_msg: "{{ unhealthy | map(attribute='reason') | list }}"
  vars:
    unhealthy: "{{ abb_tasks.tasks | syno.activebackup.backup_health(max_age_hours=26)
                   | selectattr('health', 'in', ['never', 'failed', 'overdue']) | list }}"

- name: One task by name, with its versions, connection from module_defaults
  module_defaults:
    group/syno.activebackup.dsm:
      host: nas1.example.com
      username: backup-admin
      password: "{{ vault_dsm_password }}"
  block:
    - name: Read the task Office-PCs
      syno.activebackup.task_info:
        name: Office-PCs
        with_versions: true
      register: office

    - name: Show its newest completed version
      ansible.builtin.debug:
        msg: "{{ office.tasks[0].latest_version.folder_name | default('no completed version') }}"
      when: office.tasks | length > 0

- name: The virtual machine tasks only
  syno.activebackup.task_info:
    host: nas1.example.com
    username: backup-admin
    password: "{{ vault_dsm_password }}"
    backup_type: vm
  register: vm_tasks
'''

RETURN = r'''
tasks:
  description:
    - The backup tasks that match, in the NAS's order, each with the API's fields as they come (numbers as
      integers) and the fields the collection adds. Fields not listed here are passed on unchanged.
    - Empty when no task matches.
  returned: success
  type: list
  elements: dict
  sample:
    - task_id: 1
      task_name: Office-PCs
      backup_type: 2
      backup_type_name: pc
      share_name: ActiveBackupforBusiness
      storage_id: 1
      target_dir: PC-Office-PCs
      device_count: 2
      next_trigger_time: 1733299200
      allow_manual_backup: true
      sched_content:
        repeat_type: Hourly
        repeat_hour: 8
        run_hour: 1
        run_min: 0
      retention_policy:
        keep_all: false
        keep_versions: 10
      running: false
      last_result:
        result_id: 293
        task_id: 1
        task_name: Office-PCs
        backup_type: 2
        backup_type_name: pc
        job_action: 1
        status: 2
        status_name: success
        time_start: 1733270400
        time_end: 1733271520
        success_count: 2
        warning_count: 0
        error_count: 0
        none_count: 0
        transfered_bytes: 23717955778
        detail_path: ""
      devices:
        - device_id: 1
          host_name: OFFICE-PC-01
          host_ip: 192.0.2.11
          os_name: Windows 11(64-bit)
          platform_type: 1
          backup_type: 2
          backup_type_name: pc
          agent_status: online
          login_user: backup-admin
          task_count: 1
    - task_id: 7
      task_name: NAS-Replica
      backup_type: 5
      backup_type_name: nas
      running: true
      progress:
        running_task_status: 1
        running_task_status_name: running
        percentage: 0.42
        transfered_bytes: 9113857091
        total_bytes: 21699659741
        pid: 20680
      last_result:
        result_id: 280
        status: 2
        status_name: success
        time_end: 1733202000
    - task_id: 6
      task_name: SMB-Archive
      backup_type: 4
      backup_type_name: file_server
      next_trigger_time: 0
      running: false
      last_result: null
  contains:
    task_id:
      description: ID of the task.
      type: int
      sample: 1
    task_name:
      description: Name of the task.
      type: str
      sample: Office-PCs
    backup_type:
      description: Kind of backup as ABB's number (V(1) vm, V(2) pc, V(3) physical_server, V(4) file_server, V(5) nas).
      type: int
      sample: 2
    backup_type_name:
      description: Added by the collection. Name of RV(tasks[].backup_type), or V(unknown) for a number outside the table.
      type: str
      choices: [vm, pc, physical_server, file_server, nas, unknown]
      sample: pc
    share_name:
      description:
        - Shared folder of the ABB storage the task writes to; the same name as in
          RV(syno.activebackup.storage_info#module:storages[].share_name).
      type: str
      sample: ActiveBackupforBusiness
    storage_id:
      description: ID of that storage.
      type: int
      sample: 1
    target_dir:
      description: Directory of the task inside the storage.
      type: str
      sample: PC-Office-PCs
    device_count:
      description: Number of devices the task backs up.
      type: int
      sample: 2
    next_trigger_time:
      description: Next scheduled run, epoch seconds; V(0) for a task without a schedule (assumption A19).
      type: int
      sample: 1733299200
    sched_content:
      description: The schedule as DSM gives it.
      type: dict
      sample:
        repeat_type: Hourly
        repeat_hour: 8
        run_hour: 1
        run_min: 0
    retention_policy:
      description: The retention policy as DSM gives it.
      type: dict
      sample:
        keep_all: false
        keep_versions: 10
    allow_manual_backup:
      description: Whether the task may be started by hand (by the C(syno.activebackup.task) module with C(state=started)).
      type: bool
      sample: true
    running:
      description:
        - Added by the collection. Whether a backup of the task is running now.
        - V(true) when RV(tasks[].progress.running_task_status) is V(1) (running) or V(2) (pausing), or
          RV(tasks[].progress.pid) is above V(0) (assumption A21).
      type: bool
      sample: false
    progress:
      description:
        - Progress of the running backup, as DSM gives it, numbers as integers.
        - Absent when the task is not running (also when DSM sends an idle C(progress) with C(pid) V(0)).
      type: dict
      returned: when RV(tasks[].running) is V(true)
      contains:
        running_task_status:
          description: State of the run as ABB's number (V(0) waiting, V(1) running, V(2) pausing, V(3) cancelling; assumption R9).
          type: int
          sample: 1
        running_task_status_name:
          description: Added by the collection. Name of RV(tasks[].progress.running_task_status), or V(unknown).
          type: str
          choices: [waiting, running, pausing, cancelling, unknown]
          sample: running
        percentage:
          description: Share of the run done, from V(0.0) to V(1.0).
          type: float
          sample: 0.42
        transfered_bytes:
          description: Bytes transferred so far. The name is spelt as the API spells it.
          type: int
          sample: 9113857091
        total_bytes:
          description: Bytes the run is expected to transfer.
          type: int
          sample: 21699659741
        pid:
          description: Process ID of the run on the NAS.
          type: int
          sample: 20680
    last_result:
      description:
        - The outcome of the task's newest run, with RV(tasks[].last_result.status_name) and
          RV(tasks[].last_result.backup_type_name) added.
        - V(null) for a task that never ran (assumption A20).
      type: dict
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
            - Added by the collection. Name of RV(tasks[].last_result.backup_type), or V(unknown) for a number outside the table.
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
            - Added by the collection. Name of RV(tasks[].last_result.status), or V(unknown) for a number outside the table.
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
    devices:
      description:
        - The devices the task backs up, as C(SYNO.ActiveBackup.Device) describes them (see
          RV(syno.activebackup.device_info#module:devices)), with RV(tasks[].devices[].backup_type_name) added.
        - Every key whose name contains C(password), C(token), C(secret) or C(passwd) is removed, at any depth
          (C(agent_token), C(login_password), C(mssql_password), C(oracle_password)).
      type: list
      elements: dict
      contains:
        device_id:
          description: ID of the device in ABB.
          type: int
          sample: 1
        device_uuid:
          description: UUID of the device.
          type: str
          sample: AA82ADB6-BF00-48AF-F175-E2B44026A6EC
        host_name:
          description: Host name of the device.
          type: str
          sample: OFFICE-PC-01
        host_ip:
          description: Address of the device as ABB last saw it.
          type: str
          sample: 192.0.2.11
        os_name:
          description: Operating system of the device.
          type: str
          sample: Windows 11(64-bit)
        platform_type:
          description: Platform as ABB's number (V(1) Windows, V(2) Linux, V(3) Mac, V(4) DSM; assumption R11). Passed on as it comes.
          type: int
          sample: 1
        backup_type:
          description: Kind of backup as ABB's number (V(1) vm, V(2) pc, V(3) physical_server, V(4) file_server, V(5) nas).
          type: int
          sample: 2
        backup_type_name:
          description: Added by the collection. Name of RV(tasks[].devices[].backup_type), or V(unknown).
          type: str
          returned: when the NAS gives C(backup_type)
          choices: [vm, pc, physical_server, file_server, nas, unknown]
          sample: pc
        agent_status:
          description:
            - Whether the device's ABB agent is connected, V(online) or V(offline) (assumption R12).
            - The P(syno.activebackup.report#role) role flags offline devices.
          type: str
          sample: online
        create_time:
          description: When the device was added to ABB, epoch seconds.
          type: int
          sample: 1733011200
        login_time:
          description: When the agent last logged in, epoch seconds.
          type: int
          sample: 1733011213
        login_user:
          description: Account the agent logged in with.
          type: str
          sample: backup-admin
        task_count:
          description: Number of backup tasks that hold the device.
          type: int
          sample: 1
        mssql_user:
          description: Account ABB uses for Microsoft SQL Server on the device, if any; its password is removed.
          type: str
          sample: sa
        oracle_user:
          description: Account ABB uses for Oracle on the device, if any; its password is removed.
          type: str
          sample: system
    version_count:
      description: Number of backup versions of the task.
      type: int
      returned: when O(with_versions=true)
      sample: 10
    last_version_id:
      description: ID of the task's newest version; V(0) when it has none.
      type: int
      returned: when O(with_versions=true)
      sample: 285
    versions:
      description:
        - The task's backup versions, newest first (sorted by C(time_end)), each with C(status_name) added;
          the fields are those of RV(syno.activebackup.version_info#module:versions).
      type: list
      elements: dict
      returned: when O(with_versions=true)
      sample:
        - version_id: 285
          folder_name: ActiveBackup_2024-12-04_001800
          time_start: 1733270400
          time_end: 1733271520
          status: 3
          status_name: completed
          used_size: 23717955778
          locked: false
    latest_version:
      description:
        - Added by the collection. The newest version whose status is V(3) (completed), or V(null) when the
          task has none.
      type: dict
      returned: when O(with_versions=true)
      sample:
        version_id: 285
        folder_name: ActiveBackup_2024-12-04_001800
        time_end: 1733271520
        status: 3
        status_name: completed
'''

from ansible_collections.syno.activebackup.plugins.module_utils._op_jobs import TASK_INFO
from ansible_collections.syno.activebackup.plugins.module_utils._runner import run_module


def main():
    run_module(TASK_INFO)


if __name__ == '__main__':
    main()
