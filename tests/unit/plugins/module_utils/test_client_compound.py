# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Contract section 7: SYNO.Entry.Request compound reads."""

from __future__ import annotations

import json

import pytest

from urllib.parse import parse_qsl

from ansible_collections.syno.activebackup.plugins.module_utils import _api_share
from ansible_collections.syno.activebackup.plugins.module_utils._errors import DsmApiError

from ansible_collections.syno.activebackup.tests.unit.plugins.module_utils.scripted import (
    ABB, ENTRY, Clock, Expect, Script, make_client,
)

SHARES = {'default_share': 'ActiveBackupforBusiness', 'shares': [{'name': 'ActiveBackupforBusiness'}]}
ENCRYPTED = {'shares': [{'name': 'vault'}]}
STORAGES = {'storages': [{'share_name': 'ActiveBackupforBusiness', 'storage_id': '1'}]}
VOLUMES = {'volumes': [{'volume_path': '/volume1', 'total_bytes': '200', 'used_bytes': '50'}]}
TWO = [('list', None), ('list_encrypted', None)]
READS = [(ABB, 'list', None), (ABB, 'list_encrypted', None)]


def test_one_round_trip_results_in_order():
    script = Script(Expect.login(), Expect.compound(TWO, [SHARES, ENCRYPTED]))
    assert make_client(script).read_many(READS) == [SHARES, ENCRYPTED]
    script.done()
    raw = dict(parse_qsl(script.requests[1].body))
    assert raw['mode'] == '"sequential"'
    assert raw['stop_when_error'] == 'false'
    assert json.loads(raw['compound']) == [{'api': ABB, 'method': 'list', 'version': 1},
                                           {'api': ABB, 'method': 'list_encrypted', 'version': 1}]
    assert script.requests[1].path == 'entry.cgi' and script.requests[1].form['version'] == '1'


def test_call_parameters_travel_inside_the_compound_as_json():
    calls = [('list_file', {'root_path': '/volume1/a b'}), ('list_file', {'root_path': '/volume1/ü'})]
    files = {'files': []}
    script = Script(Expect.login(), Expect.compound(calls, [files, files]))
    client = make_client(script)
    assert client.read_many([(ABB, m, p) for m, p in calls]) == [files, files]
    script.done()


def test_abb_read_normalises_each_list():
    calls = [('list', None), ('list_storage', None), ('list_volume', None)]
    script = Script(Expect.login(), Expect.compound(calls, [SHARES, STORAGES, VOLUMES]))
    out = _api_share.read_lists(make_client(script), ['shares', 'storages', 'volumes'])
    script.done()
    assert out['default_share'] == 'ActiveBackupforBusiness'
    assert out['storages'][0]['storage_id'] == 1
    assert out['volumes'][0] == {'volume_path': '/volume1', 'total_bytes': 200, 'used_bytes': 50,
                                 'free_bytes': 150, 'used_percent': 25.0}


def test_a_single_read_is_a_plain_call():
    script = Script(Expect.login(), Expect.abb('list_volume', data=VOLUMES))
    assert make_client(script).read_many([(ABB, 'list_volume', None)]) == [VOLUMES]
    script.done()


def test_inner_failure_is_repeated_alone():
    clock = Clock()
    script = Script(Expect.login(), Expect.compound(TWO, [SHARES, 117]), Expect.abb('list_encrypted', data=ENCRYPTED))
    assert make_client(script, clock).read_many(READS) == [SHARES, ENCRYPTED]
    script.done()


def test_inner_failure_repeated_alone_gets_the_full_policy():
    script = Script(Expect.login(sid='s1'), Expect.compound(TWO, [119, ENCRYPTED]), Expect.abb('list').error(119),
                    Expect.login(sid='s2'), Expect.abb('list', data=SHARES))
    assert make_client(script).read_many(READS) == [SHARES, ENCRYPTED]
    script.done()


def test_inner_failure_that_persists_fails_with_its_code():
    script = Script(Expect.login(), Expect.compound(TWO, [SHARES, 105]), Expect.abb('list_encrypted').error(105))
    exc = pytest.raises(DsmApiError, make_client(script).read_many, READS).value
    script.done()
    assert exc.code == 105 and exc.method == 'list_encrypted'


