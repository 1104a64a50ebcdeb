# -*- coding: utf-8 -*-
# Copyright: contributors to syno.activebackup
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Self-tests of the DSM emulator: run it once (HTTPS, two NAS, scenario full) and drive it
over the wire with requests, as the collection's client would."""

from __future__ import annotations

import http.client
import json
import os
import ssl
import sys
import time

import pytest
import requests

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import certs  # noqa: E402
import dsm_emulator  # noqa: E402
from control import EmulatorControl, EmulatorControlError, start_emulator  # noqa: E402

ABB = 'SYNO.ActiveBackup.Share'
ADMIN = ('admin', 'Adm1n-Secret!')
OTP_USER = ('otpadmin', '0tp-Secret!')
RELINK_SECONDS = 0.3
SEED_SHARE = '/volume1/ActiveBackupforBusiness'
JOB_APIS = ('SYNO.ActiveBackup.Task', 'SYNO.ActiveBackup.Device', 'SYNO.ActiveBackup.Version',
            'SYNO.ActiveBackup.Log', 'SYNO.ActiveBackup.Setting', 'SYNO.ActiveBackup.Overview')


@pytest.fixture(scope='module')
def emulator(tmp_path_factory):
    handle = start_emulator(tmp_path_factory.mktemp('emulator'), count=2, scenario='full',
                            extra_args=['--relink-seconds', str(RELINK_SECONDS), '--autoblock', '3:60:1'])
    yield handle
    assert handle.stop() == 0


@pytest.fixture
def ctl(emulator):
    for index in range(len(emulator.nas)):
        emulator.control(index).reset()
    return emulator.control(0)


class Dsm:
    """A minimal client that speaks the contract (form bodies, JSON-quoted values)."""

    def __init__(self, url, ca):
        self.url = url + '/webapi/'
        self.http = requests.Session()
        self.http.verify = ca if ca else True
        self.http.trust_env = False
        self.sid = None
        self.synotoken = None

    def post(self, cgi, fields, headers=None):
        return self.http.post(self.url + cgi, data=fields, headers=headers or {}, timeout=15)

    def request(self, api, method, version=1, cgi='entry.cgi', raw=None, **params):
        """One call; params are JSON-encoded, ``raw`` fields are sent as they are."""
        fields = {'api': api, 'version': str(version), 'method': method}
        if self.sid:
            fields['_sid'] = self.sid
        fields.update((name, json.dumps(value)) for name, value in params.items())
        fields.update(raw or {})
        headers = {'X-SYNO-TOKEN': self.synotoken} if self.synotoken else {}
        return self.post(cgi, fields, headers).json()

    def abb(self, method, **params):
        return self.request(ABB, method, **params)

    def login(self, account=ADMIN[0], passwd=ADMIN[1], cgi='entry.cgi', version=7, **extra):
        fields = {'api': 'SYNO.API.Auth', 'version': str(version), 'method': 'login', 'account': account,
                  'passwd': passwd, 'format': 'sid', 'enable_syno_token': 'yes', 'session': 'webui'}
        fields.update(extra)
        answer = self.post(cgi, fields).json()
        if answer['success']:
            self.sid = answer['data']['sid']
            self.synotoken = answer['data'].get('synotoken')
        return answer

    def logout(self, cgi='entry.cgi', version=7):
        answer = self.request('SYNO.API.Auth', 'logout', version=version, cgi=cgi)
        self.sid = self.synotoken = None
        return answer

    def info(self, query):
        return self.post('query.cgi', {'api': 'SYNO.API.Info', 'version': '1', 'method': 'query', 'query': query}).json()


def code_of(answer):
    assert answer['success'] is False, answer
    return answer['error']['code']


def reason_of(answer):
    assert code_of(answer) == 100, answer
    return answer['error']['errors']['reason']


@pytest.fixture
def dsm(emulator, ctl):
    client = Dsm(emulator.url(0), emulator.ca)
    assert client.login()['success']
    return client


def names(answer, key='shares', field='name'):
    return [item[field] for item in answer['data'][key]]


def storage_of(dsm, share):
    found = [item for item in dsm.abb('list_storage')['data']['storages'] if item['share_name'] == share]
    return found[0] if found else None


def wait_relink(dsm, share, limit=5.0):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if not storage_of(dsm, share)['relink_state']['alive']:
            return storage_of(dsm, share)
        time.sleep(0.05)
    raise AssertionError('relink of %s still running after %s s' % (share, limit))


def steady_window():
    """Wait for the next 30 s TOTP window when the current one ends within 3 s."""
    left = 30 - time.time() % 30
    if left < 3:
        time.sleep(left + 0.05)


def fresh_code(secret, forbidden_at):
    """A six-digit code that is neither the current nor the previous window's."""
    bad = {dsm_emulator.totp(secret, forbidden_at), dsm_emulator.totp(secret, forbidden_at - 30)}
    candidate = 0
    while '%06d' % candidate in bad:
        candidate += 1
    return '%06d' % candidate


# ------------------------------------------------------------------ process, TLS, HTTP


