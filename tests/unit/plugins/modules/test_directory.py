# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""syno.activebackup.directory: the exact HTTP exchange of every branch."""

from __future__ import annotations

import pytest

from ansible_collections.syno.activebackup.plugins.module_utils._op_directory import DIRECTORY
from ansible_collections.syno.activebackup.plugins.module_utils._runner import execute

from ansible_collections.syno.activebackup.tests.unit.plugins.module_utils.scripted import Expect, Script

ROOT = '/volume1/ActiveBackupforBusiness'


def listing(*entries):
    """list_file data: entries are names, a trailing '/' marks a directory."""
    files = [{'name': e.rstrip('/'), 'path': '%s/%s' % ('/x', e.rstrip('/')), 'isdir': e.endswith('/')} for e in entries]
    return {'files': files, 'total': len(files)}


def list_file(root, *entries):
    return Expect.abb('list_file', {'root_path': root}, data=listing(*entries))


def list_file_missing(root):
    return Expect.abb('list_file', {'root_path': root}).error(408)


def create(*paths):
    return Expect.abb('create_fs_dir', {'paths': list(paths)})


def run(params, script, **kwargs):
    result = execute(DIRECTORY, params(**kwargs.pop('options')), transport=script, **kwargs)
    script.done()
    return result


def test_creates_only_the_missing_paths_in_one_call(params):
    script = Script(
        Expect.login(),
        list_file(ROOT, '@ActiveBackup/', 'laptops/', 'README.txt'),
        create(ROOT + '/servers', ROOT + '/vms'),
        Expect.logout(),
    )
    given = [ROOT + '/laptops', ROOT + '/servers/', ROOT + '/vms']
    result = run(params, script, options=dict(paths=given, state='present'))
    assert result == {'changed': True, 'paths': given, 'created': [ROOT + '/servers', ROOT + '/vms']}


def test_rerun_when_everything_exists_reads_once_and_changes_nothing(params):
    script = Script(
        Expect.login(),
        list_file(ROOT, 'laptops/', 'servers/'),
        Expect.logout(),
    )
    given = [ROOT + '/laptops', ROOT + '/servers']
    result = run(params, script, options=dict(paths=given, state='present'))
    assert result == {'changed': False, 'paths': given, 'created': []}


def test_check_mode_predicts_created_and_sends_no_write(params):
    script = Script(
        Expect.login(),
        list_file(ROOT, 'laptops/'),
        Expect.logout(),
    )
    result = run(params, script, options=dict(paths=[ROOT + '/laptops', ROOT + '/servers'], state='present'),
                 check_mode=True)
    assert result['changed'] is True
    assert result['created'] == [ROOT + '/servers']
    assert [r.form['method'] for r in script.requests] == ['login', 'list_file', 'logout']


def test_diff_shows_each_path_before_and_after(params):
    script = Script(
        Expect.login(),
        list_file(ROOT, 'laptops/'),
        create(ROOT + '/servers'),
        Expect.logout(),
    )
    result = run(params, script, options=dict(paths=[ROOT + '/laptops', ROOT + '/servers/'], state='present'),
                 diff=True)
    assert result['diff'] == {
        'before': {ROOT + '/laptops': 'present', ROOT + '/servers': 'absent'},
        'after': {ROOT + '/laptops': 'present', ROOT + '/servers': 'present'},
    }


def test_diff_in_check_mode_without_change(params):
    script = Script(Expect.login(), list_file(ROOT, 'laptops/'), Expect.logout())
    result = run(params, script, options=dict(paths=[ROOT + '/laptops'], state='present'), diff=True, check_mode=True)
    assert result['changed'] is False
    assert result['diff'] == {'before': {ROOT + '/laptops': 'present'}, 'after': {ROOT + '/laptops': 'present'}}


