# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: how an operation runs, as a module or inside an action plugin.

``execute()`` checks the input once (the connection options into a ``ConnectionConfig``, then the
operation's own ``validate``, whose normalised result the run reads as ``ctx.checked``), builds the
client, runs the operation and closes the client. It is the one place where the client's typed
exceptions become a failed result.
"""

from __future__ import annotations

import time

from ._client import DsmClient
from ._config import ConnectionConfig
from ._errors import DsmError
from ._options import CONNECTION_REQUIRED_ONE_OF, CONNECTION_REQUIRED_TOGETHER, argument_spec, session_secrets
from ._transport import HAS_REQUESTS, REQUESTS_IMPORT_ERROR


class Operation:
    """What a module does: its options and constraints, ``validate(params, now)`` and ``run(ctx) -> dict``.

    ``validate`` raises DsmInputError on bad input and may return the normalised values the run
    needs (``ctx.checked``), so that nothing is parsed twice. ``now`` is the run's clock (epoch
    seconds), for options relative to it.
    """

    def __init__(self, name, options, run, validate=None, mutually_exclusive=None, required_if=None,
                 required_together=None, required_one_of=None, required_by=None):
        self.name = name
        self.argument_spec = argument_spec(**options)
        self.run = run
        self.validate = validate
        self.mutually_exclusive = mutually_exclusive or []
        self.required_if = required_if or []
        self.required_together = CONNECTION_REQUIRED_TOGETHER + list(required_together or [])
        self.required_one_of = CONNECTION_REQUIRED_ONE_OF + list(required_one_of or [])
        self.required_by = required_by or {}

    def validator_kwargs(self) -> dict:
        """Keyword arguments shared by AnsibleModule and ArgumentSpecValidator."""
        return dict(
            mutually_exclusive=self.mutually_exclusive,
            required_together=self.required_together,
            required_one_of=self.required_one_of,
            required_if=self.required_if,
            required_by=self.required_by,
        )


class Context:
    """What an operation sees: parameters and their checked values, mode flags, the client, time and warnings.

    ``clock`` is wall time in epoch seconds and ``sleep`` waits; both are the client's, so that a
    test's fake time reaches the operation and the client alike.
    """

    def __init__(self, params, check_mode, diff, warn, client, checked=None):
        self.params = params
        self.checked = checked if checked is not None else {}
        self.check_mode = check_mode
        self.diff = diff
        self.warn = warn
        self.client = client
        self.clock = client.clock
        self.sleep = client.sleep


def execute(operation, params, check_mode=False, diff=False, warn=None, transport=None, sleep=time.sleep,
            clock=time.time) -> dict:
    """Run ``operation``; returns the result dict (``failed``/``msg`` on error). Never raises DsmError."""
    warnings = []

    def _warn(msg):
        warnings.append(msg)
        if warn is not None:
            warn(msg)

    client = None
    try:
        # every connection option's value, then the operation's own checks, then the credentials given
        config = ConnectionConfig.from_params(params, credentials=False)
        checked = operation.validate(params, clock()) if operation.validate is not None else None
        config.check_credentials()
        client = DsmClient(config, transport=transport, warn=_warn, sleep=sleep, clock=clock)
        ctx = Context(params, check_mode, diff, _warn, client, checked)
        try:
            result = operation.run(ctx)
        finally:
            client.close()
        result.setdefault('changed', False)
    except DsmError as exc:
        message = client.scrub(exc) if client is not None else str(exc)
        result = {'failed': True, 'changed': False, 'msg': message}
        error = exc.to_result()
        if error:
            result['error'] = error
    if warn is None and warnings:
        result['warnings'] = warnings
    return result


def run_module(operation):
    """The whole ``main()`` of a module file."""
    # Imported here so that the action plugin path never pays for AnsibleModule.
    from ansible.module_utils.basic import AnsibleModule, missing_required_lib

    module = AnsibleModule(argument_spec=operation.argument_spec, supports_check_mode=True,
                           **operation.validator_kwargs())
    # a session given as text is parsed after the values to hide were collected
    module.no_log_values.update(session_secrets(module.params))
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
    result = execute(operation, module.params, check_mode=module.check_mode, diff=module._diff, warn=module.warn)
    if result.pop('failed', False):
        module.fail_json(**result)
    module.exit_json(**result)