def test_ready_file_and_tls(emulator):
    assert os.path.isabs(emulator.ca) and os.path.exists(emulator.ca)
    assert [nas['name'] for nas in emulator.nas] == ['nas1', 'nas2']
    assert len(set(nas['port'] for nas in emulator.nas)) == 2
    for nas in emulator.nas:
        assert nas['url'] == 'https://127.0.0.1:%d' % nas['port'] and nas['scenario'] == 'full'
    cert_dir = os.path.dirname(emulator.ca)
    assert {'ca.pem', 'server.pem', 'server-key.pem'} <= set(os.listdir(cert_dir))
    assert os.stat(os.path.join(cert_dir, 'server-key.pem')).st_mode & 0o077 == 0
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(emulator.url(0) + '/_emulator/stats', verify=True, timeout=5)
    for host in ('127.0.0.1', 'localhost'):
        context = ssl.create_default_context(cafile=emulator.ca)
        connection = http.client.HTTPSConnection(host, emulator.nas[0]['port'], context=context, timeout=5)
        connection.request('GET', '/_emulator/info')
        assert json.loads(connection.getresponse().read())['name'] == 'nas1'
        connection.close()


def test_keep_alive_and_content_type(emulator, ctl):
    context = ssl.create_default_context(cafile=emulator.ca)
    connection = http.client.HTTPSConnection('127.0.0.1', emulator.nas[0]['port'], context=context, timeout=5)
    body = 'api=SYNO.API.Info&version=1&method=query&query=all'
    headers = {'Content-Type': 'application/x-www-form-urlencoded'}
    for dummy in range(3):
        connection.request('POST', '/webapi/query.cgi', body=body, headers=headers)
        response = connection.getresponse()
        assert response.status == 200
        assert response.getheader('Content-Type') == 'application/json; charset="UTF-8"'
        assert json.loads(response.read())['success'] is True
    sock = connection.sock
    connection.request('POST', '/webapi/query.cgi', body=body, headers=headers)
    connection.getresponse().read()
    assert connection.sock is sock, 'the connection was not kept alive'
    connection.close()
    assert ctl.stats()['info_queries'] == 4


def test_multiple_nas_are_independent(emulator, ctl):
    first, second = Dsm(emulator.url(0), emulator.ca), Dsm(emulator.url(1), emulator.ca)
    assert first.login()['success'] and second.login()['success']
    assert first.abb('create_fs_dir', paths=[SEED_SHARE + '/only-on-nas1'])['success']
    assert 'only-on-nas1' in names(first.abb('list_file', root_path=SEED_SHARE), 'files')
    assert 'only-on-nas1' not in names(second.abb('list_file', root_path=SEED_SHARE), 'files')
    assert ctl.stats()['writes'] == 1
    assert emulator.control(1).stats()['writes'] == 0
    assert emulator.control(1).stats()['logins'] == 1


# ------------------------------------------------------------------ sessions


def test_login_logout_counters_and_log(emulator, ctl):
    client = Dsm(emulator.url(0), emulator.ca)
    answer = client.login()
    assert answer['success']
    data = answer['data']
    assert set(data) == {'sid', 'synotoken', 'is_portal_port', 'account'}
    assert data['account'] == 'admin' and data['is_portal_port'] is False
    assert client.http.cookies.get('id') == data['sid']
    assert client.abb('list')['success']
    stats = ctl.stats()
    assert (stats['logins'], stats['open_sessions'], stats['failed_logins']) == (1, 1, 0)
    assert client.logout() == {'success': True}
    stats = ctl.stats()
    assert (stats['logouts'], stats['open_sessions']) == (1, 0)
    assert stats['calls'] == {'SYNO.API.Auth.login': 1, 'SYNO.ActiveBackup.Share.list': 1, 'SYNO.API.Auth.logout': 1}
    assert stats['requests'] == 3
    log = ctl.log()
    assert [entry['seq'] for entry in log] == [1, 2, 3]
    login, call, logout = log
    assert login['params']['passwd'] == '<redacted>' and login['params']['account'] == 'admin'
    assert call['has_sid_field'] and call['has_sid_cookie'] and call['has_synotoken_header']
    assert call['raw_url'] == '/webapi/entry.cgi' and call['url_params'] == []
    assert (call['api'], call['method'], call['version'], call['status'], call['success'], call['code']) == (ABB, 'list', 1, 200, True, None)
    assert call['session'] == 1 and call['account'] == 'admin' and call['client'] == '127.0.0.1'
    assert logout['method'] == 'logout'
    assert ctl.log(since=2) == [logout]


def test_session_from_field_or_cookie(emulator, ctl):
    client = Dsm(emulator.url(0), emulator.ca)
    assert client.login()['success']
    sid = client.sid
    client.http.cookies.clear()
    assert client.abb('list')['success'], 'sid in the form field only'
    client.sid = None
    client.http.cookies.set('id', sid)
    assert client.abb('list')['success'], 'sid in the cookie only'
    client.http.cookies.clear()
    assert code_of(client.abb('list')) == 119
    last = ctl.log()[-1]
    assert not last['has_sid_field'] and not last['has_sid_cookie']


def test_logout_without_sid_ends_nothing(emulator, dsm, ctl):
    anonymous = Dsm(emulator.url(0), emulator.ca)
    assert anonymous.logout() == {'success': True}
    stats = ctl.stats()
    assert (stats['logouts'], stats['open_sessions']) == (0, 1)


def test_synotoken_required(dsm, ctl):
    ctl.faults(require_synotoken=True)
    token = dsm.synotoken
    assert dsm.abb('list')['success']
    dsm.synotoken = 'wrong'
    assert code_of(dsm.abb('list')) == 119
    dsm.synotoken = None
    assert code_of(dsm.abb('list')) == 119
    assert dsm.request(ABB, 'list', raw={'SynoToken': token})['success']


