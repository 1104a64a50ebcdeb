# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: how an operation runs, as a module or inside an action plugin.

``execute()`` is the one place where the client's typed exceptions become a failed result.
"""

from __future__ import annotations

from ._errors import DsmError
from ._options import CONNECTION_REQUIRED_ONE_OF, CONNECTION_REQUIRED_TOGETHER, argument_spec, check_connection, session_secrets
from ._client import HAS_REQUESTS, REQUESTS_IMPORT_ERROR, client_from_params


class Operation(object):
    """What a module does: its options and constraints, and ``run(ctx) -> dict``."""

    def __init__(self, name, options, run, validate=None, mutually_exclusive=None, required_if=None,
                 required_together=None, required_one_of=None, required_by=None, connect=True):
        self.name = name
        self.argument_spec = argument_spec(**options)
        self.run = run
        self.validate = validate
        self.mutually_exclusive = mutually_exclusive or []
        self.required_if = required_if or []
        self.required_together = CONNECTION_REQUIRED_TOGETHER + list(required_together or [])
        self.required_one_of = CONNECTION_REQUIRED_ONE_OF + list(required_one_of or [])
        self.required_by = required_by or {}
        self.connect = connect

    def validator_kwargs(self):
        """Keyword arguments shared by AnsibleModule and ArgumentSpecValidator."""
        return dict(
            mutually_exclusive=self.mutually_exclusive,
            required_together=self.required_together,
            required_one_of=self.required_one_of,
            required_if=self.required_if,
            required_by=self.required_by,
        )


class Context(object):
    """What an operation sees: validated parameters, mode flags, the client and a warning sink."""

    def __init__(self, params, check_mode, diff, warn, client=None):
        self.params = params
        self.check_mode = check_mode
        self.diff = diff
        self.warn = warn
        self.client = client


def execute(operation, params, check_mode=False, diff=False, warn=None, transport=None, sleep=None):
    """Run ``operation``; returns the result dict (``failed``/``msg`` on error). Never raises DsmError."""
    warnings = []

    def _warn(msg):
        warnings.append(msg)
        if warn is not None:
            warn(msg)

    client = None
    try:
        if operation.connect:
            check_connection(params)  # every connection option, before the operation's own checks
        if operation.validate is not None:
            operation.validate(params)
        kwargs = {'warn': _warn, 'transport': transport}
        if sleep is not None:
            kwargs['sleep'] = sleep
        client = client_from_params(params, **kwargs) if operation.connect else None
        ctx = Context(params, check_mode, diff, _warn, client)
        try:
            result = operation.run(ctx)
        finally:
            if client is not None:
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
    if operation.connect and not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
    result = execute(operation, module.params, check_mode=module.check_mode, diff=module._diff, warn=module.warn)
    if result.pop('failed', False):
        module.fail_json(**result)
    module.exit_json(**result)
