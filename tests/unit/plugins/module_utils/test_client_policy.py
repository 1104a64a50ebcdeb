# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Contract sections 3 and 5: every row of the client-policy table, retries and backoff."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest

from ansible_collections.syno.activebackup.plugins.module_utils import _api_share
from ansible_collections.syno.activebackup.plugins.module_utils._transport import HttpAnswer
from ansible_collections.syno.activebackup.plugins.module_utils._wire import encode_form, error_code
from ansible_collections.syno.activebackup.plugins.module_utils._errors import (
    AbbNotInstalled, DsmApiError, DsmAuthError, DsmInputError, SessionExpired, TransportError, WriteOutcomeUnknown,
)

from ansible_collections.syno.activebackup.tests.unit.plugins.module_utils.scripted import (
    ABB, AUTH, HOST, Clock, Expect, Script, make_client,
)

INFO_DSM7 = {
    'SYNO.API.Auth': {'path': 'entry.cgi', 'minVersion': 1, 'maxVersion': 7},
    'SYNO.ActiveBackup.Share': {'path': 'entry.cgi', 'minVersion': 1, 'maxVersion': 2, 'requestFormat': 'JSON'},
    'SYNO.Entry.Request': {'path': 'entry.cgi', 'minVersion': 1, 'maxVersion': 2},
}

# (method, params, write) of the ABB calls the modules make.
READ = ('list', None, False)
WRITES = [
    ('create_fs_dir', {'paths': ['/volume1/abb/pc']}, True),
    ('relink', {'share_name': 'abb2'}, True),
    ('remove', {'share_name': 'abb2', 'is_remove_data': False}, True),
]


def fails(exc_type, fn, *args, **kwargs):
    with pytest.raises(exc_type) as info:
        fn(*args, **kwargs)
    return info.value


def names_everything(exc, api, method, code, meaning):
    text = str(exc)
    for part in (HOST, api, method, 'error %s' % code, meaning):
        assert part in text, '%r not in %r' % (part, text)


# -- plain failures ----------------------------------------------------------------------------

def test_100_shows_the_reason():
    script = Script(Expect.login(), Expect.abb('relink').error(100, {'reason': 'not_relinkable'}))
    exc = fails(DsmApiError, make_client(script).call, ABB, 'relink', {'share_name': 'x'}, write=True)
    script.done()
    names_everything(exc, ABB, 'relink', 100, 'Unknown error')
    assert 'reason: not_relinkable' in str(exc)
    assert exc.reason == 'not_relinkable' and exc.code == 100


@pytest.mark.parametrize('where', ['inner', 'outer'])
def test_100_shows_errors_without_reason(where):
    errors = {'line': 12, 'detail': 'disk'}
    expect = Expect.abb('list')
    expect.error(100, errors) if where == 'inner' else expect.error(100, outer_errors=errors)
    script = Script(Expect.login(), expect)
    exc = fails(DsmApiError, make_client(script).call, ABB, 'list')
    assert "details: {'line': 12, 'detail': 'disk'}" in str(exc)
    assert exc.details == errors


@pytest.mark.parametrize('code, meaning', [
    (101, 'No parameter of API, method or version'),
    (103, 'The requested method does not exist'),
    (114, 'Lost parameters for this API'),
    (120, 'Invalid parameter'),
    (160, 'Insufficient application privilege'),
])
@pytest.mark.parametrize('method, params, write', [READ] + WRITES)
def test_plain_failures_are_not_retried(code, meaning, method, params, write):
    clock = Clock()
    script = Script(Expect.login(), Expect.abb(method).error(code), Expect.logout())
    client = make_client(script, clock)
    exc = fails(DsmApiError, client.call, ABB, method, params, write=write)
    client.close()
    script.done()
    assert exc.__class__.__name__ == 'DsmApiError', 'not a subclass (auth, not installed, write outcome)'
    names_everything(exc, ABB, method, code, meaning)
    assert clock.sleeps == []


def test_120_names_the_parameters_sent():
    script = Script(Expect.login(), Expect.abb('remove').error(120))
    exc = fails(DsmApiError, make_client(script).call, ABB, 'remove',
                {'share_name': 'abb2', 'is_remove_data': True, 'storage_id': 4}, write=True)
    text = str(exc)
    for name in ('share_name', 'is_remove_data', 'storage_id'):
        assert name in text


def test_120_without_parameters_says_so():
    script = Script(Expect.login(), Expect.abb('list_file').error(120))
    exc = fails(DsmApiError, make_client(script).call, ABB, 'list_file')
    assert 'no parameters' in str(exc)


def test_160_hint_names_application_privileges():
    script = Script(Expect.login(), Expect.abb('list').error(160))
    exc = fails(DsmApiError, make_client(script).call, ABB, 'list')
    assert 'Application Privileges' in str(exc)


def test_unknown_code_is_shown_as_a_number_never_guessed():
    script = Script(Expect.login(), Expect.abb('list').error(4711))
    exc = fails(DsmApiError, make_client(script).call, ABB, 'list')
    assert 'error 4711 (no description known for this code)' in str(exc)


