# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""_inputs: the checks of since, limit, task names and ids, and enumeration names, made before any request."""

from __future__ import annotations

import pytest

from ansible_collections.syno.activebackup.plugins.module_utils import _inputs
from ansible_collections.syno.activebackup.plugins.module_utils._api import LOG_LEVELS, RESULT_STATUSES
from ansible_collections.syno.activebackup.plugins.module_utils._errors import DsmInputError
from ansible_collections.syno.activebackup.plugins.module_utils._inputs import (
    check_limit,
    check_name,
    check_one_task,
    check_task_id,
    numbers_of,
    parse_since,
)

# 2024-12-04T02:40:00.5Z: a clock with a fraction (durations count from its whole seconds).
NOW = 1733280000.5
MIDNIGHT = 1733270400  # 2024-12-04T00:00:00Z
EXAMPLES = '1733270400, 2024-12-04T00:00:00Z, 2024-12-04 or 24h'


# -- since ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize('value, expected', [
    (None, None),
    # epoch seconds, as an int, a float or text
    (1700000000, 1700000000),
    (1700000000.7, 1700000000),
    ('1700000000', 1700000000),
    (' 1700000000\n', 1700000000),
    (0, 0),
    ('0', 0),
    (MIDNIGHT, MIDNIGHT),
    # ISO 8601: Z, an offset, no offset (UTC), a date only
    ('2024-12-04T00:00:00Z', MIDNIGHT),
    ('2024-12-04T00:00:00z', MIDNIGHT),
    ('2024-12-04T00:00:00+00:00', MIDNIGHT),
    ('2024-12-04T01:00:00+01:00', MIDNIGHT),
    ('2024-12-03T19:00:00-05:00', MIDNIGHT),
    ('2024-12-04T00:00:00', MIDNIGHT),
    ('2024-12-04 00:00:00', MIDNIGHT),
    ('2024-12-04T00:00:00.999', MIDNIGHT),
    ('2024-12-04', MIDNIGHT),
    (' 2024-12-04 ', MIDNIGHT),
    ('1970-01-01T00:00:00Z', 0),
    # durations back from now (whole seconds of the clock)
    ('90m', 1733280000 - 90 * 60),
    ('24h', 1733280000 - 24 * 3600),
    ('7d', 1733280000 - 7 * 86400),
    ('2w', 1733280000 - 2 * 604800),
    (' 7 d ', 1733280000 - 7 * 86400),
    ('0m', 1733280000),
    ('5199w', 1733280000 - 5199 * 604800 if 1733280000 - 5199 * 604800 >= 0 else 'before'),
])
def test_parse_since(value, expected):
    if expected == 'before':
        with pytest.raises(DsmInputError, match='before 1970'):
            parse_since(value, NOW)
        return
    got = parse_since(value, NOW)
    assert got == expected
    assert got is None or (isinstance(got, int) and not isinstance(got, bool))


@pytest.mark.parametrize('value', [NOW + 60, int(NOW) + 60, '%d' % (NOW + 60)])
def test_since_up_to_a_minute_ahead_is_taken_as_now(value):
    """A clock a little ahead of the controller's is no future time."""
    assert parse_since(value, NOW) == int(float(value))


@pytest.mark.parametrize('value, shown', [
    (int(NOW) + 61, str(int(NOW) + 61)),
    ('999999999999', "'999999999999'"),
    ('2030-01-01', "'2030-01-01'"),
    ('2024-12-04T04:00:00+01:00', "'2024-12-04T04:00:00+01:00'"),
    ('2024-12-05T00:00:00Z', "'2024-12-05T00:00:00Z'"),
    (10 ** 30, str(10 ** 30)),
    (1e300, '1e+300'),
])
def test_since_in_the_future_fails(value, shown):
    with pytest.raises(DsmInputError) as info:
        parse_since(value, NOW)
    msg = str(info.value)
    assert msg.startswith('since %s is in the future (' % shown)
    assert 'give a time in the past or a duration such as 24h' in msg


def test_since_in_the_future_says_when_in_utc():
    with pytest.raises(DsmInputError) as info:
        parse_since('2030-01-01T12:30:00Z', NOW)
    assert '(2030-01-01 12:30:00 UTC)' in str(info.value)


@pytest.mark.parametrize('value', [
    'yesterday', '', ' ', '24H', '24 hours', '1.5d', '-5', '2024-13-01', '2024-12-32', '2024-12-04T25:00:00',
    '1234567890123', 'h', 'd7', '7dd', 'now', '2024/12/04', [1], {'a': 1}, float('inf'), float('-inf'),
    float('nan'), 10 ** 400,
])
def test_since_that_parses_to_nothing_fails(value):
    with pytest.raises(DsmInputError) as info:
        parse_since(value, NOW)
    msg = str(info.value)
    assert msg.startswith('since ')
    assert 'is neither epoch seconds, an ISO 8601 date-time nor a duration' in msg or 'is in the future' in msg
    if 'neither' in msg:
        assert 'give for example %s (units m, h, d, w).' % EXAMPLES in msg
    assert len(msg) < 400


