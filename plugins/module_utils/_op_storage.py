# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: the storage operation (relink a shared folder as an ABB storage, or detach one).

Requests, in order:

* ``state=present``: ``list`` and ``list_storage`` in one compound round trip; ``list_encrypted``
  only when the share is not in ``list`` (to tell "no such share" from "encrypted, not mounted");
  ``relink`` when the share is relinkable; then, with ``wait``, ``list_storage`` polls (the first
  after a short pause) until the relink is done or ``wait_timeout`` has passed; without ``wait``
  one ``list_storage`` re-read.
* ``state=absent``: ``list_storage``; ``remove`` when the share is a storage and may be removed;
  one ``list_storage`` re-read.

[A] Assumed points of the DSM API contract it relies on: whether a share is a linked storage is
decided from ``list_storage`` (contract 6.10, ``_api_share.storage_status``); ``relink`` answers at once
and works in the background, its progress and outcome show in ``relink_state`` (6.8); ``remove``
takes ``storage_id`` and refuses with a ``reason`` (6.9); ``backup_tasks`` entries carry
``task_name`` (6.10). The scope guide lists them as A8 to A15, A17 and A18.
"""

from __future__ import annotations

import json

from . import _api_share
from ._api import to_int
from ._config import MAX_SECONDS, check_number
from ._errors import ABB_API, DsmApiError, DsmError
from ._paths import check_share_name
from ._runner import Operation
from ._wait import Poll

# Polling of list_storage while a relink runs: first pause, then doubling up to the cap.
POLL_FIRST = 1.0
POLL_MAX = 10.0

LINKED_RELINK_STATE = {'alive': False, 'owner': True, 'state': 0, 'error': {'code': 0}}


class RelinkFailed(DsmError):
    """The relink ran and failed: list_storage shows relink_state.error.code not 0."""


class WaitTimeout(DsmError):
    """The relink was still running when wait_timeout had passed."""


def _validate(params, now):
    check_share_name(params.get('share_name'), 'share_name')
    check_number('wait_timeout', params.get('wait_timeout'), 1, MAX_SECONDS, ' seconds (one day)',
                 below='wait_timeout must be at least 1 second (got %s); set wait: false not to wait.')


def human_bytes(count):
    """'512.0 GiB' for 549755813888; a count too big for a float (not a real size) as plain bytes."""
    if count >= 1024 ** 6:
        return '%d bytes' % count
    value = float(count)
    for unit in ('bytes', 'KiB', 'MiB', 'GiB', 'TiB'):
        if value < 1024 or unit == 'TiB':
            return '%d bytes' % count if unit == 'bytes' else '%.1f %s' % (value, unit)
        value /= 1024.0
    return '%d bytes' % count  # pragma: no cover


def _int(value):
    value = to_int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def data_sizes(storage):
    """(logical bytes backed up: the sum of device_info's *_size, bytes stored after deduplication)."""
    info = storage.get('device_info') if isinstance(storage.get('device_info'), dict) else {}
    logical = sum(_int(value) for key, value in info.items() if key.endswith('_size'))
    return logical, _int(storage.get('dedup_size'))


def describe_data(storage):
    logical, stored = data_sizes(storage)
    parts = []
    if logical:
        parts.append('%s of backed-up data' % human_bytes(logical))
    if stored:
        parts.append('%s (%d bytes) stored after deduplication' % (human_bytes(stored), stored))
    return ', '.join(parts) if parts else 'no backup data reported'


def _in_use(storage):
    """What removing ``storage`` would take away, as (task names, device count)."""
    return _api_share.task_names(storage), _int(storage.get('device_count'))


def predict_linked(before, share, share_name):
    """The list_storage entry a relink is expected to leave (check mode): only what can be known beforehand."""
    entry = dict(before) if isinstance(before, dict) else {'share_name': share_name}
    if isinstance(share, dict) and 'volume_path' not in entry and isinstance(share.get('path'), str):
        entry['volume_path'] = share['path'].rsplit('/', 1)[0] or share['path']
    # [A] contract 6.8: a relinkable share holds an ABB repository (@ActiveBackup).
    entry.setdefault('repo_dir', '@ActiveBackup')
    entry['relink_state'] = dict(LINKED_RELINK_STATE, error=dict(LINKED_RELINK_STATE['error']))
    return entry


def _read_storage(client, share_name):
    return _api_share.find_storage(_api_share.read_lists(client, ['storages'])['storages'], share_name)


def _result(ctx, changed, before, after):
    out = {'changed': changed, 'share_name': ctx.params['share_name'], 'state': ctx.params['state'], 'storage': after}
    if ctx.diff:
        out['diff'] = {'before': before or {}, 'after': after or {}}
    return out


def _wait(ctx, share_name):
    """Poll list_storage until the relink of ``share_name`` is done; returns the linked entry."""
    client = ctx.client
    timeout = ctx.params['wait_timeout']
    poll = Poll(ctx, timeout, first=POLL_FIRST, cap=POLL_MAX)
    storage = None
    while True:
        if not poll.next():
            state = storage.get('relink_state') if isinstance(storage, dict) else None
            if isinstance(state, dict):
                seen = 'list_storage last showed relink_state.alive %s, relink_state.state %s' % (
                    json.dumps(state.get('alive')), json.dumps(state.get('state')))
            else:
                seen = 'list_storage did not list it yet'
            raise WaitTimeout(
                'The relink of shared folder %s on %s did not finish within wait_timeout (%s seconds); %s. It may '
                'still complete on the NAS: run the task again to wait for it (a running relink is waited for, never '
                'restarted), or raise wait_timeout.' % (share_name, client.nas_label, timeout, seen),
                host=client.nas_label, api=ABB_API, method='list_storage',
                details={'share_name': share_name, 'relink_state': state})
        storage = _read_storage(client, share_name)
        status = _api_share.storage_status(storage)
        if status == 'linked':
            return storage
        if status == 'failed':
            raise _relink_failed(client, share_name, storage)
        # 'relinking', or no entry yet: keep waiting.


def _relink_failed(client, share_name, storage):
    code = _api_share.relink_error_code(storage)
    return RelinkFailed(
        '%s.relink on %s failed: the relink of shared folder %s ran and ended with an error (list_storage shows '
        'relink_state.error.code %s). The shared folder is still relinkable and nothing else changed; check the '
        'repository in it (for example with syno.activebackup.storage_info and check_files: true) and the logs of '
        'Active Backup for Business, then run the task again to retry the relink.' % (ABB_API, client.nas_label, share_name, code),
        host=client.nas_label, api=ABB_API, method='relink',
        details={'share_name': share_name, 'relink_state': storage.get('relink_state')})


def _missing_share(ctx, share_name, shares):
    client = ctx.client
    encrypted = _api_share.find_share(_api_share.read_lists(client, ['encrypted_shares'])['encrypted_shares'], share_name)
    if encrypted is not None:
        # Contract 6.10 ([A]): an encrypted share appears in list only while it is mounted.
        return DsmError(
            'The shared folder %s on %s is encrypted and not mounted, so Active Backup for Business cannot use it. '
            'Mount it in DSM (Control Panel > Shared Folder > Encryption > Mount, or with its key manager), then '
            'run the task again.' % (share_name, client.nas_label), host=client.nas_label, api=ABB_API, method='list')
    names = sorted(share.get('name') for share in shares if isinstance(share, dict) and share.get('name'))
    hint = ''
    if share_name in ('True', 'False'):
        # The argument spec turns a YAML boolean given for share_name into this text.
        hint = (' If the name was written unquoted as true, false, yes or no: YAML reads that as a boolean, which '
                'Ansible turns into the text %s; quote the name (share_name: "%s").' % (share_name, share_name.lower()))
    return DsmError(
        'There is no shared folder named %s on %s (shared folders Active Backup for Business sees: %s). Names are '
        'case-sensitive.%s' % (share_name, client.nas_label, ', '.join(names) or 'none', hint),
        host=client.nas_label, api=ABB_API, method='list')


def _not_relinkable(ctx, share_name, share, before):
    extra = ''
    if _api_share.storage_status(before) == 'failed':
        extra = ' An earlier relink failed with relink_state.error.code %s.' % _api_share.relink_error_code(before)
    return DsmError(
        'The shared folder %s on %s is not an Active Backup for Business storage and cannot be relinked '
        '(relinkable: false): it holds no ABB repository (@ActiveBackup) that this ABB could take over.%s A shared '
        'folder becomes relinkable when it holds a repository detached from ABB, for example one removed with '
        'syno.activebackup.storage state=absent and remove_data=false, on this NAS or on another one whose data '
        'was moved here. An empty shared folder becomes a storage when an ABB backup task first uses it as its '
        'destination; the API used here cannot do that.' % (share_name, ctx.client.nas_label, extra),
        host=ctx.client.nas_label, api=ABB_API, method='list', details={'share': share})


def _refused(exc, hint):
    """DSM's refusal (error 100 with a reason, contract 6.8/6.9 [A]) with what the user can do."""
    return DsmApiError('%s %s' % (exc.message.rstrip(), hint), host=exc.host, api=exc.api, method=exc.method,
                       code=exc.code, details=exc.details)


def _present(ctx):
    client = ctx.client
    share_name = ctx.params['share_name']
    data = _api_share.read_lists(client, ['shares', 'storages'])
    share = _api_share.find_share(data['shares'], share_name)
    before = _api_share.find_storage(data['storages'], share_name)
    status = _api_share.storage_status(before)
    wait = ctx.params['wait']

    if status == 'linked':
        return _result(ctx, False, before, before)
    if status == 'relinking':
        # Someone (an earlier run with wait: false, DSM's own UI) started it: wait for it, never restart it.
        # This task sends no write, so it reports no change.
        if not wait:
            return _result(ctx, False, before, before)
        if ctx.check_mode:
            return _result(ctx, False, before, predict_linked(before, share, share_name))
        return _result(ctx, False, before, _wait(ctx, share_name))
    # No entry, or one whose relink failed ([A] contract 6.10: not linked; relinking it again is allowed).
    if share is None:
        raise _missing_share(ctx, share_name, data['shares'])
    if not share.get('relinkable'):
        raise _not_relinkable(ctx, share_name, share, before)
    if ctx.check_mode:
        return _result(ctx, True, before, predict_linked(before, share, share_name))

    changed = True
    try:
        _api_share.relink(client, share_name)
    except DsmApiError as exc:
        reason = exc.reason if exc.code == 100 else None
        if reason == 'relink_in_progress':
            # Started by someone else between our read and our write: wait for that one.
            changed = False
            ctx.warn('A relink of %s on %s was already running (started elsewhere after this task read the state); '
                     'the task did not start another one.' % (share_name, client.nas_label))
        elif reason == 'already_linked':
            changed = False
            ctx.warn('%s on %s became an ABB storage after this task read the state (linked elsewhere); the task '
                     'changed nothing.' % (share_name, client.nas_label))
        elif reason == 'not_relinkable':
            raise _refused(exc, 'The shared folder is no longer relinkable (it changed after the task read it); '
                                'run the task again.') from None
        elif reason == 'no_such_share':
            raise _refused(exc, 'The shared folder no longer exists (it changed after the task read it).') from None
        else:
            raise
    if wait:
        after = _wait(ctx, share_name)
    else:
        after = _read_storage(client, share_name)
        if _api_share.storage_status(after) == 'failed':
            raise _relink_failed(client, share_name, after)
    return _result(ctx, changed, before, after)


def _in_use_refusal(client, share_name, storage, remove_data):
    """Why a storage in use is not removed without force: what removing it would take away."""
    tasks, devices = _in_use(storage)
    what = []
    if tasks:
        what.append('backup tasks: %s' % ', '.join(tasks))
    what.append('%d device%s' % (devices, '' if devices == 1 else 's'))
    what.append(describe_data(storage))
    return DsmError(
        'Refusing to remove the ABB storage on shared folder %s of %s: it is in use (%s). %s Set force: true to '
        'remove it anyway.'
        % (share_name, client.nas_label, '; '.join(what),
           'With remove_data: true every backup version in it is deleted.' if remove_data else
           'With remove_data: false the repository stays on the shared folder and can be relinked later, but '
           'the tasks and devices lose their destination.'),
        host=client.nas_label, api=ABB_API, method='remove',
        details={'backup_tasks': tasks, 'device_count': devices, 'dedup_size': data_sizes(storage)[1]})


def _absent(ctx):
    client = ctx.client
    share_name = ctx.params['share_name']
    remove_data = ctx.params['remove_data']
    before = _read_storage(client, share_name)
    status = _api_share.storage_status(before)

    if status in (None, 'failed'):
        # [A] contract 6.10: an entry whose relink failed is no storage; there is nothing to remove.
        return _result(ctx, False, before, before)
    if status == 'relinking':
        raise DsmError(
            'A relink of %s on %s is running; DSM refuses to remove a storage while it relinks. Wait for it '
            '(syno.activebackup.storage with state=present and wait=true), then run this task again.'
            % (share_name, client.nas_label), host=client.nas_label, api=ABB_API, method='list_storage',
            details={'relink_state': before.get('relink_state')})

    tasks, devices = _in_use(before)
    if (tasks or devices > 0) and not ctx.params['force']:
        raise _in_use_refusal(client, share_name, before, remove_data)
    if tasks and ctx.check_mode:
        # [A] contract 6.9: DSM refuses (storage_in_use) while backup_tasks is not empty, force or not.
        ctx.warn('DSM is expected to refuse to remove %s while backup tasks use it (%s), even with force: true; '
                 'delete those tasks in Active Backup for Business first.' % (share_name, ', '.join(tasks)))
    if remove_data:
        ctx.warn('remove_data: true %s the ABB repository on %s of %s and every backup version in it (%s).'
                 % ('would delete' if ctx.check_mode else 'deletes', share_name, client.nas_label, describe_data(before)))
    if ctx.check_mode:
        return _result(ctx, True, before, None)

    try:
        _api_share.remove(client, share_name, remove_data, storage_id=to_int(before.get('storage_id')))
    except DsmApiError as exc:
        reason = exc.reason if exc.code == 100 else None
        if reason == 'storage_in_use':
            raise _refused(exc, 'Backup tasks still use this storage (%s); DSM keeps it while they exist, even with '
                                'force: true. Delete those tasks (or give them another destination) in Active Backup '
                                'for Business first.' % (', '.join(tasks) or 'see Active Backup for Business')) from None
        if reason == 'relink_in_progress':
            raise _refused(exc, 'A relink started after the task read the state; wait for it, then run the task '
                                'again.') from None
        if reason in ('not_a_storage', 'no_such_share'):
            raise _refused(exc, 'The storage changed after the task read it; run the task again.') from None
        raise
    after = _read_storage(client, share_name)
    if after is not None:
        ctx.warn('DSM accepted the removal of %s on %s, but list_storage still lists it; the removal may still be '
                 'in progress.' % (share_name, client.nas_label))
    return _result(ctx, True, before, after)


def _storage(ctx):
    if ctx.params['state'] == 'present':
        if ctx.params.get('remove_data') or ctx.params.get('force'):
            ctx.warn('remove_data and force apply to state=absent only; they were ignored.')
        return _present(ctx)
    return _absent(ctx)


STORAGE = Operation(
    'storage',
    dict(
        share_name=dict(type='str', required=True),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        wait=dict(type='bool', default=True),
        wait_timeout=dict(type='int', default=600),
        remove_data=dict(type='bool', default=False),
        force=dict(type='bool', default=False),
    ),
    _storage,
    validate=_validate,
)
