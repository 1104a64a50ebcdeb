# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""syno.activebackup.api: the exact HTTP exchange (path and version from SYNO.API.Info), redaction, and bad input."""

from __future__ import annotations

import json

import pytest

from ansible_collections.syno.activebackup.plugins.module_utils._op_api import API, is_read_method, redact
from ansible_collections.syno.activebackup.plugins.module_utils._runner import execute

from ansible_collections.syno.activebackup.tests.unit.plugins.module_utils.scripted import (
    PASSWORD,
    Clock,
    Expect,
    Script,
)

HOST = 'nas.example.com'
TASK_API = 'SYNO.ActiveBackup.Task'
AGENT_TOKEN = 'AGENT-TOKEN-0123456789'
LOGIN_PASSWORD = 'LOGIN-PASSWORD-0123456789'


def info(api, path='entry.cgi', low=1, high=2):
    return Expect.info({api: {'path': path, 'minVersion': low, 'maxVersion': high, 'requestFormat': 'JSON'}},
                       query=api)


def options(**kwargs):
    base = dict(api=TASK_API, method='list', version=None, params=None, read_only=None, redact=True)
    base.update(kwargs)
    return base


def run(params, opts, *expected, **kwargs):
    clock = Clock()
    script = Script(*expected)
    out = execute(API, params(**opts), transport=script, sleep=clock.sleep, clock=clock, **kwargs)
    script.done()
    assert script.closed
    assert PASSWORD not in json.dumps(out)
    return out, script


def methods(script):
    return ['%s.%s' % (r.form['api'], r.form['method']) for r in script.requests]


TASKS = {'tasks': [{'task_id': 1, 'task_name': 'Office-PCs', 'devices': [
    {'device_id': 1, 'host_name': 'OFFICE-PC-01', 'agent_token': AGENT_TOKEN, 'login_password': LOGIN_PASSWORD,
     'mssql_user': 'sa', 'mssql_password': 'x'}]}], 'total': 1}


def test_read_of_an_abb_api_uses_version_1_and_redacts_secret_keys(params):
    out, script = run(params, options(params={'load_devices': True, 'filter': {'task_id': 1}}),
                      info(TASK_API), Expect.login(),
                      Expect(TASK_API, 'list', params={'load_devices': True, 'filter': {'task_id': 1}},
                             version=1).answer(TASKS),
                      Expect.logout())
    assert out['changed'] is False and out['read_only'] is True
    assert (out['api'], out['method'], out['version'], out['path']) == (TASK_API, 'list', 1, 'entry.cgi')
    dev = out['data']['tasks'][0]['devices'][0]
    assert dev['agent_token'] == dev['login_password'] == dev['mssql_password'] == 'VALUE_REDACTED'
    assert dev['device_id'] == 1 and dev['mssql_user'] == 'sa' and dev['host_name'] == 'OFFICE-PC-01'
    assert AGENT_TOKEN not in json.dumps(out) and LOGIN_PASSWORD not in json.dumps(out)
    assert 'warnings' not in out


def test_values_are_sent_as_json_text(params):
    def check(request):
        sent = dict(request.pairs)
        assert sent['name'] == '"Office PCs"' and sent['ids'] == '[1,2]' and sent['flag'] == 'true'
        assert sent['count'] == '5'
    run(params, options(api='SYNO.ActiveBackup.Log', method='list_result',
                        params={'name': 'Office PCs', 'ids': [1, 2], 'flag': True, 'count': 5}),
        info('SYNO.ActiveBackup.Log'), Expect.login(),
        Expect('SYNO.ActiveBackup.Log', 'list_result', version=1).inspect(check).answer({'results': []}),
        Expect.logout())


