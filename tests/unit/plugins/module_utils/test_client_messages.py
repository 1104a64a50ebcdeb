# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Contract section 5, last line: what every message names, and that none holds a secret."""

from __future__ import annotations

import json

import pytest

from urllib.parse import quote

from ansible_collections.syno.activebackup.plugins.module_utils._errors import (
    ABB_API, AUTH_API, AUTH_ERRORS, COMMON_ERRORS, DsmApiError, DsmError,
)
from ansible_collections.syno.activebackup.plugins.module_utils._runner import Operation, execute

from ansible_collections.syno.activebackup.tests.unit.plugins.module_utils.scripted import (
    ABB, Clock, Expect, Script, base_params, make_client,
)

PASSWORD = 'PW-Zebra-7781-s3cret'
OTP_CODE = '731902'
SEED = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'
SID = 'SID-Kiwi-4412-s3cret'
TOKEN = 'TOK-Mango-9923-s3cret'
DEVICE = 'DEV-Papaya-5531-s3cret'
GIVEN_SID = 'SID-Given-0303-s3cret'
GIVEN_TOKEN = 'TOK-Given-0404-s3cret'
PENDING = 'PENDING-2FA-Fig-6060'


def secrets_in(text, extra=()):
    """The secrets found in ``text`` (also percent-encoded, and the seed in any spelling)."""
    found = []
    lowered = text.lower()
    for secret in (PASSWORD, OTP_CODE, SEED, SID, TOKEN, DEVICE, GIVEN_SID, GIVEN_TOKEN, PENDING) + tuple(extra):
        if secret in text or quote(secret, safe='') in text or secret.lower() in lowered:
            found.append(secret)
    if SEED[:16] in text or SEED[:16].lower() in lowered:
        found.append('part of the seed')
    return found


def login(**extra):
    return Expect.login(sid=SID, synotoken=TOKEN, **extra)


def read(client):
    client.call(ABB, 'list')


def write(client):
    client.call(ABB, 'remove', {'share_name': 'abb2', 'is_remove_data': False}, write=True)


def relink(client):
    client.call(ABB, 'relink', {'share_name': 'abb2'}, write=True)


SCENARIOS = {
    'login 400': (lambda: Script(Expect.login_error(400)), read, {}),
    'login 403 with pending token': (
        lambda: Script(Expect.login_error(403, {'token': PENDING, 'types': [{'type': 'otp'}]})), read, {}),
    'login 404 code': (lambda: Script(Expect.login_error(404)), read, {'otp_code': OTP_CODE}),
    'login 404 seed twice': (lambda: Script(Expect.login_error(404), Expect.login_error(404)), read,
                             {'otp_secret': SEED}),
    'login 403 device then 404': (lambda: Script(Expect.login_error(403), Expect.login_error(404)), read,
                                  {'device_id': DEVICE, 'otp_code': OTP_CODE}),
    'login 407': (lambda: Script(Expect.login_error(407)), read, {}),
    'login busy': (lambda: Script(*[Expect.login_error(117)] * 4), read, {}),
    'login html': (lambda: Script(*[Expect(AUTH_API, 'login', session=False).raw(502, b'<html>x</html>')] * 4),
                   read, {}),
    'device token issued then call 105': (
        lambda: Script(login(device_id=DEVICE), Expect.abb('list').error(105), Expect.logout()),
        lambda c: (c.login(request_device_token=True), read(c)), {'otp_code': OTP_CODE}),
    'read 100 echoing secrets': (
        lambda: Script(login(), Expect.abb('list').error(100, {'sid': SID, 'note': 'token %s' % TOKEN, 'passwd': PASSWORD}),
                       Expect.logout()),
        read, {}),
    'read busy': (lambda: Script(login(), *([Expect.abb('list').error(118)] * 4 + [Expect.logout()])), read, {}),
    'read reset': (lambda: Script(login(), *([Expect.abb('list').fail('io', 'reset for %s' % SID, True)] * 4
                                             + [Expect.logout()])), read, {}),
    'read 102 not installed': (lambda: Script(login(), Expect.abb('list').error(102),
                                              Expect.info({'SYNO.API.Auth': {'path': 'entry.cgi', 'maxVersion': 7}}),
                                              Expect.logout()), read, {}),
    'read 119 twice': (lambda: Script(login(), Expect.abb('list').error(119), login(), Expect.abb('list').error(119),
                                      Expect.logout()), read, {}),
    'write 120': (lambda: Script(login(), Expect.abb('remove').error(120), Expect.logout()), write, {}),
    'write busy': (lambda: Script(login(), Expect.abb('relink').error(111), Expect.logout()), relink, {}),
    'write lost': (lambda: Script(login(), Expect.abb('relink').fail('timeout', 'no answer', True), Expect.logout()),
                   relink, {}),
    'logout fails': (lambda: Script(login(), Expect.abb('list', data={}), Expect.logout().error(100, {'sid': SID})),
                     read, {}),
    'given session expired': (
        lambda: Script(Expect.abb('list').error(106), session={'sid': GIVEN_SID, 'synotoken': GIVEN_TOKEN}),
        read, {'username': None, 'password': None,
               'session': {'sid': GIVEN_SID, 'synotoken': GIVEN_TOKEN, 'device_id': DEVICE}}),
    'given session replaced': (
        lambda: Script(Expect.abb('list').error(119), login(), Expect.abb('list').error(105), Expect.logout(),
                       session={'sid': GIVEN_SID, 'synotoken': GIVEN_TOKEN}),
        read, {'session': {'sid': GIVEN_SID, 'synotoken': GIVEN_TOKEN}}),
}


