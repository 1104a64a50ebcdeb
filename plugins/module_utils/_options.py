# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: the connection options every module shares.

Documented by the ``syno.activebackup._connection`` doc fragment; keep both in step. The
values are checked once, by ``_config.ConnectionConfig``, before any request.
"""

from __future__ import annotations

import copy

from ansible.module_utils.common.parameters import env_fallback

CONNECTION_SPEC = dict(
    host=dict(type='str', required=True, fallback=(env_fallback, ['SYNOLOGY_HOST'])),
    port=dict(type='int', fallback=(env_fallback, ['SYNOLOGY_PORT'])),
    use_https=dict(type='bool', default=True),
    validate_certs=dict(type='bool', default=True, fallback=(env_fallback, ['SYNOLOGY_VALIDATE_CERTS'])),
    ca_path=dict(type='path', fallback=(env_fallback, ['SYNOLOGY_CA_PATH'])),
    username=dict(type='str', fallback=(env_fallback, ['SYNOLOGY_USERNAME'])),
    password=dict(type='str', no_log=True, fallback=(env_fallback, ['SYNOLOGY_PASSWORD'])),
    otp_code=dict(type='str', no_log=True),
    otp_secret=dict(type='str', no_log=True, fallback=(env_fallback, ['SYNOLOGY_OTP_SECRET'])),
    device_id=dict(type='str', no_log=True, fallback=(env_fallback, ['SYNOLOGY_DEVICE_ID'])),
    device_name=dict(type='str', default='ansible'),
    # The keys (sid, synotoken, device_id; documented as suboptions) are checked by _config.ConnectionConfig,
    # which _runner.execute() builds for every operation. No sub-option spec: ansible-core's sub-option
    # validation raises a bare TypeError for a session that is a number or a boolean, where this gives a message.
    session=dict(type='dict', no_log=True),
    timeout=dict(type='int', default=60),
    retries=dict(type='int', default=3),
)

CONNECTION_REQUIRED_ONE_OF = [('session', 'username')]
CONNECTION_REQUIRED_TOGETHER = [('username', 'password')]


def argument_spec(**options) -> dict:
    """The connection options plus a module's own ``options``."""
    spec = copy.deepcopy(CONNECTION_SPEC)
    spec.update(options)
    return spec


def session_secrets(params) -> set:
    """The values of a ``session`` option: secrets to mask in the result and the output.

    A session given as text (JSON or ``sid=... synotoken=...``) is turned into a dict after
    ansible-core collected the values to hide, which then hold only the whole text.
    """
    session = params.get('session')
    if not isinstance(session, dict):
        return set()
    return set(str(value) for value in session.values() if isinstance(value, (str, int)) and str(value))