def test_other_apis_take_the_highest_advertised_version_and_path(params):
    out, script = run(params, options(api='SYNO.Core.Package', method='get'),
                      info('SYNO.Core.Package', path='pkg.cgi', low=1, high=3), Expect.login(),
                      Expect('SYNO.Core.Package', 'get', params={}, path='pkg.cgi', version=3).answer({'name': 'x'}),
                      Expect.logout())
    assert (out['version'], out['path'], out['data']) == (3, 'pkg.cgi', {'name': 'x'})


def test_api_outside_entry_cgi_keeps_the_clients_own_endpoints(params):
    """SYNO.API.Auth on auth.cgi (as a DSM 6 NAS advertises it): the login and logout of the task stay on entry.cgi."""
    out, script = run(params, options(api='SYNO.API.Auth', method='get_info', version=6),
                      info('SYNO.API.Auth', path='auth.cgi', low=1, high=6), Expect.login(),
                      Expect('SYNO.API.Auth', 'get_info', path='auth.cgi', version=6).answer(
                          {'sid': 'another-sid-value', 'did': 'device-token-value', 'device_id': 'device-token-value',
                           'synotoken': 'tok-value', 'is_portal_port': False}),
                      Expect.logout())
    assert out['data'] == {'sid': 'VALUE_REDACTED', 'did': 'VALUE_REDACTED', 'device_id': 'VALUE_REDACTED',
                           'synotoken': 'VALUE_REDACTED', 'is_portal_port': False}
    assert out['path'] == 'auth.cgi' and out['version'] == 6


def test_write_in_check_mode_is_not_sent(params):
    out, script = run(params, options(api='SYNO.ActiveBackup.Setting', method='set',
                                      params={'settings': [{'name': 'package_cert_id', 'value': 'x'}]}),
                      info('SYNO.ActiveBackup.Setting'), check_mode=True)
    assert out['changed'] is True and out['read_only'] is False
    assert 'data' not in out
    assert methods(script) == ['SYNO.API.Info.query']


def test_write_reports_a_change(params):
    out, script = run(params, options(api='SYNO.ActiveBackup.Setting', method='set',
                                      params={'settings': [{'name': 'package_cert_id', 'value': 'x'}]}),
                      info('SYNO.ActiveBackup.Setting'), Expect.login(),
                      Expect('SYNO.ActiveBackup.Setting', 'set', version=1).answer(), Expect.logout())
    assert out['changed'] is True and out['data'] == {}


@pytest.mark.parametrize('failure', ['lost', 'busy'])
def test_a_write_is_never_sent_twice(params, failure):
    call = Expect(TASK_API, 'backup', params={'task_ids': [1]}, version=1)
    call = call.fail('io', 'connection lost', sent=True) if failure == 'lost' else call.error(117)
    out, script = run(params, options(method='backup', params={'task_ids': [1]}), info(TASK_API), Expect.login(),
                      call, Expect.logout())
    assert out['failed'] is True and methods(script).count('%s.backup' % TASK_API) == 1
    assert 'may or may not have been applied' in out['msg']


def test_read_only_true_is_retried_when_busy(params):
    out, script = run(params, options(method='backup', read_only=True, params={'task_ids': [1]}), info(TASK_API),
                      Expect.login(), Expect(TASK_API, 'backup', version=1).error(117),
                      Expect(TASK_API, 'backup', version=1).answer(), Expect.logout())
    assert out['changed'] is False


def test_redact_false_returns_the_values_and_warns(params):
    out, script = run(params, options(params={'load_devices': True}, redact=False), info(TASK_API), Expect.login(),
                      Expect(TASK_API, 'list', version=1).answer(TASKS), Expect.logout())
    assert out['data']['tasks'][0]['devices'][0]['agent_token'] == AGENT_TOKEN
    assert len(out['warnings']) == 1 and 'no_log: true' in out['warnings'][0]