def test_drop_sessions_expire_and_ip_mismatch(dsm, ctl):
    ctl.faults(expire_sessions=106)
    assert code_of(dsm.abb('list')) == 106
    assert code_of(dsm.abb('list')) == 119, 'an expired session is gone after answering once'
    assert dsm.login()['success']
    ctl.faults(session_ip_mismatch=1)
    assert code_of(dsm.abb('list')) == 150
    assert dsm.abb('list')['success']
    assert ctl.drop_sessions() == {'dropped': 1}
    assert code_of(dsm.abb('list')) == 119
    assert ctl.stats()['open_sessions'] == 0


# ------------------------------------------------------------------ accounts, 2FA, Auto Block


def test_accounts(emulator, ctl):
    client = Dsm(emulator.url(0), emulator.ca)
    assert code_of(client.login('admin', 'nope')) == 400
    assert code_of(client.login('nobody', 'nope')) == 400
    assert code_of(client.login('enrol', 'Enr0l-Secret!')) == 406
    assert code_of(client.login('disabled', 'D1sabled-Secret!')) == 401
    assert client.login('viewer', 'V1ewer-Secret!')['success']
    for method in ('list', 'list_storage', 'create_fs_dir'):
        assert code_of(client.abb(method, paths=[SEED_SHARE + '/x'])) == 105
    stats = ctl.stats()
    assert (stats['logins'], stats['failed_logins'], stats['writes']) == (1, 4, 0)


def test_two_factor(emulator, ctl):
    steady_window()
    client = Dsm(emulator.url(0), emulator.ca)
    answer = client.login(*OTP_USER)
    assert code_of(answer) == 403
    errors = answer['error']['errors']
    assert errors['types'] == [{'type': 'otp'}] and isinstance(errors['token'], str) and errors['token']
    assert code_of(client.login(*OTP_USER, otp_code=fresh_code(dsm_emulator.OTP_SECRET, time.time()))) == 404
    code = dsm_emulator.totp(dsm_emulator.OTP_SECRET)
    answer = client.login(*OTP_USER, otp_code=code, enable_device_token='yes', device_name='ansible-test')
    assert answer['success'], answer
    token = answer['data']['device_id']
    assert client.http.cookies.get('did') == token
    assert code_of(Dsm(emulator.url(0), emulator.ca).login(*OTP_USER, otp_code=code)) == 404, 'a code is single use'
    other = Dsm(emulator.url(0), emulator.ca)
    assert other.login(*OTP_USER, device_id=token, device_name='ansible-test')['success']
    assert code_of(other.login(*OTP_USER, device_id=token, device_name='another')) == 403
    assert code_of(other.login(*OTP_USER, device_id='forged', device_name='ansible-test')) == 403
    assert other.abb('list')['success']
    # admin without 2FA ignores the 2FA extras the DSM sign-in page sends
    plain = Dsm(emulator.url(0), emulator.ca).login(otp_code='', enable_device_token='yes', device_name='x')
    assert plain['success'] and 'device_id' not in plain['data']


def test_two_factor_previous_window(emulator, ctl):
    steady_window()
    code = dsm_emulator.totp(dsm_emulator.OTP_SECRET, time.time() - 30)
    assert Dsm(emulator.url(0), emulator.ca).login(*OTP_USER, otp_code=code)['success']


def test_auto_block(emulator, ctl):
    client = Dsm(emulator.url(0), emulator.ca)
    for dummy in range(3):  # the module's emulator runs with --autoblock 3:60:1
        assert code_of(client.login('admin', 'wrong')) == 400
    assert code_of(client.login()) == 407, 'blocked even with the right password'
    time.sleep(1.05)
    assert client.login()['success']
    ctl.faults(autoblock='2:60:300')
    assert code_of(client.login('admin', 'wrong')) == 400
    assert code_of(client.login('admin', 'wrong')) == 400
    assert code_of(client.login()) == 407
    ctl.reset()
    assert client.login()['success'], 'reset clears Auto Block'


# ------------------------------------------------------------------ discovery and routing


def test_info_discovery(emulator, ctl):
    client = Dsm(emulator.url(0), emulator.ca)
    everything = client.info('ALL')['data']
    assert set(everything) == {'SYNO.API.Info', 'SYNO.API.Auth', ABB, 'SYNO.Entry.Request', 'SYNO.DSM.Info'} | set(JOB_APIS)
    assert everything['SYNO.API.Auth'] == {'path': 'entry.cgi', 'minVersion': 1, 'maxVersion': 7}
    assert everything[ABB]['path'] == 'entry.cgi' and (everything[ABB]['minVersion'], everything[ABB]['maxVersion']) == (1, 2)
    assert set(client.info('SYNO.API.Auth,SYNO.Nothing')['data']) == {'SYNO.API.Auth'}
    assert set(client.info('SYNO.ActiveBackup.')['data']) == {ABB} | set(JOB_APIS)
    assert set(client.info('SYNO.API.')['data']) == {'SYNO.API.Info', 'SYNO.API.Auth'}
    assert ctl.stats()['info_queries'] == 4


def test_info_dsm6(emulator, ctl):
    ctl.faults(dsm6=True)
    steady_window()
    client = Dsm(emulator.url(0), emulator.ca)
    assert client.info('SYNO.API.Auth')['data'] == {'SYNO.API.Auth': {'path': 'auth.cgi', 'minVersion': 1, 'maxVersion': 6}}
    assert code_of(client.login()) == 102
    assert code_of(client.login(cgi='auth.cgi', version=7)) == 104
    code = dsm_emulator.totp(dsm_emulator.OTP_SECRET)
    answer = client.login(*OTP_USER, cgi='auth.cgi', version=6, otp_code=code, enable_device_token='yes', device_name='d6')
    assert answer['success'] and 'did' in answer['data'] and 'device_id' not in answer['data']
    assert client.abb('list')['success']
    assert client.logout(cgi='auth.cgi', version=6) == {'success': True}
    assert ctl.stats()['logouts'] == 1


