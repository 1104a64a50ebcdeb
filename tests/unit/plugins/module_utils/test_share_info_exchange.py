# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.syno.activebackup.plugins.module_utils._op_info import SHARE_INFO
from ansible_collections.syno.activebackup.plugins.module_utils._runner import execute

from ansible_collections.syno.activebackup.tests.unit.plugins.module_utils.scripted import Expect, Script

SHARE = {'name': 'ActiveBackupforBusiness', 'path': '/volume1/ActiveBackupforBusiness', 'free_space': '10401845899264',
         'storage_id': 1, 'relinkable': False}


def test_share_info_is_login_one_compound_read_logout(params):
    compound = {'has_fail': False, 'result': [
        {'api': 'SYNO.ActiveBackup.Share', 'method': 'list', 'version': 1, 'success': True,
         'data': {'default_share': 'ActiveBackupforBusiness', 'shares': [SHARE]}},
        {'api': 'SYNO.ActiveBackup.Share', 'method': 'list_encrypted', 'version': 1, 'success': True,
         'data': {'shares': []}},
    ]}
    script = Script(
        Expect.login(params={'account': 'admin', 'passwd': 'Adm1n-Secret!', 'format': 'sid', 'session': 'webui',
                             'enable_syno_token': 'yes'}),
        Expect('SYNO.Entry.Request', 'request', version=1, params={
            'mode': 'sequential', 'stop_when_error': False, 'compound': [
                {'api': 'SYNO.ActiveBackup.Share', 'method': 'list', 'version': 1},
                {'api': 'SYNO.ActiveBackup.Share', 'method': 'list_encrypted', 'version': 1}]}).answer(compound),
        Expect.logout(),
    )
    result = execute(SHARE_INFO, params(), transport=script)
    script.done()
    assert result == {
        'changed': False,
        'default_share': 'ActiveBackupforBusiness',
        'shares': [dict(SHARE, free_space=10401845899264)],
        'encrypted_shares': [],
    }
    assert script.requests[1].headers['X-SYNO-TOKEN'] == 'token-abcdef012345'
    assert script.closed