def test_errors_are_mapped_with_host_api_method_code_meaning(params):
    out, script = run(params, options(api='SYNO.ActiveBackup.Overview', method='get'),
                      info('SYNO.ActiveBackup.Overview'), Expect.login(),
                      Expect('SYNO.ActiveBackup.Overview', 'get', version=1).error(103), Expect.logout())
    assert out['failed'] is True
    assert ('SYNO.ActiveBackup.Overview.get on %s failed: error 103 (The requested method does not exist)' % HOST) in out['msg']
    assert out['error'] == {'host': HOST, 'api': 'SYNO.ActiveBackup.Overview', 'method': 'get', 'code': 103,
                            'meaning': 'The requested method does not exist'}


def test_an_api_the_nas_does_not_advertise_fails_before_login(params):
    out, script = run(params, options(api='SYNO.Foo.Bar'), Expect.info({}, query='SYNO.Foo.Bar'))
    assert out['failed'] is True and 'does not list SYNO.Foo.Bar' in out['msg'] and 'api_info' in out['msg']


def test_a_missing_abb_api_means_abb_is_not_installed(params):
    out, script = run(params, options(), Expect.info({}, query=TASK_API))
    assert 'Active Backup for Business is not installed' in out['msg']


def test_a_version_the_nas_does_not_offer_fails_before_login(params):
    out, script = run(params, options(version=5), info(TASK_API))
    assert out['failed'] is True and 'advertises versions 1 to 2' in out['msg']


@pytest.mark.parametrize('method,read', [
    ('list', True), ('list_result', True), ('get', True), ('getinfo', True), ('query', True), ('status', True),
    ('check_file', True), ('load', True), ('info', True), ('set', False), ('backup', False), ('cancel', False),
    ('remove', False), ('create_fs_dir', False), ('relink', False), ('information', False), ('statuses', False),
])
def test_read_only_default(method, read):
    assert is_read_method(method) is read


def test_redact_keeps_every_key_and_the_abb_device_number():
    data = {'a': [{'Password': 'p', 'x_token_y': 't', 'secret': {'k': 1}, 'passwd': 'w', 'sid': 's', '_sid': 's',
                   'did': 'd', 'device_id': 'dev-token', 'keep': 'v'}, {'device_id': 7}]}
    assert redact(data) == {'a': [{'Password': 'VALUE_REDACTED', 'x_token_y': 'VALUE_REDACTED',
                                   'secret': 'VALUE_REDACTED', 'passwd': 'VALUE_REDACTED', 'sid': 'VALUE_REDACTED',
                                   '_sid': 'VALUE_REDACTED', 'did': 'VALUE_REDACTED', 'device_id': 'VALUE_REDACTED',
                                   'keep': 'v'}, {'device_id': 7}]}


@pytest.mark.parametrize('opts,part', [
    (dict(api='ActiveBackup.Task'), 'api must be the name of a DSM web API, starting with SYNO.'),
    (dict(api=''), 'starting with SYNO.'),
    (dict(api='SYNO.'), 'starting with SYNO.'),
    (dict(api='SYNO.ActiveBackup.*'), 'starting with SYNO.'),
    (dict(api=None), 'starting with SYNO.'),
    (dict(method=''), 'method must be the name of a method'),
    (dict(method='list;rm'), 'method must be the name of a method'),
    (dict(params='load_devices=true'), 'params must be a dictionary'),
    (dict(params=['a']), 'params must be a dictionary'),
    (dict(params={'api': 'SYNO.X'}), 'params: api is set by the module itself'),
    (dict(params={'_sid': 'x'}), 'params: _sid is set by the module itself'),
    (dict(params={'': 1}), 'every name must be a non-empty text'),
    (dict(params={'a': object()}), 'cannot be sent as JSON text'),
    (dict(version=0), 'version must be between 1 and 1000'),
    (dict(version=-1), 'version must be between 1 and 1000'),
    (dict(version='two'), 'version must be a whole number'),
])
def test_bad_input_is_refused_before_any_request(params, opts, part):
    script = Script()
    out = execute(API, params(**options(**opts)), transport=script)
    assert out['failed'] is True and part in out['msg'], out['msg']
    assert script.requests == []
