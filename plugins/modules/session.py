#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
---
module: session
short_description: Log in to DSM once and share the session between tasks, or log it out
version_added: 1.0.0
description:
  - With O(state=present), logs in to DSM through C(SYNO.API.Auth) method C(login) (with two-factor
    authentication where the account has it) and returns the session in RV(session). Pass it to the
    other modules of the collection in their O(session) option, usually through C(module_defaults),
    so that a play makes one login per NAS instead of one per task.
  - With O(state=absent), logs out the session given in O(session).
  - The result of O(state=present) holds secrets (the session ID and SynoToken, and a trusted-device
    token when one was asked for). B(Run the task with C(no_log) set to V(true)), and never print or store
    RV(session) except RV(session.device_id), which belongs in a vault.
  - A session is not configuration of the NAS, so the module always reports no change.
  - See the guide C(docs/docsite/rst/guide_sessions.rst) (Sessions and two-factor authentication)
    for the pattern and for what per-task logins cost on the NAS.
author:
  - syno.activebackup maintainers (@syno-activebackup)
extends_documentation_fragment:
  - syno.activebackup._connection
  - syno.activebackup._attributes
attributes:
  check_mode:
    description:
      - Logs in and out in check mode as well, so that the tasks that follow can read the NAS
        under C(--check). A session changes no configuration.
    support: full
  diff_mode:
    description: A session is not configuration; there is no diff.
    support: N/A
  idempotent:
    description:
      - Always reports no change. Every run with O(state=present) opens a new session; logging out a
        session that has already ended is no error.
    support: full
options:
  state:
    description:
      - V(present) logs in with O(username) and O(password) (and O(otp_code), O(otp_secret) or
        O(device_id) for an account with two-factor authentication) and returns the new session.
        An O(session) given as well is neither used nor logged out.
      - V(absent) logs out the session given in O(session). A session that has already ended (timed
        out, logged out, or dropped by a DSM restart) is no error. It never logs in, not even with
        O(username) and O(password) given as well.
    type: str
    choices: [present, absent]
    default: present
  request_device_token:
    description:
      - With O(state=present), ask DSM for a trusted-device token for O(device_name) and return it
        in RV(session.device_id).
      - Meant to be run once, by hand, with O(otp_code) or O(otp_secret); store the token in a vault
        and give it to later runs in O(device_id) (or E(SYNOLOGY_DEVICE_ID)), so that they need no
        code.
      - DSM issues a token only for an account with two-factor authentication; the task warns when
        none came back.
      - Has no effect when O(device_id) is given, since the login then uses that token.
    type: bool
    default: false
notes:
  - Every other module logs in and out on its own when it gets no O(session). For a play of several
    tasks on one NAS that means a login, a DSM C(Connection) log line and, with O(otp_secret), a
    wait whenever two tasks fall into one 30-second TOTP window. One session per NAS avoids all three.
  - When a session given to another module has expired (DSM's idle timeout, a restart, or a logout)
    and that task has O(username) and O(password) too, it logs in once more and warns; without them
    it fails saying that the session expired.
  - Login failures are never retried (wrong password, wrong or reused code, blocked address), so that
    DSM Auto Block is not fed. The one exception is O(otp_secret) when this 30-second window's code was
    already used; the task then waits once for the next window.
seealso:
  - module: syno.activebackup.facts
  - module: syno.activebackup.share_info
'''

EXAMPLES = r'''
---
# The pattern: one login per NAS, its session passed to every module, logout in "always".
- name: ABB destinations with one session per NAS
  hosts: nas
  gather_facts: false
  module_defaults:
    group/syno.activebackup.dsm:
      host: "{{ inventory_hostname }}"
      username: backup-admin
      password: "{{ vault_dsm_password }}"
      device_id: "{{ vault_dsm_device_id | default(omit) }}"
      device_name: ansible-controller   # the name the token was issued for (second play)
      # Undefined until the login task below has run; omitted there.
      session: "{{ abb_session.session | default(omit) }}"
  tasks:
    - name: Log in once
      syno.activebackup.session:
      register: abb_session
      no_log: true        # the result holds the session ID and SynoToken
      check_mode: false   # log in under --check too: the reads below need the session

    - name: Work with the session
      block:
        - name: Gather ABB facts
          syno.activebackup.facts:

        - name: Show the default destination
          ansible.builtin.debug:
            msg: "{{ ansible_facts.activebackup.default_share }}"

        - name: Read the volumes
          syno.activebackup.volume_info:
          register: abb_volumes
      always:
        - name: Log out
          syno.activebackup.session:
            state: absent
          check_mode: false

# Once, by hand: get a trusted-device token for an account with 2FA and store it in a vault.
- name: Get a trusted-device token
  hosts: nas
  gather_facts: false
  tasks:
    - name: Log in with a code and ask for a device token
      syno.activebackup.session:
        host: "{{ inventory_hostname }}"
        username: backup-admin
        password: "{{ vault_dsm_password }}"
        otp_code: "{{ otp }}"
        device_name: ansible-controller
        request_device_token: true
      register: abb_token
      no_log: true

    - name: Write the token into a file only the controller's user can read
      ansible.builtin.copy:
        dest: "{{ inventory_dir }}/host_vars/{{ inventory_hostname }}/dsm_device.yml"
        content: "{{ {'vault_dsm_device_id': abb_token.session.device_id} | to_nice_yaml }}"
        mode: '0600'
      delegate_to: localhost
      no_log: true
    # Then encrypt it: ansible-vault encrypt host_vars/*/dsm_device.yml

    - name: Log that session out again
      syno.activebackup.session:
        host: "{{ inventory_hostname }}"
        state: absent
        session: "{{ abb_token.session }}"
'''

RETURN = r'''
session:
  description:
    - The new session, for the O(session) option of the other modules.
    - B(Secret). Run the task with C(no_log) set to V(true).
  returned: O(state=present)
  type: dict
  contains:
    sid:
      description: Session ID.
      type: str
      sample: VMxHHUHhAq3L0hMOe6EmQBjoq4...
    synotoken:
      description: SynoToken of the session (the C(X-SYNO-TOKEN) header); empty when DSM issued none.
      type: str
      sample: 3ZJ9nKyqWqc2I
    device_id:
      description:
        - Trusted-device token issued for O(device_name), when O(request_device_token=true) and DSM
          issued one. Give it to later runs in O(device_id) so that they skip the two-factor code.
      type: str
      returned: when DSM issued a trusted-device token
      sample: "d9Vg0Ci0QpQ8QvJt..."
logged_out:
  description:
    - V(true) when DSM confirmed the logout, V(false) when it answered that the session was no longer
      valid.
    - DSM also confirms the logout of a session that it no longer knows (ended by its idle timeout or
      a restart), so V(true) means that the session is gone now, not that it was still valid before.
  returned: O(state=absent)
  type: bool
  sample: true
'''

from ansible_collections.syno.activebackup.plugins.module_utils._op_session import SESSION
from ansible_collections.syno.activebackup.plugins.module_utils._runner import run_module


def main():
    run_module(SESSION)


if __name__ == '__main__':
    main()
