# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""syno.activebackup.storage: the exact HTTP exchange of every branch."""

from __future__ import annotations

import functools

import pytest

from ansible_collections.syno.activebackup.plugins.module_utils import _api_share, _runner
from ansible_collections.syno.activebackup.plugins.module_utils._op_storage import STORAGE
from ansible_collections.syno.activebackup.plugins.module_utils._runner import execute

from ansible_collections.syno.activebackup.tests.unit.plugins.module_utils.scripted import Expect, Script

ABB = 'SYNO.ActiveBackup.Share'

SHARE_ABB = {'name': 'ActiveBackupforBusiness', 'path': '/volume1/ActiveBackupforBusiness', 'relinkable': False,
             'storage_id': 1}
SHARE_MIGRATED = {'name': 'ABB-Migrated', 'path': '/volume2/ABB-Migrated', 'relinkable': True, 'storage_id': 0}
SHARE_PLAIN = {'name': 'Media', 'path': '/volume1/Media', 'relinkable': False, 'storage_id': 0}
SHARE_VAULT = {'name': 'ABB-Vault', 'path': '/volume1/ABB-Vault', 'relinkable': False, 'storage_id': 0}
SHARES = [SHARE_ABB, SHARE_MIGRATED, SHARE_PLAIN]

LINKED = {'alive': False, 'error': {'code': 0}, 'owner': True, 'state': 0}
RUNNING = {'alive': True, 'owner': True, 'state': 1}


def storage(share_name, storage_id, relink_state=None, **fields):
    entry = {'share_name': share_name, 'storage_id': storage_id, 'volume_path': '/volume1', 'backup_tasks': [],
             'device_count': 0, 'device_info': {'pc_count': 0, 'pc_size': 0}, 'dedup_size': 0, 'mounted': True,
             'repo_dir': '@ActiveBackup', 'relink_state': dict(relink_state or LINKED)}
    entry.update(fields)
    return entry


ABB_STORAGE = storage('ActiveBackupforBusiness', 1, device_count=4, dedup_size='9121643806720',
                      device_info={'pc_count': 4, 'pc_size': 20039709263360})
BUSY_STORAGE = storage('ABB-Busy', 2, device_count=2, backup_tasks=[{'task_id': 3, 'task_name': 'Laptops'}],
                       device_info={'pc_count': 2, 'pc_size': 1099511627776}, dedup_size=549755813888)
IDLE_STORAGE = storage('ABB-Idle', 5, dedup_size=1073741824)
MIGRATED_RUNNING = storage('ABB-Migrated', 3, RUNNING, volume_path='/volume2')
MIGRATED_LINKED = storage('ABB-Migrated', 3, LINKED, volume_path='/volume2', device_count=7)
MIGRATED_FAILED = storage('ABB-Migrated', 3, {'alive': False, 'owner': False, 'state': 0, 'error': {'code': 4402}},
                          volume_path='/volume2')


def compound(*reads):
    """One SYNO.Entry.Request carrying the given (method, data) reads."""
    return Expect('SYNO.Entry.Request', 'request', version=1, params={
        'mode': 'sequential', 'stop_when_error': False,
        'compound': [{'api': ABB, 'method': method, 'version': 1} for method, _data in reads]}).answer({
            'has_fail': False,
            'result': [{'api': ABB, 'method': method, 'version': 1, 'success': True, 'data': data}
                       for method, data in reads]})


def first_read(shares, storages):
    return compound(('list', {'default_share': 'ActiveBackupforBusiness', 'shares': shares}),
                    ('list_storage', {'storages': storages}))


def list_storage(*storages):
    return Expect.abb('list_storage', {}, data={'storages': list(storages)})


def relink(name='ABB-Migrated'):
    return Expect.abb('relink', {'share_name': name})


def remove(name, storage_id, remove_data=False):
    return Expect.abb('remove', {'share_name': name, 'is_remove_data': remove_data, 'storage_id': storage_id})


