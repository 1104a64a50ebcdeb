# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The backup_health filter: every health, its order, the age boundary, the clock, bad input."""

from __future__ import annotations

import time

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.syno.activebackup.plugins.filter.backup_health import (
    HEALTH_ORDER,
    FilterModule,
    backup_health,
)

NOW = 1767225600  # 2026-01-01T00:00:00Z
HOUR = 3600
KEYS = {'task_id', 'task_name', 'health', 'reason', 'last_status_name', 'last_end', 'age_hours', 'running'}


def result(status=2, status_name=None, ended_hours_ago=3.0, errors=0, warnings=0, **extra):
    """A last_result as task_info returns it (status_name left out when None)."""
    out = {'result_id': 11, 'task_id': 1, 'task_name': 'Laptops', 'backup_type': 2, 'job_action': 1,
           'status': status, 'time_start': NOW - int((ended_hours_ago + 1) * HOUR),
           'time_end': NOW - int(ended_hours_ago * HOUR), 'success_count': 4, 'warning_count': warnings,
           'error_count': errors, 'none_count': 0, 'transfered_bytes': 123456789}
    if status_name is not None:
        out['status_name'] = status_name
    out.update(extra)
    return out


def task(last_result=None, running=False, progress=None, **extra):
    out = {'task_id': 1, 'task_name': 'Laptops', 'backup_type': 2, 'backup_type_name': 'pc',
           'last_result': last_result, 'running': running}
    if progress is not None:
        out['progress'] = progress
    out.update(extra)
    return out


def one(entry, **kwargs):
    kwargs.setdefault('now', NOW)
    out = backup_health([entry], **kwargs)
    assert len(out) == 1 and set(out[0]) == KEYS, out
    return out[0]


def test_the_filter_is_registered():
    assert FilterModule().filters() == {'backup_health': backup_health}


def test_ok():
    got = one(task(result(status=2, status_name='success', ended_hours_ago=3)))
    assert got == {'task_id': 1, 'task_name': 'Laptops', 'health': 'ok',
                   'reason': 'last run succeeded, ended 3 h ago', 'last_status_name': 'success',
                   'last_end': NOW - 3 * HOUR, 'age_hours': 3.0, 'running': False}


def test_never_ran():
    got = one(task(None))
    assert got['health'] == 'never'
    assert got['reason'] == 'never ran: the task has no backup result yet'
    assert (got['last_status_name'], got['last_end'], got['age_hours'], got['running']) == (None, None, None, False)


@pytest.mark.parametrize('missing', [{}, 'absent', 'not a dict'])
def test_never_ran_with_an_empty_or_absent_or_odd_last_result(missing):
    entry = task(None)
    if missing == 'absent':
        del entry['last_result']
    else:
        entry['last_result'] = missing
    assert one(entry)['health'] == 'never'


def test_running_first_run_says_there_is_no_previous_result():
    got = one(task(None, running=True, progress={'running_task_status': 1, 'percentage': 0.45}))
    assert got['health'] == 'running' and got['running'] is True
    assert got['reason'] == 'a backup is running now (45%); no previous result (first run)'
    assert got['last_status_name'] is None


def test_running_names_the_previous_result():
    got = one(task(result(status=3, ended_hours_ago=20, errors=1, warnings=2), running=True,
                   progress={'running_task_status': 1, 'percentage': 0.1}))
    assert got['health'] == 'running'
    assert got['reason'] == 'a backup is running now (10%); previous run: partial (1 error, 2 warnings), ended 20 h ago'
    assert got['last_status_name'] == 'partial' and got['age_hours'] == 20.0


@pytest.mark.parametrize('progress, running', [
    ({'running_task_status': 1, 'percentage': 0.5}, True),
    ({'running_task_status': 2}, True),
    ({'running_task_status': 0, 'pid': 4711}, True),
    ({'running_task_status': '1'}, True),
    ({'running_task_status': 0, 'pid': 0}, False),
    ({'running_task_status': 3, 'pid': 0}, False),
    ('busy', False),
])
def test_running_from_progress_when_the_task_has_no_running_flag(progress, running):
    entry = task(None, progress=progress)
    del entry['running']
    got = one(entry)
    assert got['running'] is running
    assert got['health'] == ('running' if running else 'never')


def test_the_running_flag_wins_over_progress():
    got = one(task(None, running=False, progress={'running_task_status': 1, 'pid': 12}))
    assert got['running'] is False and got['health'] == 'never'


@pytest.mark.parametrize('percentage, shown', [(0.028, '2.8%'), (0, '0%'), (1, '100%'), (0.999, '99.9%'), (45, '45%'),
                                               (250, '100%'), (-0.5, '0%'), ('0.5', '50%')])
def test_running_percentage(percentage, shown):
    got = one(task(None, running=True, progress={'running_task_status': 1, 'percentage': percentage}))
    assert got['reason'] == 'a backup is running now (%s); no previous result (first run)' % shown


def test_running_without_a_percentage():
    got = one(task(None, running=True))
    assert got['reason'] == 'a backup is running now; no previous result (first run)'


