# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Bad and unusual input in real ansible-playbook runs against the DSM emulator (nas1, scenario full).

* Refused input: one playbook whose tasks loop over bad values of every module's options (the values come
  in as JSON extra vars, so NUL bytes, huge texts and numbers arrive as such) with ``ignore_errors``. Every
  item must fail with a message naming the option, and the emulator must have received no request at all.
  The operating modules (task, settings, api) are in it too: nothing is started, set or called.
* Unusual but valid input: shared folders named ``123``, ``true``, ``Ünïcødé Share`` and ``it's "quoted"``
  are listed, relinked, given directories, listed again and detached, with the emulator in strict mode
  (a string parameter that is not JSON-quoted is answered with error 120); its request log shows every
  name and path as a JSON string.
"""

from __future__ import annotations

import json

from harness import inventory_for, nas1_play as play, run_playbook

ABB = 'SYNO.ActiveBackup.Share'
HUGE = 'x' * 100000
SHARE = '/volume1/ActiveBackupforBusiness'
NAMES = ['123', 'true', 'Ünïcødé Share', 'it\'s "quoted"']
SETTING_VALUE = 'each value must be a text, a whole number or a boolean'

# (module, option, other arguments, [(value, words the message must hold), ...])
REFUSED = [
    ('share_info', 'name', {}, [
        ('', 'must be the name of a shared folder'), ('a/b', 'not a path'), ('ABB\x00x', 'control character'),
        ('x' * 300, 'longer than 255 bytes'), ('..', 'is not the name of a shared folder')]),
    ('storage_info', 'share_name', {}, [
        ('', 'must be the name of a shared folder'), ('ABB\n', 'control character')]),
    ('volume_info', 'volume_path', {}, [
        ('volume1', 'is relative'), ('/volume1/ActiveBackupforBusiness', 'a path inside a volume'),
        ('/volume1//', 'empty segment'), ('/', 'the root directory'), ('/..', '".." segment'),
        ('/volume1\x00', 'control character')]),
    ('file_info', 'root_path', {}, [
        ('volume1/ActiveBackupforBusiness', 'is relative'), (SHARE + '/../x', '".." segment'),
        ('/volume1//ActiveBackupforBusiness', 'empty segment'), (SHARE + '/x\x00', 'control character'),
        ('/etc/passwd', 'not under /volumeN/<shared folder>/'), ('/volume1', 'not under /volumeN/<shared folder>/'),
        (SHARE + '/' + HUGE, 'longer than 4095 bytes'), (123, 'is relative')]),
    ('facts', 'gather_subset', {}, [
        ('bogus', 'unknown subset'), ('', 'unknown subset'), (HUGE, '100000 characters'), ({'a': 1}, 'list')]),
    ('directory', 'paths', {}, [
        (['volume1/ActiveBackupforBusiness/pc'], 'is relative'), ([SHARE + '/../pc'], '".." segment'),
        ([SHARE + '//pc'], 'empty segment'), ([SHARE + '/pc\x00'], 'control character'), (['/etc/pc'], 'not under'),
        ([SHARE + '/' + HUGE], 'longer than 4095 bytes'),
        (['%s/d%04d' % (SHARE, index) for index in range(1001)], 'at most 1000')]),
    ('directory', 'state', {'paths': [SHARE]}, [('absent', 'must be one of')]),
    ('storage', 'share_name', {}, [
        ('', 'must be the name of a shared folder'), ('   ', 'must be the name of a shared folder'),
        ('a/b', 'not a path'), ('..', 'is not the name of a shared folder'), ('ABB\x00x', 'control character'),
        (HUGE, 'longer than 255 bytes')]),
    ('storage', 'wait_timeout', {'share_name': 'ABB-Migrated'}, [
        (0, 'at least 1 second'), (86401, 'between 1 and 86400'), ('abc', 'int')]),
    ('storage', 'state', {'share_name': 'ABB-Migrated'}, [('deleted', 'must be one of')]),
    ('storage', 'remove_data', {'share_name': 'ABB-Migrated', 'state': 'absent'}, [('maybe', 'bool')]),
    ('session', 'state', {}, [('bogus', 'must be one of')]),
    ('session', 'request_device_token', {}, [('maybe', 'bool')]),
    # The connection options, on share_info.
    ('share_info', 'host', {}, [
        (HUGE, 'longer than 253 characters'), ('nas\x00.example.com', 'control character'),
        ('123', 'neither an IPv4 address'), ('nás.example.com', 'xn--ns-mia.example.com'),
        ('nas:5001', 'give the port in the port option'), ('https://nas', 'without scheme or path')]),
    ('share_info', 'port', {}, [(0, 'between 1 and 65535'), (65536, 'between 1 and 65535'), ('abc', 'int')]),
    ('share_info', 'timeout', {}, [(0, 'at least 1 second'), (10 ** 12, 'between 1 and 86400')]),
    ('share_info', 'retries', {}, [(11, 'between 0 and 10')]),
    ('share_info', 'use_https', {}, [('maybe', 'bool')]),
    ('share_info', 'validate_certs', {}, [('maybe', 'bool')]),
    ('share_info', 'ca_path', {}, [
        ('/nonexistent/ca.pem', 'does not exist'), ('/etc/ca\x00.pem', 'control character'),
        ('/' + HUGE, 'longer than 4096 characters')]),
    ('share_info', 'username', {}, [('ad\x00min', 'control character'), (HUGE, 'longer than 1024 characters')]),
    ('share_info', 'password', {}, [('Pass-1\n', '| trim'), (HUGE, 'longer than 1024 characters')]),
    ('share_info', 'otp_code', {}, [('12345', '6 to 8 digits'), ('abcdef', '6 to 8 digits')]),
    ('share_info', 'otp_secret', {}, [('not base32!', 'base32')]),
    ('share_info', 'device_id', {}, [('tok\x00', 'control character')]),
    ('share_info', 'device_name', {'device_id': 'tok-0001'}, [(HUGE, 'longer than 1024 characters')]),
    ('share_info', 'session', {'username': None, 'password': None}, [
        (5, 'dict'), (True, 'dict'), ('not a session', 'dict'), ({'sid': 'a;b'}, 'session.sid has characters'),
        ({'sid': 'given', 'extra': 1}, "'extra'"),
        ({'changed': False, 'session': {'sid': 'given'}}, 'whole registered result')]),
    # The monitoring modules (ABB backup jobs, SYNO.API.Info).
    ('task_info', 'name', {}, [('', 'non-empty name'), ('pc\x00', 'control character'), (HUGE, 'longer than 1024 characters')]),
    ('task_info', 'name', {'task_id': 1}, [('Office-PCs', 'mutually exclusive')]),
    ('task_info', 'task_id', {}, [(0, 'between 1 and 2147483647'), (-1, 'between 1 and 2147483647'), ('abc', 'int')]),
    ('task_info', 'backup_type', {}, [('laptop', 'must be one of'), ('PC', 'must be one of')]),
    ('task_info', 'with_versions', {}, [('maybe', 'bool')]),
    ('device_info', 'host_name', {}, [('   ', 'non-empty name'), ('pc\n', 'control character')]),
    ('device_info', 'backup_type', {}, [('server', 'must be one of')]),
    ('version_info', 'task_name', {}, [('', 'non-empty name'), ('Office-PCs\t', 'control character')]),
    ('version_info', 'task_name', {'task_id': 1}, [('Office-PCs', 'mutually exclusive')]),
    ('version_info', 'task_id', {}, [(0, 'between 1 and 2147483647'), (2 ** 31, 'between 1 and 2147483647')]),
    ('version_info', 'limit', {'task_id': 1}, [(0, 'at least 1'), (-5, 'at least 1'), (10 ** 6, 'between 1 and 100000')]),
    ('result_info', 'since', {}, [
        ('yesterday', 'is neither epoch seconds'), ('', 'is neither epoch seconds'), ('24H', 'is neither epoch seconds'),
        ('2999-01-01', 'is in the future'), (99999999999, 'is in the future'), ('999999w', 'before 1970'),
        ('24h\x00', 'control character'), (True, 'must be epoch seconds')]),
    ('result_info', 'status', {}, [(['failed', 'exploded'], 'one or more of'), ([], 'status is empty')]),
    ('result_info', 'limit', {}, [(0, 'at least 1'), (-1, 'at least 1'), (10 ** 12, 'between 1 and 100000')]),
    ('result_info', 'task_name', {'task_id': 1}, [('Office-PCs', 'mutually exclusive')]),
    ('result_info', 'task_id', {}, [(0, 'between 1 and 2147483647')]),
    ('log_info', 'level', {}, [(['debug'], 'one or more of'), ([], 'level is empty')]),
    ('log_info', 'keyword', {}, [('', 'non-empty name'), ('disk\x00full', 'control character'),
                                 (HUGE, 'longer than 1024 characters')]),
    ('log_info', 'since', {}, [('last tuesday', 'is neither epoch seconds'), ('2099-12-31T00:00:00Z', 'is in the future')]),
    ('log_info', 'task_name', {'task_id': 1}, [('Office-PCs', 'mutually exclusive')]),
    ('log_info', 'limit', {}, [(0, 'at least 1')]),
    ('api_info', 'query', {}, [
        (['ActiveBackup'], 'is not an API name'), (['SYNO.*.Task'], 'is not an API name'), ([], 'query is empty'),
        (['SYNO.A\x00'], 'is not an API name'), (['SYNO.Active Backup'], 'is not an API name'), ({'a': 1}, 'list')]),
    # The operating modules (start or cancel a backup, package settings, any DSM web API method).
    ('task', 'name', {'state': 'started'}, [
        ('', 'non-empty name'), ('   ', 'non-empty name'), ('Office-PCs\x00', 'control character'),
        ('Office\nPCs', 'control character'), (HUGE, 'longer than 1024 characters')]),
    ('task', 'name', {'state': 'started', 'task_id': 1}, [('Office-PCs', 'mutually exclusive')]),
    ('task', 'task_id', {'state': 'started'}, [
        (0, 'between 1 and 2147483647'), (-1, 'between 1 and 2147483647'), (2 ** 31, 'between 1 and 2147483647'),
        ('abc', 'int'), (True, 'whole number')]),
    ('task', 'state', {'name': 'Office-PCs'}, [('running', 'must be one of'), ('', 'must be one of'), ('STARTED', 'must be one of')]),
    ('task', 'wait', {'name': 'Office-PCs', 'state': 'started'}, [('maybe', 'bool')]),
    ('task', 'wait_timeout', {'name': 'Office-PCs', 'state': 'started', 'wait': True}, [
        (0, 'at least 1 second'), (-5, 'at least 1 second'), (604801, 'between 1 and 604800'),
        (10 ** 30, 'between 1 and 604800'), ('soon', 'int')]),
    ('settings', 'settings', {}, [
        ({}, 'settings is empty'), ({'max_concurrent_devices': [5]}, 'is a list; ' + SETTING_VALUE),
        ({'max_concurrent_devices': {'value': 5}}, 'is a dict; ' + SETTING_VALUE), ({'max_concurrent_devices': None}, 'is nothing (null)'),
        ({'max_concurrent_devices': 1.5}, 'Quote a decimal number'), ({'': 5}, 'every name must be a non-empty text'),
        ({'max\tdevices': 5}, 'control character'), ({'retention_run_hour': '1\x004'}, 'control character'),
        ({'package_cert_id': 'x' * 65537}, 'longer than 65536 characters'),
        (dict(('s%03d' % index, 1) for index in range(201)), 'at most 200'), (5, 'dict'), ('not a dict', 'dict')]),
    ('api', 'api', {'method': 'list'}, [
        ('ActiveBackup.Task', 'starting with SYNO.'), ('', 'starting with SYNO.'), ('SYNO.', 'starting with SYNO.'),
        ('SYNO.ActiveBackup.*', 'starting with SYNO.'), ('SYNO.Active Backup', 'starting with SYNO.'),
        ('SYNO.A\x00', 'starting with SYNO.'), ('SYNO.Äctive', 'starting with SYNO.'),
        ('SYNO.' + HUGE, 'starting with SYNO.')]),
    ('api', 'method', {'api': 'SYNO.ActiveBackup.Task'}, [
        ('', 'must be the name of a method'), ('list;rm', 'must be the name of a method'),
        ('list all', 'must be the name of a method'), ('list\x00', 'must be the name of a method'),
        (HUGE, 'must be the name of a method')]),
    ('api', 'params', {'api': 'SYNO.ActiveBackup.Task', 'method': 'list'}, [
        ({'_sid': 'given-sid-0001'}, 'set by the module itself'), ({'api': 'SYNO.X'}, 'set by the module itself'),
        ({'': 1}, 'every name must be a non-empty text'), ({'a\x00': 1}, 'without control characters'),
        ('not a dict', 'dict'), (['a'], 'dict')]),
    ('api', 'version', {'api': 'SYNO.ActiveBackup.Task', 'method': 'list'}, [
        (0, 'between 1 and 1000'), (-1, 'between 1 and 1000'), (1001, 'between 1 and 1000'), ('two', 'int')]),
    ('api', 'read_only', {'api': 'SYNO.ActiveBackup.Task', 'method': 'list'}, [('maybe', 'bool')]),
    ('api', 'redact', {'api': 'SYNO.ActiveBackup.Task', 'method': 'list'}, [('maybe', 'bool')]),
]


def _task(index, module, option, extra):
    args = {option: "{{ item }}"}
    for key, value in extra.items():
        args[key] = value if value is not None else '{{ omit }}'
    lines = ['- name: refused %d %s %s' % (index, module, option), '  syno.activebackup.%s:' % module]
    lines += ['    %s: %s' % (key, json.dumps(value)) for key, value in args.items()]
    lines += ['  loop: "{{ refused[%d] }}"' % index, '  loop_control:', '    label: "%d"' % index,
              '  ignore_errors: true']
    return '\n'.join(lines)


def test_bad_inputs_fail_with_a_clear_message_and_send_nothing(nas, tmp_path):
    ctl = nas.control(0)
    before = ctl.stats()['requests']
    not_pem = tmp_path / 'exported.cer'
    not_pem.write_bytes(b'0\x82\x01\n0\x81\xb2\xa0\x03\x02\x01\x02')  # the start of a DER certificate
    refused = REFUSED + [('share_info', 'ca_path', {}, [(str(not_pem), 'holds no PEM certificate')])]
    tasks = '\n\n'.join(_task(index, module, option, extra) for index, (module, option, extra, dummy) in enumerate(refused))
    values = [[value for value, dummy in cases] for dummy, dummy, dummy, cases in refused]
    run = run_playbook(play(tasks), inventory=inventory_for(nas, names=['nas1']), extra_vars={'refused': values})
    run.assert_success()

    tried = 0
    for index, (module, option, dummy, cases) in enumerate(refused):
        record = run.result('refused %d %s %s' % (index, module, option))
        assert record['status'] == 'failed' and record['ignore_errors'] is True, record['status']
        items = record['result']['results']
        assert len(items) == len(cases)
        for item, (value, words) in zip(items, cases):
            where = '%s.%s = %.60r' % (module, option, value)
            assert item.get('failed') is True, '%s was not refused: %.300s' % (where, item)
            msg = item['msg']
            assert option in msg, '%s: the message does not name the option: %s' % (where, msg[:300])
            assert words in msg, '%s: %r not in %s' % (where, words, msg[:300])
            assert 'Traceback' not in msg and 'Error:' not in msg, msg[:300]
            tried += 1
    # 79 rows of the Share modules and the connection, 51 of the monitoring modules, 57 of the operating modules
    assert tried == sum(len(cases) for dummy, dummy, dummy, cases in refused) == 79 + 51 + 57
    # Nothing reached the NAS, not even a login.
    stats = ctl.stats()
    assert stats['requests'] == before == 0
    assert stats['logins'] == 0 and stats['failed_logins'] == 0
    assert ctl.log() == []


SETTINGS_KINDS = '''\
- name: Setting values of the wrong kind
  syno.activebackup.settings:
    settings:
      max_concurrent_devices: "{{ item }}"
  loop: "{{ values }}"
  ignore_errors: true
'''


def test_a_setting_value_of_the_wrong_kind_is_named_in_words(nas):
    ctl = nas.control(0)
    run = run_playbook(play(SETTINGS_KINDS), inventory=inventory_for(nas, names=['nas1']),
                       extra_vars={'values': [[5], {'value': 5}, 1.5]})
    run.assert_success()
    items = run.result('Setting values of the wrong kind')['result']['results']
    assert [item.get('failed') for item in items] == [True, True, True]
    assert ctl.stats()['requests'] == 0
    for item, kind in zip(items, ('is a list', 'is a dict', 'is a float')):
        assert '_AnsibleTagged' not in item['msg'] and kind in item['msg'], item['msg']


def _state_patch():
    shares = dict((name, {'path': '/volume1/%s' % name, 'relinkable': True, 'storage_id': 0, 'free_space': 1099511627776})
                  for name in NAMES)
    files = dict(('/volume1/%s/@ActiveBackup' % name, 'dir') for name in NAMES)
    return {'shares': shares, 'files': files}


ACCEPTED = '''\
- name: Read each share by name
  syno.activebackup.share_info:
    name: "{{ item }}"
  loop: "{{ names }}"
  register: by_name

- name: Relink each share
  syno.activebackup.storage:
    share_name: "{{ item }}"
  loop: "{{ names }}"
  register: relinked

- name: Read each storage by share name
  syno.activebackup.storage_info:
    share_name: "{{ item }}"
  loop: "{{ names }}"
  register: storages

- name: Unquoted YAML number as a share name
  syno.activebackup.storage_info:
    share_name: 123
  register: unquoted_number

- name: Unquoted YAML boolean as a share name
  syno.activebackup.storage:
    share_name: true
  ignore_errors: true

- name: Make a directory on each share
  syno.activebackup.directory:
    paths:
      - "/volume1/{{ item }}/sub dir/ünï 日本/"
  loop: "{{ names }}"
  register: made

- name: List each share
  syno.activebackup.file_info:
    root_path: "/volume1/{{ item }}"
  loop: "{{ names }}"
  register: listed

- name: Detach each storage, keeping its data
  syno.activebackup.storage:
    share_name: "{{ item }}"
    state: absent
  loop: "{{ names }}"
  register: detached
'''


def test_unusual_share_names_and_paths_work_end_to_end(nas):
    ctl = nas.control(0)
    ctl.faults(strict=True, relink_seconds=0.2)
    ctl.set_state(patch=_state_patch())
    run = run_playbook(play(ACCEPTED), inventory=inventory_for(nas, names=['nas1']), extra_vars={'names': NAMES})
    run.assert_success()

    def items(task):
        return run.result(task)['result']['results']

    for item, name in zip(items('Read each share by name'), NAMES):
        assert [share['name'] for share in item['shares']] == [name]
        assert item['shares'][0]['path'] == '/volume1/%s' % name
    for item, name in zip(items('Relink each share'), NAMES):
        assert item['changed'] is True and item['share_name'] == name
        assert item['storage']['share_name'] == name
        assert item['storage']['relink_state'] == {'alive': False, 'owner': True, 'state': 0, 'error': {'code': 0}}
    for item, name in zip(items('Read each storage by share name'), NAMES):
        assert [storage['share_name'] for storage in item['storages']] == [name]
    number = run.result('Unquoted YAML number as a share name')['result']
    assert [storage['share_name'] for storage in number['storages']] == ['123']
    boolean = run.result('Unquoted YAML boolean as a share name')
    assert boolean['status'] == 'failed'
    assert 'There is no shared folder named True' in boolean['result']['msg']
    assert 'quote the name' in boolean['result']['msg']
    for item, name in zip(items('Make a directory on each share'), NAMES):
        assert item['changed'] is True
        assert item['created'] == ['/volume1/%s/sub dir/ünï 日本' % name]
    for item, name in zip(items('List each share'), NAMES):
        assert item['root_path'] == '/volume1/%s' % name
        assert sorted(entry['name'] for entry in item['files']) == ['@ActiveBackup', 'sub dir']
    for item, name in zip(items('Detach each storage, keeping its data'), NAMES):
        assert item['changed'] is True and item['storage'] is None

    state = ctl.state()
    shares = dict((share['name'], share) for share in state['shares'])
    assert all(shares[name]['relinkable'] is True for name in NAMES)
    assert all(state['files']['/volume1/%s/sub dir/ünï 日本' % name] == 'dir' for name in NAMES)
    assert ctl.stats()['writes_by_method'] == {'relink': 4, 'create_fs_dir': 4, 'remove': 4}

    # On the wire every name and path is a JSON string (strict mode refuses anything else with 120).
    log = ctl.log()
    refused = [(entry['method'], entry['code']) for entry in log if entry['success'] is False]
    # The directory module lists a parent that does not exist yet (408) before it walks up; nothing else fails.
    assert refused and set(refused) == {('list_file', 408)}
    sent = {}
    for entry in log:
        if entry['api'] == ABB and entry['method'] in ('relink', 'remove', 'list_file', 'create_fs_dir'):
            sent.setdefault(entry['method'], []).append(entry['params'])
    quoted = [json.dumps(name, ensure_ascii=False) for name in NAMES]
    assert [params['share_name'] for params in sent['relink']] == quoted
    assert [params['share_name'] for params in sent['remove']] == quoted
    assert [params['is_remove_data'] for params in sent['remove']] == ['false'] * 4
    assert [json.loads(params['paths']) for params in sent['create_fs_dir']] == [
        ['/volume1/%s/sub dir/ünï 日本' % name] for name in NAMES]
    roots = [params['root_path'] for params in sent['list_file']]
    for name in NAMES:
        assert json.dumps('/volume1/%s' % name, ensure_ascii=False) in roots
    assert all(isinstance(json.loads(root), str) and json.loads(root).startswith('/volume1/') for root in roots)