class FakeClock(object):
    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    """A fake clock given to every execute() of this file (the wait's time and the client's)."""
    fake = FakeClock()
    monkeypatch.setitem(globals(), 'execute', functools.partial(_runner.execute, sleep=fake.sleep, clock=fake.clock))
    return fake


def options(**kwargs):
    base = dict(share_name='ABB-Migrated', state='present', wait=True, wait_timeout=600, remove_data=False,
                force=False)
    base.update(kwargs)
    return base


def run(params, script, opts, **kwargs):
    result = execute(STORAGE, params(**opts), transport=script, **kwargs)
    script.done()
    return result


def methods(script):
    return [r.form['method'] for r in script.requests]


def normalized(entry):
    return _api_share.normalize_storage(entry)


# -- state=present ---------------------------------------------------------------------------------


def test_present_linked_share_is_unchanged_after_one_round_trip(params, clock):
    script = Script(Expect.login(), first_read(SHARES, [ABB_STORAGE]), Expect.logout())
    result = run(params, script, options(share_name='ActiveBackupforBusiness'), diff=True)
    assert result['changed'] is False
    assert result['storage'] == normalized(ABB_STORAGE)
    assert result['storage']['dedup_size'] == 9121643806720
    assert result['share_name'] == 'ActiveBackupforBusiness'
    assert result['state'] == 'present'
    assert result['diff'] == {'before': result['storage'], 'after': result['storage']}
    assert clock.sleeps == []


def test_present_relinks_and_waits_until_done(params, clock):
    script = Script(
        Expect.login(),
        first_read(SHARES, [ABB_STORAGE]),
        relink(),
        list_storage(ABB_STORAGE, MIGRATED_RUNNING),
        list_storage(ABB_STORAGE, MIGRATED_LINKED),
        Expect.logout(),
    )
    result = run(params, script, options(), diff=True)
    assert result['changed'] is True
    assert result['storage'] == MIGRATED_LINKED
    assert result['diff'] == {'before': {}, 'after': MIGRATED_LINKED}
    assert clock.sleeps == [1.0, 2.0]
    assert 'warnings' not in result


def test_present_relink_without_wait_reads_once_and_returns_the_running_entry(params, clock):
    script = Script(
        Expect.login(),
        first_read(SHARES, []),
        relink(),
        list_storage(MIGRATED_RUNNING),
        Expect.logout(),
    )
    result = run(params, script, options(wait=False))
    assert result['changed'] is True
    assert result['storage']['relink_state']['alive'] is True
    assert clock.sleeps == []


def test_present_check_mode_predicts_without_writing(params, clock):
    script = Script(Expect.login(), first_read(SHARES, [ABB_STORAGE]), Expect.logout())
    result = run(params, script, options(), check_mode=True, diff=True)
    predicted = {'share_name': 'ABB-Migrated', 'volume_path': '/volume2', 'repo_dir': '@ActiveBackup',
                 'relink_state': {'alive': False, 'owner': True, 'state': 0, 'error': {'code': 0}}}
    assert result['changed'] is True
    assert result['storage'] == predicted
    assert result['diff'] == {'before': {}, 'after': predicted}
    assert methods(script) == ['login', 'request', 'logout']
    assert clock.sleeps == []


def test_present_rerun_after_relink_is_unchanged(params, clock):
    script = Script(Expect.login(), first_read(SHARES, [ABB_STORAGE, MIGRATED_LINKED]), Expect.logout())
    result = run(params, script, options())
    assert result['changed'] is False
    assert result['storage'] == MIGRATED_LINKED


def test_present_running_relink_is_waited_for_never_restarted(params, clock):
    script = Script(
        Expect.login(),
        first_read(SHARES, [MIGRATED_RUNNING]),
        list_storage(MIGRATED_RUNNING),
        list_storage(MIGRATED_LINKED),
        Expect.logout(),
    )
    result = run(params, script, options(), diff=True)
    assert 'relink' not in methods(script)
    assert result['changed'] is False
    assert result['storage'] == MIGRATED_LINKED
    assert result['diff'] == {'before': MIGRATED_RUNNING, 'after': MIGRATED_LINKED}


