# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: api_info (what the NAS advertises in SYNO.API.Info, contract section 3)
and api (one call of any DSM web API method).

``api_info``: one request, with no session (Info needs none): ``query.cgi`` ``SYNO.API.Info`` ``query``.
DSM takes exact names, ``all``, or a prefix that ends in a dot; a pattern ending in ``*`` after a dot is
sent as that prefix, any other pattern makes it ask for ``all``. The answer is filtered to the patterns.

``api``: ``SYNO.API.Info`` ``query`` for the API (its path and versions, contract section 3), then the
call on that path with the session. The version is the one given, else 1 for ``SYNO.ActiveBackup.*``
(contract section 9, R1), else the highest the NAS advertises. Parameter values are sent as JSON text
(contract section 2). A call that is not read-only is a write (contract section 5: never sent twice),
reports a change and is not sent in check mode. In ``data``, every secret-named key (contract section 9,
plus DSM's session keys) keeps its place with the value ``VALUE_REDACTED``.
"""

from __future__ import annotations

import fnmatch
import json
import re

from ._api import is_secret_key, kind_of
from ._api_dsm import query_apis
from ._config import check_number
from ._errors import AbbNotInstalled, DsmError, DsmInputError, INFO_API, is_abb_api
from ._paths import shown, text_problem
from ._runner import Operation
from ._wire import ENVELOPE_FIELDS

API_NAME_RE = re.compile(r'^SYNO(\.[A-Za-z0-9_]+)*(\.\*|\*)?$')
MAX_PATTERNS = 100


def check_patterns(patterns):
    """The query patterns: API names or prefixes ending in ``*``, each starting with SYNO."""
    out = []
    for pattern in patterns if patterns is not None else ['SYNO.ActiveBackup.*']:
        if isinstance(pattern, str) and len(pattern) > MAX_API_NAME:
            raise DsmInputError('query: a pattern of %d characters; API names are at most %d.'
                                % (len(pattern), MAX_API_NAME))
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


# -- api: one call of any DSM web API method ------------------------------------------------------

CALL_API_RE = re.compile(r'^SYNO(\.[A-Za-z0-9_]+)+$')
METHOD_RE = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')
PATH_RE = re.compile(r'^[A-Za-z0-9_][A-Za-z0-9_./-]*$')
MAX_API_NAME = 200
MAX_VERSION = 1000
MAX_DEPTH = 32

REDACTED = 'VALUE_REDACTED'
# DSM's session keys, secret wherever they appear (besides the secret-named keys of contract section 9).
SESSION_KEYS = frozenset(('sid', '_sid', 'synotoken'))
# DSM's trusted-device token; ABB's device_id is a number (a device), kept.
DEVICE_TOKEN_KEYS = frozenset(('did', 'device_id'))
READ_PREFIXES = ('list', 'get', 'check', 'load')
READ_METHODS = frozenset(('query', 'status', 'info'))


def is_read_method(method) -> bool:
    """The default of read_only: methods named list*, get*, query, status, check*, load* or info."""
    lowered = method.lower()
    return lowered in READ_METHODS or lowered.startswith(READ_PREFIXES)


def is_secret_field(key, value) -> bool:
    lowered = str(key).lower()
    if is_secret_key(lowered) or lowered in SESSION_KEYS:
        return True
    return lowered in DEVICE_TOKEN_KEYS and isinstance(value, str)


def redact(value, depth=0):
    """A copy of ``value`` whose secret-named keys keep their place with the value VALUE_REDACTED.

    Containers nested deeper than 32 levels are cut (``'...'``).
    """
    if isinstance(value, (dict, list)) and depth >= MAX_DEPTH:
        return '...'
    if isinstance(value, dict):
        return {key: REDACTED if is_secret_field(key, item) else redact(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [redact(item, depth + 1) for item in value]
    return value


def _check_call(params, now):
    api = params.get('api')
    if not isinstance(api, str) or not CALL_API_RE.match(api.strip()) or len(api) > MAX_API_NAME:
        raise DsmInputError('api must be the name of a DSM web API, starting with SYNO., such as '
                            'SYNO.ActiveBackup.Task (got %s).' % shown(api, 80))
    method = params.get('method')
    if not isinstance(method, str) or not METHOD_RE.match(method.strip()) or len(method) > MAX_API_NAME:
        raise DsmInputError('method must be the name of a method of %s, such as list (got %s).'
                            % (api.strip(), shown(method, 80)))
    version = check_number('version', params.get('version'), 1, MAX_VERSION)
    call_params = params.get('params')
    if call_params is None:
        call_params = {}
    if not isinstance(call_params, dict):
        raise DsmInputError('params must be a dictionary of parameter names to values (got %s).'
                            % kind_of(call_params))
    for key, value in call_params.items():
        if not isinstance(key, str) or not key.strip() or text_problem(key):
            raise DsmInputError('params: every name must be a non-empty text without control characters (got %s).'
                                % shown(key, 40))
        if key in ENVELOPE_FIELDS:
            raise DsmInputError('params: %s is set by the module itself (from api, method, version and the session); '
                                'leave it out.' % key)
        try:
            json.dumps(value, ensure_ascii=False, allow_nan=False).encode('utf-8')
        except UnicodeEncodeError:
            raise DsmInputError('params: the value of %s is not valid Unicode text (it holds a lone surrogate, for '
                                'example from bytes that are not UTF-8).' % key) from None
        except (TypeError, ValueError):
            odd = ' that is NaN or infinite' if isinstance(value, float) else ''
            raise DsmInputError('params: the value of %s cannot be sent as JSON text (%s%s).'
                                % (key, kind_of(value), odd)) from None
    read_only = params.get('read_only')
    if read_only is None:
        read_only = is_read_method(method.strip())
    return {'api': api.strip(), 'method': method.strip(), 'version': version, 'params': call_params,
            'read_only': bool(read_only)}


def _advertised(client, api):
    """(path, lowest version, highest version) of ``api`` as SYNO.API.Info advertises it."""
    entry = query_apis(client, api).get(api)
    if not isinstance(entry, dict):
        if is_abb_api(api):
            raise AbbNotInstalled(
                '%s on %s does not list %s: Active Backup for Business is not installed (or not running), or it has no '
                'such API. syno.activebackup.api_info lists the APIs it offers.' % (INFO_API, client.nas_label, api),
                host=client.nas_label, api=INFO_API, method='query')
        raise DsmError('%s on %s does not list %s: the NAS has no such API (or the package that brings it is not '
                       'installed or not running). Names are case-sensitive; syno.activebackup.api_info with query: '
                       '[\'SYNO.*\'] lists every API it offers.' % (INFO_API, client.nas_label, api),
                       host=client.nas_label, api=INFO_API, method='query')
    path = entry.get('path')
    if not isinstance(path, str) or not PATH_RE.match(path) or '..' in path:
        raise DsmError('%s on %s advertises %s with the path %s, which is not a path of the web API; the call was not '
                       'made.' % (INFO_API, client.nas_label, api, shown(path, 60)),
                       host=client.nas_label, api=INFO_API, method='query')
    try:
        low, high = int(entry.get('minVersion', 1)), int(entry.get('maxVersion', 1))
    except (TypeError, ValueError, OverflowError):
        low, high = 1, 1
    return path, low, high


def _call(ctx):
    client = ctx.client
    checked = ctx.checked
    api, method = checked['api'], checked['method']
    path, low, high = _advertised(client, api)
    version = checked['version']
    if version is None:
        # contract section 9 (R1): ABB APIs answer 103 to Info's maxVersion; they are called with 1
        version = max(low, 1) if is_abb_api(api) else high
    elif not low <= version <= high:
        raise DsmInputError('version %s of %s is not offered by %s: it advertises versions %s to %s. Leave version out '
                            'to use %s.' % (version, api, client.nas_label, low, high,
                                            'version 1' if is_abb_api(api) else 'the highest'))
    read_only = checked['read_only']
    out = {'changed': not read_only, 'api': api, 'method': method, 'version': version, 'path': path,
           'read_only': read_only}
    if not read_only and ctx.check_mode:
        return out
    # the session first, on the client's own login endpoint (the call may be to SYNO.API.Auth itself)
    client.ensure_session()
    data = client.call(api, method, checked['params'], write=not read_only, endpoint=(path, version), raw=True)
    if ctx.params.get('redact', True):
        out['data'] = redact(data)
    else:
        out['data'] = data
        ctx.warn('redact is false: data may hold passwords, tokens or session keys as %s sent them; run this task with '
                 'no_log: true and keep its result out of logs and reports.' % client.nas_label)
    return out


API = Operation(
    'api',
    dict(
        api=dict(type='str', required=True),
        method=dict(type='str', required=True),
        version=dict(type='int'),
        params=dict(type='dict'),
        read_only=dict(type='bool'),
        redact=dict(type='bool', default=True),
    ),
    _call,
    validate=_check_call,
)