def test_abb_missing_and_compound_unsupported(dsm, ctl):
    ctl.faults(abb_missing=True, compound_unsupported=True)
    assert set(dsm.info('all')['data']) == {'SYNO.API.Info', 'SYNO.API.Auth', 'SYNO.DSM.Info'}
    assert code_of(dsm.abb('list')) == 102
    assert code_of(dsm.request('SYNO.Entry.Request', 'request', compound=[])) == 102


def test_routing_errors(dsm):
    assert code_of(dsm.request(ABB, 'list', version=3)) == 104
    assert code_of(dsm.request(ABB, 'no_such_method')) == 103
    assert code_of(dsm.request('SYNO.Nothing', 'list')) == 102
    assert code_of(dsm.request(ABB, 'list', cgi='auth.cgi')) == 102
    assert code_of(dsm.post('entry.cgi', {'api': ABB, 'method': 'list'}).json()) == 101
    assert dsm.request(ABB, 'list', version=2)['success']
    response = dsm.http.post(dsm.url + 'entry.cgi', json={'api': ABB, 'version': 1, 'method': 'list', '_sid': dsm.sid}, timeout=5)
    assert code_of(response.json()) == 101, 'a JSON body is not a form'
    assert dsm.http.post(dsm.url + 'nothing.cgi', data={}, timeout=5).status_code == 404


def test_get_query_is_accepted_and_logged(dsm, ctl):
    answer = dsm.http.get(dsm.url + 'entry.cgi', params={'api': ABB, 'version': 1, 'method': 'list', '_sid': dsm.sid}, timeout=5)
    assert answer.json()['success']
    last = ctl.log()[-1]
    assert last['http_method'] == 'GET' and last['url_params'] == ['_sid', 'api', 'method', 'version']
    assert last['raw_url'].startswith('/webapi/entry.cgi?api=SYNO.ActiveBackup.Share&version=1')
    assert last['params']['_sid'] == '<redacted>'


# ------------------------------------------------------------------ parameter encoding


def test_encoding_lenient_and_strict(dsm, ctl):
    bare = {'root_path': SEED_SHARE}
    assert dsm.request(ABB, 'list_file', raw=bare)['success'], 'bare strings are accepted by default'
    assert dsm.abb('list_file', root_path=SEED_SHARE)['success']
    assert ctl.log()[-1]['params']['root_path'] == '"%s"' % SEED_SHARE
    ctl.faults(strict=True)
    answer = dsm.request(ABB, 'list_file', raw=bare)
    assert code_of(answer) == 120 and answer['error']['errors'] == {'name': 'root_path', 'reason': 'type'}
    assert dsm.abb('list_file', root_path=SEED_SHARE)['success']
    assert code_of(dsm.abb('create_fs_dir', paths=SEED_SHARE + '/x')) == 120, 'strict: paths must be an array'
    assert code_of(dsm.abb('remove', share_name='ABB-Migrated', is_remove_data='false')) == 120
    ctl.faults(strict=False)
    assert dsm.abb('create_fs_dir', paths=SEED_SHARE + '/lenient')['success'], 'lenient: a lone path string'


def test_missing_required_parameters(dsm):
    for method, params in (('list_file', {}), ('create_fs_dir', {}), ('relink', {}),
                           ('remove', {'share_name': 'ActiveBackupforBusiness'}), ('remove', {'is_remove_data': False})):
        answer = dsm.abb(method, **params)
        assert code_of(answer) == 120, (method, params)
        assert answer['error']['errors']['reason'] == 'required'


# ------------------------------------------------------------------ ABB methods


def test_default_scenario_is_the_seed(dsm, ctl):
    ctl.reset('default')
    assert dsm.login()['success']
    shares = dsm.abb('list')['data']
    assert shares['default_share'] == 'ActiveBackupforBusiness'
    assert [share['name'] for share in shares['shares']] == ['ActiveBackupforBusiness']
    share = shares['shares'][0]
    assert tuple(sorted(share)) == tuple(sorted(dsm_emulator.SHARE_FIELDS))
    assert (share['free_space'], share['storage_id'], share['path'], share['type']) == (10401845899264, 1, SEED_SHARE, 'btrfs')
    assert share['relinkable'] is False and share['not_support_new_vesion'] is False
    storages = dsm.abb('list_storage')['data']['storages']
    assert len(storages) == 1
    storage = storages[0]
    assert tuple(sorted(storage)) == tuple(sorted(dsm_emulator.STORAGE_FIELDS))
    assert (storage['device_count'], storage['device_info']['pc_count'], storage['device_info']['pc_size']) == (4, 4, 20039709263360)
    assert storage['relink_state'] == {'alive': False, 'error': {'code': 0}, 'owner': True, 'state': 0}
    assert (storage['dedup_size'], storage['vol_name'], storage['repo_dir'], storage['fs_type']) == (9121643806720, 'Volume 1', '@ActiveBackup', 3)
    assert dsm.abb('list_volume')['data'] == {'volumes': [
        {'total_bytes': '23030223990784', 'used_bytes': '12628378091520', 'volume_path': '/volume1'}]}
    assert dsm.abb('list_encrypted')['data'] == {'shares': []}
    assert dsm.abb('check_file')['data'] == {'error_files': []}


