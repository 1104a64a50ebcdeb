#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
---
module: storage_info
short_description: List the backup destinations (storages) of Active Backup for Business
version_added: 1.0.0
description:
  - Lists the storages of Active Backup for Business (ABB) on a Synology NAS, that is the shared folders
    that hold an ABB repository and are linked to this ABB, with their usage, devices, backup tasks and
    relink state, through C(SYNO.ActiveBackup.Share) method C(list_storage).
  - With O(check_files=true) it also asks DSM to check the repositories (method C(check_file)) and
    returns the damaged files; both calls go in one round trip.
  - Changes nothing.
author:
  - syno.activebackup maintainers (@syno-activebackup)
extends_documentation_fragment:
  - syno.activebackup._connection
  - syno.activebackup._attributes
  - syno.activebackup._attributes.info_module
options:
  share_name:
    description:
      - Keep only the storage on the shared folder of this name in RV(storages), and only its files in
        RV(error_files).
      - A name that matches nothing gives empty lists, not an error.
      - An empty name, a path (a name with V(/)), V(.), V(..), control characters and names longer than 255 bytes
        are refused before anything is sent to the NAS.
      - Quote names that YAML would read as a number or a boolean (V("123"), V("true")); an unquoted V(true)
        reaches the module as the text V(True).
    type: str
  check_files:
    description:
      - Also call C(check_file) and return RV(error_files).
      - The check reads every storage's repository, so DSM may take longer to answer.
    type: bool
    default: false
