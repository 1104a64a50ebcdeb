# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The operations behind share_info, storage_info, volume_info and file_info, with the exact HTTP exchange."""

from __future__ import annotations

import copy
import json

import pytest

from ansible_collections.syno.activebackup.plugins.module_utils import _runner
from ansible_collections.syno.activebackup.plugins.module_utils._op_info import (
    FILE_INFO,
    SHARE_INFO,
    STORAGE_INFO,
    VOLUME_INFO,
)
from ansible_collections.syno.activebackup.plugins.module_utils._runner import execute

from ansible_collections.syno.activebackup.tests.unit.plugins.module_utils.scripted import SID, SYNOTOKEN, Expect, Script

ABB = 'SYNO.ActiveBackup.Share'
LOGIN_PARAMS = {'account': 'admin', 'passwd': 'Adm1n-Secret!', 'format': 'sid', 'session': 'webui',
                'enable_syno_token': 'yes'}


def login():
    return Expect.login(params=LOGIN_PARAMS)


def compound(*calls):
    """The SYNO.Entry.Request that carries ``calls`` ((method, data) pairs), answered with their data."""
    request = {'mode': 'sequential', 'stop_when_error': False,
               'compound': [{'api': ABB, 'method': method, 'version': 1} for method, _data in calls]}
    answer = {'has_fail': False, 'result': [
        {'api': ABB, 'method': method, 'version': 1, 'success': True, 'data': data} for method, data in calls]}
    return Expect('SYNO.Entry.Request', 'request', version=1, params=request).answer(answer)


def session_headers(request):
    assert request.headers.get('X-SYNO-TOKEN') == SYNOTOKEN
    assert request.form['_sid'] == SID
    assert 'SynoToken' not in request.form


def run(operation, params, *expected, **kwargs):
    script = Script(*expected)
    result = execute(operation, params, transport=script, **kwargs)
    script.done()
    assert script.closed, 'the transport was not closed'
    return result, script


# --- sample data: the contract's samples (section 8) plus the emulator's scenarios -----------------------------

SHARE = {
    'acl_permission': True, 'available': True, 'compress': False, 'cow': False, 'delegated': False,
    'free_space': 10401845899264, 'name': 'ActiveBackupforBusiness', 'not_support_new_vesion': False,
    'path': '/volume1/ActiveBackupforBusiness', 'readonly': False, 'relinkable': False, 'share_type': '',
    'storage_automount': True, 'storage_compress_algorithm': 0, 'storage_encrypt_algorithm': 0, 'storage_id': 1,
    'storage_mounted': True, 'type': 'btrfs', 'volume_no_space': False,
}
MIGRATED = dict(SHARE, name='ABB-Migrated', path='/volume2/ABB-Migrated', free_space=8774408675328, relinkable=True,
                storage_id=0)
VAULT = dict(SHARE, name='ABB-Vault', path='/volume1/ABB-Vault', storage_id=0, storage_mounted=False)

STORAGE = {
    'automount_iv': '', 'automount_location': '', 'backup_tasks': [], 'compacting': False,
    'compacting_percentage': 0, 'compressed_size': 0, 'dedup_size': 9121643806720, 'delete_tasks': [],
    'delete_versions': [], 'device_count': 4,
    'device_info': {'agentless_count': 0, 'agentless_size': 0, 'dsm_count': 0, 'dsm_size': 0, 'pc_count': 4,
                    'pc_size': 20039709263360, 'server_count': 0, 'server_size': 0, 'vm_count': 0, 'vm_size': 0},
    'fs_name': 'btrfs', 'fs_type': 3, 'mounted': True,
    'relink_state': {'alive': False, 'error': {'code': 0}, 'owner': True, 'state': 0},
    'repo_dir': '@ActiveBackup', 'share_name': 'ActiveBackupforBusiness', 'share_type': '',
    'storage_compress_algorithm': 0, 'storage_encrypt_algorithm': 0, 'storage_id': 1, 'vol_name': 'Volume 1',
    'volume_path': '/volume1',
}
BUSY = dict(copy.deepcopy(STORAGE), share_name='ABB-Busy', storage_id=2, device_count=2,
            backup_tasks=[{'task_id': 3, 'task_name': 'Laptops'}], dedup_size=549755813888,
            device_info=dict(STORAGE['device_info'], pc_count=2, pc_size=1099511627776))