def test_auth_codes_are_not_looked_up_for_abb():
    script = Script(Expect.login(), Expect.abb('list_file').error(408))
    exc = fails(DsmApiError, make_client(script).call, ABB, 'list_file', {'root_path': '/volume1/x'})
    assert 'error 408 (no description known for this code)' in str(exc)
    assert 'password' not in str(exc).lower()


def test_failure_without_code():
    script = Script(Expect.login(), Expect.abb('list').raw(body=b'{"success": false}'))
    exc = fails(DsmApiError, make_client(script).call, ABB, 'list')
    assert 'None' not in str(exc)
    assert 'no error code' in str(exc)
    assert HOST in str(exc) and 'SYNO.ActiveBackup.Share.list' in str(exc)


# -- 105: permission, never a re-login ----------------------------------------------------------

@pytest.mark.parametrize('method, params, write', [READ] + WRITES)
def test_105_never_logs_in_again(method, params, write):
    script = Script(Expect.login(), Expect.abb(method).error(105), Expect.logout())
    client = make_client(script)
    exc = fails(DsmApiError, client.call, ABB, method, params, write=write)
    client.close()
    script.done()
    names_everything(exc, ABB, method, 105, 'The logged in session does not have permission')
    assert client.logins == 1
    assert 'administrators' in str(exc)


# -- discovery: 102 / 104 -----------------------------------------------------------------------

def test_102_queries_info_once_and_retries_on_the_advertised_path():
    info = dict(INFO_DSM7)
    info['SYNO.ActiveBackup.Share'] = {'path': 'ActiveBackup/share.cgi', 'minVersion': 1, 'maxVersion': 2}
    retry = Expect(ABB, 'list', path='ActiveBackup/share.cgi', version=1).answer({'shares': []})
    script = Script(Expect.login(), Expect.abb('list').error(102), Expect.info(info), retry, Expect.logout())
    client = make_client(script)
    assert client.call(ABB, 'list') == {'shares': []}
    client.close()
    script.done()


def test_104_queries_info_once_and_retries_with_the_advertised_version():
    info = dict(INFO_DSM7)
    info['SYNO.ActiveBackup.Share'] = {'path': 'entry.cgi', 'minVersion': 2, 'maxVersion': 3}
    retry = Expect(ABB, 'list', version=2).answer({'shares': []})
    script = Script(Expect.login(), Expect.abb('list').error(104), Expect.info(info), retry)
    assert make_client(script).call(ABB, 'list') == {'shares': []}
    script.done()


@pytest.mark.parametrize('code', [102, 104])
def test_info_without_abb_means_not_installed(code):
    info = dict(INFO_DSM7)
    del info['SYNO.ActiveBackup.Share']
    script = Script(Expect.login(), Expect.abb('list').error(code), Expect.info(info), Expect.logout())
    client = make_client(script)
    exc = fails(AbbNotInstalled, client.call, ABB, 'list')
    client.close()
    script.done()
    assert 'Active Backup for Business is not installed (or not running) on %s' % HOST in str(exc)
    assert 'SYNO.ActiveBackup.Share.list' in str(exc)
    assert 'error %s' % code in str(exc)


def test_102_again_after_info_means_not_installed_and_info_is_asked_once():
    script = Script(Expect.login(), Expect.abb('list').error(102), Expect.info(INFO_DSM7),
                    Expect.abb('list').error(102), Expect.abb('list_volume').error(102))
    client = make_client(script)
    exc = fails(AbbNotInstalled, client.call, ABB, 'list')
    assert 'Active Backup for Business is not installed (or not running) on %s' % HOST in str(exc)
    exc = fails(AbbNotInstalled, client.call, ABB, 'list_volume')
    script.done()


def test_104_again_after_info_fails_with_the_code():
    script = Script(Expect.login(), Expect.abb('list').error(104), Expect.info(INFO_DSM7), Expect.abb('list').error(104))
    exc = fails(DsmApiError, make_client(script).call, ABB, 'list')
    script.done()
    names_everything(exc, ABB, 'list', 104, 'The requested version does not support the functionality')


def test_info_failure_names_info():
    script = Script(Expect.login(), Expect.abb('list').error(102),
                    Expect('SYNO.API.Info', 'query', path='query.cgi', version=1, session=False).error(101))
    exc = fails(DsmApiError, make_client(script).call, ABB, 'list')
    names_everything(exc, 'SYNO.API.Info', 'query', 101, 'No parameter of API, method or version')


def test_dsm6_login_discovers_auth_cgi():
    info = {'SYNO.API.Auth': {'path': 'auth.cgi', 'minVersion': 1, 'maxVersion': 6},
            'SYNO.ActiveBackup.Share': {'path': 'entry.cgi', 'minVersion': 1, 'maxVersion': 1}}
    script = Script(
        Expect.login_error(102),
        Expect.info(info),
        Expect.login(path='auth.cgi', version=6),
        Expect.abb('list', data={'shares': []}),
        Expect.logout(path='auth.cgi', version=6),
    )
    client = make_client(script)
    client.call(ABB, 'list')
    client.close()
    script.done()


