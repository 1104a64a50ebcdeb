# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""share_info, storage_info, volume_info and file_info in real ansible-playbook runs against the DSM emulator.

Every run talks HTTPS to the emulator (scenario ``full``) on loopback. Results are compared with the
emulator's own state (control API ``state``), and the emulator's request log and counters show what went
over the wire: per task exactly login, one read (a plain call or one SYNO.Entry.Request), logout.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from harness import inventory_for, run_adhoc, run_playbook

PASSWORD = 'Adm1n-Secret!'
ABB = 'SYNO.ActiveBackup.Share'
LOGIN = ('SYNO.API.Auth', 'login')
LOGOUT = ('SYNO.API.Auth', 'logout')
COMPOUND = ('SYNO.Entry.Request', 'request')

# The fields the API answers (contract 6.1, 6.3, 6.4); the emulator's state holds a few more of its own.
SHARE_FIELDS = ('acl_permission', 'available', 'compress', 'cow', 'delegated', 'free_space', 'name',
                'not_support_new_vesion', 'path', 'readonly', 'relinkable', 'share_type', 'storage_automount',
                'storage_compress_algorithm', 'storage_encrypt_algorithm', 'storage_id', 'storage_mounted', 'type',
                'volume_no_space')
STORAGE_FIELDS = ('automount_iv', 'automount_location', 'backup_tasks', 'compacting', 'compacting_percentage',
                  'compressed_size', 'dedup_size', 'delete_tasks', 'delete_versions', 'device_count', 'device_info',
                  'fs_name', 'fs_type', 'mounted', 'relink_state', 'repo_dir', 'share_name', 'share_type',
                  'storage_compress_algorithm', 'storage_encrypt_algorithm', 'storage_id', 'vol_name', 'volume_path')

ERROR_FILES = [
    {'share_name': 'ABB-Busy', 'path': '/volume1/ABB-Busy/@ActiveBackup/config/version.db', 'error': 2},
    {'share_name': 'ActiveBackupforBusiness', 'path': '/volume1/ActiveBackupforBusiness/@ActiveBackup/pc.db',
     'error': 5},
]

# Connection options for a task, from the inventory variables of harness.inventory_for().
CONNECTION = '''
        host: "{{ syno_host }}"
        port: "{{ syno_port }}"
        ca_path: "{{ syno_ca }}"
        username: admin
        password: "%s"
''' % PASSWORD

MODULE_DEFAULTS = '''
  module_defaults:
    group/syno.activebackup.dsm:
      host: "{{ syno_host }}"
      port: "{{ syno_port }}"
      ca_path: "{{ syno_ca }}"
      username: admin
      password: "%s"
''' % PASSWORD

# The reads of every info module, once each (the task names are the keys of READS_EXPECTED).
INFO_TASKS = '''
    - name: share_info
      syno.activebackup.share_info:
      register: r_shares

    - name: share_info name
      syno.activebackup.share_info:
        name: ABB-Vault
      register: r_share

    - name: storage_info
      syno.activebackup.storage_info:
      register: r_storages

    - name: storage_info share_name check_files
      syno.activebackup.storage_info:
        share_name: ActiveBackupforBusiness
        check_files: true
      register: r_storage

    - name: volume_info
      syno.activebackup.volume_info:
      register: r_volumes

    - name: volume_info volume_path
      syno.activebackup.volume_info:
        volume_path: /volume2/
      register: r_volume

    - name: file_info
      syno.activebackup.file_info:
        root_path: /volume1/ActiveBackupforBusiness
      register: r_files

    - name: file_info subdirectory
      syno.activebackup.file_info:
        root_path: /volume1/ActiveBackupforBusiness/exports/
      register: r_subdir
'''

