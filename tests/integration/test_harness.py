# -*- coding: utf-8 -*-
# Copyright: contributors to syno.activebackup
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The integration harness itself, proven with ansible.builtin.uri against the emulator.

No collection module is involved: these tests show that run_playbook / run_adhoc /
inventory_for / the results_json callback / the emulator fixtures report what really
happened, so the collection's own integration tests can rely on them.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from harness import inventory_for, run_adhoc, run_playbook

ADMIN = ('admin', 'Adm1n-Secret!')
ABB = 'SYNO.ActiveBackup.Share'

# Login, one ABB read, logout: the DSM web API as the contract describes it (form bodies,
# JSON-quoted values, sid as _sid, SynoToken in X-SYNO-TOKEN), over HTTPS with the
# emulator's private CA.
LOGIN_LIST_LOGOUT = """
- name: Login, list, logout with ansible.builtin.uri
  hosts: nas
  gather_facts: false
  vars:
    webapi: "https://{{ syno_host }}:{{ syno_port }}/webapi/entry.cgi"
  tasks:
    - name: Log in
      ansible.builtin.uri:
        url: "{{ webapi }}"
        method: POST
        ca_path: "{{ syno_ca }}"
        body_format: form-urlencoded
        body:
          api: SYNO.API.Auth
          version: "7"
          method: login
          account: "{{ account }}"
          passwd: "{{ passwd }}"
          format: sid
          enable_syno_token: "yes"
          session: webui
        return_content: true
      register: login
      failed_when: not login.json.success

    - name: List the shares
      ansible.builtin.uri:
        url: "{{ webapi }}"
        method: POST
        ca_path: "{{ syno_ca }}"
        body_format: form-urlencoded
        body:
          api: SYNO.ActiveBackup.Share
          version: "1"
          method: list
          _sid: "{{ login.json.data.sid }}"
        headers:
          X-SYNO-TOKEN: "{{ login.json.data.synotoken }}"
      register: shares
      failed_when: not shares.json.success

    - name: Log out
      ansible.builtin.uri:
        url: "{{ webapi }}"
        method: POST
        ca_path: "{{ syno_ca }}"
        body_format: form-urlencoded
        body:
          api: SYNO.API.Auth
          version: "7"
          method: logout
          _sid: "{{ login.json.data.sid }}"
        headers:
          X-SYNO-TOKEN: "{{ login.json.data.synotoken }}"
      register: logout
      failed_when: not logout.json.success
"""

TASKS = ['Log in', 'List the shares', 'Log out']


def credentials(account=ADMIN[0], passwd=ADMIN[1]):
    return {'account': account, 'passwd': passwd}


def visible_shares(state):
    """What SYNO.ActiveBackup.Share list shows: unencrypted shares and mounted encrypted ones."""
    return [share['name'] for share in state['shares'] if not share.get('encrypted') or share.get('mounted')]


def assert_fresh(handle):
    """The nas fixture reset every NAS: nothing was asked of any of them yet."""
    for index in range(len(handle.nas)):
        stats = handle.control(index).stats()
        assert (stats['requests'], stats['logins'], stats['logouts']) == (0, 0, 0), stats


def test_login_list_logout_one_nas(nas):
    assert_fresh(nas)
    ctl = nas.control(0)
    expected = visible_shares(ctl.state())
    assert expected, 'scenario full has shares to list'

    run = run_playbook(LOGIN_LIST_LOGOUT, inventory=inventory_for(nas, names=['nas1']),
                       extra_vars=credentials())
    run.assert_success()

    assert run.statuses == [('nas1', task, 'ok') for task in TASKS]
    assert run.stats == {'nas1': {'changed': 0, 'failures': 0, 'ignored': 0, 'ok': 3, 'rescued': 0,
                                  'skipped': 0, 'unreachable': 0}}
    login = run.result('Log in')['result']
    assert login['status'] == 200 and login['json']['success'] is True
    assert login['json']['data']['account'] == 'admin' and login['json']['data']['sid']
    listed = run.result('List the shares', host='nas1')
    assert listed['action'] == 'ansible.builtin.uri'
    data = listed['result']['json']['data']
    assert [share['name'] for share in data['shares']] == expected
    assert data['default_share'] == ctl.state()['default_share']

    stats = ctl.stats()
    assert stats['logins'] == 1
    assert stats['logouts'] == 1
    assert stats['open_sessions'] == 0
    assert stats['failed_logins'] == 0
    calls = [(entry['api'], entry['method']) for entry in ctl.log()]
    assert calls == [('SYNO.API.Auth', 'login'), (ABB, 'list'), ('SYNO.API.Auth', 'logout')]
    # the other NAS were not touched
    for index in (1, 2):
        assert nas.control(index).stats()['requests'] == 0


