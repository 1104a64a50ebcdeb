# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Contract sections 1, 2 and 4: what goes on the wire, byte for byte."""

from __future__ import annotations

import json

import pytest

from urllib.parse import parse_qsl

from ansible_collections.syno.activebackup.plugins.module_utils import _api_share
from ansible_collections.syno.activebackup.plugins.module_utils._wire import api_fields, encode_form, encode_value

from ansible_collections.syno.activebackup.tests.unit.plugins.module_utils.scripted import (
    ABB, SID, SYNOTOKEN, Expect, Script, make_client,
)


def raw_pairs(request):
    """The form fields exactly as sent (percent-decoded, not JSON-decoded)."""
    return dict(parse_qsl(request.body, keep_blank_values=True))


# -- values ---------------------------------------------------------------------------------

@pytest.mark.parametrize('value, wire', [
    ('ActiveBackupforBusiness', '%22ActiveBackupforBusiness%22'),
    ('My Share', '%22My%20Share%22'),
    ('123', '%22123%22'),
    ('true', '%22true%22'),
    ('null', '%22null%22'),
    ('', '%22%22'),
    (True, 'true'),
    (False, 'false'),
    (0, '0'),
    (42, '42'),
    (-7, '-7'),
    (10401845899264, '10401845899264'),
    (['/volume1/abb/pc'], '%5B%22%2Fvolume1%2Fabb%2Fpc%22%5D'),
    ([], '%5B%5D'),
    ('été', '%22%C3%A9t%C3%A9%22'),
    ('a+b&c=d%e#f', '%22a%2Bb%26c%3Dd%25e%23f%22'),
    ('say "hi"', '%22say%20%5C%22hi%5C%22%22'),
])
def test_value_on_the_wire(value, wire):
    body = encode_form(api_fields(ABB, 'm', 1, {'v': value}))
    assert body == 'api=SYNO.ActiveBackup.Share&version=1&method=m&v=' + wire


@pytest.mark.parametrize('value', [
    'plain', 'with space', '123', '-1', '1e5', 'true', 'false', 'null', '[1]', '{"a": 1}', '"quoted"',
    'unicode ✓ ünï 日本', 'tab\tnew\nline', 'back\\slash', 'a+b=c&d', '%20', '', 0, 1, -1, 2 ** 53, True, False,
    1.5, [], ['/volume1/a b', '/volume1/ü'], {'nested': [1, 'two', None, True]},
])
def test_value_round_trips_as_json(value):
    body = encode_form(api_fields(ABB, 'm', 1, {'v': value}))
    assert '+' not in body
    assert ' ' not in body
    sent = dict(parse_qsl(body, keep_blank_values=True))['v']
    decoded = json.loads(sent)
    assert decoded == value
    assert type(decoded) is type(value)


def test_none_parameters_are_left_out():
    assert api_fields(ABB, 'm', 1, {'a': None, 'b': 1}) == [
        ('api', ABB), ('version', '1'), ('method', 'm'), ('b', '1')]


def test_json_text_is_compact_and_keeps_unicode():
    assert encode_value(['a', 1]) == '["a",1]'
    assert encode_value('ü') == '"ü"'


# -- a full exchange --------------------------------------------------------------------------

def test_call_sends_json_values_with_session_field_cookie_and_token():
    params = {'share_name': 'Backup Share é', 'is_remove_data': False, 'storage_id': 3, 'flag': True,
              'paths': ['/volume1/Backup Share é/pc 1'], 'count': '123', 'word': 'true'}
    script = Script(
        Expect.login(),
        Expect(ABB, 'remove', version=1, params=params),
        Expect.logout(),
    )
    client = make_client(script)
    assert client.call(ABB, 'remove', params, write=True) == {}
    client.close()
    script.done()
    call = script.requests[1]
    raw = raw_pairs(call)
    assert raw['share_name'] == '"Backup Share é"'
    assert raw['is_remove_data'] == 'false'
    assert raw['storage_id'] == '3'
    assert raw['flag'] == 'true'
    assert raw['paths'] == '["/volume1/Backup Share é/pc 1"]'
    assert raw['count'] == '"123"'
    assert raw['word'] == '"true"'
    assert raw['_sid'] == SID
    assert raw['api'] == ABB and raw['version'] == '1' and raw['method'] == 'remove'
    assert 'share_name=%22Backup%20Share%20%C3%A9%22' in call.body
    assert '+' not in call.body
    assert call.cookie == 'id=%s' % SID
    assert call.token == SYNOTOKEN
    assert call.url == 'https://nas.example.com:5001/webapi/entry.cgi'
    assert script.closed


