# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""plugin_utils/_action.py: where the operation runs, argument validation, no_log masking."""

from __future__ import annotations

import functools
import json
import os

import pytest

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.parameters import remove_values

from ansible_collections.syno.activebackup.plugins.module_utils import _runner
from ansible_collections.syno.activebackup.plugins.module_utils._runner import Operation
from ansible_collections.syno.activebackup.plugins.plugin_utils import _action
from ansible_collections.syno.activebackup.plugins.plugin_utils._action import DsmActionBase

from ansible_collections.syno.activebackup.tests.unit.plugins.module_utils.scripted import ABB, Expect, Script

MASKED = 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
ENV_PASSWORD = 'Env-Pass-3141-zz'
ARG_PASSWORD = 'Arg-Pass-2718-zz'
SEEN = []


def _record(ctx):
    SEEN.append(dict(params=dict(ctx.params), check_mode=ctx.check_mode, diff=ctx.diff))
    return {'user': ctx.params.get('username'), 'echo': 'password was %s' % ctx.params.get('password'),
            'port': ctx.params.get('port')}


RECORD = Operation('probe', {'name': dict(type='str')}, _record)


def _list(ctx):
    return {'data': ctx.client.call(ABB, 'list')}


LIST = Operation('probe', {}, _list)


class FakeTask(object):
    def __init__(self, args, environment=None, async_val=0, check_mode=False, diff=False):
        self.args = args
        self.environment = environment
        self.async_val = async_val
        self.check_mode = check_mode
        self.diff = diff
        self.action = 'syno.activebackup.probe'


class FakeShell(object):
    tmpdir = '/nonexistent/ansible-tmp'

    def env_prefix(self, **kwargs):
        return ' '.join('%s=%s' % item for item in sorted(kwargs.items()))


class FakeConnection(object):
    """Attribute values as ansible-core 2.19 sets them (connection_loader.get(...))."""

    NAMES = {
        'local': ('local', 'local'),
        'ansible.builtin.local': ('local', 'ansible_collections.ansible.builtin.plugins.connection.local'),
        'ansible.legacy.local': ('local', 'local'),
        'ssh': ('ssh', 'ssh'),
        'ansible.builtin.ssh': ('ssh', 'ansible_collections.ansible.builtin.plugins.connection.ssh'),
        'paramiko_ssh': ('paramiko', 'paramiko_ssh'),
        'community.docker.docker': ('community.docker.docker', 'ansible_collections.community.docker.plugins.connection.docker'),
    }

    def __init__(self, name='local', has_native_async=False):
        self.transport, self._load_name = self.NAMES[name]
        self.has_native_async = has_native_async
        self._shell = FakeShell()


class FakeTemplar(object):
    def template(self, value):
        return value


def action(operation=RECORD, args=None, connection='local', **task):
    class Probe(DsmActionBase):
        OPERATION = operation
        MODULE = 'syno.activebackup.probe'
    base = {'host': 'nas.example.com', 'username': 'admin', 'password': ARG_PASSWORD}
    if args is not None:
        base = args
    return Probe(FakeTask(base, **task), FakeConnection(connection), None, None, FakeTemplar())


@pytest.fixture(autouse=True)
def clean(monkeypatch):
    del SEEN[:]
    for name in ('SYNOLOGY_HOST', 'SYNOLOGY_PORT', 'SYNOLOGY_USERNAME', 'SYNOLOGY_PASSWORD', 'SYNOLOGY_OTP_SECRET',
                 'SYNOLOGY_DEVICE_ID', 'SYNOLOGY_VALIDATE_CERTS'):
        monkeypatch.delenv(name, raising=False)


def scripted(monkeypatch, script):
    monkeypatch.setattr(_action, 'execute', functools.partial(_runner.execute, transport=script))


# -- where it runs --------------------------------------------------------------------------------------

@pytest.mark.parametrize('connection, here', [
    ('local', True), ('ansible.builtin.local', True), ('ansible.legacy.local', True),
    ('ssh', False), ('ansible.builtin.ssh', False), ('paramiko_ssh', False), ('community.docker.docker', False),
])
def test_runs_here_only_on_a_local_connection(connection, here):
    assert action(connection=connection)._runs_here() is here


def test_async_runs_the_module():
    assert action(async_val=30)._runs_here() is False