def test_full_scenario_and_encrypted_mount(dsm, ctl):
    assert names(dsm.abb('list')) == ['ActiveBackupforBusiness', 'ABB-Migrated', 'ABB-Busy']
    assert names(dsm.abb('list_encrypted')) == ['ABB-Vault']
    assert names(dsm.abb('list_storage'), 'storages', 'share_name') == ['ActiveBackupforBusiness', 'ABB-Busy']
    assert names(dsm.abb('list_volume'), 'volumes', 'volume_path') == ['/volume1', '/volume2']
    busy = storage_of(dsm, 'ABB-Busy')
    assert (busy['storage_id'], busy['backup_tasks'], busy['device_count']) == (2, [{'task_id': 3, 'task_name': 'Laptops'}], 2)
    assert code_of(dsm.abb('list_file', root_path='/volume1/ABB-Vault')) == 408, 'not mounted'
    ctl.set_state({'shares': {'ABB-Vault': {'mounted': True}}})
    assert 'ABB-Vault' in names(dsm.abb('list'))
    assert names(dsm.abb('list_file', root_path='/volume1/ABB-Vault'), 'files') == ['keys']
    assert ctl.state()['shares'][-1]['mounted'] is True


def test_check_file_reports_state(dsm, ctl):
    bad = [{'share_name': 'ABB-Busy', 'path': '/volume1/ABB-Busy/@ActiveBackup/x', 'error': 2}]
    ctl.set_state({'error_files': bad})
    assert dsm.abb('check_file')['data'] == {'error_files': bad}


def test_list_file(dsm):
    answer = dsm.abb('list_file', root_path=SEED_SHARE)['data']
    assert answer['total'] == 3
    assert answer['files'] == [
        {'name': '@ActiveBackup', 'path': SEED_SHARE + '/@ActiveBackup', 'isdir': True},
        {'name': 'README.txt', 'path': SEED_SHARE + '/README.txt', 'isdir': False},
        {'name': 'exports', 'path': SEED_SHARE + '/exports', 'isdir': True},
    ]
    assert names(dsm.abb('list_file', root_path=SEED_SHARE + '/exports/'), 'files') == ['2024']
    for missing in (SEED_SHARE + '/nope', SEED_SHARE + '/README.txt', '/volume1', '/volume9/x', 'relative', SEED_SHARE + '/../x'):
        assert code_of(dsm.abb('list_file', root_path=missing)) == 408, missing


def test_create_fs_dir(dsm, ctl):
    wanted = [SEED_SHARE + '/pc/laptops/2025', '/volume2/ABB-Migrated/new']
    assert dsm.abb('create_fs_dir', paths=wanted) == {'success': True}
    assert names(dsm.abb('list_file', root_path=SEED_SHARE + '/pc'), 'files') == ['laptops']
    assert names(dsm.abb('list_file', root_path=SEED_SHARE + '/pc/laptops'), 'files') == ['2025']
    assert dsm.abb('create_fs_dir', paths=wanted + [SEED_SHARE])['success'], 'existing directories are no error'
    stats = ctl.stats()
    assert (stats['writes'], stats['writes_by_method']) == (2, {'create_fs_dir': 2})


@pytest.mark.parametrize('bad', [
    '/volume1/NoSuchShare/x',
    SEED_SHARE + '/README.txt/below',
    SEED_SHARE + '/a/../b',
    SEED_SHARE + '/./b',
    'volume1/ActiveBackupforBusiness/x',
    '/volume1',
])
def test_create_fs_dir_is_atomic(dsm, ctl, bad):
    before = ctl.state()['files']
    assert code_of(dsm.abb('create_fs_dir', paths=[SEED_SHARE + '/good/one', bad])) == 408
    assert ctl.state()['files'] == before
    assert ctl.stats()['writes'] == 0


def test_relink_runs_in_background(dsm, ctl):
    assert storage_of(dsm, 'ABB-Migrated') is None
    ctl.faults(relink_seconds=60)
    assert dsm.abb('relink', share_name='ABB-Migrated') == {'success': True}
    running = storage_of(dsm, 'ABB-Migrated')
    assert running['relink_state'] == {'alive': True, 'owner': True, 'state': 1}
    assert [s for s in dsm.abb('list')['data']['shares'] if s['name'] == 'ABB-Migrated'][0]['relinkable'] is True
    assert reason_of(dsm.abb('relink', share_name='ABB-Migrated')) == 'relink_in_progress'
    assert reason_of(dsm.abb('remove', share_name='ABB-Migrated', is_remove_data=False)) == 'relink_in_progress'
    assert storage_of(dsm, 'ABB-Migrated')['relink_state']['alive'] is True
    ctl.set_state({'storages': {'ABB-Migrated': {'relink_job': {'until': 0}}}})  # the background job is due now
    done = wait_relink(dsm, 'ABB-Migrated')
    assert done['relink_state'] == {'alive': False, 'error': {'code': 0}, 'owner': True, 'state': 0}
    assert (done['storage_id'], done['volume_path'], done['vol_name'], done['repo_dir']) == (3, '/volume2', 'Volume 2', '@ActiveBackup')
    share = [s for s in dsm.abb('list')['data']['shares'] if s['name'] == 'ABB-Migrated'][0]
    assert share['relinkable'] is False and share['storage_id'] == 3
    assert reason_of(dsm.abb('relink', share_name='ABB-Migrated')) == 'already_linked'
    assert reason_of(dsm.abb('relink', share_name='ActiveBackupforBusiness')) == 'already_linked'
    assert reason_of(dsm.abb('relink', share_name='NoSuchShare')) == 'no_such_share'
    ctl.set_state({'shares': {'ABB-Vault': {'mounted': True}}})
    assert reason_of(dsm.abb('relink', share_name='ABB-Vault')) == 'not_relinkable'
    assert ctl.stats()['writes_by_method'] == {'relink': 1}