def test_paths_under_one_parent_share_one_listing_and_deep_listings_answer_for_ancestors(params):
    script = Script(
        Expect.login(),
        # Deepest first: the listing of a/b answers for a/b itself, then a is looked up in the root.
        list_file(ROOT + '/a/b', 'c/', 'd/'),
        list_file(ROOT, 'a/'),
        Expect.logout(),
    )
    given = [ROOT + '/a', ROOT + '/a/b/c', ROOT + '/a/b', ROOT + '/a/b/d']
    result = run(params, script, options=dict(paths=given, state='present'))
    assert result == {'changed': False, 'paths': given, 'created': []}


def test_missing_parent_is_looked_up_one_level_higher_once(params):
    script = Script(
        Expect.login(),
        list_file_missing(ROOT + '/new'),
        list_file(ROOT, 'laptops/'),
        create(ROOT + '/new/x', ROOT + '/new/y', ROOT + '/new'),
        Expect.logout(),
    )
    given = [ROOT + '/new/x', ROOT + '/new/y', ROOT + '/new']
    result = run(params, script, options=dict(paths=given, state='present'))
    assert result['changed'] is True
    assert result['created'] == [ROOT + '/new/x', ROOT + '/new/y', ROOT + '/new']


def test_duplicates_and_trailing_slashes_are_created_once(params):
    script = Script(
        Expect.login(),
        list_file(ROOT),
        create(ROOT + '/pc'),
        Expect.logout(),
    )
    given = [ROOT + '/pc', ROOT + '/pc/']
    result = run(params, script, options=dict(paths=given, state='present'))
    assert result == {'changed': True, 'paths': given, 'created': [ROOT + '/pc']}


def test_the_share_itself_is_only_checked(params):
    script = Script(Expect.login(), list_file(ROOT, 'laptops/'), Expect.logout())
    result = run(params, script, options=dict(paths=[ROOT], state='present'))
    assert result == {'changed': False, 'paths': [ROOT], 'created': []}


def test_empty_list_sends_nothing(params):
    script = Script()
    result = run(params, script, options=dict(paths=[], state='present'))
    assert result == {'changed': False, 'paths': [], 'created': []}


@pytest.mark.parametrize('path, words', [
    ('volume1/ActiveBackupforBusiness/pc', 'relative'),
    ('pc', 'relative'),
    ('/volume1/ActiveBackupforBusiness/../etc', '".."'),
    ('/volume1/ActiveBackupforBusiness/./pc', '"."'),
    ('/volume1/ActiveBackupforBusiness//pc', 'empty segment'),
    ('/volume1', 'not under /volumeN/<shared folder>/'),
    ('/volume1/', 'not under /volumeN/<shared folder>/'),
    ('/etc/passwd', 'not under /volumeN/<shared folder>/'),
    ('/volumeX/share/pc', 'not under /volumeN/<shared folder>/'),
    ('/volume1/share/pc\nx', 'control character'),
])
def test_bad_paths_are_refused_before_any_request(params, path, words):
    script = Script()
    result = run(params, script, options=dict(paths=[ROOT + '/ok', path], state='present'))
    assert result['failed'] is True
    assert words in result['msg']
    assert 'paths' in result['msg']
    assert script.requests == []


def test_missing_share_fails_naming_it(params):
    script = Script(
        Expect.login(),
        list_file_missing('/volume1/NoSuchShare'),
        Expect.logout(),
    )
    result = run(params, script, options=dict(paths=['/volume1/NoSuchShare/pc'], state='present'))
    assert result['failed'] is True
    assert "shared folder 'NoSuchShare' does not exist on /volume1 of nas.example.com" in result['msg']
    assert result['error']['code'] == 408


def test_missing_share_under_a_deep_path_fails_naming_it_without_a_write(params):
    script = Script(
        Expect.login(),
        list_file_missing('/volume2/Gone/a/b'),
        list_file_missing('/volume2/Gone/a'),
        list_file_missing('/volume2/Gone'),
        Expect.logout(),
    )
    result = run(params, script, options=dict(paths=['/volume2/Gone/a/b/c'], state='present'))
    assert result['failed'] is True
    assert "'Gone' does not exist on /volume2" in result['msg']


