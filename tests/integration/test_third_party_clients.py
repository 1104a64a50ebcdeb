# -*- coding: utf-8 -*-
# Copyright: contributors to syno.activebackup
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Third-party DSM clients against the DSM emulator (nas1, scenario full, HTTPS with the test CA).

Clients in daily use talk to real NAS in their own way (DSM 6 style logins on auth.cgi, GET
requests with the fields in the URL, versions from SYNO.API.Info). Running them here checks that
the emulator answers what a real DSM answers them, so the emulator stays a fair stand-in:

- synology_api (PyPI synology-api): login over auth.cgi with ``dsm_version=6`` (version 6,
  ``format=cookie``; its DSM 7 login needs the web UI's encrypted handshake, which the contract
  does not cover), then its Active Backup class: ``list_storage`` and ``list_tasks``;
- synology_dsm (PyPI py-synologydsm-api, asyncio and aiohttp): login on the path and version
  SYNO.API.Info advertises, then SYNO.DSM.Info ``getinfo``.
"""

from __future__ import annotations

import asyncio
import ssl

import pytest

# both pinned in tests/requirements-dev.txt
from synology_api import base_api
from synology_api.core_active_backup import ActiveBackupBusiness
from synology_dsm import SynologyDSM

ADMIN = ('admin', 'Adm1n-Secret!')


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    """Loopback only: requests (used by synology_api without a session) must not go through a proxy."""
    for name in ('HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'all_proxy'):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv('NO_PROXY', '127.0.0.1,localhost')
    monkeypatch.setenv('no_proxy', '127.0.0.1,localhost')


@pytest.fixture
def fresh_shared_session():
    """synology_api keeps one login per process in a class attribute: start and end without one."""
    base_api.BaseApi.shared_session = None
    yield
    base_api.BaseApi.shared_session = None


def _port(nas, index=0):
    return nas.nas[index]['port']


def test_synology_api_dsm6_login_storages_and_tasks(nas, fresh_shared_session):
    ctl = nas.control(0)
    abb = ActiveBackupBusiness(ip_address='127.0.0.1', port=str(_port(nas)), username=ADMIN[0], password=ADMIN[1],
                               secure=True, cert_verify=nas.ca, dsm_version=6, debug=False)
    try:
        storages = abb.list_storage()
        assert storages['success'] is True
        state = ctl.state()
        expected = sorted((item['share_name'], item['storage_id']) for item in state['storages'])
        assert sorted((item['share_name'], item['storage_id']) for item in storages['data']['storages']) == expected
        assert ('ABB-Busy', 2) in expected

        tasks = abb.list_tasks()
        assert tasks['success'] is True
        summary = dict((task['task_name'], task) for task in ctl.jobs()['tasks'])
        listed = dict((task['task_name'], task) for task in tasks['data']['tasks'])
        assert sorted(listed) == sorted(summary) and tasks['data']['total'] == len(summary)
        for name, task in listed.items():
            assert task['task_id'] == summary[name]['task_id']
            last = task.get('last_result')
            assert (last['result_id'] if last else None) == summary[name]['last_result_id'], name
            assert [device['host_name'] for device in task['devices']] == summary[name]['devices']
        assert listed['SMB-Archive']['last_result'] is None
        assert listed['File-Server']['last_result']['status'] == 4
        assert listed['NAS-Replica']['progress']['running_task_status'] == 1

        one = abb.list_tasks(task_id=4, include_versions=True)
        assert [task['task_name'] for task in one['data']['tasks']] == ['File-Server']
        assert one['data']['tasks'][0]['version_count'] == summary['File-Server']['versions']
    finally:
        abb.logout()

    entries = ctl.log()
    login = entries[0]
    assert (login['path'], login['api'], login['method'], login['version'], login['success']) == \
        ('/webapi/auth.cgi', 'SYNO.API.Auth', 'login', 6, True)
    assert login['params']['format'] == 'cookie'
    calls = [(entry['api'], entry['method'], entry['http_method'], entry['version']) for entry in entries]
    assert ('SYNO.ActiveBackup.Share', 'list_storage', 'GET', 1) in calls
    assert calls.count(('SYNO.ActiveBackup.Task', 'list', 'GET', 1)) == 2
    task_call = [entry for entry in entries if entry['api'] == 'SYNO.ActiveBackup.Task'][0]
    assert '_sid' in task_call['url_params'] and task_call['success'] is True
    assert entries[-1]['method'] == 'logout' and entries[-1]['path'] == '/webapi/auth.cgi' and entries[-1]['success']
    stats = ctl.stats()
    assert stats['logins'] == 1 and stats['failed_logins'] == 0 and stats['http_methods']['GET'] >= 5


async def _dsm_info(port, ca):
    import aiohttp

    context = ssl.create_default_context(cafile=ca)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=context)) as session:
        api = SynologyDSM(session, '127.0.0.1', port, ADMIN[0], ADMIN[1], use_https=True, timeout=15)
        assert await api.login() is True
        await api.information.update()
        info = api.information
        found = {'model': info.model, 'serial': info.serial, 'version': info.version,
                 'version_string': info.version_string, 'ram': info.ram, 'uptime': info.uptime,
                 'temperature': info.temperature, 'temperature_warn': info.temperature_warn}
        assert await api.logout() is True
        return found


def test_synology_dsm_login_and_dsm_info(nas):
    ctl = nas.control(1)
    found = asyncio.run(_dsm_info(_port(nas, 1), nas.ca))
    dsm = ctl.state()['dsm']
    for key in ('model', 'serial', 'version', 'version_string', 'ram', 'temperature', 'temperature_warn'):
        assert found[key] == dsm[key], key
    assert found['uptime'] > 0
    assert found['serial'] != nas.control(0).state()['dsm']['serial'], 'every NAS has its own serial'

    entries = ctl.log()
    login = [entry for entry in entries if entry['method'] == 'login'][0]
    assert (login['path'], login['version'], login['http_method'], login['success']) == ('/webapi/entry.cgi', 7, 'POST', True)
    infos = [entry for entry in entries if entry['api'] == 'SYNO.DSM.Info']
    assert len(infos) == 2 and all(entry['version'] == 2 and entry['http_method'] == 'GET' and entry['success'] for entry in infos)
    assert entries[0]['api'] == 'SYNO.API.Info'
    stats = ctl.stats()
    assert stats['logins'] == 1 and stats['logouts'] == 1 and stats['open_sessions'] == 0
