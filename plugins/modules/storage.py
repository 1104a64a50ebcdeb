#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
---
module: storage
short_description: Relink a shared folder as an Active Backup for Business storage, or detach a storage
version_added: 1.0.0
description:
  - Makes a shared folder of a Synology NAS an Active Backup for Business (ABB) storage, or makes
    sure it is none, through C(SYNO.ActiveBackup.Share) methods C(list), C(list_storage),
    C(relink) and C(remove).
  - Reads first, in one round trip (C(list) and C(list_storage) for O(state=present),
    C(list_storage) for O(state=absent)); writes only when needed; reads C(list_storage) again
    after a write and returns the entry it shows in RV(storage).
  - A share is an ABB storage when C(list_storage) has an entry for it whose relink is neither
    running nor failed. C(storage_id) alone does not decide it.
  - With O(state=present), a share that is a storage already is left alone. A share whose
    C(relinkable) is true (it holds an ABB repository, C(@ActiveBackup), that this ABB does not
    manage) is relinked. A relink that is already running is waited for (with O(wait)) and never
    started again; the task then reports no change, since it sent nothing. Anything else fails
    with a clear message and no write - no such share, a share that is not relinkable (the message
    says what would make it so), an encrypted share that is not mounted.
  - With O(state=absent), a share that is no storage is left alone. A storage in use (backup tasks
    in C(backup_tasks) or C(device_count) above 0) is refused unless O(force=true); the message
    lists the task names, the device count and the size of the backup data.
author:
  - syno.activebackup maintainers (@syno-activebackup)
extends_documentation_fragment:
  - syno.activebackup._connection
  - syno.activebackup._attributes
  - syno.activebackup._attributes.actions
options:
  share_name:
    description:
      - Name of the shared folder, for example V(ActiveBackupforBusiness). Not a path.
      - It is sent exactly as given, as a JSON string. Quote names that YAML would read as a number or a
        boolean (V("123"), V("true")); an unquoted V(true) reaches the module as the text V(True).
      - An empty or blank name, a name with V(/), V(.), V(..), control characters and names longer than 255
        bytes are refused before anything is sent to the NAS.
    type: str
    required: true
  state:
    description:
      - V(present) makes the shared folder an ABB storage, relinking the repository it holds.
      - V(absent) detaches the shared folder's storage from ABB.
    type: str
    default: present
    choices:
      - present
      - absent
  wait:
    description:
      - With O(state=present), wait until a relink (started by the task, or already running) has
        finished, polling C(list_storage) after 1 second, then every 2, 4, 8 and at most 10 seconds.
      - The task fails when the relink failed, with C(relink_state.error.code) in its message and in
        C(error.details.relink_state).
      - With V(false) the task returns right after starting the relink; RV(storage) then shows it
        running (C(relink_state.alive=true)).
      - Ignored with O(state=absent).
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait with O(wait=true). When they have passed and the relink still runs, the
        task fails; the relink may still complete on the NAS, and a later run waits for it again.
      - From V(1) to V(86400) (one day).
    type: int
    default: 600
  remove_data:
    description:
      - With O(state=absent), also delete the repository on the shared folder, that is B(every
        backup version of every device) in it. This cannot be undone. The result then carries a
        warning saying so.
      - With V(false) the repository stays on the shared folder, which becomes relinkable, so it
        can be relinked later (on this NAS or on another one).
      - Ignored with O(state=present) (a warning says so).
    type: bool
    default: false
  force:
    description:
      - With O(state=absent), remove a storage that backup tasks or devices still use.
      - Without it such a storage is refused, and the message lists the backup tasks, the number of
        devices and the size of the backup data that would lose their destination (or be deleted,
        with O(remove_data=true)).
      - DSM itself refuses to remove a storage that backup tasks use, even with V(true); delete or
        move those tasks in ABB first. Devices without tasks do not stop it.
      - Ignored with O(state=present) (a warning says so).
    type: bool
    default: false
