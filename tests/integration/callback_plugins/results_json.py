# -*- coding: utf-8 -*-
# Copyright: contributors to syno.activebackup
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only callback: every task result as one JSON line, for tests/integration/harness.py."""

from __future__ import annotations

DOCUMENTATION = r"""
name: results_json
type: aggregate
short_description: Write every task result to a JSON-lines file (integration tests only)
description:
  - Appends one JSON object per task result and host to O(file), and one with the play
    recap at the end. Used by the collection's integration test harness; not shipped for
    users (it lives under C(tests/)).
  - Each task line has C(type=task), C(play), C(host), C(task), C(action),
    C(resolved_action), C(status) (V(ok), V(changed), V(failed), V(skipped) or
    V(unreachable)), C(ignore_errors), C(warnings), C(deprecations) and C(result), the
    result dictionary as the play sees it (C(diff) and C(invocation) included; censored
    when the task has C(no_log)).
requirements:
  - enable in ansible.cfg or with E(ANSIBLE_CALLBACKS_ENABLED=results_json)
options:
  file:
    description: Path of the JSON-lines file to append to.
    type: path
    required: true
    env:
      - name: RESULTS_JSON_FILE
"""

import dataclasses
import json

from ansible.plugins.callback import CallbackBase

try:  # ansible-core 2.19 and later: data tagging; this encoder turns any odd value into str
    from ansible.module_utils.common.json import get_encoder

    _ENCODER = get_encoder('fallback_to_str')
except Exception:  # pragma: no cover - older ansible-core
    _ENCODER = None


def _default(value):
    """Last resort for values the encoder does not know (summaries, markers, sets...)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


def _to_plain(value):
    """A JSON-safe plain copy of ``value`` (tagged strings and the like become plain)."""
    if _ENCODER is not None:
        try:
            return json.loads(json.dumps(value, cls=_ENCODER, ensure_ascii=False))
        except (TypeError, ValueError):
            pass
    return json.loads(json.dumps(value, default=_default, ensure_ascii=False))


def _messages(items):
    """Warnings / deprecations as plain strings (2.19+ hands summary objects)."""
    out = []
    for item in items or ():
        if isinstance(item, str):
            out.append(item)
            continue
        event = getattr(item, 'event', None)
        msg = getattr(event, 'msg', None) or getattr(item, 'msg', None)
        out.append(str(msg if msg is not None else item))
    return out


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'results_json'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self._play_name = None

    def _write(self, record):
        with open(self.get_option('file'), 'a', encoding='utf-8') as handle:
            handle.write(json.dumps(_to_plain(record), ensure_ascii=False, sort_keys=True) + '\n')

    @staticmethod
    def _parts(result):
        # 2.19+: result.host/.task/.result; older: the underscore attributes
        host = getattr(result, 'host', None) or result._host
        task = getattr(result, 'task', None) or result._task
        data = getattr(result, 'result', None)
        if data is None:
            data = result._result
        return host, task, data

    def _record(self, result, status, ignore_errors=False):
        host, task, data = self._parts(result)
        data = dict(data)
        warnings = getattr(result, 'warnings', None)
        if warnings is None:
            warnings = data.get('warnings')
        deprecations = getattr(result, 'deprecations', None)
        if deprecations is None:
            deprecations = data.get('deprecations')
        self._write({
            'type': 'task',
            'play': self._play_name,
            'host': host.get_name(),
            'task': task.get_name(),
            'action': task.action,
            'resolved_action': getattr(task, 'resolved_action', None),
            'status': status,
            'ignore_errors': bool(ignore_errors),
            'warnings': _messages(warnings),
            'deprecations': _messages(deprecations),
            'result': data,
        })

    def v2_playbook_on_play_start(self, play):
        self._play_name = play.get_name()

    def v2_runner_on_ok(self, result):
        _host, _task, data = self._parts(result)
        self._record(result, 'changed' if data.get('changed') else 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, 'failed', ignore_errors=ignore_errors)

    def v2_runner_on_skipped(self, result):
        self._record(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._record(result, 'unreachable')

    def v2_playbook_on_stats(self, stats):
        summary = {}
        for host in sorted(stats.processed.keys()):
            summary[host] = stats.summarize(host)
        self._write({'type': 'stats', 'hosts': summary})