def test_without_requests_runs_the_module(monkeypatch):
    monkeypatch.setattr(_action, 'HAS_REQUESTS', False)
    assert action()._runs_here() is False


@pytest.mark.parametrize('connection, async_val, wrap', [
    ('ssh', 0, False), ('ssh', 30, True), ('local', 30, True),
])
def test_otherwise_the_module_runs_with_the_task_args(monkeypatch, connection, async_val, wrap):
    act = action(connection=connection, async_val=async_val)
    calls = []

    def fake_execute_module(**kwargs):
        calls.append(kwargs)
        return {'changed': False, 'from': 'module'}
    monkeypatch.setattr(act, '_execute_module', fake_execute_module)
    result = act.run(task_vars={})
    assert result == {'changed': False, 'from': 'module'}
    assert calls == [{'module_name': 'syno.activebackup.probe', 'module_args': act._task.args, 'task_vars': {},
                      'wrap_async': wrap}]
    assert SEEN == []


# -- validation on the controller -------------------------------------------------------------------------

def test_env_fallbacks_come_from_the_task_environment():
    env = [{'SYNOLOGY_USERNAME': 'envuser'}, {'SYNOLOGY_PASSWORD': ENV_PASSWORD, 'SYNOLOGY_PORT': '5551'}]
    result = action(args={'host': 'nas.example.com'}, environment=env).run(task_vars={})
    assert SEEN[0]['params']['username'] == 'envuser'
    assert SEEN[0]['params']['password'] == ENV_PASSWORD
    assert SEEN[0]['params']['port'] == 5551
    assert result['user'] == 'envuser'
    # the environment of the worker is restored
    for name in ('SYNOLOGY_USERNAME', 'SYNOLOGY_PASSWORD', 'SYNOLOGY_PORT'):
        assert name not in os.environ


def test_task_environment_overrides_and_is_restored(monkeypatch):
    monkeypatch.setenv('SYNOLOGY_HOST', 'controller-default')
    action(args={'username': 'u', 'password': 'p'}, environment={'SYNOLOGY_HOST': 'from-task'}).run(task_vars={})
    assert SEEN[0]['params']['host'] == 'from-task'
    assert os.environ['SYNOLOGY_HOST'] == 'controller-default'


def test_environment_is_restored_when_validation_fails(monkeypatch):
    monkeypatch.setenv('SYNOLOGY_HOST', 'keep-me')
    with pytest.raises(AnsibleActionFail):
        action(args={'port': 'x'}, environment={'SYNOLOGY_HOST': 'temp', 'SYNOLOGY_USERNAME': 'u'}).run(task_vars={})
    assert os.environ['SYNOLOGY_HOST'] == 'keep-me'
    assert 'SYNOLOGY_USERNAME' not in os.environ


def test_no_log_values_are_masked_in_result_and_invocation():
    env = {'SYNOLOGY_PASSWORD': ENV_PASSWORD}
    result = action(args={'host': 'nas.example.com', 'username': 'admin'}, environment=env).run(task_vars={})
    # a no_log value inside a longer string is replaced by ******** (Ansible's remove_values)
    assert result['echo'] == 'password was ********'
    invocation = result['invocation']['module_args']
    assert invocation['password'] == MASKED
    assert invocation['host'] == 'nas.example.com' and invocation['username'] == 'admin'
    assert ENV_PASSWORD not in repr(result)


def test_given_session_is_masked_in_the_invocation(monkeypatch):
    session = {'sid': 'Sid-Given-5150-zz', 'synotoken': 'Tok-Given-5150-zz'}
    script = Script(Expect.abb('list', data={'shares': ['Sid-Given-5150-zz']}), session=session)
    scripted(monkeypatch, script)
    result = action(LIST, args={'host': 'nas.example.com', 'session': session}).run(task_vars={})
    script.done()
    text = repr(result)
    assert 'Sid-Given-5150-zz' not in text and 'Tok-Given-5150-zz' not in text
    assert result['data'] == {'shares': [MASKED]}


