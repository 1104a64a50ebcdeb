#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
---
module: facts
short_description: Gather Active Backup for Business facts (shares, storages, volumes, file check) in one round trip
version_added: 1.0.0
description:
  - Reads what Active Backup for Business (ABB) knows about a Synology NAS and sets it as the host fact
    C(activebackup) (C(ansible_facts.activebackup)), which later tasks of the play can read.
  - All the reads that O(gather_subset) selects go to DSM in one C(SYNO.Entry.Request) compound request,
    so that with O(session) the whole module is one HTTP request. A NAS that does not offer compound
    requests (it answers 102 or 103) gets one request per read instead.
  - The reads are C(SYNO.ActiveBackup.Share) methods C(list) and C(list_encrypted) (subset C(shares)),
    C(list_storage) (C(storages)), C(list_volume) (C(volumes)) and C(check_file) (C(files_check)).
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
        result of ABB's repository file check.
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
seealso:
  - module: syno.activebackup.share_info
  - module: syno.activebackup.storage_info
  - module: syno.activebackup.volume_info
  - module: syno.activebackup.session
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
          sample: [shares, storages, volumes, files_check]
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
'''

from ansible_collections.syno.activebackup.plugins.module_utils._op_info import FACTS
from ansible_collections.syno.activebackup.plugins.module_utils._runner import run_module


def main():
    run_module(FACTS)


if __name__ == '__main__':
    main()
