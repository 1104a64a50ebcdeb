# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: the task operation (start or cancel the backup of an ABB task, and wait).

Requests, in order:

* ``Task.list`` to find the task (by name: every task, matched exactly; by ``task_id``: filtered on the
  NAS, contract 10.1 R4). Every later read is ``Task.list`` filtered by the task's ``task_id``.
* ``state=started``: nothing more when a run is going ([A] A21: ``progress``); else ``Task.backup``
  with ``task_ids=[id]`` and ``trigger_type=1`` (contract 10.2, R5). A refusal 4007 or 4005 is
  followed by one ``Task.list``: when the task runs now (started elsewhere between the read and the
  start), the task reports no change and warns; otherwise it fails with the code. Then, with
  ``wait``, ``Task.list`` polls (2 s after the start, then 4, 8, 16 and at most 30 s apart) until
  the task is not running and its ``last_result`` has a ``result_id`` other than before the start
  ([A] A22); without ``wait`` one ``Task.list`` re-read.
* ``state=stopped``: nothing more for an idle task; else ``Task.cancel`` (contract 10.3, R7), then
  ``Task.list`` polls until the task is not running (``wait``) or one re-read.

A start or cancel is a write (contract section 5): once sent it is never sent again; when its answer
is lost or DSM answered busy, the task fails saying that the outcome is unknown and how to find out.
"""

from __future__ import annotations

from . import _api_task
from ._api import RESULT_STATUSES, name_of, to_int
from ._config import check_number
from ._errors import DsmApiError, DsmError, DsmInputError, WriteOutcomeUnknown, describe
from ._inputs import check_one_task
from ._op_jobs import NoSuchTask, resolve_task
from ._runner import Operation
from ._wait import Poll

TASK_API = _api_task.TASK_API

# Polling of Task.list while a run goes on: the first read after POLL_FIRST seconds, then doubling up to POLL_MAX.
POLL_FIRST = 2.0
POLL_MAX = 30.0
MAX_WAIT = 7 * 86400  # a backup of a large server can take days; a week bounds the wait

# Contract 10.4: what the end of a run means for the task (R8: the number and the counts are always shown).
SUCCESS, PARTIAL, FAILED, CANCELLED = 2, 3, 4, 5

# What a user can do about a refusal of Task.backup / Task.cancel (contract 10.2, R6 and section 15, R17).
HINTS = {
    5001: ('A device of the task is offline: its ABB agent is not connected to the NAS. Start the device (or its agent) '
           'and check that it reaches the NAS, or remove it from the task, then run the task again.'),
    1104: ('The task has a backup window (ABB: the task > Edit > Schedule > Backup window) that does not allow a run '
           'now. Start it inside the window, or widen the window.'),
    1105: ('The task has a backup window (ABB: the task > Edit > Schedule > Backup window) that does not allow a run '
           'now. Start it inside the window, or widen the window.'),
    4005: ('Another backup conflicts with this one (for example a task that backs up the same device, or a job on the '
           'same storage). Wait for it to end (syno.activebackup.task_info shows what runs), then run the task again.'),
    4007: ('A backup of this task is running; the NAS never runs two at once. Wait for it with state=started and '
           'wait=true, or cancel it with state=stopped.'),
    1010: 'The task was deleted after this task read it; check the task name (syno.activebackup.task_info lists them).',
    1011: ('The account may not run or cancel this task. Use an account in the administrators group of DSM that may use '
           'Active Backup for Business.'),
    1009: ('The NAS did not say why it refused this task; see syno.activebackup.log_info (task_name and level: '
           '[error, warning]).'),
}


class RunFailed(DsmError):
    """The run that was waited for ended failed or cancelled."""


class WaitTimeout(DsmError):
    """The run (or its cancellation) was still going when wait_timeout had passed."""


class WaitInterrupted(DsmError):
    """A read during the wait failed after the client's retries: the outcome was not seen."""