def test_since_that_parses_to_nothing_is_named_with_the_option():
    with pytest.raises(DsmInputError) as info:
        parse_since('soon', NOW, option='after')
    assert str(info.value).startswith("after 'soon' is neither epoch seconds")


@pytest.mark.parametrize('value', [True, False])
def test_since_bool_fails(value):
    with pytest.raises(DsmInputError) as info:
        parse_since(value, NOW)
    assert str(info.value) == ('since must be epoch seconds, an ISO 8601 date-time or a duration such as 24h (got %r).'
                               % value)


@pytest.mark.parametrize('value', ['24h\x00', 'a\nb', '2024-12-04\x00T00:00', '7\x01d', '2\x7fw'])
def test_since_with_control_characters_fails_naming_them(value):
    with pytest.raises(DsmInputError) as info:
        parse_since(value, NOW)
    assert 'contains a control character' in str(info.value)


@pytest.mark.parametrize('value', ['5200w', '5201w', '99999999999999999999d', '999999999999999999999999999999m',
                                   '40000d', -5, -1])
def test_huge_durations_and_negative_epochs_fail_before_1970(value):
    with pytest.raises(DsmInputError) as info:
        parse_since(value, NOW)
    assert str(info.value).startswith('since ')
    assert 'is before 1970; give a later time.' in str(info.value)


@pytest.mark.parametrize('value, expected', [(' 24h\n', 1733280000 - 86400), ('\t2024-12-04\r\n', MIDNIGHT)])
def test_since_surrounding_whitespace_is_ignored(value, expected):
    assert parse_since(value, NOW) == expected


def test_a_huge_text_is_cut_in_the_message():
    with pytest.raises(DsmInputError) as info:
        parse_since('x' * 100000, NOW)
    assert len(str(info.value)) < 400
    assert '(100000 characters)' in str(info.value)


def test_since_int_too_long_to_show_fails_cleanly():
    """An int too long for str() (over 4300 digits) is refused and named by its digits, never a traceback."""
    with pytest.raises(DsmInputError) as info:
        parse_since(10 ** 5000, NOW)
    msg = str(info.value)
    assert msg.startswith('since a number of about 5001 digits is in the future')
    assert len(msg) < 400


# -- limit, task_id, names -------------------------------------------------------------------------------

@pytest.mark.parametrize('value, expected', [(None, None), (1, 1), (100, 100), (100000, 100000), ('12', 12), (7.0, 7)])
def test_check_limit_accepts(value, expected):
    assert check_limit(value) == expected


@pytest.mark.parametrize('value, msg', [
    (0, 'limit must be at least 1 (got 0); leave it out to get every entry.'),
    (-1, 'limit must be at least 1 (got -1); leave it out to get every entry.'),
    (-5, 'limit must be at least 1 (got -5); leave it out to get every entry.'),
    (100001, 'limit must be between 1 and 100000 (got 100001).'),
    (10 ** 12, 'limit must be between 1 and 100000 (got 1000000000000).'),
    (10 ** 400, 'limit must be between 1 and 100000 (got a number of 401 digits).'),
    (-10 ** 400, 'limit must be between 1 and 100000 (got a number of 401 digits).'),
    (True, 'limit must be a whole number (got True).'),
    (1.5, 'limit must be a whole number (got 1.5).'),
])
def test_check_limit_refuses(value, msg):
    with pytest.raises(DsmInputError) as info:
        check_limit(value)
    assert str(info.value) == msg


def test_check_limit_names_its_option():
    with pytest.raises(DsmInputError) as info:
        check_limit(0, option='count')
    assert str(info.value).startswith('count must be at least 1 (got 0)')


@pytest.mark.parametrize('value, expected', [(None, None), (1, 1), (2 ** 31 - 1, 2 ** 31 - 1), ('7', 7)])
def test_check_task_id_accepts(value, expected):
    assert check_task_id(value) == expected


@pytest.mark.parametrize('value', [0, -1, 2 ** 31, 10 ** 400])
def test_check_task_id_refuses(value):
    with pytest.raises(DsmInputError) as info:
        check_task_id(value)
    assert str(info.value).startswith('task_id must be between 1 and 2147483647')


