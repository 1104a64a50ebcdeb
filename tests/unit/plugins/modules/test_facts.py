# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""syno.activebackup.facts: gather_subset and the exact HTTP exchange (one compound round trip)."""

from __future__ import annotations

import json

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.syno.activebackup.plugins.module_utils import _client
from ansible_collections.syno.activebackup.plugins.module_utils._op_info import FACTS, resolve_subsets
from ansible_collections.syno.activebackup.plugins.module_utils._runner import execute
from ansible_collections.syno.activebackup.plugins.modules import facts as facts_module

from ansible_collections.syno.activebackup.tests.unit.plugins.module_utils.scripted import Expect, Script

ABB = 'SYNO.ActiveBackup.Share'
SHARE = {'name': 'ActiveBackupforBusiness', 'path': '/volume1/ActiveBackupforBusiness', 'free_space': '10401845899264',
         'storage_id': 1, 'relinkable': False, 'available': True}
STORAGE = {'share_name': 'ActiveBackupforBusiness', 'storage_id': '1', 'device_count': 4, 'mounted': True,
           'backup_tasks': [], 'relink_state': {'alive': False, 'owner': True, 'state': 0, 'error': {'code': 0}}}
VOLUME = {'volume_path': '/volume1', 'total_bytes': '23030223990784', 'used_bytes': '12628378091520'}
ERROR_FILE = {'share_name': 'ActiveBackupforBusiness', 'path': '@ActiveBackup/x.db', 'error': 2}
DATA = {
    'list': {'default_share': 'ActiveBackupforBusiness', 'shares': [SHARE]},
    'list_encrypted': {'shares': []},
    'list_storage': {'storages': [STORAGE]},
    'list_volume': {'volumes': [VOLUME]},
    'check_file': {'error_files': [ERROR_FILE]},
}
ALL_METHODS = ['list', 'list_encrypted', 'list_storage', 'list_volume', 'check_file']
GIVEN = {'sid': 'given-sid-0123456789', 'synotoken': 'given-token-0123'}

EXPECTED_ALL = {
    'gathered_subsets': ['shares', 'storages', 'volumes', 'files_check'],
    'default_share': 'ActiveBackupforBusiness',
    'shares': [dict(SHARE, free_space=10401845899264)],
    'encrypted_shares': [],
    'storages': [dict(STORAGE, storage_id=1)],
    'volumes': [{'volume_path': '/volume1', 'total_bytes': 23030223990784, 'used_bytes': 12628378091520,
                 'free_bytes': 10401845899264, 'used_percent': 54.8}],
    'error_files': [ERROR_FILE],
}


def compound(methods, failed=()):
    """The expected SYNO.Entry.Request for ``methods`` and DSM's answer (``failed`` ones answer 100)."""
    request = {'mode': 'sequential', 'stop_when_error': False,
               'compound': [{'api': ABB, 'method': m, 'version': 1} for m in methods]}
    results = []
    for m in methods:
        item = {'api': ABB, 'method': m, 'version': 1}
        if m in failed:
            item.update(success=False, error={'code': 100})
        else:
            item.update(success=True, data=DATA[m])
        results.append(item)
    return Expect('SYNO.Entry.Request', 'request', version=1, params=request).answer(
        {'has_fail': bool(failed), 'result': results})


def facts_params(params, subset=None, **kw):
    return params(gather_subset=subset if subset is not None else ['all'], **kw)


# -- gather_subset -----------------------------------------------------------------------------


@pytest.mark.parametrize('requested, expected', [
    (None, ['shares', 'storages', 'volumes', 'files_check']),
    (['all'], ['shares', 'storages', 'volumes', 'files_check']),
    (['!files_check'], ['shares', 'storages', 'volumes']),
    (['all', '!files_check', '!shares'], ['storages', 'volumes']),
    (['volumes', 'shares'], ['shares', 'volumes']),
    (['!all', 'volumes'], ['volumes']),
    (['!all'], []),
    (['storages', '!storages'], ['storages']),
    ([' shares '], ['shares']),
])
def test_resolve_subsets(requested, expected):
    assert resolve_subsets(requested) == expected


@pytest.mark.parametrize('bad', ['share', '!volume', 'min', ''])
def test_unknown_subset_fails_before_any_request(params, bad):
    script = Script()
    result = execute(FACTS, facts_params(params, ['all', bad]), transport=script)
    script.done()
    assert result['failed'] is True
    assert 'gather_subset: unknown subset %r' % bad in result['msg']
    assert 'all, shares, storages, volumes, files_check' in result['msg']


# -- the exchange ------------------------------------------------------------------------------