def test_auth_version_is_capped_at_what_the_client_speaks():
    info = dict(INFO_DSM7)
    info['SYNO.API.Auth'] = {'path': 'entry.cgi', 'minVersion': 1, 'maxVersion': 9}
    script = Script(Expect.login_error(104), Expect.info(info), Expect.login(version=7))
    make_client(script).login()
    script.done()


# -- session errors: 106 / 107 / 119 / 150 ------------------------------------------------------

@pytest.mark.parametrize('code', [106, 107, 119, 150])
@pytest.mark.parametrize('method, params, write', [READ] + WRITES)
def test_session_error_logs_in_once_and_repeats_once(code, method, params, write):
    warnings = []
    script = Script(
        Expect.login(sid='sid-1', synotoken='tok-1'),
        Expect.abb(method, params=params or {}).error(code),
        Expect.login(sid='sid-2', synotoken='tok-2'),
        Expect.abb(method, params=params or {}, data={'ok': 1}),
        Expect.logout(sid='sid-2', token='tok-2'),
    )
    client = make_client(script, warnings=warnings)
    assert client.call(ABB, method, params, write=write) == {'ok': 1}
    client.close()
    script.done()
    assert script.requests[3].form['_sid'] == 'sid-2'
    assert client.logins == 2
    assert warnings == []  # the client's own session expired: nothing to warn about


@pytest.mark.parametrize('first, second', [(119, 119), (106, 150), (107, 106)])
def test_second_session_error_fails(first, second):
    script = Script(
        Expect.login(sid='sid-1'),
        Expect.abb('list').error(first),
        Expect.login(sid='sid-2'),
        Expect.abb('list').error(second),
        Expect.logout(),
    )
    client = make_client(script)
    exc = fails(DsmApiError, client.call, ABB, 'list')
    client.close()
    script.done()
    assert exc.code == second
    assert 'error %s' % second in str(exc)


@pytest.mark.parametrize('code', [106, 107, 119, 150])
def test_session_only_without_credentials_fails_with_session_expired(code):
    session = {'sid': 'given-sid', 'synotoken': 'given-tok'}
    script = Script(Expect.abb('list').error(code), session=session)
    client = make_client(script, username=None, password=None, session=session)
    exc = fails(SessionExpired, client.call, ABB, 'list')
    client.close()
    script.done()
    text = str(exc)
    assert 'session' in text and 'expired' in text
    assert HOST in text and 'SYNO.ActiveBackup.Share.list' in text and 'error %s' % code in text
    assert 'syno.activebackup.session' in text


def test_session_with_credentials_warns_that_it_logged_in_again():
    warnings = []
    session = {'sid': 'given-sid', 'synotoken': 'given-tok'}
    script = Script(
        Expect.abb('list').error(119),
        Expect.login(sid='new-sid', synotoken='new-tok'),
        Expect.abb('list', data={'shares': []}),
        Expect.logout(sid='new-sid', token='new-tok'),
        session=session,
    )
    client = make_client(script, warnings=warnings, session=session)
    assert client.call(ABB, 'list') == {'shares': []}
    client.close()
    script.done()
    assert len(warnings) == 1
    assert 'logged in again' in warnings[0] and HOST in warnings[0] and '119' in warnings[0]
    assert 'given-sid' not in warnings[0]


# -- busy codes -----------------------------------------------------------------------------------

@pytest.mark.parametrize('code', [109, 110, 111, 117, 118])
def test_busy_read_is_retried_with_exponential_backoff_then_fails(code):
    clock = Clock()
    script = Script(Expect.login(), *[Expect.abb('list_storage').error(code) for dummy in range(4)])
    exc = fails(DsmApiError, make_client(script, clock).call, ABB, 'list_storage')
    script.done()
    assert clock.sleeps == [0.5, 1.0, 2.0]
    names_everything(exc, ABB, 'list_storage', code, 'Network unstable or system busy')
    assert 'still busy after 3 retries' in str(exc)


def test_busy_read_recovers():
    clock = Clock()
    script = Script(Expect.login(), Expect.abb('list').error(117), Expect.abb('list').error(109),
                    Expect.abb('list', data={'shares': [1]}))
    assert make_client(script, clock).call(ABB, 'list') == {'shares': [1]}
    script.done()
    assert clock.sleeps == [0.5, 1.0]


@pytest.mark.parametrize('retries, sleeps', [
    (0, []),
    (1, [0.5]),
    (6, [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]),
])
def test_busy_retries_are_bounded_by_the_option(retries, sleeps):
    clock = Clock()
    script = Script(Expect.login(), *[Expect.abb('list').error(110) for dummy in range(retries + 1)])
    fails(DsmApiError, make_client(script, clock, retries=retries).call, ABB, 'list')
    script.done()
    assert clock.sleeps == sleeps


