# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""_api_share (and _api): normalisers, typed calls and the state helpers of contract section 6."""

from __future__ import annotations

import itertools

import pytest

from ansible_collections.syno.activebackup.plugins.module_utils import _api, _api_share

from ansible_collections.syno.activebackup.tests.unit.plugins.module_utils.scripted import Expect, Script, make_client


# -- numbers ----------------------------------------------------------------------------------------

@pytest.mark.parametrize('value, expected', [
    (5, 5), (0, 0), (-3, -3), ('5', 5), (' 42 ', 42), ('-7', -7), ('0', 0),
    ('23030223990784', 23030223990784), (7.0, 7),
    (True, True), (False, False), (1.5, 1.5), ('1.5', '1.5'), ('', ''), ('abc', 'abc'), ('0x10', '0x10'),
    (None, None), ([1], [1]), ({'a': 1}, {'a': 1}),
    ('1' * 4300, int('1' * 4300)), ('1' * 4301, '1' * 4301), ('1_000', '1_000'), ('+5', '+5'), ('٣', '٣'),
    (1e300, int(1e300)), (float('inf'), float('inf')),
])
def test_to_int(value, expected):
    out = _api.to_int(value)
    assert out == expected
    assert type(out) is type(expected)


def test_normalize_share():
    share = {'name': 'abb', 'free_space': '10401845899264', 'storage_id': '1', 'storage_compress_algorithm': 0,
             'storage_encrypt_algorithm': '2', 'relinkable': False, 'path': '/volume1/abb'}
    out = _api_share.normalize_share(share)
    assert out == {'name': 'abb', 'free_space': 10401845899264, 'storage_id': 1, 'storage_compress_algorithm': 0,
                   'storage_encrypt_algorithm': 2, 'relinkable': False, 'path': '/volume1/abb'}
    assert share['free_space'] == '10401845899264', 'the input is not changed'


def test_normalize_storage():
    storage = {'share_name': 'abb', 'storage_id': '1', 'device_count': '4', 'compressed_size': 10, 'fs_type': '2',
               'device_info': {'pc_count': '4', 'pc_size': '1024', 'vm_count': 0},
               'relink_state': {'alive': False, 'owner': True, 'state': '0', 'error': {'code': '0'}},
               'backup_tasks': [{'task_id': 1, 'task_name': 'pc'}]}
    out = _api_share.normalize_storage(storage)
    assert out['storage_id'] == 1 and out['device_count'] == 4 and out['fs_type'] == 2
    assert out['device_info'] == {'pc_count': 4, 'pc_size': 1024, 'vm_count': 0}
    assert out['relink_state'] == {'alive': False, 'owner': True, 'state': 0, 'error': {'code': 0}}
    assert storage['relink_state']['state'] == '0', 'the input is not changed'


def test_normalize_storage_tolerates_odd_shapes():
    assert _api_share.normalize_storage({'relink_state': None, 'device_info': 'n/a'}) == {
        'relink_state': None, 'device_info': 'n/a'}
    assert _api_share.normalize_storage({'relink_state': {'error': None}}) == {'relink_state': {'error': None}}
    assert _api_share.normalize_storage('odd') == 'odd'


