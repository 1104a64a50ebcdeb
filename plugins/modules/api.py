#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
---
module: api
short_description: Call any method of the DSM web API
version_added: 1.0.0
description:
  - Calls one method of one DSM web API on a Synology NAS - for what no module of this collection
    covers - with the collection's session handling, retries, write rules, error messages and
    redaction of secrets.
  - Asks C(SYNO.API.Info) first for the path and the versions of O(api), so APIs outside C(entry.cgi)
    work; then logs in and makes the call.
  - Prefer a dedicated module when there is one (M(syno.activebackup.task_info),
    M(syno.activebackup.task), M(syno.activebackup.settings), M(syno.activebackup.storage), ...). They
    read before they write, change only what differs, support check mode and diff, and return
    normalised data. This module does none of that; it makes the call it is given.
author:
  - syno.activebackup maintainers (@syno-activebackup)
extends_documentation_fragment:
  - syno.activebackup._connection
  - syno.activebackup._attributes
attributes:
  check_mode:
    description: A read-only call is made in check mode; any other call is not made and reported as a change.
    support: partial
    details: A call that is not read-only (see O(read_only)) is not made in check mode, so its RV(data) is not returned.
  diff_mode:
    description: The module does not know what a call changes.
    support: none
  idempotent:
    description: A call that is not read-only always reports a change.
    support: none
options:
  api:
    description:
      - Name of the API, starting with V(SYNO.), for example V(SYNO.ActiveBackup.Overview). Case-sensitive.
      - M(syno.activebackup.api_info) lists the APIs a NAS offers.
    type: str
    required: true
  method:
    description: Name of the method, for example V(list).
    type: str
    required: true
  version:
    description:
      - Version of the API to call.
      - Default for C(SYNO.ActiveBackup.*) APIs V(1) (they answer 103 to higher versions although
        C(SYNO.API.Info) advertises them); for every other API the highest version the NAS advertises.
      - A version outside what the NAS advertises is refused before the call.
    type: int
  params:
    description:
      - Parameters of the call. Each value is sent as JSON text, as DSM expects (a text V(abc) as
        V("abc"), a list as V([1,2]), a boolean as V(true)). Parameters whose value is V(null) are left out.
      - C(api), C(version), C(method), C(_sid) and C(SynoToken) are set by the module and refused here.
      - Run the task with C(no_log) when a parameter holds a secret.
    type: dict
  read_only:
    description:
      - Whether the call only reads.
      - A read-only call reports no change, is made in check mode, and is retried when DSM is busy or an
        answer is lost (O(retries)).
      - Any other call reports a change, is not made in check mode, and is a write - once sent it is never
        sent again - if DSM answers busy or the answer is lost the task fails saying the change may or may
        not have been applied.
      - Default V(true) for methods named V(list*), V(get*), V(check*), V(load*), V(query), V(status) and
        V(info); V(false) for every other.
    type: bool
  redact:
    description:
      - Replace the value of every key in RV(data) whose name contains V(password), V(token), V(secret)
        or V(passwd), or is V(sid), V(synotoken), V(did) or (with a text value) V(device_id), by
        V(VALUE_REDACTED), at any depth. The key stays, so it shows that the field exists.
      - With V(false) the values are returned as DSM sent them, with a warning; run such a task with
        C(no_log) and keep its result out of logs.
      - A numeric C(device_id) is ABB's number of a backed-up device, not a secret; it is kept.
    type: bool
    default: true
notes:
  - Errors are reported as by every module of the collection, with host, API, method, code and meaning.
  - The session of the task (or the one given in O(session)) is used for the call; a call that ends it
    (such as C(SYNO.API.Auth) C(logout)) leaves the task to log in again for nothing else.
seealso:
  - module: syno.activebackup.api_info
  - module: syno.activebackup.task_info
  - module: syno.activebackup.task
  - module: syno.activebackup.settings
'''

EXAMPLES = r'''
---
- name: List the task templates of ABB (applied to newly connected agents; no module covers them)
  syno.activebackup.api:
    host: nas1.example.com
    username: backup-admin
    password: "{{ vault_dsm_password }}"
    api: SYNO.ActiveBackup.TaskTemplate
    method: list
  register: abb_templates

- name: Show the template names
  ansible.builtin.debug:
    msg: "{{ abb_templates.data.template_list | default([]) | map(attribute='template_name') | list }}"

- name: Read the activation state of ABB
  syno.activebackup.api:
    api: SYNO.ActiveBackup.Activation
    method: get
  register: abb_activation

- name: Fail when ABB is not activated
  ansible.builtin.assert:
    that: abb_activation.data.activated | default(false) | bool
    fail_msg: Active Backup for Business is not activated on {{ inventory_hostname }}

# cert_use_package is no entry of Setting.list, so the settings module cannot set it. A write:
# read_only defaults to false for set, so the task reports a change and is skipped in check mode.
- name: Use the package's own certificate for the agent connections
  syno.activebackup.api:
    api: SYNO.ActiveBackup.Setting
    method: set
    params:
      settings: []
      cert_use_package: true
'''

RETURN = r'''
data:
  description:
    - The C(data) member of DSM's answer, secret keys redacted (see O(redact)); an empty dictionary when
      DSM sends none (or sends something other than an object).
  returned: when the call was made (not for a call that is not read-only, in check mode)
  type: dict
  sample:
    tasks:
      - task_id: 1
        task_name: Office-PCs
        devices:
          - device_id: 1
            host_name: OFFICE-PC-01
            agent_token: VALUE_REDACTED
            login_password: VALUE_REDACTED
    total: 1
api:
  description: The API called, as given.
  returned: success
  type: str
  sample: SYNO.ActiveBackup.Task
method:
  description: The method called, as given.
  returned: success
  type: str
  sample: list
version:
  description: The version used (given, or chosen as O(version) describes).
  returned: success
  type: int
  sample: 1
path:
  description: The path of the API under C(/webapi/) as C(SYNO.API.Info) advertises it.
  returned: success
  type: str
  sample: entry.cgi
read_only:
  description: Whether the call was treated as read-only (given, or chosen from the method's name).
  returned: success
  type: bool
  sample: true
'''

from ansible_collections.syno.activebackup.plugins.module_utils._op_api import API
from ansible_collections.syno.activebackup.plugins.module_utils._runner import run_module


def main():
    run_module(API)


if __name__ == '__main__':
    main()
