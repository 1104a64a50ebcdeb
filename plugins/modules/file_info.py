#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
---
module: file_info
short_description: List the contents of a directory in a shared folder of a Synology NAS
version_added: 1.0.0
description:
  - Lists the files and directories directly inside O(root_path), a directory in a shared folder of a
    Synology NAS, through C(SYNO.ActiveBackup.Share) method C(list_file). It does not descend into
    subdirectories.
  - Useful to check the directories of a backup destination, see M(syno.activebackup.directory).
  - Changes nothing.
author:
  - syno.activebackup maintainers (@syno-activebackup)
extends_documentation_fragment:
  - syno.activebackup._connection
  - syno.activebackup._attributes
  - syno.activebackup._attributes.info_module
options:
  root_path:
    description:
      - Absolute path of the directory to list, under C(/volumeN/<shared folder>), for example
        V(/volume1/ActiveBackupforBusiness) or V(/volume1/ActiveBackupforBusiness/exports).
      - A trailing slash is ignored. A relative path, a path with an empty, V(.) or V(..) segment, and a path
        not under C(/volumeN/<shared folder>) are refused before anything is sent to the NAS.
      - A path that does not exist on the NAS (or is a file) fails the task with a message saying so.
    type: str
    required: true
notes:
  - "Assumption: Synology does not document C(list_file). The collection assumes that it takes C(root_path),
    answers the direct children of that directory (C(name), C(path), C(isdir)), and answers error 408 for a
    path that does not exist (see the collection's scope guide). Please report a NAS that answers otherwise."
seealso:
  - module: syno.activebackup.directory
  - module: syno.activebackup.share_info
  - module: syno.activebackup.storage_info
'''

EXAMPLES = r'''
---
- name: List the top of the default ABB shared folder
  syno.activebackup.file_info:
    host: nas1.example.com
    username: backup-admin
    password: "{{ vault_dsm_password }}"
    root_path: /volume1/ActiveBackupforBusiness
  register: abb_files

- name: Show the directories in it
  ansible.builtin.debug:
    msg: "{{ abb_files.files | selectattr('isdir') | map(attribute='name') | list }}"

- name: Fail unless the shared folder holds an ABB repository
  ansible.builtin.assert:
    that:
      - "'@ActiveBackup' in (abb_files.files | selectattr('isdir') | map(attribute='name'))"
'''

RETURN = r'''
root_path:
  description: The directory that was listed, as given in O(root_path) without a trailing slash.
  returned: success
  type: str
  sample: /volume1/ActiveBackupforBusiness
files:
  description:
    - Files and directories directly inside RV(root_path), in the order DSM sends them.
    - An empty list for an empty directory.
  returned: success
  type: list
  elements: dict
  sample:
    - name: "@ActiveBackup"
      path: /volume1/ActiveBackupforBusiness/@ActiveBackup
      isdir: true
    - name: exports
      path: /volume1/ActiveBackupforBusiness/exports
      isdir: true
    - name: README.txt
      path: /volume1/ActiveBackupforBusiness/README.txt
      isdir: false
  contains:
    name:
      description: Name of the entry.
      type: str
      sample: exports
    path:
      description: Absolute path of the entry.
      type: str
      sample: /volume1/ActiveBackupforBusiness/exports
    isdir:
      description: Whether the entry is a directory.
      type: bool
      sample: true
'''

from ansible_collections.syno.activebackup.plugins.module_utils._op_info import FILE_INFO
from ansible_collections.syno.activebackup.plugins.module_utils._runner import run_module


def main():
    run_module(FILE_INFO)


if __name__ == '__main__':
    main()
