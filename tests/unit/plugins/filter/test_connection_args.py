# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The connection_args filter: the one list of connection variables both roles read."""

from __future__ import annotations

import os

import pytest
import yaml

from ansible.errors import AnsibleFilterError

from ansible_collections.syno.activebackup.plugins.filter.connection_args import (
    CONNECTION_OPTIONS,
    FilterModule,
    connection_args,
)
from ansible_collections.syno.activebackup.plugins.module_utils._options import CONNECTION_SPEC

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
ROLES = ('destinations', 'report')


def test_the_filter_is_registered():
    assert FilterModule().filters() == {'connection_args': connection_args}


def test_set_variables_become_module_options():
    variables = {'activebackup_host': 'nas1.example.com', 'activebackup_port': 5001, 'activebackup_use_https': True,
                 'activebackup_validate_certs': False, 'activebackup_ca_path': '/etc/ca.pem',
                 'activebackup_username': 'admin', 'activebackup_password': 'Adm1n-Secret!',
                 'activebackup_otp_secret': 'JBSWY3DPEHPK3PXP', 'activebackup_device_id': 'dev-token',
                 'activebackup_device_name': 'ansible-ctl', 'activebackup_timeout': 30, 'activebackup_retries': 0}
    assert connection_args(variables) == {
        'host': 'nas1.example.com', 'port': 5001, 'use_https': True, 'validate_certs': False, 'ca_path': '/etc/ca.pem',
        'username': 'admin', 'password': 'Adm1n-Secret!', 'otp_secret': 'JBSWY3DPEHPK3PXP', 'device_id': 'dev-token',
        'device_name': 'ansible-ctl', 'timeout': 30, 'retries': 0}


def test_null_and_other_variables_are_left_out():
    variables = {'activebackup_host': None, 'activebackup_username': 'admin', 'activebackup_destinations': [],
                 'activebackup_report_dir': '/tmp/r', 'activebackup_otp_code': '123456', 'activebackup_session': {},
                 'host': 'other', 'activebackup_validate_certs': False, 'activebackup_retries': 0}
    # false and 0 are values, not "not set"
    assert connection_args(variables) == {'username': 'admin', 'validate_certs': False, 'retries': 0}


def test_nothing_set():
    assert connection_args({}) == {}


@pytest.mark.parametrize('value', [None, [], 'activebackup_host', 3])
def test_bad_input(value):
    with pytest.raises(AnsibleFilterError, match='^connection_args: expects a dictionary of variable name to value, not '):
        connection_args(value)


def test_every_option_is_a_module_connection_option():
    assert set(CONNECTION_OPTIONS) <= set(CONNECTION_SPEC)
    assert set(CONNECTION_SPEC) - set(CONNECTION_OPTIONS) == {'otp_code', 'session'}


@pytest.mark.parametrize('role', ROLES)
def test_each_role_documents_exactly_these_variables(role):
    with open(os.path.join(ROOT, 'roles', role, 'meta', 'argument_specs.yml'), encoding='utf-8') as handle:
        options = yaml.safe_load(handle)['argument_specs']['main']['options']
    documented = set(name for name in options if not name.startswith('activebackup_%s' % role))
    # besides the connection variables, a role's own variables are named after it, except the interface's
    # activebackup_settings of the destinations role (package settings applied in the same session)
    own = {'destinations': {'activebackup_settings'}}.get(role, set())
    assert documented == set('activebackup_' + option for option in CONNECTION_OPTIONS) | own
    for option in ('password', 'otp_secret', 'device_id'):
        assert options['activebackup_' + option].get('no_log') is True, option