@pytest.mark.parametrize('name', sorted(SCENARIOS))
def test_no_secret_in_any_result(name):
    make_script, fn, overrides = SCENARIOS[name]
    script = make_script()
    if 'password' in overrides and overrides['password'] is None:
        params = base_params(**overrides)
    else:
        params = base_params(password=PASSWORD, **overrides)
    op = Operation('probe', {}, lambda ctx: fn(ctx.client) or {})
    result = execute(op, params, transport=script, sleep=Clock().sleep)
    script.done()
    sent_codes = tuple(r.form['otp_code'] for r in script.requests if r.form.get('otp_code'))
    text = json.dumps(result, ensure_ascii=False)
    assert secrets_in(text, sent_codes) == [], text
    assert result.get('failed') or result.get('warnings'), result


@pytest.mark.parametrize('name', sorted(SCENARIOS))
def test_no_secret_in_any_raised_exception(name):
    make_script, fn, overrides = SCENARIOS[name]
    script = make_script()
    if overrides.get('password', PASSWORD) is not None:
        overrides = dict(overrides, password=PASSWORD)
    warnings = []
    client = make_client(script, warnings=warnings, **overrides)
    raised = None
    try:
        fn(client)
    except DsmError as exc:
        raised = exc
    finally:
        client.close()
    sent_codes = tuple(r.form['otp_code'] for r in script.requests if r.form.get('otp_code'))
    texts = [str(raised), repr(raised), json.dumps(raised.to_result() if raised else {})] + warnings
    for text in texts:
        assert secrets_in(text, sent_codes) == [], text


def test_403_pending_token_is_not_in_details():
    script = Script(Expect.login_error(403, {'token': PENDING, 'types': [{'type': 'otp'}]}))
    client = make_client(script)
    exc = pytest.raises(DsmApiError, client.login).value
    assert PENDING not in str(exc)
    assert exc.details['types'] == [{'type': 'otp'}]
    assert PENDING not in json.dumps(exc.to_result())


def test_input_error_does_not_echo_a_password_put_in_host():
    op = Operation('probe', {}, lambda ctx: {})
    for host in ('https://admin:%s@nas.example.com' % PASSWORD, 'admin:%s@nas.example.com' % PASSWORD):
        result = execute(op, base_params(host=host, password=PASSWORD), transport=Script())
        assert result['failed']
        assert PASSWORD not in result['msg'], result['msg']
        assert 'host' in result['msg']


@pytest.mark.parametrize('api, code', [(ABB_API, c) for c in sorted(COMMON_ERRORS)]
                         + [(AUTH_API, c) for c in sorted(AUTH_ERRORS)])
def test_every_known_code_message_names_host_api_method_code_and_meaning(api, code):
    exc = DsmApiError.from_answer('nas.example.com', api, 'm', code)
    text = str(exc)
    meaning = (AUTH_ERRORS if api == AUTH_API and code in AUTH_ERRORS else COMMON_ERRORS)[code]
    for part in ('nas.example.com', api, '.m ', 'error %s' % code, meaning):
        assert part in text
    assert exc.to_result() == {'host': 'nas.example.com', 'api': api, 'method': 'm', 'code': code,
                               'meaning': exc.to_result()['meaning']}
    assert exc.to_result()['meaning'].startswith(meaning)


def test_execute_result_carries_the_structured_error():
    script = Script(Expect.login(), Expect.abb('list').error(105), Expect.logout())
    op = Operation('probe', {}, lambda ctx: ctx.client.call(ABB, 'list'))
    result = execute(op, base_params(), transport=script)
    assert result['failed'] is True and result['changed'] is False
    assert result['error'] == {'host': 'nas.example.com', 'api': ABB, 'method': 'list', 'code': 105,
                               'meaning': 'The logged in session does not have permission'}
    assert 'error 105' in result['msg']
