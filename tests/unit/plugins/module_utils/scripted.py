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

The script also plays DSM's session bookkeeping: it remembers the sid and synotoken of the last
successful login answer (or the ``session`` given to ``Script``) and checks that every request
expected with ``session=True`` carries exactly that sid as form field ``_sid`` and cookie ``id``,
and the synotoken as header ``X-SYNO-TOKEN`` (no header when there is no synotoken). A request
expected with ``session=False`` (login, SYNO.API.Info) must carry none of them.
"""

from __future__ import annotations

import json

from urllib.parse import parse_qsl

from ansible_collections.syno.activebackup.plugins.module_utils._client import client_from_params
from ansible_collections.syno.activebackup.plugins.module_utils._transport import ConnectionFailure, HttpAnswer

SID = 'sid-0123456789abcdef'
SYNOTOKEN = 'token-abcdef012345'
JSON_CT = {'Content-Type': 'application/json; charset="UTF-8"'}
ABB = 'SYNO.ActiveBackup.Share'
AUTH = 'SYNO.API.Auth'
INFO = 'SYNO.API.Info'
ENTRY = 'SYNO.Entry.Request'
TASK = 'SYNO.ActiveBackup.Task'
DEVICE = 'SYNO.ActiveBackup.Device'
VERSION = 'SYNO.ActiveBackup.Version'
LOG = 'SYNO.ActiveBackup.Log'
DSM_INFO = 'SYNO.DSM.Info'

# Login parameters sent bare; every other non-envelope value is JSON text.
BARE = frozenset(('api', 'version', 'method', '_sid', 'SynoToken', 'account', 'passwd', 'otp_code', 'device_id',
                  'device_name', 'format', 'session', 'enable_syno_token', 'enable_device_token', 'query'))
# Parameters that are sent bare only by SYNO.API.Auth (elsewhere they would be JSON text).
AUTH_ONLY_BARE = frozenset(('account', 'passwd', 'otp_code', 'device_id', 'device_name', 'format', 'session',
                            'enable_syno_token', 'enable_device_token'))


def decode_form(body, api=None):
    """Form body -> dict with JSON values decoded (bare ones kept as strings).

    A value that must be JSON text and is not fails the test.
    """
    pairs = parse_qsl(body, keep_blank_values=True, strict_parsing=bool(body))
    if api is None:
        api = dict(pairs).get('api')
    out = {}
    for key, value in pairs:
        assert key not in out, 'field %s sent twice' % key
        bare = key in BARE and (api == AUTH or key not in AUTH_ONLY_BARE)
        if bare:
            out[key] = value
            continue
        try:
            out[key] = json.loads(value)
        except ValueError:
            raise AssertionError('field %s=%r is not JSON text (contract section 2)' % (key, value)) from None
    return out


class Request(object):
    def __init__(self, url, body, headers):
        self.url = url
        self.body = body
        self.headers = dict(headers or {})
        self.pairs = parse_qsl(body, keep_blank_values=True)
        self.form = decode_form(body)

    @property
    def path(self):
        return self.url.split('/webapi/', 1)[-1]

    @property
    def cookie(self):
        return self.headers.get('Cookie')

    @property
    def token(self):
        return self.headers.get('X-SYNO-TOKEN')

    @property
    def field_names(self):
        return [key for key, dummy in self.pairs]


class Expect(object):
    """One expected request (api, method, and optionally exact parameters) and its answer.

    ``params`` (when not None) is compared with every sent field except api, version, method and
    _sid, values decoded from JSON. ``sid``/``token`` override the session the script expects.
    """

    def __init__(self, api, method, params=None, path='entry.cgi', version=None, session=True, sid=None, token=None):
        self.api = api
        self.method = method
        self.params = params
        self.path = path
        self.version = version
        self.session = session
        self.sid = sid
        self.token = token
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

    def error(self, code, errors=None, outer_errors=None):
        body = {'success': False, 'error': {'code': code}}
        if errors is not None:
            body['error']['errors'] = errors
        if outer_errors is not None:
            body['errors'] = outer_errors
        self._answer = HttpAnswer(200, JSON_CT, json.dumps(body).encode('utf-8'))
        return self

    def raw(self, status=200, body=b'', headers=None):
        self._answer = HttpAnswer(status, headers if headers is not None else JSON_CT, body)
        return self

    def fail(self, kind='connect', detail='Connection refused', sent=False):
        self._failure = ConnectionFailure(kind, detail, sent)
        return self

    def inspect(self, check):
        """Run ``check(request)`` on the request for extra assertions."""
        self.check = check
        return self

    # shortcuts
    @classmethod
    def login(cls, sid=SID, synotoken=SYNOTOKEN, params=None, path='entry.cgi', version=7, **extra):
        data = {'sid': sid, 'is_portal_port': False}
        if synotoken is not None:
            data['synotoken'] = synotoken
        data.update(extra)
        return cls(AUTH, 'login', params=params, path=path, version=version, session=False).answer(data)

    @classmethod
    def login_error(cls, code, errors=None, params=None, path='entry.cgi', version=7):
        return cls(AUTH, 'login', params=params, path=path, version=version, session=False).error(code, errors)

    @classmethod
    def logout(cls, path='entry.cgi', version=7, sid=None, token=None):
        return cls(AUTH, 'logout', params={'session': 'webui'}, path=path, version=version, sid=sid, token=token)

    @classmethod
    def abb(cls, method, params=None, data=None):
        exp = cls(ABB, method, params=params, version=1)
        return exp.answer(data) if data is not None else exp

    @classmethod
    def info(cls, data=None, query='SYNO.API.Auth,SYNO.ActiveBackup.Share,SYNO.Entry.Request'):
        exp = cls(INFO, 'query', params={'query': query}, path='query.cgi', version=1, session=False)
        return exp.answer(data if data is not None else {})

    @classmethod
    def compound(cls, calls, results=None, has_fail=None):
        """``calls``: [(method, params or None)] on SYNO.ActiveBackup.Share version 1;
        ``results``: [data dict, or an int error code] in the same order."""
        items = []
        for method, params in calls:
            item = {'api': ABB, 'method': method, 'version': 1}
            item.update(params or {})
            items.append(item)
        exp = cls(ENTRY, 'request', version=1,
                  params={'mode': 'sequential', 'stop_when_error': False, 'compound': items})
        if results is not None:
            out = []
            for (method, dummy), value in zip(calls, results):
                entry = {'api': ABB, 'method': method, 'version': 1}
                if isinstance(value, int):
                    entry.update(success=False, error={'code': value})
                else:
                    entry.update(success=True, data=value)
                out.append(entry)
            fail = any(not r['success'] for r in out) if has_fail is None else has_fail
            exp.answer({'has_fail': fail, 'result': out})
        return exp

    # shortcuts for the ABB job APIs (contract sections 9-13: entry.cgi, version 1) and SYNO.DSM.Info

    @classmethod
    def call(cls, api, method, params=None, data=None, version=1):
        """``api.method`` on entry.cgi with a session; ``params`` (when not None) compared exactly."""
        exp = cls(api, method, params=params, version=version)
        return exp.answer(data) if data is not None else exp

    @classmethod
    def task(cls, method='list', params=None, data=None):
        return cls.call(TASK, method, params, data)

    @classmethod
    def device(cls, method='list', params=None, data=None):
        return cls.call(DEVICE, method, params, data)

    @classmethod
    def versions(cls, params=None, data=None):
        return cls.call(VERSION, 'list', params, data)

    @classmethod
    def log(cls, method, params=None, data=None):
        return cls.call(LOG, method, params, data)

    @classmethod
    def dsm_info(cls, data=None, params=None, version=2):
        return cls.call(DSM_INFO, 'getinfo', params, data, version=version)

    @classmethod
    def compound_of(cls, calls, results=None, has_fail=None):
        """A SYNO.Entry.Request of calls on any API: ``calls`` is [(api, method, version, params or None)],
        ``results`` [data dict, or an int error code] in the same order."""
        items = []
        for api, method, version, params in calls:
            item = {'api': api, 'method': method, 'version': version}
            item.update(params or {})
            items.append(item)
        exp = cls(ENTRY, 'request', version=1,
                  params={'mode': 'sequential', 'stop_when_error': False, 'compound': items})
        if results is not None:
            out = []
            for (api, method, version, dummy), value in zip(calls, results):
                entry = {'api': api, 'method': method, 'version': version}
                if isinstance(value, int):
                    entry.update(success=False, error={'code': value})
                else:
                    entry.update(success=True, data=value)
                out.append(entry)
            fail = any(not r['success'] for r in out) if has_fail is None else has_fail
            exp.answer({'has_fail': fail, 'result': out})
        return exp

    def verify(self, request, index, session):
        where = 'request %d (%s.%s expected)' % (index, self.api, self.method)
        got = (request.form.get('api'), request.form.get('method'))
        assert got == (self.api, self.method), '%s: got %s.%s' % (where, got[0], got[1])
        assert request.path == self.path, '%s: path %s, expected %s' % (where, request.path, self.path)
        assert request.url.startswith(('https://', 'http://')), '%s: URL %s' % (where, request.url)
        assert '?' not in request.url and '#' not in request.url, '%s: query string in URL %s' % (where, request.url)
        assert request.field_names[:3] == ['api', 'version', 'method'], '%s: fields %r' % (where, request.field_names)
        assert request.headers.get('Content-Type', '').startswith('application/x-www-form-urlencoded'), \
            '%s: content type %r' % (where, request.headers.get('Content-Type'))
        assert '+' not in request.body, '%s: "+" in the form body (spaces must be %%20): %s' % (where, request.body)
        if self.version is not None:
            assert request.form.get('version') == str(self.version), '%s: version %s' % (where, request.form.get('version'))
        if self.params is not None:
            sent = dict((k, v) for k, v in request.form.items() if k not in ('api', 'version', 'method', '_sid'))
            assert sent == self.params, '%s: parameters %r, expected %r' % (where, sent, self.params)
        if self.session:
            sid = self.sid if self.sid is not None else session.get('sid')
            token = self.token if self.token is not None else session.get('synotoken')
            assert request.form.get('_sid'), '%s: no _sid form field' % where
            assert request.cookie == 'id=%s' % request.form['_sid'], '%s: cookie %r' % (where, request.cookie)
            if sid is not None:
                assert request.form['_sid'] == sid, '%s: _sid %r, expected %r' % (where, request.form['_sid'], sid)
                if token:
                    assert request.token == token, '%s: X-SYNO-TOKEN %r, expected %r' % (where, request.token, token)
                else:
                    assert request.token is None, '%s: X-SYNO-TOKEN %r sent without a synotoken' % (where, request.token)
        else:
            assert '_sid' not in request.form, '%s: _sid sent without a session' % where
            assert request.cookie is None, '%s: cookie %r sent without a session' % (where, request.cookie)
            assert request.token is None, '%s: X-SYNO-TOKEN sent without a session' % where
        if self.check is not None:
            self.check(request)

    def learn(self, session):
        """Update the script's idea of the current session from this request and its answer."""
        if self._failure is not None or self._answer.status != 200:
            return
        try:
            body = json.loads(self._answer.body.decode('utf-8'))
        except ValueError:
            return
        if not isinstance(body, dict) or body.get('success') is not True:
            return
        if self.api == AUTH and self.method == 'login':
            data = body.get('data') or {}
            session.clear()
            session.update(sid=data.get('sid'), synotoken=data.get('synotoken'))
        elif self.api == AUTH and self.method == 'logout':
            session.clear()


