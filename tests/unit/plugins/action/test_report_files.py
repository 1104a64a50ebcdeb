# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The report role's report_files action: writes the report files on the controller, only what changed."""

from __future__ import annotations

import os
import stat

import pytest

from ansible.errors import AnsibleActionFail

from ansible_collections.syno.activebackup.plugins.action.report_files import ActionModule

FILES = {'activebackup-report.json': '{"hosts": []}\n', 'activebackup-report.md': '# Report \u2713\n'}


class FakeTask:
    def __init__(self, args, check_mode=False, diff=False):
        self.args = args
        self.check_mode = check_mode
        self.diff = diff
        self.async_val = 0
        self.action = 'syno.activebackup.report_files'


class FakeShell:
    tmpdir = None


class FakeConnection:
    _shell = FakeShell()


def run(args, **task):
    action = ActionModule(FakeTask(args, **task), FakeConnection(), None, None, None, None)
    return action.run(task_vars={})


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_writes_every_file_into_a_new_directory_then_nothing(tmp_path):
    target = tmp_path / 'reports' / 'abb'
    result = run({'path': str(target), 'files': FILES})
    assert result['changed'] is True and result['written'] == sorted(FILES) and result['path'] == str(target)
    for name, content in FILES.items():
        assert (target / name).read_text(encoding='utf-8') == content
        assert mode_of(target / name) == 0o644
    assert mode_of(target) == 0o755 & ~_umask()
    again = run({'path': str(target), 'files': FILES})
    assert again['changed'] is False and again['written'] == []
    assert sorted(os.listdir(target)) == sorted(FILES)  # no temporary file left behind


def _umask():
    current = os.umask(0)
    os.umask(current)
    return current


def test_only_what_changed_is_written(tmp_path):
    run({'path': str(tmp_path), 'files': FILES})
    before = os.stat(tmp_path / 'activebackup-report.json').st_mtime_ns
    result = run({'path': str(tmp_path), 'files': dict(FILES, **{'activebackup-report.md': '# New\n'})})
    assert result['written'] == ['activebackup-report.md']
    assert (tmp_path / 'activebackup-report.md').read_text() == '# New\n'
    assert os.stat(tmp_path / 'activebackup-report.json').st_mtime_ns == before


def test_a_file_with_another_mode_is_rewritten_with_the_given_one(tmp_path):
    run({'path': str(tmp_path), 'files': FILES})
    os.chmod(tmp_path / 'activebackup-report.md', 0o600)
    result = run({'path': str(tmp_path), 'files': FILES, 'mode': '0644'})
    assert result['written'] == ['activebackup-report.md'] and mode_of(tmp_path / 'activebackup-report.md') == 0o644
    result = run({'path': str(tmp_path), 'files': FILES, 'mode': '0640'})
    assert result['written'] == sorted(FILES) and mode_of(tmp_path / 'activebackup-report.json') == 0o640


def test_check_mode_says_what_would_be_written_and_writes_nothing(tmp_path):
    target = tmp_path / 'new'
    result = run({'path': str(target), 'files': FILES}, check_mode=True, diff=True)
    assert result['changed'] is True and result['written'] == sorted(FILES)
    assert not target.exists()
    assert [item['prepared'] for item in result['diff']] == ['%s would be written' % name for name in sorted(FILES)]


@pytest.mark.parametrize('args, words', [
    ({'files': FILES}, 'path must be the directory'),
    ({'path': ' ', 'files': FILES}, 'path must be the directory'),
    ({'path': '/tmp/x'}, 'files must map file names'),
    ({'path': '/tmp/x', 'files': {}}, 'files must map file names'),
    ({'path': '/tmp/x', 'files': ['a']}, 'files must map file names'),
    ({'path': '/tmp/x', 'files': {'../escape': 'x'}}, 'is not a file name'),
    ({'path': '/tmp/x', 'files': {'..': 'x'}}, 'is not a file name'),
    ({'path': '/tmp/x', 'files': {'a': 1}}, 'the content of a must be text'),
    ({'path': '/tmp/x', 'files': {'a': 'x'}, 'mode': 'rw-r--r--'}, 'octal file mode'),
    ({'path': '/tmp/x', 'files': {'a': 'x'}, 'mode': '77777'}, 'octal file mode'),
    ({'path': '/tmp/x', 'files': {'a': 'x'}, 'owner': 'root'}, 'unknown arguments owner'),
])
def test_bad_arguments_fail_before_anything_is_written(args, words):
    with pytest.raises(AnsibleActionFail) as info:
        run(args)
    assert words in str(info.value)
    assert not os.path.exists('/tmp/x/a')


def test_a_directory_that_cannot_be_made_fails_with_the_reason(tmp_path):
    blocker = tmp_path / 'file'
    blocker.write_text('x')
    with pytest.raises(AnsibleActionFail) as info:
        run({'path': str(blocker / 'sub'), 'files': FILES})
    assert 'cannot write the report into %s' % (blocker / 'sub') in str(info.value)
