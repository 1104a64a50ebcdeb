# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Property tests (hypothesis) of everything an answer of the NAS goes through: whole clients on a
transport whose answers hypothesis draws request by request (login, Info, compound, reads, writes),
the operations run by execute(), the ABB normalisers, TOTP seeds and NAS path checks.

The promise under test: whatever the NAS (or what stands in its place) answers, the result is data
of the documented types or one of the typed DsmError family, whose message names host, API and
method and holds no secret. Never KeyError, TypeError, IndexError or any other bare exception.

The suite runs the same derandomized examples every time. For a longer hunt with new examples:
SYNO_FUZZ_SCALE=10 pytest tests/unit/plugins/module_utils/test_fuzz.py --hypothesis-seed=N
"""

from __future__ import annotations

import base64
import copy
import json
import math
import re

from urllib.parse import parse_qsl

import pytest

from ansible_collections.syno.activebackup.plugins.module_utils import _api, _api_share, _errors
from ansible_collections.syno.activebackup.plugins.module_utils._config import ConnectionConfig
from ansible_collections.syno.activebackup.plugins.module_utils._transport import ConnectionFailure, HttpAnswer
from ansible_collections.syno.activebackup.plugins.module_utils._wire import error_code
from ansible_collections.syno.activebackup.plugins.module_utils._errors import DsmApiError, DsmError, DsmInputError, TransportError
from ansible_collections.syno.activebackup.plugins.module_utils._op_directory import DIRECTORY
from ansible_collections.syno.activebackup.plugins.module_utils._op_info import FACTS, FILE_INFO, SHARE_INFO, STORAGE_INFO, VOLUME_INFO
from ansible_collections.syno.activebackup.plugins.module_utils._op_storage import STORAGE, describe_data
from ansible_collections.syno.activebackup.plugins.module_utils._paths import check_path, text_problem
from ansible_collections.syno.activebackup.plugins.module_utils._runner import execute
from ansible_collections.syno.activebackup.plugins.module_utils._totp import DIGITS, InvalidSecret, decode_secret, hotp, totp

from ansible_collections.syno.activebackup.tests.unit.plugins.module_utils.scripted import base_params, make_client
from ansible_collections.syno.activebackup.tests.unit.plugins.module_utils.test_client_properties import (
    ANSWERS, ANY_TEXT, BROKEN_TEXT, CODE_VALUES, ERROR_MEMBER, ERRORS, GIVEN_SID, GIVEN_TOKEN, INTS, PASSWORD, PLANTED, TEXT, VALUES,
    check_error, json_bytes, profile,
)

hypothesis = pytest.importorskip('hypothesis')
st = pytest.importorskip('hypothesis.strategies')
given = hypothesis.given

# Examples per property: pure functions 150, whole clients 100, operations from answer to result 200.
PURE = profile(150)
CLIENT = profile(100)
OPERATIONS_RUN = profile(200)

ABB = _errors.ABB_API
AUTH = _errors.AUTH_API
INFO = _errors.INFO_API
ENTRY = _errors.COMPOUND_API
HOST = 'nas.example.com'
BASE_URL = 'https://nas.example.com:5001/webapi/'
JSON_CT = {'Content-Type': 'application/json'}
OTP_SEED = 'JBSWY3DPEHPK3PXP'
DEVICE_ID = 'device-token-0123456789'
LOGIN_SIDS = ['sid-A-0123456789abcdef', 'sid-B-fedcba9876543210']
MAX_REQUESTS = 300

# -- field values as DSM sends them, or as something broken might -------------------------------------

DECIMALS = INTS.map(str) | INTS.map(lambda n: ' %d\n' % n) | st.integers(min_value=0, max_value=10 ** 30).map(lambda n: '0%d' % n)
HUGE = st.integers(min_value=2 ** 64, max_value=10 ** 400) | st.integers(min_value=-10 ** 400, max_value=-2 ** 64)
NUMBERISH = (INTS | DECIMALS | HUGE | HUGE.map(str) | st.just('1' * 5000) | st.floats(allow_nan=False, allow_infinity=False)
             | st.sampled_from([1e300, -1e300, 2.0 ** 70, 0.5, -0.0]) | st.booleans() | st.none() | ANY_TEXT
             | st.lists(INTS, max_size=2) | st.dictionaries(TEXT, INTS, max_size=2))


def weighted(*choices):
    """One of ``choices`` (strategies, each as often as it is given): sampled_from weighs, one_of does not."""
    return st.sampled_from(range(len(choices))).flatmap(lambda i: choices[i])


# Mostly what DSM sends, often enough to get deep into an operation; now and then anything.
FLAGISH = weighted(st.booleans(), st.booleans(), st.booleans(), st.sampled_from([0, 1, 'true', 'false', '', None]), VALUES)
NAMES = weighted(st.just('abb'), st.just('abb'), st.just('abb'), st.sampled_from(['ActiveBackupforBusiness', 'ABB-Migrated', 'vault', '']),
                 TEXT)
OTHER_KEYS = st.dictionaries(st.sampled_from(['acl_permission', 'available', 'share_type', 'type', 'vol_name', 'x']), VALUES,
                             max_size=3)


def record(fields, **extra):
    """Objects with any subset of ``fields`` (each value from its strategy) and a few other keys."""
    optional = dict((name, NUMBERISH) for name in fields)
    optional.update(extra)
    return st.builds(lambda known, other: dict(other, **known), st.fixed_dictionaries({}, optional=optional), OTHER_KEYS)


SHARE_INTS = ('free_space', 'storage_compress_algorithm', 'storage_encrypt_algorithm', 'storage_id')
STORAGE_INTS = ('compacting_percentage', 'compressed_size', 'dedup_size', 'device_count', 'fs_type',
                'storage_compress_algorithm', 'storage_encrypt_algorithm', 'storage_id')


def fits_float(value):
    value = _api.to_int(value)
    return not (isinstance(value, int) and abs(value) > 2 ** 1000)


# Sizes that _op_storage.human_bytes shows: no count beyond a float (a known gap, see the end of this file).
SIZES = NUMBERISH.filter(fits_float)
DEVICE_INFO = st.dictionaries(st.sampled_from(['pc_count', 'pc_size', 'vm_count', 'vm_size', 'dsm_size']) | TEXT, SIZES,
                              max_size=4) | VALUES
RELINK_ERROR = st.fixed_dictionaries({}, optional={'code': NUMBERISH}) | VALUES
PLAIN_RELINK_STATE = st.fixed_dictionaries({'alive': st.booleans(), 'owner': st.booleans(), 'state': st.sampled_from([0, 1]),
                                            'error': st.fixed_dictionaries({'code': st.sampled_from([0, 0, 5, '7'])})})
RELINK_STATE = weighted(PLAIN_RELINK_STATE, PLAIN_RELINK_STATE, st.fixed_dictionaries({}, optional={
    'alive': FLAGISH, 'owner': FLAGISH, 'state': NUMBERISH, 'error': RELINK_ERROR}), VALUES)
TASKS = st.lists(st.fixed_dictionaries({}, optional={'task_id': NUMBERISH, 'task_name': VALUES | NAMES}) | VALUES,
                 max_size=3) | VALUES

SHARE = record(SHARE_INTS, name=NAMES, path=NAMES.map(lambda n: '/volume1/' + n) | VALUES, relinkable=FLAGISH,
               storage_mounted=FLAGISH)
STORAGE_RECORD = record(STORAGE_INTS, share_name=NAMES, device_info=DEVICE_INFO, relink_state=RELINK_STATE,
                        backup_tasks=TASKS, volume_path=NAMES, dedup_size=SIZES)
VOLUME = record(('total_bytes', 'used_bytes'), volume_path=st.sampled_from(['/volume1', '/volume2/']) | VALUES)
ERROR_FILE = st.fixed_dictionaries({}, optional={'share_name': NAMES, 'path': VALUES, 'error': NUMBERISH})
FILE_ENTRY = st.fixed_dictionaries({}, optional={'name': NAMES | VALUES, 'path': NAMES.map(lambda n: '/volume1/abb/' + n) | VALUES,
                                                 'isdir': FLAGISH, 'is_dir': FLAGISH}) | VALUES


def records(strategy, focused=None):
    """Lists of records, and anything else; with ``focused``, often a list holding one such record (the
    share the operations under test ask about)."""
    lists = weighted(st.lists(strategy, max_size=3), st.lists(strategy, max_size=3), st.lists(strategy | VALUES, max_size=3), VALUES)
    if focused is None:
        return lists
    with_focus = st.builds(lambda rest, one, at: rest[:at] + [one] + rest[at:], st.lists(strategy, max_size=2), focused,
                           st.integers(min_value=0, max_value=2))
    return weighted(with_focus, with_focus, lists)


def data_of(**members):
    return weighted(st.fixed_dictionaries(members), st.fixed_dictionaries(members), st.fixed_dictionaries({}, optional=members), VALUES)


# What each method's ``data`` may be.
METHOD_DATA = {
    'list': data_of(default_share=NAMES | VALUES, shares=records(SHARE, SHARE.map(lambda r: dict(r, name='abb')))),
    'list_encrypted': data_of(shares=records(SHARE, SHARE.map(lambda r: dict(r, name='abb')))),
    'list_storage': data_of(storages=records(STORAGE_RECORD, STORAGE_RECORD.map(lambda r: dict(r, share_name='abb')))),
    'list_volume': data_of(volumes=records(VOLUME)),
    'check_file': data_of(error_files=records(ERROR_FILE)),
    'list_file': data_of(files=records(FILE_ENTRY), items=records(FILE_ENTRY), total=NUMBERISH),
}
GOOD_LOGIN = st.fixed_dictionaries({'sid': st.sampled_from(LOGIN_SIDS)},
                                   optional={'synotoken': st.sampled_from(['syno-token-0123456789', '']),
                                             'device_id': st.sampled_from(['did-0123456789abcdef', None]),
                                             'is_portal_port': FLAGISH})
LOGIN_DATA = weighted(GOOD_LOGIN, GOOD_LOGIN, GOOD_LOGIN, GOOD_LOGIN, GOOD_LOGIN,
                      st.fixed_dictionaries({}, optional={'sid': st.sampled_from(['', None, 0, 7, True, 1.5, [], {}, ['sid-A-0123456789abcdef']])}),
                      st.sampled_from([True, [1], 'sid-A-0123456789abcdef', 5, None, '']))
INFO_ENTRY = st.fixed_dictionaries({}, optional={'path': st.sampled_from(['entry.cgi', 'auth.cgi', '', None]) | TEXT | VALUES,
                                                 'minVersion': CODE_VALUES, 'maxVersion': CODE_VALUES}) | VALUES
INFO_DATA = st.dictionaries(st.sampled_from([AUTH, ABB, ENTRY]), INFO_ENTRY, max_size=3) | st.dictionaries(TEXT, VALUES, max_size=3) | VALUES
FAILURES = st.builds(ConnectionFailure, st.sampled_from(['tls', 'connect', 'io', 'timeout']),
                     st.sampled_from(['certificate verify failed', 'Connection refused', 'boom ' + PASSWORD,
                                      'reset; sid ' + GIVEN_SID]) | TEXT,
                     st.booleans())
# An answer kind for each request: mostly plausible, so that a sequence gets deep into the client.
KINDS = st.sampled_from(['ok'] * 6 + ['failed', 'failed', 'junk', 'transport'])
# Failed answers: the codes the client acts on, weighted up, with planted secrets in the details.
POLICY_CODES = st.sampled_from(sorted(_errors.SESSION_CODES | _errors.BUSY_CODES | _errors.DISCOVERY_CODES)
                               + [100, 103, 105, 120, 160, 400, 403, 404, 407, 408])
PLANTED_DETAILS = ERRORS | st.lists(st.sampled_from(PLANTED), max_size=2) | st.dictionaries(TEXT, st.sampled_from(PLANTED), max_size=2)
POLICY_ERROR = st.fixed_dictionaries({'code': POLICY_CODES}, optional={'errors': PLANTED_DETAILS})
FAILED_BODY = (st.fixed_dictionaries({'success': st.just(False), 'error': POLICY_ERROR})
               | st.fixed_dictionaries({'success': st.just(False)}, optional={'error': ERROR_MEMBER, 'errors': PLANTED_DETAILS}))
COMPOUND_SHAPES = st.sampled_from(['exact'] * 5 + ['short', 'long', 'reversed', 'renamed', 'not a list', 'no data'])


def answer_of(body):
    return HttpAnswer(200, JSON_CT, json_bytes(body))


class Router(object):
    """A transport that draws each answer from hypothesis when the request arrives.

    Plausible answers are shaped by what was asked (login, Info, compound, each ABB method). Every
    request is kept with its answer (an HttpAnswer or the ConnectionFailure raised).
    """

    def __init__(self, draw, kinds=KINDS):
        self.draw = draw
        self.kinds = kinds
        self.exchanges = []
        self.closed = False

    def post(self, url, body, headers):
        assert len(self.exchanges) < MAX_REQUESTS, 'runaway: %d requests' % len(self.exchanges)
        form = dict(parse_qsl(body, keep_blank_values=True))
        kind = self.draw(self.kinds)
        if kind == 'transport':
            answer = self.draw(FAILURES)
        elif kind == 'junk':
            answer = self.draw(ANSWERS)
        elif kind == 'failed':
            answer = answer_of(self.draw(FAILED_BODY))
        else:
            answer = answer_of({'success': True, 'data': self.data_for(form)})
        self.exchanges.append((url, body, headers, form, answer))
        if isinstance(answer, ConnectionFailure):
            raise answer
        return answer

    def data_for(self, form):
        api, method = form.get('api'), form.get('method')
        if api == AUTH and method == 'login':
            return self.draw(LOGIN_DATA)
        if api == INFO:
            return self.draw(INFO_DATA)
        if api == ENTRY:
            return self.compound_data(json.loads(form['compound']))
        return self.draw(METHOD_DATA.get(method, VALUES))

    def compound_data(self, calls):
        results = []
        for call in calls:
            kind = self.draw(self.kinds)
            if kind == 'ok':
                item = {'api': call['api'], 'method': call['method'], 'version': 1, 'success': True,
                        'data': self.draw(METHOD_DATA.get(call['method'], VALUES))}
            elif kind == 'failed':
                item = dict(self.draw(FAILED_BODY), api=call['api'], method=call['method'])
            else:
                item = self.draw(VALUES)
            results.append(item)
        shape = self.draw(COMPOUND_SHAPES)
        if shape == 'short':
            results = results[:-1]
        elif shape == 'long':
            results.append(results[0])
        elif shape == 'reversed':
            results.reverse()
        elif shape == 'renamed':
            results[0] = dict(results[0], method='list_volume') if isinstance(results[0], dict) else results[0]
        elif shape == 'not a list':
            return {'result': self.draw(VALUES), 'has_fail': self.draw(FLAGISH)}
        elif shape == 'no data':
            return self.draw(VALUES)
        return {'has_fail': self.draw(FLAGISH), 'result': results}

    def close(self):
        self.closed = True


CONFIGS = {
    'password': {},
    'session': {'username': None, 'password': None, 'session': {'sid': GIVEN_SID, 'synotoken': GIVEN_TOKEN}},
    'both': {'session': {'sid': GIVEN_SID, 'synotoken': GIVEN_TOKEN}},
    'otp': {'otp_secret': OTP_SEED},
    'device': {'otp_secret': OTP_SEED, 'device_id': DEVICE_ID},
}


def known_secrets(config):
    """The secrets the client knows from its options: none of them may show anywhere."""
    opts = CONFIGS[config]
    out = []
    if opts.get('password', PASSWORD):
        out.append(PASSWORD)
    if opts.get('session'):
        out.extend([GIVEN_SID, GIVEN_TOKEN])
    if opts.get('otp_secret'):
        out.append(opts['otp_secret'])
    if opts.get('device_id'):
        out.append(opts['device_id'])
    return out


def check_requests(router, secrets):
    """Every request: POST to the base URL with no query string and no secret in the URL."""
    for url, body, dummy_headers, form, dummy_answer in router.exchanges:
        assert url.startswith(BASE_URL), url
        assert '_sid' not in url and 'passwd' not in url
        for secret in secrets + LOGIN_SIDS:
            assert secret not in url, url
        if form.get('method') != 'login':
            assert PASSWORD not in body


def code_of(answer):
    """The error code a recorded answer carries (as the client reads it), or None."""
    if isinstance(answer, ConnectionFailure) or answer.status != 200:
        return None
    try:
        body = json.loads(answer.body.decode('utf-8'))
    except (ValueError, RecursionError):
        return None
    return error_code(body) if isinstance(body, dict) and body.get('success') is False else None


def run_op(client, op):
    if op == 'read':
        out = client.call(ABB, 'list_storage')
        assert isinstance(out, dict)
    elif op == 'write':
        out = client.call(ABB, 'create_fs_dir', {'paths': ['/volume1/abb/a']}, write=True)
        assert isinstance(out, dict)
    elif op == 'login':
        out = client.login()
        assert isinstance(out['sid'], str) and out['sid'] and isinstance(out['synotoken'], str)
    elif op == 'read_many':
        out = client.read_many([(ABB, 'list', None), (ABB, 'list_storage', None), (ABB, 'list_volume', None)])
        assert len(out) == 3 and all(isinstance(item, dict) for item in out)
    elif op == 'abb_read':
        out = _api_share.read_lists(client, ['shares', 'encrypted_shares', 'storages', 'volumes', 'error_files'])
        check_read(out)
    elif op == 'list_file':
        check_files(_api_share.list_file(client, '/volume1/abb'))
    elif op == 'discover':
        assert isinstance(client.discover(), dict)


def check_read(out):
    assert out['default_share'] is None or isinstance(out['default_share'], str)
    for name in ('shares', 'encrypted_shares', 'storages', 'volumes', 'error_files'):
        assert isinstance(out[name], list) and all(isinstance(entry, dict) for entry in out[name])
    for volume in out['volumes']:
        check_volume(volume)


def check_files(files):
    for entry in files:
        assert sorted(entry) == ['isdir', 'name', 'path']
        assert isinstance(entry['name'], str) and entry['name']
        assert isinstance(entry['path'], str) and entry['path']
        assert isinstance(entry['isdir'], bool)


# -- whole clients ---------------------------------------------------------------------------------------

@CLIENT
@given(st.data(), st.sampled_from(sorted(CONFIGS)),
       st.sampled_from(['read', 'write', 'login', 'read_many', 'abb_read', 'list_file', 'discover']))
def test_any_exchange_gives_data_or_a_typed_error(data, config, op):
    if op == 'login' and config == 'session':
        op = 'read'
    router = Router(data.draw)
    warnings = []
    client = make_client(router, warnings=warnings, **CONFIGS[config])
    secrets = known_secrets(config)
    try:
        run_op(client, op)
    except DsmError as exc:
        assert exc.api in (AUTH, INFO, ENTRY, ABB), exc.api
        assert exc.method
        check_error(exc, HOST, exc.api, exc.method, secrets)
    finally:
        client.close()  # never raises: a failed logout is a warning
    assert router.closed
    check_requests(router, secrets)
    for warning in warnings:
        assert isinstance(warning, str) and HOST in warning
        for secret in secrets:
            assert secret not in warning


# Answers after which DSM did nothing, so that a write may be sent again.
NOTHING_DONE = _errors.SESSION_CODES | _errors.DISCOVERY_CODES


@CLIENT
@given(st.data(), st.sampled_from(sorted(CONFIGS)))
def test_a_write_is_sent_again_only_after_an_answer_that_says_nothing_was_done(data, config):
    router = Router(data.draw)
    client = make_client(router, **CONFIGS[config])
    try:
        client.call(ABB, 'relink', {'share_name': 'abb'}, write=True)
    except DsmError as exc:
        check_error(exc, HOST, exc.api, exc.method, known_secrets(config))
    writes = [exchange[4] for exchange in router.exchanges if exchange[3].get('method') == 'relink']
    for answer in writes[:-1]:
        if isinstance(answer, ConnectionFailure):
            assert not answer.sent, 'a write was repeated after a request that may have reached the NAS'
        else:
            assert code_of(answer) in NOTHING_DONE, 'a write was repeated after %r' % answer.body[:200]


# -- compound reads: an exact oracle ---------------------------------------------------------------------

CALLS = st.lists(st.sampled_from(['list', 'list_encrypted', 'list_storage', 'list_volume', 'check_file']), min_size=2, max_size=4,
                 unique=True)
SINGLE = dict((m, {'single': m}) for m in ('list', 'list_encrypted', 'list_storage', 'list_volume', 'check_file'))
COMPOUND_ITEM = (st.fixed_dictionaries({}, optional={
    'api': st.sampled_from([ABB, ABB, ABB, AUTH, None]) | TEXT,
    'method': st.sampled_from(sorted(SINGLE) + ['request', None]),
    'version': CODE_VALUES,
    'success': st.sampled_from([True, True, False, None, 1, 'true']),
    'data': st.dictionaries(TEXT, VALUES, max_size=2) | VALUES,
    'error': ERROR_MEMBER,
}) | VALUES)


class Compound(object):
    """Login answers a session; the compound request answers ``body``; a single read of method m answers SINGLE[m]."""

    def __init__(self, body):
        self.body = body
        self.calls = []

    def post(self, url, body, headers):
        form = dict(parse_qsl(body, keep_blank_values=True))
        self.calls.append((form['api'], form['method']))
        assert len(self.calls) < 50
        if form['api'] == AUTH:
            return answer_of({'success': True, 'data': {'sid': LOGIN_SIDS[0]}})
        if form['api'] == ENTRY:
            return self.body
        return answer_of({'success': True, 'data': SINGLE[form['method']]})

    def close(self):
        pass


def compound_oracle(methods, body):
    """What read_many must give for ``methods`` when the compound request answers ``body`` (contract 7):
    a list of data, or the error class and code it must raise."""
    fallback = [SINGLE[m] for m in methods]
    try:
        parsed = json.loads(body.body.decode('utf-8'))
    except (ValueError, RecursionError):
        parsed = None
    if body.status != 200 or not isinstance(parsed, dict) or not isinstance(parsed.get('success'), bool):
        return TransportError, None
    if not parsed['success']:
        code = error_code(parsed)  # (its reading of codes is a property of its own)
        if code in (102, 103, 104):
            return fallback
        return DsmApiError, code
    data = parsed.get('data') if isinstance(parsed.get('data'), dict) else {}
    results = data.get('result')
    if not isinstance(results, list) or len(results) != len(methods):
        return fallback
    for method, item in zip(methods, results):
        if isinstance(item, dict) and (item.get('api', ABB) != ABB or item.get('method', method) != method):
            return fallback
    out = []
    for method, item in zip(methods, results):
        if isinstance(item, dict) and item.get('success') is True:
            out.append(item.get('data') if isinstance(item.get('data'), dict) else {})
        else:
            out.append(SINGLE[method])
    return out


def compound_bodies(methods):
    """Answers to the compound request: results that line up or not, of any shape, and failures."""
    def lined_up(items, has_fail):
        return answer_of({'success': True, 'data': {'has_fail': has_fail, 'result': items}})

    n = len(methods)
    items = st.lists(COMPOUND_ITEM, min_size=n, max_size=n)
    right = st.lists(st.sampled_from([True, False]), min_size=n, max_size=n).flatmap(
        lambda oks: st.tuples(*[st.fixed_dictionaries({'api': st.just(ABB), 'method': st.just(m), 'success': st.just(True),
                                                       'data': st.dictionaries(TEXT, VALUES, max_size=2)}) if ok else COMPOUND_ITEM
                                for m, ok in zip(methods, oks)]).map(list))
    return st.one_of(
        st.builds(lined_up, right, FLAGISH),
        st.builds(lined_up, items, FLAGISH),
        st.builds(lined_up, st.lists(COMPOUND_ITEM, max_size=n + 2), FLAGISH),
        st.builds(lined_up, VALUES, FLAGISH),
        st.builds(lambda d: answer_of({'success': True, 'data': d}), VALUES),
        st.just(answer_of({'success': True})),
        st.builds(lambda c: answer_of({'success': False, 'error': {'code': c}}), st.sampled_from([102, 103, 104, 100, 106, 119, 117]) | INTS),
        st.builds(lambda e: answer_of({'success': False, 'error': e}), ERROR_MEMBER),
        ANSWERS,
    )


@CLIENT
@given(CALLS.flatmap(lambda methods: st.tuples(st.just(methods), compound_bodies(methods))))
def test_compound_answers_of_any_shape_give_the_results_or_a_fallback_or_a_typed_error(case):
    methods, body = case
    transport = Compound(body)
    client = make_client(transport)
    expected = compound_oracle(methods, body)
    calls = [(ABB, m, None) for m in methods]
    if isinstance(expected, list):
        assert client.read_many(calls) == expected
        return
    cls, code = expected
    with pytest.raises(DsmError) as info:
        client.read_many(calls)
    assert isinstance(info.value, cls)
    if cls is DsmApiError:
        assert info.value.code == code
    check_error(info.value, HOST, ENTRY, 'request')
    assert (ABB, 'list') not in transport.calls or cls is not TransportError


# -- operations, from HTTP answers to the task result -------------------------------------------------------

OPERATIONS = {
    'share_info': (SHARE_INFO, [{'name': None}, {'name': 'abb'}]),
    'storage_info': (STORAGE_INFO, [{'share_name': None, 'check_files': True}, {'share_name': 'abb', 'check_files': False}]),
    'volume_info': (VOLUME_INFO, [{'volume_path': None}, {'volume_path': '/volume1/'}]),
    'file_info': (FILE_INFO, [{'root_path': '/volume1/abb'}]),
    'facts': (FACTS, [{'gather_subset': ['all']}, {'gather_subset': ['!all', 'volumes']}]),
    'directory': (DIRECTORY, [{'paths': ['/volume1/abb/a/b', '/volume1/abb/c'], 'state': 'present'}]),
    'storage present': (STORAGE, [{'share_name': 'abb', 'state': 'present', 'wait': wait, 'wait_timeout': 60,
                                   'remove_data': False, 'force': False} for wait in (True, False)]),
    'storage absent': (STORAGE, [{'share_name': 'abb', 'state': 'absent', 'wait': True, 'wait_timeout': 60,
                                  'remove_data': remove_data, 'force': force} for remove_data in (False, True) for force in (False, True)]),
}


class FakeTime(object):
    def __init__(self):
        self.now = 1000.0

    def clock(self):
        return self.now

    def sleep(self, seconds):
        assert seconds >= 0
        self.now += seconds


@OPERATIONS_RUN
@given(st.data(), st.sampled_from(sorted(OPERATIONS)), st.sampled_from(['password', 'session', 'otp']), st.booleans())
def test_every_operation_gives_a_result_for_any_exchange(data, name, config, check_mode):
    operation, variants = OPERATIONS[name]
    params = base_params(**CONFIGS[config])
    params.update(data.draw(st.sampled_from(variants)))
    router = Router(data.draw)
    fake = FakeTime()
    result = execute(operation, params, check_mode=check_mode, transport=router, sleep=fake.sleep, clock=fake.clock)
    assert isinstance(result, dict)
    dumped = json.dumps(result)
    for secret in known_secrets(config):
        assert secret not in dumped
    check_requests(router, known_secrets(config))
    methods = [exchange[3].get('method') for exchange in router.exchanges]
    hypothesis.event('%s: %s after %d requests%s' % (name, 'failed' if result.get('failed') else 'ok', len(methods),
                                                     ', wrote' if set(methods) & {'relink', 'remove', 'create_fs_dir'} else ''))
    if result.get('failed'):
        assert isinstance(result['msg'], str) and HOST in result['msg'], result['msg']
        assert result['changed'] is False
    else:
        assert isinstance(result['changed'], bool)
    if check_mode:
        assert not any(exchange[3].get('method') in ('relink', 'remove', 'create_fs_dir') for exchange in router.exchanges)


# -- ABB normalisers -----------------------------------------------------------------------------------------

def expected_int(value):
    """Contract section 6 numbers: ints stay, integral floats and decimal strings become ints; the rest is kept."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.match(r'^-?[0-9]{1,4300}$', value.strip()):
        return int(value.strip())
    return value