notes:
  - "Check mode: nothing is written and no relink is waited for. RV(storage) is the predicted
    entry - V(null) after a removal; after a relink, the entry as it stands with C(relink_state)
    finished, or, for a share that had no entry, only C(share_name), C(volume_path), C(repo_dir)
    and C(relink_state), since the rest is known only once DSM has relinked it."
  - "Diff mode: C(before) and C(after) are the share's C(list_storage) entry, in the shape of
    M(syno.activebackup.storage_info)'s RV(syno.activebackup.storage_info#module:storages), or an empty
    dictionary when there is none."
  - "Assumption about the DSM API: a shared folder is a linked storage when C(list_storage) has an
    entry with its name whose C(relink_state) is neither running (C(alive=true)) nor failed
    (C(owner=false) with C(error.code) not 0); an encrypted shared folder is listed by C(list) only
    while it is mounted; C(backup_tasks) entries carry C(task_id) and C(task_name). No public
    document of Synology pins this (assumptions A15, A17 and A18 of the collection's scope guide);
    please report a mismatch with a real NAS."
  - "Assumption about the DSM API: C(relink) answers at once and relinks in the background;
    C(list_storage) shows it running with C(relink_state.alive=true), then done with
    C(error.code=0), or failed with C(owner=false) and C(error.code) not 0, after which it may be
    relinked again; it refuses with error 100 and a reason. No public document of Synology pins
    this (assumptions A8 to A11 of the collection's scope guide); please report a mismatch."
  - "Assumption about the DSM API: C(remove) accepts C(storage_id) besides C(share_name) and
    C(is_remove_data), and refuses with error 100 and a reason (C(storage_in_use) while backup tasks
    use the storage, C(relink_in_progress), C(not_a_storage), C(no_such_share)). No public document
    of Synology pins this (assumptions A12 to A14 of the collection's scope guide); please report a
    mismatch."
  - A relink or removal that DSM answered busy, or whose answer was lost, is not repeated; the task
    fails saying that the change may or may not have been applied. Run it again; it reads the state
    first.
seealso:
  - module: syno.activebackup.storage_info
  - module: syno.activebackup.share_info
  - module: syno.activebackup.directory
  - module: syno.activebackup.session
'''

EXAMPLES = r'''
---
- name: Relink a shared folder that holds an ABB repository
  syno.activebackup.storage:
    host: nas1.example.com
    username: backup-admin
    password: "{{ vault_dsm_password }}"
    share_name: ABB-Migrated
    state: present
  register: abb_storage

- name: Show what the storage holds
  ansible.builtin.debug:
    msg: >-
      {{ abb_storage.share_name }}: storage {{ abb_storage.storage.storage_id }},
      {{ abb_storage.storage.device_count }} devices

- name: Start a relink without waiting (a later run with wait waits for it)
  syno.activebackup.storage:
    share_name: ABB-Migrated
    wait: false

- name: Detach an unused storage, keeping its backup data on the shared folder
  syno.activebackup.storage:
    share_name: ABB-Old
    state: absent

- name: Detach a storage and delete every backup version in it
  syno.activebackup.storage:
    share_name: ABB-Scratch
    state: absent
    remove_data: true
    force: true

# Move a destination from one NAS to another: detach it without its data on the old NAS, move
# the shared folder's data (for example with Hyper Backup or by moving the disks), then relink
# it on the new NAS. Delete or move the backup tasks that use it first: DSM keeps a storage
# that backup tasks use.
- name: Read the destination on the old NAS
  syno.activebackup.storage_info:
    host: nas-old.example.com
    username: backup-admin
    password: "{{ vault_dsm_password }}"
    share_name: ABB-Fleet
  register: abb_old

- name: Detach the destination on the old NAS, keeping the repository
  syno.activebackup.storage:
    host: nas-old.example.com
    username: backup-admin
    password: "{{ vault_dsm_password }}"
    share_name: ABB-Fleet
    state: absent
    remove_data: false
    force: true

- name: Relink the destination on the new NAS
  syno.activebackup.storage:
    host: nas-new.example.com
    username: backup-admin
    password: "{{ vault_dsm_password }}"
    share_name: ABB-Fleet
    state: present
    wait_timeout: 3600
  register: abb_relinked

- name: Check that the devices came along
  ansible.builtin.assert:
    that:
      - abb_relinked.storage.relink_state.error.code == 0
      - abb_relinked.storage.device_count == abb_old.storages[0].device_count
'''

RETURN = r'''
share_name:
  description: The shared folder, as given in O(share_name).
  returned: success
  type: str
  sample: ABB-Migrated
state:
  description: The state the task made sure of, as given in O(state).
  returned: success
  type: str
  sample: present
storage:
  description:
    - The share's C(list_storage) entry as read after the change (numbers as integers), in the
      shape of M(syno.activebackup.storage_info)'s RV(syno.activebackup.storage_info#module:storages).
    - V(null) when C(list_storage) has no entry for the share, in particular after a removal.
    - An entry whose relink failed is returned as listed; it is not a linked storage.
    - In check mode, the predicted entry (see the notes).
  returned: success
  type: dict
  sample:
    automount_iv: ""
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
    share_name: ABB-Migrated
    share_type: ""
    storage_compress_algorithm: 0
    storage_encrypt_algorithm: 0
    storage_id: 3
    vol_name: Volume 2
    volume_path: /volume2
  contains:
    share_name:
      description: Shared folder of the storage.
      type: str
      sample: ABB-Migrated
    storage_id:
      description: ID of the storage in ABB.
      type: int
      sample: 3
    volume_path:
      description: Volume of the shared folder.
      type: str
      sample: /volume2
    repo_dir:
      description: Directory of the ABB repository inside the shared folder.
      type: str
      sample: "@ActiveBackup"
    mounted:
      description: Whether the storage is mounted.
      type: bool
    backup_tasks:
      description: Backup tasks that use the storage, each with C(task_id) and C(task_name).
      type: list
      elements: dict
      sample:
        - task_id: 3
          task_name: Laptops
    device_count:
      description: Number of devices backed up to the storage.
      type: int
      sample: 4
    device_info:
      description: Device counts and backed-up bytes per kind (C(pc_count), C(pc_size), C(vm_count), ...).
      type: dict
    dedup_size:
      description: Bytes stored after deduplication.
      type: int
      sample: 9121643806720
    relink_state:
      description: State of the latest relink of the storage.
      type: dict
      contains:
        alive:
          description: Whether a relink is running.
          type: bool
        owner:
          description: Whether this ABB owns the repository; V(false) with a non-zero C(error.code) after a failed relink.
          type: bool
        state:
          description: Relink progress as DSM reports it; V(0) when none is running.
          type: int
        error:
          description: Outcome of the latest relink; C(code) is V(0) when it succeeded. May be absent.
          type: dict
          sample:
            code: 0
'''

from ansible_collections.syno.activebackup.plugins.module_utils._op_storage import STORAGE
from ansible_collections.syno.activebackup.plugins.module_utils._runner import run_module


def main():
    run_module(STORAGE)


if __name__ == '__main__':
    main()
