# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""ConnectionConfig: bad connection options fail with DsmInputError before any request."""

from __future__ import annotations

import pytest

from ansible_collections.syno.activebackup.plugins.module_utils._config import ConnectionConfig
from ansible_collections.syno.activebackup.plugins.module_utils._errors import DsmInputError
from ansible_collections.syno.activebackup.plugins.module_utils._runner import Operation, execute

from ansible_collections.syno.activebackup.tests.unit.plugins.module_utils.scripted import Script, base_params

NEVER = Operation('probe', {}, lambda ctx: pytest.fail('the operation ran despite bad options'))

BAD = [
    ({'host': None}, 'host is required'),
    ({'host': '  '}, 'host is required'),
    ({'host': 'https://nas.example.com'}, 'without scheme or path'),
    ({'host': 'nas.example.com/webapi'}, 'without scheme or path'),
    ({'host': 'nas.example.com:5001'}, 'port'),
    ({'host': 'cafe:5001'}, 'port'),
    ({'host': 'db1:443'}, 'port'),
    ({'host': 'nas example'}, 'not a valid host name'),
    ({'host': 'nas_!'}, 'not a valid host name'),
    ({'host': '-nas'}, 'not a valid host name'),
    ({'host': '[fd00::1'}, 'not a valid host name'),
    ({'host': '[nas.example.com]'}, 'not a valid host name'),
    ({'host': 'fd00:::1::2'}, 'not a valid host name'),
    ({'port': 0}, 'port must be between 1 and 65535'),
    ({'port': 65536}, 'port must be between 1 and 65535'),
    ({'port': -1}, 'port must be between 1 and 65535'),
    ({'port': 'https'}, 'port must be'),
    ({'timeout': 0}, 'timeout must be at least 1'),
    ({'timeout': -5}, 'timeout must be at least 1'),
    ({'timeout': 'soon'}, 'timeout must be'),
    ({'retries': -1}, 'retries must be between 0 and 10'),
    ({'retries': 11}, 'retries must be between 0 and 10'),
    ({'retries': 'many'}, 'retries must be'),
    ({'password': None}, 'username and password must be given together'),
    ({'username': None}, 'username and password must be given together'),
    ({'username': None, 'password': None}, 'give either session'),
    ({'session': {'synotoken': 'x'}}, 'session must be the session dictionary'),
    ({'session': 'sid-as-text'}, 'session must be the session dictionary'),
    ({'otp_code': '12345'}, 'otp_code must be'),
    ({'otp_code': '123456789'}, 'otp_code must be'),
    ({'otp_code': 'abcdef'}, 'otp_code must be'),
    ({'otp_code': '12 34 56'}, 'otp_code must be'),
    ({'otp_code': ''}, 'otp_code must be'),
    ({'otp_secret': 'not base32 at all!'}, 'otp_secret is not a valid base32'),
    ({'otp_secret': 'GEZDGNB1'}, 'otp_secret is not a valid base32'),
    ({'ca_path': '/etc/hostname', 'validate_certs': False}, 'ca_path has no effect with validate_certs: false'),
    ({'ca_path': '/nonexistent/dsm-ca.pem'}, 'ca_path'),
]


@pytest.mark.parametrize('overrides, words', BAD)
def test_bad_option_fails_before_any_request(overrides, words):
    script = Script()
    result = execute(NEVER, base_params(**overrides), transport=script)
    script.done()
    assert result['failed'] is True
    assert words in result['msg'], result['msg']


@pytest.mark.parametrize('overrides, words', BAD)
def test_bad_option_is_an_input_error(overrides, words):
    with pytest.raises(DsmInputError) as info:
        ConnectionConfig.from_params(base_params(**overrides))
    assert words in str(info.value)


def test_missing_ca_path_names_it_without_secrets():
    with pytest.raises(DsmInputError) as info:
        ConnectionConfig.from_params(base_params(ca_path='/nonexistent/dsm-ca.pem'))
    assert '/nonexistent/dsm-ca.pem' in str(info.value)
    assert 'Adm1n-Secret!' not in str(info.value)


@pytest.mark.parametrize('overrides, netloc, label', [
    ({}, 'nas.example.com:5001', 'nas.example.com'),
    ({'host': ' nas.example.com '}, 'nas.example.com:5001', 'nas.example.com'),
    ({'use_https': False}, 'nas.example.com:5000', 'nas.example.com'),
    ({'port': 443}, 'nas.example.com:443', 'nas.example.com:443'),
    ({'port': 1}, 'nas.example.com:1', 'nas.example.com:1'),
    ({'port': 65535}, 'nas.example.com:65535', 'nas.example.com:65535'),
    ({'host': '192.0.2.10'}, '192.0.2.10:5001', '192.0.2.10'),
    ({'host': 'fd00::1'}, '[fd00::1]:5001', 'fd00::1'),
    ({'host': '[fd00::1]'}, '[fd00::1]:5001', '[fd00::1]'),
    ({'host': '::1'}, '[::1]:5001', '::1'),
    ({'host': 'nas'}, 'nas:5001', 'nas'),
    ({'host': 'n'}, 'n:5001', 'n'),
    ({'host': 'my-nas_01.local'}, 'my-nas_01.local:5001', 'my-nas_01.local'),
])
def test_good_hosts_and_ports(overrides, netloc, label):
    config = ConnectionConfig.from_params(base_params(**overrides))
    assert config.netloc == netloc
    assert config.label == label
    assert config.base_url == '%s://%s/webapi/' % ('http' if overrides.get('use_https') is False else 'https', netloc)


@pytest.mark.parametrize('overrides', [
    {'retries': 0}, {'retries': 10}, {'timeout': 1},
    {'otp_code': ' 123456 '}, {'otp_code': 123456}, {'otp_code': '12345678'},
    {'otp_secret': 'gezd gnbv gy3t qojq'},
    {'username': None, 'password': None, 'session': {'sid': 'x'}},
    {'session': {'sid': 'x', 'synotoken': None, 'device_id': None}},
    {'validate_certs': False},
])
def test_good_options(overrides):
    ConnectionConfig.from_params(base_params(**overrides))


def test_otp_code_is_normalised():
    assert ConnectionConfig.from_params(base_params(otp_code=' 012345 ')).otp_code == '012345'


def test_defaults():
    config = ConnectionConfig(host='nas', username='u', password='p')
    assert (config.use_https, config.validate_certs, config.port, config.timeout, config.retries, config.device_name) \
        == (True, True, 5001, 60, 3, 'ansible')