def same(a, b):
    return type(a) is type(b) and a == b


@PURE
@given(NUMBERISH)
def test_to_int_gives_an_int_for_every_number_and_keeps_anything_else(value):
    before = copy.deepcopy(value)
    out = _api.to_int(value)
    assert same(out, expected_int(before))
    assert same(value, before)


@PURE
@given(SHARE | VALUES)
def test_normalize_share(entry):
    before = copy.deepcopy(entry)
    out = _api_share.normalize_share(entry)
    assert entry == before, 'the input is not changed'
    if not isinstance(entry, dict):
        assert out is entry
        return
    assert sorted(out) == sorted(entry)
    for key, value in entry.items():
        assert same(out[key], expected_int(value) if key in SHARE_INTS else value), key


@PURE
@given(STORAGE_RECORD | VALUES)
def test_normalize_storage(entry):
    before = copy.deepcopy(entry)
    out = _api_share.normalize_storage(entry)
    assert entry == before, 'the input is not changed'
    if not isinstance(entry, dict):
        assert out is entry
        return
    assert sorted(out) == sorted(entry)
    for key, value in entry.items():
        if key in STORAGE_INTS:
            assert same(out[key], expected_int(value)), key
        elif key == 'device_info' and isinstance(value, dict):
            assert out[key] == dict((k, expected_int(v)) for k, v in value.items())
        elif key == 'relink_state' and isinstance(value, dict):
            state = out[key]
            assert sorted(state) == sorted(value)
            if 'state' in value:
                assert same(state['state'], expected_int(value['state']))
            if isinstance(value.get('error'), dict) and 'code' in value['error']:
                assert same(state['error']['code'], expected_int(value['error']['code']))
        else:
            assert same(out[key], value), key
    status = _api_share.storage_status(out)
    assert status in ('linked', 'relinking', 'failed')
    assert status == _api_share.storage_status(entry)
    code = _api_share.relink_error_code(out)
    assert code is None or code == expected_int(code)
    names = _api_share.task_names(out)
    assert isinstance(names, list) and all(isinstance(n, str) for n in names)


