#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
---
module: facts
short_description: Gather Active Backup for Business facts (shares, storages, volumes, tasks, devices, system) in one round trip
version_added: 1.0.0
description:
  - Reads what Active Backup for Business (ABB) knows about a Synology NAS and sets it as the host fact
    C(activebackup) (C(ansible_facts.activebackup)), which later tasks of the play can read.
  - All the reads that O(gather_subset) selects go to DSM in one C(SYNO.Entry.Request) compound request,
    so that with O(session) the whole module is one HTTP request. A NAS that does not offer compound
    requests (it answers 102 or 103) gets one request per read instead.
  - The reads are C(SYNO.ActiveBackup.Share) methods C(list) and C(list_encrypted) (subset C(shares)),
    C(list_storage) (C(storages)), C(list_volume) (C(volumes)) and C(check_file) (C(files_check));
    C(SYNO.ActiveBackup.Task) method C(list) with status, results, devices and versions (C(tasks)),
    C(SYNO.ActiveBackup.Device) method C(list) with results (C(devices)) and C(SYNO.DSM.Info) method
    C(getinfo) (C(system)). They all go in the same one compound request.
  - Tasks and devices are read in pages of 500; the first page of each is in the compound request, and only a
    NAS with more than 500 tasks or devices is asked for the further pages afterwards.
  - Device objects (in RV(ansible_facts.activebackup.devices) and in the C(devices) of each task) lose every key
    whose name contains C(password), C(token), C(secret) or C(passwd), at any depth.
  - Changes nothing.
author:
  - syno.activebackup maintainers (@syno-activebackup)
extends_documentation_fragment:
  - syno.activebackup._connection
  - syno.activebackup._attributes
  - syno.activebackup._attributes.info_module
