# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Contract section 4: login, 2FA (code, TOTP seed, trusted-device token), logout."""

from __future__ import annotations

import pytest

from ansible_collections.syno.activebackup.plugins.module_utils._errors import DsmApiError, DsmAuthError, TransportError

from ansible_collections.syno.activebackup.tests.unit.plugins.module_utils.scripted import (
    ABB, PASSWORD, Clock, Expect, Script, make_client,
)

# RFC 6238 appendix B seed for SHA1 ("12345678901234567890"), base32.
RFC_SEED = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'
BASE = {'account': 'admin', 'passwd': PASSWORD, 'format': 'sid', 'session': 'webui', 'enable_syno_token': 'yes'}


def login_params(**extra):
    out = dict(BASE)
    out.update(extra)
    return out


def test_plain_login_sends_exactly_the_contract_fields():
    script = Script(Expect.login(params=login_params()))
    session = make_client(script).login()
    script.done()
    assert session == {'sid': 'sid-0123456789abcdef', 'synotoken': 'token-abcdef012345'}
    assert script.requests[0].field_names == ['api', 'version', 'method', 'account', 'passwd', 'format', 'session',
                                              'enable_syno_token']


def test_otp_code_is_sent_bare():
    script = Script(Expect.login(params=login_params(otp_code='012345')))
    make_client(script, otp_code='012345').login()
    script.done()


@pytest.mark.parametrize('now, code', [
    (59, '287082'),
    (1111111109, '081804'),
    (1111111111, '050471'),
    (1234567890, '005924'),
    (2000000000, '279037'),
    (20000000000, '353130'),
])
def test_otp_secret_sends_the_rfc6238_code_of_the_clock(now, code):
    script = Script(Expect.login(params=login_params(otp_code=code)))
    make_client(script, Clock(now), otp_secret=RFC_SEED).login()
    script.done()


def test_otp_code_wins_over_otp_secret():
    script = Script(Expect.login(params=login_params(otp_code='999999')))
    make_client(script, Clock(59), otp_code='999999', otp_secret=RFC_SEED).login()
    script.done()


def test_used_code_waits_for_the_next_window_once_with_otp_secret():
    clock = Clock(1111111109)  # 1 s left in this window
    script = Script(
        Expect.login_error(404, params=login_params(otp_code='081804')),
        Expect.login(params=login_params(otp_code='050471')),
    )
    make_client(script, clock, otp_secret=RFC_SEED).login()
    script.done()
    assert clock.sleeps == [2.0]


def test_second_wrong_code_fails_without_a_third_login():
    clock = Clock(59)
    script = Script(
        Expect.login_error(404, params=login_params(otp_code='287082')),
        Expect.login_error(404, params=login_params(otp_code='359152')),
    )
    exc = pytest.raises(DsmAuthError, make_client(script, clock, otp_secret=RFC_SEED).login).value
    script.done()
    assert clock.sleeps == [2.0]
    assert exc.code == 404
    assert 'clock' in str(exc)


def test_device_token_login_sends_no_code():
    script = Script(Expect.login(params=login_params(device_id='trusted-dev-token', device_name='ctl-01')))
    make_client(script, device_id='trusted-dev-token', device_name='ctl-01', otp_secret=RFC_SEED).login()
    script.done()


@pytest.mark.parametrize('otp', [{'otp_secret': RFC_SEED}, {'otp_code': '287082'}])
def test_rejected_device_token_falls_back_to_the_code(otp):
    script = Script(
        Expect.login_error(403, {'types': [{'type': 'otp'}]},
                           params=login_params(device_id='stale-token', device_name='ansible')),
        Expect.login(params=login_params(otp_code='287082')),
    )
    make_client(script, Clock(59), device_id='stale-token', **otp).login()
    script.done()


def test_rejected_device_token_without_a_code_fails():
    script = Script(Expect.login_error(403, params=login_params(device_id='stale-token', device_name='ansible')))
    exc = pytest.raises(DsmAuthError, make_client(script, device_id='stale-token').login).value
    script.done()
    assert exc.code == 403


def test_rejected_device_token_then_wrong_code_is_not_retried_again_with_otp_code():
    script = Script(
        Expect.login_error(403, params=login_params(device_id='stale-token', device_name='ansible')),
        Expect.login_error(404, params=login_params(otp_code='111111')),
    )
    exc = pytest.raises(DsmAuthError, make_client(script, device_id='stale-token', otp_code='111111').login).value
    script.done()
    assert exc.code == 404


def test_device_token_is_requested_when_asked():
    script = Script(Expect.login(params=login_params(otp_code='287082', enable_device_token='yes',
                                                     device_name='ansible'), device_id='new-device-token'))
    client = make_client(script, Clock(59), otp_secret=RFC_SEED)
    session = client.login(request_device_token=True)
    script.done()
    assert session == {'sid': 'sid-0123456789abcdef', 'synotoken': 'token-abcdef012345',
                       'device_id': 'new-device-token'}
    assert script.requests[0].form['enable_device_token'] == 'yes'


