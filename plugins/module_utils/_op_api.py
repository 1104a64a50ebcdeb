# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: api_info, what the NAS advertises in SYNO.API.Info (contract section 3).

One request, with no session (Info needs none): ``query.cgi`` ``SYNO.API.Info`` ``query``. DSM takes
exact names, ``all``, or a prefix that ends in a dot; a pattern ending in ``*`` after a dot is sent as
that prefix, any other pattern makes it ask for ``all``. The answer is filtered to the patterns.
"""

from __future__ import annotations

import fnmatch
import re

from ._api_dsm import query_apis
from ._errors import DsmInputError
from ._paths import shown
from ._runner import Operation

API_NAME_RE = re.compile(r'^SYNO(\.[A-Za-z0-9_]+)*(\.\*|\*)?$')
MAX_PATTERNS = 100


def check_patterns(patterns):
    """The query patterns: API names or prefixes ending in ``*``, each starting with SYNO."""
    out = []
    for pattern in patterns if patterns is not None else ['SYNO.ActiveBackup.*']:
        if not isinstance(pattern, str) or not API_NAME_RE.match(pattern.strip()):
            raise DsmInputError('query: %s is not an API name (such as SYNO.ActiveBackup.Task) or a prefix ending in '
                                '* (such as SYNO.ActiveBackup.*).' % shown(pattern, 80))
        if pattern.strip() not in out:
            out.append(pattern.strip())
    if not out:
        raise DsmInputError('query is empty; leave it out to list the SYNO.ActiveBackup.* APIs.')
    if len(out) > MAX_PATTERNS:
        raise DsmInputError('query: %d patterns given; at most %d.' % (len(out), MAX_PATTERNS))
    return out


def info_query(patterns):
    """What SYNO.API.Info is asked: the names, the dotted prefixes, or ``all``."""
    terms = []
    for pattern in patterns:
        if not pattern.endswith('*'):
            terms.append(pattern)
        elif pattern.endswith('.*'):
            terms.append(pattern[:-1])
        else:
            return 'all'
    return ','.join(terms)


def _check(params, now):
    return {'patterns': check_patterns(params.get('query'))}


def _api_info(ctx):
    patterns = ctx.checked['patterns']
    apis = query_apis(ctx.client, info_query(patterns))
    keep = {name: apis[name] for name in sorted(apis) if any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)}
    return {'apis': keep}


API_INFO = Operation(
    'api_info',
    dict(query=dict(type='list', elements='str', default=['SYNO.ActiveBackup.*'])),
    _api_info,
    validate=_check,
)