@pytest.mark.parametrize('code', [109, 110, 111, 117, 118])
@pytest.mark.parametrize('method, params, write', WRITES)
def test_busy_write_is_not_retried(code, method, params, write):
    clock = Clock()
    script = Script(Expect.login(), Expect.abb(method).error(code), Expect.logout())
    client = make_client(script, clock)
    exc = fails(WriteOutcomeUnknown, client.call, ABB, method, params, write=write)
    client.close()
    script.done()
    assert clock.sleeps == []
    names_everything(exc, ABB, method, code, 'Network unstable or system busy')
    assert 'busy' in str(exc) and 'may or may not have been applied' in str(exc)


def test_busy_login_is_retried_with_backoff():
    clock = Clock()
    script = Script(Expect.login_error(117), Expect.login_error(111), Expect.login())
    make_client(script, clock).login()
    script.done()
    assert clock.sleeps == [0.5, 1.0]


def test_busy_login_gives_up():
    clock = Clock()
    script = Script(*[Expect.login_error(117) for dummy in range(4)])
    exc = fails(DsmAuthError, make_client(script, clock).login)
    script.done()
    assert clock.sleeps == [0.5, 1.0, 2.0]
    names_everything(exc, AUTH, 'login', 117, 'Network unstable or system busy')
    assert 'still busy after 3 retries' in str(exc)


# -- transport errors ----------------------------------------------------------------------------

NOT_SENT = [
    ('connect', 'cannot connect: Connection refused'),
    ('connect', 'cannot connect: Name or service not known'),
]
SENT = {
    'reset': lambda e: e.fail('io', 'connection lost: Connection reset by peer', sent=True),
    'timeout': lambda e: e.fail('timeout', 'no answer within 60 seconds', sent=True),
    '502 html': lambda e: e.raw(502, b'<html><head><title>502 Bad Gateway</title></head></html>',
                                {'Content-Type': 'text/html'}),
    '200 html': lambda e: e.raw(200, b'<html><body>Login</body></html>', {'Content-Type': 'text/html'}),
    'truncated json': lambda e: e.raw(200, b'{"success": true, "data": {"sha'),
    'json without success': lambda e: e.raw(200, b'{"data": {"shares": []}}'),
    'json not an object': lambda e: e.raw(200, b'[true]'),
    'empty body': lambda e: e.raw(200, b''),
    'redirect': lambda e: e.raw(302, b'', {'Location': 'https://elsewhere/'}),
}


@pytest.mark.parametrize('kind, detail', NOT_SENT)
@pytest.mark.parametrize('method, params, write', [READ] + WRITES)
def test_not_sent_is_retried_for_reads_and_writes(kind, detail, method, params, write):
    clock = Clock()
    script = Script(Expect.login(), Expect.abb(method).fail(kind, detail, sent=False),
                    Expect.abb(method).fail(kind, detail, sent=False), Expect.abb(method, data={'done': True}))
    assert make_client(script, clock).call(ABB, method, params, write=write) == {'done': True}
    script.done()
    assert clock.sleeps == [0.5, 1.0]


def test_not_sent_gives_up_after_the_retries():
    clock = Clock()
    script = Script(Expect.login(), *[Expect.abb('relink').fail() for dummy in range(4)])
    exc = fails(TransportError, make_client(script, clock).call, ABB, 'relink', {'share_name': 'x'}, write=True)
    script.done()
    assert clock.sleeps == [0.5, 1.0, 2.0]
    assert 'Connection refused' in str(exc) and HOST in str(exc) and 'SYNO.ActiveBackup.Share.relink' in str(exc)
    assert 'Check host, port and use_https' in str(exc)


@pytest.mark.parametrize('case', sorted(SENT))
def test_sent_is_retried_for_reads(case):
    clock = Clock()
    script = Script(Expect.login(), SENT[case](Expect.abb('list')), Expect.abb('list', data={'shares': []}))
    assert make_client(script, clock).call(ABB, 'list') == {'shares': []}
    script.done()
    assert clock.sleeps == [0.5]


@pytest.mark.parametrize('case', sorted(SENT))
def test_sent_read_gives_up_with_a_transport_error(case):
    clock = Clock()
    script = Script(Expect.login(), *[SENT[case](Expect.abb('list')) for dummy in range(4)])
    exc = fails(TransportError, make_client(script, clock).call, ABB, 'list')
    script.done()
    assert clock.sleeps == [0.5, 1.0, 2.0]
    assert HOST in str(exc) and 'SYNO.ActiveBackup.Share.list' in str(exc)


@pytest.mark.parametrize('case', sorted(SENT))
@pytest.mark.parametrize('method, params, write', WRITES)
def test_sent_write_is_never_retried(case, method, params, write):
    clock = Clock()
    script = Script(Expect.login(), SENT[case](Expect.abb(method)), Expect.logout())
    client = make_client(script, clock)
    exc = fails(WriteOutcomeUnknown, client.call, ABB, method, params, write=write)
    client.close()
    script.done()
    assert clock.sleeps == []
    text = str(exc)
    assert 'may or may not have been applied' in text
    assert HOST in text and 'SYNO.ActiveBackup.Share.%s' % method in text