class Script(object):
    """A transport that plays the expected exchange in order.

    ``session``: the session a task was given (``{'sid': ..., 'synotoken': ...}``), if any.
    """

    def __init__(self, *expected, **kwargs):
        self.expected = list(expected)
        self.requests = []
        self.closed = False
        self.session = dict(kwargs.pop('session', None) or {})
        assert not kwargs, 'unknown arguments %r' % kwargs

    def post(self, url, body, headers):
        index = len(self.requests)
        request = Request(url, body, headers)
        self.requests.append(request)
        assert index < len(self.expected), 'unexpected extra request %d: %s.%s' % (
            index, request.form.get('api'), request.form.get('method'))
        expected = self.expected[index]
        expected.verify(request, index, self.session)
        expected.learn(self.session)
        if expected._failure is not None:
            raise expected._failure
        return expected._answer

    def close(self):
        self.closed = True

    def done(self):
        assert len(self.requests) == len(self.expected), 'expected %d requests, %d were made' % (
            len(self.expected), len(self.requests))

    def calls(self):
        """[(api, method)] of the requests made, for messages."""
        return [(r.form.get('api'), r.form.get('method')) for r in self.requests]


HOST = 'nas.example.com'
PASSWORD = 'Adm1n-Secret!'


def base_params(**overrides):
    """Module parameters as AnsibleModule would hand them over, with credentials."""
    base = dict(host=HOST, port=None, use_https=True, validate_certs=True, ca_path=None,
                username='admin', password=PASSWORD, otp_code=None, otp_secret=None, device_id=None,
                device_name='ansible', session=None, timeout=60, retries=3)
    base.update(overrides)
    return base


def make_client(script, clock=None, warnings=None, **overrides):
    """A DsmClient on ``script`` with a fake clock (``clock.sleeps`` records the waits)."""
    clock = clock if clock is not None else Clock()
    warn = warnings.append if warnings is not None else None
    return client_from_params(base_params(**overrides), transport=script, warn=warn, sleep=clock.sleep, clock=clock)


class Clock(object):
    """A fake clock whose ``sleep`` advances it and records each wait (seconds)."""

    def __init__(self, now=1111111109.0):
        self.now = float(now)
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        assert seconds >= 0, 'negative sleep %r' % seconds
        self.sleeps.append(seconds)
        self.now += seconds