def as_strings(value):
    """``value`` with every int (not bool) turned into its decimal string, as a tolerant parser must accept."""
    if isinstance(value, dict):
        return dict((k, as_strings(v)) for k, v in value.items())
    if isinstance(value, list):
        return [as_strings(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


VOLUME1 = {'volume_path': '/volume1', 'total_bytes': '23030223990784', 'used_bytes': '12628378091520'}
VOLUME2 = {'volume_path': '/volume2', 'vol_name': 'Volume 2', 'total_bytes': '11995634147328',
           'used_bytes': '3221225472000'}


# --- share_info ---------------------------------------------------------------------------------------------------

def test_share_info_returns_both_lists_in_one_compound_read(params):
    result, script = run(
        SHARE_INFO, params(name=None),
        login(),
        compound(('list', {'default_share': 'ActiveBackupforBusiness', 'shares': [as_strings(SHARE), MIGRATED]}),
                 ('list_encrypted', {'shares': [VAULT]})).inspect(session_headers),
        Expect.logout().inspect(session_headers),
    )
    assert result == {'changed': False, 'default_share': 'ActiveBackupforBusiness', 'shares': [SHARE, MIGRATED],
                      'encrypted_shares': [VAULT]}
    assert len(script.requests) == 3


def test_share_info_name_keeps_one_share_in_both_lists_and_the_default(params):
    vault_mounted = dict(VAULT, storage_mounted=True)
    result, _script = run(
        SHARE_INFO, params(name='ABB-Vault'),
        login(),
        compound(('list', {'default_share': 'ActiveBackupforBusiness', 'shares': [SHARE, vault_mounted]}),
                 ('list_encrypted', {'shares': [dict(VAULT, name='ABB-Other'), vault_mounted]})),
        Expect.logout(),
    )
    assert result == {'changed': False, 'default_share': 'ActiveBackupforBusiness', 'shares': [vault_mounted],
                      'encrypted_shares': [vault_mounted]}


def test_share_info_name_that_matches_nothing_gives_empty_lists(params):
    result, _script = run(
        SHARE_INFO, params(name='NoSuchShare'),
        login(),
        compound(('list', {'default_share': 'ActiveBackupforBusiness', 'shares': [SHARE]}),
                 ('list_encrypted', {'shares': []})),
        Expect.logout(),
    )
    assert 'failed' not in result
    assert result['shares'] == [] and result['encrypted_shares'] == []
    assert result['default_share'] == 'ActiveBackupforBusiness'


def test_share_info_in_check_mode_reads_the_same(params):
    result, _script = run(
        SHARE_INFO, params(name=None),
        login(),
        compound(('list', {'default_share': 'ActiveBackupforBusiness', 'shares': [SHARE]}),
                 ('list_encrypted', {'shares': []})),
        Expect.logout(),
        check_mode=True,
    )
    assert result == {'changed': False, 'default_share': 'ActiveBackupforBusiness', 'shares': [SHARE],
                      'encrypted_shares': []}


# --- storage_info -------------------------------------------------------------------------------------------------

def test_storage_info_is_one_plain_list_storage_call_with_numbers_as_ints(params):
    result, script = run(
        STORAGE_INFO, params(share_name=None, check_files=False),
        login(),
        Expect.abb('list_storage', params={}, data={'storages': [as_strings(STORAGE), BUSY]}).inspect(session_headers),
        Expect.logout(),
    )
    assert result == {'changed': False, 'storages': [STORAGE, BUSY]}
    assert 'error_files' not in result
    # device_info and relink_state are converted too, and booleans stay booleans.
    storage = result['storages'][0]
    assert storage['device_info']['pc_size'] == 20039709263360
    assert storage['relink_state'] == {'alive': False, 'error': {'code': 0}, 'owner': True, 'state': 0}
    assert storage['mounted'] is True
    assert [r.form['method'] for r in script.requests] == ['login', 'list_storage', 'logout']


def test_storage_info_share_name_keeps_one_storage(params):
    result, _script = run(
        STORAGE_INFO, params(share_name='ABB-Busy', check_files=False),
        login(),
        Expect.abb('list_storage', params={}, data={'storages': [STORAGE, BUSY]}),
        Expect.logout(),
    )
    assert result == {'changed': False, 'storages': [BUSY]}


def test_storage_info_check_files_reads_storages_and_error_files_in_one_round_trip(params):
    error_files = [{'share_name': 'ABB-Busy', 'path': '/volume1/ABB-Busy/@ActiveBackup/config/version.db', 'error': 2},
                   {'share_name': 'ActiveBackupforBusiness',
                    'path': '/volume1/ActiveBackupforBusiness/@ActiveBackup/pc.db', 'error': 5}]
    result, _script = run(
        STORAGE_INFO, params(share_name=None, check_files=True),
        login(),
        compound(('list_storage', {'storages': [STORAGE, BUSY]}), ('check_file', {'error_files': error_files})),
        Expect.logout(),
    )
    assert result == {'changed': False, 'storages': [STORAGE, BUSY], 'error_files': error_files}


def test_storage_info_share_name_filters_error_files_too(params):
    error_files = [{'share_name': 'ABB-Busy', 'path': '/volume1/ABB-Busy/@ActiveBackup/config/version.db', 'error': 2},
                   {'share_name': 'ActiveBackupforBusiness',
                    'path': '/volume1/ActiveBackupforBusiness/@ActiveBackup/pc.db', 'error': 5}]
    result, _script = run(
        STORAGE_INFO, params(share_name='ActiveBackupforBusiness', check_files=True),
        login(),
        compound(('list_storage', {'storages': [STORAGE, BUSY]}), ('check_file', {'error_files': error_files})),
        Expect.logout(),
    )
    assert result == {'changed': False, 'storages': [STORAGE], 'error_files': [error_files[1]]}


def test_storage_info_healthy_repositories_give_an_empty_error_files_list(params):
    result, _script = run(
        STORAGE_INFO, params(share_name=None, check_files=True),
        login(),
        compound(('list_storage', {'storages': [STORAGE]}), ('check_file', {'error_files': []})),
        Expect.logout(),
    )
    assert result['error_files'] == []
    assert result['storages'] == [STORAGE]


def test_storage_info_without_compound_support_falls_back_to_one_call_each(params):
    """A NAS that does not know SYNO.Entry.Request (103): the two reads go one by one."""
    result, _script = run(
        STORAGE_INFO, params(share_name=None, check_files=True),
        login(),
        Expect('SYNO.Entry.Request', 'request', version=1).error(103),
        Expect.abb('list_storage', params={}, data={'storages': [STORAGE]}),
        Expect.abb('check_file', params={}, data={'error_files': []}),
        Expect.logout(),
    )
    assert result == {'changed': False, 'storages': [STORAGE], 'error_files': []}


def test_storage_info_keeps_a_failed_relink_visible(params):
    failed = dict(BUSY, relink_state={'alive': False, 'owner': False, 'state': '0', 'error': {'code': '1234'}})
    result, _script = run(
        STORAGE_INFO, params(share_name='ABB-Busy', check_files=False),
        login(),
        Expect.abb('list_storage', params={}, data={'storages': [failed]}),
        Expect.logout(),
    )
    assert result['storages'][0]['relink_state'] == {'alive': False, 'owner': False, 'state': 0,
                                                     'error': {'code': 1234}}


def test_storage_info_error_names_host_api_method_and_code(params):
    result, script = run(
        STORAGE_INFO, params(share_name=None, check_files=False),
        login(),
        Expect.abb('list_storage', params={}).error(105),
        Expect.logout(),
    )
    assert result['failed'] is True and result['changed'] is False
    msg = result['msg']
    assert 'SYNO.ActiveBackup.Share.list_storage on nas.example.com failed: error 105' in msg
    assert 'permission' in msg
    assert result['error'] == {'host': 'nas.example.com', 'api': ABB, 'method': 'list_storage', 'code': 105,
                               'meaning': 'The logged in session does not have permission'}
    assert 'Adm1n-Secret!' not in json.dumps(result) and SID not in json.dumps(result)
    assert script.requests[-1].form['method'] == 'logout'


# --- volume_info --------------------------------------------------------------------------------------------------

VOLUME1_OUT = {'volume_path': '/volume1', 'total_bytes': 23030223990784, 'used_bytes': 12628378091520,
               'free_bytes': 10401845899264, 'used_percent': 54.8}
VOLUME2_OUT = {'volume_path': '/volume2', 'vol_name': 'Volume 2', 'total_bytes': 11995634147328,
               'used_bytes': 3221225472000, 'free_bytes': 8774408675328, 'used_percent': 26.9}


def test_volume_info_turns_byte_strings_into_ints_and_adds_free_and_percent(params):
    result, script = run(
        VOLUME_INFO, params(volume_path=None),
        login(),
        Expect.abb('list_volume', params={}, data={'volumes': [VOLUME1, VOLUME2]}).inspect(session_headers),
        Expect.logout(),
    )
    assert result == {'changed': False, 'volumes': [VOLUME1_OUT, VOLUME2_OUT]}
    for volume in result['volumes']:
        for key in ('total_bytes', 'used_bytes', 'free_bytes'):
            assert isinstance(volume[key], int) and not isinstance(volume[key], bool), key
        assert isinstance(volume['used_percent'], float)
    assert [r.form['method'] for r in script.requests] == ['login', 'list_volume', 'logout']


@pytest.mark.parametrize('path', ['/volume2', '/volume2/'])
def test_volume_info_volume_path_keeps_one_volume(params, path):
    result, _script = run(
        VOLUME_INFO, params(volume_path=path),
        login(),
        Expect.abb('list_volume', params={}, data={'volumes': [VOLUME1, VOLUME2]}),
        Expect.logout(),
    )
    assert result == {'changed': False, 'volumes': [VOLUME2_OUT]}


def test_volume_info_volume_path_that_matches_nothing_gives_an_empty_list(params):
    result, _script = run(
        VOLUME_INFO, params(volume_path='/volume9'),
        login(),
        Expect.abb('list_volume', params={}, data={'volumes': [VOLUME1]}),
        Expect.logout(),
    )
    assert result == {'changed': False, 'volumes': []}


@pytest.mark.parametrize('total, used, free, percent', [
    ('0', '0', 0, 0.0),                     # an empty (or not yet created) volume: no division by zero
    ('1000', '1000', 0, 100.0),
    ('1000', '1200', 0, 120.0),             # DSM rounding: free never goes below 0
    ('3', '1', 2, 33.3),                    # one decimal
    (2000, 1999, 1, 100.0),                 # numbers instead of strings are accepted too
])
def test_volume_info_free_bytes_and_used_percent_edges(params, total, used, free, percent):
    result, _script = run(
        VOLUME_INFO, params(volume_path=None),
        login(),
        Expect.abb('list_volume', params={}, data={'volumes': [
            {'volume_path': '/volume1', 'total_bytes': total, 'used_bytes': used}]}),
        Expect.logout(),
    )
    volume = result['volumes'][0]
    assert volume['total_bytes'] == int(total) and volume['used_bytes'] == int(used)
    assert volume['free_bytes'] == free
    assert volume['used_percent'] == percent


def test_volume_info_keeps_a_byte_count_it_cannot_read_and_computes_nothing(params):
    result, _script = run(
        VOLUME_INFO, params(volume_path=None),
        login(),
        Expect.abb('list_volume', params={}, data={'volumes': [
            {'volume_path': '/volume1', 'total_bytes': 'unknown', 'used_bytes': '12'}]}),
        Expect.logout(),
    )
    assert result['volumes'] == [{'volume_path': '/volume1', 'total_bytes': 'unknown', 'used_bytes': 12}]


# --- file_info ----------------------------------------------------------------------------------------------------

FILES = [
    {'name': '@ActiveBackup', 'path': '/volume1/ActiveBackupforBusiness/@ActiveBackup', 'isdir': True},
    {'name': 'exports', 'path': '/volume1/ActiveBackupforBusiness/exports', 'isdir': True},
    {'name': 'README.txt', 'path': '/volume1/ActiveBackupforBusiness/README.txt', 'isdir': False},
]


def test_file_info_sends_root_path_as_json_text_and_returns_the_children(params):
    def raw_form(request):
        # Contract section 2: a string parameter goes on the wire JSON-quoted, with %20 for a space.
        assert 'root_path=%22%2Fvolume1%2FActiveBackupforBusiness%22' in request.body
        session_headers(request)

    result, script = run(
        FILE_INFO, params(root_path='/volume1/ActiveBackupforBusiness/'),
        login(),
        Expect.abb('list_file', params={'root_path': '/volume1/ActiveBackupforBusiness'},
                   data={'files': FILES, 'total': 3}).inspect(raw_form),
        Expect.logout(),
    )
    assert result == {'changed': False, 'root_path': '/volume1/ActiveBackupforBusiness', 'files': FILES}
    assert [r.form['method'] for r in script.requests] == ['login', 'list_file', 'logout']


def test_file_info_space_in_root_path_is_encoded_as_percent_20(params):
    def raw_form(request):
        assert 'root_path=%22%2Fvolume1%2FABB%20Share%2Fmy%20dir%22' in request.body
        assert '+' not in request.body

    result, _script = run(
        FILE_INFO, params(root_path='/volume1/ABB Share/my dir'),
        login(),
        Expect.abb('list_file', params={'root_path': '/volume1/ABB Share/my dir'},
                   data={'files': [], 'total': 0}).inspect(raw_form),
        Expect.logout(),
    )
    assert result == {'changed': False, 'root_path': '/volume1/ABB Share/my dir', 'files': []}


def test_file_info_accepts_items_and_entries_with_only_a_path_or_a_name(params):
    result, _script = run(
        FILE_INFO, params(root_path='/volume1/ABB/exports'),
        login(),
        Expect.abb('list_file', params={'root_path': '/volume1/ABB/exports'}, data={'items': [
            {'path': '/volume1/ABB/exports/2024/', 'isdir': True},
            {'name': 'notes.txt'},
            {'isdir': True},             # neither name nor path: skipped
            'garbage',                   # not an object: skipped
        ]}),
        Expect.logout(),
    )
    assert result['files'] == [
        {'name': '2024', 'path': '/volume1/ABB/exports/2024/', 'isdir': True},
        {'name': 'notes.txt', 'path': '/volume1/ABB/exports/notes.txt', 'isdir': False},
    ]


@pytest.mark.parametrize('path, words', [
    ('volume1/ActiveBackupforBusiness', 'relative'),
    ('ActiveBackupforBusiness', 'relative'),
    ('', 'non-empty'),
    ('/volume1', 'not under /volumeN/<shared folder>'),
    ('/volume1/', 'not under /volumeN/<shared folder>'),
    ('/home/admin', 'not under /volumeN/<shared folder>'),
    ('/volumeX/share', 'not under /volumeN/<shared folder>'),
    ('/volume1/ActiveBackupforBusiness/../other', '".."'),
    ('/volume1/ActiveBackupforBusiness/./x', '"."'),
    ('/volume1//ActiveBackupforBusiness', 'empty segment'),
    ('/volume1/ActiveBackupforBusiness/a\nb', 'control character'),
    ('/volume1/' + 'x' * 256, 'longer than 255 bytes'),
])
def test_file_info_refuses_a_bad_root_path_before_any_request(params, path, words):
    script = Script()  # no request at all is expected: not even the login
    result = execute(FILE_INFO, params(root_path=path), transport=script)
    script.done()
    assert script.requests == []
    assert result['failed'] is True and result['changed'] is False
    assert result['msg'].startswith('root_path: ')
    assert words in result['msg']


def test_file_info_408_says_the_path_does_not_exist_and_still_logs_out(params):
    result, script = run(
        FILE_INFO, params(root_path='/volume1/ActiveBackupforBusiness/missing'),
        login(),
        Expect.abb('list_file', params={'root_path': '/volume1/ActiveBackupforBusiness/missing'}).error(408),
        Expect.logout().inspect(session_headers),
    )
    assert result['failed'] is True and result['changed'] is False
    assert result['msg'] == (
        'SYNO.ActiveBackup.Share.list_file on nas.example.com failed: error 408: root_path '
        '/volume1/ActiveBackupforBusiness/missing does not exist (or is not a directory, or its encrypted shared '
        'folder is not mounted) on the NAS.')
    # Not the meaning of Auth's 408 (expired password): that table is SYNO.API.Auth's only.
    assert 'password' not in result['msg'].lower()
    assert result['error']['code'] == 408 and result['error']['method'] == 'list_file'
    assert result['error']['api'] == ABB and result['error']['host'] == 'nas.example.com'
    assert [r.form['method'] for r in script.requests] == ['login', 'list_file', 'logout']


def test_file_info_other_errors_keep_the_client_message(params):
    result, _script = run(
        FILE_INFO, params(root_path='/volume1/ActiveBackupforBusiness'),
        login(),
        Expect.abb('list_file', params={'root_path': '/volume1/ActiveBackupforBusiness'}).error(120),
        Expect.logout(),
    )
    assert result['failed'] is True
    assert result['msg'].startswith('SYNO.ActiveBackup.Share.list_file on nas.example.com failed: error 120 (Invalid '
                                    'parameter')
    assert 'does not exist' not in result['msg']


def test_file_info_with_a_port_names_host_and_port(params):
    result, script = run(
        FILE_INFO, params(root_path='/volume1/ActiveBackupforBusiness/missing', port=15001),
        login(),
        Expect.abb('list_file', params={'root_path': '/volume1/ActiveBackupforBusiness/missing'}).error(408),
        Expect.logout(),
    )
    assert 'list_file on nas.example.com:15001 failed: error 408' in result['msg']
    assert script.requests[0].url == 'https://nas.example.com:15001/webapi/entry.cgi'


# --- common to the four ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize('operation, options', [
    (SHARE_INFO, {'name': None}),
    (STORAGE_INFO, {'share_name': None, 'check_files': True}),
    (VOLUME_INFO, {'volume_path': None}),
    (FILE_INFO, {'root_path': '/volume1/ActiveBackupforBusiness'}),
])
def test_a_given_session_is_used_and_not_logged_out(params, operation, options):
    """With ``session`` the task neither logs in nor out: one request in all."""
    reads = {
        'share_info': compound(('list', {'default_share': 'ActiveBackupforBusiness', 'shares': [SHARE]}),
                               ('list_encrypted', {'shares': []})),
        'storage_info': compound(('list_storage', {'storages': [STORAGE]}), ('check_file', {'error_files': []})),
        'volume_info': Expect.abb('list_volume', params={}, data={'volumes': [VOLUME1]}),
        'file_info': Expect.abb('list_file', params={'root_path': '/volume1/ActiveBackupforBusiness'},
                                data={'files': FILES}),
    }
    given = {'sid': 'given-sid-0001', 'synotoken': 'given-token-0001'}
    read = reads[operation.name].inspect(lambda request: (
        request.form['_sid'] == 'given-sid-0001' and request.headers['X-SYNO-TOKEN'] == 'given-token-0001'
    ) or pytest.fail('the given session was not used'))
    result, script = run(operation, params(session=given, username=None, password=None, **options), read)
    assert 'failed' not in result and result['changed'] is False
    assert len(script.requests) == 1


def test_run_module_fails_with_missing_required_lib_without_requests(monkeypatch, capsys):
    """The module path without ``requests``: missing_required_lib, before any request (also covered end to end
    by the integration tests with a venv that lacks requests)."""
    from ansible.module_utils.testing import patch_module_args

    monkeypatch.setattr(_runner, 'HAS_REQUESTS', False)
    monkeypatch.setattr(_runner, 'REQUESTS_IMPORT_ERROR', 'Traceback: ModuleNotFoundError: requests')
    args = {'host': 'nas.example.com', 'username': 'admin', 'password': 'Adm1n-Secret!', 'volume_path': '/volume1'}
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exc:
            _runner.run_module(VOLUME_INFO)
    assert exc.value.code == 1
    out = json.loads(capsys.readouterr().out)
    assert out['failed'] is True
    assert 'Failed to import the required Python library (requests)' in out['msg']
    assert 'Adm1n-Secret!' not in json.dumps(out)