@pytest.mark.parametrize('entry, expected', [
    ({'volume_path': '/volume1', 'total_bytes': '23030223990784', 'used_bytes': '12628378091520'},
     {'volume_path': '/volume1', 'total_bytes': 23030223990784, 'used_bytes': 12628378091520,
      'free_bytes': 10401845899264, 'used_percent': 54.8}),
    ({'total_bytes': 1000, 'used_bytes': 1},
     {'total_bytes': 1000, 'used_bytes': 1, 'free_bytes': 999, 'used_percent': 0.1}),
    ({'total_bytes': 1000, 'used_bytes': 999},
     {'total_bytes': 1000, 'used_bytes': 999, 'free_bytes': 1, 'used_percent': 99.9}),
    ({'total_bytes': 3, 'used_bytes': 2},
     {'total_bytes': 3, 'used_bytes': 2, 'free_bytes': 1, 'used_percent': 66.7}),
    ({'total_bytes': '0', 'used_bytes': '0'},
     {'total_bytes': 0, 'used_bytes': 0, 'free_bytes': 0, 'used_percent': 0.0}),
    ({'total_bytes': 100, 'used_bytes': 150},
     {'total_bytes': 100, 'used_bytes': 150, 'free_bytes': 0, 'used_percent': 150.0}),
    ({'total_bytes': 'n/a', 'used_bytes': '5'}, {'total_bytes': 'n/a', 'used_bytes': 5}),
    ({'volume_path': '/volume2'}, {'volume_path': '/volume2'}),
    ({'total_bytes': True, 'used_bytes': 0}, {'total_bytes': True, 'used_bytes': 0}),
    ({'total_bytes': 100, 'used_bytes': True}, {'total_bytes': 100, 'used_bytes': True}),
    ({'total_bytes': '1', 'used_bytes': '1' + '0' * 400},
     {'total_bytes': 1, 'used_bytes': 10 ** 400, 'free_bytes': 0}),
    ({'total_bytes': 10 ** 400, 'used_bytes': 10 ** 399},
     {'total_bytes': 10 ** 400, 'used_bytes': 10 ** 399, 'free_bytes': 9 * 10 ** 399, 'used_percent': 10.0}),
    ({'total_bytes': 10 ** 400, 'used_bytes': 1}, {'total_bytes': 10 ** 400, 'used_bytes': 1, 'free_bytes': 10 ** 400 - 1, 'used_percent': 0.0}),
    ({'total_bytes': 3, 'used_bytes': 10 ** 302},
     {'total_bytes': 3, 'used_bytes': 10 ** 302, 'free_bytes': 0, 'used_percent': round(10 ** 304 / 3, 1)}),
    # a percentage too large for a float is left out
    ({'total_bytes': 1, 'used_bytes': 10 ** 309}, {'total_bytes': 1, 'used_bytes': 10 ** 309, 'free_bytes': 0}),
    ({'total_bytes': -5, 'used_bytes': 3}, {'total_bytes': -5, 'used_bytes': 3, 'free_bytes': 0, 'used_percent': 0.0}),
])
def test_normalize_volume(entry, expected):
    out = _api_share.normalize_volume(entry)
    assert out == expected
    if 'used_percent' in out:
        assert isinstance(out['used_percent'], float)
        assert round(out['used_percent'], 1) == out['used_percent']


# -- storage_status: contract 6.10 -------------------------------------------------------------------

ALIVE = [True, False, None]
OWNER = [True, False, None]
ERROR = [None, {}, {'code': 0}, {'code': '0'}, {'code': 5}, {'code': '5'}, {'code': -1}]
STATE = [0, 1, None]


def contract_status(alive, owner, error):
    """Contract 6.10, read literally: running when alive; failed when owner is false and error.code is not 0."""
    if alive is True:
        return 'relinking'
    code = error.get('code') if isinstance(error, dict) else None
    if owner is False and code is not None and int(code) != 0:
        return 'failed'
    return 'linked'


@pytest.mark.parametrize('alive, owner, error, state', list(itertools.product(ALIVE, OWNER, ERROR, STATE)))
def test_storage_status_every_relink_state(alive, owner, error, state):
    relink_state = {}
    for key, value in (('alive', alive), ('owner', owner), ('error', error), ('state', state)):
        if value is not None:
            relink_state[key] = value
    storage = {'share_name': 'abb', 'storage_id': 1, 'relink_state': relink_state}
    expected = contract_status(alive, owner, error)
    assert _api_share.storage_status(storage) == expected
    assert _api_share.storage_status(_api_share.normalize_storage(storage)) == expected


@pytest.mark.parametrize('storage, expected', [
    (None, None),
    ({'share_name': 'abb'}, 'linked'),
    ({'share_name': 'abb', 'relink_state': None}, 'linked'),
    ({'share_name': 'abb', 'relink_state': 'odd'}, 'linked'),
])
def test_storage_status_without_relink_state(storage, expected):
    assert _api_share.storage_status(storage) == expected


def test_relink_error_code():
    assert _api_share.relink_error_code({'relink_state': {'error': {'code': '7'}}}) == 7
    assert _api_share.relink_error_code({'relink_state': {}}) is None
    assert _api_share.relink_error_code(None) is None


def test_finders_and_task_names():
    shares = [{'name': 'a'}, 'odd', {'name': 'b'}]
    assert _api_share.find_share(shares, 'b') == {'name': 'b'}
    assert _api_share.find_share(shares, 'c') is None
    storages = [{'share_name': 'a', 'storage_id': 1}, None]
    assert _api_share.find_storage(storages, 'a') == {'share_name': 'a', 'storage_id': 1}
    assert _api_share.find_storage(storages, 'b') is None
    assert _api_share.task_names({'backup_tasks': [{'task_id': 1, 'task_name': 'pc'}, {'task_id': 2}, 7]}) == [
        'pc', "{'task_id': 2}", '7']
    assert _api_share.task_names({'backup_tasks': None}) == []
    # a backup_tasks that is not a list: one raw entry (it used to fail with TypeError)
    assert _api_share.task_names({'backup_tasks': 5}) == ['5']
    assert _api_share.task_names({'backup_tasks': {'task_id': 3, 'task_name': 'nas'}}) == ['nas']
    assert _api_share.task_names({'backup_tasks': 'pc'}) == ['pc']
    assert _api_share.task_names(None) == []