def test_fleet_each_host_talks_to_its_own_nas(nas, inventory):
    assert_fresh(nas)
    run = run_playbook(LOGIN_LIST_LOGOUT, inventory=inventory, extra_vars=credentials(), forks=3)
    run.assert_success()

    names = [item['name'] for item in nas.nas]
    assert len(names) == 3
    assert sorted(run.stats) == sorted(names)
    for index, name in enumerate(names):
        assert [r['task'] for r in run.for_host(name)] == TASKS
        stats = nas.control(index).stats()
        assert (stats['logins'], stats['logouts'], stats['open_sessions']) == (1, 1, 0), (name, stats)
        sid = run.result('Log in', host=name)['result']['json']['data']['sid']
        # the sid a host got is the one its NAS logged, and no other NAS knows it
        assert all(entry['account'] == 'admin' for entry in nas.control(index).log())
        for other in range(len(names)):
            if other != index:
                assert sid not in json.dumps(nas.control(other).log())


def test_failure_is_reported_with_rc_and_status(nas):
    assert_fresh(nas)
    run = run_playbook(LOGIN_LIST_LOGOUT, inventory=inventory_for(nas, names=['nas2']),
                       extra_vars=credentials(passwd='wrong-password'))

    assert run.rc == 2, run.describe()
    assert run.statuses == [('nas2', 'Log in', 'failed')]
    assert run.failed and run.failed[0]['host'] == 'nas2'
    answer = run.result('Log in')['result']['json']
    assert answer['success'] is False and answer['error']['code'] == 400
    stats = nas.control(1).stats()
    assert (stats['logins'], stats['failed_logins'], stats['logouts']) == (0, 1, 0)
    assert run.stats['nas2']['failures'] == 1


def test_adhoc_query_and_host_vars(nas):
    assert_fresh(nas)
    inventory = inventory_for(nas, extra_host_vars={'nas3': {'marker': 'third'}})
    hosts = yaml.safe_load(inventory)['all']['children']['nas']['hosts']
    assert hosts['nas3']['marker'] == 'third' and 'marker' not in hosts['nas1']
    assert hosts['nas1']['syno_ca'] == str(nas.ca) and Path(nas.ca).is_file()

    run = run_adhoc('nas3', 'ansible.builtin.uri', {
        'url': 'https://{{ syno_host }}:{{ syno_port }}/webapi/query.cgi'
               '?api=SYNO.API.Info&version=1&method=query&query=SYNO.API.Auth,{{ marker }}',
        'ca_path': '{{ syno_ca }}',
    }, inventory=inventory)
    run.assert_success()

    record = run.result('ansible.builtin.uri', host='nas3')
    assert record['status'] == 'ok'
    assert 'SYNO.API.Auth' in record['result']['json']['data']
    counts = [nas.control(index).stats()['info_queries'] for index in range(3)]
    assert counts == [0, 0, 1]


def test_check_mode_diff_and_environment(nas, tmp_path):
    target = tmp_path / 'written.txt'
    playbook = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Would write a file
      ansible.builtin.copy:
        content: "{{ greeting }}\\n"
        dest: "{{ target }}"
    - name: Environment and extra vars arrive
      ansible.builtin.debug:
        msg: "{{ lookup('ansible.builtin.env', 'SYNO_HARNESS_PROBE') }}/{{ greeting }}"
    - name: Nothing from the test process's environment leaks in
      ansible.builtin.debug:
        msg: "[{{ lookup('ansible.builtin.env', 'REQUESTS_CA_BUNDLE', default='') }}]"
"""
    run = run_playbook(playbook, extra_vars={'greeting': 'hello', 'target': str(target)},
                       env={'SYNO_HARNESS_PROBE': 'probe-value'}, check=True, diff=True)
    run.assert_success()

    copy = run.result('Would write a file', host='localhost')
    assert copy['status'] == 'changed'
    assert copy['result']['diff'][0]['after'] == 'hello\n', 'diff is kept in the results'
    assert not target.exists(), 'check mode wrote nothing'
    assert run.result('Environment and extra vars arrive')['result']['msg'] == 'probe-value/hello'
    assert run.result('Nothing from the test process\'s environment leaks in')['result']['msg'] == '[]'