# What each task of INFO_TASKS sends between its login and its logout.
READS_EXPECTED = [
    ('share_info', COMPOUND, ['%s.list' % ABB, '%s.list_encrypted' % ABB]),
    ('share_info name', COMPOUND, ['%s.list' % ABB, '%s.list_encrypted' % ABB]),
    ('storage_info', (ABB, 'list_storage'), []),
    ('storage_info share_name check_files', COMPOUND, ['%s.list_storage' % ABB, '%s.check_file' % ABB]),
    ('volume_info', (ABB, 'list_volume'), []),
    ('volume_info volume_path', (ABB, 'list_volume'), []),
    ('file_info', (ABB, 'list_file'), []),
    ('file_info subdirectory', (ABB, 'list_file'), []),
]


def pick(record, fields):
    return dict((name, record[name]) for name in fields if name in record)


def by(items, key):
    out = dict((item[key], item) for item in items)
    assert len(out) == len(items), 'duplicate %s in %r' % (key, items)
    return out


def volume_expected(volume):
    total, used = int(volume['total_bytes']), int(volume['used_bytes'])
    return {'volume_path': volume['volume_path'], 'total_bytes': total, 'used_bytes': used,
            'free_bytes': total - used, 'used_percent': round(used * 100.0 / total, 1)}


def children(state, root):
    """The direct children of ``root`` in the emulator's file map, as file_info returns them."""
    out = []
    for path, kind in state['files'].items():
        parent, _sep, name = path.rpartition('/')
        if parent == root:
            out.append({'name': name, 'path': path, 'isdir': kind == 'dir'})
    return sorted(out, key=lambda item: item['name'])


def check_info_results(results, state):
    """The registered results of INFO_TASKS, compared with the emulator's state."""
    listed = [s for s in state['shares'] if not s['encrypted'] or s['mounted']]
    encrypted = [s for s in state['shares'] if s['encrypted']]
    assert listed and encrypted, 'the scenario should have both kinds of share'

    shares = results['r_shares']
    assert shares['changed'] is False
    assert shares['default_share'] == state['default_share'] == 'ActiveBackupforBusiness'
    assert by(shares['shares'], 'name') == by([pick(s, SHARE_FIELDS) for s in listed], 'name')
    assert by(shares['encrypted_shares'], 'name') == by([pick(s, SHARE_FIELDS) for s in encrypted], 'name')

    share = results['r_share']
    assert share['default_share'] == 'ActiveBackupforBusiness'
    assert share['shares'] == []  # ABB-Vault is encrypted and not mounted: not in list
    assert share['encrypted_shares'] == [pick(s, SHARE_FIELDS) for s in encrypted if s['name'] == 'ABB-Vault']

    storages = results['r_storages']
    assert storages['changed'] is False
    assert by(storages['storages'], 'share_name') == by([pick(s, STORAGE_FIELDS) for s in state['storages']],
                                                        'share_name')
    assert 'error_files' not in storages
    busy = by(storages['storages'], 'share_name')['ABB-Busy']
    assert busy['backup_tasks'] == [{'task_id': 3, 'task_name': 'Laptops'}]
    assert busy['device_info']['pc_count'] == 2 and busy['relink_state']['error'] == {'code': 0}

    storage = results['r_storage']
    assert storage['storages'] == [pick(s, STORAGE_FIELDS) for s in state['storages']
                                   if s['share_name'] == 'ActiveBackupforBusiness']
    assert storage['error_files'] == [e for e in state['error_files'] if e['share_name'] == 'ActiveBackupforBusiness']

    volumes = results['r_volumes']
    assert volumes['changed'] is False
    assert volumes['volumes'] == [volume_expected(v) for v in state['volumes']]
    assert volumes['volumes'][0] == {'volume_path': '/volume1', 'total_bytes': 23030223990784,
                                     'used_bytes': 12628378091520, 'free_bytes': 10401845899264,
                                     'used_percent': 54.8}
    assert results['r_volume']['volumes'] == [volume_expected(v) for v in state['volumes']
                                              if v['volume_path'] == '/volume2']

    files = results['r_files']
    assert files['changed'] is False
    assert files['root_path'] == '/volume1/ActiveBackupforBusiness'
    assert files['files'] == children(state, '/volume1/ActiveBackupforBusiness')
    assert [f['name'] for f in files['files']] == ['@ActiveBackup', 'README.txt', 'exports']
    subdir = results['r_subdir']
    assert subdir['root_path'] == '/volume1/ActiveBackupforBusiness/exports'
    assert subdir['files'] == [{'name': '2024', 'path': '/volume1/ActiveBackupforBusiness/exports/2024',
                                'isdir': True}]