def test_present_running_relink_without_wait_is_reported_as_is(params, clock):
    script = Script(Expect.login(), first_read(SHARES, [MIGRATED_RUNNING]), Expect.logout())
    result = run(params, script, options(wait=False))
    assert result['changed'] is False
    assert result['storage'] == MIGRATED_RUNNING


def test_present_running_relink_in_check_mode_is_predicted_not_waited_for(params, clock):
    script = Script(Expect.login(), first_read(SHARES, [MIGRATED_RUNNING]), Expect.logout())
    result = run(params, script, options(), check_mode=True)
    assert result['changed'] is False
    assert result['storage'] == dict(MIGRATED_RUNNING, relink_state=LINKED)
    assert clock.sleeps == []


def test_present_failed_relink_surfaces_the_error_code(params, clock):
    script = Script(
        Expect.login(),
        first_read(SHARES, []),
        relink(),
        list_storage(MIGRATED_RUNNING),
        list_storage(MIGRATED_FAILED),
        Expect.logout(),
    )
    result = run(params, script, options())
    assert result['failed'] is True
    assert 'relink_state.error.code 4402' in result['msg']
    assert result['msg'].startswith('SYNO.ActiveBackup.Share.relink on nas.example.com failed: the relink of shared '
                                    'folder ABB-Migrated ran and ended with an error'), result['msg']
    assert result['error']['details']['relink_state']['error']['code'] == 4402


def test_present_failed_relink_without_wait_still_fails_when_already_visible(params, clock):
    script = Script(Expect.login(), first_read(SHARES, []), relink(), list_storage(MIGRATED_FAILED), Expect.logout())
    result = run(params, script, options(wait=False))
    assert result['failed'] is True
    assert 'relink_state.error.code 4402' in result['msg']


def test_present_after_a_failed_relink_relinks_again(params, clock):
    script = Script(
        Expect.login(),
        first_read(SHARES, [MIGRATED_FAILED]),
        relink(),
        list_storage(MIGRATED_LINKED),
        Expect.logout(),
    )
    result = run(params, script, options(), diff=True)
    assert result['changed'] is True
    assert result['diff']['before'] == MIGRATED_FAILED
    assert result['storage'] == MIGRATED_LINKED


def test_present_wait_timeout_says_the_relink_may_still_complete(params, clock):
    script = Script(
        Expect.login(),
        first_read(SHARES, []),
        relink(),
        list_storage(MIGRATED_RUNNING),   # after 1 s
        list_storage(MIGRATED_RUNNING),   # after 3 s
        list_storage(MIGRATED_RUNNING),   # after 5 s: the deadline
        Expect.logout(),
    )
    result = run(params, script, options(wait_timeout=5))
    assert result['failed'] is True
    assert 'did not finish within wait_timeout (5 seconds)' in result['msg']
    assert 'may still complete on the NAS' in result['msg']
    assert 'relink_state.alive true, relink_state.state 1' in result['msg']
    assert clock.sleeps == [1.0, 2.0, 2.0]


def test_present_wait_timeout_before_the_entry_appears(params, clock):
    script = Script(Expect.login(), first_read(SHARES, []), relink(), list_storage(ABB_STORAGE), Expect.logout())
    result = run(params, script, options(wait_timeout=1))
    assert result['failed'] is True
    assert 'list_storage did not list it yet' in result['msg']
    assert clock.sleeps == [1.0]


def test_present_poll_interval_doubles_up_to_ten_seconds(params, clock):
    script = Script(*([Expect.login(), first_read(SHARES, []), relink()]
                      + [list_storage(MIGRATED_RUNNING)] * 6 + [list_storage(MIGRATED_LINKED), Expect.logout()]))
    result = run(params, script, options())
    assert result['changed'] is True
    assert clock.sleeps == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0, 10.0]


def test_present_no_such_share_fails_without_write(params, clock):
    script = Script(
        Expect.login(),
        first_read(SHARES, [ABB_STORAGE]),
        Expect.abb('list_encrypted', {}, data={'shares': [SHARE_VAULT]}),
        Expect.logout(),
    )
    result = run(params, script, options(share_name='abb-migrated'))
    assert result['failed'] is True
    assert 'There is no shared folder named abb-migrated on nas.example.com' in result['msg']
    assert 'ABB-Migrated, ActiveBackupforBusiness, Media' in result['msg']


