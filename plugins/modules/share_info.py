#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
---
module: share_info
short_description: List the shared folders Active Backup for Business can use as backup destinations
version_added: 1.0.0
description:
  - Lists the shared folders of a Synology NAS as Active Backup for Business (ABB) sees them, with
    the default destination, through C(SYNO.ActiveBackup.Share) methods C(list) and C(list_encrypted)
    (both in one round trip).
  - Whether a shared folder is a linked ABB storage is told by M(syno.activebackup.storage_info), not by
    RV(shares[].storage_id).
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
      - Keep only the shared folder of this name in RV(shares) and RV(encrypted_shares).
      - A name that matches nothing gives empty lists, not an error. RV(default_share) is returned either way.
      - An empty name, a path (a name with V(/)), V(.), V(..), control characters and names longer than 255 bytes
        are refused before anything is sent to the NAS.
      - Quote names that YAML would read as a number or a boolean (V("123"), V("true")); an unquoted V(true)
        reaches the module as the text V(True).
    type: str
seealso:
  - module: syno.activebackup.storage_info
  - module: syno.activebackup.volume_info
  - module: syno.activebackup.file_info
  - module: syno.activebackup.facts
  - module: syno.activebackup.storage
'''

EXAMPLES = r'''
---
- name: List the shared folders ABB can back up to
  syno.activebackup.share_info:
    host: nas1.example.com
    username: backup-admin
    password: "{{ vault_dsm_password }}"
  register: abb_shares

- name: Show the shares that hold an ABB repository not yet linked
  ansible.builtin.debug:
    msg: "{{ abb_shares.shares | selectattr('relinkable') | map(attribute='name') | list }}"

- name: One share, with the connection from module_defaults
  module_defaults:
    group/syno.activebackup.dsm:
      host: nas1.example.com
      username: backup-admin
      password: "{{ vault_dsm_password }}"
  block:
    - name: Read the share ABB-Migrated
      syno.activebackup.share_info:
        name: ABB-Migrated
      register: abb_share

    - name: Fail unless it exists and ABB can use it
      ansible.builtin.assert:
        that:
          - abb_share.shares | length == 1
          - abb_share.shares[0].available
          - not abb_share.shares[0].readonly
'''

RETURN = r'''
default_share:
  description: Name of the shared folder where new backup tasks go.
  returned: success
  type: str
  sample: ActiveBackupforBusiness
shares:
  description:
    - Shared folders as C(list) returns them, numbers as integers.
    - An encrypted shared folder appears here only while it is mounted; see RV(encrypted_shares).
  returned: success
  type: list
  elements: dict
  sample:
    - acl_permission: true
      available: true
      compress: false
      cow: false
      delegated: false
      free_space: 10401845899264
      name: ActiveBackupforBusiness
      not_support_new_vesion: false
      path: /volume1/ActiveBackupforBusiness
      readonly: false
      relinkable: false
      share_type: ""
      storage_automount: true
      storage_compress_algorithm: 0
      storage_encrypt_algorithm: 0
      storage_id: 1
      storage_mounted: true
      type: btrfs
      volume_no_space: false
  contains:
    name:
      description: Name of the shared folder.
      type: str
      sample: ActiveBackupforBusiness
    path:
      description: Absolute path of the shared folder.
      type: str
      sample: /volume1/ActiveBackupforBusiness
    available:
      description: Whether ABB can use the shared folder.
      type: bool
      sample: true
    readonly:
      description: Whether the shared folder is read-only.
      type: bool
      sample: false
    acl_permission:
      description: Whether the shared folder uses Windows ACL permissions.
      type: bool
      sample: true
    compress:
      description: Whether the file system compresses the shared folder.
      type: bool
      sample: false
    cow:
      description: Whether copy-on-write is on for the shared folder, as DSM reports it.
      type: bool
      sample: false
    delegated:
      description: Whether the shared folder is delegated, as DSM reports it.
      type: bool
      sample: false
    share_type:
      description: Type of the shared folder as DSM reports it; empty for an ordinary one.
      type: str
      sample: ""
    type:
      description: File system of the volume.
      type: str
      sample: btrfs
    free_space:
      description: Free bytes on the volume of the shared folder.
      type: int
      sample: 10401845899264
    volume_no_space:
      description: Whether the volume is out of space.
      type: bool
      sample: false
    relinkable:
      description:
        - Whether the shared folder holds an ABB repository that this ABB does not manage, so that
          M(syno.activebackup.storage) with O(syno.activebackup.storage#module:state=present) can relink it.
      type: bool
      sample: false
    storage_id:
      description:
        - ID of the ABB storage on the shared folder; V(0) or absent when it is none.
        - Do not decide from it whether the share is a storage; see M(syno.activebackup.storage_info).
      type: int
      sample: 1
    storage_mounted:
      description: Whether the storage on the shared folder is mounted.
      type: bool
      sample: true
    storage_automount:
      description: Whether the storage is mounted automatically at boot (for an encrypted shared folder).
      type: bool
      sample: true
    storage_compress_algorithm:
      description: Compression of the repository as DSM's number for it; V(0) for none.
      type: int
      sample: 0
    storage_encrypt_algorithm:
      description: Encryption of the repository as DSM's number for it; V(0) for none.
      type: int
      sample: 0
    not_support_new_vesion:
      description: Flag as DSM spells it (sic); true when the share cannot hold the current repository format.
      type: bool
      sample: false
encrypted_shares:
  description:
    - Encrypted shared folders, mounted or not, as C(list_encrypted) returns them; same fields as RV(shares).
  returned: success
  type: list
  elements: dict
  sample: []
'''

from ansible_collections.syno.activebackup.plugins.module_utils._op_info import SHARE_INFO
from ansible_collections.syno.activebackup.plugins.module_utils._runner import run_module


def main():
    run_module(SHARE_INFO)


if __name__ == '__main__':
    main()