def test_502_message_shows_the_page_title():
    script = Script(Expect.login(), *[SENT['502 html'](Expect.abb('list')) for dummy in range(4)])
    exc = fails(TransportError, make_client(script).call, ABB, 'list')
    assert 'HTTP status 502: 502 Bad Gateway' in str(exc)


def test_write_after_session_error_is_repeated_once():
    script = Script(Expect.login(sid='s1'), Expect.abb('create_fs_dir').error(119), Expect.login(sid='s2'),
                    Expect.abb('create_fs_dir'))
    _api_share.create_fs_dir(make_client(script), ['/volume1/abb/pc'])
    script.done()


@pytest.mark.parametrize('case', ['reset', 'truncated json', 'json without success'])
def test_login_transport_errors_are_retried(case):
    clock = Clock()
    script = Script(SENT[case](Expect(AUTH, 'login', version=7, session=False)), Expect.login())
    make_client(script, clock).login()
    script.done()
    assert clock.sleeps == [0.5]


def test_login_success_without_sid_is_a_transport_error():
    script = Script(Expect(AUTH, 'login', version=7, session=False).answer({'synotoken': 'x'}))
    exc = fails(TransportError, make_client(script, retries=0).login)
    assert 'without a session id' in str(exc)


# -- login refusals: never retried -----------------------------------------------------------------

@pytest.mark.parametrize('code, meaning, otp', [
    (400, 'No such account or incorrect password', {}),
    (401, 'Disabled account', {}),
    (402, 'Permission denied', {}),
    (403, 'Two-factor authentication code required', {}),
    (404, 'Two-factor authentication code wrong or already used', {'otp_code': '123456'}),
    (406, 'Two-factor authentication enrolment enforced', {}),
    (407, 'Address blocked by Auto Block', {}),
    (409, 'Password expired', {}),
    (410, 'Password must be changed', {}),
])
def test_login_refusals_are_not_retried(code, meaning, otp):
    clock = Clock()
    script = Script(Expect.login_error(code))
    exc = fails(DsmAuthError, make_client(script, clock, **otp).login)
    script.done()
    assert clock.sleeps == []
    names_everything(exc, AUTH, 'login', code, meaning)


def test_407_names_auto_block_and_where_to_unblock():
    script = Script(Expect.login_error(407))
    text = str(fails(DsmAuthError, make_client(script).login))
    assert 'Auto Block' in text
    assert 'Control Panel > Security > Protection' in text
    assert 'not retried' in text


def test_403_hint_names_the_2fa_options():
    script = Script(Expect.login_error(403, {'token': 'x', 'types': [{'type': 'otp'}]}))
    text = str(fails(DsmAuthError, make_client(script).login))
    for option in ('otp_code', 'otp_secret', 'device_id'):
        assert option in text


def test_400_is_not_retried_even_with_otp_secret():
    script = Script(Expect.login_error(400))
    clock = Clock()
    fails(DsmAuthError, make_client(script, clock, otp_secret='GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ').login)
    script.done()
    assert clock.sleeps == []


def test_a_login_failure_inside_a_call_is_not_retried():
    script = Script(Expect.login(), Expect.abb('list').error(106), Expect.login_error(400))
    exc = fails(DsmAuthError, make_client(script).call, ABB, 'list')
    script.done()
    assert exc.code == 400


def test_120_names_the_parameter_dsm_names():
    script = Script(Expect.login(), Expect.abb('list_file').error(120, {'name': 'root_path', 'reason': 'required'}))
    exc = pytest.raises(DsmApiError, make_client(script).call, ABB, 'list_file').value
    text = str(exc)
    assert 'parameter root_path' in text and 'reason: required' in text
    assert exc.reason == 'required'


def test_reason_and_other_details_are_all_shown():
    script = Script(Expect.login(), Expect.abb('remove').error(100, {'reason': 'storage_in_use', 'tasks': ['pc']}))
    exc = pytest.raises(DsmApiError, make_client(script).call, ABB, 'remove', {'share_name': 'a'}, write=True).value
    assert "reason: storage_in_use, details: {'tasks': ['pc']}" in str(exc)


@pytest.mark.parametrize('trouble', [
    lambda e: e.fail('io', 'connection lost: Connection reset by peer', sent=True),
    lambda e: e.fail('connect', 'cannot connect: Connection refused', sent=False),
    lambda e: e.raw(502, b'<html><title>502 Bad Gateway</title></html>', {'Content-Type': 'text/html'}),
    lambda e: e.error(117),
])
def test_info_query_is_a_read_and_retried(trouble):
    clock = Clock()
    info = Expect('SYNO.API.Info', 'query', path='query.cgi', version=1, session=False)
    script = Script(Expect.login(), Expect.abb('list').error(102), trouble(info), Expect.info(INFO_DSM7),
                    Expect.abb('list', data={'shares': []}))
    assert make_client(script, clock).call(ABB, 'list') == {'shares': []}
    script.done()
    assert clock.sleeps == [0.5]