def check_volume(out):
    total, used = out.get('total_bytes'), out.get('used_bytes')
    ints = all(isinstance(v, int) and not isinstance(v, bool) for v in (total, used))
    if not ints:
        assert 'free_bytes' not in out and 'used_percent' not in out
        return
    assert same(out['free_bytes'], max(total - used, 0))
    if total <= 0:
        assert same(out['used_percent'], 0.0)
    elif 'used_percent' not in out:
        assert abs(used) * 100 > 10 ** 306 * total, 'used_percent is left out only when it does not fit a float'
    else:
        percent = out['used_percent']
        assert isinstance(percent, float) and math.isfinite(percent) and round(percent, 1) == percent
        if abs(used) < 2 ** 53 and total < 2 ** 53:
            assert percent == round(used * 100.0 / total, 1)
        else:
            assert abs(percent - used * 100 / total) <= 0.05 + abs(percent) * 1e-12


@PURE
@given(VOLUME | VALUES | st.builds(lambda t, u: {'total_bytes': t, 'used_bytes': u}, INTS | HUGE | DECIMALS, INTS | HUGE | DECIMALS))
def test_normalize_volume(entry):
    before = copy.deepcopy(entry)
    out = _api_share.normalize_volume(entry)
    assert entry == before, 'the input is not changed'
    if not isinstance(entry, dict):
        assert out is entry
        return
    assert set(out) - set(entry) <= {'free_bytes', 'used_percent'}
    for key in ('total_bytes', 'used_bytes'):
        if key in entry:
            assert same(out[key], expected_int(entry[key]))
    check_volume(out)