def _validate(params, now):
    name, task_id = check_one_task(params, required=True, name_option='name')
    timeout = check_number('wait_timeout', params.get('wait_timeout'), 1, MAX_WAIT, ' seconds (one week)',
                           below='wait_timeout must be at least 1 second (got %s); set wait: false not to wait.')
    if params.get('state') not in ('started', 'stopped'):
        raise DsmInputError('state must be started or stopped (got %r).' % (params.get('state'),))
    return {'name': name, 'task_id': task_id, 'wait_timeout': timeout}


# -- reading the task ------------------------------------------------------------------------------

def _read(client, task_id):
    """The task's entry now (one Task.list filtered by task_id), or None when it is gone."""
    tasks, dummy = _api_task.list_tasks(client, task_id=task_id)
    return next((task for task in tasks if task.get('task_id') == task_id), None)


def _result_id(task):
    result = task.get('last_result') if isinstance(task, dict) else None
    return to_int(result.get('result_id')) if isinstance(result, dict) else None


def _label(task):
    return '%s (task_id %s)' % (task.get('task_name'), task.get('task_id'))


def _seen(task, before=None):
    """What a read showed of the task, in words (for messages); ``before``: the read before the write."""
    if task is None:
        if before is not None:
            return 'no read succeeded since the wait began; the read before it showed the task %s' % _seen(before)
        return 'no read succeeded since the wait began'
    if task.get('running'):
        progress = task.get('progress') or {}
        percentage = progress.get('percentage')
        if isinstance(percentage, (int, float)) and not isinstance(percentage, bool):
            return 'running, %.0f %% done' % (percentage * 100)
        return 'running'
    result = task.get('last_result')
    if isinstance(result, dict):
        return 'not running; last result %s (result_id %s)' % (result.get('status_name'), result.get('result_id'))
    return 'not running; no result yet'


def _counts(result):
    return ', '.join('%s %s' % (key.replace('_count', ''), result.get(key, 0))
                     for key in ('success_count', 'warning_count', 'error_count', 'none_count'))


def _running_view(task):
    """The task's running state, for the diff."""
    if not isinstance(task, dict):
        return {}
    out = {'task_id': task.get('task_id'), 'task_name': task.get('task_name'), 'running': bool(task.get('running'))}
    return out


def _out(ctx, changed, before, after, result=None, waited=False):
    out = {'changed': changed, 'task': after}
    if waited:
        out['result'] = result
    if ctx.diff:
        out['diff'] = {'before': _running_view(before), 'after': _running_view(after)}
    return out


# -- refusals and lost answers ---------------------------------------------------------------------

def _batch_code(exc, task_id):
    """The task's own code inside a 1009 answer ([A] A23: ``errors`` lists ``{task_id, code}``), or None."""
    details = exc.details
    entries = details if isinstance(details, list) else (details.get('errors') if isinstance(details, dict) else None)
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and to_int(entry.get('task_id')) == task_id:
            code = to_int(entry.get('code'))
            return code if isinstance(code, int) else None
    return None


def _offline_devices(task):
    return sorted(str(device.get('host_name')) for device in task.get('devices') or []
                  if isinstance(device, dict) and str(device.get('agent_status', '')).lower() == 'offline')


def _refused(ctx, exc, task, action):
    """DSM's refusal of ``action`` (backup or cancel) with what it means for this task and what to do."""
    client = ctx.client
    code = exc.code
    inner = _batch_code(exc, task['task_id']) if code == 1009 else None
    what = '%s.%s on %s refused to %s the backup of task %s: error %s (%s)' % (
        TASK_API, exc.method or action, client.nas_label, 'start' if action == 'backup' else 'cancel', _label(task),
        code, describe(TASK_API, code) or 'no description known for this code')
    if inner is not None:
        what += '; for this task: error %s (%s)' % (inner, describe(TASK_API, inner) or 'no description known')
    hint = HINTS.get(inner) if inner is not None else (HINTS.get(code) or exc.hint)
    if (inner or code) == 5001:
        offline = _offline_devices(task)
        if offline:
            what += '; offline device%s: %s' % ('' if len(offline) == 1 else 's', ', '.join(offline))
    if (inner or code) == 1010:
        names = sorted(str(item.get('task_name')) for item in _api_task.list_tasks(client)[0])
        what += '; the tasks of %s are now: %s' % (client.nas_label, ', '.join(names) or 'none')
    message = '%s.' % what
    if hint:
        message += ' ' + hint
    return DsmApiError(message, host=client.nas_label, api=TASK_API, method=action, code=code,
                       details={'task_id': task['task_id'], 'task_name': task.get('task_name'), 'code': inner or code})


