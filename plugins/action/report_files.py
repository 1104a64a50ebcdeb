# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Writes the report files of the syno.activebackup.report role on the controller, inside the worker.

Private to the report role (no module of this name; not part of the collection's interface). The
role renders the files' contents in the task arguments; this action writes them into one directory
on the controller, each only when its content differs, atomically (a temporary file in the same
directory, then a rename). Where ``ansible.builtin.file``, ``copy`` and ``template`` would start a
module process per file (two for copy and template), this costs no process at all.

Arguments: ``path`` (the directory, created with mode 0755 when missing), ``files`` (file name ->
content), ``mode`` (of the files, default ``0644``). Check mode reports what would change and
writes nothing; diff mode shows which files change. Returns ``path``, ``written`` (the names
written, or that would be) and ``changed``.
"""

from __future__ import annotations

import os
import tempfile

from collections.abc import Mapping

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

DEFAULT_MODE = 0o644
DIRECTORY_MODE = 0o755


def _mode(value):
    if value is None:
        return DEFAULT_MODE
    try:
        mode = int(str(value), 8)
    except ValueError:
        raise AnsibleActionFail('report_files: mode must be an octal file mode such as 0644 (got %r).' % (value,)) from None
    if not 0 <= mode <= 0o7777:
        raise AnsibleActionFail('report_files: mode must be an octal file mode such as 0644 (got %r).' % (value,))
    return mode


def _check(args):
    path = args.get('path')
    files = args.get('files')
    if not isinstance(path, str) or not path.strip():
        raise AnsibleActionFail('report_files: path must be the directory to write the report into.')
    if not isinstance(files, Mapping) or not files:
        raise AnsibleActionFail('report_files: files must map file names to their contents.')
    for name, content in files.items():
        if not isinstance(name, str) or not name or name in ('.', '..') or '/' in name or '\x00' in name:
            raise AnsibleActionFail('report_files: %r is not a file name (no directory part).' % (name,))
        if not isinstance(content, str):
            raise AnsibleActionFail('report_files: the content of %s must be text.' % name)
    unknown = sorted(set(args) - {'path', 'files', 'mode'})
    if unknown:
        raise AnsibleActionFail('report_files: unknown arguments %s.' % ', '.join(unknown))
    return os.path.expanduser(path), dict(files), _mode(args.get('mode'))


def _current(target):
    try:
        with open(target, 'rb') as handle:
            return handle.read()
    except (FileNotFoundError, NotADirectoryError):
        return None


def _write(directory, name, data, mode):
    """Write ``data`` to ``directory/name`` through a temporary file and a rename."""
    handle, temporary = tempfile.mkstemp(prefix='.%s.' % name, dir=directory)
    try:
        with os.fdopen(handle, 'wb') as out:
            out.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, os.path.join(directory, name))
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_diff = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        directory, files, mode = _check(self._task.args)
        changed = []
        for name in sorted(files):
            data = files[name].encode('utf-8')
            target = os.path.join(directory, name)
            if _current(target) != data or os.stat(target).st_mode & 0o7777 != mode:
                changed.append(name)
        if changed and not self._task.check_mode:
            try:
                os.makedirs(directory, mode=DIRECTORY_MODE, exist_ok=True)
                for name in changed:
                    _write(directory, name, files[name].encode('utf-8'), mode)
            except OSError as exc:
                raise AnsibleActionFail('report_files: cannot write the report into %s: %s' % (directory, exc)) from None
        result.update(changed=bool(changed), path=directory, written=changed)
        if self._task.diff and changed:
            result['diff'] = [{'before_header': os.path.join(directory, name), 'after_header': os.path.join(directory, name),
                               'prepared': '%s would be written' % name if self._task.check_mode else '%s written' % name}
                              for name in changed]
        return result
