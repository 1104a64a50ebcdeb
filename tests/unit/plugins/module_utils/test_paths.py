# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""_paths.check_path: what a NAS path option may be, checked before any request."""

from __future__ import annotations

import pytest

from ansible_collections.syno.activebackup.plugins.module_utils._errors import DsmInputError
from ansible_collections.syno.activebackup.plugins.module_utils._paths import (
    check_path,
    check_share_name,
    check_volume_path,
    parent_of,
    share_of,
    shown,
    text_problem,
)


@pytest.mark.parametrize('path, checked', [
    ('/volume1/ActiveBackupforBusiness', '/volume1/ActiveBackupforBusiness'),
    ('/volume1/ActiveBackupforBusiness/', '/volume1/ActiveBackupforBusiness'),
    ('/volume1/abb/pc', '/volume1/abb/pc'),
    ('/volume1/abb/pc/', '/volume1/abb/pc'),
    ('/volume12/abb/a/b/c/d', '/volume12/abb/a/b/c/d'),
    ('/volume1/Backup Share/pc 1', '/volume1/Backup Share/pc 1'),
    ('/volume1/sauvegarde/été/日本', '/volume1/sauvegarde/été/日本'),
    ('/volume1/abb/.hidden', '/volume1/abb/.hidden'),
    ('/volume1/abb/...', '/volume1/abb/...'),
    ('/volume1/abb/a..b', '/volume1/abb/a..b'),
    ('/volume1/abb/' + 'x' * 255, '/volume1/abb/' + 'x' * 255),
    ('/volume1/abb/' + 'é' * 127, '/volume1/abb/' + 'é' * 127),
])
def test_good_paths(path, checked):
    assert check_path(path, 'path') == checked


@pytest.mark.parametrize('path, words', [
    (None, 'non-empty string'),
    ('', 'non-empty string'),
    (42, 'non-empty string'),
    (['/volume1/abb'], 'non-empty string'),
    ('volume1/abb', 'relative'),
    ('abb/pc', 'relative'),
    ('~/abb', 'relative'),
    ('/', 'empty segment'),
    ('//volume1/abb', 'empty segment'),
    ('/volume1//abb', 'empty segment'),
    ('/volume1/abb//pc', 'empty segment'),
    ('/volume1/abb//', 'empty segment'),
    ('/volume1/./abb', '"." or ".."'),
    ('/volume1/abb/.', '"." or ".."'),
    ('/volume1/abb/..', '"." or ".."'),
    ('/volume1/abb/../etc', '"." or ".."'),
    ('/volume1/..', '"." or ".."'),
    ('/volume1', 'not under /volumeN/<shared folder>/'),
    ('/volume1/', 'not under /volumeN/<shared folder>/'),
    ('/volume/abb', 'not under /volumeN/<shared folder>/'),
    ('/volumeX/abb', 'not under /volumeN/<shared folder>/'),
    ('/vol1/abb', 'not under /volumeN/<shared folder>/'),
    ('/Volume1/abb', 'not under /volumeN/<shared folder>/'),
    ('/etc/passwd', 'not under /volumeN/<shared folder>/'),
    ('/volume1/abb\x00x', 'control character'),
    ('/volume1/abb\nx', 'control character'),
    ('/volume1/abb\tx', 'control character'),
    ('/volume1/abb\x7f', 'control character'),
    ('/volume1/abb/' + 'x' * 256, 'longer than 255 bytes'),
    ('/volume1/abb/' + 'é' * 128, 'longer than 255 bytes'),
    ('/volume1/abb/' + '/'.join(['d' * 200] * 21), 'longer than 4095 bytes'),
    ('/volume1/abb/\udcff', 'not valid Unicode text'),
    ('/volume1/\ud800/pc', 'not valid Unicode text'),
])
def test_bad_paths_name_the_option(path, words):
    with pytest.raises(DsmInputError) as info:
        check_path(path, 'root_path')
    text = str(info.value)
    assert text.startswith('root_path: ')
    assert words in text, text
    assert len(text) < 400