def _outcome_unknown(ctx, exc, task, action):
    """A start or cancel that was sent and not answered: never sent again; say how to find out."""
    did = 'started' if action == 'backup' else 'cancelled'
    message = ('%s The %s of the backup of task %s on %s was sent and not confirmed (its answer was lost, or DSM answered '
               'busy), so the outcome is unknown: the backup may or may not have been %s. It was not sent again. Check with syno.activebackup.task_info '
               '(name: %s; see running and last_result), or run this task again: it reads the task first and %s.'
               % (exc.message.rstrip(), 'start' if action == 'backup' else 'cancellation', _label(task), ctx.client.nas_label,
                  did, task.get('task_name'),
                  'never starts a second run while one is going' if action == 'backup' else
                  'cancels only a run that is still going'))
    return WriteOutcomeUnknown(message, host=exc.host, api=TASK_API, method=action, code=exc.code,
                               details={'task_id': task['task_id'], 'task_name': task.get('task_name')})


# -- waiting ---------------------------------------------------------------------------------------

def _wait(ctx, task, until_ended, before_id):
    """Poll Task.list until the run has ended (``until_ended``: not running with a new result) or the task is
    not running; returns the entry. Never reports an end it did not read."""
    client = ctx.client
    poll = Poll(ctx, ctx.checked['wait_timeout'], POLL_FIRST, POLL_MAX)
    last = None
    what = 'the backup of task %s on %s' % (_label(task), client.nas_label)
    while poll.next():
        try:
            current = _read(client, task['task_id'])
        except DsmError as exc:
            raise WaitInterrupted(
                'Waiting for %s to %s: %s Last state read (%d s into the wait): %s. The outcome of the run was not '
                'seen, so it is not reported: check it later with syno.activebackup.task_info or '
                'syno.activebackup.result_info, or run this task again with wait=true (a running backup is waited '
                'for, never started twice).'
                % (what, 'end' if until_ended else 'stop', str(exc).rstrip(), poll.elapsed, _seen(last, task)),
                host=exc.host, api=exc.api, method=exc.method, code=exc.code,
                details={'task_id': task['task_id'], 'task_name': task.get('task_name'), 'last_seen': last}) from None
        if current is None:
            raise NoSuchTask('%s: the task is no longer listed by %s (deleted while this task waited).'
                             % (what[0].upper() + what[1:], client.nas_label),
                             host=client.nas_label, api=TASK_API, method='list')
        last = current
        if current.get('running'):
            continue
        if not until_ended or (current.get('last_result') is not None and _result_id(current) != before_id):
            return current
    raise WaitTimeout(
        '%s was still %s after wait_timeout (%s seconds); last state read: %s. It goes on on the NAS: run this task '
        'again to wait for it (a running backup is waited for, never started twice), or raise wait_timeout.'
        % (what[0].upper() + what[1:], 'going' if until_ended else 'stopping', poll.timeout, _seen(last, task)),
        host=client.nas_label, api=TASK_API, method='list',
        details={'task_id': task['task_id'], 'task_name': task.get('task_name'), 'last_seen': last})


