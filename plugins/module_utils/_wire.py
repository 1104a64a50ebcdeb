# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: the DSM wire format.

What goes on the wire and what comes back, with no state: form encoding of an API call
(contract section 2), turning an HTTP answer into DSM's JSON object or a ``TransportError``
(contract section 1), and reading the error code and details of a failed answer (contract
section 5). The session client (``_client``) decides what to do with them.
"""

from __future__ import annotations

import json
import re

from urllib.parse import quote, urlencode

from ._errors import DsmInputError, TransportError

# Parameters sent bare (not as JSON text), contract section 2.
ENVELOPE_FIELDS = frozenset(('api', 'version', 'method', '_sid', 'SynoToken'))

HTML_TITLE_RE = re.compile(r'<title[^>]*>([^<]{1,80})', re.IGNORECASE)

# What to do about an answer that is not DSM's (contract section 1), by what came instead.
HINT_GATEWAY = ('DSM\'s web server, or a reverse proxy in front of it, did not pass the request on: DSM may be starting, '
                'updating or overloaded. Run the task again later; if it persists, check DSM and the reverse proxy.')
HINT_NOT_DSM = ('host, port and use_https may point at another web server or service than DSM\'s web API (or at a '
                'reverse proxy that does not pass /webapi/ on); check them.')
HINT_CUT = ('The answer may have been cut off on the way (a dropped connection or a proxy); run the task again. If it '
            'persists, check that host, port and use_https point at DSM\'s web API.')
HINT_RESET = ('The connection was cut before the whole answer came (DSM\'s web server restarting, a proxy or the '
              'network); run the task again.')
HINT_CONNECT = 'Check host, port and use_https, and that the NAS is up and reachable from the host that runs the task.'
HINT_TIMEOUT = ('DSM did not answer in time (list_storage and list_volume can take long on a NAS with many backups); '
                'raise timeout (now %s seconds) or run the task again later.')


def encode_value(value) -> str:
    """JSON text of a parameter value (contract section 2)."""
    return json.dumps(value, separators=(',', ':'), ensure_ascii=False)


def encode_form(fields) -> str:
    """Form body with spaces as %20 (never '+').

    A value that is not valid text (a lone surrogate, left by bytes that were not UTF-8) cannot be sent:
    DsmInputError naming the field, never the value (it may be a password).
    """
    fields = list(fields)
    for name, value in fields:
        try:
            str(value).encode('utf-8')
        except UnicodeEncodeError:
            raise DsmInputError('%s: the value holds a character that is not valid text (most likely a byte that was not '
                                'UTF-8 in the input), so it cannot be sent to DSM; correct the value.' % name) from None
    return urlencode(fields, quote_via=quote)


def api_fields(api: str, method: str, version: int, params) -> list:
    """The ordered form fields of an API call, values JSON-encoded except the envelope's."""
    fields = [('api', api), ('version', str(version)), ('method', method)]
    for key, value in (params or {}).items():
        if value is None:
            continue
        fields.append((key, str(value) if key in ENVELOPE_FIELDS else encode_value(value)))
    return fields


def parse_answer(answer, host: str, api: str, method: str) -> dict:
    """Turn an HTTP answer into DSM's JSON object, or raise TransportError (contract section 1)."""
    where = '%s.%s on %s' % (api, method, host)
    ctype = answer.headers.get('content-type', '')
    if answer.status != 200:
        title = HTML_TITLE_RE.search(answer.body[:4096].decode('utf-8', 'replace'))
        extra = ': %s' % title.group(1).strip() if title else ''
        raise TransportError('%s failed: HTTP status %s%s (a reverse proxy or DSM web server error, not an API answer).'
                             % (where, answer.status, extra), host=host, api=api, method=method,
                             hint=HINT_GATEWAY if answer.status in (502, 503, 504) else HINT_NOT_DSM)
    if not answer.body.strip():
        raise TransportError('%s failed: the answer was empty.' % where, host=host, api=api, method=method,
                             hint=HINT_CUT)
    try:
        data = json.loads(answer.body.decode('utf-8', 'replace'))
    except (ValueError, RecursionError) as exc:
        html = b'<html' in answer.body[:512].lower()
        what = 'an HTML page' if html else 'not valid JSON'
        if isinstance(exc, RecursionError):
            what = 'JSON nested too deeply to read'
        raise TransportError('%s failed: the answer (%d bytes, content type %r) is %s.'
                             % (where, len(answer.body), ctype or 'none', what),
                             host=host, api=api, method=method, hint=HINT_NOT_DSM if html else HINT_CUT) from None
    if not isinstance(data, dict) or not isinstance(data.get('success'), bool):
        raise TransportError('%s failed: the answer is JSON but not a DSM answer (no "success" member).' % where,
                             host=host, api=api, method=method, hint=HINT_NOT_DSM)
    return data


def error_code(data):
    """The error code of a failed DSM answer, or None when DSM gave none."""
    err = data.get('error')
    code = err.get('code') if isinstance(err, dict) else err
    # DSM sends a JSON integer; accept a whole number in any JSON form, nothing else (a boolean is
    # not a code, 119.7 is not 119, "1_000" and non-ASCII digits are not DSM's).
    if isinstance(code, bool):
        return None
    if isinstance(code, int):
        return code
    if isinstance(code, float):
        return int(code) if code.is_integer() else None
    if isinstance(code, str) and re.match(r'^\s*-?[0-9]{1,10}\s*$', code, re.ASCII):
        return int(code)
    return None


def error_details(data):
    err = data.get('error')
    details = None
    if isinstance(err, dict):
        details = err.get('errors')
    if details is None:
        details = data.get('errors')
    return details


def answers_call(item, api, method) -> bool:
    """False when a compound result names another API or method than the call at its position."""
    if not isinstance(item, dict):
        return True
    return item.get('api', api) == api and item.get('method', method) == method


def parameter_context(code, params):
    """For error 120 (contract section 5: "fail, name the parameter"): the names of the parameters sent.

    DSM does not say which parameter it refused, so the message names every one that was sent.
    """
    if code != 120:
        return None
    names = sorted(key for key, value in (params or {}).items() if value is not None)
    if not names:
        return 'no parameters were sent, so a required one is missing'
    return ('parameters sent: %s (DSM does not say which one it refused or which required one is missing)'
            % ', '.join(names))
