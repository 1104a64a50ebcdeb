# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The requests transport: TLS options, keep-alive, and how failures are classified (sent or not).

No network: a fake ``requests.Session``, and a few loopback sockets for the real exception chains.
"""

from __future__ import annotations

import re
import socket
import ssl
import struct
import threading

from urllib.parse import parse_qsl

import pytest
import requests

from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError, ProtocolError

from ansible_collections.syno.activebackup.plugins.module_utils import _transport
from ansible_collections.syno.activebackup.plugins.module_utils._client import client_from_params
from ansible_collections.syno.activebackup.plugins.module_utils._transport import ConnectionFailure, RequestsTransport
from ansible_collections.syno.activebackup.plugins.module_utils._errors import TransportError, WriteOutcomeUnknown

from ansible_collections.syno.activebackup.tests.unit.plugins.module_utils.scripted import ABB, Clock, base_params

LOGIN_OK = b'{"success": true, "data": {"sid": "s", "synotoken": "t"}}'


class FakeResponse(object):
    def __init__(self, status=200, body=LOGIN_OK, headers=None):
        self.status_code = status
        self.content = body
        self.headers = headers if headers is not None else {'Content-Type': 'application/json'}


class FakeCookies(object):
    def __init__(self):
        self.cleared = 0

    def clear(self):
        self.cleared += 1


class FakeSession(object):
    """Stands in for requests.Session: records every post, plays ``outcomes`` in order."""

    made = []
    outcomes = []

    def __init__(self):
        self.trust_env = True
        self.cookies = FakeCookies()
        self.posts = []
        self.closed = False
        FakeSession.made.append(self)

    def post(self, url, **kwargs):
        self.posts.append((url, kwargs))
        if not FakeSession.outcomes:
            return FakeResponse()
        outcome = FakeSession.outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def close(self):
        self.closed = True


@pytest.fixture
def fake(monkeypatch):
    FakeSession.made = []
    FakeSession.outcomes = []
    monkeypatch.setattr(_transport.requests, 'Session', FakeSession)
    return FakeSession


def client(clock=None, **overrides):
    clock = clock or Clock()
    return client_from_params(base_params(**overrides), sleep=clock.sleep, clock=clock)


# -- TLS options -> requests verify ------------------------------------------------------------------

def test_default_verifies_with_the_system_cas(fake):
    client().login()
    assert fake.made[0].posts[0][1]['verify'] is True


def test_ca_path_is_the_verify_bundle(fake, tmp_path):
    ca = tmp_path / 'dsm-ca.pem'
    ca.write_text('-----BEGIN CERTIFICATE-----\n')
    client(ca_path=str(ca)).login()
    assert fake.made[0].posts[0][1]['verify'] == str(ca)


def test_validate_certs_false_turns_verification_off(fake):
    client(validate_certs=False).login()
    assert fake.made[0].posts[0][1]['verify'] is False


def test_post_options(fake):
    c = client(timeout=17)
    c.login()
    c.call(ABB, 'list')
    c.close()
    session = fake.made[0]
    assert len(fake.made) == 1, 'one requests.Session per task (keep-alive)'
    assert session.trust_env is False
    assert len(session.posts) == 3
    url, kwargs = session.posts[1]
    assert url == 'https://nas.example.com:5001/webapi/entry.cgi'
    assert kwargs['timeout'] == 17
    assert kwargs['allow_redirects'] is False
    assert isinstance(kwargs['data'], bytes)
    assert kwargs['data'].decode('utf-8').startswith('api=SYNO.ActiveBackup.Share&version=1&method=list&_sid=s')
    assert kwargs['headers']['Content-Type'].startswith('application/x-www-form-urlencoded')
    assert kwargs['headers']['Cookie'] == 'id=s'
    assert kwargs['headers']['X-SYNO-TOKEN'] == 't'
    assert 'json' not in kwargs and 'params' not in kwargs
    assert session.cookies.cleared == 3
    assert session.closed


# -- failure classification ---------------------------------------------------------------------------

def refused():
    reason = NewConnectionError(None, 'Failed to establish a new connection: [Errno 111] Connection refused')
    return requests.exceptions.ConnectionError(MaxRetryError(None, '/webapi/entry.cgi', reason))


def dns():
    reason = NameResolutionError('nas.example.com', None, socket.gaierror(-2, 'Name or service not known'))
    return requests.exceptions.ConnectionError(MaxRetryError(None, '/webapi/entry.cgi', reason))


def reset():
    reason = ProtocolError('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))
    return requests.exceptions.ConnectionError(reason)


def cert():
    return requests.exceptions.SSLError(MaxRetryError(None, '/webapi/entry.cgi', ssl.SSLCertVerificationError(
        1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:1000)')))


@pytest.mark.parametrize('make, kind, sent', [
    (refused, 'connect', False),
    (dns, 'connect', False),
    (lambda: requests.exceptions.ConnectTimeout('connect timed out'), 'connect', False),
    (cert, 'tls', False),
    (reset, 'io', True),
    (lambda: requests.exceptions.ReadTimeout('read timed out'), 'timeout', True),
    (lambda: requests.exceptions.ChunkedEncodingError('Connection broken: IncompleteRead'), 'io', True),
])
def test_requests_exceptions_are_classified(fake, make, kind, sent):
    fake.outcomes = [make()]
    transport = RequestsTransport()
    with pytest.raises(ConnectionFailure) as info:
        transport.post('https://nas:5001/webapi/entry.cgi', 'api=x', {})
    assert (info.value.kind, info.value.sent) == (kind, sent)
    assert ' object at 0x' not in info.value.detail


def test_refused_write_is_retried_then_succeeds(fake):
    fake.outcomes = [FakeResponse(), refused(), FakeResponse(body=b'{"success": true}')]
    clock = Clock()
    c = client(clock)
    assert c.call(ABB, 'relink', {'share_name': 'x'}, write=True) == {}
    assert clock.sleeps == [0.5]
    assert 'Connection refused' not in str(fake.made[0].posts)


def test_reset_write_is_not_retried(fake):
    fake.outcomes = [FakeResponse(), reset()]
    clock = Clock()
    with pytest.raises(WriteOutcomeUnknown) as info:
        client(clock).call(ABB, 'relink', {'share_name': 'x'}, write=True)
    assert clock.sleeps == []
    assert len(fake.made[0].posts) == 2
    assert 'Connection reset by peer' in str(info.value)
    assert 'may or may not have been applied' in str(info.value)


def test_certificate_failure_names_ca_path_and_validate_certs_and_is_not_retried(fake):
    fake.outcomes = [cert()]
    clock = Clock()
    with pytest.raises(TransportError) as info:
        client(clock, port=8443).login()
    text = str(info.value)
    assert 'ca_path' in text and 'validate_certs' in text
    assert 'nas.example.com:8443' in text
    assert 'CERTIFICATE_VERIFY_FAILED' in text or 'certificate verify failed' in text
    assert clock.sleeps == [], 'a certificate that fails verification fails the same way on every retry'
    assert len(fake.made[0].posts) == 1


def test_tls_failure_other_than_verification_points_at_port_and_use_https(fake):
    fake.outcomes = [requests.exceptions.SSLError('[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1000)')]
    with pytest.raises(TransportError) as info:
        client(port=5000).login()
    text = str(info.value)
    assert 'WRONG_VERSION_NUMBER' in text or 'wrong version number' in text
    assert 'use_https' in text and 'port' in text


def test_transport_close_without_session_is_harmless():
    RequestsTransport().close()


# -- real exception chains on loopback -----------------------------------------------------------------

def free_port():
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


class OneShotServer(object):
    """Accepts one connection on loopback and either closes it at once or reads and never answers."""

    def __init__(self, answer):
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.answer = answer
        self.thread = threading.Thread(target=self.serve)
        self.thread.daemon = True
        self.thread.start()

    def serve(self):
        conn, dummy = self.sock.accept()
        try:
            conn.recv(65536)
            if self.answer == 'close':
                conn.close()
                return
            # Read (headers and body may come in several pieces) until the client hangs up.
            conn.settimeout(3)
            try:
                while conn.recv(65536):
                    pass
            except (socket.timeout, OSError):
                pass
        finally:
            conn.close()
            self.sock.close()


def test_loopback_refused_is_not_sent():
    transport = RequestsTransport(timeout=2)
    with pytest.raises(ConnectionFailure) as info:
        transport.post('http://127.0.0.1:%d/webapi/entry.cgi' % free_port(), 'api=x', {})
    transport.close()
    assert (info.value.kind, info.value.sent) == ('connect', False)


def test_loopback_closed_after_request_is_sent():
    server = OneShotServer('close')
    transport = RequestsTransport(timeout=2)
    with pytest.raises(ConnectionFailure) as info:
        transport.post('http://127.0.0.1:%d/webapi/entry.cgi' % server.port, 'api=x', {})
    transport.close()
    assert (info.value.kind, info.value.sent) == ('io', True)


def test_loopback_silence_is_a_timeout_and_sent():
    server = OneShotServer('silent')
    transport = RequestsTransport(timeout=0.3)
    with pytest.raises(ConnectionFailure) as info:
        transport.post('http://127.0.0.1:%d/webapi/entry.cgi' % server.port, 'api=x', {})
    transport.close()
    assert (info.value.kind, info.value.sent) == ('timeout', True)


class ScriptedServer(object):
    """One client's requests on loopback, answered in order, one behaviour each:

    ``('answer', body)``: a whole JSON answer (the connection stays open for the next request);
    ``('cut', body)``: the status line, the headers and the first half of the body, then a TCP reset.
    """

    def __init__(self, behaviours):
        self.behaviours = list(behaviours)
        self.requests = []  # the form bodies received, in order
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(4)
        self.sock.settimeout(10)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self.serve)
        self.thread.daemon = True
        self.thread.start()

    @staticmethod
    def _read_request(conn):
        data = b''
        while b'\r\n\r\n' not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, body = data.split(b'\r\n\r\n', 1)
        length = re.search(br'(?im)^content-length:\s*([0-9]+)', head)
        length = int(length.group(1)) if length else 0
        while len(body) < length:
            body += conn.recv(65536)
        return body.decode('utf-8')

    def serve(self):
        try:
            while self.behaviours:
                conn, dummy = self.sock.accept()
                conn.settimeout(10)
                try:
                    while self.behaviours:
                        request = self._read_request(conn)
                        if request is None:
                            break
                        self.requests.append(request)
                        kind, body = self.behaviours.pop(0)
                        head = ('HTTP/1.1 200 OK\r\nContent-Type: application/json; charset="UTF-8"\r\n'
                                'Content-Length: %d\r\n\r\n' % len(body)).encode('ascii')
                        if kind == 'answer':
                            conn.sendall(head + body)
                            continue
                        conn.sendall(head + body[:len(body) // 2])
                        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
                        break
                finally:
                    conn.close()
        except OSError:
            pass
        finally:
            self.sock.close()

    def methods(self):
        return [dict(parse_qsl(body)).get('method') for body in self.requests]


LIST_OK = b'{"success": true, "data": {"shares": [], "default_share": "abb"}}'
DONE = b'{"success": true}'


def loopback_client(server, clock):
    return client_from_params(base_params(host='127.0.0.1', port=server.port, use_https=False, timeout=5),
                              sleep=clock.sleep, clock=clock)


def test_loopback_reset_mid_answer_is_sent():
    server = ScriptedServer([('cut', LIST_OK)])
    transport = RequestsTransport(timeout=5)
    with pytest.raises(ConnectionFailure) as info:
        transport.post('http://127.0.0.1:%d/webapi/entry.cgi' % server.port, 'api=x', {})
    transport.close()
    assert (info.value.kind, info.value.sent) == ('io', True)


def test_loopback_reset_mid_answer_says_the_answer_was_cut():
    server = ScriptedServer([('cut', LIST_OK)])
    transport = RequestsTransport(timeout=5)
    with pytest.raises(ConnectionFailure) as info:
        transport.post('http://127.0.0.1:%d/webapi/entry.cgi' % server.port, 'api=x', {})
    transport.close()
    assert info.value.detail.startswith('connection lost'), info.value.detail
    assert 'object at 0x' not in info.value.detail


def test_chunked_encoding_error_is_a_lost_connection_after_sending(fake):
    fake.outcomes = [FakeResponse(), requests.exceptions.ChunkedEncodingError(
        "('Connection broken: IncompleteRead(8 bytes read, 9 more expected)', IncompleteRead(8 bytes read, 9 more expected))")]
    clock = Clock()
    with pytest.raises(WriteOutcomeUnknown) as info:
        client(clock).call(ABB, 'create_fs_dir', {'paths': ['/volume1/abb/pc']}, write=True)
    text = str(info.value)
    assert 'failed: connection lost in the middle of the answer: IncompleteRead(8 bytes read, 9 more expected)' in text, text
    assert 'may or may not have been applied' in text
    assert clock.sleeps == [] and len(fake.made[0].posts) == 2


def test_loopback_reset_mid_answer_of_a_read_is_retried_on_a_new_connection():
    server = ScriptedServer([('answer', LOGIN_OK), ('cut', LIST_OK), ('answer', LIST_OK), ('answer', DONE)])
    clock = Clock()
    c = loopback_client(server, clock)
    assert c.call(ABB, 'list') == {'shares': [], 'default_share': 'abb'}
    c.close()
    server.thread.join(10)
    assert server.methods() == ['login', 'list', 'list', 'logout']
    assert clock.sleeps == [0.5]


def test_loopback_reset_mid_answer_of_a_write_is_not_repeated():
    server = ScriptedServer([('answer', LOGIN_OK), ('cut', DONE), ('answer', DONE)])
    clock = Clock()
    c = loopback_client(server, clock)
    with pytest.raises(WriteOutcomeUnknown) as info:
        c.call(ABB, 'create_fs_dir', {'paths': ['/volume1/abb/pc']}, write=True)
    c.close()
    server.thread.join(10)
    # one create_fs_dir: it reached DSM, so it was not sent again; the session was still logged out
    assert server.methods() == ['login', 'create_fs_dir', 'logout']
    assert clock.sleeps == []
    text = str(info.value)
    assert text.startswith('SYNO.ActiveBackup.Share.create_fs_dir on 127.0.0.1:%d failed: ' % server.port), text
    assert 'may or may not have been applied on 127.0.0.1:%d; it was not repeated' % server.port in text