def test_a_file_in_the_way_fails_clearly(params):
    script = Script(
        Expect.login(),
        list_file_missing(ROOT + '/README.txt'),
        list_file(ROOT, 'README.txt', 'laptops/'),
        Expect.logout(),
    )
    result = run(params, script, options=dict(paths=[ROOT + '/README.txt/pc'], state='present'))
    assert result['failed'] is True
    assert ROOT + '/README.txt on nas.example.com exists and is a file, not a directory' in result['msg']


def test_a_file_higher_up_is_named(params):
    script = Script(
        Expect.login(),
        list_file_missing(ROOT + '/README.txt/a'),
        list_file_missing(ROOT + '/README.txt'),
        list_file(ROOT, 'README.txt'),
        Expect.logout(),
    )
    result = run(params, script, options=dict(paths=[ROOT + '/README.txt/a/b'], state='present'))
    assert result['failed'] is True
    assert result['msg'].startswith('paths: %s/README.txt on nas.example.com exists and is a file' % ROOT)


def test_a_path_that_is_a_file_fails_clearly(params):
    script = Script(Expect.login(), list_file(ROOT, 'README.txt'), Expect.logout())
    result = run(params, script, options=dict(paths=[ROOT + '/README.txt'], state='present'))
    assert result['failed'] is True
    assert 'is a file, not a directory' in result['msg']


def test_a_listed_directory_that_cannot_be_listed_fails_clearly(params):
    script = Script(
        Expect.login(),
        list_file_missing(ROOT + '/locked'),
        list_file(ROOT, 'locked/'),
        Expect.logout(),
    )
    result = run(params, script, options=dict(paths=[ROOT + '/locked/pc'], state='present'))
    assert result['failed'] is True
    assert 'although its parent lists it as a directory' in result['msg']


def test_write_answered_busy_may_or_may_not_have_been_applied(params):
    script = Script(
        Expect.login(),
        list_file(ROOT),
        create(ROOT + '/pc').error(117),
        Expect.logout(),
    )
    result = run(params, script, options=dict(paths=[ROOT + '/pc'], state='present'))
    assert result['failed'] is True
    assert 'may or may not have been applied' in result['msg']
    assert 'create_fs_dir' in result['msg']


def test_write_whose_answer_was_lost_is_not_repeated(params):
    script = Script(
        Expect.login(),
        list_file(ROOT),
        create(ROOT + '/pc').fail(kind='io', detail='connection lost: Connection reset by peer', sent=True),
        Expect.logout(),
    )
    result = run(params, script, options=dict(paths=[ROOT + '/pc'], state='present'))
    assert result['failed'] is True
    assert 'may or may not have been applied' in result['msg']


def test_write_refused_with_408_says_nothing_was_created(params):
    script = Script(
        Expect.login(),
        list_file(ROOT),
        create(ROOT + '/pc').error(408),
        Expect.logout(),
    )
    result = run(params, script, options=dict(paths=[ROOT + '/pc'], state='present'))
    assert result['failed'] is True
    assert 'created none of them' in result['msg']
    assert result['error']['method'] == 'create_fs_dir'


def test_read_error_fails_with_the_code(params):
    script = Script(
        Expect.login(),
        Expect.abb('list_file', {'root_path': ROOT}).error(105),
        Expect.logout(),
    )
    result = run(params, script, options=dict(paths=[ROOT + '/pc'], state='present'))
    assert result['failed'] is True
    assert 'list_file on nas.example.com failed: error 105' in result['msg']


def test_busy_read_is_retried(params, no_sleep):
    script = Script(
        Expect.login(),
        Expect.abb('list_file', {'root_path': ROOT}).error(117),
        list_file(ROOT, 'pc/'),
        Expect.logout(),
    )
    result = run(params, script, options=dict(paths=[ROOT + '/pc'], state='present'), sleep=no_sleep)
    assert result['changed'] is False
    assert no_sleep.calls == [0.5]