@PURE
@given(st.lists(STORAGE_RECORD | VALUES, max_size=4), st.lists(SHARE | VALUES, max_size=4), NAMES)
def test_finders_and_status_helpers_take_any_list(storages, shares, name):
    storage = _api_share.find_storage(storages, name)
    assert storage is None or (isinstance(storage, dict) and storage.get('share_name') == name)
    share = _api_share.find_share(shares, name)
    assert share is None or (isinstance(share, dict) and share.get('name') == name)
    assert _api_share.storage_status(storage) in (None, 'linked', 'relinking', 'failed')
    for entry in storages:
        names = _api_share.task_names(entry)
        assert isinstance(names, list) and all(isinstance(n, str) for n in names)
        _api_share.relink_error_code(entry)


@CLIENT
@given(st.data())
def test_list_file_gives_typed_entries_for_any_answer(data):
    router = Router(data.draw, kinds=st.just('ok'))
    try:
        files = _api_share.list_file(make_client(router), '/volume1/abb')
    except TransportError as exc:
        # a login answer without a session id
        check_error(exc, HOST, AUTH, 'login')
        return
    check_files(files)


@CLIENT
@given(st.data())
def test_abb_read_gives_objects_with_normalised_numbers_for_any_plausible_answer(data):
    router = Router(data.draw, kinds=st.sampled_from(['ok'] * 5 + ['failed']))
    names = data.draw(st.lists(st.sampled_from(sorted(_api_share.READS)), min_size=1, max_size=5, unique=True))
    try:
        out = _api_share.read_lists(make_client(router), names + ['shares'])
    except DsmError as exc:
        check_error(exc, HOST, exc.api, exc.method, known_secrets('password'))
        return
    check_read(dict(dict((n, []) for n in _api_share.READS), **out))
    for share in out['shares']:
        for key in SHARE_INTS:
            if key in share:
                assert same(share[key], expected_int(share[key]))


