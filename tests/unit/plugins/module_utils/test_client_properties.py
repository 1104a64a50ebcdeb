# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Property tests of the encoder and the answer parser (hypothesis)."""

from __future__ import annotations

import json

import pytest

from urllib.parse import parse_qsl

from ansible_collections.syno.activebackup.plugins.module_utils._client import (
    HttpAnswer, api_fields, encode_form, error_code, parse_answer,
)
from ansible_collections.syno.activebackup.plugins.module_utils._errors import DsmApiError, TransportError, mask

hypothesis = pytest.importorskip('hypothesis')
st = pytest.importorskip('hypothesis.strategies')
given = hypothesis.given
settings = hypothesis.settings

SETTINGS = settings(max_examples=100, deadline=None, derandomize=True)

# JSON values as Python builds them: no NaN/inf (DSM's JSON has none), no lone surrogates.
TEXT = st.text(alphabet=st.characters(blacklist_categories=('Cs',)), max_size=40)
SCALARS = st.none() | st.booleans() | st.integers(min_value=-2 ** 63, max_value=2 ** 64) | TEXT | \
    st.floats(allow_nan=False, allow_infinity=False)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
                      max_leaves=12)
NAMES = st.text(alphabet='abcdefghijklmnopqrstuvwxyz_', min_size=1, max_size=12).filter(
    lambda n: n not in ('api', 'version', 'method', '_sid'))


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


@SETTINGS
@given(st.binary(max_size=300), st.sampled_from([200, 200, 200, 302, 404, 500, 502]))
def test_any_body_is_a_dsm_answer_or_a_transport_error(body, status):
    answer = HttpAnswer(status, {'Content-Type': 'application/json'}, body)
    try:
        data = parse_answer(answer, 'nas', 'SYNO.X', 'm')
    except TransportError as exc:
        assert str(exc).startswith('SYNO.X.m on nas failed: ')
        return
    assert status == 200
    assert isinstance(data, dict) and isinstance(data['success'], bool)


@SETTINGS
@given(VALUES)
def test_any_json_is_a_dsm_answer_or_a_transport_error(value):
    answer = HttpAnswer(200, {}, json.dumps(value).encode('utf-8'))
    try:
        data = parse_answer(answer, 'nas', 'SYNO.X', 'm')
    except TransportError:
        assert not (isinstance(value, dict) and isinstance(value.get('success'), bool))
        return
    if not data['success']:
        code = error_code(data)
        assert code is None or isinstance(code, int)
        exc = DsmApiError.from_answer('nas', 'SYNO.X', 'm', code, data.get('errors'))
        assert str(exc).startswith('SYNO.X.m on nas failed: ')


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
    assert secret not in json.dumps(masked, ensure_ascii=False)