def test_present_encrypted_share_not_mounted_fails_without_write(params, clock):
    script = Script(
        Expect.login(),
        first_read(SHARES, [ABB_STORAGE]),
        Expect.abb('list_encrypted', {}, data={'shares': [SHARE_VAULT]}),
        Expect.logout(),
    )
    result = run(params, script, options(share_name='ABB-Vault'))
    assert result['failed'] is True
    assert 'ABB-Vault on nas.example.com is encrypted and not mounted' in result['msg']
    assert 'Mount it' in result['msg']


def test_present_not_relinkable_says_what_would_make_it_so(params, clock):
    script = Script(Expect.login(), first_read(SHARES, [ABB_STORAGE]), Expect.logout())
    result = run(params, script, options(share_name='Media'))
    assert result['failed'] is True
    assert 'Media on nas.example.com is not an Active Backup for Business storage' in result['msg']
    assert 'relinkable: false' in result['msg']
    assert 'becomes relinkable when it holds a repository detached from ABB' in result['msg']


def test_present_relink_answered_busy_may_or_may_not_have_been_applied(params, clock):
    script = Script(Expect.login(), first_read(SHARES, []), relink().error(117), Expect.logout())
    result = run(params, script, options())
    assert result['failed'] is True
    assert 'may or may not have been applied' in result['msg']
    assert clock.sleeps == []


def test_present_relink_answer_lost_is_not_repeated(params, clock):
    script = Script(Expect.login(), first_read(SHARES, []),
                    relink().fail(kind='io', detail='connection lost: Connection reset by peer', sent=True),
                    Expect.logout())
    result = run(params, script, options())
    assert result['failed'] is True
    assert 'may or may not have been applied' in result['msg']


def test_present_relink_started_elsewhere_meanwhile_is_waited_for(params, clock):
    script = Script(
        Expect.login(),
        first_read(SHARES, []),
        relink().error(100, {'reason': 'relink_in_progress'}),
        list_storage(MIGRATED_LINKED),
        Expect.logout(),
    )
    result = run(params, script, options())
    assert result['changed'] is False
    assert result['storage'] == MIGRATED_LINKED
    assert 'did not start another one' in result['warnings'][0]


def test_present_relink_refused_not_relinkable_fails_with_reason(params, clock):
    script = Script(Expect.login(), first_read(SHARES, []),
                    relink().error(100, {'reason': 'not_relinkable'}), Expect.logout())
    result = run(params, script, options())
    assert result['failed'] is True
    assert 'error 100' in result['msg']
    assert 'reason: not_relinkable' in result['msg']
    assert 'no longer relinkable' in result['msg']


def test_present_read_error_fails_with_the_code(params, clock):
    script = Script(
        Expect.login(),
        Expect('SYNO.Entry.Request', 'request', version=1).error(105),
        Expect.logout(),
    )
    result = run(params, script, options())
    assert result['failed'] is True
    assert 'error 105' in result['msg']


def test_present_ignores_absent_options_with_a_warning(params, clock):
    script = Script(Expect.login(), first_read(SHARES, [ABB_STORAGE]), Expect.logout())
    result = run(params, script, options(share_name='ActiveBackupforBusiness', force=True))
    assert result['changed'] is False
    assert result['warnings'] == ['remove_data and force apply to state=absent only; they were ignored.']


@pytest.mark.parametrize('opts, words', [
    (dict(share_name=''), 'share_name must be the name of a shared folder'),
    (dict(share_name='/volume1/ABB'), 'not a path'),
    (dict(wait_timeout=0), 'wait_timeout must be at least 1 second'),
])
def test_bad_options_are_refused_before_any_request(params, clock, opts, words):
    script = Script()
    result = run(params, script, options(**opts))
    assert result['failed'] is True
    assert words in result['msg']
    assert script.requests == []


# -- state=absent ----------------------------------------------------------------------------------