def test_relink_failure(dsm, ctl):
    ctl.faults(relink_fail={'share_name': 'ABB-Migrated', 'code': 4401}, relink_seconds=0.1)
    assert dsm.abb('relink', share_name='ABB-Migrated')['success']
    failed = wait_relink(dsm, 'ABB-Migrated')
    assert failed['relink_state'] == {'alive': False, 'error': {'code': 4401}, 'owner': False, 'state': 0}
    share = [s for s in dsm.abb('list')['data']['shares'] if s['name'] == 'ABB-Migrated'][0]
    assert share['relinkable'] is True and share['storage_id'] == 0
    ctl.faults(relink_fail=None)
    assert dsm.abb('relink', share_name='ABB-Migrated')['success'], 'a failed relink may be retried'
    assert wait_relink(dsm, 'ABB-Migrated')['relink_state']['owner'] is True
    assert len([s for s in dsm.abb('list_storage')['data']['storages'] if s['share_name'] == 'ABB-Migrated']) == 1


def test_remove_refusals(dsm, ctl):
    assert reason_of(dsm.abb('remove', share_name='NoSuchShare', is_remove_data=False)) == 'no_such_share'
    assert reason_of(dsm.abb('remove', share_name='ABB-Migrated', is_remove_data=False)) == 'not_a_storage'
    assert reason_of(dsm.abb('remove', share_name='ABB-Busy', is_remove_data=False)) == 'storage_in_use'
    answer = dsm.abb('remove', share_name='ActiveBackupforBusiness', is_remove_data=False, storage_id=2)
    assert code_of(answer) == 120 and answer['error']['errors']['name'] == 'storage_id'
    assert ctl.stats()['writes'] == 0
    assert len(dsm.abb('list_storage')['data']['storages']) == 2


def test_remove_keeping_data(dsm, ctl):
    assert dsm.abb('remove', share_name='ActiveBackupforBusiness', is_remove_data=False, storage_id=1) == {'success': True}
    assert storage_of(dsm, 'ActiveBackupforBusiness') is None
    shares = dsm.abb('list')['data']
    share = [s for s in shares['shares'] if s['name'] == 'ActiveBackupforBusiness'][0]
    assert share['relinkable'] is True and share['storage_id'] == 0
    assert shares['default_share'] == 'ABB-Busy'
    assert '@ActiveBackup' in names(dsm.abb('list_file', root_path=SEED_SHARE), 'files')
    assert dsm.abb('relink', share_name='ActiveBackupforBusiness')['success']
    assert wait_relink(dsm, 'ActiveBackupforBusiness')['storage_id'] == 3, 'a new storage id'


def test_remove_with_data_and_busy_after_tasks_cleared(dsm, ctl):
    ctl.set_state({'storages': {'ABB-Busy': {'backup_tasks': []}}})
    assert dsm.abb('remove', share_name='ABB-Busy', is_remove_data=True)['success']
    share = [s for s in dsm.abb('list')['data']['shares'] if s['name'] == 'ABB-Busy'][0]
    assert share['relinkable'] is False
    assert '@ActiveBackup' not in names(dsm.abb('list_file', root_path='/volume1/ABB-Busy'), 'files')
    assert reason_of(dsm.abb('relink', share_name='ABB-Busy')) == 'not_relinkable'
    assert ctl.stats()['writes_by_method'] == {'remove': 1}


# ------------------------------------------------------------------ compound


def test_compound(dsm, ctl):
    calls = [{'api': ABB, 'method': 'list', 'version': 1},
             {'api': ABB, 'method': 'list_file', 'version': 1, 'root_path': SEED_SHARE},
             {'api': ABB, 'method': 'nope', 'version': 1},
             {'api': ABB, 'method': 'list_volume', 'version': 1}]
    answer = dsm.request('SYNO.Entry.Request', 'request', mode='sequential', stop_when_error=False, compound=calls)
    assert answer['success']
    result = answer['data']['result']
    assert answer['data']['has_fail'] is True
    assert [(item['method'], item['success']) for item in result] == [('list', True), ('list_file', True), ('nope', False), ('list_volume', True)]
    assert result[0]['data']['default_share'] == 'ActiveBackupforBusiness' and result[0]['api'] == ABB and result[0]['version'] == 1
    assert result[1]['data']['total'] == 3
    assert result[2]['error'] == {'code': 103}
    stats = ctl.stats()
    assert stats['calls']['SYNO.Entry.Request.request'] == 1
    assert stats['calls'][ABB + '.list'] == 1 and stats['calls'][ABB + '.list_volume'] == 1
    assert ctl.log()[-1]['compound'] == [ABB + '.list', ABB + '.list_file', ABB + '.nope', ABB + '.list_volume']
    stopped = dsm.request('SYNO.Entry.Request', 'request', mode='sequential', stop_when_error=True, compound=calls)
    assert len(stopped['data']['result']) == 3
    assert dsm.request('SYNO.Entry.Request', 'request', compound=calls[:2])['data']['has_fail'] is False
    assert code_of(dsm.request('SYNO.Entry.Request', 'request')) == 120
    odd = dsm.request('SYNO.Entry.Request', 'request', compound=[{'api': ['x'], 'method': 'list', 'version': 1}])
    assert odd['data']['result'][0]['error'] == {'code': 101}