def registered(run, host='nas1', tasks=None):
    """{register name: result} of the INFO_TASKS of ``run`` (task name -> register name by order)."""
    names = ['r_shares', 'r_share', 'r_storages', 'r_storage', 'r_volumes', 'r_volume', 'r_files', 'r_subdir']
    out = {}
    for (task, _call, _inner), name in zip(READS_EXPECTED, names):
        out[name] = run.result(task if tasks is None else tasks[task], host=host)['result']
    return out


def split_per_task(entries):
    """The request log cut into one list per login (each task's requests, login first)."""
    tasks = []
    for entry in entries:
        if (entry['api'], entry['method']) == LOGIN:
            tasks.append([])
        assert tasks, 'a request before the first login: %r' % (entry,)
        tasks[-1].append(entry)
    return tasks


def check_log_per_task(ctl, expected, run):
    """Exactly login, the one expected read, logout per task, in one session each, no Info query."""
    entries = ctl.log()
    assert not [e for e in entries if e['api'] == 'SYNO.API.Info'], 'SYNO.API.Info was queried'
    per_task = split_per_task(entries)
    assert len(per_task) == len(expected), '%d logins for %d tasks\n%s' % (len(per_task), len(expected),
                                                                           run.describe(1500))
    sessions = set()
    for requests, (task, call, inner) in zip(per_task, expected):
        calls = [(e['api'], e['method']) for e in requests]
        assert calls == [LOGIN, call, LOGOUT], '%s: %r' % (task, calls)
        assert requests[1]['compound'] == inner, '%s: compound %r' % (task, requests[1]['compound'])
        assert all(e['status'] == 200 and e['success'] is True for e in requests), '%s: %r' % (task, requests)
        numbers = set(e['session'] for e in requests)
        assert len(numbers) == 1 and None not in numbers, '%s: sessions %r' % (task, numbers)
        sessions |= numbers
        # the session travels as form field and cookie with the SynoToken header (contract 1), never in the URL
        for entry in requests[1:]:
            assert entry['has_sid_field'] and entry['has_sid_cookie'] and entry['has_synotoken_header'], entry
            assert entry['url_params'] == [] and entry['http_method'] == 'POST', entry
    assert len(sessions) == len(expected), 'a session was reused across tasks: %r' % sorted(sessions)
    stats = ctl.stats()
    assert stats['logins'] == stats['logouts'] == len(expected), stats
    assert stats['open_sessions'] == 0 and stats['failed_logins'] == 0 and stats['info_queries'] == 0, stats
    assert stats['requests'] == 3 * len(expected), stats
    assert stats['writes'] == 0, stats
    return entries


def async_dir(tmp_path, env=None):
    """``env`` plus ANSIBLE_ASYNC_DIR in the test's temporary directory (async job files stay out of ~)."""
    out = dict(env or {})
    out['ANSIBLE_ASYNC_DIR'] = str(tmp_path / 'async')
    return out


@pytest.fixture
def nas1(nas):
    """nas1 reset, with two damaged files for check_file; returns (handle, control, inventory of nas1 only)."""
    ctl = nas.control(0)
    ctl.set_state(patch={'error_files': ERROR_FILES})
    return nas, ctl, inventory_for(nas, names=['nas1'])


# --- results against the emulator's state, and what went over the wire ---------------------------------------------

