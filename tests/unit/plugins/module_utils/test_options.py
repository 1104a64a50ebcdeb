# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The connection checks before any request (_config.ConnectionConfig), and the session values to hide (_options)."""

from __future__ import annotations

import pytest

from ansible_collections.syno.activebackup.plugins.module_utils._errors import MASK, DsmInputError, mask
from ansible_collections.syno.activebackup.plugins.module_utils._config import ConnectionConfig
from ansible_collections.syno.activebackup.plugins.module_utils._options import session_secrets


def check_connection(params):
    """The connection checks of ``params``, with credentials unless given."""
    return ConnectionConfig.from_params(dict({'username': 'u', 'password': 'p'}, **params))


CERT_BODY = 'MIIBszCCAVmgAwIBAgIUQ2FydmVkIGZvciB0ZXN0cyBvbmx5MAoGCCqGSM49BAMC\n'


@pytest.mark.parametrize('host', ['admin:S\u00e9cret99@nas', 'https://admin:S\u00e9cret99@nas', 'adm\u00efn@nas:5001'])
def test_a_non_ascii_host_with_credentials_is_never_shown_in_any_form(host):
    with pytest.raises(DsmInputError) as info:
        check_connection({'host': host})
    text = str(info.value)
    assert 'not ASCII' in text
    assert 'xn--' not in text and 'cret99' not in text and 'admin' not in text and 'adm' not in text, text


def test_a_non_ascii_host_name_gets_its_idna_form():
    with pytest.raises(DsmInputError) as info:
        check_connection({'host': 'b\u00fccher.example'})
    assert 'give its ASCII (IDNA) form: xn--bcher-kva.example' in str(info.value)


@pytest.mark.parametrize('seed', ['JBSWY3DPEHPK3PXP\n', 'JBSW Y3DP EHPK 3PXP', '\tJBSWY3DPEHPK3PXP\r\n'])
def test_otp_secret_with_whitespace_is_accepted(seed):
    check_connection({'host': 'nas', 'username': 'otpadmin', 'password': 'x', 'otp_secret': seed})


def test_otp_secret_with_a_control_character_is_refused_without_blaming_dsm():
    with pytest.raises(DsmInputError) as info:
        check_connection({'host': 'nas', 'username': 'otpadmin', 'password': 'x', 'otp_secret': 'JBSW\x00Y3DP'})
    text = str(info.value)
    assert text.startswith('otp_secret ') and 'is not accepted' in text and 'DSM' not in text


@pytest.mark.parametrize('label', ['CERTIFICATE', 'TRUSTED CERTIFICATE', 'X509 CERTIFICATE'])
def test_every_pem_certificate_form_openssl_loads_is_accepted(tmp_path, label):
    ca = tmp_path / 'ca.pem'
    ca.write_text('-----BEGIN %s-----\n%s-----END %s-----\n' % (label, CERT_BODY, label))
    check_connection({'host': 'nas', 'ca_path': str(ca), 'use_https': True, 'validate_certs': True})


def test_a_file_without_a_pem_certificate_is_refused(tmp_path):
    ca = tmp_path / 'ca.der'
    ca.write_bytes(b'\x30\x82\x01\xb3' + b'\x00' * 64)
    with pytest.raises(DsmInputError) as info:
        check_connection({'host': 'nas', 'ca_path': str(ca), 'use_https': True, 'validate_certs': True})
    assert 'holds no PEM certificate' in str(info.value)


@pytest.mark.parametrize('params, expected', [
    ({'session': {'sid': 'S1d-value', 'synotoken': 'T0k-value', 'device_id': None}}, {'S1d-value', 'T0k-value'}),
    ({'session': None}, set()),
    ({}, set()),
    ({'session': 'not parsed'}, set()),
])
def test_session_secrets_are_the_session_values(params, expected):
    assert session_secrets(params) == expected


def test_mask_cuts_what_is_nested_too_deeply():
    deep = 'leaf'
    for _level in range(900):
        deep = [deep]
    masked = mask({'errors': deep})
    depth = 0
    node = masked['errors']
    while isinstance(node, list):
        node = node[0]
        depth += 1
    assert node == '...' and depth < 40
    # shallow structures keep masking secret keys as before
    assert mask({'a': [{'passwd': 'x'}]}) == {'a': [{'passwd': MASK}]}
