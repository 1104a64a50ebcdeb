# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""syno.activebackup.settings: the exact HTTP exchange of every branch, and its bad input."""

from __future__ import annotations

import pytest

from ansible_collections.syno.activebackup.plugins.module_utils._op_settings import SETTINGS
from ansible_collections.syno.activebackup.plugins.module_utils._runner import execute

from ansible_collections.syno.activebackup.tests.unit.plugins.module_utils.scripted import Expect, Script

SETTING_API = 'SYNO.ActiveBackup.Setting'
HOST = 'nas.example.com'
NAS = [('max_concurrent_devices', '5'), ('memory_usage_limit_percentage', '75'), ('package_cert_id', 'dyAaL7'),
       ('enable_global_bandwidth_control', 'false'), ('global_backup_bandwidth_number', '0'),
       ('enable_ip_range_bandwidth_control', 'false'), ('full_backup_task_ids', ''), ('retention_run_hour', '14'),
       ('retention_run_min', '50')]


def listing(changes=None, extra=()):
    values = dict(NAS, **(changes or {}))
    values.update(extra)
    entries = [{'id': index + 1, 'name': name, 'value': value} for index, (name, value) in enumerate(values.items())]
    return Expect(SETTING_API, 'list', params={}, version=1).answer({'settings': entries, 'cert_info': {}})


def setting_set(*pairs):
    return Expect(SETTING_API, 'set', params={'settings': [{'name': n, 'value': v} for n, v in pairs]}, version=1)


def run(params, settings, *expected, **kwargs):
    script = Script(*expected)
    out = execute(SETTINGS, params(settings=settings), transport=script, **kwargs)
    script.done()
    return out, script


def methods(script):
    return [r.form['method'] for r in script.requests]


def test_change_sends_only_the_changed_settings_once_and_reads_again(params):
    out, script = run(params, {'max_concurrent_devices': 10, 'retention_run_hour': '14',
                               'enable_global_bandwidth_control': True},
                      Expect.login(), listing(),
                      setting_set(('max_concurrent_devices', '10'), ('enable_global_bandwidth_control', 'true')).answer(),
                      listing({'max_concurrent_devices': '10', 'enable_global_bandwidth_control': 'true'}),
                      Expect.logout(), diff=True)
    assert out['changed'] is True
    assert out['changed_settings'] == ['max_concurrent_devices', 'enable_global_bandwidth_control']
    assert out['settings'] == dict(NAS, max_concurrent_devices='10', enable_global_bandwidth_control='true')
    assert out['diff'] == {
        'before': {'max_concurrent_devices': '5', 'retention_run_hour': '14', 'enable_global_bandwidth_control': 'false'},
        'after': {'max_concurrent_devices': '10', 'retention_run_hour': '14', 'enable_global_bandwidth_control': 'true'}}
    assert 'warnings' not in out


def test_second_run_changes_nothing_and_sends_no_write(params):
    out, script = run(params, {'max_concurrent_devices': 10, 'enable_global_bandwidth_control': True},
                      Expect.login(), listing({'max_concurrent_devices': '10', 'enable_global_bandwidth_control': 'true'}),
                      Expect.logout(), diff=True)
    assert out['changed'] is False and out['changed_settings'] == []
    assert methods(script) == ['login', 'list', 'logout']
    assert out['diff']['before'] == out['diff']['after']


@pytest.mark.parametrize('given,sent', [(True, 'true'), (False, 'false'), (0, '0'), (75, '75'), ('75', '75'),
                                        ('', ''), (-1, '-1')])
def test_values_are_compared_as_the_nas_stores_them(params, given, sent):
    current = {'memory_usage_limit_percentage': sent}
    out, script = run(params, {'memory_usage_limit_percentage': given}, Expect.login(), listing(current),
                      Expect.logout())
    assert out['changed'] is False