def test_helpers():
    assert share_of('/volume2/abb/pc/x') == ('/volume2', 'abb')
    assert parent_of('/volume2/abb/pc/x') == '/volume2/abb/pc'
    assert parent_of('/volume2/abb') == '/volume2'


@pytest.mark.parametrize('name', [
    'ActiveBackupforBusiness', '123', 'true', 'Ünïcødé Share', 'it\'s "quoted"', ' lead', 'a,b;c=d&e', '...', '.x',
    'x' * 255, 'é' * 127, '日本' * 42,
])
def test_share_names_are_kept_exactly(name):
    assert check_share_name(name, 'share_name') is name


@pytest.mark.parametrize('name, words', [
    (None, 'must be the name of a shared folder'),
    ('', 'must be the name of a shared folder'),
    ('  ', 'must be the name of a shared folder'),
    (123, 'must be the name of a shared folder'),
    ('a/b', 'not a path'),
    ('/volume1/abb', 'not a path'),
    ('.', 'is not the name of a shared folder'),
    ('..', 'is not the name of a shared folder'),
    ('a\x00b', 'control character'),
    ('a\tb', 'control character'),
    ('ab\n', 'control character'),
    ('a\x7f', 'control character'),
    ('a\udcff', 'not valid Unicode text'),
    ('x' * 256, 'longer than 255 bytes'),
    ('é' * 128, 'longer than 255 bytes'),
    ('x' * 100000, '(100000 characters)'),
])
def test_bad_share_names_name_the_option(name, words):
    with pytest.raises(DsmInputError) as info:
        check_share_name(name, 'share_name', ' Hint.')
    text = str(info.value)
    assert text.startswith('share_name')
    assert words in text, text
    assert len(text) < 400


def test_an_empty_share_name_gets_the_hint():
    with pytest.raises(DsmInputError) as info:
        check_share_name('', 'name', ' Leave name out to list every shared folder.')
    assert str(info.value) == "name must be the name of a shared folder (got ''). Leave name out to list every shared folder."


@pytest.mark.parametrize('path, checked', [
    ('/volume1', '/volume1'),
    ('/volume1/', '/volume1'),
    ('/volume12', '/volume12'),
    ('/volumeUSB1', '/volumeUSB1'),
    ('/volümé1', '/volümé1'),
])
def test_good_volume_paths(path, checked):
    assert check_volume_path(path, 'volume_path') == checked


@pytest.mark.parametrize('path, words', [
    (None, 'non-empty string such as /volume1'),
    ('', 'non-empty string such as /volume1'),
    ('volume1', 'is relative'),
    ('./volume1', 'is relative'),
    ('/', 'the root directory'),
    ('//', 'the root directory'),
    ('//volume1', 'empty segment'),
    ('/volume1//', 'empty segment'),
    ('/.', '"." or ".." segment'),
    ('/..', '"." or ".." segment'),
    ('/volume1/..', '"." or ".." segment'),
    ('/volume1/abb', 'a path inside a volume'),
    ('/volume1/abb/', 'a path inside a volume'),
    ('/volume1\x00', 'control character'),
    ('/volume1\n', 'control character'),
    ('/\udcff', 'not valid Unicode text'),
    ('/' + 'v' * 300, 'longer than 257 bytes'),
])
def test_bad_volume_paths_name_the_option(path, words):
    with pytest.raises(DsmInputError) as info:
        check_volume_path(path, 'volume_path')
    text = str(info.value)
    assert text.startswith('volume_path: ')
    assert words in text, text
    assert len(text) < 400


def test_text_problem():
    assert text_problem('Ünïcødé 日本 "quoted" it\'s') is None
    assert 'control character' in text_problem('a\x00')
    assert 'control character' in text_problem('\x1f')
    assert 'Unicode' in text_problem('\ud800')
    assert text_problem('\x80\x9f') is None  # C1 controls are valid in file names


def test_shown_cuts_long_values():
    assert shown('abc') == "'abc'"
    assert shown(None) == 'None'
    long = shown('y' * 5000)
    assert long.endswith('... (5000 characters)') and len(long) < 130
    assert shown(list(range(1000))).endswith('...')