def test_info_modules_through_module_defaults_match_the_emulator_state(nas1):
    handle, ctl, inventory = nas1
    run = run_playbook('''
- name: Every info module, connection from module_defaults of the action group
  hosts: nas
  gather_facts: false
%s
  tasks:
%s
    - name: Results for the test
      ansible.builtin.debug:
        msg: done
''' % (MODULE_DEFAULTS, INFO_TASKS), inventory=inventory)
    run.assert_success()
    state = ctl.state()
    check_info_results(registered(run), state)
    for task, _call, _inner in READS_EXPECTED:
        record = run.result(task, host='nas1')
        assert record['status'] == 'ok', record
        # no_log masking holds on the controller path too
        assert record['result']['invocation']['module_args']['password'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    check_log_per_task(ctl, READS_EXPECTED, run)
    # the other NAS were not touched
    assert handle.control(1).stats()['requests'] == 0 and handle.control(2).stats()['requests'] == 0


def test_info_modules_in_check_mode_read_the_same(nas1):
    _handle, ctl, inventory = nas1
    run = run_playbook('''
- name: Every info module in check mode
  hosts: nas
  gather_facts: false
%s
  tasks:
%s
''' % (MODULE_DEFAULTS, INFO_TASKS), inventory=inventory, check=True)
    run.assert_success()
    check_info_results(registered(run), ctl.state())
    check_log_per_task(ctl, READS_EXPECTED, run)


def test_every_nas_of_a_group_is_read_with_its_own_session(nas):
    run = run_playbook('''
- name: volume_info on three NAS
  hosts: nas
  gather_facts: false
%s
  tasks:
    - name: volume_info
      syno.activebackup.volume_info:
      register: r_volumes
''' % MODULE_DEFAULTS, inventory=inventory_for(nas))
    run.assert_success()
    for index, host in enumerate(('nas1', 'nas2', 'nas3')):
        ctl = nas.control(index)
        assert run.result('volume_info', host=host)['result']['volumes'] == [
            volume_expected(v) for v in ctl.state()['volumes']]
        check_log_per_task(ctl, [('volume_info', (ABB, 'list_volume'), [])], run)


def test_adhoc_share_info(nas1):
    handle, ctl, inventory = nas1
    nas = handle.nas[0]
    args = 'host=127.0.0.1 port=%s ca_path=%s username=admin password=%s name=ActiveBackupforBusiness' % (
        nas['port'], handle.ca, PASSWORD)
    run = run_adhoc('nas1', 'syno.activebackup.share_info', module_args=args, inventory=inventory)
    run.assert_success()
    assert len(run.results) == 1, run.describe(2000)
    record = run.results[0]
    assert record['host'] == 'nas1' and record['status'] == 'ok'
    result = record['result']
    state = ctl.state()
    assert result['changed'] is False
    assert result['default_share'] == state['default_share']
    assert result['shares'] == [pick(s, SHARE_FIELDS) for s in state['shares'] if s['name'] == 'ActiveBackupforBusiness']
    assert result['encrypted_shares'] == []
    assert PASSWORD not in run.stdout and PASSWORD not in run.stderr
    check_log_per_task(ctl, [('share_info', COMPOUND, ['%s.list' % ABB, '%s.list_encrypted' % ABB])], run)


# --- the module path (AnsiballZ) ---------------------------------------------------------------------------------

# One task per module on the module path, each with its module's options; the same tasks of INFO_TASKS run on
# the controller path in the same play, so the two paths can be compared result by result.
ASYNC_OF = {
    'share_info name': 'r_share',
    'storage_info share_name check_files': 'r_storage',
    'volume_info volume_path': 'r_volume',
    'file_info subdirectory': 'r_subdir',
}
ASYNC_TASKS = '''
    - name: async share_info name
      syno.activebackup.share_info:
        name: ABB-Vault
      async: 30
      poll: 1

    - name: async storage_info share_name check_files
      syno.activebackup.storage_info:
        share_name: ActiveBackupforBusiness
        check_files: true
      async: 30
      poll: 1

    - name: async volume_info volume_path
      syno.activebackup.volume_info:
        volume_path: /volume2/
      async: 30
      poll: 1

    - name: async file_info subdirectory
      syno.activebackup.file_info:
        root_path: /volume1/ActiveBackupforBusiness/exports/
      async: 30
      poll: 1
'''
# What the module returns besides the async machinery's keys (ansible_job_id, finished, started, ...).
DATA_KEYS = ('changed', 'default_share', 'shares', 'encrypted_shares', 'storages', 'error_files', 'volumes',
             'root_path', 'files', 'invocation')


def test_module_path_with_async_gives_the_same_results(nas1, tmp_path):
    """``async`` runs the module file through AnsiballZ and async_wrapper instead of the action plugin."""
    _handle, ctl, inventory = nas1
    run = run_playbook('''
- name: Every info module on the controller, then as a module process (async)
  hosts: nas
  gather_facts: false
%s
  tasks:
%s
%s
''' % (MODULE_DEFAULTS, INFO_TASKS, ASYNC_TASKS), inventory=inventory, env=async_dir(tmp_path))
    run.assert_success()
    controller = registered(run)
    check_info_results(controller, ctl.state())
    assert len(ASYNC_OF) == 4 and ASYNC_TASKS.count('async: 30') == 4
    for task, name in ASYNC_OF.items():
        record = run.result('async ' + task, host='nas1')
        assert record['status'] == 'ok', record
        module = record['result']
        # the async machinery's own keys prove that the module ran as a job
        assert module.get('ansible_job_id') and module.get('finished') == 1, (task, module)
        expected = pick(controller[name], DATA_KEYS)
        assert pick(module, DATA_KEYS) == expected, task
        # the module validated its arguments (AnsibleModule) to the same values as the action plugin did
        assert module['invocation'] == expected['invocation'], task
    by_task = dict((task, (call, inner)) for task, call, inner in READS_EXPECTED)
    check_log_per_task(ctl, READS_EXPECTED + [('async ' + t,) + by_task[t] for t in ASYNC_OF], run)


def test_module_path_without_requests_fails_with_missing_required_lib(nas1, tmp_path):
    """A module interpreter without requests (a venv made here, without pip): missing_required_lib, no request."""
    _handle, ctl, _inventory = nas1
    venv = tmp_path / 'venv-without-requests'
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(venv)], check=True, timeout=120)
    python = str(venv / 'bin' / 'python')
    probe = subprocess.run([python, '-c', 'import requests'], capture_output=True, text=True, check=False)
    assert probe.returncode != 0, 'the new venv can import requests; the test would prove nothing'
    inventory = inventory_for(_handle, names=['nas1'], extra_host_vars={'ansible_python_interpreter': python})
    run = run_playbook('''
- name: volume_info as a module process on an interpreter without requests
  hosts: nas
  gather_facts: false
%s
  tasks:
    - name: volume_info without requests
      syno.activebackup.volume_info:
      async: 30
      poll: 1
      register: r_volumes
      ignore_errors: true

    - name: The failure was reported
      ansible.builtin.assert:
        that:
          - r_volumes is failed
''' % MODULE_DEFAULTS, inventory=inventory, env=async_dir(tmp_path))
    run.assert_success()
    record = run.result('volume_info without requests', host='nas1')
    assert record['status'] == 'failed' and record['ignore_errors'] is True, record
    result = record['result']
    assert result.get('ansible_job_id') and result.get('finished'), result
    assert result['msg'].startswith('Failed to import the required Python library (requests) on '), result
    assert python in result['msg'], result
    assert ctl.stats()['requests'] == 0