def test_rejected_device_token_asks_for_a_new_one_when_asked():
    script = Script(
        Expect.login_error(403, params=login_params(device_id='stale', device_name='ansible')),
        Expect.login(params=login_params(otp_code='287082', enable_device_token='yes', device_name='ansible'),
                     device_id='fresh'),
    )
    session = make_client(script, Clock(59), device_id='stale', otp_secret=RFC_SEED).login(request_device_token=True)
    script.done()
    assert session['device_id'] == 'fresh'


def test_dsm6_answer_did_is_read_as_the_device_token():
    script = Script(Expect.login(params=login_params(otp_code='287082', enable_device_token='yes',
                                                     device_name='ansible'), did='dsm6-device-token'))
    session = make_client(script, Clock(59), otp_secret=RFC_SEED).login(request_device_token=True)
    script.done()
    assert session['device_id'] == 'dsm6-device-token'


def test_no_device_token_asked_means_none_reported():
    script = Script(Expect.login(params=login_params()))
    assert 'device_id' not in make_client(script).login()


def test_login_without_credentials_is_refused_before_any_request():
    script = Script()
    client = make_client(script, username=None, password=None, session={'sid': 'x'})
    with pytest.raises(Exception) as info:
        client.login()
    assert 'username and password' in str(info.value)
    script.done()


# -- logout ------------------------------------------------------------------------------------------

def test_close_logs_out_the_own_session_and_closes_the_transport():
    script = Script(Expect.login(sid='own'), Expect.logout(sid='own'))
    client = make_client(script)
    client.login()
    client.close()
    script.done()
    assert script.closed
    assert client.session is None


def test_close_without_login_sends_nothing():
    script = Script()
    client = make_client(script)
    client.close()
    script.done()
    assert script.closed


def test_keep_session_hands_it_over():
    script = Script(Expect.login())
    client = make_client(script)
    client.login()
    client.keep_session()
    client.close()
    script.done()


def test_logout_of_a_given_session_sends_it():
    session = {'sid': 'given', 'synotoken': 'gtok'}
    script = Script(Expect.logout(), session=session)
    client = make_client(script, username=None, password=None, session=session)
    assert client.logout() is True
    script.done()
    assert script.requests[0].token == 'gtok'


@pytest.mark.parametrize('code', [105, 106, 107, 119, 150])
def test_logout_of_a_dead_session_reports_false(code):
    session = {'sid': 'given'}
    script = Script(Expect.logout().error(code), session=session)
    assert make_client(script, username=None, password=None, session=session).logout() is False
    script.done()


def test_logout_failure_on_close_is_a_warning():
    warnings = []
    script = Script(Expect.login(), Expect.logout().error(100))
    client = make_client(script, warnings=warnings)
    client.login()
    client.close()
    script.done()
    assert len(warnings) == 1
    assert warnings[0].startswith('Logout from nas.example.com failed: SYNO.API.Auth.logout on nas.example.com failed: '
                                  'error 100 (Unknown error)')
    assert script.closed


def test_logout_transport_failure_on_close_is_a_warning():
    warnings = []
    script = Script(Expect.login(), Expect.logout().fail('io', 'connection lost: Connection reset by peer', True))
    client = make_client(script, warnings=warnings)
    client.login()
    client.close()
    script.done()
    assert len(warnings) == 1 and 'Connection reset by peer' in warnings[0]


def test_logout_error_raises_when_called_directly():
    script = Script(Expect.login(), Expect.logout().error(100))
    client = make_client(script)
    client.login()
    with pytest.raises(DsmApiError):
        client.logout()
    assert client.session is None


def test_relogin_after_session_error_keeps_counting_logins():
    script = Script(Expect.login(sid='a'), Expect.abb('list').error(106), Expect.login(sid='b'),
                    Expect.abb('list', data={}), Expect.logout(sid='b'))
    client = make_client(script)
    client.call(ABB, 'list')
    client.close()
    script.done()
    assert client.logins == 2


@pytest.mark.parametrize('data', [
    {'sid': 'abc\u20acdef'},
    {'sid': 'abc def'},
    {'sid': 'abc', 'synotoken': 'to;ken'},
    {'sid': 'abc', 'device_id': 'dev"ice'},
    {'sid': 'x' * 2000},
])
def test_a_session_value_no_dsm_sends_is_not_put_into_a_header(data):
    """A sid, synotoken or device token that cannot go into a cookie or header is not DSM's answer."""
    extra = dict((key, value) for key, value in data.items() if key not in ('sid', 'synotoken'))
    script = Script(Expect.login(sid=data['sid'], synotoken=data.get('synotoken'), **extra))
    with pytest.raises(TransportError) as info:
        make_client(script).login()
    script.done()
    text = str(info.value)
    assert text.startswith('SYNO.API.Auth.login on nas.example.com answered success with a session value'), text
    assert '\u20ac' not in text and 'to;ken' not in text
