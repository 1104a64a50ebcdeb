# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A scripted HTTP exchange for unit tests: every expected request with its canned answer.

    script = Script(
        Expect.login(),
        Expect('SYNO.ActiveBackup.Share', 'list').answer(data={'shares': []}),
        Expect.logout(),
    )
    result = execute(SHARE_INFO, params(), transport=script)
    script.done()

A request that differs from the next expected one, or one more than the script holds, fails the
test at once; ``done()`` fails when expected requests were never made.
"""

from __future__ import annotations

import json

from urllib.parse import parse_qsl

from ansible_collections.syno.activebackup.plugins.module_utils._client import HttpAnswer, TransportFailure

SID = 'sid-0123456789abcdef'
SYNOTOKEN = 'token-abcdef012345'
JSON_CT = {'Content-Type': 'application/json; charset="UTF-8"'}

# Login parameters sent bare; every other non-envelope value is JSON text.
BARE = frozenset(('api', 'version', 'method', '_sid', 'SynoToken', 'account', 'passwd', 'otp_code', 'device_id',
                  'device_name', 'format', 'session', 'enable_syno_token', 'enable_device_token', 'query'))


def decode_form(body):
    """Form body -> dict with JSON values decoded (bare ones kept as strings)."""
    out = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        out[key] = value if key in BARE else json.loads(value)
    return out


class Request(object):
    def __init__(self, url, body, headers):
        self.url = url
        self.body = body
        self.headers = headers
        self.form = decode_form(body)

    @property
    def path(self):
        return self.url.split('/webapi/', 1)[-1]

    @property
    def cookie(self):
        return self.headers.get('Cookie')


class Expect(object):
    """One expected request (api, method, and optionally exact parameters) and its answer."""

    def __init__(self, api, method, params=None, path='entry.cgi', version=None, session=True):
        self.api = api
        self.method = method
        self.params = params
        self.path = path
        self.version = version
        self.session = session
        self._answer = HttpAnswer(200, JSON_CT, b'{"success": true}')
        self._failure = None
        self.check = None

    # answers
    def answer(self, data=None, **extra):
        body = {'success': True}
        if data is not None:
            body['data'] = data
        body.update(extra)
        self._answer = HttpAnswer(200, JSON_CT, json.dumps(body).encode('utf-8'))
        return self

    def error(self, code, errors=None):
        body = {'success': False, 'error': {'code': code}}
        if errors is not None:
            body['error']['errors'] = errors
        self._answer = HttpAnswer(200, JSON_CT, json.dumps(body).encode('utf-8'))
        return self

    def raw(self, status=200, body=b'', headers=None):
        self._answer = HttpAnswer(status, headers if headers is not None else JSON_CT, body)
        return self

    def fail(self, kind='connect', detail='Connection refused', sent=False):
        self._failure = TransportFailure(kind, detail, sent)
        return self

    def inspect(self, check):
        """Run ``check(request)`` on the request for extra assertions."""
        self.check = check
        return self

    # shortcuts
    @classmethod
    def login(cls, sid=SID, synotoken=SYNOTOKEN, params=None, path='entry.cgi', version=7, **extra):
        data = {'sid': sid, 'synotoken': synotoken, 'is_portal_port': False}
        data.update(extra)
        return cls('SYNO.API.Auth', 'login', params=params, path=path, version=version, session=False).answer(data)

    @classmethod
    def logout(cls, path='entry.cgi', version=7):
        return cls('SYNO.API.Auth', 'logout', path=path, version=version)

    @classmethod
    def abb(cls, method, params=None, data=None):
        exp = cls('SYNO.ActiveBackup.Share', method, params=params, version=1)
        return exp.answer(data) if data is not None else exp

    def verify(self, request, index):
        where = 'request %d (%s.%s expected)' % (index, self.api, self.method)
        got = (request.form.get('api'), request.form.get('method'))
        assert got == (self.api, self.method), '%s: got %s.%s' % (where, got[0], got[1])
        assert request.path == self.path, '%s: path %s, expected %s' % (where, request.path, self.path)
        if self.version is not None:
            assert request.form.get('version') == str(self.version), '%s: version %s' % (where, request.form.get('version'))
        assert '?' not in request.url, '%s: query string in URL %s' % (where, request.url)
        if self.params is not None:
            sent = dict((k, v) for k, v in request.form.items() if k not in ('api', 'version', 'method', '_sid'))
            assert sent == self.params, '%s: parameters %r, expected %r' % (where, sent, self.params)
        if self.session:
            assert request.form.get('_sid'), '%s: no _sid form field' % where
            assert request.cookie == 'id=%s' % request.form['_sid'], '%s: cookie %r' % (where, request.cookie)
        if self.check is not None:
            self.check(request)


class Script(object):
    """A transport that plays the expected exchange in order."""

    def __init__(self, *expected):
        self.expected = list(expected)
        self.requests = []
        self.closed = False

    def post(self, url, body, headers):
        index = len(self.requests)
        request = Request(url, body, headers)
        self.requests.append(request)
        assert index < len(self.expected), 'unexpected extra request %d: %s.%s' % (
            index, request.form.get('api'), request.form.get('method'))
        expected = self.expected[index]
        expected.verify(request, index)
        if expected._failure is not None:
            raise expected._failure
        return expected._answer

    def close(self):
        self.closed = True

    def done(self):
        assert len(self.requests) == len(self.expected), 'expected %d requests, %d were made' % (
            len(self.expected), len(self.requests))