# --- environment variables ---------------------------------------------------------------------------------------

def env_for(handle, index=0, **extra):
    nas = handle.nas[index]
    env = {'SYNOLOGY_HOST': '127.0.0.1', 'SYNOLOGY_PORT': str(nas['port']), 'SYNOLOGY_USERNAME': 'admin',
           'SYNOLOGY_PASSWORD': PASSWORD, 'SYNOLOGY_VALIDATE_CERTS': 'false'}
    env.update(extra)
    return env


def test_connection_from_the_process_environment(nas1, tmp_path):
    handle, ctl, inventory = nas1
    run = run_playbook('''
- name: No connection option at all
  hosts: nas
  gather_facts: false
  tasks:
    - name: volume_info from SYNOLOGY_* variables
      syno.activebackup.volume_info:
      register: r_volumes

    - name: volume_info from SYNOLOGY_* variables, module path
      syno.activebackup.volume_info:
      async: 30
      poll: 1
      register: r_volumes_module
''', inventory=inventory, env=async_dir(tmp_path, env_for(handle)))
    run.assert_success()
    expected = [volume_expected(v) for v in ctl.state()['volumes']]
    for task in ('volume_info from SYNOLOGY_* variables', 'volume_info from SYNOLOGY_* variables, module path'):
        result = run.result(task, host='nas1')['result']
        assert result['volumes'] == expected, task
        args = result['invocation']['module_args']
        assert args['host'] == '127.0.0.1' and args['port'] == handle.nas[0]['port'], args
        assert args['username'] == 'admin' and args['validate_certs'] is False, args
    check_log_per_task(ctl, [('env', (ABB, 'list_volume'), [])] * 2, run)


