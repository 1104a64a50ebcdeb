# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: the action plugin behind every module of the collection.

When the task's connection is ``local`` (the NAS is reached over HTTPS from the controller, the
usual case), the operation runs here, in the controller's worker process: the arguments are
validated with the module's own argument spec (env fallbacks from the task's ``environment``,
``no_log`` masking included) and the shared client makes the requests. That saves the module's
process start-up (AnsiballZ, a new interpreter, imports), which is most of a task's cost.

Otherwise (the task is delegated to another host, runs async, or ``requests`` does not import on
the controller) the module runs as usual.
"""

from __future__ import annotations

import json
import os

from contextlib import contextmanager

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.plugins.action import ActionBase

from ansible_collections.syno.activebackup.plugins.module_utils._transport import HAS_REQUESTS
from ansible_collections.syno.activebackup.plugins.module_utils._options import session_secrets
from ansible_collections.syno.activebackup.plugins.module_utils._runner import execute

LOCAL_CONNECTIONS = frozenset(('local', 'ansible.builtin.local', 'ansible.legacy.local'))


@contextmanager
def _environment(extra):
    """Apply the task's ``environment`` to os.environ for the env fallbacks, then restore it.

    Each task runs in its own forked worker process, so this touches no other task.
    """
    saved = {}
    try:
        for key, value in extra.items():
            saved[key] = os.environ.get(key)
            os.environ[key] = str(value)
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class DsmActionBase(ActionBase):
    """Subclasses set ``OPERATION`` (a ``_runner.Operation``) and ``MODULE`` (the module's FQCN)."""

    OPERATION = None
    MODULE = None
    _supports_check_mode = True
    _supports_async = True

    def _runs_here(self):
        if self._task.async_val or not HAS_REQUESTS:
            return False
        names = {getattr(self._connection, 'transport', None), getattr(self._connection, '_load_name', None)}
        return bool(names & LOCAL_CONNECTIONS)

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        if not self._runs_here():
            result.update(self._execute_module(module_name=self.MODULE, module_args=self._task.args,
                                               task_vars=task_vars,
                                               wrap_async=self._task.async_val and not self._connection.has_native_async))
            return result

        operation = self.OPERATION
        environment = {}
        self._compute_environment_string(raw_environment_out=environment)
        with _environment(environment):
            validator = ArgumentSpecValidator(operation.argument_spec, **operation.validator_kwargs())
            validation = validator.validate(dict(self._task.args))
        no_log_values = set(validation._no_log_values)
        # a session given as text is parsed after the values to hide were collected
        no_log_values.update(session_secrets(validation.validated_parameters))
        if validation.error_messages:
            raise AnsibleActionFail('%s: %s' % (self.MODULE, remove_values(validation.errors.msg, no_log_values)))
        params = validation.validated_parameters

        outcome = execute(operation, params, check_mode=bool(self._task.check_mode), diff=bool(self._task.diff))
        result.update(hide(outcome, no_log_values))
        result['invocation'] = remove_values({'module_args': params}, no_log_values)
        return result


def hide(value, no_log_values):
    """``remove_values(value, no_log_values)``, skipped when no value to hide occurs in ``value``.

    ``remove_values`` walks and copies the whole result (large for facts); a result holds no secret in
    the usual case. The check looks for each value, as it is and as JSON escapes it, in the JSON text
    of the result (keys included; numbers and other scalars as their text; in any case): where it
    occurs anywhere, or the result cannot be written as JSON, ``remove_values`` runs, so the output is
    the same.
    """
    values = [str(item) for item in no_log_values if item not in (None, '')]
    if not values:
        return value
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError, RecursionError):
        return remove_values(value, no_log_values)
    # lower case too: remove_values compares booleans and numbers by their str() (True), JSON writes true
    lowered = text.lower()
    if any(item.lower() in lowered or json.dumps(item, ensure_ascii=False)[1:-1].lower() in lowered for item in values):
        return remove_values(value, no_log_values)
    return value