@pytest.mark.parametrize('as_text', [
    '{"sid": "Sid-Text-6160-zz", "synotoken": "Tok-Text-6160-zz"}',
    'sid=Sid-Text-6160-zz synotoken=Tok-Text-6160-zz',
])
def test_session_given_as_text_is_masked_in_the_invocation(monkeypatch, as_text):
    """ansible-core parses the text into a dict after collecting the values to hide (the whole text only)."""
    session = {'sid': 'Sid-Text-6160-zz', 'synotoken': 'Tok-Text-6160-zz'}
    script = Script(Expect.abb('list', data={'shares': []}), session=session)
    scripted(monkeypatch, script)
    result = action(LIST, args={'host': 'nas.example.com', 'session': as_text}).run(task_vars={})
    script.done()
    text = repr(result)
    assert 'Sid-Text-6160-zz' not in text and 'Tok-Text-6160-zz' not in text, text
    assert result['invocation']['module_args']['session'] == {'sid': MASKED, 'synotoken': MASKED}


def test_full_exchange_on_the_controller(monkeypatch):
    script = Script(Expect.login(), Expect.abb('list', data={'shares': []}), Expect.logout())
    scripted(monkeypatch, script)
    result = action(LIST).run(task_vars={})
    script.done()
    assert result['changed'] is False and result['data'] == {'shares': []}
    assert result['invocation']['module_args']['password'] == MASKED
    assert ARG_PASSWORD not in repr(result)


def test_failure_result_is_returned_masked(monkeypatch):
    script = Script(Expect.login_error(400))
    scripted(monkeypatch, script)
    result = action(LIST).run(task_vars={})
    assert result['failed'] is True and 'error 400' in result['msg']
    assert ARG_PASSWORD not in repr(result)


@pytest.mark.parametrize('check_mode, diff', [(True, False), (False, True)])
def test_check_mode_and_diff_reach_the_operation(check_mode, diff):
    action(check_mode=check_mode, diff=diff).run(task_vars={})
    assert (SEEN[0]['check_mode'], SEEN[0]['diff']) == (check_mode, diff)


@pytest.mark.parametrize('args, words', [
    ({'host': 'nas', 'username': 'u'}, 'username, password'),
    ({'host': 'nas', 'username': 'u', 'password': ARG_PASSWORD, 'bogus': 1}, 'bogus'),
    ({'host': 'nas', 'username': 'u', 'password': ARG_PASSWORD, 'port': 'many'}, "argument 'port' is of type"),
    ({'username': 'u', 'password': ARG_PASSWORD}, 'host'),
    ({'host': 'nas'}, 'session, username'),
])
def test_bad_arguments_fail_clearly_before_anything_runs(args, words):
    with pytest.raises(AnsibleActionFail) as info:
        action(args=args).run(task_vars={})
    text = str(info.value)
    assert text.startswith('syno.activebackup.probe: ')
    assert words in text, text
    assert SEEN == []


def test_bad_argument_message_masks_no_log_values():
    args = {'host': 'nas', 'username': 'u', 'password': 'Secret-Port-99', 'port': 'Secret-Port-99'}
    with pytest.raises(AnsibleActionFail) as info:
        action(args=args).run(task_vars={})
    assert 'Secret-Port-99' not in str(info.value)
    assert 'port' in str(info.value)


# -- hide(): remove_values only where a value to hide occurs -----------------------------------------------

@pytest.mark.parametrize('value', [
    {'msg': 'password was S3cret-Pa55'},
    {'S3cret-Pa55': 1},
    {'nested': [{'deep': ['x', 'prefix-S3cret-Pa55-suffix']}]},
    {'quoted': 'a "S3cret-Pa55"'},
    {'number': 4711},
    {'flag': True},
])
def test_hide_masks_like_remove_values_wherever_a_value_occurs(value):
    no_log = {'S3cret-Pa55', '4711', 'True'}
    assert _action.hide(value, no_log) == remove_values(value, no_log)
    if 'S3cret-Pa55' not in value:  # remove_values leaves dictionary keys as they are
        assert 'S3cret-Pa55' not in json.dumps(_action.hide(value, no_log))


def test_hide_finds_a_value_that_json_escapes():
    no_log = {'pa"ss\\word\n'}
    value = {'msg': 'it was pa"ss\\word\n here'}
    assert _action.hide(value, no_log) == remove_values(value, no_log)
    assert 'pa"ss' not in json.dumps(_action.hide(value, no_log))


def test_hide_leaves_a_result_without_secrets_as_it_is():
    value = {'tasks': [{'task_name': 'pc', 'devices': [{'host_name': 'pc-01'}]}]}
    assert _action.hide(value, {'S3cret-Pa55'}) is value
    assert _action.hide(value, set()) is value
