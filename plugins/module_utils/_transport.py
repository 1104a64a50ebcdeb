# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: the HTTP transport under the DSM client.

One ``requests.Session`` per task (keep-alive), a POST of a form body that the wire layer
encoded, and every failure classified by whether the request may have reached the server
(``ConnectionFailure.sent``): the client's write rule (contract section 5) depends on it.
Tests replace the transport with a scripted one that has the same ``post``/``close``.
"""

from __future__ import annotations

import re
import traceback

try:
    import requests
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised by the missing-library test
    requests = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()


class HttpAnswer:
    """What the transport hands back: status, lower-cased headers, body bytes."""

    def __init__(self, status: int, headers, body: bytes):
        self.status = status
        self.headers = dict((k.lower(), v) for k, v in (headers or {}).items())
        self.body = body or b''


class ConnectionFailure(Exception):
    """Raised by a transport when no HTTP answer came. ``sent`` is False only when the request surely never reached the server."""

    def __init__(self, kind, detail, sent):
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.sent = sent


def _connect_phase(exc):
    """True when a requests exception happened before the request was sent (refused, DNS, connect timeout)."""
    seen = set()
    todo = [exc]
    while todo:
        item = todo.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        name = type(item).__name__
        if name in ('NewConnectionError', 'NameResolutionError', 'ConnectTimeoutError', 'ConnectTimeout',
                    'ConnectionRefusedError', 'gaierror'):
            return True
        todo.extend([getattr(item, 'reason', None), item.__cause__, item.__context__])
        todo.extend(arg for arg in getattr(item, 'args', ()) if isinstance(arg, BaseException))
    return False


class RequestsTransport:
    """HTTP transport on one ``requests.Session`` (keep-alive) for the life of a task."""

    def __init__(self, verify=True, timeout=60):
        self.verify = verify
        self.timeout = timeout
        self._session = None

    def post(self, url: str, body: str, headers: dict) -> HttpAnswer:
        if self._session is None:
            self._session = requests.Session()
            self._session.trust_env = False
        try:
            resp = self._session.post(url, data=body.encode('utf-8'), headers=headers, timeout=self.timeout,
                                      verify=self.verify, allow_redirects=False)
            answer = HttpAnswer(resp.status_code, resp.headers, resp.content)
        except requests.exceptions.SSLError as exc:
            raise ConnectionFailure('tls', _short_reason(exc), sent=False) from None
        except requests.exceptions.ConnectTimeout as exc:
            raise ConnectionFailure('connect', 'connection timed out: %s' % _short_reason(exc), sent=False) from None
        except requests.exceptions.ReadTimeout:
            raise ConnectionFailure('timeout', 'no answer within %s seconds' % self.timeout, sent=True) from None
        except requests.exceptions.ChunkedEncodingError as exc:
            # status and headers came, then the connection broke before the whole body had arrived
            raise ConnectionFailure('io', 'connection lost in the middle of the answer: %s' % _short_reason(exc),
                                    sent=True) from None
        except requests.exceptions.ConnectionError as exc:
            if _connect_phase(exc):
                raise ConnectionFailure('connect', 'cannot connect: %s' % _short_reason(exc), sent=False) from None
            raise ConnectionFailure('io', 'connection lost: %s' % _short_reason(exc), sent=True) from None
        except requests.exceptions.RequestException as exc:
            raise ConnectionFailure('io', _short_reason(exc), sent=True) from None
        except (UnicodeError, ValueError) as exc:
            # a header or URL value that HTTP cannot carry: the request was never sent
            raise ConnectionFailure('request', 'the request could not be built (%s)' % type(exc).__name__,
                                    sent=False) from None
        finally:
            # The session is carried explicitly (form field, cookie, header); keep no cookie jar state.
            if self._session is not None:
                self._session.cookies.clear()
        return answer

    def close(self):
        if self._session is not None:
            self._session.close()
            self._session = None


def is_verification_failure(detail) -> bool:
    text = str(detail).lower()
    return any(marker in text for marker in ('certificate_verify_failed', 'certificate verify failed',
                                             'hostname mismatch', "doesn't match", 'self-signed', 'self signed'))


def _short_reason(exc):
    """The innermost useful words of a requests/urllib3 exception, without object reprs."""
    text = str(exc)
    for marker in ('[SSL: CERTIFICATE_VERIFY_FAILED]', 'certificate verify failed', 'hostname mismatch',
                   'Connection refused', 'Name or service not known', 'Temporary failure in name resolution',
                   'Connection reset by peer', 'Remote end closed connection', 'IncompleteRead', 'timed out'):
        if marker in text:
            idx = text.find(marker)
            end = text.find(')', idx)
            if marker == 'IncompleteRead' and end > idx:
                end += 1  # keep the byte counts' closing parenthesis
            return text[idx:end if end > idx else idx + 120].strip(" '\"(")
    text = re.sub(r'<[^>]+ object at 0x[0-9a-f]+>', '', text)
    return text[:200]