@pytest.mark.parametrize('code', [102, 103])
def test_compound_not_offered_falls_back_and_is_remembered(code):
    script = Script(
        Expect.login(),
        Expect.compound(TWO).error(code),
        Expect.abb('list', data=SHARES),
        Expect.abb('list_encrypted', data=ENCRYPTED),
        # the next read_many of the same client goes straight to single calls
        Expect.abb('list_storage', data=STORAGES),
        Expect.abb('list_volume', data=VOLUMES),
    )
    client = make_client(script)
    assert client.read_many(READS) == [SHARES, ENCRYPTED]
    assert client.read_many([(ABB, 'list_storage', None), (ABB, 'list_volume', None)]) == [STORAGES, VOLUMES]
    script.done()
    # no SYNO.API.Info query for the compound API
    assert [r.form['api'] for r in script.requests].count('SYNO.API.Info') == 0


def test_compound_failure_other_than_missing_is_raised():
    script = Script(Expect.login(), Expect.compound(TWO).error(105))
    exc = pytest.raises(DsmApiError, make_client(script).read_many, READS).value
    assert exc.api == ENTRY and exc.code == 105


def test_compound_session_error_logs_in_again_and_repeats_the_compound():
    script = Script(Expect.login(sid='s1'), Expect.compound(TWO).error(106), Expect.login(sid='s2'),
                    Expect.compound(TWO, [SHARES, ENCRYPTED]))
    assert make_client(script).read_many(READS) == [SHARES, ENCRYPTED]
    script.done()


def test_compound_busy_is_retried():
    clock = Clock()
    script = Script(Expect.login(), Expect.compound(TWO).error(117), Expect.compound(TWO, [SHARES, ENCRYPTED]))
    assert make_client(script, clock).read_many(READS) == [SHARES, ENCRYPTED]
    assert clock.sleeps == [0.5]


@pytest.mark.parametrize('result', [
    [],
    None,
    'x',
    [{'api': ABB, 'method': 'list', 'version': 1, 'success': True, 'data': SHARES}],
    [{'api': ABB, 'method': 'list', 'version': 1, 'success': True, 'data': SHARES}] * 3,
])
def test_answer_of_the_wrong_length_is_asked_one_by_one(result):
    script = Script(Expect.login(), Expect.compound(TWO).answer({'has_fail': False, 'result': result}),
                    Expect.abb('list', data=SHARES), Expect.abb('list_encrypted', data=ENCRYPTED))
    assert make_client(script).read_many(READS) == [SHARES, ENCRYPTED]
    script.done()


def test_answer_in_another_order_is_asked_one_by_one():
    swapped = [{'api': ABB, 'method': 'list_encrypted', 'version': 1, 'success': True, 'data': ENCRYPTED},
               {'api': ABB, 'method': 'list', 'version': 1, 'success': True, 'data': SHARES}]
    script = Script(Expect.login(), Expect.compound(TWO).answer({'has_fail': False, 'result': swapped}),
                    Expect.abb('list', data=SHARES), Expect.abb('list_encrypted', data=ENCRYPTED))
    assert make_client(script).read_many(READS) == [SHARES, ENCRYPTED]
    script.done()


def test_answer_items_without_api_and_method_are_taken_in_order():
    items = [{'success': True, 'data': SHARES}, {'success': True, 'data': ENCRYPTED}]
    script = Script(Expect.login(), Expect.compound(TWO).answer({'has_fail': False, 'result': items}))
    assert make_client(script).read_many(READS) == [SHARES, ENCRYPTED]
    script.done()


def test_answer_item_that_is_not_an_object_is_repeated_alone():
    items = [{'api': ABB, 'method': 'list', 'success': True, 'data': SHARES}, 'garbage']
    script = Script(Expect.login(), Expect.compound(TWO).answer({'has_fail': True, 'result': items}),
                    Expect.abb('list_encrypted', data=ENCRYPTED))
    assert make_client(script).read_many(READS) == [SHARES, ENCRYPTED]
    script.done()


def test_info_without_the_compound_api_means_single_calls():
    info = {'SYNO.API.Auth': {'path': 'entry.cgi', 'minVersion': 1, 'maxVersion': 7},
            'SYNO.ActiveBackup.Share': {'path': 'entry.cgi', 'minVersion': 1, 'maxVersion': 1}}
    script = Script(Expect.login_error(104), Expect.info(info), Expect.login(),
                    Expect.abb('list', data=SHARES), Expect.abb('list_encrypted', data=ENCRYPTED))
    assert make_client(script).read_many(READS) == [SHARES, ENCRYPTED]
    script.done()