@pytest.mark.parametrize('value', ['pc-daily', 'Ünïcødé task 日本', ' padded ', 'x' * 1024, "it's \"quoted\"", '123'])
def test_check_name_keeps_the_name_as_given(value):
    assert check_name(value, 'name') == value


@pytest.mark.parametrize('value, words', [
    ('', "name must be a non-empty name (got '')."),
    ('   ', "name must be a non-empty name (got '   ')."),
    (5, 'name must be a non-empty name (got 5).'),
    (['a'], "name must be a non-empty name (got ['a'])."),
    ('a\x00b', "name 'a\\x00b' contains a control character"),
    ('a\nb', "name 'a\\nb' contains a control character"),
    ('task\t', "name 'task\\t' contains a control character"),
    ('a\udcff', 'is not valid Unicode text'),
    ('x' * 1025, 'name is longer than 1024 characters (1025 given).'),
])
def test_check_name_refuses(value, words):
    with pytest.raises(DsmInputError) as info:
        check_name(value, 'name')
    assert words in str(info.value)


def test_check_name_none_stays_none():
    assert check_name(None, 'host_name') is None


# -- one task: by name or by id --------------------------------------------------------------------------

@pytest.mark.parametrize('params, required, expected', [
    ({'task_name': 'pc-daily'}, True, ('pc-daily', None)),
    ({'task_id': 3}, True, (None, 3)),
    ({'task_name': 'pc-daily', 'task_id': None}, False, ('pc-daily', None)),
    ({}, False, (None, None)),
    ({'task_name': None, 'task_id': None}, False, (None, None)),
])
def test_check_one_task(params, required, expected):
    assert check_one_task(params, required) == expected


@pytest.mark.parametrize('required', [True, False])
def test_check_one_task_refuses_both(required):
    with pytest.raises(DsmInputError) as info:
        check_one_task({'task_name': 'pc-daily', 'task_id': 3}, required)
    assert str(info.value) == 'give task_name or task_id, not both.'


def test_check_one_task_requires_one_when_asked():
    with pytest.raises(DsmInputError) as info:
        check_one_task({'task_name': None, 'task_id': None}, True)
    assert str(info.value) == 'give task_name (the name of the backup task) or task_id.'


def test_check_one_task_names_the_name_option():
    with pytest.raises(DsmInputError) as info:
        check_one_task({'name': 'a', 'task_id': 1}, True, name_option='name')
    assert str(info.value) == 'give name or task_id, not both.'


@pytest.mark.parametrize('params, words', [
    ({'task_name': ''}, 'task_name must be a non-empty name'),
    ({'task_name': 'a\x00'}, 'task_name'),
    ({'task_id': 0}, 'task_id must be between 1 and 2147483647 (got 0).'),
])
def test_check_one_task_checks_each_value(params, words):
    with pytest.raises(DsmInputError) as info:
        check_one_task(params, False)
    assert words in str(info.value)


# -- enumeration names -> DSM's numbers ------------------------------------------------------------------

@pytest.mark.parametrize('names, expected', [
    (None, None),
    (['failed'], [4]),
    (['failed', 'cancelled', 'partial'], [4, 5, 3]),
    (['none', 'incomplete', 'success', 'partial', 'failed', 'cancelled', 'no_backup'], [0, 1, 2, 3, 4, 5, 6]),
    (['Failed', ' success ', 'failed'], [4, 2]),
])
def test_numbers_of_statuses(names, expected):
    assert numbers_of(RESULT_STATUSES, names, 'status') == expected


def test_numbers_of_levels():
    assert numbers_of(LOG_LEVELS, ['error', 'warning', 'info'], 'level') == [0, 1, 2]


@pytest.mark.parametrize('names, shown', [(['bogus'], "'bogus'"), (['failed', 4], '4'), ([None], 'None'), ([''], "''")])
def test_numbers_of_refuses_unknown_names(names, shown):
    with pytest.raises(DsmInputError) as info:
        numbers_of(RESULT_STATUSES, names, 'status')
    assert str(info.value) == ('status: unknown name %s; choose from none, incomplete, success, partial, failed, '
                               'cancelled, no_backup.' % shown)


def test_numbers_of_refuses_an_empty_list_of_levels():
    with pytest.raises(DsmInputError) as info:
        numbers_of(LOG_LEVELS, [], 'level')
    assert str(info.value) == 'level is empty; leave it out to keep every level.'


def test_numbers_of_refuses_an_empty_list_of_statuses_in_words():
    with pytest.raises(DsmInputError) as info:
        numbers_of(RESULT_STATUSES, [], 'status')
    assert str(info.value) == 'status is empty; leave it out to keep every status.'


def test_constants():
    assert _inputs.MAX_LIMIT == 100000
    assert _inputs.MAX_NAME == 1024