def test_absent_no_storage_is_unchanged(params, clock):
    script = Script(Expect.login(), list_storage(ABB_STORAGE), Expect.logout())
    result = run(params, script, options(state='absent'), diff=True)
    assert result == {'changed': False, 'share_name': 'ABB-Migrated', 'state': 'absent', 'storage': None,
                      'diff': {'before': {}, 'after': {}}}


def test_absent_failed_relink_entry_is_no_storage(params, clock):
    script = Script(Expect.login(), list_storage(MIGRATED_FAILED), Expect.logout())
    result = run(params, script, options(state='absent'))
    assert result['changed'] is False
    assert result['storage'] == MIGRATED_FAILED


def test_absent_removes_an_unused_storage_and_rereads_once(params, clock):
    script = Script(
        Expect.login(),
        list_storage(ABB_STORAGE, IDLE_STORAGE),
        remove('ABB-Idle', 5),
        list_storage(ABB_STORAGE),
        Expect.logout(),
    )
    result = run(params, script, options(share_name='ABB-Idle', state='absent'), diff=True)
    assert result == {'changed': True, 'share_name': 'ABB-Idle', 'state': 'absent', 'storage': None,
                      'diff': {'before': IDLE_STORAGE, 'after': {}}}


def test_absent_rerun_is_unchanged(params, clock):
    script = Script(Expect.login(), list_storage(ABB_STORAGE), Expect.logout())
    result = run(params, script, options(share_name='ABB-Idle', state='absent'))
    assert result['changed'] is False


def test_absent_check_mode_predicts_without_writing(params, clock):
    script = Script(Expect.login(), list_storage(IDLE_STORAGE), Expect.logout())
    result = run(params, script, options(share_name='ABB-Idle', state='absent'), check_mode=True, diff=True)
    assert result['changed'] is True
    assert result['storage'] is None
    assert result['diff'] == {'before': IDLE_STORAGE, 'after': {}}
    assert methods(script) == ['login', 'list_storage', 'logout']


def test_absent_storage_in_use_is_refused_listing_what_would_be_lost(params, clock):
    script = Script(Expect.login(), list_storage(BUSY_STORAGE), Expect.logout())
    result = run(params, script, options(share_name='ABB-Busy', state='absent'))
    assert result['failed'] is True
    msg = result['msg']
    assert 'Refusing to remove the ABB storage on shared folder ABB-Busy of nas.example.com' in msg
    assert 'backup tasks: Laptops' in msg
    assert '2 devices' in msg
    assert '1.0 TiB of backed-up data' in msg
    assert '512.0 GiB (549755813888 bytes) stored after deduplication' in msg
    assert 'force: true' in msg
    assert result['error']['details'] == {'backup_tasks': ['Laptops'], 'device_count': 2, 'dedup_size': 549755813888}


def test_absent_storage_with_devices_only_is_refused_without_force(params, clock):
    script = Script(Expect.login(), list_storage(ABB_STORAGE), Expect.logout())
    result = run(params, script, options(share_name='ActiveBackupforBusiness', state='absent', remove_data=True))
    assert result['failed'] is True
    assert '4 devices' in result['msg']
    assert 'backup tasks' not in result['msg']
    assert 'every backup version in it is deleted' in result['msg']


def test_absent_force_removes_a_storage_with_devices(params, clock):
    script = Script(
        Expect.login(),
        list_storage(ABB_STORAGE),
        remove('ActiveBackupforBusiness', 1),
        list_storage(),
        Expect.logout(),
    )
    result = run(params, script, options(share_name='ActiveBackupforBusiness', state='absent', force=True))
    assert result['changed'] is True
    assert 'warnings' not in result


def test_absent_remove_data_warns_that_every_version_is_deleted(params, clock):
    script = Script(
        Expect.login(),
        list_storage(IDLE_STORAGE),
        remove('ABB-Idle', 5, remove_data=True),
        list_storage(),
        Expect.logout(),
    )
    result = run(params, script, options(share_name='ABB-Idle', state='absent', remove_data=True))
    assert result['changed'] is True
    assert len(result['warnings']) == 1
    assert 'deletes the ABB repository on ABB-Idle' in result['warnings'][0]
    assert 'every backup version in it' in result['warnings'][0]