def test_all_is_login_one_compound_logout(params):
    script = Script(Expect.login(), compound(ALL_METHODS), Expect.logout())
    result = execute(FACTS, facts_params(params), transport=script)
    script.done()
    assert result == {'changed': False, 'ansible_facts': {'activebackup': EXPECTED_ALL}}


def test_with_a_session_facts_is_one_request(params):
    def check(request):
        assert request.form['_sid'] == GIVEN['sid']
        assert request.headers['X-SYNO-TOKEN'] == GIVEN['synotoken']
    script = Script(compound(ALL_METHODS).inspect(check))
    result = execute(FACTS, facts_params(params, session=GIVEN, username=None, password=None), transport=script)
    script.done()
    assert result['ansible_facts']['activebackup'] == EXPECTED_ALL


def test_exclusions_leave_their_reads_and_facts_out(params):
    script = Script(Expect.login(), compound(['list', 'list_encrypted', 'list_volume']), Expect.logout())
    result = execute(FACTS, facts_params(params, ['!storages', '!files_check']), transport=script)
    script.done()
    facts = result['ansible_facts']['activebackup']
    assert sorted(facts) == ['default_share', 'encrypted_shares', 'gathered_subsets', 'shares', 'volumes']
    assert facts['gathered_subsets'] == ['shares', 'volumes']


def test_one_read_is_a_plain_call(params):
    script = Script(Expect.login(), Expect.abb('list_volume', data=DATA['list_volume']), Expect.logout())
    result = execute(FACTS, facts_params(params, ['volumes']), transport=script)
    script.done()
    assert result['ansible_facts']['activebackup'] == {'gathered_subsets': ['volumes'],
                                                       'volumes': EXPECTED_ALL['volumes']}


def test_nothing_gathered_sends_nothing(params):
    script = Script()
    result = execute(FACTS, facts_params(params, ['!all']), transport=script)
    script.done()
    assert result == {'changed': False, 'ansible_facts': {'activebackup': {'gathered_subsets': []}}}


@pytest.mark.parametrize('code', [102, 103])
def test_without_compound_requests_one_request_per_read(params, code):
    script = Script(
        Expect.login(),
        Expect('SYNO.Entry.Request', 'request', version=1).error(code),
        *[Expect.abb(m, params={}, data=DATA[m]) for m in ALL_METHODS],
        Expect.logout()
    )
    result = execute(FACTS, facts_params(params), transport=script)
    script.done()
    assert result['ansible_facts']['activebackup'] == EXPECTED_ALL


def test_a_read_that_failed_inside_the_compound_is_repeated_alone(params):
    script = Script(
        Expect.login(),
        compound(ALL_METHODS, failed=('list_storage',)),
        Expect.abb('list_storage', data=DATA['list_storage']),
        Expect.logout(),
    )
    result = execute(FACTS, facts_params(params), transport=script)
    script.done()
    assert result['ansible_facts']['activebackup'] == EXPECTED_ALL


def test_a_read_that_fails_again_fails_the_task(params):
    script = Script(
        Expect.login(),
        compound(ALL_METHODS, failed=('check_file',)),
        Expect.abb('check_file').error(160),
        Expect.logout(),
    )
    result = execute(FACTS, facts_params(params), transport=script)
    script.done()
    assert result['failed'] is True
    assert 'SYNO.ActiveBackup.Share.check_file' in result['msg']
    assert 'error 160' in result['msg']
    assert 'ansible_facts' not in result


def test_an_expired_session_with_credentials_logs_in_once(params):
    script = Script(
        Expect('SYNO.Entry.Request', 'request', version=1).error(119),
        Expect.login(),
        compound(ALL_METHODS),
        Expect.logout(),
    )
    result = execute(FACTS, facts_params(params, session=GIVEN), transport=script)
    script.done()
    assert result['ansible_facts']['activebackup'] == EXPECTED_ALL
    assert 'logged in again' in result['warnings'][0]


# -- the module file ---------------------------------------------------------------------------


def test_module_sets_ansible_facts(monkeypatch, capsys):
    script = Script(Expect.login(), compound(['list_storage', 'list_volume']), Expect.logout())
    monkeypatch.setattr(_client, 'RequestsTransport', lambda **kwargs: script)
    with patch_module_args({'host': 'nas.example.com', 'username': 'admin', 'password': 'Adm1n-Secret!',
                            'gather_subset': 'storages,volumes'}):
        with pytest.raises(SystemExit):
            facts_module.main()
    script.done()
    out = json.loads(capsys.readouterr().out)
    assert out['changed'] is False
    assert out['ansible_facts']['activebackup']['gathered_subsets'] == ['storages', 'volumes']
    assert out['ansible_facts']['activebackup']['volumes'] == EXPECTED_ALL['volumes']
