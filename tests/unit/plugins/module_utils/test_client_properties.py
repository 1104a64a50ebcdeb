# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Property tests (hypothesis) of the pure parts of the client: the parameter encoder, the answer
parser and the error mapper of _errors (code tables, hints, messages, masking).

The strategies defined here are shared with test_fuzz.py, which drives whole clients.
"""

from __future__ import annotations

import json
import os
import re

from urllib.parse import parse_qsl

import pytest

from ansible_collections.syno.activebackup.plugins.module_utils import _errors
from ansible_collections.syno.activebackup.plugins.module_utils._transport import HttpAnswer
from ansible_collections.syno.activebackup.plugins.module_utils._wire import (
    api_fields, encode_form, encode_value, error_code, error_details, parse_answer,
)
from ansible_collections.syno.activebackup.plugins.module_utils._errors import (
    AbbNotInstalled, DsmApiError, DsmAuthError, DsmError, DsmInputError, SessionExpired, TransportError,
    WriteOutcomeUnknown, describe, mask,
)

hypothesis = pytest.importorskip('hypothesis')
st = pytest.importorskip('hypothesis.strategies')
given = hypothesis.given
settings = hypothesis.settings

# SYNO_FUZZ_SCALE=N multiplies the number of examples for a longer hunt.
SCALE = int(os.environ.get('SYNO_FUZZ_SCALE') or 1)


def profile(examples):
    """The suite runs derandomized (the same examples every run), without an example database and
    deadline (shared CI cores). A longer hunt (SYNO_FUZZ_SCALE > 1) draws new examples each run;
    pytest --hypothesis-seed=N repeats one."""
    return settings(max_examples=examples * SCALE, deadline=None, derandomize=SCALE == 1, database=None)


SETTINGS = profile(100)

# -- strategies --------------------------------------------------------------------------------------

# Text as JSON and Ansible carry it: any code point but lone surrogates (text that is not valid
# Unicode has a property of its own).
TEXT = st.text(alphabet=st.characters(blacklist_categories=('Cs',)), max_size=40)
BROKEN_TEXT = st.builds(lambda a, s, b: 'value-' + a + s + b, TEXT, st.characters(whitelist_categories=('Cs',)), TEXT)
# Text with the characters that matter to a form body and to JSON.
FORM_TEXT = st.text(alphabet=st.sampled_from(list(' %&=+?#/\\"\'\x00\n\t;,:{}[]') + ['é', '日', '\U0001f600', 'a', 'Z', '0']),
                    max_size=30)
ANY_TEXT = TEXT | FORM_TEXT
INTS = st.integers(min_value=-2 ** 63, max_value=2 ** 64)
SCALARS = st.none() | st.booleans() | INTS | ANY_TEXT | st.floats(allow_nan=False, allow_infinity=False)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=4),
                      max_leaves=12)
NAMES = st.text(alphabet='abcdefghijklmnopqrstuvwxyz_', min_size=1, max_size=12).filter(
    lambda n: n not in ('api', 'version', 'method', '_sid'))

# Every code some table knows, and the codes the client treats specially.
KNOWN_CODES = sorted(set(_errors.COMMON_ERRORS) | set(_errors.AUTH_ERRORS) | set(_errors.ABB_ERRORS) | set(_errors.HINTS)
                     | set(_errors.SESSION_CODES) | set(_errors.BUSY_CODES) | set(_errors.DISCOVERY_CODES) | {408})
CODES = st.sampled_from(KNOWN_CODES) | st.integers(min_value=-1000, max_value=100000) | INTS
APIS = st.sampled_from([_errors.AUTH_API, _errors.ABB_API, _errors.INFO_API, _errors.COMPOUND_API]) | TEXT
# What DSM (or something in its place) may put where an error code belongs.
CODE_VALUES = (CODES | CODES.map(str) | CODES.map(lambda c: ' %d\n' % c) | st.floats(allow_nan=False, allow_infinity=False)
               | st.sampled_from([float('inf'), float('-inf'), float('nan'), 1e300])
               | st.booleans() | st.none() | ANY_TEXT | st.lists(SCALARS, max_size=2) | st.dictionaries(TEXT, SCALARS, max_size=2))

# Values planted in answers that must never show in a message (the client knows them as secrets).
PASSWORD = 'Adm1n-Secret!'
GIVEN_SID = 'given-sid-0123456789'
GIVEN_TOKEN = 'given-token-0123'
PLANTED = [PASSWORD, GIVEN_SID, GIVEN_TOKEN]
SECRET_KEYS = sorted(_errors.SECRET_KEYS) + ['Token', 'SID', 'Passwd']
# DSM's ``errors`` member: anything, or an object with the keys the mapper looks at, and secret keys
# holding secrets (the 403 answer of a 2FA login carries a pending-login token).
ERRORS = VALUES | st.builds(lambda plain, secret: dict(plain, **secret),
                            st.dictionaries(st.sampled_from(['name', 'reason', 'path', 'line']) | TEXT, VALUES, max_size=4),
                            st.dictionaries(st.sampled_from(SECRET_KEYS), st.sampled_from(PLANTED) | VALUES, max_size=2))
ERROR_MEMBER = (st.fixed_dictionaries({'code': CODE_VALUES}, optional={'errors': ERRORS}) | CODE_VALUES | VALUES
                | st.fixed_dictionaries({}, optional={'errors': ERRORS}))
FAILED = st.fixed_dictionaries({'success': st.just(False)}, optional={'error': ERROR_MEMBER, 'errors': ERRORS})
SUCCEEDED = st.fixed_dictionaries({'success': st.just(True)}, optional={'data': VALUES, 'error': ERROR_MEMBER})
DSM_SHAPED = FAILED | SUCCEEDED


def json_bytes(value):
    return json.dumps(value).encode('utf-8')


HTML = st.builds(lambda title, tail: ('<html><head><title>%s</title></head><body>%s</body></html>' % (title, tail)).encode('utf-8'),
                 TEXT, TEXT)
BODIES = st.binary(max_size=300) | VALUES.map(json_bytes) | DSM_SHAPED.map(json_bytes) | HTML | st.sampled_from(
    [b'', b' \n', b'null', b'{}', b'[]', b'{"success": "true"}', b'{"success": 1}', b'\xef\xbb\xbf{"success": true}',
     b'{"success": true, "data": NaN}', b'{"success": false, "error": {"code": -0}}', b'1' * 5000, b'[' * 100000,
     b'{"a": ' * 50000, b'{"success": false, "error": {"code": 1e999}}', b'{"success": false, "error": -Infinity}'])
STATUSES = st.sampled_from([200] * 6 + [204, 301, 302, 401, 403, 404, 500, 502, 503]) | st.integers(min_value=100, max_value=599)
HEADERS = st.sampled_from([{}, {'Content-Type': 'application/json'}, {'content-type': 'text/html; charset=UTF-8'},
                           {'Content-Type': 'application/json; charset="UTF-8"', 'X-Other': 'x'}])
ANSWERS = st.builds(HttpAnswer, STATUSES, HEADERS, BODIES)

HOSTS = st.sampled_from(['nas', 'nas.example.com', '192.0.2.7', '[2001:db8::1]:5001', 'nas:8443']) | TEXT


def where(api, method, host):
    return '%s.%s on %s failed: ' % (api, method, host)


def int_of(value):
    """What a code means as an int, when it plainly is one (None when it plainly is not).

    'unknown' where the client may read it either way: a float or a boolean (int() takes both), a
    string int() takes besides plain decimals ('1_0', non-ASCII digits).
    """
    if value is None or isinstance(value, (list, dict)):
        return None
    if isinstance(value, bool):
        return 'unknown'
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.match(r'^-?[0-9]+$', value.strip()):
        return int(value)
    return 'unknown'


# -- the encoder ---------------------------------------------------------------------------------------

@SETTINGS
@given(st.dictionaries(NAMES, VALUES.filter(lambda v: v is not None), max_size=5))
def test_every_value_survives_the_form_as_json(params):
    body = encode_form(api_fields('SYNO.ActiveBackup.Share', 'm', 1, params))
    assert '+' not in body and ' ' not in body
    body.encode('ascii')  # everything outside ASCII is percent-encoded
    pairs = parse_qsl(body, keep_blank_values=True, strict_parsing=True)
    assert [k for k, v in pairs[:3]] == ['api', 'version', 'method']
    decoded = dict((k, json.loads(v)) for k, v in pairs[3:])
    assert decoded == params
    # type for type: True stays true (not 1), 1 stays 1 (not 1.0 or "1"), "1" stays a string
    assert [type(decoded[k]) for k in params] == [type(v) for v in params.values()]


@SETTINGS
@given(ANY_TEXT, INTS, st.booleans(), st.lists(ANY_TEXT, max_size=5), st.dictionaries(ANY_TEXT, ANY_TEXT | INTS, max_size=4))
def test_each_kind_of_value_round_trips_exactly(text, number, flag, texts, mapping):
    params = {'s': text, 'i': number, 'b': flag, 'l': texts, 'd': mapping, 'n': None}
    fields = api_fields('SYNO.ActiveBackup.Share', 'list_file', 1, params)
    assert [k for k, dummy in fields] == ['api', 'version', 'method', 's', 'i', 'b', 'l', 'd'], 'None is not sent'
    pairs = parse_qsl(encode_form(fields), keep_blank_values=True, strict_parsing=True)
    got = dict(pairs)
    assert got['s'] == encode_value(text) and json.loads(got['s']) == text
    assert json.loads(got['i']) == number and got['i'] == str(number)
    assert got['b'] == ('true' if flag else 'false')
    assert json.loads(got['l']) == texts
    assert json.loads(got['d']) == mapping


@SETTINGS
@given(ANY_TEXT, ANY_TEXT, st.sampled_from(['SYNO.ActiveBackup.Share', 'SYNO.Entry.Request']), FORM_TEXT)
def test_envelope_fields_are_sent_bare_and_exact(sid, token, api, method):
    fields = api_fields(api, method, 1, {'_sid': sid, 'SynoToken': token, 'x': sid})
    pairs = parse_qsl(encode_form(fields), keep_blank_values=True, strict_parsing=True)
    assert pairs[:3] == [('api', api), ('version', '1'), ('method', method)]
    assert dict(pairs[3:]) == {'_sid': sid, 'SynoToken': token, 'x': encode_value(sid)}


@SETTINGS
@given(st.sampled_from(['root_path', 'share_name', 'paths', 'passwd']), BROKEN_TEXT, st.booleans())
def test_text_that_is_not_valid_unicode_is_a_typed_input_error_naming_the_field_not_the_value(name, value, in_list):
    with pytest.raises(DsmInputError) as info:
        encode_form(api_fields('SYNO.ActiveBackup.Share', 'm', 1, {name: [value] if in_list else value}))
    text = str(info.value)
    assert text.startswith(name + ': ')
    assert 'value-' not in text, 'the value (it may be a password) is not shown'


# -- the parser ----------------------------------------------------------------------------------------

@SETTINGS
@given(ANSWERS, TEXT, APIS, TEXT)
def test_any_answer_is_a_dsm_answer_or_a_transport_error(answer, host, api, method):
    try:
        data = parse_answer(answer, host, api, method)
    except TransportError as exc:
        assert isinstance(str(exc), str)
        assert str(exc).startswith(where(api, method, host))
        assert (exc.host, exc.api, exc.method) == (host, api, method)
        assert exc.retryable and exc.sent
        if answer.status != 200:
            assert 'HTTP status %s' % answer.status in str(exc)
        return
    assert answer.status == 200
    assert isinstance(data, dict) and isinstance(data['success'], bool)
    assert data == json.loads(answer.body.decode('utf-8', 'replace'))


@SETTINGS
@given(VALUES)
def test_any_json_is_a_dsm_answer_or_a_transport_error(value):
    answer = HttpAnswer(200, {}, json.dumps(value).encode('utf-8'))
    try:
        data = parse_answer(answer, 'nas', 'SYNO.X', 'm')
    except TransportError:
        assert not (isinstance(value, dict) and isinstance(value.get('success'), bool))
        return
    assert data == value
    if not data['success']:
        code = error_code(data)
        assert code is None or isinstance(code, int)
        exc = DsmApiError.from_answer('nas', 'SYNO.X', 'm', code, data.get('errors'))
        assert str(exc).startswith('SYNO.X.m on nas failed: ')


# -- the error mapper ----------------------------------------------------------------------------------

def check_error(exc, host, api, method, secrets=tuple(PLANTED)):
    """What every error the client raises promises: safe, complete, serialisable."""
    assert isinstance(exc, DsmError)
    text = str(exc)
    assert isinstance(text, str) and text
    assert host in text, text
    assert '%s.%s' % (api, method) in text, text
    for secret in secrets:
        assert secret not in text, text
    result = exc.to_result()
    assert isinstance(result, dict)
    dumped = json.dumps(result)
    for secret in secrets:
        assert secret not in dumped
    return text


@SETTINGS
@given(DSM_SHAPED, HOSTS, APIS, TEXT, st.sampled_from([DsmApiError, DsmAuthError]), st.none() | TEXT)
def test_every_failed_answer_maps_to_a_typed_error_naming_host_api_method(body, host, api, method, cls, context):
    data = parse_answer(HttpAnswer(200, {}, json_bytes(body)), host, api, method)
    if data['success']:
        return
    code = error_code(data)
    raw = body.get('error')
    raw = raw.get('code') if isinstance(raw, dict) else raw
    expected = int_of(raw)
    assert code is None or (isinstance(code, int) and not isinstance(code, bool))
    if expected != 'unknown':
        assert code == expected, (raw, code)
    details = error_details(data)
    exc = cls.from_answer(host, api, method, code, details, context=context)
    assert exc.__class__ is cls and isinstance(exc, DsmApiError)
    text = check_error(exc, host, api, method)
    assert text.startswith(where(api, method, host))
    assert exc.code == code
    meaning = describe(api, code)
    if code is None:
        assert 'with no error code' in text
    elif meaning:
        assert 'error %s (%s)' % (code, meaning) in text
    else:
        assert 'error %s (no description known for this code)' % code in text
    hint = _errors.HINTS.get(code)
    assert exc.hint == hint
    if hint:
        assert text.endswith(hint)
    if context:
        assert context in text
    if isinstance(details, dict) and details.get('reason') is not None:
        assert exc.reason == mask(details)['reason']
    else:
        assert exc.reason is None
    assert exc.to_result().get('meaning', meaning) == meaning


@SETTINGS
@given(HOSTS, APIS, TEXT, CODES | st.none(), ERRORS, st.none() | TEXT)
def test_from_answer_never_fails_and_masks_secret_keys(host, api, method, code, errors, context):
    exc = DsmApiError.from_answer(host, api, method, code, errors, context=context)
    text = check_error(exc, host, api, method)
    assert text.rstrip().endswith('.') or exc.hint
    assert exc.details == mask(errors)
    if isinstance(errors, dict) and isinstance(errors.get('name'), str) and errors['name']:
        assert ', parameter %s' % errors['name'] in text


@SETTINGS
@given(st.sampled_from([DsmError, DsmInputError, DsmApiError, DsmAuthError, SessionExpired, AbbNotInstalled,
                        TransportError, WriteOutcomeUnknown]),
       ANY_TEXT, st.none() | HOSTS, st.none() | APIS, st.none() | TEXT, st.none() | CODES, st.none() | VALUES,
       st.none() | ANY_TEXT)
def test_every_error_type_has_a_str_and_a_result(cls, message, host, api, method, code, details, hint):
    exc = cls(message, host=host, api=api, method=method, code=code, details=details, hint=hint)
    text = str(exc)
    assert isinstance(text, str)
    assert text == ('%s %s' % (message.rstrip(), hint) if hint else message)
    result = exc.to_result()
    for key, value in (('host', host), ('api', api), ('method', method), ('code', code)):
        assert result.get(key) == value
    if code is not None:
        assert result['meaning'] == describe(api, code)
    json.dumps(result)
    if cls is TransportError:
        assert exc.retryable is True and exc.sent is True


@SETTINGS
@given(st.sampled_from([None, 'tls', 'connect', 'io', 'timeout']), st.booleans())
def test_transport_errors_are_retryable_unless_tls(kind, sent):
    exc = TransportError('x', sent=sent, kind=kind)
    assert exc.retryable is (kind != 'tls') and exc.sent is sent


# Every SYNO.ActiveBackup.* API (contract 15: ABB's table applies to each), and names that only look alike.
ABB_APIS = st.sampled_from(['SYNO.ActiveBackup.Task', 'SYNO.ActiveBackup.Device', 'SYNO.ActiveBackup.Version',
                            'SYNO.ActiveBackup.Log', 'SYNO.ActiveBackup.Setting', 'SYNO.ActiveBackup.Overview'])
ABB_LOOKALIKES = st.sampled_from(['SYNO.ActiveBackup', 'syno.activebackup.Task', 'SYNO.ActiveBackupX.Task',
                                  'XSYNO.ActiveBackup.Task', 'SYNO.DSM.Info'])


@SETTINGS
@given(APIS | ABB_APIS | ABB_LOOKALIKES, CODES | st.none())
def test_describe_uses_the_api_table_then_the_common_one(api, code):
    meaning = describe(api, code)
    own = _errors.API_ERRORS.get(api, {})
    abb = api.startswith('SYNO.ActiveBackup.')
    if code in own:
        assert meaning == own[code]
    elif abb and code in _errors.ABB_ERRORS:
        assert meaning == _errors.ABB_ERRORS[code]
    elif code in _errors.COMMON_ERRORS:
        assert meaning == _errors.COMMON_ERRORS[code]
    else:
        assert meaning is None


@pytest.mark.parametrize('api, code, meaning', [
    # SYNO.ActiveBackup.Share: its own table first, then ABB's, then the common one
    ('SYNO.ActiveBackup.Share', 1026, 'The storage exists already'),
    ('SYNO.ActiveBackup.Share', 1010, 'No such task'),
    ('SYNO.ActiveBackup.Share', 105, 'The logged in session does not have permission'),
    # ABB's table overrides the common meaning of 120 for every ABB API
    ('SYNO.ActiveBackup.Share', 120, 'Invalid parameter (ABB answers it for a missing or malformed required parameter)'),
    ('SYNO.ActiveBackup.Task', 120, 'Invalid parameter (ABB answers it for a missing or malformed required parameter)'),
    ('SYNO.API.Auth', 120, 'Invalid parameter'),
    ('SYNO.ActiveBackup.Task', 4007, 'Another backup of the task is running'),
    ('SYNO.ActiveBackup.Task', 5001, 'The device is offline'),
    ('SYNO.ActiveBackup.Version', 1010, 'No such task'),
    ('SYNO.ActiveBackup.Log', 1031, 'Timeout inside Active Backup for Business'),
    ('SYNO.ActiveBackup.Task', 119, 'SID not found (invalid or expired session)'),
    # the Share table is the Share API's only
    ('SYNO.ActiveBackup.Task', 1026, None),
    ('SYNO.ActiveBackup.Task', 3047, None),
    # ABB codes mean nothing to other APIs
    ('SYNO.DSM.Info', 1001, None),
    ('SYNO.API.Auth', 4007, None),
    ('SYNO.API.Auth', 400, 'No such account or incorrect password'),
    ('SYNO.ActiveBackup.Task', 400, None),
    ('SYNO.ActiveBackupX', 1001, None),
])
def test_describe_examples(api, code, meaning):
    assert describe(api, code) == meaning


# ('*' is the mask itself.)
SECRET = st.text(alphabet=st.characters(blacklist_categories=('Cs',), blacklist_characters='*'), min_size=4, max_size=20)


@SETTINGS
@given(SECRET, VALUES)
def test_mask_leaves_no_secret_in_any_structure(secret, value):
    def plant(v):
        if isinstance(v, str):
            return v + secret
        if isinstance(v, list):
            return [plant(x) for x in v] + [secret]
        if isinstance(v, dict):
            return dict((k, plant(x)) for k, x in v.items())
        return v
    masked = mask(plant(value), [secret])
    # (every string, keys too; not json.dumps, whose escapes such as \u0000 may spell a secret of digits)
    assert not any(secret in text for text in strings_of(masked))


def strings_of(value):
    """Every string in ``value``, keys included."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [t for item in value for t in strings_of(item)]
    if isinstance(value, dict):
        return [t for key, item in value.items() for t in strings_of(key) + strings_of(item)]
    return []