def test_absent_remove_data_in_check_mode_warns_would_delete(params, clock):
    script = Script(Expect.login(), list_storage(IDLE_STORAGE), Expect.logout())
    result = run(params, script, options(share_name='ABB-Idle', state='absent', remove_data=True), check_mode=True)
    assert result['changed'] is True
    assert 'would delete the ABB repository on ABB-Idle' in result['warnings'][0]


def test_absent_force_with_backup_tasks_surfaces_dsm_refusal(params, clock):
    script = Script(
        Expect.login(),
        list_storage(BUSY_STORAGE),
        remove('ABB-Busy', 2).error(100, {'reason': 'storage_in_use'}),
        Expect.logout(),
    )
    result = run(params, script, options(share_name='ABB-Busy', state='absent', force=True))
    assert result['failed'] is True
    assert 'reason: storage_in_use' in result['msg']
    assert 'Backup tasks still use this storage (Laptops)' in result['msg']


def test_absent_force_with_backup_tasks_in_check_mode_warns(params, clock):
    script = Script(Expect.login(), list_storage(BUSY_STORAGE), Expect.logout())
    result = run(params, script, options(share_name='ABB-Busy', state='absent', force=True), check_mode=True)
    assert result['changed'] is True
    assert 'expected to refuse' in result['warnings'][0]


def test_absent_during_a_relink_is_refused_without_write(params, clock):
    script = Script(Expect.login(), list_storage(MIGRATED_RUNNING), Expect.logout())
    result = run(params, script, options(state='absent', force=True))
    assert result['failed'] is True
    assert 'A relink of ABB-Migrated on nas.example.com is running' in result['msg']


def test_absent_remove_answered_busy_may_or_may_not_have_been_applied(params, clock):
    script = Script(Expect.login(), list_storage(IDLE_STORAGE), remove('ABB-Idle', 5).error(117), Expect.logout())
    result = run(params, script, options(share_name='ABB-Idle', state='absent'))
    assert result['failed'] is True
    assert 'may or may not have been applied' in result['msg']


def test_absent_remove_answer_lost_is_not_repeated(params, clock):
    script = Script(Expect.login(), list_storage(IDLE_STORAGE),
                    remove('ABB-Idle', 5).fail(kind='timeout', detail='no answer within 60 seconds', sent=True),
                    Expect.logout())
    result = run(params, script, options(share_name='ABB-Idle', state='absent'))
    assert result['failed'] is True
    assert 'may or may not have been applied' in result['msg']


def test_absent_remove_after_session_expiry_logs_in_again_and_repeats_once(params, clock):
    script = Script(
        Expect.login(),
        list_storage(IDLE_STORAGE),
        remove('ABB-Idle', 5).error(119),
        Expect.login(),
        remove('ABB-Idle', 5),
        list_storage(),
        Expect.logout(),
    )
    result = run(params, script, options(share_name='ABB-Idle', state='absent'))
    assert result['changed'] is True


def test_absent_removal_still_listed_warns(params, clock):
    script = Script(Expect.login(), list_storage(IDLE_STORAGE), remove('ABB-Idle', 5), list_storage(IDLE_STORAGE),
                    Expect.logout())
    result = run(params, script, options(share_name='ABB-Idle', state='absent'))
    assert result['changed'] is True
    assert result['storage'] == IDLE_STORAGE
    assert 'still lists it' in result['warnings'][0]


def test_absent_remove_refused_not_a_storage_fails_with_reason(params, clock):
    script = Script(Expect.login(), list_storage(IDLE_STORAGE),
                    remove('ABB-Idle', 5).error(100, {'reason': 'not_a_storage'}), Expect.logout())
    result = run(params, script, options(share_name='ABB-Idle', state='absent'))
    assert result['failed'] is True
    assert 'reason: not_a_storage' in result['msg']
    assert 'changed after the task read it' in result['msg']