notes:
  - DSM documents that C(list_storage) may take longer to respond than the other methods; raise O(timeout)
    for a NAS with many storages.
  - "Assumption: C(check_file) takes no parameter and checks the repository of every storage; the meaning
    of its answer is not documented by Synology (see the collection's scope guide). Please report a NAS
    that answers otherwise."
seealso:
  - module: syno.activebackup.share_info
  - module: syno.activebackup.volume_info
  - module: syno.activebackup.file_info
  - module: syno.activebackup.facts
  - module: syno.activebackup.storage
'''

EXAMPLES = r'''
---
- name: List the ABB storages of a NAS
  syno.activebackup.storage_info:
    host: nas1.example.com
    username: backup-admin
    password: "{{ vault_dsm_password }}"
  register: abb_storages

- name: Show the storages that still have backup tasks
  ansible.builtin.debug:
    msg: "{{ abb_storages.storages | rejectattr('backup_tasks', 'equalto', []) | map(attribute='share_name') | list }}"

- name: Check one storage's repository, with the connection from module_defaults
  module_defaults:
    group/syno.activebackup.dsm:
      host: nas1.example.com
      username: backup-admin
      password: "{{ vault_dsm_password }}"
  block:
    - name: Read the storage and check its files
      syno.activebackup.storage_info:
        share_name: ActiveBackupforBusiness
        check_files: true
      register: abb_storage

    - name: Fail when the repository has damaged files
      ansible.builtin.assert:
        that:
          - abb_storage.error_files | length == 0
        fail_msg: "Damaged files: {{ abb_storage.error_files | map(attribute='path') | list }}"

    - name: Show how many devices back up to it
      ansible.builtin.debug:
        msg: "{{ abb_storage.storages[0].device_count }} devices, {{ abb_storage.storages[0].device_info.pc_count }} PCs"
      when: abb_storage.storages | length > 0
'''

RETURN = r'''
storages:
  description:
    - Storages as C(list_storage) returns them, numbers as integers (also inside RV(storages[].device_info)
      and RV(storages[].relink_state)).
    - A storage whose relink is running or has failed is listed too; see RV(storages[].relink_state).
  returned: success
  type: list
  elements: dict
  sample:
    - automount_iv: ""
      automount_location: ""
      backup_tasks: []
      compacting: false
      compacting_percentage: 0
      compressed_size: 0
      dedup_size: 9121643806720
      delete_tasks: []
      delete_versions: []
      device_count: 4
      device_info:
        agentless_count: 0
        agentless_size: 0
        dsm_count: 0
        dsm_size: 0
        pc_count: 4
        pc_size: 20039709263360
        server_count: 0
        server_size: 0
        vm_count: 0
        vm_size: 0
      fs_name: btrfs
      fs_type: 3
      mounted: true
      relink_state:
        alive: false
        error:
          code: 0
        owner: true
        state: 0
      repo_dir: "@ActiveBackup"
      share_name: ActiveBackupforBusiness
      share_type: ""
      storage_compress_algorithm: 0
      storage_encrypt_algorithm: 0
      storage_id: 1
      vol_name: Volume 1
      volume_path: /volume1
  contains:
    share_name:
      description: Name of the shared folder that holds the storage.
      type: str
      sample: ActiveBackupforBusiness
    storage_id:
      description: ID of the storage in ABB.
      type: int
      sample: 1
    volume_path:
      description: Path of the volume of the shared folder.
      type: str
      sample: /volume1
    vol_name:
      description: Display name of that volume.
      type: str
      sample: Volume 1
    repo_dir:
      description: Directory of the ABB repository inside the shared folder.
      type: str
      sample: "@ActiveBackup"
    share_type:
      description: Type of the shared folder as DSM reports it; empty for an ordinary one.
      type: str
      sample: ""
    fs_name:
      description: File system of the volume.
      type: str
      sample: btrfs
    fs_type:
      description: File system as DSM's number for it.
      type: int
      sample: 3
    mounted:
      description: Whether the storage is mounted (an encrypted shared folder can be unmounted).
      type: bool
      sample: true
    automount_iv:
      description: Automount data of an encrypted storage as DSM reports it; empty otherwise.
      type: str
      sample: ""
    automount_location:
      description: Where DSM keeps the key to mount an encrypted storage automatically; empty otherwise.
      type: str
      sample: ""
    storage_compress_algorithm:
      description: Compression of the repository as DSM's number for it; V(0) for none.
      type: int
      sample: 0
    storage_encrypt_algorithm:
      description: Encryption of the repository as DSM's number for it; V(0) for none.
      type: int
      sample: 0
    compacting:
      description: Whether the repository is being compacted.
      type: bool
      sample: false
    compacting_percentage:
      description: Progress of the compaction, in percent.
      type: int
      sample: 0
    compressed_size:
      description: Bytes saved by compression.
      type: int
      sample: 0
    dedup_size:
      description: Bytes the repository takes after deduplication.
      type: int
      sample: 9121643806720
    device_count:
      description:
        - Number of devices backed up to the storage.
        - M(syno.activebackup.storage) refuses to remove a storage with devices unless O(syno.activebackup.storage#module:force=true).
      type: int
      sample: 4
    device_info:
      description: Devices and their backup sizes (bytes) by kind.
      type: dict
      contains:
        agentless_count:
          description: Number of agentless devices (file servers backed up without an agent).
          type: int
          sample: 0
        agentless_size:
          description: Bytes of their backups.
          type: int
          sample: 0
        dsm_count:
          description: Number of DSM (Synology NAS) devices.
          type: int
          sample: 0
        dsm_size:
          description: Bytes of their backups.
          type: int
          sample: 0
        pc_count:
          description: Number of PCs.
          type: int
          sample: 4
        pc_size:
          description: Bytes of their backups.
          type: int
          sample: 20039709263360
        server_count:
          description: Number of physical servers.
          type: int
          sample: 0
        server_size:
          description: Bytes of their backups.
          type: int
          sample: 0
        vm_count:
          description: Number of virtual machines.
          type: int
          sample: 0
        vm_size:
          description: Bytes of their backups.
          type: int
          sample: 0
    backup_tasks:
      description:
        - Backup tasks that write to the storage, each with C(task_id) (int) and C(task_name) (str).
        - M(syno.activebackup.storage) refuses to remove a storage with tasks unless O(syno.activebackup.storage#module:force=true).
      type: list
      elements: dict
      sample:
        - task_id: 3
          task_name: Laptops
    delete_tasks:
      description: Deletions of backup tasks that are pending on the storage, as DSM reports them.
      type: list
      elements: raw
      sample: []
    delete_versions:
      description: Deletions of backup versions that are pending on the storage, as DSM reports them.
      type: list
      elements: raw
      sample: []
    relink_state:
      description:
        - State of the last relink of the storage (M(syno.activebackup.storage) with O(syno.activebackup.storage#module:state=present)).
        - While a relink runs, RV(storages[].relink_state.alive) is V(true).
        - A relink that failed shows RV(storages[].relink_state.owner=false) and a non-zero
          RV(storages[].relink_state.error.code); such a storage is not linked and can be relinked again.
      type: dict
      contains:
        alive:
          description: Whether a relink is running.
          type: bool
          sample: false
        owner:
          description: Whether this ABB owns (manages) the repository.
          type: bool
          sample: true
        state:
          description: Relink progress as DSM's number for it; V(1) while running, V(0) when done.
          type: int
          sample: 0
        error:
          description: Outcome of the last relink; absent when DSM sends none.
          type: dict
          returned: when DSM reports it
          contains:
            code:
              description: V(0) on success, else the error code of the failed relink.
              type: int
              sample: 0
error_files:
  description:
    - Damaged files that C(check_file) found in the repositories, with O(share_name) only those of that storage.
    - An empty list when every repository is healthy.
  returned: when O(check_files=true)
  type: list
  elements: dict
  sample:
    - share_name: ActiveBackupforBusiness
      path: /volume1/ActiveBackupforBusiness/@ActiveBackup/config/version.db
      error: 2
  contains:
    share_name:
      description: Shared folder of the storage the file belongs to.
      type: str
      sample: ActiveBackupforBusiness
    path:
      description: Path of the damaged file.
      type: str
      sample: /volume1/ActiveBackupforBusiness/@ActiveBackup/config/version.db
    error:
      description: Error DSM reports for the file, as its number.
      type: int
      sample: 2
'''

from ansible_collections.syno.activebackup.plugins.module_utils._op_info import STORAGE_INFO
from ansible_collections.syno.activebackup.plugins.module_utils._runner import run_module


def main():
    run_module(STORAGE_INFO)


if __name__ == '__main__':
    main()