def test_compound_needs_session_and_permission(emulator, dsm):
    calls = [{'api': ABB, 'method': 'list', 'version': 1}]
    assert code_of(Dsm(emulator.url(0), emulator.ca).request('SYNO.Entry.Request', 'request', compound=calls)) == 119
    viewer = Dsm(emulator.url(0), emulator.ca)
    assert viewer.login('viewer', 'V1ewer-Secret!')['success']
    answer = viewer.request('SYNO.Entry.Request', 'request', compound=calls)
    assert answer['data']['result'][0]['error'] == {'code': 105} and answer['data']['has_fail'] is True


# ------------------------------------------------------------------ faults


def test_fault_queue(dsm, ctl):
    ctl.faults(queue=[{'code': 117, 'count': 2, 'api': ABB, 'method': 'list'}])
    assert dsm.abb('list_volume')['success'], 'other methods do not match'
    assert code_of(dsm.abb('list')) == 117
    assert code_of(dsm.abb('list')) == 117
    assert dsm.abb('list')['success']
    ctl.faults(queue=[{'code': 109}])
    assert code_of(dsm.abb('create_fs_dir', paths=[SEED_SHARE + '/queued'])) == 109
    assert 'queued' not in names(dsm.abb('list_file', root_path=SEED_SHARE), 'files'), 'a queued fault does nothing'
    stats = ctl.stats()
    assert (stats['queued_faults'], stats['writes']) == (3, 0)


@pytest.mark.parametrize('kind, status, check', [
    ('502_html', 502, lambda r: r.headers['Content-Type'] == 'text/html' and '502 Bad Gateway' in r.text),
    ('503_html', 503, lambda r: r.headers['Content-Type'] == 'text/html'),
    ('200_html', 200, lambda r: r.text.startswith('<html>')),
    ('no_success', 200, lambda r: 'success' not in r.json()),
    ('wrong_content_type', 200, lambda r: r.headers['Content-Type'] == 'text/html' and r.json()['success'] is True),
    ('empty', 200, lambda r: r.content == b''),
])
def test_http_faults(dsm, ctl, kind, status, check):
    ctl.faults(http=[{'kind': kind, 'api': ABB, 'method': 'list'}])
    response = dsm.post('entry.cgi', {'api': ABB, 'version': '1', 'method': 'list', '_sid': dsm.sid})
    assert response.status_code == status
    assert check(response)
    assert dsm.abb('list')['success'], 'count defaults to 1'
    assert ctl.log()[-2]['fault'] == kind and ctl.stats()['http_faults'] == 1


def test_http_fault_truncated_json(dsm, ctl):
    ctl.faults(http=[{'kind': 'truncated_json'}])
    response = dsm.post('entry.cgi', {'api': ABB, 'version': '1', 'method': 'list', '_sid': dsm.sid})
    assert response.status_code == 200 and response.content.startswith(b'{')
    with pytest.raises(ValueError):
        response.json()


def test_http_fault_reset(dsm, ctl):
    ctl.faults(http=[{'kind': 'reset', 'method': 'list_storage'}])
    with pytest.raises(requests.exceptions.ConnectionError):
        dsm.abb('list_storage')
    assert dsm.abb('list_storage')['success']
    assert ctl.log()[-2]['status'] is None and ctl.log()[-2]['fault'] == 'reset'


def test_http_fault_reset_midway(dsm, ctl):
    ctl.faults(http=[{'kind': 'reset_midway', 'method': 'list_storage'}])
    with pytest.raises(requests.exceptions.RequestException) as caught:
        dsm.abb('list_storage')
    # the status line and headers arrived, the body was cut: not a refused or reset-before-answer connection
    assert not isinstance(caught.value, requests.exceptions.ConnectTimeout)
    assert dsm.abb('list_storage')['success']
    entry = ctl.log()[-2]
    assert entry['fault'] == 'reset_midway' and entry['status'] == 200


def test_http_fault_before_and_after_apply(dsm, ctl):
    ctl.faults(http=[{'kind': '502_html', 'method': 'create_fs_dir'}])
    assert dsm.post('entry.cgi', {'api': ABB, 'version': '1', 'method': 'create_fs_dir', '_sid': dsm.sid,
                                  'paths': json.dumps([SEED_SHARE + '/before'])}).status_code == 502
    ctl.faults(http=[{'kind': '502_html', 'method': 'create_fs_dir', 'after_apply': True}])
    assert dsm.post('entry.cgi', {'api': ABB, 'version': '1', 'method': 'create_fs_dir', '_sid': dsm.sid,
                                  'paths': json.dumps([SEED_SHARE + '/after'])}).status_code == 502
    listed = names(dsm.abb('list_file', root_path=SEED_SHARE), 'files')
    assert 'after' in listed and 'before' not in listed
    assert ctl.stats()['writes'] == 1


def test_latency_and_delay(dsm, ctl):
    ctl.faults(delay=[{'method': 'list_storage', 'seconds': 0.4}])
    started = time.monotonic()
    assert dsm.abb('list_storage')['success']
    assert time.monotonic() - started >= 0.4
    assert ctl.faults()['faults']['delay'] == [], 'count defaults to 1'
    ctl.faults(latency_ms=150)
    started = time.monotonic()
    assert dsm.abb('list')['success']
    assert time.monotonic() - started >= 0.15


