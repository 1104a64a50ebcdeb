# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: the directory operation (make directories exist on a shared folder).

How it reads, with the fewest requests for the usual case (a re-run where everything exists):

* Every path is checked before any request (``_paths.check_path``).
* For each path the parent directory is listed (``list_file``), once per parent: several paths
  under one parent share one listing. Paths are looked at deepest first, so that a listing made
  for a deep path also answers for its ancestors among the other paths.
* Only when a parent does not exist (``list_file`` answers 408) does it look one level up, and so
  on up to the shared folder itself. A shared folder whose ``list_file`` answers 408 does not
  exist: that is how the operation finds whether the share exists, without listing the shares.
* The missing paths are created in one ``create_fs_dir`` call (not in check mode). Its success
  means every path exists (all or none), so nothing is read again.

[A] It relies on two assumed points of the DSM API contract: ``list_file`` lists the direct
children of an existing directory and answers 408 for a ``root_path`` that does not exist
(contract 6.6); ``create_fs_dir`` creates each path with its parents, all or none, and answers
408 for a path outside every shared folder or under a file (contract 6.7). The scope guide lists
them as A3 to A7.
"""

from __future__ import annotations

from . import _api_share
from ._errors import ABB_API, DsmApiError, DsmError, DsmInputError
from ._paths import check_path, parent_of, share_of
from ._runner import Operation

# [A] contract 6.6 / 6.7: list_file answers 408 for a root_path that does not exist, create_fs_dir for
# a path it refuses.
NOT_FOUND = 408
# Distinct paths one task takes: they are created in one create_fs_dir request, which stays of a sane size.
MAX_PATHS = 1000


def checked_paths(params):
    """The given paths, checked and without trailing slash, duplicates dropped, in the given order."""
    out = []
    seen = set()
    for path in params.get('paths') or []:
        path = check_path(path, 'paths')
        if path not in seen:
            seen.add(path)
            out.append(path)
    if len(out) > MAX_PATHS:
        raise DsmInputError('paths: %d distinct paths given; a task takes at most %d. Split the list over several '
                            'tasks (for example with a loop over batch(%d)).' % (len(out), MAX_PATHS, MAX_PATHS))
    return out


def _validate(params, now):
    return {'paths': checked_paths(params)}


class _DirectoryListings:
    """What list_file told about the directories of the NAS, each directory listed at most once."""

    def __init__(self, client):
        self.client = client
        # directory -> {child name: is a directory}, or None when list_file answered 408
        self.listings = {}

    def children(self, directory):
        if directory not in self.listings:
            try:
                files = _api_share.list_file(self.client, directory)
            except DsmApiError as exc:
                if exc.code != NOT_FOUND:
                    raise
                # [A] contract 6.6: 408 means the root_path does not exist (or is not a directory).
                self.listings[directory] = None
            else:
                self.listings[directory] = dict((entry['name'], entry['isdir']) for entry in files)
        return self.listings[directory]

    def is_dir(self, path):
        """True when ``path`` is an existing directory, False when it does not exist.

        Lists the parent of ``path``; only when that does not exist (408) the parent's parent, and so
        on up to the shared folder. Raises DsmError when the shared folder does not exist or a
        component of ``path`` is a file.
        """
        if self.listings.get(path) is not None:
            # Listed already (for a deeper path): it is a directory.
            return True
        volume, share = share_of(path)
        root = '%s/%s' % (volume, share)
        current = path
        entries = None
        while current != root:
            entries = self.children(parent_of(current))
            if entries is not None:
                break
            current = parent_of(current)
        else:
            if self.children(root) is None:
                raise DsmApiError(
                    'paths: the shared folder %r does not exist on %s of %s (%s.list_file on %s answered error '
                    '408). This module makes directories inside an existing shared folder; create the shared '
                    'folder in DSM (Control Panel > Shared Folder) or correct the volume in the path. An encrypted '
                    'shared folder must be mounted.' % (share, volume, self.client.nas_label, ABB_API, root),
                    host=self.client.nas_label, api=ABB_API, method='list_file', code=NOT_FOUND)
            # Only reached for the shared folder itself: below it, the loop breaks or the root listing failed.
            return True
        # ``entries`` lists the parent of ``current``: ``current`` decides for ``path``.
        name = current.rsplit('/', 1)[1]
        if name not in entries:
            return False
        if not entries[name]:
            raise DsmError('paths: %s on %s exists and is a file, not a directory; remove or rename it, or choose '
                           'another path.' % (current, self.client.nas_label), host=self.client.nas_label, api=ABB_API,
                           method='list_file')
        if current != path:
            raise DsmApiError(
                'paths: %s.list_file on %s answered error 408 (does not exist) for %s although its parent lists it '
                'as a directory; the account may lack permission to read it.'
                % (ABB_API, self.client.nas_label, current),
                host=self.client.nas_label, api=ABB_API, method='list_file', code=NOT_FOUND)
        return True


def _create(client, paths):
    try:
        _api_share.create_fs_dir(client, paths)
    except DsmApiError as exc:
        if exc.code != NOT_FOUND:
            raise
        # [A] contract 6.7: 408 refuses the whole request; none of the paths was created.
        raise DsmApiError(
            '%s.create_fs_dir on %s failed: error 408: DSM refused the paths %s (a path outside every shared '
            'folder, or under an existing file); it created none of them. Did the shared folder or a directory '
            'change since the task read them? Run the task again to see which path is wrong.'
            % (ABB_API, client.nas_label, ', '.join(paths)),
            host=client.nas_label, api=ABB_API, method='create_fs_dir', code=NOT_FOUND, details=exc.details) from None


def _directory(ctx):
    paths = ctx.checked['paths']
    tree = _DirectoryListings(ctx.client)
    exists = {}
    # Deepest first: a listing made for /v/s/a/b answers for /v/s/a without another request.
    for path in sorted(paths, key=lambda item: -item.count('/')):
        exists[path] = tree.is_dir(path)
    missing = [path for path in paths if not exists[path]]
    if missing and not ctx.check_mode:
        _create(ctx.client, missing)
    result = {'changed': bool(missing), 'paths': list(ctx.params.get('paths') or []), 'created': missing}
    if ctx.diff:
        result['diff'] = {
            'before': dict((path, 'present' if exists[path] else 'absent') for path in paths),
            'after': dict((path, 'present') for path in paths),
        }
    return result


DIRECTORY = Operation(
    'directory',
    dict(
        paths=dict(type='list', elements='str', required=True),
        state=dict(type='str', default='present', choices=['present']),
    ),
    _directory,
    validate=_validate,
)