def test_login_parameters_are_bare_and_percent_encoded():
    password = 'p@ss w+rd&=%"é'
    script = Script(
        Expect.login(params={'account': 'Back Up ü', 'passwd': password, 'format': 'sid', 'session': 'webui',
                             'enable_syno_token': 'yes'}),
        Expect.logout(),
    )
    client = make_client(script, username='Back Up ü', password=password)
    client.login()
    client.close()
    script.done()
    login = script.requests[0]
    assert 'passwd=p%40ss%20w%2Brd%26%3D%25%22%C3%A9' in login.body
    assert 'account=Back%20Up%20%C3%BC' in login.body
    assert 'format=sid' in login.body and 'session=webui' in login.body and 'enable_syno_token=yes' in login.body
    # nothing secret in the URL, no session on the login itself
    assert login.url == 'https://nas.example.com:5001/webapi/entry.cgi'
    assert login.cookie is None and login.token is None


def test_numeric_looking_password_stays_bare():
    script = Script(Expect.login(params={'account': '007', 'passwd': '123456', 'format': 'sid', 'session': 'webui',
                                         'enable_syno_token': 'yes'}))
    client = make_client(script, username='007', password='123456')
    client.login()
    script.done()
    assert raw_pairs(script.requests[0])['passwd'] == '123456'


def test_every_call_after_login_carries_the_session_and_logout_too():
    script = Script(
        Expect.login(sid='sid-A', synotoken='tok-A'),
        Expect.abb('list', params={}, data={'shares': []}),
        Expect.abb('list_volume', params={}, data={'volumes': []}),
        Expect.abb('create_fs_dir', params={'paths': ['/volume1/x']}),
        Expect.logout(),
    )
    client = make_client(script)
    client.call(ABB, 'list')
    client.call(ABB, 'list_volume')
    _api_share.create_fs_dir(client, ['/volume1/x'])
    client.close()
    script.done()
    for request in script.requests[1:]:
        assert request.form['_sid'] == 'sid-A'
        assert request.cookie == 'id=sid-A'
        assert request.token == 'tok-A'
    assert script.requests[-1].form == {'api': 'SYNO.API.Auth', 'version': '7', 'method': 'logout',
                                        'session': 'webui', '_sid': 'sid-A'}
    for request in script.requests:
        assert 'sid-A' not in request.url and 'tok-A' not in request.url and 'Adm1n' not in request.url


def test_login_without_synotoken_sends_no_token_header():
    script = Script(
        Expect.login(synotoken=None),
        Expect.abb('list', data={}),
        Expect.logout(),
    )
    client = make_client(script)
    client.call(ABB, 'list')
    client.close()
    script.done()
    assert 'X-SYNO-TOKEN' not in script.requests[1].headers


@pytest.mark.parametrize('synotoken', ['given-token', None])
def test_given_session_is_used_as_is_and_not_logged_out(synotoken):
    session = {'sid': 'given-sid', 'synotoken': synotoken}
    script = Script(Expect.abb('list', data={'shares': []}), session=session)
    client = make_client(script, username=None, password=None, session=session)
    assert client.call(ABB, 'list') == {'shares': []}
    client.close()
    script.done()
    request = script.requests[0]
    assert request.form['_sid'] == 'given-sid'
    assert request.cookie == 'id=given-sid'
    assert request.token == synotoken
    assert script.closed


def test_http_without_tls_uses_port_5000():
    script = Script(Expect.login())
    client = make_client(script, use_https=False)
    client.login()
    assert script.requests[0].url == 'http://nas.example.com:5000/webapi/entry.cgi'


def test_ipv6_host_is_bracketed():
    script = Script(Expect.login())
    client = make_client(script, host='fd00::5', port=8443)
    client.login()
    assert script.requests[0].url == 'https://[fd00::5]:8443/webapi/entry.cgi'
    assert client.nas_label == '[fd00::5]:8443'


def test_success_without_data_is_an_empty_dict():
    script = Script(Expect.login(), Expect.abb('relink').raw(body=b'{"success": true}'))
    client = make_client(script)
    assert client.call(ABB, 'relink', {'share_name': 'x'}, write=True) == {}


def test_answer_content_type_is_not_required():
    answer = Expect.abb('list').raw(body=b'{"success": true, "data": {"shares": []}}', headers={'Content-Type': 'text/plain'})
    script = Script(Expect.login(), answer)
    client = make_client(script)
    assert client.call(ABB, 'list') == {'shares': []}
