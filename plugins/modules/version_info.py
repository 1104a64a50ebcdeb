#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
---
module: version_info
short_description: List the backup versions of one Active Backup for Business task
version_added: 1.0.0
description:
  - Lists the backup versions (restore points) of one backup task of Active Backup for Business (ABB) on a
    Synology NAS through C(SYNO.ActiveBackup.Version) method C(list), newest first, and names the newest
    completed one (RV(latest)).
  - The task is given by O(task_name) or O(task_id). A name is looked up with C(SYNO.ActiveBackup.Task)
    method C(list) first; a name that matches no task fails, listing the task names of the NAS.
  - Every version keeps the API's fields as they come, numbers as integers, and gains
    RV(versions[].status_name) beside C(status).
  - The list is read in pages (C(offset) and C(limit)) until O(limit) versions or every version has come; the
    user never pages.
  - Changes nothing.
author:
  - syno.activebackup maintainers (@syno-activebackup)
extends_documentation_fragment:
  - syno.activebackup._connection
  - syno.activebackup._attributes
  - syno.activebackup._attributes.info_module
options:
  task_name:
    description:
      - Name of the backup task (exact, case-sensitive).
      - One of O(task_name) and O(task_id) is required; they are mutually exclusive.
    type: str
  task_id:
    description:
      - ID of the backup task, as in RV(syno.activebackup.task_info#module:tasks[].task_id).
      - One of O(task_name) and O(task_id) is required; they are mutually exclusive.
    type: int
  limit:
    description:
      - Return at most this many versions, from 1 to 100000. Leave it out to get every version.
      - The NAS applies the limit to its own order of versions (newest first, assumption A25).
    type: int
notes:
  - "Assumptions about the API (listed in the collection's scope guide under these IDs): A25 (versions come
    newest first; the module sorts them by C(time_end) anyway), A26 (an unknown C(task_id) answers error
    1010), R10 (version status numbers other than V(3) completed), R4 (one task is selected only inside
    C(filter)), R1 (these APIs are called with version 1)."
seealso:
  - module: syno.activebackup.task_info
    description: O(syno.activebackup.task_info#module:with_versions=true) returns the versions of every task at once.
  - module: syno.activebackup.result_info
'''

EXAMPLES = r'''
---
- name: Read the versions of the task Office-PCs
  syno.activebackup.version_info:
    host: nas1.example.com
    username: backup-admin
    password: "{{ vault_dsm_password }}"
    task_name: Office-PCs
  register: office_versions

- name: Fail unless a completed version is less than a day old
  ansible.builtin.assert:
    that:
      - office_versions.latest is not none
      - (now(utc=true).timestamp() - office_versions.latest.time_end) < 86400
    fail_msg: "The newest completed version of Office-PCs is {{ office_versions.latest.folder_name | default('missing') }}"

- name: The three newest versions of task 4
  syno.activebackup.version_info:
    host: nas1.example.com
    username: backup-admin
    password: "{{ vault_dsm_password }}"
    task_id: 4
    limit: 3
  register: recent

- name: Show them
  ansible.builtin.debug:
    msg: "{{ recent.versions | map(attribute='folder_name') | list }} of {{ recent.total }} versions"
'''

RETURN = r'''
task_id:
  description: ID of the task.
  returned: success
  type: int
  sample: 1
task_name:
  description: Name of the task.
  returned: success
  type: str
  sample: Office-PCs
total:
  description:
    - Number of versions of the task on the NAS, as the NAS counts them (also when O(limit) returned fewer).
    - V(null) when the NAS gave no count.
  returned: success
  type: int
  sample: 10
versions:
  description:
    - The task's versions, newest first (sorted by C(time_end)), at most O(limit).
    - Fields not listed here are passed on unchanged.
  returned: success
  type: list
  elements: dict
  sample:
    - version_id: 285
      folder_name: ActiveBackup_2024-12-04_001800
      task_id: 1
      task_name: Office-PCs
      share_name: ActiveBackupforBusiness
      time_start: 1733270400
      time_end: 1733271520
      status: 3
      status_name: completed
      verify_status: 0
      used_size: 23717955778
      locked: false
      is_snapshot: true
      data_format: 1
  contains:
    version_id:
      description: ID of the version.
      type: int
      sample: 285
    folder_name:
      description: Folder of the version in the storage, named after its start time.
      type: str
      sample: ActiveBackup_2024-12-04_001800
    time_start:
      description: Start of the backup that made the version, epoch seconds.
      type: int
      sample: 1733270400
    time_end:
      description: End of that backup, epoch seconds.
      type: int
      sample: 1733271520
    status:
      description:
        - State of the version as ABB's number (V(0) backing up, V(1) deleting, V(2) paused, V(3) completed,
          V(4) failed, V(5) partial, V(6) cancelled, V(7) delete failed, V(8) cloning, V(777) waiting for the
          connection). Only V(3) is sure; the rest is assumption R10.
      type: int
      sample: 3
    status_name:
      description: Added by the collection. Name of RV(versions[].status), or V(unknown) for a number outside the table.
      type: str
      choices: [backing_up, deleting, paused, completed, failed, partial, cancelled, delete_failed, cloning,
                waiting_connection, unknown]
      sample: completed
    verify_status:
      description: Verification state as DSM gives it; its meaning is not known, so it is passed on as it comes.
      type: int
      sample: 0
    used_size:
      description: Bytes the version takes.
      type: int
      sample: 23717955778
    locked:
      description: Whether the version is locked against deletion by retention.
      type: bool
      sample: false
    is_snapshot:
      description: Whether the version is a snapshot, as DSM gives it.
      type: bool
      sample: true
    data_format:
      description: Format of the version's data as DSM's number; passed on as it comes.
      type: int
      sample: 1
latest:
  description:
    - Added by the collection. The newest version of RV(versions) whose status is V(3) (completed), or V(null)
      when none is.
    - With O(limit), only the versions returned are considered.
  returned: success
  type: dict
  sample:
    version_id: 285
    folder_name: ActiveBackup_2024-12-04_001800
    time_start: 1733270400
    time_end: 1733271520
    status: 3
    status_name: completed
    used_size: 23717955778
    locked: false
'''

from ansible_collections.syno.activebackup.plugins.module_utils._op_jobs import VERSION_INFO
from ansible_collections.syno.activebackup.plugins.module_utils._runner import run_module


def main():
    run_module(VERSION_INFO)


if __name__ == '__main__':
    main()