def _judge(ctx, task, result):
    """Fail on a failed or cancelled run, warn on a partial one (contract 10.4; R8: number and counts shown)."""
    status = to_int(result.get('status'))
    name = name_of(RESULT_STATUSES, status)
    where = 'The backup of task %s on %s ended %s (status %s; %s)' % (
        _label(task), ctx.client.nas_label, name, result.get('status'), _counts(result))
    if status in (FAILED, CANCELLED):
        hint = ('See syno.activebackup.log_info (task_name: %s, level: [error, warning]) for what went wrong.'
                % task.get('task_name')) if status == FAILED else 'It was cancelled on the NAS (or by another task).'
        raise RunFailed('%s. %s' % (where, hint), host=ctx.client.nas_label, api=TASK_API, method='list',
                        details={'task_id': task.get('task_id'), 'task_name': task.get('task_name'), 'result': result})
    if status == PARTIAL:
        ctx.warn('%s: some devices or files were not backed up. See syno.activebackup.log_info (task_name: %s, '
                 'level: [error, warning]).' % (where, task.get('task_name')))
    elif status != SUCCESS:
        ctx.warn('%s, which is neither success nor failure.' % where)


# -- the two states --------------------------------------------------------------------------------

def _started(ctx, before):
    client = ctx.client
    wait = ctx.params['wait']
    before_id = _result_id(before)
    changed = True
    current = before
    if before.get('running'):
        # Never a second run (contract 10.2, R5): wait for the one that goes on, if asked.
        changed = False
    elif ctx.check_mode:
        return _out(ctx, True, before, dict(before, running=True), None, wait)
    else:
        try:
            _api_task.backup(client, before['task_id'])
        except WriteOutcomeUnknown as exc:
            raise _outcome_unknown(ctx, exc, before, 'backup') from None
        except DsmApiError as exc:
            if exc.code not in (4005, 4007):
                raise _refused(ctx, exc, before, 'backup') from None
            current = _read(client, before['task_id'])
            if current is None or not current.get('running'):
                raise _refused(ctx, exc, before, 'backup') from None
            changed = False
            ctx.warn('A backup of task %s on %s started elsewhere (by its schedule or another user) after this task read '
                     'it; the NAS answered error %s (%s) and this task did not start another one.'
                     % (_label(before), client.nas_label, exc.code, describe(TASK_API, exc.code)))
        else:
            current = None
    if ctx.check_mode:
        # a run is going: nothing to do, nothing is waited for in check mode
        return _out(ctx, False, before, before, None, wait)
    if not wait:
        return _out(ctx, changed, before, current if current is not None else _read(client, before['task_id']))
    after = _wait(ctx, before, True, before_id)
    result = after['last_result']
    _judge(ctx, after, result)
    return _out(ctx, changed, before, after, result, True)


def _stopped(ctx, before):
    client = ctx.client
    wait = ctx.params['wait']
    if not before.get('running'):
        return _out(ctx, False, before, before, None, wait)
    if ctx.check_mode:
        predicted = dict(before, running=False)
        predicted.pop('progress', None)
        return _out(ctx, True, before, predicted, None, wait)
    try:
        _api_task.cancel(client, before['task_id'])
    except WriteOutcomeUnknown as exc:
        raise _outcome_unknown(ctx, exc, before, 'cancel') from None
    except DsmApiError as exc:
        raise _refused(ctx, exc, before, 'cancel') from None
    if not wait:
        return _out(ctx, True, before, _read(client, before['task_id']))
    after = _wait(ctx, before, False, _result_id(before))
    result = after.get('last_result') if _result_id(after) != _result_id(before) else None
    return _out(ctx, True, before, after, result, True)


def _task(ctx):
    before = resolve_task(ctx, ctx.checked['name'], ctx.checked['task_id'])
    if ctx.params['state'] == 'started':
        return _started(ctx, before)
    return _stopped(ctx, before)


TASK = Operation(
    'task',
    dict(
        name=dict(type='str'),
        task_id=dict(type='int'),
        state=dict(type='str', required=True, choices=['started', 'stopped']),
        wait=dict(type='bool', default=False),
        wait_timeout=dict(type='int', default=3600),
    ),
    _task,
    validate=_validate,
    mutually_exclusive=[('name', 'task_id')],
    required_one_of=[('name', 'task_id')],
)
