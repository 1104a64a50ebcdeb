# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""_runner.execute: the one place where typed errors become a result, and who logs out what."""

from __future__ import annotations

import pytest

from ansible_collections.syno.activebackup.plugins.module_utils._errors import DsmApiError, DsmInputError
from ansible_collections.syno.activebackup.plugins.module_utils._runner import Operation, execute

from ansible_collections.syno.activebackup.tests.unit.plugins.module_utils.scripted import (
    ABB, Clock, Expect, Script, base_params,
)

GIVEN = {'sid': 'given-sid', 'synotoken': 'given-tok'}


def op(run, **kwargs):
    return Operation('probe', {}, run, **kwargs)


def list_shares(ctx):
    return {'data': ctx.client.call(ABB, 'list')}


def test_logs_out_the_session_it_opened():
    script = Script(Expect.login(), Expect.abb('list', data={'shares': []}), Expect.logout())
    result = execute(op(list_shares), base_params(), transport=script)
    script.done()
    assert result == {'changed': False, 'data': {'shares': []}}
    assert script.closed


def test_logs_out_when_the_operation_fails():
    script = Script(Expect.login(), Expect.abb('list').error(105), Expect.logout())
    result = execute(op(list_shares), base_params(), transport=script)
    script.done()
    assert result['failed'] is True and 'error 105' in result['msg']
    assert script.closed


def test_logs_out_when_the_operation_has_a_bug():
    def broken(ctx):
        ctx.client.call(ABB, 'list')
        raise KeyError('bug')
    script = Script(Expect.login(), Expect.abb('list', data={}), Expect.logout())
    with pytest.raises(KeyError):
        execute(op(broken), base_params(), transport=script)
    script.done()
    assert script.closed


def test_no_request_no_logout():
    script = Script()
    result = execute(op(lambda ctx: {'x': 1}), base_params(), transport=script)
    script.done()
    assert result == {'changed': False, 'x': 1}
    assert script.closed


@pytest.mark.parametrize('answer', [
    lambda e: e.answer({'shares': []}),
    lambda e: e.error(105),
    lambda e: e.error(100, {'reason': 'x'}),
])
def test_never_logs_out_a_given_session(answer):
    script = Script(answer(Expect.abb('list')), session=GIVEN)
    execute(op(list_shares), base_params(username=None, password=None, session=GIVEN), transport=script)
    script.done()
    assert script.closed


def test_given_session_replaced_after_expiry_logs_out_only_the_new_one():
    script = Script(Expect.abb('list').error(119), Expect.login(sid='new'), Expect.abb('list', data={}),
                    Expect.logout(sid='new'), session=GIVEN)
    result = execute(op(list_shares), base_params(session=GIVEN), transport=script)
    script.done()
    assert len(result['warnings']) == 1 and 'logged in again' in result['warnings'][0]


def test_failing_logout_is_a_warning_not_a_failure():
    script = Script(Expect.login(), Expect.abb('list', data={}), Expect.logout().fail('io', 'connection lost', True))
    result = execute(op(list_shares), base_params(), transport=script)
    script.done()
    assert result['changed'] is False and 'failed' not in result
    assert len(result['warnings']) == 1
    assert result['warnings'][0].startswith('Logout from nas.example.com failed:')


def test_failing_logout_does_not_hide_the_operation_error():
    script = Script(Expect.login(), Expect.abb('list').error(160), Expect.logout().error(100))
    result = execute(op(list_shares), base_params(), transport=script)
    script.done()
    assert result['failed'] is True and 'error 160' in result['msg']
    assert len(result['warnings']) == 1 and 'Logout' in result['warnings'][0]


def test_warnings_go_to_the_callback_when_given():
    seen = []
    script = Script(Expect.login(), Expect.abb('list', data={}), Expect.logout().error(100))
    result = execute(op(list_shares), base_params(), transport=script, warn=seen.append)
    assert 'warnings' not in result
    assert len(seen) == 1


def test_validate_runs_first_and_no_request_is_made():
    def refuse(params, now):
        raise DsmInputError('name: bad.')
    script = Script()
    result = execute(op(list_shares, validate=refuse), base_params(), transport=script)
    script.done()
    assert result == {'failed': True, 'changed': False, 'msg': 'name: bad.'}


def test_a_bad_connection_option_fails_before_the_operation_is_validated():
    seen = []

    def validate(params, now):
        seen.append(params)
    result = execute(op(lambda ctx: {}, validate=validate), base_params(port=0), transport=Script())
    assert seen == [] and result['failed'] and result['msg'] == 'port must be between 1 and 65535 (got 0).'


def test_validate_result_reaches_the_run_as_checked():
    seen = []
    result = execute(op(lambda ctx: seen.append(ctx.checked) or {}, validate=lambda params, now: {'n': 1}), base_params(),
                     transport=Script())
    assert seen == [{'n': 1}] and result == {'changed': False}


def test_context_carries_modes_and_params():
    seen = []

    def look(ctx):
        seen.append((ctx.check_mode, ctx.diff, ctx.params['host']))
        ctx.warn('careful')
        return {'changed': True}
    result = execute(op(look), base_params(), check_mode=True, diff=True, transport=Script())
    assert seen == [(True, True, 'nas.example.com')]
    assert result == {'changed': True, 'warnings': ['careful']}


def test_sleep_is_passed_to_the_client():
    clock = Clock()
    script = Script(Expect.login(), Expect.abb('list').error(117), Expect.abb('list', data={}), Expect.logout())
    execute(op(list_shares), base_params(), transport=script, sleep=clock.sleep)
    assert clock.sleeps == [0.5]


def test_dsm_error_structure_in_the_result():
    def fail(ctx):
        raise DsmApiError.from_answer('nas.example.com', ABB, 'relink', 100, {'reason': 'not_relinkable'})
    result = execute(op(fail), base_params(), transport=Script())
    assert result['error'] == {'host': 'nas.example.com', 'api': ABB, 'method': 'relink', 'code': 100,
                               'meaning': 'Unknown error', 'details': {'reason': 'not_relinkable'}}


def test_a_session_handed_over_is_not_logged_out():
    def hand_over(ctx):
        ctx.client.login()
        ctx.client.keep_session()
        return {'session': ctx.client.session}
    script = Script(Expect.login(sid='kept', synotoken='kept-tok'))
    result = execute(op(hand_over), base_params(), transport=script)
    script.done()
    assert result == {'changed': False, 'session': {'sid': 'kept', 'synotoken': 'kept-tok'}}


def test_an_explicit_logout_of_a_given_session_is_sent_once():
    def log_out(ctx):
        return {'logged_out': ctx.client.logout()}
    script = Script(Expect.logout(), session=GIVEN)
    result = execute(op(log_out), base_params(username=None, password=None, session=GIVEN), transport=script)
    script.done()
    assert result == {'changed': False, 'logged_out': True}
