# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: the session operation (log in and hand the session over, or log out)."""

from __future__ import annotations

from ._errors import DsmInputError
from ._runner import Operation


def _check(params, now):
    if params.get('state') == 'present' and not params.get('username'):
        raise DsmInputError('state=present logs in: give username and password (or set SYNOLOGY_USERNAME and '
                            'SYNOLOGY_PASSWORD).')
    if params.get('state') == 'absent' and not params.get('session'):
        raise DsmInputError('state=absent logs a session out: give the session returned by state=present.')


def _session(ctx):
    client = ctx.client
    params = ctx.params
    if params['state'] == 'absent':
        # Never a login here: with username and password given as well (module_defaults), an ended
        # session is simply reported as such.
        ended = client.logout()
        return {'changed': False, 'logged_out': ended}
    client.login(request_device_token=bool(params.get('request_device_token')))
    session = client.session
    client.keep_session()
    # Return a device token only when DSM issued one now: the caller has any it passed in already
    # (and those are no_log values, which would come back masked).
    known = {params.get('device_id'), (params.get('session') or {}).get('device_id')}
    if 'device_id' in session and session['device_id'] in known:
        del session['device_id']
    if params.get('request_device_token') and not params.get('device_id') and 'device_id' not in session:
        ctx.warn('request_device_token: DSM on %s issued no trusted-device token. DSM issues one only for an '
                 'account with two-factor authentication that logged in with a code.' % client.nas_label)
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
