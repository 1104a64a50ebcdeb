# -*- coding: utf-8 -*-
# Copyright: contributors to syno.activebackup
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The roles syno.activebackup.destinations and syno.activebackup.report, run by real
ansible-playbook against the emulated fleet (three NAS over HTTPS, scenario ``full``).

Each test starts from freshly reset NAS (fixture ``nas``) and asserts on what the plays
report and on what each NAS's request log and counters say happened: writes, logins,
logouts, and which session every call used.
"""

from __future__ import annotations

import html.parser
import json
import os
import shutil
import subprocess
import tempfile

import pytest
import yaml

from harness import REPO, inventory_for, run_playbook

PASSWORD = 'Adm1n-Secret!'
WRONG_PASSWORD = 'Wr0ng-Pa55-7731!'
ABB = 'SYNO.ActiveBackup.Share'
NAMES = ('nas1', 'nas2', 'nas3')
OUTPUT = REPO / 'tests' / 'output' / 'integration-roles'

# The connection from the play, as users are told to give it: module_defaults for the group.
CONNECTION = {
    'host': '{{ syno_host }}',
    'port': '{{ syno_port }}',
    'ca_path': '{{ syno_ca }}',
    'username': 'admin',
    'password': PASSWORD,
}

DESTINATIONS = [
    {
        'share_name': 'ActiveBackupforBusiness',
        'directories': [
            '/volume1/ActiveBackupforBusiness/pc',
            '/volume1/ActiveBackupforBusiness/servers/linux',
            '/volume1/ActiveBackupforBusiness/exports',  # exists already
        ],
    },
    {'share_name': 'ABB-Migrated', 'directories': ['/volume2/ABB-Migrated/imports']},
]
# the listed directories that do not exist yet (what the directory module reports as created)
CREATED = (
    '/volume1/ActiveBackupforBusiness/pc',
    '/volume1/ActiveBackupforBusiness/servers/linux',
    '/volume2/ABB-Migrated/imports',
)
# what exists afterwards that did not before (parents included)
NEW_DIRECTORIES = CREATED + ('/volume1/ActiveBackupforBusiness/servers',)


def play(role, role_vars=None, module_defaults=True, post_tasks=None):
    """A playbook (YAML text) applying ``role`` to group ``nas``."""
    entry = {'role': role}
    if role_vars:
        entry['vars'] = role_vars
    the_play = {'name': 'Role %s' % role, 'hosts': 'nas', 'gather_facts': False, 'roles': [entry]}
    if module_defaults:
        the_play['module_defaults'] = {'group/syno.activebackup.dsm': dict(CONNECTION)}
    if post_tasks:
        the_play['tasks'] = post_tasks
    return yaml.safe_dump([the_play], sort_keys=False)


def task_results(run, suffix, host=None):
    """Results of the role task whose name ends with ``suffix`` (role prefix left out)."""
    return [r for r in run.results if r['task'].endswith(suffix) and (host is None or r['host'] == host)]


def one_result(run, suffix, host):
    found = task_results(run, suffix, host)
    assert len(found) == 1, 'expected one result of %r on %s, found %d\n%s' % (
        suffix, host, len(found), run.describe(3000))
    return found[0]


def changed_hosts(run):
    return {host for host, recap in run.stats.items() if recap.get('changed')}


class Fleet:
    """Counters and request logs of the emulated NAS, measured around one run."""

    def __init__(self, handle, indexes=(0, 1, 2)):
        self.handle = handle
        self.indexes = indexes
        self.before = {}
        self.seq = {}

    def mark(self):
        for i in self.indexes:
            ctl = self.handle.control(i)
            self.before[i] = ctl.stats()
            entries = ctl.log()
            self.seq[i] = entries[-1]['seq'] if entries else 0
        return self

    def delta(self, i, key):
        return self.handle.control(i).stats()[key] - self.before[i][key]

    def writes(self, i):
        before = self.before[i]['writes_by_method']
        after = self.handle.control(i).stats()['writes_by_method']
        return {m: n - before.get(m, 0) for m, n in after.items() if n - before.get(m, 0)}

    def entries(self, i):
        return self.handle.control(i).log(since=self.seq[i])

    def assert_one_session(self, i):
        """Exactly one login, one logout, and every call in between used that session."""
        entries = self.entries(i)
        logins = [e for e in entries if e['api'] == 'SYNO.API.Auth' and e['method'] == 'login']
        assert len(logins) == 1, [(e['api'], e['method'], e['code']) for e in entries]
        assert logins[0]['success'], logins[0]
        session = logins[0]['session']
        abb_calls = [e for e in entries if e['api'] in (ABB, 'SYNO.Entry.Request')]
        assert abb_calls, 'no ABB call was made'
        assert {e['session'] for e in abb_calls} == {session}, [(e['method'], e['session']) for e in abb_calls]
        assert all(e['seq'] > logins[0]['seq'] for e in abb_calls)
        logouts = [e for e in entries if e['api'] == 'SYNO.API.Auth' and e['method'] == 'logout']
        assert len(logouts) == 1 and logouts[0]['seq'] > max(e['seq'] for e in abb_calls), logouts
        assert self.delta(i, 'logins') == 1 and self.delta(i, 'logouts') == 1
        assert self.handle.control(i).stats()['open_sessions'] == 0


def storage_entry(state, share_name):
    return next((s for s in state['storages'] if s['share_name'] == share_name), None)


def share_entry(state, name):
    return next((s for s in state['shares'] if s['name'] == name), None)


# ---------------------------------------------------------------------------- destinations


def test_destinations_check_mode_apply_and_rerun_across_the_fleet(nas):
    inventory = inventory_for(nas)
    playbook = play('syno.activebackup.destinations', {'activebackup_destinations': DESTINATIONS})

    # 1. check mode: every change predicted, nothing written, one session per NAS
    fleet = Fleet(nas).mark()
    run = run_playbook(playbook, inventory=inventory, check=True, diff=True).assert_success()
    assert changed_hosts(run) == set(NAMES)
    for i, name in enumerate(NAMES):
        assert fleet.delta(i, 'writes') == 0, fleet.writes(i)
        fleet.assert_one_session(i)
        state = nas.control(i).state()
        assert storage_entry(state, 'ABB-Migrated') is None
        assert share_entry(state, 'ABB-Migrated')['relinkable'] is True
        assert not any(p in state['files'] for p in NEW_DIRECTORIES)
        relink = one_result(run, 'Link the shares that should be destinations (relink where needed)', name)
        items = {r['item']['share_name']: r for r in relink['result']['results']}
        assert items['ABB-Migrated']['changed'] is True
        assert items['ActiveBackupforBusiness']['changed'] is False
        dirs = one_result(run, 'Create the destination directories that are missing', name)
        created = sorted(p for r in dirs['result']['results'] for p in r['created'])
        assert created == sorted(CREATED)
        # the login and the logout report no change, in check mode too
        assert one_result(run, 'Log in to DSM once for this host', name)['status'] == 'ok'
        assert one_result(run, 'Log out of DSM', name)['status'] == 'ok'

    # 2. apply: the relink and the directories, on every NAS, with one session each
    fleet.mark()
    run = run_playbook(playbook, inventory=inventory, diff=True).assert_success()
    assert changed_hosts(run) == set(NAMES)
    for i, name in enumerate(NAMES):
        assert fleet.writes(i) == {'relink': 1, 'create_fs_dir': 2}
        fleet.assert_one_session(i)
        state = nas.control(i).state()
        storage = storage_entry(state, 'ABB-Migrated')
        assert storage is not None and storage['relink_state']['alive'] is False
        assert storage['relink_state'].get('error', {}).get('code', 0) == 0
        assert share_entry(state, 'ABB-Migrated')['relinkable'] is False
        for path in NEW_DIRECTORIES:
            assert state['files'].get(path) == 'dir', path
        assert one_result(run, 'Log in to DSM once for this host', name)['status'] == 'ok'
        assert one_result(run, 'Log out of DSM', name)['status'] == 'ok'
        # the session never shows: the login result is censored
        login = one_result(run, 'Log in to DSM once for this host', name)['result']
        assert 'session' not in login and 'censored' in login

    # 3. again: nothing to change, nothing written, still one session per NAS
    fleet.mark()
    run = run_playbook(playbook, inventory=inventory).assert_success()
    assert changed_hosts(run) == set()
    assert all(r['status'] in ('ok', 'skipped') for r in run.results), run.statuses
    for i in range(len(NAMES)):
        assert fleet.delta(i, 'writes') == 0, fleet.writes(i)
        fleet.assert_one_session(i)


def test_destinations_detach_with_role_variables_only(nas):
    """No module_defaults: the connection comes from activebackup_* role variables. A storage
    with a backup task is refused (and the logout still happens); once the task is gone, its
    devices keep it unless force, and with force it is detached, data kept."""
    connection = {
        'activebackup_host': '{{ syno_host }}',
        'activebackup_port': '{{ syno_port }}',
        'activebackup_ca_path': '{{ syno_ca }}',
        'activebackup_username': 'admin',
        'activebackup_password': PASSWORD,
    }
    inventory = inventory_for(nas, names=['nas1'])
    fleet = Fleet(nas, indexes=(0,))

    refused = dict(connection, activebackup_destinations=[{'share_name': 'ABB-Busy', 'state': 'absent'}])
    fleet.mark()
    run = run_playbook(play('syno.activebackup.destinations', refused, module_defaults=False), inventory=inventory)
    assert run.rc != 0
    failure = one_result(run, 'Detach the shares that should be no destinations', 'nas1')
    assert failure['status'] == 'failed'
    assert 'Laptops' in json.dumps(failure['result']), failure['result']
    assert fleet.delta(0, 'writes') == 0
    fleet.assert_one_session(0)  # logged out in "always" after the failure
    assert storage_entry(nas.control(0).state(), 'ABB-Busy') is not None

    # the backup task was deleted in DSM; the storage still has its 2 devices
    nas.control(0).set_state(patch={'storages': {'ABB-Busy': {'backup_tasks': []}}})
    forced = dict(connection, activebackup_destinations=[
        {'share_name': 'ABB-Busy', 'state': 'absent', 'force': True}])
    fleet.mark()
    run = run_playbook(play('syno.activebackup.destinations', forced, module_defaults=False),
                       inventory=inventory).assert_success()
    assert changed_hosts(run) == {'nas1'}
    assert fleet.writes(0) == {'remove': 1}
    fleet.assert_one_session(0)
    remove = [e for e in fleet.entries(0) if e['method'] == 'remove']
    assert len(remove) == 1 and remove[0]['params']['is_remove_data'] == 'false', remove
    state = nas.control(0).state()
    assert storage_entry(state, 'ABB-Busy') is None
    assert share_entry(state, 'ABB-Busy')['relinkable'] is True  # the data stayed


def test_destinations_package_settings_in_the_same_session(nas):
    """activebackup_settings alone: check mode predicts without writing, the run sends one Setting.set with
    only the changed names (as strings), the rerun changes nothing; one login and logout each time."""
    inventory = inventory_for(nas, names=['nas1'])
    fleet = Fleet(nas, indexes=(0,))
    before = nas.control(0).jobs()['settings']
    devices = int(before['max_concurrent_devices']) + 3
    bandwidth = before['enable_global_bandwidth_control'] != 'true'
    # one setting given with the value it has already: compared, not sent
    role_vars = {'activebackup_settings': {'max_concurrent_devices': devices,
                                           'retention_run_hour': before['retention_run_hour'],
                                           'enable_global_bandwidth_control': bandwidth}}

    fleet.mark()
    run = run_playbook(play('syno.activebackup.destinations', role_vars), inventory=inventory, check=True)
    run.assert_success()
    assert changed_hosts(run) == {'nas1'}
    assert fleet.delta(0, 'writes') == 0
    assert nas.control(0).jobs()['settings'] == before

    fleet.mark()
    run = run_playbook(play('syno.activebackup.destinations', role_vars), inventory=inventory).assert_success()
    assert changed_hosts(run) == {'nas1'}
    result = one_result(run, 'Make the ABB package settings match activebackup_settings', 'nas1')['result']
    assert sorted(result['changed_settings']) == ['enable_global_bandwidth_control', 'max_concurrent_devices']
    assert fleet.writes(0) == {'set': 1}
    sent = [e for e in fleet.entries(0) if e['api'] == 'SYNO.ActiveBackup.Setting' and e['method'] == 'set']
    assert len(sent) == 1
    flag = 'true' if bandwidth else 'false'
    assert sorted(json.loads(sent[0]['params']['settings']), key=lambda item: item['name']) == [
        {'name': 'enable_global_bandwidth_control', 'value': flag},
        {'name': 'max_concurrent_devices', 'value': str(devices)}]
    after = nas.control(0).jobs()['settings']
    assert after['max_concurrent_devices'] == str(devices) and after['enable_global_bandwidth_control'] == flag
    assert after['retention_run_hour'] == before['retention_run_hour']
    assert fleet.delta(0, 'logins') == 1 and fleet.delta(0, 'logouts') == 1
    assert nas.control(0).stats()['open_sessions'] == 0

    fleet.mark()
    run = run_playbook(play('syno.activebackup.destinations', role_vars), inventory=inventory).assert_success()
    assert changed_hosts(run) == set()
    assert fleet.delta(0, 'writes') == 0
    assert fleet.delta(0, 'logins') == 1 and fleet.delta(0, 'logouts') == 1


def test_destinations_failed_login_is_reported_and_spares_the_others(nas):
    """A wrong password on nas2 (a role variable beats the play's module_defaults): nas2 fails
    with DSM's reason, the password shows nowhere, nas1 is configured."""
    inventory = inventory_for(nas, names=['nas1', 'nas2'],
                              extra_host_vars={'nas2': {'activebackup_password': WRONG_PASSWORD}})
    playbook = play('syno.activebackup.destinations', {'activebackup_destinations': DESTINATIONS[1:]})
    fleet = Fleet(nas, indexes=(0, 1)).mark()
    run = run_playbook(playbook, inventory=inventory)
    assert run.rc != 0
    assert run.stats['nas2']['failures'] == 1 and run.stats['nas1']['failures'] == 0
    failure = one_result(run, 'Stop when the login failed', 'nas2')
    assert failure['status'] == 'failed'
    assert 'Login to DSM failed' in failure['result']['msg'] and '400' in failure['result']['msg']
    assert WRONG_PASSWORD not in run.stdout + run.stderr + json.dumps(run.results)
    assert fleet.delta(1, 'failed_logins') == 1 and fleet.delta(1, 'logins') == 0
    assert fleet.delta(1, 'writes') == 0
    assert one_result(run, 'Stop when the login failed', 'nas1')['status'] == 'skipped'
    assert fleet.writes(0) == {'relink': 1, 'create_fs_dir': 1}
    fleet.assert_one_session(0)


@pytest.mark.parametrize('destinations, message', [
    ([{'share_name': 'ABB-Migrated'}, {'share_name': 'ABB-Migrated', 'state': 'absent'}],
     'share_name ABB-Migrated is listed 2 times'),
    ([{'share_name': 'ABB-Migrated',
       'directories': ['/volume1/ActiveBackupforBusiness/x', 'relative/y', '/volume2/ABB-Migrated/../z',
                       '/volume2/ABB-Migrated/ok']}],
     'not /volume1/ActiveBackupforBusiness/x, relative/y, /volume2/ABB-Migrated/../z.'),
    ([{'share_name': 'ABB-Busy', 'state': 'absent', 'directories': ['/volume1/ABB-Busy/a']}],
     'has state=absent and directories'),
    ([{'share': 'ABB-Migrated'}],
     'missing required arguments: share_name'),
], ids=['duplicate', 'directory-outside-share', 'directories-with-absent', 'argument-spec'])
def test_destinations_input_is_checked_before_any_request(nas, destinations, message):
    fleet = Fleet(nas, indexes=(0,)).mark()
    run = run_playbook(play('syno.activebackup.destinations', {'activebackup_destinations': destinations}),
                       inventory=inventory_for(nas, names=['nas1']))
    assert run.rc != 0
    failed = run.failed
    assert len(failed) == 1, run.statuses
    result = failed[0]['result']
    messages = [result['msg']] + [item['msg'] for item in result.get('results', []) if item.get('failed')]
    assert any(message in text for text in messages), messages
    assert fleet.delta(0, 'requests') == 0


# ---------------------------------------------------------------------------- report

REPORT_FILES = ('activebackup-report.html', 'activebackup-report.md', 'activebackup-report.json')
SUMMARY_SPACE = ('hosts', 'reported', 'not_reported', 'breaches', 'breach_hosts', 'flags', 'devices')
SUMMARY_BACKUPS = ('tasks', 'health', 'attention', 'attention_hosts', 'warnings', 'warning_hosts', 'backup_devices',
                   'devices_offline', 'offline_hosts')
ODD_SHARE = 'R&D <lab>|x'


@pytest.fixture(scope='session')
def chromium():
    """Debian's headless Chromium; installed with apt-get (as root) when missing."""
    path = '/usr/bin/chromium'
    if not os.path.exists(path):
        if os.geteuid() != 0:
            pytest.skip('%s is missing and installing it needs root (apt-get install chromium)' % path)
        env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
        install = ['apt-get', '-o', 'DPkg::Lock::Timeout=600', 'install', '-y', '-q', '--no-install-recommends',
                   'chromium']
        done = subprocess.run(install, env=env, capture_output=True, text=True, timeout=1800, check=False)
        if done.returncode != 0:  # stale package lists: refresh once
            subprocess.run(['apt-get', '-o', 'DPkg::Lock::Timeout=600', 'update', '-q'], env=env,
                           capture_output=True, text=True, timeout=900, check=True)
            done = subprocess.run(install, env=env, capture_output=True, text=True, timeout=1800, check=False)
        assert done.returncode == 0 and os.path.exists(path), done.stdout[-2000:] + done.stderr[-2000:]
    return path


def render_in_chromium(chromium, page, screenshot):
    """Screenshot ``page`` into ``screenshot`` and return the text of its DOM."""
    profile = tempfile.mkdtemp(prefix='syno-chromium-')
    flags = [chromium, '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
             '--disable-background-networking', '--disable-component-update', '--disable-sync',
             '--user-data-dir=%s' % profile, '--hide-scrollbars', '--window-size=1280,2800']
    try:
        shot = subprocess.run(flags + ['--screenshot=%s' % screenshot, page.as_uri()],
                              capture_output=True, text=True, timeout=180, check=False)
        assert shot.returncode == 0 and screenshot.stat().st_size > 10000, shot.stderr[-2000:]
        dom = subprocess.run(flags + ['--dump-dom', page.as_uri()], capture_output=True, text=True, timeout=180,
                             check=False)
        assert dom.returncode == 0 and '</html>' in dom.stdout, dom.stderr[-2000:]
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return dom.stdout


class _Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts = []
        self.links = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ('style', 'script'):
            self._skip += 1
        for name, value in attrs:
            if name in ('src', 'href') and value and not value.startswith('#'):
                self.links.append(value)

    def handle_endtag(self, tag):
        if tag in ('style', 'script'):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_text(markup):
    parser = _Text()
    parser.feed(markup)
    return ' '.join(' '.join(parser.parts).split()), parser.links


def prepare_report_fleet(nas):
    """nas1: a damaged repository file, a failed relink, an odd share name; nas3: /volume1 at 95 %."""
    nas.control(0).set_state(patch={
        'error_files': [{'share_name': 'ActiveBackupforBusiness', 'path': '@ActiveBackup/config/db', 'error': 5}],
        'storages': {'ABB-Migrated': {'storage_id': 7, 'volume_path': '/volume2', 'vol_name': 'Volume 2',
                                      'relink_state': {'alive': False, 'owner': False, 'state': 0,
                                                       'error': {'code': 4401}}}},
        'shares': {ODD_SHARE: {'path': '/volume1/' + ODD_SHARE, 'free_space': 10401845899264}},
    })
    vol1 = next(v for v in nas.control(2).state()['volumes'] if v['volume_path'] == '/volume1')
    nas.control(2).set_state(patch={'volumes': {'/volume1': {
        'used_bytes': str(int(vol1['total_bytes']) * 95 // 100)}}})


def test_report_of_a_fleet_with_failing_hosts(nas, tmp_path, chromium):
    """nas1..nas3 plus nas2 with a wrong password and nas4 on a closed port: the three files
    agree with the emulator's data, the failing hosts are listed as such, the page renders."""
    prepare_report_fleet(nas)
    inventory = yaml.safe_load(inventory_for(nas, extra_host_vars={'nas2': {'activebackup_password': WRONG_PASSWORD}}))
    hosts = inventory['all']['children']['nas']['hosts']
    hosts['nas4'] = dict(hosts['nas1'], syno_port=1)  # nothing listens on port 1
    report_dir = tmp_path / 'report'
    fleet = Fleet(nas).mark()
    run = run_playbook(play('syno.activebackup.report', {'activebackup_report_dir': str(report_dir)}),
                       inventory=inventory).assert_success()

    for name in REPORT_FILES:
        assert (report_dir / name).stat().st_size > 0, name
    # one login per reachable NAS; the wrong password is tried once and never shown
    for i in (0, 2):
        assert fleet.delta(i, 'logins') == 1 and fleet.delta(i, 'logouts') == 1
        assert fleet.delta(i, 'writes') == 0
    assert fleet.delta(1, 'failed_logins') == 1 and fleet.delta(1, 'logins') == 0
    assert WRONG_PASSWORD not in run.stdout + run.stderr
    # written once, on the controller
    writes = task_results(run, 'Write activebackup-report.html')
    assert len(writes) == 1 and writes[0]['status'] == 'changed'

    # ------------------------------------------------------------ JSON against the emulator
    report = json.loads((report_dir / 'activebackup-report.json').read_text())
    assert WRONG_PASSWORD not in json.dumps(report) and PASSWORD not in json.dumps(report)
    assert report['min_free_percent'] == 10
    by_name = {h['name']: h for h in report['hosts']}
    assert list(by_name) == ['nas1', 'nas2', 'nas3', 'nas4']
    summary = report['summary']
    assert set(summary) == set(SUMMARY_SPACE) | set(SUMMARY_BACKUPS)
    assert {key: summary[key] for key in SUMMARY_SPACE} == {
        'hosts': 4, 'reported': 2, 'not_reported': 2, 'breaches': 3, 'breach_hosts': 1, 'flags': 5, 'devices': 12}
    assert by_name['nas2']['status'] == 'failed' and '400' in by_name['nas2']['error']
    assert by_name['nas4']['status'] == 'failed' and ':1 ' in by_name['nas4']['error']
    for i in (0, 2):
        entry = by_name[NAMES[i]]
        state = nas.control(i).state()
        assert entry['status'] == 'ok' and entry['error'] is None
        assert entry['default_share'] == state['default_share']
        volumes = {v['volume_path']: v for v in entry['volumes']}
        assert set(volumes) == {v['volume_path'] for v in state['volumes']}
        for v in state['volumes']:
            got = volumes[v['volume_path']]
            total, used = int(v['total_bytes']), int(v['used_bytes'])
            assert (got['total_bytes'], got['used_bytes'], got['free_bytes']) == (total, used, total - used)
            assert isinstance(got['total_bytes'], int)
            assert got['free_percent'] == round((total - used) * 100.0 / total, 1)
            assert got['flagged'] is ((total - used) * 100.0 / total < 10)
        storages = {s['share_name']: s for s in entry['storages']}
        assert set(storages) == {s['share_name'] for s in state['storages']}
        for s in state['storages']:
            got = storages[s['share_name']]
            assert got['storage_id'] == s['storage_id'] and got['device_count'] == s['device_count']
            assert got['backup_tasks'] == [t['task_name'] for t in s['backup_tasks']]
            assert got['flagged'] is volumes[s['volume_path']]['flagged']
        assert {s['name'] for s in entry['shares']} == {s['name'] for s in state['shares']}
        assert entry['devices']['total'] == sum(s['device_count'] for s in state['storages'])
        assert entry['error_files'] == state['error_files']
    nas1, nas3 = by_name['nas1'], by_name['nas3']
    assert {s['share_name']: s['relink'] for s in nas1['storages']} == {
        'ActiveBackupforBusiness': 'linked', 'ABB-Busy': 'linked', 'ABB-Migrated': 'failed'}
    assert next(s for s in nas1['storages'] if s['relink'] == 'failed')['relink_error_code'] == 4401
    assert nas1['breaches'] == [] and len(nas1['flags']) == 2
    assert {s['name']: s['storage'] for s in nas1['shares']}['ABB-Migrated'] is False  # a failed relink links nothing
    assert [v['volume_path'] for v in nas3['volumes'] if v['flagged']] == ['/volume1']
    assert sorted(s['share_name'] for s in nas3['storages'] if s['flagged']) == ['ABB-Busy', 'ActiveBackupforBusiness']
    assert len(nas3['breaches']) == 3

    # ------------------------------------------------------------ Markdown
    markdown = (report_dir / 'activebackup-report.md').read_text()
    for name in ('nas1', 'nas2', 'nas3', 'nas4'):
        assert '\n## %s' % name in markdown
    assert markdown.count('**FAILED**') == 4  # fleet table and section, for nas2 and nas4
    assert markdown.count('**LOW**: below 10% free') == 3
    assert 'relink failed (4401)' in markdown
    # Markdown's special characters in a name are escaped: the pipe does not end the cell, the
    # "<" starts no HTML; the path in its code span only needs the pipe escaped
    assert '| R\\&D \\<lab\\>\\|x | `/volume1/R&D <lab>\\|x` |' in markdown
    assert '`@ActiveBackup/config/db`' in markdown

    # ------------------------------------------------------------ HTML, in a browser
    page = report_dir / 'activebackup-report.html'
    markup = page.read_text()
    text, links = html_text(markup)
    assert links == [], 'external references in a self-contained page: %s' % links
    assert '<script' not in markup and '<link' not in markup and '@import' not in markup
    OUTPUT.mkdir(parents=True, exist_ok=True)
    shutil.copy(page, OUTPUT / 'activebackup-report.html')
    screenshot = OUTPUT / 'activebackup-report.png'
    dom_text = html_text(render_in_chromium(chromium, page, screenshot))[0]
    assert dom_text == text  # the browser sees the page as written (no script alters it)
    for name in ('nas1', 'nas2', 'nas3', 'nas4'):
        assert name in dom_text
    assert dom_text.count('below 10% free') == 4  # summary card + 3 flagged rows
    assert 'relink failed (4401)' in dom_text
    assert ODD_SHARE in dom_text  # escaped in the markup, shown as written
    assert ODD_SHARE not in markup and 'R&amp;D &lt;lab&gt;|x' in markup
    assert 'No such account or incorrect password' in dom_text
    assert 'Connection refused' in dom_text
    assert 'volume /volume1 has 5.0% free, below 10%' in dom_text


def test_report_fail_on_breach_fails_the_play_after_writing(nas, tmp_path):
    """Threshold 50 % flags every /volume1; the play fails once the files are written, no
    task after the role runs on any host. An unreachable host is listed as unreachable."""
    inventory = yaml.safe_load(inventory_for(nas, names=['nas1', 'nas2']))
    hosts = inventory['all']['children']['nas']['hosts']
    # a host Ansible itself cannot reach (ssh to a closed port), with the NAS variables set
    hosts['nas9'] = dict(hosts['nas1'], ansible_connection='ssh', ansible_host='127.0.0.1', ansible_port=1,
                         ansible_ssh_common_args='-o ConnectTimeout=5 -o BatchMode=yes')
    report_dir = tmp_path / 'report'
    after = [{'name': 'After the report', 'ansible.builtin.debug': {'msg': 'still running'}}]
    playbook = play('syno.activebackup.report', {
        'activebackup_report_dir': str(report_dir),
        'activebackup_report_min_free_percent': 50,
        'activebackup_report_fail_on_breach': True,
        'activebackup_report_check_files': False,
    }, post_tasks=after)
    fleet = Fleet(nas, indexes=(0, 1)).mark()
    run = run_playbook(playbook, inventory=inventory)
    assert run.rc == 2, run.describe(3000)
    failure = one_result(run, 'Fail on low free space or on backups that failed, are overdue or never ran', 'nas1')
    assert failure['status'] == 'failed'
    assert failure['result']['msg'].startswith('6 volume(s) or storage(s) have less than 50% free space: nas1: ')
    assert str(report_dir) in failure['result']['msg']
    assert task_results(run, 'After the report') == []
    report = json.loads((report_dir / 'activebackup-report.json').read_text())
    assert [(h['name'], h['status']) for h in report['hosts']] == [
        ('nas1', 'ok'), ('nas2', 'ok'), ('nas9', 'unreachable')]
    assert report['summary']['breaches'] == 6
    assert all(h['files_checked'] is False for h in report['hosts'])
    for i in (0, 1):
        assert 'SYNO.ActiveBackup.Share.check_file' not in [
            '%s.%s' % (e['api'], e['method']) for e in fleet.entries(i)] + [
            c for e in fleet.entries(i) for c in e['compound']]
    for name in REPORT_FILES:
        assert (report_dir / name).exists(), name
    assert 'Not run (activebackup_report_check_files is false).' in (report_dir / 'activebackup-report.md').read_text()


# ---------------------------------------------------------------------------- report: backups

# The demo fleet's backup tasks (emulator scenario "full", tests/emulator/README.md) and the
# health each must get with the default 26 h: the oracle these tests hold the report against.
EXPECTED_HEALTH = {
    'nas1': {'Office-PCs': 'ok', 'Design-Workstations': 'warning', 'Laptops': 'ok', 'File-Server': 'failed',
             'VM-Cluster': 'overdue', 'SMB-Archive': 'never', 'NAS-Replica': 'running'},
    'nas2': {'Office-PCs': 'ok', 'Design-Workstations': 'ok', 'Laptops': 'ok', 'File-Server': 'ok',
             'VM-Cluster': 'ok', 'SMB-Archive': 'overdue', 'NAS-Replica': 'ok'},
    'nas3': {'Office-PCs': 'failed', 'Design-Workstations': 'ok', 'Laptops': 'failed', 'File-Server': 'ok',
             'VM-Cluster': 'ok', 'SMB-Archive': 'never', 'NAS-Replica': 'ok'},
}
SEVERITY = ('failed', 'overdue', 'never', 'warning', 'running', 'ok')
ATTENTION = ('failed', 'overdue', 'never')
FACTS_READS = ['SYNO.ActiveBackup.Share.list', 'SYNO.ActiveBackup.Share.list_encrypted',
               'SYNO.ActiveBackup.Share.list_storage', 'SYNO.ActiveBackup.Share.list_volume',
               'SYNO.ActiveBackup.Share.check_file', 'SYNO.ActiveBackup.Task.list', 'SYNO.ActiveBackup.Device.list',
               'SYNO.DSM.Info.getinfo']


def emulator_secrets(handle, indexes=(0, 1, 2)):
    """Every device secret value the emulated NAS hold."""
    return [value for i in indexes for device in handle.control(i).jobs()['devices']
            for value in device['secrets'].values()]


def newest_result(state, task_id):
    results = [r for r in state['abb']['results'] if r['task_id'] == task_id]
    return max(results, key=lambda r: r['time_start']) if results else None


def test_report_backup_section_across_the_fleet(nas, tmp_path, chromium):
    """The demo fleet: every task with its health against the documented table, its last result,
    versions and devices against the emulator's state, one login and one compound request per
    NAS, no device secret anywhere, and the three files showing it (the page in a browser)."""
    report_dir = tmp_path / 'report'
    fleet = Fleet(nas).mark()
    run = run_playbook(play('syno.activebackup.report', {'activebackup_report_dir': str(report_dir)}),
                       inventory=inventory_for(nas)).assert_success()
    for i in range(3):
        entries = fleet.entries(i)
        assert [(e['api'], e['method']) for e in entries] == [
            ('SYNO.API.Auth', 'login'), ('SYNO.Entry.Request', 'request'), ('SYNO.API.Auth', 'logout')]
        assert entries[1]['compound'] == FACTS_READS
        assert fleet.delta(i, 'writes') == 0

    secrets = emulator_secrets(nas)
    assert len(secrets) == 3 * 11 * 4
    texts = {name: (report_dir / name).read_text() for name in REPORT_FILES}
    for name, text in texts.items():
        assert not [s for s in secrets if s in text], name
        assert 'EMU-' not in text and PASSWORD not in text, name
    assert 'EMU-' not in run.stdout

    # ------------------------------------------------------------ JSON against the emulator
    report = json.loads(texts['activebackup-report.json'])
    assert report['max_backup_age_hours'] == 26
    health_counts = {h: 0 for h in SEVERITY}
    for tasks in EXPECTED_HEALTH.values():
        for health in tasks.values():
            health_counts[health] += 1
    summary = report['summary']
    assert {key: summary[key] for key in SUMMARY_BACKUPS} == {
        'tasks': 21, 'health': health_counts, 'attention': 7, 'attention_hosts': 3, 'warnings': 1,
        'warning_hosts': 1, 'backup_devices': 33, 'devices_offline': 1, 'offline_hosts': 1}
    assert {key: summary[key] for key in SUMMARY_SPACE} == {
        'hosts': 3, 'reported': 3, 'not_reported': 0, 'breaches': 0, 'breach_hosts': 0, 'flags': 0, 'devices': 18}
    expected_attention = sorted(
        ((host, task, health) for host, tasks in EXPECTED_HEALTH.items() for task, health in tasks.items()
         if health in ATTENTION), key=lambda a: (SEVERITY.index(a[2]), a[0], a[1]))
    assert [(a['host'], a['task_name'], a['health']) for a in report['attention']] == expected_attention

    for i, name in enumerate(NAMES):
        entry = next(h for h in report['hosts'] if h['name'] == name)
        state = nas.control(i).state()
        jobs = {t['task_name']: t for t in nas.control(i).jobs()['tasks']}
        assert entry['system']['model'] == state['dsm']['model'] == 'DS1821+'
        assert entry['system']['serial'] == state['dsm']['serial']
        assert entry['system']['version_string'] == state['dsm']['version_string']
        assert entry['backups_gathered'] is True
        tasks = {t['task_name']: t for t in entry['tasks']}
        assert {task: t['health'] for task, t in tasks.items()} == EXPECTED_HEALTH[name]
        # attention first, then warning, running, ok
        assert [SEVERITY.index(t['health']) for t in entry['tasks']] == sorted(
            SEVERITY.index(t['health']) for t in entry['tasks'])
        assert entry['backup_attention'] == [
            'backup task %s: %s (%s)' % (t['task_name'], t['health'], t['reason']) for t in entry['tasks']
            if t['health'] in ATTENTION]
        for task_name, got in tasks.items():
            job = jobs[task_name]
            assert got['task_id'] == job['task_id'] and got['attention'] is (got['health'] in ATTENTION)
            assert got['running'] is job['running']
            assert got['version_count'] == job['versions']
            result = newest_result(state, job['task_id'])
            if result is None:
                assert job['last_status'] is None and got['health'] == 'never'
                assert (got['last_status_name'], got['last_end'], got['age_hours'], got['latest_version']) == (
                    None, None, None, None)
                assert got['reason'] == 'never ran: the task has no backup result yet'
                continue
            assert (got['last_status'], got['last_end'], got['transfered_bytes'], got['error_count'],
                    got['warning_count']) == (result['status'], result['time_end'], result['transfered_bytes'],
                                              result['error_count'], result['warning_count'])
            assert got['last_end'] == job['last_time_end']
            assert got['last_status_name'] == {2: 'success', 3: 'partial', 4: 'failed', 5: 'cancelled'}[result['status']]
            versions = [v for v in state['abb']['versions'] if v['task_id'] == job['task_id'] and v['status'] == 3]
            newest = max(versions, key=lambda v: v['time_end'])
            assert (got['latest_version']['version_id'], got['latest_version']['time_end']) == (
                newest['version_id'], newest['time_end'])
            assert got['device_names'] == job['devices']
        running = tasks.get('NAS-Replica')
        if running['health'] == 'running':
            assert running['reason'].startswith('a backup is running now (')
            assert running['reason'].endswith(
                'previous run: success (0 errors, 0 warnings), ended %s h ago' % ('%.1f' % running['age_hours']).rstrip('0').rstrip('.'))
        devices = {d['host_name']: d for d in entry['backup_devices']}
        assert set(devices) == {d['host_name'] for d in nas.control(i).jobs()['devices']}
        offline = [d['host_name'] for d in entry['backup_devices'] if d['offline']]
        assert offline == (['LAPTOP-BEN'] if name == 'nas3' else [])
        assert entry['backup_devices'][0]['offline'] is bool(offline)  # offline first
        for device in entry['backup_devices']:
            assert not [key for key in device if any(part in key for part in ('password', 'token', 'secret'))]
    nas1 = next(h for h in report['hosts'] if h['name'] == 'nas1')
    failed = next(t for t in nas1['tasks'] if t['task_name'] == 'File-Server')
    assert failed['reason'].startswith('last run failed (1 error, 0 warnings), ended ')
    overdue = next(t for t in nas1['tasks'] if t['task_name'] == 'VM-Cluster')
    assert overdue['reason'].endswith('h ago, more than the 26 h allowed') and 49 <= overdue['age_hours'] <= 51

    # ------------------------------------------------------------ Markdown
    markdown = texts['activebackup-report.md']
    assert '- 7 backup tasks need attention (failed, overdue or never ran) on 3 NAS, of 21\n' in markdown
    assert '- 0 volumes/storages below 10% free\n' in markdown
    assert '- 1 backup device offline on 1 NAS, of 33\n' in markdown
    assert '- 3 NAS in the play: 3 reported, 0 failed or unreachable\n' in markdown
    attention_part = markdown.split('## Backups that need attention', 1)[1].split('\n## ', 1)[0]
    rows = [line for line in attention_part.splitlines() if line.startswith('| nas')]
    assert [tuple(cell.strip() for cell in row.split('|')[1:4]) for row in rows] == [
        (host, task, '**%s**' % ('never ran' if health == 'never' else health))
        for host, task, health in expected_attention]
    for name in NAMES:
        section = markdown.split('\n## %s\n' % name, 1)[1].split('\n## ', 1)[0]
        backups = section.split('### Backups\n', 1)[1].split('\n### ', 1)[0]
        for task, health in EXPECTED_HEALTH[name].items():
            line = next(row for row in backups.splitlines() if row.startswith('| %s |' % task))
            label = 'never ran' if health == 'never' else health
            cell = line.split('|')[3].strip()
            assert cell == ('**%s**' % label if health in ATTENTION else label) or (
                health == 'running' and cell.startswith('running, ')), (task, cell)
        assert 'DS1821+, serial %s, DSM 7.2.1-69057 Update 5.' % nas.control(NAMES.index(name)).state()['dsm']['serial'] \
            in section
        devices = section.split('### Backup devices\n', 1)[1].split('\n### ', 1)[0]
        assert devices.count('**offline**') == (1 if name == 'nas3' else 0)
    assert '| LAPTOP-BEN |' in markdown

    # ------------------------------------------------------------ HTML, in a browser
    page = report_dir / 'activebackup-report.html'
    markup = texts['activebackup-report.html']
    text, links = html_text(markup)
    assert links == [] and '<script' not in markup
    OUTPUT.mkdir(parents=True, exist_ok=True)
    shutil.copy(page, OUTPUT / 'activebackup-report-backups.html')
    dom = render_in_chromium(chromium, page, OUTPUT / 'activebackup-report-backups.png')
    dom_text = html_text(dom)[0]
    assert dom_text == text
    # the tiles say what they count
    assert '7 backup tasks need attention on 3 NAS failed, overdue or never ran, of 21' in dom_text
    assert '0 volumes/storages below 10% free ' in dom_text
    assert '1 backup device offline on 1 NAS of 33' in dom_text
    assert '3 NAS in the play' in dom_text and '3 NAS reported' in dom_text
    rows = BackupRows()
    rows.feed(dom)
    for name in NAMES:
        for task, health in EXPECTED_HEALTH[name].items():
            label = 'never ran' if health == 'never' else health
            row = rows.find(name, task)
            assert label in row['text'], (name, task, row)
            # a task that needs attention stands out: its row is marked (red background and a
            # red bar in the style sheet) and its label says it, with a warning sign
            assert (row['class'] == 'attention') is (health in ATTENTION), (name, task, row)
            if health in ATTENTION:
                assert '\u26a0 %s' % label in row['text']
    assert 'tr.attention td { background: var(--bad-bg); }' in markup
    fleet_attention = rows.attention_table
    assert [(r[0], r[1], r[2]) for r in fleet_attention] == [
        (host, task, '\u26a0 ' + ('never ran' if health == 'never' else health)) for host, task, health in expected_attention]
    assert 'LAPTOP-BEN' in dom_text and '\u26a0 offline' in dom_text


class BackupRows(html.parser.HTMLParser):
    """The rows of each NAS's Backups table and of the fleet's attention table, from the DOM."""

    def __init__(self):
        super().__init__()
        self.section = None  # id of the <section> being read
        self.heading = None  # the last <h3> text
        self.rows = {}  # (nas section id, task name) -> {'class', 'text', 'cells'}
        self.attention_table = []
        self._in_h3 = False
        self._row = None
        self._cell = None
        self.names = {}  # section id -> NAS name (its <h2>)
        self._in_h2 = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == 'section':
            self.section, self.heading = attrs.get('id'), None
        elif tag == 'h2':
            self._in_h2 = True
        elif tag == 'h3':
            self._in_h3, self.heading = True, ''
        elif tag == 'tr':
            self._row = {'class': attrs.get('class'), 'cells': []}
        elif tag == 'td' and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == 'h2':
            self._in_h2 = False
        elif tag == 'h3':
            self._in_h3 = False
        elif tag == 'td' and self._cell is not None:
            self._row['cells'].append(' '.join(''.join(self._cell).split()))
            self._cell = None
        elif tag == 'tr' and self._row is not None:
            row, self._row = self._row, None
            if not row['cells']:
                return
            row['text'] = ' '.join(row['cells'])
            if self.section == 'attention':
                self.attention_table.append(row['cells'])
            elif self.heading == 'Backups':
                task = row['cells'][0].split(' ')[0]
                self.rows[(self.names.get(self.section), task)] = row

    def handle_data(self, data):
        if self._in_h2 and self.section and self.section not in self.names:
            self.names[self.section] = data.strip()
        if self._in_h3:
            self.heading += data.strip()
        if self._cell is not None:
            self._cell.append(data)

    def find(self, nas_name, task):
        assert (nas_name, task) in self.rows, sorted(self.rows)
        return self.rows[(nas_name, task)]


def test_report_fail_on_breach_fails_on_backups_and_the_age_threshold_is_used(nas, tmp_path):
    """No volume is low at 10 %, but backups failed, are overdue or never ran: the play fails
    after writing, naming NAS and tasks. With 60 h the two overdue tasks are fine."""
    report_dir = tmp_path / 'report'
    role_vars = {'activebackup_report_dir': str(report_dir), 'activebackup_report_fail_on_breach': True,
                 'activebackup_report_check_files': False, 'activebackup_report_max_backup_age_hours': 60}
    after = [{'name': 'After the report', 'ansible.builtin.debug': {'msg': 'still running'}}]
    run = run_playbook(play('syno.activebackup.report', role_vars, post_tasks=after), inventory=inventory_for(nas))
    assert run.rc == 2, run.describe(3000)
    failure = one_result(run, 'Fail on low free space or on backups that failed, are overdue or never ran', 'nas1')
    assert failure['result']['msg'] == (
        '5 backup task(s) on 2 NAS failed, are overdue (last run more than 60 h ago) or never ran: '
        'nas1: File-Server (failed), SMB-Archive (never); nas3: Laptops (failed), Office-PCs (failed), '
        'SMB-Archive (never). The report is in %s.' % report_dir)
    assert task_results(run, 'After the report') == []
    report = json.loads((report_dir / 'activebackup-report.json').read_text())
    assert report['max_backup_age_hours'] == 60
    health = {h['name']: {t['task_name']: t['health'] for t in h['tasks']} for h in report['hosts']}
    assert health['nas1']['VM-Cluster'] == 'ok' and health['nas2']['SMB-Archive'] == 'ok'
    assert report['summary']['attention'] == 5 and report['summary']['attention_hosts'] == 2

    # bad thresholds are refused before any request
    fleet = Fleet(nas, indexes=(0,)).mark()
    run = run_playbook(play('syno.activebackup.report', dict(role_vars, activebackup_report_max_backup_age_hours=0)),
                       inventory=inventory_for(nas, names=['nas1']))
    assert run.rc != 0
    assert 'activebackup_report_max_backup_age_hours a positive number of hours (it is 0)' in json.dumps(run.failed)
    assert fleet.delta(0, 'requests') == 0


def example_inventory(handle, names=None, extra=None):
    """The emulated NAS as the example playbooks expect them (dsm_* variables)."""
    host_vars = {'ansible_host': '{{ syno_host }}', 'dsm_port': '{{ syno_port }}', 'dsm_ca_path': '{{ syno_ca }}',
                 'dsm_username': 'admin', 'dsm_password': PASSWORD}
    inventory = yaml.safe_load(inventory_for(handle, names=names, extra_host_vars=host_vars))
    for name, more in (extra or {}).items():
        inventory['all']['children']['nas']['hosts'][name].update(more)
    return inventory


def test_monitoring_example_fails_on_failed_and_overdue_backups(nas, tmp_path):
    """examples/monitoring.yml: exit code 2 and a message that lists NAS and tasks (failed and
    overdue, not the tasks that never ran, and a NAS that could not be read); exit code 0 when
    every backup is fine; the report is written either way."""
    example = REPO / 'examples' / 'monitoring.yml'
    report_dir = tmp_path / 'report'
    inventory = example_inventory(nas, extra={'nas2': {'dsm_password': WRONG_PASSWORD}})
    fleet = Fleet(nas).mark()
    run = run_playbook(example, inventory=inventory, extra_vars={'activebackup_report_dir': str(report_dir)})
    assert run.rc == 2, run.describe(3000)
    failure = run.result('Fail with the list of NAS and backup tasks that need attention')
    msg = failure['result']['msg']
    assert msg.startswith('nas1: File-Server FAILED (last run failed (1 error, 0 warnings), ended '), msg
    assert ' VM-Cluster OVERDUE (last run (success) ended ' in msg
    # per NAS in the order of its tasks (task_id)
    assert '; nas3: Office-PCs FAILED (last run was cancelled (0 errors, 0 warnings), ended ' in msg
    assert ' Laptops FAILED (last run failed (2 errors, 0 warnings), ended ' in msg
    assert msg.index('Office-PCs') < msg.index('Laptops')
    assert msg.endswith('; backup tasks not read (NAS failed, unreachable or without Active Backup for Business): '
                        'nas2. Details in the report in %s.' % report_dir), msg
    assert 'SMB-Archive' not in msg  # never ran: not in monitoring_fail_on by default
    assert WRONG_PASSWORD not in run.stdout + run.stderr and PASSWORD not in msg
    for i in (0, 2):
        assert fleet.delta(i, 'logins') == 1 and fleet.delta(i, 'logouts') == 1 and fleet.delta(i, 'writes') == 0
    report = json.loads((report_dir / 'activebackup-report.json').read_text())
    assert [(h['name'], h['status']) for h in report['hosts']] == [('nas1', 'ok'), ('nas2', 'failed'), ('nas3', 'ok')]

    # nas2 alone, with a threshold its 30 h old SMB-Archive run meets: every backup is fine
    run = run_playbook(example, inventory=example_inventory(nas, names=['nas2']),
                       extra_vars={'activebackup_report_dir': str(report_dir), 'monitoring_max_backup_age_hours': 48})
    run.assert_success()
    assert run.result('Fail with the list of NAS and backup tasks that need attention')['status'] == 'skipped'
    # and with the default 26 h it is overdue
    run = run_playbook(example, inventory=example_inventory(nas, names=['nas2']),
                       extra_vars={'activebackup_report_dir': str(report_dir)})
    assert run.rc == 2
    assert run.result('Fail with the list of NAS and backup tasks that need attention')['result']['msg'].startswith(
        'nas2: SMB-Archive OVERDUE (last run (success) ended 29.')
