# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: the read-only operations (share_info, storage_info, volume_info,
file_info, facts)."""

from __future__ import annotations

from . import _api_share
from ._api import read_all
from ._api_device import DEVICES_READ
from ._api_dsm import SYSTEM_READ
from ._api_share import LIST_READS
from ._api_task import TASKS_READ
from ._errors import ABB_API, DsmApiError, DsmInputError
from ._paths import check_path, check_share_name, check_volume_path, shown
from ._runner import Operation


def _share_info(ctx):
    data = _api_share.read_lists(ctx.client, ['shares', 'encrypted_shares'])
    shares, encrypted = data['shares'], data['encrypted_shares']
    name = ctx.params.get('name')
    if name is not None:
        shares = [s for s in shares if s.get('name') == name]
        encrypted = [s for s in encrypted if s.get('name') == name]
    return {'default_share': data['default_share'], 'shares': shares, 'encrypted_shares': encrypted}


def _check_share_info(params, now):
    if params.get('name') is not None:
        check_share_name(params['name'], 'name', ' Leave name out to list every shared folder.')


SHARE_INFO = Operation(
    'share_info',
    dict(name=dict(type='str')),
    _share_info,
    validate=_check_share_info,
)


def _storage_info(ctx):
    names = ['storages'] + (['error_files'] if ctx.params.get('check_files') else [])
    data = _api_share.read_lists(ctx.client, names)
    share_name = ctx.params.get('share_name')
    result = {}
    for key in names:
        items = data[key]
        if share_name is not None:
            items = [item for item in items if isinstance(item, dict) and item.get('share_name') == share_name]
        result[key] = items
    return result


def _check_storage_info(params, now):
    if params.get('share_name') is not None:
        check_share_name(params['share_name'], 'share_name', ' Leave share_name out to list every storage.')


STORAGE_INFO = Operation(
    'storage_info',
    dict(share_name=dict(type='str'), check_files=dict(type='bool', default=False)),
    _storage_info,
    validate=_check_storage_info,
)


def _volume_info(ctx):
    volumes = _api_share.read_lists(ctx.client, ['volumes'])['volumes']
    path = ctx.checked.get('volume_path')
    if path is not None:
        volumes = [v for v in volumes if isinstance(v, dict) and v.get('volume_path') == path]
    return {'volumes': volumes}


def _check_volume_info(params, now):
    if params.get('volume_path') is None:
        return None
    return {'volume_path': check_volume_path(params['volume_path'], 'volume_path')}


VOLUME_INFO = Operation(
    'volume_info',
    dict(volume_path=dict(type='str')),
    _volume_info,
    validate=_check_volume_info,
)


def _check_root_path(params, now):
    return {'root_path': check_path(params.get('root_path'), 'root_path')}


def _file_info(ctx):
    root = ctx.checked['root_path']
    try:
        files = _api_share.list_file(ctx.client, root)
    except DsmApiError as exc:
        if exc.code == 408:
            # [A] list_file answers 408 for a root_path that does not exist (contract 6.6).
            raise DsmApiError('%s.list_file on %s failed: error 408: root_path %s does not exist (or is not a '
                              'directory, or its encrypted shared folder is not mounted) on the NAS.' % (ABB_API, ctx.client.nas_label, root),
                              host=ctx.client.nas_label, api=ABB_API, method='list_file', code=408) from None
        raise
    return {'root_path': root, 'files': files}


FILE_INFO = Operation(
    'file_info',
    dict(root_path=dict(type='str', required=True)),
    _file_info,
    validate=_check_root_path,
)

SUBSETS = ('shares', 'storages', 'volumes', 'files_check', 'tasks', 'devices', 'system')
SUBSET_READS = {
    'shares': (LIST_READS['shares'], LIST_READS['encrypted_shares']),
    'storages': (LIST_READS['storages'],),
    'volumes': (LIST_READS['volumes'],),
    'files_check': (LIST_READS['error_files'],),
    'tasks': (TASKS_READ,),
    'devices': (DEVICES_READ,),
    'system': (SYSTEM_READ,),
}


def resolve_subsets(requested):
    """The subsets that ``gather_subset`` selects, with the semantics of Ansible's own ``gather_subset``.

    ``all`` adds every subset, a name adds that subset, ``!name`` excludes it and ``!all`` excludes
    every subset not named explicitly. Only exclusions start from ``all``. A subset named explicitly
    is kept even when excluded (``['!all', 'volumes']`` is just ``volumes``). Unknown names fail.
    """
    added = set()
    excluded = set()
    explicit = set()
    for item in requested or ['all']:
        item = str(item).strip()
        negate = item.startswith('!')
        name = item[1:].strip() if negate else item
        if name != 'all' and name not in SUBSETS:
            raise DsmInputError('gather_subset: unknown subset %s; choose from all, %s, each optionally with a '
                                'leading "!".' % (shown(item), ', '.join(SUBSETS)))
        names = SUBSETS if name == 'all' else (name,)
        if negate:
            excluded.update(names)
            continue
        added.update(names)
        if name != 'all':
            explicit.add(name)
    if not added:
        added = set(SUBSETS)
    dropped = excluded - explicit
    return [name for name in SUBSETS if name in added and name not in dropped]


def _check_facts(params, now):
    return {'subsets': resolve_subsets(params.get('gather_subset'))}


def _facts(ctx):
    subsets = ctx.checked['subsets']
    reads = [read for subset in subsets for read in SUBSET_READS[subset]]
    facts = {'gathered_subsets': subsets}
    if reads:
        facts.update(read_all(ctx.client, reads))
    return {'ansible_facts': {'activebackup': facts}}


FACTS = Operation(
    'facts',
    dict(gather_subset=dict(type='list', elements='str', default=['all'])),
    _facts,
    validate=_check_facts,
)