# -- giving up: how often it was tried, and what to do ----------------------------------------------

GIVE_UP_HINTS = {
    'reset': 'The connection was cut before the whole answer came',
    'timeout': 'raise timeout (now 60 seconds) or run the task again later',
    '502 html': 'DSM may be starting, updating or overloaded. Run the task again later',
    '200 html': 'host, port and use_https may point at another web server or service than DSM',
    'truncated json': 'The answer may have been cut off on the way',
    'json without success': 'host, port and use_https may point at another web server or service than DSM',
    'json not an object': 'host, port and use_https may point at another web server or service than DSM',
    'empty body': 'The answer may have been cut off on the way',
    'redirect': 'host, port and use_https may point at another web server or service than DSM',
}


@pytest.mark.parametrize('case', sorted(SENT))
def test_a_read_that_gives_up_says_how_often_it_was_retried_and_what_to_do(case):
    clock = Clock()
    script = Script(Expect.login(), *[SENT[case](Expect.abb('list_storage')) for dummy in range(4)], Expect.logout())
    client = make_client(script, clock)
    exc = fails(TransportError, client.call, ABB, 'list_storage')
    client.close()
    script.done()
    text = str(exc)
    assert text.startswith('SYNO.ActiveBackup.Share.list_storage on %s failed: ' % HOST), text
    assert 'Still failing after 3 retries. ' in text
    # what to do comes last, after what happened and how often
    assert text.endswith(exc.hint) and GIVE_UP_HINTS[case] in exc.hint, text
    assert text.index('Still failing') < text.index(exc.hint)


def test_a_gateway_error_names_the_reverse_proxy_and_dsm_starting():
    script = Script(Expect.login(), *[SENT['502 html'](Expect.abb('list')) for dummy in range(2)])
    exc = fails(TransportError, make_client(script, retries=1).call, ABB, 'list')
    script.done()
    assert str(exc) == (
        'SYNO.ActiveBackup.Share.list on nas.example.com failed: HTTP status 502: 502 Bad Gateway (a reverse proxy or '
        'DSM web server error, not an API answer). Still failing after 1 retry. DSM\'s web server, or a reverse proxy '
        'in front of it, did not pass the request on: DSM may be starting, updating or overloaded. Run the task again '
        'later; if it persists, check DSM and the reverse proxy.')


def test_a_read_timeout_hint_names_the_timeout_option_and_its_value():
    clock = Clock()
    script = Script(Expect.login(), Expect.abb('list_storage').fail('timeout', 'no answer within 7 seconds', sent=True),
                    Expect.abb('list_storage').fail('timeout', 'no answer within 7 seconds', sent=True))
    exc = fails(TransportError, make_client(script, clock, timeout=7, retries=1).call, ABB, 'list_storage')
    script.done()
    assert clock.sleeps == [0.5]
    assert 'failed: no answer within 7 seconds. Still failing after 1 retry.' in str(exc)
    assert 'raise timeout (now 7 seconds)' in str(exc)


def test_without_retries_nothing_is_said_about_retries():
    script = Script(Expect.login(), SENT['reset'](Expect.abb('list')))
    exc = fails(TransportError, make_client(script, retries=0).call, ABB, 'list')
    script.done()
    assert 'Still failing' not in str(exc) and 'retr' not in str(exc)
    assert 'run the task again' in str(exc)


def test_a_refused_login_gives_up_naming_the_login_and_what_to_check():
    clock = Clock()
    script = Script(*[Expect(AUTH, 'login', version=7, session=False).fail() for dummy in range(4)])
    exc = fails(TransportError, make_client(script, clock).login)
    script.done()
    assert clock.sleeps == [0.5, 1.0, 2.0]
    assert str(exc) == (
        'SYNO.API.Auth.login on nas.example.com failed: Connection refused. Still failing after 3 retries. Check host, '
        'port and use_https, and that the NAS is up and reachable from the host that runs the task.')


def test_an_info_query_that_gives_up_says_so():
    def unavailable():
        return Expect('SYNO.API.Info', 'query', path='query.cgi', version=1, session=False).raw(
            503, b'<html><title>503 Service Temporarily Unavailable</title></html>', {'Content-Type': 'text/html'})

    script = Script(Expect.login(), Expect.abb('list').error(102), unavailable(), unavailable())
    exc = fails(TransportError, make_client(script, retries=1).call, ABB, 'list')
    script.done()
    assert str(exc).startswith('SYNO.API.Info.query on nas.example.com failed: HTTP status 503')
    assert 'Still failing after 1 retry.' in str(exc)


@pytest.mark.parametrize('retries, said', [(1, 'still busy after 1 retry.'), (2, 'still busy after 2 retries.')])
def test_busy_gives_up_with_what_to_do(retries, said):
    script = Script(Expect.login(), *[Expect.abb('list_storage').error(117) for dummy in range(retries + 1)])
    exc = fails(DsmApiError, make_client(script, retries=retries).call, ABB, 'list_storage')
    script.done()
    text = str(exc)
    assert said in text
    assert text.endswith('run the task again later, or raise retries (each retry waits twice as long as the one '
                         'before, up to 8 seconds).'), text