options:
  gather_subset:
    description:
      - Which facts to gather, as with Ansible's own C(gather_subset).
      - V(all) gathers every subset, V(shares) the shared folders and the default destination,
        V(storages) the ABB storages, V(volumes) the volumes with their usage, V(files_check) the
        result of ABB's repository file check, V(tasks) the backup tasks with their last result, devices
        and versions (as M(syno.activebackup.task_info) with O(syno.activebackup.task_info#module:with_versions=true)
        returns them), V(devices) the protected devices with their last result (as
        M(syno.activebackup.device_info) returns them), V(system) the model, serial number and DSM version
        of the NAS (C(SYNO.DSM.Info)).
      - V(all) includes V(tasks), V(devices) and V(system); every subset still goes in the one compound request.
      - A name with a leading V(!) excludes that subset (V(!all) excludes every subset). A list of
        exclusions only starts from V(all), so V(!files_check) gathers all but the file check. A subset
        named explicitly is gathered even when excluded, so V([!all, volumes]) gathers the volumes only.
      - Unknown names fail the task before any request.
    type: list
    elements: str
    default: [all]
notes:
  - The file check (V(files_check)) makes ABB check the repository of every storage, which can take
    a while on a large NAS; exclude it with V(!files_check) where it is not needed.
  - The facts of a subset that was not gathered are absent, not empty.
  - "The V(tasks) and V(devices) subsets rely on the assumptions A19 to A21, A25, R8 to R13 and R1 of the
    collection's scope guide (see M(syno.activebackup.task_info) and M(syno.activebackup.device_info))."
  - Rate the tasks with the filter P(syno.activebackup.backup_health#filter)
    (C(ansible_facts.activebackup.tasks | syno.activebackup.backup_health)).
seealso:
  - module: syno.activebackup.share_info
  - module: syno.activebackup.storage_info
  - module: syno.activebackup.volume_info
  - module: syno.activebackup.task_info
  - module: syno.activebackup.device_info
  - module: syno.activebackup.session
  - plugin: syno.activebackup.backup_health
    plugin_type: filter
'''

EXAMPLES = r'''
---
- name: Gather every ABB fact
  syno.activebackup.facts:
    host: nas1.example.com
    username: backup-admin
    password: "{{ vault_dsm_password }}"

- name: Warn about volumes above 90 percent
  ansible.builtin.debug:
    msg: "{{ item.volume_path }} is {{ item.used_percent }} % full"
  loop: "{{ ansible_facts.activebackup.volumes }}"
  when: item.used_percent > 90

- name: Everything but the file check, with the connection from module_defaults
  syno.activebackup.facts:
    gather_subset:
      - '!files_check'

- name: Only the storages and the volumes
  syno.activebackup.facts:
    gather_subset:
      - storages
      - volumes

- name: Fail when ABB found damaged repository files
  ansible.builtin.assert:
    that: ansible_facts.activebackup.error_files | length == 0
    fail_msg: "{{ ansible_facts.activebackup.error_files }}"
'''

RETURN = r'''
ansible_facts:
  description: Facts to add to the host's facts.
  returned: always
  type: dict
  contains:
    activebackup:
      description: What ABB knows about the NAS, by subset. Field names are the API's own, numbers are integers.
      returned: always
      type: dict
      contains:
        gathered_subsets:
          description: The subsets that were gathered, after O(gather_subset) was resolved.
          returned: always
          type: list
          elements: str
          sample: [shares, storages, volumes, files_check, tasks, devices, system]
        default_share:
          description: Name of the shared folder where new backup tasks go.
          returned: when the V(shares) subset was gathered
          type: str
          sample: ActiveBackupforBusiness
        shares:
          description:
            - Shared folders as C(list) returns them, as in RV(syno.activebackup.share_info#module:shares).
            - An encrypted shared folder appears here only while it is mounted.
          returned: when the V(shares) subset was gathered
          type: list
          elements: dict
          sample:
            - acl_permission: true
              available: true
              free_space: 10401845899264
              name: ActiveBackupforBusiness
              path: /volume1/ActiveBackupforBusiness
              readonly: false
              relinkable: false
              storage_id: 1
              type: btrfs
              volume_no_space: false
        encrypted_shares:
          description: Encrypted shared folders as C(list_encrypted) returns them; same fields as RV(ansible_facts.activebackup.shares).
          returned: when the V(shares) subset was gathered
          type: list
          elements: dict
          sample: []
        storages:
          description:
            - ABB storages as C(list_storage) returns them, as in RV(syno.activebackup.storage_info#module:storages).
          returned: when the V(storages) subset was gathered
          type: list
          elements: dict
          sample:
            - share_name: ActiveBackupforBusiness
              storage_id: 1
              vol_name: volume1
              volume_path: /volume1
              device_count: 4
              mounted: true
              backup_tasks: []
              relink_state:
                alive: false
                owner: true
                state: 0
        volumes:
          description:
            - Volumes as C(list_volume) returns them, byte counts as integers, with C(free_bytes) and
              C(used_percent) (one decimal) added.
          returned: when the V(volumes) subset was gathered
          type: list
          elements: dict
          sample:
            - volume_path: /volume1
              total_bytes: 23030223990784
              used_bytes: 12628378091520
              free_bytes: 10401845899264
              used_percent: 54.8
        error_files:
          description: Repository files that ABB's file check (C(check_file)) found damaged; empty when all are healthy.
          returned: when the V(files_check) subset was gathered
          type: list
          elements: dict
          sample: []
        tasks:
          description:
            - Every backup task, as RV(syno.activebackup.task_info#module:tasks) of
              M(syno.activebackup.task_info) with O(syno.activebackup.task_info#module:with_versions=true)
              returns it, in the NAS's order.
            - Each task keeps the API's fields, numbers as integers, and gains C(backup_type_name), C(running),
              C(last_result.status_name) (C(last_result) is V(null) for a task that never ran), C(progress)
              with C(running_task_status_name) while a backup runs, C(versions) newest first with
              C(status_name), and C(latest_version) (the newest completed version, or V(null)).
            - The C(devices) of each task carry no secret-named key.
          returned: when the V(tasks) subset was gathered
          type: list
          elements: dict
          sample:
            - task_id: 1
              task_name: Office-PCs
              backup_type: 2
              backup_type_name: pc
              share_name: ActiveBackupforBusiness
              next_trigger_time: 1733299200
              running: false
              last_result:
                result_id: 293
                status: 2
                status_name: success
                time_start: 1733270400
                time_end: 1733271520
                success_count: 2
                warning_count: 0
                error_count: 0
                transfered_bytes: 23717955778
              devices:
                - device_id: 1
                  host_name: OFFICE-PC-01
                  agent_status: online
                  backup_type: 2
                  backup_type_name: pc
              version_count: 10
              last_version_id: 285
              latest_version:
                version_id: 285
                folder_name: ActiveBackup_2024-12-04_001800
                status: 3
                status_name: completed
                time_end: 1733271520
        devices:
          description:
            - Every device ABB protects, as RV(syno.activebackup.device_info#module:devices) of
              M(syno.activebackup.device_info) returns it, with C(backup_type_name) and C(last_result) (with
              C(status_name)) when the NAS gives it.
            - No device carries a secret-named key (C(agent_token), C(login_password), C(mssql_password),
              C(oracle_password), or any key whose name contains C(password), C(token), C(secret) or C(passwd)).
          returned: when the V(devices) subset was gathered
          type: list
          elements: dict
          sample:
            - device_id: 1
              host_name: OFFICE-PC-01
              host_ip: 192.0.2.11
              os_name: Windows 11(64-bit)
              platform_type: 1
              backup_type: 2
              backup_type_name: pc
              agent_status: online
              last_result:
                result_id: 293
                status: 2
                status_name: success
        system:
          description:
            - What C(SYNO.DSM.Info) says about the NAS, numbers as integers; further fields the NAS sends are
              passed on unchanged.
          returned: when the V(system) subset was gathered
          type: dict
          sample:
            model: DS1821+
            serial: 2260PDN2B9C49
            version: "69057"
            version_string: DSM 7.2.1-69057 Update 5
            ram: 8192
            uptime: 1054800
            temperature: 41
            temperature_warn: false
          contains:
            model:
              description: Model of the NAS.
              type: str
              sample: DS1821+
            serial:
              description: Serial number of the NAS; tells machines of a fleet apart.
              type: str
              sample: 2260PDN2B9C49
            version:
              description: DSM's build number, a string as DSM gives it.
              type: str
              sample: "69057"
            version_string:
              description: DSM's version in words.
              type: str
              sample: DSM 7.2.1-69057 Update 5
            ram:
              description: Memory of the NAS in MB.
              type: int
              sample: 8192
            uptime:
              description: Seconds since the NAS started.
              type: int
              sample: 1054800
            temperature:
              description: Temperature of the system in degrees Celsius.
              type: int
              sample: 41
            temperature_warn:
              description: Whether DSM warns about the temperature.
              type: bool
              sample: false
'''

from ansible_collections.syno.activebackup.plugins.module_utils._op_info import FACTS
from ansible_collections.syno.activebackup.plugins.module_utils._runner import run_module


def main():
    run_module(FACTS)


if __name__ == '__main__':
    main()