@SETTINGS
@given(VALUES, st.sampled_from(SECRET_KEYS), VALUES.filter(lambda v: v not in (None, '')))
def test_values_under_secret_keys_are_masked_at_any_depth(value, key, secret):
    def plant(v):
        if isinstance(v, list):
            return [plant(x) for x in v]
        if isinstance(v, dict):
            out = dict((k, plant(x)) for k, x in v.items())
            out[key] = secret
            return out
        return v
    planted = {'outer': plant(value), key: secret}
    masked = mask(planted)

    def check(v):
        if isinstance(v, list):
            for x in v:
                check(x)
        elif isinstance(v, dict):
            for k, x in v.items():
                if k == key:
                    assert x == _errors.MASK
                else:
                    check(x)
    check(masked)
    assert planted['outer'] == plant(value), 'the input is not changed'


# -- answers and values that once escaped as bare Python exceptions ----------------------------------------

def test_deeply_nested_json_is_a_transport_error():
    with pytest.raises(TransportError) as info:
        parse_answer(HttpAnswer(200, {}, b'[' * 100000), 'nas', 'SYNO.X', 'm')
    assert str(info.value).startswith('SYNO.X.m on nas failed: ')


@pytest.mark.parametrize('body', [b'{"success": false, "error": {"code": 1e999}}', b'{"success": false, "error": -Infinity}',
                                  b'{"success": false, "error": {"code": NaN}}'])
def test_an_infinite_error_code_is_no_code(body):
    assert error_code(parse_answer(HttpAnswer(200, {}, body), 'nas', 'SYNO.X', 'm')) is None


def test_a_known_secret_used_as_a_key_is_masked():
    assert 'sid-0123456789' not in json.dumps(mask({'sid-0123456789': 1}, ['sid-0123456789']))