def test_busy_write_says_the_outcome_is_unknown_not_to_raise_retries():
    script = Script(Expect.login(), Expect.abb('create_fs_dir').error(117))
    exc = fails(WriteOutcomeUnknown, make_client(script).call, ABB, 'create_fs_dir', {'paths': ['/volume1/a/b']},
                write=True)
    assert 'raise retries' not in str(exc)
    assert 'may or may not have been applied' in str(exc) and 'Run the task again' in str(exc)


def test_a_write_is_sent_again_while_refused_and_never_once_it_reached_dsm():
    """Refused twice (never sent), then the connection is cut after sending: three attempts, no fourth."""
    clock = Clock()
    script = Script(
        Expect.login(),
        Expect.abb('relink', params={'share_name': 'abb2'}).fail(),
        Expect.abb('relink', params={'share_name': 'abb2'}).fail(),
        Expect.abb('relink', params={'share_name': 'abb2'}).fail('io', 'connection lost: Connection reset by peer', sent=True),
        Expect.logout(),
    )
    client = make_client(script, clock)
    exc = fails(WriteOutcomeUnknown, client.call, ABB, 'relink', {'share_name': 'abb2'}, write=True)
    client.close()
    script.done()
    assert clock.sleeps == [0.5, 1.0]
    assert str(exc) == (
        'SYNO.ActiveBackup.Share.relink on nas.example.com failed: connection lost: Connection reset by peer. The '
        'request had been sent, so relink may or may not have been applied on nas.example.com; it was not repeated. '
        'Run the task again: it reads the state first and applies only what is missing.')


def test_150_on_a_given_session_without_credentials_says_where_to_log_in():
    session = {'sid': 'given-sid', 'synotoken': 'given-tok'}
    script = Script(Expect.abb('list_storage').error(150), session=session)
    exc = fails(SessionExpired, make_client(script, username=None, password=None, session=session).call,
                ABB, 'list_storage')
    script.done()
    assert str(exc) == (
        'SYNO.ActiveBackup.Share.list_storage on nas.example.com failed: error 150 (Request source IP does not match '
        'the login IP): the session given in the session option is tied to the address that logged in, and this task '
        'reached DSM from another address (a task delegated to another host, or a controller whose address changed), '
        'so DSM treats it as expired, and no username and password were given to log in again. Log in with '
        'syno.activebackup.session from the host that runs this task, or give username and password as well.')
    assert 'given-sid' not in str(exc)


def test_106_on_a_given_session_without_credentials_says_to_log_in_again():
    session = {'sid': 'given-sid', 'synotoken': 'given-tok'}
    script = Script(Expect.abb('list_storage').error(106), session=session)
    exc = fails(SessionExpired, make_client(script, username=None, password=None, session=session).call,
                ABB, 'list_storage')
    assert str(exc) == (
        'SYNO.ActiveBackup.Share.list_storage on nas.example.com failed: error 106 (Session timeout): the session given '
        'in the session option has expired or was logged out, and no username and password were given to log in '
        'again. Run syno.activebackup.session again, or give username and password as well.')


# -- answers that are not what DSM answers: typed errors, never a crash ---------------------------------

class Canned(object):
    """A transport that answers raw bodies in order (for bodies that the scripted exchange cannot read itself)."""

    def __init__(self, *bodies):
        self.bodies = list(bodies)
        self.methods = []

    def post(self, url, body, headers):
        self.methods.append(dict(parse_qsl(body)).get('method'))
        return HttpAnswer(200, {'Content-Type': 'application/json'}, self.bodies.pop(0))

    def close(self):
        pass


@pytest.mark.parametrize('data', [b'true', b'[1]', b'"sid"', b'{"sid": ""}', b'{"sid": ["s"]}', b'{"sid": true}'])
def test_a_login_success_without_a_usable_sid_is_a_transport_error(data):
    transport = Canned(b'{"success": true, "data": %s}' % data)
    exc = fails(TransportError, make_client(transport, retries=0).login)
    assert transport.methods == ['login']
    assert str(exc) == 'SYNO.API.Auth.login on nas.example.com answered success without a session id.'


def test_a_synotoken_that_is_not_text_is_not_sent():
    script = Script(Expect(AUTH, 'login', version=7, session=False).answer({'sid': 'sid-1', 'synotoken': ['x']}),
                    Expect.abb('list', data={'shares': []}))
    script.expected[1].token = ''  # no X-SYNO-TOKEN header expected
    client = make_client(script)
    assert client.call(ABB, 'list') == {'shares': []}
    script.done()
    assert 'X-SYNO-TOKEN' not in script.requests[1].headers


