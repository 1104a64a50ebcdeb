# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: DSM's own APIs that the collection reads: SYNO.DSM.Info (contract
section 16) and the SYNO.API.Info catalogue (contract section 3)."""

from __future__ import annotations

from ._api import Read, ints, strip_secrets
from ._errors import DSM_INFO_API

SYSTEM_INT_FIELDS = ('ram', 'uptime', 'temperature')


def normalize_system(data):
    """SYNO.DSM.Info's answer: ``model``, ``serial``, ``version`` (the build, a string as DSM gives it),
    ``version_string``, ``uptime`` and the rest as they come."""
    out = strip_secrets(ints(data if isinstance(data, dict) else {}, SYSTEM_INT_FIELDS))
    if 'version' in out and out['version'] is not None:
        out['version'] = str(out['version'])
    return out


# The facts subset ``system``.
SYSTEM_READ = Read(DSM_INFO_API, 'getinfo', None, lambda client, data: {'system': normalize_system(data)})


def query_apis(client, query):
    """SYNO.API.Info ``query`` (names, ``all`` or prefixes ending in a dot): name -> what the NAS advertises."""
    return {name: entry for name, entry in client.api_info(query).items() if isinstance(entry, dict)}