def test_partial_is_a_warning():
    got = one(task(result(status=3, ended_hours_ago=2, errors=2, warnings=1)))
    assert got['health'] == 'warning' and got['last_status_name'] == 'partial'
    assert got['reason'] == 'last run partly succeeded (partial: 2 errors, 1 warning), ended 2 h ago'


def test_success_with_warnings_only_is_a_warning():
    got = one(task(result(status=2, ended_hours_ago=1.5, warnings=3)))
    assert got['health'] == 'warning' and got['last_status_name'] == 'success'
    assert got['reason'] == 'last run succeeded with 3 warnings (0 errors), ended 1.5 h ago'


def test_warning_counts_given_as_strings():
    assert one(task(result(status=2, warnings='2')))['health'] == 'warning'
    assert one(task(result(status=2, warnings='0')))['health'] == 'ok'


def test_failed():
    got = one(task(result(status=4, ended_hours_ago=5.25, errors=3)))
    assert got['health'] == 'failed' and got['last_status_name'] == 'failed'
    assert got['reason'] == 'last run failed (3 errors, 0 warnings), ended 5.2 h ago'
    assert got['age_hours'] == 5.2


def test_cancelled_counts_as_failed():
    got = one(task(result(status=5, ended_hours_ago=1)))
    assert got['health'] == 'failed' and got['last_status_name'] == 'cancelled'
    assert got['reason'].startswith('last run was cancelled (0 errors, 0 warnings), ended 1 h ago')


def test_failed_wins_over_overdue_and_running():
    got = one(task(result(status=4, ended_hours_ago=100), running=True, progress={'percentage': 0.2}))
    assert got['health'] == 'failed' and got['running'] is True
    assert got['reason'] == 'last run failed (0 errors, 0 warnings), ended 100 h ago; a backup is running now (20%)'


def test_overdue_wins_over_running_and_warning():
    got = one(task(result(status=3, ended_hours_ago=30.5, warnings=1), running=True))
    assert got['health'] == 'overdue'
    assert got['reason'] == 'last run (partial) ended 30.5 h ago, more than the 26 h allowed; a backup is running now'


def test_status_name_given_wins_over_the_number():
    # the module's name is what the user sees elsewhere: it is taken as given
    got = one(task(result(status=2, status_name='failed')))
    assert got['health'] == 'failed' and got['last_status_name'] == 'failed'


@pytest.mark.parametrize('status, name', [(0, 'none'), (1, 'incomplete'), (6, 'no_backup'), ('2', 'success'),
                                          (2.0, 'success'), (4, 'failed')])
def test_status_numbers_are_named(status, name):
    assert one(task(result(status=status)))['last_status_name'] == name


@pytest.mark.parametrize('status', [7, 99, -1, None, 'abc', True, 2.5])
def test_unknown_status_numbers_are_a_warning_never_ok(status):
    got = one(task(result(status=status)))
    assert got['last_status_name'] == 'unknown'
    assert got['health'] == 'warning'
    assert 'not success' in got['reason']


def test_unknown_status_shows_the_number():
    assert one(task(result(status=77)))['reason'].startswith('last run ended with status 77 (unknown), not success')


@pytest.mark.parametrize('status, name', [(0, 'none'), (1, 'incomplete'), (6, 'no_backup')])
def test_other_statuses_than_success_are_a_warning(status, name):
    got = one(task(result(status=status)))
    assert got['health'] == 'warning'
    assert got['reason'].startswith('last run ended with status %s, not success' % name)


# -- the age boundary and the clock ---------------------------------------------------------------

def test_overdue_after_max_age_hours():
    got = one(task(result(ended_hours_ago=27)))
    assert got['health'] == 'overdue' and got['age_hours'] == 27.0
    assert got['reason'] == 'last run (success) ended 27 h ago, more than the 26 h allowed'


def test_exactly_at_the_boundary_is_not_overdue_one_second_later_is():
    entry = task(result(status=2))
    entry['last_result']['time_end'] = NOW - 26 * HOUR
    assert one(entry)['health'] == 'ok'
    entry['last_result']['time_end'] = NOW - 26 * HOUR - 1
    assert one(entry)['health'] == 'overdue'


@pytest.mark.parametrize('max_age, health', [(2, 'overdue'), (3, 'ok'), (2.9, 'overdue'), ('4', 'ok'), ('2.5', 'overdue'),
                                             (0.5, 'overdue'), (1000, 'ok')])
def test_max_age_hours_is_used(max_age, health):
    assert one(task(result(ended_hours_ago=3)), max_age_hours=max_age)['health'] == health


def test_now_is_the_clock():
    entry = task(result(ended_hours_ago=3))
    assert one(entry, now=NOW)['age_hours'] == 3.0
    later = one(entry, now=NOW + 24 * HOUR)
    assert later['age_hours'] == 27.0 and later['health'] == 'overdue'
    assert one(entry, now=str(NOW + HOUR))['age_hours'] == 4.0
    assert one(entry, now=float(NOW) + 0.5 * HOUR)['age_hours'] == 3.5


