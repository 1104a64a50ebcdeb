#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
---
module: api_info
short_description: List the DSM web APIs a NAS advertises (SYNO.API.Info)
version_added: 1.0.0
description:
  - Asks a Synology NAS which web APIs it offers, through C(SYNO.API.Info) method C(query) on C(query.cgi),
    and returns for each API the path, the versions and the request format that the NAS advertises.
  - Useful to see whether Active Backup for Business (ABB) is installed and running (its
    C(SYNO.ActiveBackup.*) APIs are listed only then), which ABB APIs a NAS has, and what to give the
    C(syno.activebackup.api) module.
  - One request, without a login; C(SYNO.API.Info) needs no session. The connection options are checked as
    for every module, but the credentials are not used.
  - Changes nothing.
author:
  - syno.activebackup maintainers (@syno-activebackup)
extends_documentation_fragment:
  - syno.activebackup._connection
  - syno.activebackup._attributes
  - syno.activebackup._attributes.info_module
options:
  query:
    description:
      - The APIs to list, each an exact API name (V(SYNO.ActiveBackup.Task)) or a prefix that ends in V(*)
        (V(SYNO.ActiveBackup.*), V(SYNO.*)). Every pattern starts with V(SYNO).
      - A pattern that ends in V(.*) is sent to the NAS as that prefix (V(SYNO.ActiveBackup.)); exact names
        are sent as they are; any other V(*) pattern (such as V(SYNO.Active*)) makes the module ask for
        V(all). The answer is then filtered to the patterns.
      - A pattern that is not an API name or such a prefix fails the task before the request.
    type: list
    elements: str
    default: [SYNO.ActiveBackup.*]
notes:
  - The versions advertised for the C(SYNO.ActiveBackup.*) APIs are not the ones to call them with; the
    collection always calls them with version 1 (assumption R1 in the collection's scope guide).
  - An empty RV(apis) for the default query means that Active Backup for Business is not installed, or not
    running, on the NAS (assumption R3).
seealso:
  - module: syno.activebackup.task_info
  - module: syno.activebackup.facts
'''

EXAMPLES = r'''
---
- name: List the ABB APIs of a NAS
  syno.activebackup.api_info:
    host: nas1.example.com
    username: backup-admin
    password: "{{ vault_dsm_password }}"
  register: abb_apis

- name: Fail when Active Backup for Business is not installed
  ansible.builtin.assert:
    that: "'SYNO.ActiveBackup.Task' in abb_apis.apis"
    fail_msg: Active Backup for Business is not installed or not running on {{ inventory_hostname }}

- name: Read what the NAS says about the login and DSM.Info APIs
  syno.activebackup.api_info:
    host: nas1.example.com
    username: backup-admin
    password: "{{ vault_dsm_password }}"
    query:
      - SYNO.API.Auth
      - SYNO.DSM.*
  register: dsm_apis

- name: Show the highest login version
  ansible.builtin.debug:
    msg: "SYNO.API.Auth {{ dsm_apis.apis['SYNO.API.Auth'].minVersion }}-{{ dsm_apis.apis['SYNO.API.Auth'].maxVersion }}"
'''

RETURN = r'''
apis:
  description:
    - The APIs that match O(query), by name (sorted), each as the NAS advertises it.
    - Empty when the NAS advertises none of them.
  returned: success
  type: dict
  sample:
    SYNO.ActiveBackup.Log:
      path: entry.cgi
      minVersion: 1
      maxVersion: 2
      requestFormat: JSON
    SYNO.ActiveBackup.Task:
      path: entry.cgi
      minVersion: 1
      maxVersion: 2
      requestFormat: JSON
  contains:
    path:
      description: The CGI the API is called on, under C(/webapi/).
      type: str
      sample: entry.cgi
    minVersion:
      description: The lowest version the NAS advertises.
      type: int
      sample: 1
    maxVersion:
      description: The highest version the NAS advertises.
      type: int
      sample: 2
    requestFormat:
      description: How the NAS wants parameter values (V(JSON) for JSON text).
      type: str
      returned: when the NAS advertises it
      sample: JSON
'''

from ansible_collections.syno.activebackup.plugins.module_utils._op_api import API_INFO
from ansible_collections.syno.activebackup.plugins.module_utils._runner import run_module


def main():
    run_module(API_INFO)


if __name__ == '__main__':
    main()
