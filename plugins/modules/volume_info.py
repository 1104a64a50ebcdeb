#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
---
module: volume_info
short_description: List the volumes of a Synology NAS with their size and usage
version_added: 1.0.0
description:
  - Lists the volumes of a Synology NAS as Active Backup for Business (ABB) sees them, with their size,
    used and free bytes, through C(SYNO.ActiveBackup.Share) method C(list_volume).
  - DSM sends the byte counts as decimal strings; the module returns integers and adds
    RV(volumes[].free_bytes) and RV(volumes[].used_percent).
  - Changes nothing.
author:
  - syno.activebackup maintainers (@syno-activebackup)
extends_documentation_fragment:
  - syno.activebackup._connection
  - syno.activebackup._attributes
  - syno.activebackup._attributes.info_module
options:
  volume_path:
    description:
      - Keep only the volume with this path in RV(volumes), for example V(/volume1). A trailing slash is ignored.
      - A path that matches no volume gives an empty list, not an error.
      - A relative path, a path inside a volume (V(/volume1/share)), the root V(/), and a path with an empty
        (V(//)), V(.) or V(..) segment or a control character are refused before anything is sent to the NAS.
    type: str
notes:
  - DSM documents that C(list_volume) may take longer to respond than the other methods.
seealso:
  - module: syno.activebackup.storage_info
  - module: syno.activebackup.share_info
  - module: syno.activebackup.facts
'''

EXAMPLES = r'''
---
- name: List the volumes of a NAS
  syno.activebackup.volume_info:
    host: nas1.example.com
    username: backup-admin
    password: "{{ vault_dsm_password }}"
  register: abb_volumes

- name: Warn about volumes more than 80 % full
  ansible.builtin.debug:
    msg: "{{ item.volume_path }} is {{ item.used_percent }} % full ({{ item.free_bytes | human_readable }} free)"
  loop: "{{ abb_volumes.volumes | selectattr('used_percent', 'gt', 80) | list }}"
  loop_control:
    label: "{{ item.volume_path }}"

- name: Fail when /volume1 has less than 1 TiB free
  ansible.builtin.assert:
    that:
      - (abb_volumes.volumes | selectattr('volume_path', 'equalto', '/volume1') | first).free_bytes > 1099511627776
'''

RETURN = r'''
volumes:
  description:
    - Volumes as C(list_volume) returns them, with the byte counts as integers and two computed fields.
    - Other fields DSM sends for a volume are returned as they are.
  returned: success
  type: list
  elements: dict
  sample:
    - volume_path: /volume1
      total_bytes: 23030223990784
      used_bytes: 12628378091520
      free_bytes: 10401845899264
      used_percent: 54.8
  contains:
    volume_path:
      description: Path of the volume.
      type: str
      sample: /volume1
    total_bytes:
      description: Size of the volume in bytes (DSM sends it as a string; this is an integer).
      type: int
      sample: 23030223990784
    used_bytes:
      description: Bytes used on the volume (DSM sends it as a string; this is an integer).
      type: int
      sample: 12628378091520
    free_bytes:
      description:
        - Bytes free on the volume, computed as RV(volumes[].total_bytes) minus RV(volumes[].used_bytes) (never below V(0)).
      type: int
      returned: when DSM sent both byte counts as numbers
      sample: 10401845899264
    used_percent:
      description:
        - Share of the volume in use, in percent, rounded to one decimal; V(0.0) for a volume of size V(0).
      type: float
      returned: when DSM sent both byte counts as numbers
      sample: 54.8
'''

from ansible_collections.syno.activebackup.plugins.module_utils._op_info import VOLUME_INFO
from ansible_collections.syno.activebackup.plugins.module_utils._runner import run_module


def main():
    run_module(VOLUME_INFO)


if __name__ == '__main__':
    main()