def test_check_mode_predicts_and_sends_no_write(params):
    out, script = run(params, {'retention_run_hour': 3}, Expect.login(), listing(), Expect.logout(),
                      check_mode=True, diff=True)
    assert out['changed'] is True and out['changed_settings'] == ['retention_run_hour']
    assert methods(script) == ['login', 'list', 'logout']
    assert out['settings']['retention_run_hour'] == '3'
    assert out['diff'] == {'before': {'retention_run_hour': '14'}, 'after': {'retention_run_hour': '3'}}


def test_unknown_name_fails_before_any_write_listing_the_nas_names(params):
    out, script = run(params, {'max_concurrent_devices': 10, 'max_devices': 3}, Expect.login(), listing(),
                      Expect.logout())
    assert out['failed'] is True
    assert methods(script) == ['login', 'list', 'logout']
    msg = out['msg']
    assert 'No package setting named max_devices on %s' % HOST in msg
    assert 'max_concurrent_devices, memory_usage_limit_percentage, package_cert_id' in msg
    assert out['error']['details']['unknown'] == ['max_devices']


def test_nas_that_stores_another_value_warns(params):
    out, script = run(params, {'max_concurrent_devices': 500}, Expect.login(), listing(),
                      setting_set(('max_concurrent_devices', '500')).answer(),
                      listing({'max_concurrent_devices': '64'}), Expect.logout())
    assert out['changed'] is True and out['settings']['max_concurrent_devices'] == '64'
    assert len(out['warnings']) == 1 and "max_concurrent_devices as '64' (sent '500')" in out['warnings'][0]


def test_set_refused_names_code_and_parameter(params):
    out, script = run(params, {'retention_run_hour': 30}, Expect.login(), listing(),
                      setting_set(('retention_run_hour', '30')).error(120, {'name': 'settings', 'reason': 'type'}),
                      Expect.logout())
    assert out['failed'] is True
    assert 'SYNO.ActiveBackup.Setting.set on %s failed: error 120' % HOST in out['msg']
    assert 'parameter settings' in out['msg']


def test_a_set_whose_answer_was_lost_is_never_sent_again(params):
    out, script = run(params, {'retention_run_hour': 3}, Expect.login(), listing(),
                      setting_set(('retention_run_hour', '3')).fail('io', 'connection lost', sent=True),
                      Expect.logout())
    assert out['failed'] is True and methods(script).count('set') == 1
    assert 'may or may not have been applied' in out['msg'] and 'it was not repeated' in out['msg']


def test_secret_named_settings_are_never_returned(params):
    out, script = run(params, {'retention_run_hour': '14'}, Expect.login(),
                      listing(extra={'smtp_password': 'S3cret-Value'}), Expect.logout())
    assert 'smtp_password' not in out['settings'] and 'S3cret-Value' not in str(out)


@pytest.mark.parametrize('settings,part', [
    ({}, 'settings is empty'),
    (None, 'settings must be a dictionary'),
    ('max_concurrent_devices=5', 'settings must be a dictionary'),
    (['max_concurrent_devices'], 'settings must be a dictionary'),
    ({'max_concurrent_devices': [5]}, 'is a list; each value must be a text, a whole number or a boolean'),
    ({'max_concurrent_devices': {'value': 5}}, 'is a dict; each value must be'),
    ({'max_concurrent_devices': None}, 'is nothing (null)'),
    ({'max_concurrent_devices': 1.5}, 'Quote a decimal number ("1.5")'),
    ({'': 5}, 'every name must be a non-empty text'),
    ({'a\tb': 5}, 'control character'),
    ({'retention_run_hour': 'a\x00b'}, 'the value of retention_run_hour contains a control character'),
])
def test_bad_input_is_refused_before_any_request(params, settings, part):
    script = Script()
    out = execute(SETTINGS, params(settings=settings), transport=script)
    assert out['failed'] is True and part in out['msg'], out['msg']
    assert script.requests == []
