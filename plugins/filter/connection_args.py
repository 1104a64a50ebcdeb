# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
name: connection_args
short_description: Connection options of the modules from C(activebackup_*) variables
version_added: 1.0.0
author:
  - syno.activebackup maintainers
description:
  - Takes variables by name (for example every C(activebackup_*) variable of a play) and returns the connection
    options of the syno.activebackup modules that they set - C(activebackup_host) becomes C(host), and so on for
    C(port), C(use_https), C(validate_certs), C(ca_path), C(username), C(password), C(otp_secret), C(device_id),
    C(device_name), C(timeout) and C(retries).
  - A variable that is null, and every variable that is not one of these, is left out, so that the module option keeps
    its value from C(module_defaults) or the E(SYNOLOGY_*) environment variables.
  - The roles of the collection (P(syno.activebackup.destinations#role), P(syno.activebackup.report#role)) read their
    optional connection variables with it, so that they accept the same ones.
positional: _input
options:
  _input:
    description:
      - Variable name to value.
    type: dict
    required: true
seealso:
  - module: syno.activebackup.session
'''

EXAMPLES = r'''
- name: Read the shares with the connection from activebackup_* variables (the others from module_defaults)
  vars:
    names: "{{ q('ansible.builtin.varnames', '^activebackup_') }}"
    dsm_connection: "{{ dict(names | zip(q('ansible.builtin.vars', *names))) | syno.activebackup.connection_args }}"
  syno.activebackup.share_info:
    host: "{{ dsm_connection.host | default(omit) }}"
    username: "{{ dsm_connection.username | default(omit) }}"
    password: "{{ dsm_connection.password | default(omit) }}"
'''

RETURN = r'''
_value:
  description: Module option name to value, for the connection variables that are set and not null.
  type: dict
  sample: {host: nas1.example.com, username: backup-admin, password: VALUE_SPECIFIED_IN_NO_LOG_PARAMETER}
'''

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

PREFIX = 'activebackup_'
# The module connection options a role variable activebackup_<option> may set. Not otp_code (a
# one-time code is no setting) nor session (the roles make their own).
CONNECTION_OPTIONS = (
    'host',
    'port',
    'use_https',
    'validate_certs',
    'ca_path',
    'username',
    'password',
    'otp_secret',
    'device_id',
    'device_name',
    'timeout',
    'retries',
)


def connection_args(variables):
    """Module connection options from ``{activebackup_<option>: value}`` (see DOCUMENTATION)."""
    if not isinstance(variables, Mapping):
        raise AnsibleFilterError('connection_args: expects a dictionary of variable name to value, not %s'
                                 % type(variables).__name__)
    out = {}
    for option in CONNECTION_OPTIONS:
        value = variables.get(PREFIX + option)
        if value is not None:
            out[option] = value
    return out


class FilterModule:
    def filters(self):
        return {'connection_args': connection_args}