@pytest.mark.parametrize('data', [True, [1], 'x', 5])
def test_an_info_answer_whose_data_is_not_an_object_is_a_transport_error(data):
    script = Script(Expect.login(), Expect.abb('list').error(102), Expect.info(data))
    exc = fails(TransportError, make_client(script).call, ABB, 'list')
    script.done()
    assert str(exc).startswith('SYNO.API.Info.query on nas.example.com failed: the answer is not what DSM answers')
    assert exc.api == 'SYNO.API.Info' and exc.method == 'query'


@pytest.mark.parametrize('path', [['entry.cgi'], 5, '', None])
def test_an_info_path_that_is_not_text_is_not_adopted(path):
    info = dict(INFO_DSM7)
    info['SYNO.ActiveBackup.Share'] = {'path': path, 'minVersion': 1, 'maxVersion': 2}
    script = Script(Expect.login(), Expect.abb('list').error(104), Expect.info(info),
                    Expect(ABB, 'list', path='entry.cgi', version=1).answer({'shares': []}))
    assert make_client(script).call(ABB, 'list') == {'shares': []}
    script.done()


def test_an_info_version_that_is_not_finite_is_taken_as_1():
    info = dict(INFO_DSM7)
    info['SYNO.API.Auth'] = {'path': 'entry.cgi', 'minVersion': 1, 'maxVersion': float('inf')}
    script = Script(Expect.login_error(104), Expect.info(info), Expect.login(version=1))
    make_client(script).login()
    script.done()


def test_close_after_info_left_auth_out_warns_and_sends_no_logout():
    info = dict(INFO_DSM7)
    del info['SYNO.API.Auth']
    warnings = []
    script = Script(Expect.login(), Expect.abb('list').error(102), Expect.info(info),
                    Expect.abb('list', data={'shares': []}))
    client = make_client(script, warnings=warnings)
    assert client.call(ABB, 'list') == {'shares': []}
    client.close()
    script.done()
    assert script.closed
    assert len(warnings) == 1
    assert warnings[0].startswith('Logout from nas.example.com failed: SYNO.API.Auth.logout on nas.example.com failed: '
                                  'error 102')
    assert 'sid-0123456789abcdef' not in warnings[0]


def test_json_nested_too_deeply_is_a_transport_error():
    transport = Canned(b'{"success": true, "data": {"sid": "sid-1"}}', b'[' * 100000)
    exc = fails(TransportError, make_client(transport, retries=0).call, ABB, 'list')
    assert transport.methods == ['login', 'list']
    assert 'SYNO.ActiveBackup.Share.list on nas.example.com failed: the answer (100000 bytes' in str(exc)
    assert 'is JSON nested too deeply to read' in str(exc)


@pytest.mark.parametrize('body', [b'{"success": false, "error": {"code": 1e999}}', b'{"success": false, "error": -Infinity}'])
def test_an_error_code_that_is_not_finite_is_no_code(body):
    script = Script(Expect.login(), Expect.abb('list').raw(200, body))
    exc = fails(DsmApiError, make_client(script).call, ABB, 'list')
    assert exc.code is None and 'success false, with no error code' in str(exc)


@pytest.mark.parametrize('code, expected', [
    (119, 119), (119.0, 119), ('119', 119), (' 407 ', 407), (-1, -1),
    (True, None), (False, None), (119.7, None), ('1_000', None), ('\u0661\u0660\u0665', None), ('12a', None),
    (None, None), ([119], None), ({'code': 119}, None), ('9' * 11, None),
])
def test_only_a_whole_number_is_an_error_code(code, expected):
    assert error_code({'success': False, 'error': {'code': code}}) == expected
    if not isinstance(code, dict):  # a bare code in place of the error object
        assert error_code({'success': False, 'error': code}) == expected


def test_a_fractional_session_code_does_not_trigger_a_login_again():
    script = Script(Expect.login(), Expect.abb('list').raw(200, b'{"success": false, "error": {"code": 119.7}}'))
    exc = fails(DsmApiError, make_client(script).call, ABB, 'list')
    script.done()
    assert exc.code is None


def test_a_parameter_that_is_not_valid_text_is_refused_before_it_is_sent():
    script = Script(Expect.login())
    exc = fails(DsmInputError, make_client(script).call, ABB, 'list_file', {'root_path': '/volume1/abb/\udcff'})
    script.done()
    assert str(exc).startswith('root_path: the value holds a character that is not valid text')
    assert '\udcff' not in str(exc)


def test_a_password_that_is_not_valid_text_is_never_shown():
    script = Script()
    # refused by the connection checks, before a client exists
    exc = fails(DsmInputError, make_client, script, password='Adm1n-\udcff-Secret')
    script.done()
    assert str(exc).startswith('password ') and 'Secret' not in str(exc)
    # and by the form encoder, the last line of defence
    exc = fails(DsmInputError, encode_form, [('passwd', 'Adm1n-\udcff-Secret')])
    assert str(exc).startswith('passwd: ') and 'Secret' not in str(exc)


def test_a_known_secret_is_masked_as_a_key_too():
    client = make_client(Script(Expect.login()))
    client.login()
    assert client.scrub({'sid-0123456789abcdef': {'x': 'sid-0123456789abcdef'}}) == {'********': {'x': '********'}}