# -- typed calls -----------------------------------------------------------------------------------------

@pytest.mark.parametrize('data, expected', [
    ({'files': [{'name': 'pc', 'path': '/volume1/abb/pc', 'isdir': True}], 'total': 1},
     [{'name': 'pc', 'path': '/volume1/abb/pc', 'isdir': True}]),
    ({'items': [{'name': 'a.txt', 'isdir': False}]}, [{'name': 'a.txt', 'path': '/volume1/abb/a.txt', 'isdir': False}]),
    ({'files': [{'path': '/volume1/abb/pc/'}]}, [{'name': 'pc', 'path': '/volume1/abb/pc/', 'isdir': False}]),
    ({'files': [{'name': 'x', 'is_dir': True}, 'odd', {}, {'isdir': True}]},
     [{'name': 'x', 'path': '/volume1/abb/x', 'isdir': True}]),
    ({}, []),
    ({'files': None}, []),
    # names and paths that are not text are no names or paths; isdir as DSM may spell it
    ({'files': [{'name': 5}, {'name': ['a']}, {'path': 7}, {'name': None, 'path': {'a': 1}}, {'name': ''}]}, []),
    ({'files': [{'name': 'a', 'path': 5}]}, [{'name': 'a', 'path': '/volume1/abb/a', 'isdir': False}]),
    ({'files': [{'name': 7, 'path': '/volume1/abb/b'}]}, [{'name': 'b', 'path': '/volume1/abb/b', 'isdir': False}]),
    ({'files': [{'path': '/'}]}, []),
    ({'files': [{'name': 'a', 'isdir': 'false'}, {'name': 'b', 'isdir': 'true'}, {'name': 'c', 'isdir': 0},
                {'name': 'd', 'isdir': 1}, {'name': 'e', 'is_dir': 'True'}]},
     [{'name': 'a', 'path': '/volume1/abb/a', 'isdir': False}, {'name': 'b', 'path': '/volume1/abb/b', 'isdir': True},
      {'name': 'c', 'path': '/volume1/abb/c', 'isdir': False}, {'name': 'd', 'path': '/volume1/abb/d', 'isdir': True},
      {'name': 'e', 'path': '/volume1/abb/e', 'isdir': True}]),
])
def test_list_file(data, expected):
    script = Script(Expect.login(), Expect.abb('list_file', params={'root_path': '/volume1/abb'}, data=data))
    assert _api_share.list_file(make_client(script), '/volume1/abb') == expected
    script.done()


@pytest.mark.parametrize('args, params', [
    (('abb', False), {'share_name': 'abb', 'is_remove_data': False}),
    (('abb', True, 4), {'share_name': 'abb', 'is_remove_data': True, 'storage_id': 4}),
    (('abb', 1, 0), {'share_name': 'abb', 'is_remove_data': True}),
    (('abb', 0, None), {'share_name': 'abb', 'is_remove_data': False}),
    (('abb', False, True), {'share_name': 'abb', 'is_remove_data': False}),
    (('abb', False, '4'), {'share_name': 'abb', 'is_remove_data': False}),
])
def test_remove_parameters(args, params):
    script = Script(Expect.login(), Expect.abb('remove', params=params))
    _api_share.remove(make_client(script), *args)
    script.done()


def test_relink_and_create_fs_dir_parameters():
    script = Script(Expect.login(), Expect.abb('relink', params={'share_name': 'abb 2'}),
                    Expect.abb('create_fs_dir', params={'paths': ['/volume1/abb/a', '/volume1/abb/b c']}))
    client = make_client(script)
    _api_share.relink(client, 'abb 2')
    _api_share.create_fs_dir(client, ('/volume1/abb/a', '/volume1/abb/b c'))
    script.done()


def test_read_one_list_and_tolerate_missing_keys():
    script = Script(Expect.login(), Expect.abb('list', data={'shares': None}))
    assert _api_share.read_lists(make_client(script), ['shares']) == {'shares': [], 'default_share': None}
    script.done()


def test_read_leaves_out_entries_that_are_not_objects():
    data = {'default_share': ['abb'], 'shares': ['odd', None, 5, [1], {'name': 'abb', 'storage_id': '2'}]}
    script = Script(Expect.login(), Expect.abb('list', data=data))
    assert _api_share.read_lists(make_client(script), ['shares']) == {'shares': [{'name': 'abb', 'storage_id': 2}], 'default_share': None}
    script.done()