def test_now_defaults_to_the_current_time():
    entry = task(result())
    entry['last_result']['time_end'] = int(time.time()) - 2 * HOUR
    got = backup_health([entry])[0]
    assert got['health'] == 'ok' and 1.9 <= got['age_hours'] <= 2.1
    entry['last_result']['time_end'] = int(time.time()) - 30 * HOUR
    assert backup_health([entry])[0]['health'] == 'overdue'


def test_a_last_run_that_ends_after_now_is_not_overdue_and_says_so():
    got = one(task(result(ended_hours_ago=-2)))
    assert got['health'] == 'ok' and got['age_hours'] == -2.0
    assert 'after the time of the check' in got['reason']


@pytest.mark.parametrize('time_end', ['absent', None, 0, '', 'soon'])
def test_missing_time_end(time_end):
    entry = task(result(status=2))
    if time_end == 'absent':
        del entry['last_result']['time_end']
    else:
        entry['last_result']['time_end'] = time_end
    got = one(entry)
    assert (got['last_end'], got['age_hours']) == (None, None)
    # a success whose age cannot be told is not called ok
    assert got['health'] == 'warning'
    assert got['reason'] == 'last run succeeded, but it has no end time, so its age is unknown'


def test_missing_time_end_of_a_failed_run_is_still_failed():
    entry = task(result(status=4))
    del entry['last_result']['time_end']
    got = one(entry)
    assert got['health'] == 'failed' and got['reason'] == 'last run failed (0 errors, 0 warnings), end time unknown'


def test_time_end_given_as_a_string():
    entry = task(result(status=2))
    entry['last_result']['time_end'] = str(NOW - 2 * HOUR)
    assert one(entry)['last_end'] == NOW - 2 * HOUR


# -- the list --------------------------------------------------------------------------------------

def test_one_entry_per_task_in_order_with_every_health():
    tasks = [
        task(None, task_id=1, task_name='never'),
        task(result(status=4), task_id=2, task_name='failed'),
        task(result(ended_hours_ago=40), task_id=3, task_name='overdue'),
        task(result(), running=True, task_id=4, task_name='running'),
        task(result(status=3), task_id=5, task_name='warning'),
        task(result(), task_id=6, task_name='ok'),
    ]
    got = backup_health(tasks, now=NOW)
    assert [(e['task_id'], e['task_name'], e['health']) for e in got] == [
        (i + 1, name, name) for i, name in enumerate(HEALTH_ORDER)]


def test_empty_list_and_tuple():
    assert backup_health([], now=NOW) == []
    assert backup_health((task(None),), now=NOW)[0]['health'] == 'never'


def test_a_task_without_id_or_name():
    got = one({'last_result': result()})
    assert (got['task_id'], got['task_name'], got['health']) == (None, None, 'ok')


def test_the_input_is_not_changed():
    entry = task(result(status=4), running=True)
    before = repr(entry)
    backup_health([entry], now=NOW)
    assert repr(entry) == before


# -- bad input -------------------------------------------------------------------------------------

@pytest.mark.parametrize('tasks, message', [
    (None, 'expects a list of tasks (the tasks of task_info or of ansible_facts.activebackup), not NoneType'),
    ('tasks', 'expects a list of tasks (the tasks of task_info or of ansible_facts.activebackup), not str'),
    (42, 'not int'),
    ({'task_id': 1}, 'expects a list of tasks, not a dictionary'),
    ({'tasks': [], 'changed': False}, 'not a dictionary (the result has a "tasks" key: use result.tasks)'),
    ([task(None), 'Laptops'], 'entry 1 of the list is str, not a task (a dictionary)'),
    ([None], 'entry 0 of the list is null, not a task (a dictionary)'),
    ([task(None), [task(None)]], 'entry 1 of the list is list, not a task'),
])
def test_bad_tasks(tasks, message):
    with pytest.raises(AnsibleFilterError, match='^backup_health: ') as caught:
        backup_health(tasks, now=NOW)
    assert message in str(caught.value)


@pytest.mark.parametrize('max_age', [0, -1, '0', 'a day', None, True, float('nan'), float('inf'), [26], '', '-5'])
def test_bad_max_age_hours(max_age):
    with pytest.raises(AnsibleFilterError, match='^backup_health: max_age_hours must be a positive number of hours, not '):
        backup_health([task(None)], max_age_hours=max_age, now=NOW)


@pytest.mark.parametrize('now', ['yesterday', -1, True, float('nan'), float('inf'), {}, [NOW], ''])
def test_bad_now(now):
    with pytest.raises(AnsibleFilterError, match=r'^backup_health: now must be a time in epoch seconds'):
        backup_health([task(None)], now=now)


def test_bad_options_are_caught_even_for_an_empty_list():
    with pytest.raises(AnsibleFilterError):
        backup_health([], max_age_hours=0)
    with pytest.raises(AnsibleFilterError):
        backup_health([], now='x')