def test_connection_from_the_task_environment_keyword(nas1, tmp_path):
    """``environment:`` of a task wins over the process environment, on both paths."""
    handle, ctl, inventory = nas1
    task_env = env_for(handle)
    process_env = env_for(handle, SYNOLOGY_PASSWORD='wrong-password', SYNOLOGY_VALIDATE_CERTS='true')
    run = run_playbook('''
- name: Connection from the task environment
  hosts: nas
  gather_facts: false
  tasks:
    - name: file_info with environment
      syno.activebackup.file_info:
        root_path: /volume1/ActiveBackupforBusiness/exports
      environment: "{{ task_env }}"
      register: r_files

    - name: file_info with environment, module path
      syno.activebackup.file_info:
        root_path: /volume1/ActiveBackupforBusiness/exports
      environment: "{{ task_env }}"
      async: 30
      poll: 1
      register: r_files_module
''', inventory=inventory, env=async_dir(tmp_path, process_env), extra_vars={'task_env': task_env})
    run.assert_success()
    expected = children(ctl.state(), '/volume1/ActiveBackupforBusiness/exports')
    assert expected
    for task in ('file_info with environment', 'file_info with environment, module path'):
        result = run.result(task, host='nas1')['result']
        assert result['files'] == expected, task
        assert result['invocation']['module_args']['validate_certs'] is False
    check_log_per_task(ctl, [('env', (ABB, 'list_file'), [])] * 2, run)


# --- failures ----------------------------------------------------------------------------------------------------

def test_certificate_failure_without_ca_path_and_success_with_it(nas1):
    handle, ctl, inventory = nas1
    run = run_playbook('''
- name: TLS
  hosts: nas
  gather_facts: false
  tasks:
    - name: Without ca_path
      syno.activebackup.volume_info:
        host: "{{ syno_host }}"
        port: "{{ syno_port }}"
        username: admin
        password: "%s"
      register: r_no_ca
      ignore_errors: true

    - name: With ca_path
      syno.activebackup.volume_info:
        host: "{{ syno_host }}"
        port: "{{ syno_port }}"
        ca_path: "{{ syno_ca }}"
        username: admin
        password: "%s"
      register: r_ca
''' % (PASSWORD, PASSWORD), inventory=inventory)
    run.assert_success()
    failed = run.result('Without ca_path', host='nas1')
    assert failed['status'] == 'failed' and failed['ignore_errors'] is True
    msg = failed['result']['msg']
    port = handle.nas[0]['port']
    assert msg.startswith('SYNO.API.Auth.login on 127.0.0.1:%s failed: the TLS certificate' % port), msg
    assert 'ca_path' in msg and 'validate_certs' in msg, msg
    assert PASSWORD not in msg
    ok = run.result('With ca_path', host='nas1')
    assert ok['status'] == 'ok'
    assert ok['result']['volumes'] == [volume_expected(v) for v in ctl.state()['volumes']]
    # the failed handshake never became an HTTP request: the log holds only the second task's exchange
    check_log_per_task(ctl, [('With ca_path', (ABB, 'list_volume'), [])], run)


