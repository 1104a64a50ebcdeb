# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: the session operation (log in and hand the session over, or log out)."""

from __future__ import annotations

from ._errors import DsmInputError
from ._runner import Operation


def _check(params):
    if params.get('state') == 'present' and not params.get('username'):
        raise DsmInputError('state=present logs in: give username and password (or set SYNOLOGY_USERNAME and '
                            'SYNOLOGY_PASSWORD).')
    if params.get('state') == 'absent' and not params.get('session'):
        raise DsmInputError('state=absent logs a session out: give the session returned by state=present.')


def _session(ctx):
    client = ctx.client
    if ctx.params['state'] == 'absent':
        ended = client.logout()
        return {'changed': False, 'logged_out': ended}
    given_device = ctx.params.get('device_id')
    client.login(request_device_token=ctx.params.get('request_device_token'))
    session = client.session
    client.keep_session()
    if session.get('device_id') and session['device_id'] == given_device:
        # Not issued now: the caller has it already, and it is masked as a no_log value anyway.
        del session['device_id']
    return {'changed': False, 'session': session}


SESSION = Operation(
    'session',
    dict(
        state=dict(type='str', default='present', choices=['present', 'absent']),
        request_device_token=dict(type='bool', default=False),
    ),
    _session,
    validate=_check,
)
