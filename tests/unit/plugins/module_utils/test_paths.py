# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""_paths.check_path: what a NAS path option may be, checked before any request."""

from __future__ import annotations

import pytest

from ansible_collections.syno.activebackup.plugins.module_utils._errors import DsmInputError
from ansible_collections.syno.activebackup.plugins.module_utils._paths import check_path, parent_of, share_of


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
