#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
---
module: directory
short_description: Make directories exist on a shared folder of a Synology NAS
version_added: 1.0.0
description:
  - Makes sure that directories exist inside existing shared folders of a Synology NAS, for example
    the folders that Active Backup for Business (ABB) tasks or exports write to, through
    C(SYNO.ActiveBackup.Share) methods C(list_file) and C(create_fs_dir).
  - Reads first. For each path it lists the parent directory with C(list_file), once per parent
    (several paths under one parent share one listing; deeper paths are looked at first, so their
    listings also answer for their ancestors). Only when a parent does not exist does it look one
    level up, and so on up to the shared folder. A re-run where everything exists therefore costs
    one C(list_file) per distinct parent directory.
  - Whether the shared folder exists is found the same way, with C(list_file) on
    C(/volumeN/<shared folder>), only when the listings below it did not already show it; the
    shares are not listed.
  - Then it creates every missing path, parents included, in one C(create_fs_dir) call, and
    nothing when every path exists. DSM creates all the paths of that call or none, so the
    directories are not read again afterwards.
  - Every path is checked before any request is sent, the login included. Relative paths, C(.)
    and C(..) segments, empty segments (C(//)), control characters and paths outside
    C(/volumeN/<shared folder>/) are refused.
  - It does not create shared folders and never deletes anything (the API has no delete).
author:
  - syno.activebackup maintainers (@syno-activebackup)
extends_documentation_fragment:
  - syno.activebackup._connection
  - syno.activebackup._attributes
  - syno.activebackup._attributes.actions
options:
  paths:
    description:
      - Absolute paths of the directories that must exist, each under C(/volumeN/<shared folder>/),
        for example C(/volume1/ActiveBackupforBusiness/laptops).
      - A trailing slash is ignored, and so is a path given twice.
      - A path may be the shared folder itself (C(/volume1/ActiveBackupforBusiness)); it is then only
        checked to exist.
      - The task fails, and creates nothing, when a shared folder does not exist (the message names
        it) or when an existing component of a path is a file.
      - An empty list reads and changes nothing.
      - At most 1000 distinct paths per task; split longer lists over several tasks. Relative paths, paths
        with an empty, V(.) or V(..) segment or a control character, paths not under C(/volumeN/<shared folder>/)
        and over-long paths are refused before anything is sent to the NAS.
    type: list
    elements: str
    required: true
  state:
    description:
      - V(present) makes sure the directories exist. It is the only choice, since the API cannot delete
        directories.
    type: str
    default: present
    choices:
      - present
notes:
  - "Check mode: RV(created) lists the paths the task would create; nothing is written."
  - "Diff mode: C(before) and C(after) map each path (without trailing slash) to V(present) or V(absent)."
  - "Assumption about the DSM API: C(list_file) lists the direct children of an existing directory
    and answers error 408 for a C(root_path) that does not exist, a shared folder included. The
    module decides from that whether a directory or a shared folder exists. No public document of
    Synology pins this (assumptions A3 to A5 of the collection's scope guide); please report a
    mismatch with a real NAS."
  - "Assumption about the DSM API: C(create_fs_dir) creates each path with its parents (like
    C(mkdir -p)), treats an existing directory as no error, and answers error 408 for a path
    outside every shared folder or under a file, creating none of the paths. No public document of
    Synology pins this (assumptions A6 and A7 of the collection's scope guide); please report a
    mismatch with a real NAS."
seealso:
  - module: syno.activebackup.file_info
  - module: syno.activebackup.share_info
  - module: syno.activebackup.storage
'''

EXAMPLES = r'''
---
- name: Make sure the destination directories exist
  syno.activebackup.directory:
    host: nas1.example.com
    username: backup-admin
    password: "{{ vault_dsm_password }}"
    paths:
      - /volume1/ActiveBackupforBusiness/laptops
      - /volume1/ActiveBackupforBusiness/servers
      - /volume1/ActiveBackupforBusiness/exports/2025
  register: abb_dirs

- name: Say what was created
  ansible.builtin.debug:
    msg: "Created on nas1: {{ abb_dirs.created | join(', ') if abb_dirs.created else 'nothing' }}"

- name: Only tell what would be created (connection from module_defaults)
  syno.activebackup.directory:
    paths: "{{ abb_destination_dirs }}"
  check_mode: true
  diff: true
  register: abb_dirs_preview

- name: Fail the play when a directory is missing
  ansible.builtin.assert:
    that: abb_dirs_preview.created | length == 0
    fail_msg: "Missing on the NAS: {{ abb_dirs_preview.created | join(', ') }}"
'''

RETURN = r'''
paths:
  description: The paths as given in O(paths).
  returned: success
  type: list
  elements: str
  sample:
    - /volume1/ActiveBackupforBusiness/laptops
    - /volume1/ActiveBackupforBusiness/servers/
created:
  description:
    - The paths of O(paths) that did not exist and were created (in check mode, would be created),
      without trailing slash and in the given order. Missing parents that are not in O(paths) are
      created too but not listed.
    - Empty when every path existed.
  returned: success
  type: list
  elements: str
  sample:
    - /volume1/ActiveBackupforBusiness/servers
'''

from ansible_collections.syno.activebackup.plugins.module_utils._op_directory import DIRECTORY
from ansible_collections.syno.activebackup.plugins.module_utils._runner import run_module


def main():
    run_module(DIRECTORY)


if __name__ == '__main__':
    main()