def test_wrong_password_is_one_failed_login_and_a_clear_message(nas1):
    handle, ctl, inventory = nas1
    run = run_playbook('''
- name: Wrong password
  hosts: nas
  gather_facts: false
  tasks:
    - name: storage_info with a wrong password
      syno.activebackup.storage_info:
        host: "{{ syno_host }}"
        port: "{{ syno_port }}"
        ca_path: "{{ syno_ca }}"
        username: admin
        password: not-the-password
        check_files: true
''', inventory=inventory)
    assert run.rc == 2, run.describe(2000)
    record = run.result('storage_info with a wrong password', host='nas1')
    assert record['status'] == 'failed'
    result = record['result']
    port = handle.nas[0]['port']
    msg = result['msg']
    assert msg.startswith('SYNO.API.Auth.login on 127.0.0.1:%s failed: error 400 (No such account or incorrect '
                          'password)' % port), msg
    assert 'not retried' in msg and 'Check username and password' in msg, msg
    assert 'not-the-password' not in run.stdout + run.stderr + str(result)
    assert result['error'] == {'host': '127.0.0.1:%s' % port, 'api': 'SYNO.API.Auth', 'method': 'login', 'code': 400,
                               'meaning': 'No such account or incorrect password'}
    stats = ctl.stats()
    assert stats['failed_logins'] == 1 and stats['logins'] == 0 and stats['logouts'] == 0, stats
    assert stats['requests'] == 1 and stats['open_sessions'] == 0, stats
    assert [(e['api'], e['method'], e['code']) for e in ctl.log()] == [('SYNO.API.Auth', 'login', 400)]


def test_file_info_bad_and_missing_root_path(nas1):
    _handle, ctl, inventory = nas1
    run = run_playbook('''
- name: file_info failures
  hosts: nas
  gather_facts: false
%s
  tasks:
    - name: Relative root_path
      syno.activebackup.file_info:
        root_path: ActiveBackupforBusiness/exports
      register: r_relative
      ignore_errors: true

    - name: Missing root_path
      syno.activebackup.file_info:
        root_path: /volume1/ActiveBackupforBusiness/no-such-dir
      register: r_missing
      ignore_errors: true
''' % MODULE_DEFAULTS, inventory=inventory)
    run.assert_success()
    relative = run.result('Relative root_path', host='nas1')
    assert relative['status'] == 'failed'
    assert relative['result']['msg'].startswith('root_path: path ') and 'relative' in relative['result']['msg']
    missing = run.result('Missing root_path', host='nas1')
    assert missing['status'] == 'failed'
    assert missing['result']['msg'] == (
        'SYNO.ActiveBackup.Share.list_file on 127.0.0.1:%s failed: error 408: root_path '
        '/volume1/ActiveBackupforBusiness/no-such-dir does not exist (or is not a directory, or its encrypted '
        'shared folder is not mounted) on the NAS.'
        % _handle.nas[0]['port'])
    # the relative path never reached the NAS; the missing one did, and its session was closed
    entries = ctl.log()
    assert [(e['api'], e['method'], e['code']) for e in entries] == [
        LOGIN + (None,), (ABB, 'list_file', 408), LOGOUT + (None,)]
    stats = ctl.stats()
    assert stats['logins'] == stats['logouts'] == 1 and stats['open_sessions'] == 0, stats


def test_env_validate_certs_is_honoured(nas1):
    """SYNOLOGY_VALIDATE_CERTS=true without ca_path fails on the certificate: the variable is read, not ignored."""
    handle, ctl, inventory = nas1
    run = run_playbook('''
- name: Certificate checked by default
  hosts: nas
  gather_facts: false
  tasks:
    - name: volume_info with SYNOLOGY_VALIDATE_CERTS=true
      syno.activebackup.volume_info:
      ignore_errors: true
''', inventory=inventory, env=env_for(handle, SYNOLOGY_VALIDATE_CERTS='true'))
    run.assert_success()
    record = run.result('volume_info with SYNOLOGY_VALIDATE_CERTS=true', host='nas1')
    assert record['status'] == 'failed'
    assert 'TLS certificate' in record['result']['msg'] and 'ca_path' in record['result']['msg']
    assert ctl.stats()['requests'] == 0
