#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
---
module: device_info
short_description: List the devices (protected machines) of Active Backup for Business
version_added: 1.0.0
description:
  - Lists the devices that Active Backup for Business (ABB) protects on a Synology NAS (PCs, physical
    servers, virtual machines, file servers, NAS) through C(SYNO.ActiveBackup.Device) method C(list), with
    the last result of each where the NAS gives it.
  - Every device keeps the API's fields as they come, numbers as integers, and gains
    RV(devices[].backup_type_name) beside C(backup_type) and RV(devices[].last_result.status_name) beside
    the last result's C(status).
  - Every key whose name contains C(password), C(token), C(secret) or C(passwd) is removed from every device,
    at any depth, before anything is returned (the agent's C(agent_token) and the C(login_password),
    C(mssql_password) and C(oracle_password) ABB keeps for the device).
  - Filters go to the NAS. O(host_name) and O(backup_type) are sent as the C(filter) of C(list).
  - The list is read in pages (C(offset) and C(limit)) until every device has come; the user never pages.
  - Changes nothing.
author:
  - syno.activebackup maintainers (@syno-activebackup)
extends_documentation_fragment:
  - syno.activebackup._connection
  - syno.activebackup._attributes
  - syno.activebackup._attributes.info_module
options:
  host_name:
    description:
      - Return only the device with this host name (sent to the NAS inside C(filter); the NAS decides how it
        compares names).
      - A name that matches no device gives an empty RV(devices), not an error.
    type: str
  backup_type:
    description:
      - Return only the devices of this kind (sent to the NAS as its number in C(filter)).
      - V(vm) virtual machines, V(pc) PCs, V(physical_server) physical servers, V(file_server) file servers,
        V(nas) Synology NAS.
    type: str
    choices: [vm, pc, physical_server, file_server, nas]
notes:
  - "Assumptions about the API (listed in the collection's scope guide under these IDs): R11
    (RV(devices[].platform_type) numbers), R12 (RV(devices[].agent_status) is V(online) or V(offline)), R13
    (each device has a C(last_result) shaped like a task's), R8 (result status numbers), R1 (these APIs are
    called with version 1)."
seealso:
  - module: syno.activebackup.task_info
  - module: syno.activebackup.result_info
  - module: syno.activebackup.log_info
  - module: syno.activebackup.facts
    description: The V(devices) subset of the facts holds the same device list, read in the same round trip as every other fact.
'''

EXAMPLES = r'''
---
- name: Read every device of a NAS
  syno.activebackup.device_info:
    host: nas1.example.com
    username: backup-admin
    password: "{{ vault_dsm_password }}"
  register: abb_devices

- name: Fail when an agent is offline
  ansible.builtin.assert:
    that: offline | length == 0
    fail_msg: "Offline devices: {{ offline | join(', ') }}"
  vars:
    offline: "{{ abb_devices.devices | selectattr('agent_status', 'equalto', 'offline') | map(attribute='host_name') | list }}"

- name: Read one physical server, connection from module_defaults
  module_defaults:
    group/syno.activebackup.dsm:
      host: nas1.example.com
      username: backup-admin
      password: "{{ vault_dsm_password }}"
  block:
    - name: Read SRV-FILE-01
      syno.activebackup.device_info:
        host_name: SRV-FILE-01
        backup_type: physical_server
      register: server

    - name: Show the status of its last backup
      ansible.builtin.debug:
        msg: "{{ server.devices[0].last_result.status_name | default('never backed up') }}"
      when: server.devices | length > 0
'''

RETURN = r'''
devices:
  description:
    - The devices that match, in the NAS's order, each with the API's fields as they come (numbers as integers)
      and the fields the collection adds. Fields not listed here are passed on unchanged.
    - No device carries a secret-named key (C(agent_token), C(login_password), C(mssql_password),
      C(oracle_password), or any other key whose name contains C(password), C(token), C(secret) or C(passwd)).
    - Empty when no device matches.
  returned: success
  type: list
  elements: dict
  sample:
    - device_id: 1
      device_uuid: AA82ADB6-BF00-48AF-F175-E2B44026A6EC
      host_name: OFFICE-PC-01
      host_ip: 192.0.2.11
      os_name: Windows 11(64-bit)
      platform_type: 1
      backup_type: 2
      backup_type_name: pc
      agent_status: online
      create_time: 1733011200
      login_time: 1733011213
      login_user: backup-admin
      task_count: 1
      mssql_user: ""
      oracle_user: ""
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
      description: Added by the collection. Name of RV(devices[].backup_type), or V(unknown).
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
    last_result:
      description:
        - The outcome of the newest run that backed the device up, with RV(devices[].last_result.status_name)
          and RV(devices[].last_result.backup_type_name) added (assumption R13).
        - V(null) when the device was never backed up.
      type: dict
      returned: when the NAS gives it
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
            - Added by the collection. Name of RV(devices[].last_result.backup_type), or V(unknown) for a number outside the table.
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
            - Added by the collection. Name of RV(devices[].last_result.status), or V(unknown) for a number outside the table.
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
'''

from ansible_collections.syno.activebackup.plugins.module_utils._op_jobs import DEVICE_INFO
from ansible_collections.syno.activebackup.plugins.module_utils._runner import run_module


def main():
    run_module(DEVICE_INFO)


if __name__ == '__main__':
    main()