def test_rotate_certificate(emulator, ctl):
    answer = ctl.faults(rotate_certificate=True)
    assert os.path.exists(answer['ca']) and answer['ca'] != emulator.ca
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(emulator.url(0) + '/_emulator/stats', verify=emulator.ca, timeout=5)
    assert requests.get(emulator.url(0) + '/_emulator/stats', verify=answer['ca'], timeout=5).ok
    assert requests.get(emulator.url(1) + '/_emulator/stats', verify=emulator.ca, timeout=5).ok, 'nas2 keeps its certificate'
    assert ctl.stats()['name'] == 'nas1', 'the control client trusts both CAs'
    ctl.reset()
    assert requests.get(emulator.url(0) + '/_emulator/stats', verify=emulator.ca, timeout=5).ok


def test_fault_validation(ctl):
    for knobs in ({'nope': 1}, {'http': [{'kind': 'teapot'}]}, {'queue': [{'count': 1}]}, {'expire_sessions': 105},
                  {'relink_fail': {'code': 0}}, {'latency_ms': -1}, {'strict': 'yes'}, {'autoblock': '1:2'}):
        with pytest.raises(EmulatorControlError):
            ctl.faults(**knobs)
    snapshot = ctl.faults(queue=[{'code': 117}])['faults']
    assert snapshot['queue'] == [{'code': 117, 'count': 1, 'api': None, 'method': None, 'errors': None}]
    assert snapshot['relink_seconds'] == RELINK_SECONDS and snapshot['strict'] is False


# ------------------------------------------------------------------ control API


def test_control_reset_and_state(emulator, dsm, ctl):
    assert dsm.abb('create_fs_dir', paths=[SEED_SHARE + '/gone-after-reset'])['success']
    ctl.set_state({'default_share': 'ABB-Busy', 'shares': {'ABB-New': {'path': '/volume1/ABB-New', 'relinkable': True}}})
    assert dsm.abb('list')['data']['default_share'] == 'ABB-Busy'
    assert 'ABB-New' in names(dsm.abb('list'))
    ctl.faults(strict=True, queue=[{'code': 117, 'count': 5}])
    answer = ctl.reset()
    assert answer == {'reset': True, 'scenario': 'full'}
    stats = ctl.stats()
    assert (stats['requests'], stats['logins'], stats['open_sessions'], stats['calls']) == (0, 0, 0, {})
    assert ctl.log() == []
    assert code_of(dsm.abb('list')) == 119, 'sessions are dropped'
    assert dsm.login()['success'] and dsm.request(ABB, 'list', raw={'x': 'y'})['success'], 'faults are cleared'
    assert 'gone-after-reset' not in names(dsm.abb('list_file', root_path=SEED_SHARE), 'files')
    assert ctl.reset('relinkable')['scenario'] == 'relinkable'
    assert dsm.login()['success']
    assert names(dsm.abb('list')) == ['ActiveBackupforBusiness', 'ABB-Migrated']
    whole = ctl.state()
    whole['shares'] = whole['shares'][:1]
    ctl.set_state(replace=whole)
    assert names(dsm.abb('list')) == ['ActiveBackupforBusiness']
    with pytest.raises(EmulatorControlError):
        ctl.reset('no-such-scenario')
    with pytest.raises(EmulatorControlError):
        ctl.set_state({'bogus': 1})


def test_totp_rfc6238_vector():
    secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'  # base32 of the RFC's ASCII key 12345678901234567890
    assert dsm_emulator.totp(secret, at=59, digits=8) == '94287082'
    assert dsm_emulator.totp(secret, at=1111111109, digits=8) == '07081804'


def test_openssl_fallback(tmp_path, monkeypatch):
    if not certs.shutil.which('openssl'):
        pytest.skip('no openssl command')
    monkeypatch.setattr(certs, 'HAS_CRYPTOGRAPHY', False)
    paths = certs.make_run_certs(str(tmp_path))
    assert sorted(os.listdir(str(tmp_path))) == ['ca.pem', 'server-key.pem', 'server.pem']
    dsm_emulator.server_context(paths)
    ssl.create_default_context(cafile=paths['ca'])


def test_plain_http_nas_option_and_state_file(tmp_path):
    state_file = str(tmp_path / 'state.json')
    args = ['--nas', 'alpha:0:default', '--nas', 'beta:0:relinkable', '--state-file', state_file]
    handle = start_emulator(tmp_path / 'run1', tls=False, extra_args=args)
    try:
        assert handle.ca is None
        assert [(nas['name'], nas['scenario']) for nas in handle.nas] == [('alpha', 'default'), ('beta', 'relinkable')]
        assert all(nas['url'] == 'http://127.0.0.1:%d' % nas['port'] for nas in handle.nas)
        client = Dsm(handle.url(1), None)
        assert client.login()['success']
        assert client.abb('create_fs_dir', paths=['/volume2/ABB-Migrated/kept'])['success']
        assert EmulatorControl(handle.url(1)).stats()['writes'] == 1
    finally:
        assert handle.stop() == 0
    handle = start_emulator(tmp_path / 'run2', tls=False, extra_args=args)
    try:
        client = Dsm(handle.url(1), None)
        assert client.login()['success']
        assert 'kept' in names(client.abb('list_file', root_path='/volume2/ABB-Migrated'), 'files')
    finally:
        assert handle.stop() == 0


def test_cli_rejects_bad_arguments(tmp_path):
    with pytest.raises(RuntimeError):
        start_emulator(tmp_path, scenario='no-such-scenario', tls=False, timeout=10)