# -- TOTP ---------------------------------------------------------------------------------------------------

B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
VALID_LENGTHS = (0, 2, 4, 5, 7)
NOW = st.integers(min_value=0, max_value=2 ** 40) | st.floats(min_value=0, max_value=2.0 ** 40)


def spelled(canonical, draw):
    """``canonical`` as a person may type it: any case, spaces, dashes and line breaks between, padding or not."""
    out = []
    for ch in canonical:
        out.append(ch.lower() if draw(st.booleans()) else ch)
        out.append(draw(st.sampled_from([''] * 6 + [' ', '-', '\t', '\n', '  '])))
    text = ''.join(out)
    pad = draw(st.sampled_from(['', '', 'exact', '=', '======']))
    return text + ('=' * (-len(canonical) % 8) if pad == 'exact' else pad)


@PURE
@given(st.text(alphabet=B32, min_size=2, max_size=64).filter(lambda s: len(s) % 8 in VALID_LENGTHS), NOW, st.data())
def test_every_seed_of_the_base32_alphabet_gives_a_six_digit_code(canonical, now, data):
    key = base64.b32decode(canonical + '=' * (-len(canonical) % 8))
    typed = spelled(canonical, data.draw)
    assert decode_secret(typed) == key
    code = totp(typed, now)
    assert len(code) == DIGITS == 6 and code.isdigit()
    assert code == hotp(key, int(now // 30))
    assert totp(typed, now, digits=8)[-6:] == code
    ConnectionConfig(host=HOST, username='u', password='p', otp_secret=typed)


def seed_is_valid(text):
    text = ''.join(text.split()).replace('-', '').rstrip('=')
    return bool(re.match(r'^[A-Za-z2-7]+\Z', text)) and len(text) % 8 in VALID_LENGTHS


SEEDISH = TEXT | st.text(alphabet=B32 + B32.lower() + '0189=-_ \t.ßıſé\x00', max_size=40)


@PURE
@given(SEEDISH, NOW)
def test_any_seed_text_gives_a_code_or_a_typed_input_error(text, now):
    valid = seed_is_valid(text)
    try:
        code = totp(text, now)
    except InvalidSecret as exc:
        assert not valid, text
        assert str(exc) in ('otp_secret is empty', 'otp_secret is not a valid base32 TOTP seed (letters A-Z and digits 2-7)')
        if text:
            # (an empty otp_secret is no otp_secret)
            with pytest.raises(DsmInputError) as info:
                ConnectionConfig(host=HOST, username='u', password='p', otp_secret=text)
            if text_problem(''.join(text.split())):
                # the connection checks refuse a text DSM could not take before the seed is decoded
                assert str(info.value).startswith('otp_secret ') and str(info.value).endswith(', which is not accepted.')
            else:
                assert str(info.value) == str(exc) + '.'
        return
    assert valid, text
    assert len(code) == 6 and code.isdigit()


# -- NAS paths ------------------------------------------------------------------------------------------------

SEGMENTS = st.sampled_from(['', '.', '..', '...', 'volume1', 'volume12', 'volume', 'volumeX', 'Volume1', 'volume１', 'abb',
                            'a b', 'é', '日本', 'x' * 255, 'x' * 256, 'é' * 128, '\x00', 'a\nb', '\x7f', '\x85', ' ', '~']) | TEXT
PATHISH = st.builds(lambda lead, segments, tail: lead + '/'.join(segments) + tail,
                    st.sampled_from(['/', '/', '/', '', '//', '/volume1/']), st.lists(SEGMENTS, max_size=6), st.sampled_from(['', '', '/', '//']))
PATH_VALUES = (PATHISH | TEXT | BROKEN_TEXT.map(lambda t: '/volume1/abb/' + t) | st.none() | st.integers() | st.lists(TEXT, max_size=2)
               | st.just('/volume1/abb/' + '/'.join(['d' * 200] * 21)))
OPTION = st.sampled_from(['root_path', 'paths'])


@PURE
@given(PATH_VALUES, OPTION)
def test_any_path_is_checked_or_refused_naming_the_option(path, option):
    try:
        checked = check_path(path, option)
    except DsmInputError as exc:
        text = str(exc)
        assert text.startswith(option + ': ')
        assert len(text) < 3000, 'a long path is shortened in the message'
        return
    assert isinstance(path, str)
    assert not any(0xD800 <= ord(ch) <= 0xDFFF for ch in path), 'text that is not valid Unicode is refused'
    assert checked in (path, path[:-1]) and not checked.endswith('/')
    segments = checked.split('/')
    assert segments[0] == '' and re.match(r'^volume[0-9]+\Z', segments[1]) and len(segments) >= 3
    assert all(segments[1:]), 'no empty segment'
    assert '..' not in segments and '.' not in segments
    assert not any(ord(ch) < 32 or ord(ch) == 127 for ch in checked), 'no NUL or other control character'
    assert len(checked.encode('utf-8')) <= 4095 and all(len(s.encode('utf-8')) <= 255 for s in segments)
    assert check_path(checked, option) == checked, 'a checked path passes again unchanged'


NAME_TEXT = st.text(alphabet=st.characters(blacklist_categories=('Cs', 'Cc'), blacklist_characters='/'), min_size=1, max_size=20)


@PURE
@given(st.integers(min_value=1, max_value=99), st.lists(NAME_TEXT.filter(lambda s: s not in ('.', '..')), min_size=1, max_size=5),
       st.booleans())
def test_every_well_formed_path_is_accepted_as_given(volume, segments, slash):
    path = '/volume%d/%s' % (volume, '/'.join(segments))
    assert check_path(path + ('/' if slash else ''), 'root_path') == path


# -- answers that once escaped as bare Python exceptions -----------------------------------------------------

class Replay(object):
    """Answers each request with the next of ``bodies`` (JSON bytes)."""

    def __init__(self, *bodies):
        self.bodies = list(bodies)

    def post(self, url, body, headers):
        return HttpAnswer(200, JSON_CT, self.bodies.pop(0))

    def close(self):
        pass


def test_an_info_path_that_is_not_a_string_is_not_adopted():
    client = make_client(Replay(json_bytes({'success': True, 'data': {ABB: {'path': ['x.cgi'], 'maxVersion': 1}, AUTH: {'path': 'entry.cgi'}}}),
                                json_bytes({'success': True, 'data': {'sid': LOGIN_SIDS[0]}}),
                                json_bytes({'success': True, 'data': {'shares': []}})))
    client.discover()
    assert client.call(ABB, 'list') == {'shares': []}


@pytest.mark.parametrize('data', [True, [1], 'sid', 5])
def test_a_login_answer_whose_data_is_not_an_object_is_a_typed_error(data):
    with pytest.raises(TransportError) as info:
        make_client(Replay(json_bytes({'success': True, 'data': data}))).login()
    check_error(info.value, HOST, AUTH, 'login')


def test_close_after_info_dropped_auth_does_not_raise():
    warnings = []
    client = make_client(Replay(json_bytes({'success': True, 'data': {'sid': LOGIN_SIDS[0]}}),
                                json_bytes({'success': False, 'error': {'code': 102}}),
                                json_bytes({'success': True, 'data': {ABB: {'path': 'entry.cgi'}}}),
                                json_bytes({'success': True, 'data': {}})), warnings=warnings)
    client.call(ABB, 'list')
    client.close()
    assert len(warnings) == 1 and HOST in warnings[0]


@pytest.mark.parametrize('data', [True, [1], 'x', 5])
def test_an_info_answer_whose_data_is_not_an_object_is_a_typed_error(data):
    with pytest.raises(TransportError) as info:
        make_client(Replay(json_bytes({'success': True, 'data': data}))).discover()
    check_error(info.value, HOST, INFO, 'query')


def test_an_infinite_info_version_is_no_version():
    client = make_client(Replay(b'{"success": true, "data": {"SYNO.API.Auth": {"path": "entry.cgi", "maxVersion": 1e999}}}'))
    assert isinstance(client.discover(), dict)


def test_a_storage_with_a_byte_count_beyond_a_float_is_described():
    assert 'bytes' in describe_data({'dedup_size': 10 ** 400, 'device_info': {'pc_size': '1' + '0' * 400}})
