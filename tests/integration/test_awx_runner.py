# -*- coding: utf-8 -*-
# Copyright: contributors to syno.activebackup
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The example fleet playbooks as AWX / Automation Platform runs them: through ansible-runner.

Each job gets a private data directory laid out as AWX lays it out for a job: ``project/``
(the playbooks of ``examples/``, as a project checkout has them), ``inventory/hosts`` (an
executable script printing the inventory as JSON), ``env/envvars`` (what the credential type of
``extensions/awx/`` injects, rendered from its ``inputs.yml`` and ``injectors.yml`` the way AWX
renders a custom credential type, plus the collections path), ``env/settings``,
``env/extravars`` and the CA certificate as a file under ``env/``. The inventory and the
playbooks hold no secret: the password, the TOTP seed and the trusted-device token reach the
modules through the ``SYNOLOGY_*`` environment variables only.

The fleet is an emulator of its own (three NAS over HTTPS), started through a small launcher
that writes down every token the emulator issues (session IDs, SynoTokens, device tokens), so
that the runner's artifacts (job events, stdout, stderr, status) can be searched for every
secret of the run. Jobs:

- the fleet report (``report.yml``) on every NAS, with a password credential, at -vvv;
- the overview (``overview.yml``) as two job slices (AWX's job slicing: slice k of n takes the
  hosts at positions k-1, k-1+n, ... of the inventory), with a TOTP-seed credential: together
  they read every NAS exactly once, with one login per NAS;
- the overview limited to one NAS with a trusted-device token credential.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import ansible_runner  # tests/requirements-dev.txt pins it: the engine AWX runs jobs with
import jinja2
import pytest
import yaml
from jinja2 import sandbox

from harness import REPO, collections_path

import dsm_emulator

AWX_DIR = REPO / 'extensions' / 'awx'
EXAMPLES = REPO / 'examples'
EMULATOR = REPO / 'tests' / 'emulator' / 'dsm_emulator.py'
NAMES = ('nas1', 'nas2', 'nas3')
ADMIN = ('admin', 'Adm1n-Secret!')
OTP_USER = ('otpadmin', '0tp-Secret!')
SEED = dsm_emulator.OTP_SECRET
DEVICE_NAME = 'ansible'  # the modules' default device_name (the credential type has no such input)
# Group variables of the AWX inventory: the example playbooks read dsm_username, dsm_password and
# dsm_ca_path; these map them to the credential's environment, so the inventory holds no secret.
CREDENTIAL_VARS = {
    'dsm_username': "{{ lookup('ansible.builtin.env', 'SYNOLOGY_USERNAME') }}",
    'dsm_password': "{{ lookup('ansible.builtin.env', 'SYNOLOGY_PASSWORD') }}",
    'dsm_ca_path': "{{ lookup('ansible.builtin.env', 'SYNOLOGY_CA_PATH') or omit }}",
}

# Runs the emulator (its command line follows) with secrets.token_urlsafe recording every value it
# returns into RECORD; written next to the run with RECORD and EMULATOR filled in.
LAUNCHER = '''\
import runpy
import secrets
import sys

RECORD = %r
EMULATOR = %r
issue = secrets.token_urlsafe


def recorded(nbytes=None):
    value = issue(nbytes)
    with open(RECORD, 'a', encoding='ascii') as record:
        record.write(value + '\\n')
    return value


secrets.token_urlsafe = recorded
sys.path.insert(0, EMULATOR.rsplit('/', 1)[0])
sys.argv[0] = EMULATOR
runpy.run_path(EMULATOR, run_name='__main__')
'''


# ---------------------------------------------------------------------------- the fleet


@pytest.fixture(scope='module')
def fleet(tmp_path_factory):
    """An emulator of three NAS whose issued tokens are written to ``fleet.tokens_file``."""
    import control

    work = tmp_path_factory.mktemp('awx-emulator')
    tokens_file = work / 'issued-tokens.txt'
    tokens_file.write_text('')
    launcher = work / 'launcher.py'
    launcher.write_text(LAUNCHER % (str(tokens_file), str(EMULATOR)))
    original = control.EMULATOR
    control.EMULATOR = str(launcher)  # start_emulator runs "python EMULATOR --port 0 ..."
    try:
        handle = control.start_emulator(work, count=len(NAMES), scenario='full', tls=True)
    finally:
        control.EMULATOR = original
    handle.tokens_file = tokens_file
    try:
        yield handle
    finally:
        handle.stop()


def issued_tokens(fleet):
    return {line for line in fleet.tokens_file.read_text().split() if line}


# ---------------------------------------------------------------------------- the credential type


def credential_type():
    inputs = yaml.safe_load((AWX_DIR / 'inputs.yml').read_text())
    injectors = yaml.safe_load((AWX_DIR / 'injectors.yml').read_text())
    return inputs, injectors


def validate_like_awx(inputs, injectors):
    """The checks AWX makes when a credential type is saved: input fields, injector keys, and every
    injector template rendered with each input set to 'EXAMPLE' and undefined names an error."""
    allowed_keys = {'id', 'label', 'type', 'help_text', 'secret', 'multiline', 'format', 'choices', 'ask_at_runtime'}
    ids = []
    for field in inputs['fields']:
        assert set(field) <= allowed_keys, field
        assert field['type'] in ('string', 'boolean') and field['id'] not in ids and field['id'] != 'tower'
        if field['type'] == 'boolean':
            assert not {'secret', 'multiline', 'choices', 'format'} & set(field), field
        ids.append(field['id'])
    assert set(inputs['required']) <= set(ids)
    assert set(injectors) <= {'env', 'file', 'extra_vars'}
    for name in injectors['env']:
        assert not name.startswith('ANSIBLE_') and name.replace('_', 'A').isalnum(), name
    for name in injectors.get('file', {}):
        assert name.startswith('template.'), name

    class Filenames:
        pass

    filenames = Filenames()
    for name in injectors.get('file', {}):
        setattr(filenames, name.split('.', 1)[1], 'EXAMPLE_FILENAME')
    namespace = {name: 'EXAMPLE' for name in ids}
    namespace['tower'] = type('Tower', (), {'filename': filenames})()
    strict = sandbox.ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined)
    for kind in ('env', 'file', 'extra_vars'):
        for template in injectors.get(kind, {}).values():
            strict.from_string(template).render(namespace)
    return ids


def inject(inputs, injectors, values, env_dir):
    """The environment AWX gives a job for a credential with ``values``: like AWX, a missing boolean is
    False, an empty or missing string is undefined, each file template becomes a file in ``env/``."""
    namespace = {}
    for field in inputs['fields']:
        value = values.get(field['id'])
        if field['type'] == 'boolean':
            namespace[field['id']] = bool(value)
        elif value:
            namespace[field['id']] = value
    renderer = sandbox.ImmutableSandboxedEnvironment()
    files = {}
    for label, template in injectors.get('file', {}).items():
        handle, path = tempfile.mkstemp(dir=str(env_dir))
        with os.fdopen(handle, 'w') as out:
            out.write(renderer.from_string(template).render(**namespace))
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        files[label.split('.', 1)[1]] = path
    namespace['tower'] = type('Tower', (), {'filename': type('Files', (), files)()})()
    return {name: renderer.from_string(template).render(**namespace) for name, template in injectors['env'].items()}


# ---------------------------------------------------------------------------- an AWX job


def inventory_data(fleet, names):
    """The inventory AWX generates for a job (or a slice of one): group nas, host variables, no secret."""
    example_vars = yaml.safe_load((EXAMPLES / 'inventory' / 'group_vars' / 'nas' / 'main.yml').read_text())
    group_vars = {key: value for key, value in example_vars.items() if not key.startswith('dsm_')}
    group_vars.update(CREDENTIAL_VARS)
    by_name = {nas['name']: nas for nas in fleet.nas}
    hostvars = {}
    for name in names:
        url = urllib.parse.urlsplit(by_name[name]['url'])
        hostvars[name] = {'ansible_host': url.hostname, 'dsm_port': url.port}
    return {
        'all': {'children': ['nas', 'ungrouped']},
        'nas': {'hosts': list(names), 'vars': group_vars},
        '_meta': {'hostvars': hostvars},
    }


def sliced(names, slice_number, slice_count):
    """AWX's job slicing: slice k of n gets the hosts at positions k-1, k-1+n, k-1+2n, ..."""
    return list(names)[slice_number - 1::slice_count]


def private_data_dir(root, fleet, names, credential_values, extravars=None):
    """A private data directory as AWX writes it for a job; returns (path, envvars)."""
    pdd = Path(tempfile.mkdtemp(prefix='awx-job-', dir=str(root)))
    shutil.copytree(EXAMPLES, pdd / 'project', ignore=shutil.ignore_patterns('inventory', 'reports'))
    (pdd / 'inventory').mkdir()
    script = pdd / 'inventory' / 'hosts'
    script.write_text('#! /usr/bin/env python3\n# -*- coding: utf-8 -*-\nimport json\nprint(json.dumps(%r))\n'
                      % (inventory_data(fleet, names),))
    script.chmod(0o700)
    env_dir = pdd / 'env'
    env_dir.mkdir()
    inputs, injectors = credential_type()
    envvars = inject(inputs, injectors, credential_values, env_dir)
    home = pdd / 'home'
    home.mkdir()
    (pdd / 'ansible.cfg').write_text('# AWX job: nothing from a user configuration\n[defaults]\n')
    envvars.update({
        'PATH': os.pathsep.join([str(Path(sys.executable).parent), '/usr/local/bin', '/usr/bin', '/bin']),
        'HOME': str(home),
        'ANSIBLE_CONFIG': str(pdd / 'ansible.cfg'),
        'ANSIBLE_HOME': str(home / '.ansible'),
        'ANSIBLE_LOCAL_TEMP': str(home / 'tmp'),
        'ANSIBLE_COLLECTIONS_PATH': collections_path(),
        'ANSIBLE_RETRY_FILES_ENABLED': 'False',
        'ANSIBLE_FORCE_COLOR': 'False',
        'ANSIBLE_NOCOLOR': '1',
        'PYTHONDONTWRITEBYTECODE': '1',
        'JOB_ID': '4711',
        'AWX_HOST': 'https://awx.example.com',
    })
    (env_dir / 'envvars').write_text(yaml.safe_dump(envvars))
    (env_dir / 'settings').write_text(yaml.safe_dump({'job_timeout': 300, 'pexpect_timeout': 5,
                                                      'suppress_ansible_output': True}))
    (env_dir / 'extravars').write_text(yaml.safe_dump(extravars or {}))
    return pdd, envvars


def run_job(pdd, playbook, verbosity=0, limit=None):
    started = time.monotonic()
    runner = ansible_runner.run(private_data_dir=str(pdd), playbook=playbook, ident='job', quiet=True,
                                verbosity=verbosity, limit=limit)
    runner.elapsed = time.monotonic() - started
    return runner


def describe(runner):
    output = runner.stdout.read()[-6000:]
    return 'status %s rc %s after %.1f s\n%s' % (runner.status, runner.rc, runner.elapsed, output)


def host_recap(runner):
    stats = runner.stats or {}
    hosts = set()
    for kind in ('ok', 'changed', 'failures', 'dark', 'skipped'):
        hosts.update(stats.get(kind, {}))
    return hosts, stats


class Counters:
    """The emulator's counters of every NAS at one moment; ``delta`` since then."""

    def __init__(self, fleet):
        self.fleet = fleet
        self.before = [fleet.control(i).stats() for i in range(len(NAMES))]

    def delta(self, key):
        return {NAMES[i]: self.fleet.control(i).stats()[key] - self.before[i][key] for i in range(len(NAMES))}


def artifact_files(pdd):
    return sorted(path for path in (pdd / 'artifacts').rglob('*') if path.is_file())


def assert_no_secret(pdd, secrets, envvars):
    """No secret in any artifact of the job. The runner's ``command`` artifact records the environment it
    was handed (env/envvars, the credential's injection, as AWX hands it); there, secrets may appear as the
    values of the injected variables only, never in the command line or elsewhere."""
    files = artifact_files(pdd)
    assert any(path.parent.name == 'job_events' for path in files), files
    assert any(path.name == 'stdout' for path in files), files
    leaks = []
    for path in files:
        text = path.read_text(encoding='utf-8', errors='replace')
        if path.name == 'command':
            record = json.loads(text)
            env = record.pop('env')
            text = json.dumps(record)
            for name, value in env.items():
                if any(secret in value for secret in secrets):
                    if envvars.get(name) != value or not name.startswith('SYNOLOGY_'):
                        leaks.append('%s: env %s' % (path.name, name))
                elif any(secret in name for secret in secrets):
                    leaks.append('%s: env name %s' % (path.name, name))
        for secret in secrets:
            if secret in text:
                leaks.append('%s holds a secret (%d characters)' % (path.relative_to(pdd), len(secret)))
    assert leaks == []
    return len(files)


# ---------------------------------------------------------------------------- the test


def login_for_device_token(fleet, index):
    """A trusted-device token for otpadmin on NAS ``index``, with the previous 30-second window's code,
    so that a job computing the current window's code later is not refused as a code used twice."""
    import requests

    url = fleet.nas[index]['url'] + '/webapi/entry.cgi'
    code = dsm_emulator.totp(SEED, time.time() - 30)
    session = requests.Session()
    session.trust_env = False
    answer = session.post(url, verify=str(fleet.ca), timeout=30, data={
        'api': 'SYNO.API.Auth', 'version': '7', 'method': 'login', 'account': OTP_USER[0],
        'passwd': OTP_USER[1], 'otp_code': code, 'enable_device_token': 'yes', 'device_name': DEVICE_NAME,
        'format': 'sid'}).json()
    assert answer['success'], answer
    token = answer['data']['device_id']
    session.post(url, verify=str(fleet.ca), timeout=30, data={
        'api': 'SYNO.API.Auth', 'version': '7', 'method': 'logout', '_sid': answer['data']['sid']})
    return token


def test_fleet_jobs_as_awx_runs_them(fleet, tmp_path):
    inputs, injectors = credential_type()
    ids = validate_like_awx(inputs, injectors)
    assert ids == ['host', 'port', 'username', 'password', 'otp_secret', 'device_id', 'ca_certificate',
                   'skip_certificate_validation']
    assert {field['id'] for field in inputs['fields'] if field.get('secret')} == {'password', 'otp_secret', 'device_id'}
    ca_text = Path(fleet.ca).read_text()
    for index in range(len(NAMES)):
        fleet.control(index).reset()
    timings = {}

    # 1. The fleet report, every NAS, password credential, -vvv. The emulated fleet has failed and
    # overdue backups, which fail report.yml after writing the report; the job template's extra
    # variables (env/extravars) turn that off, as for a report-only job.
    admin = {'username': ADMIN[0], 'password': ADMIN[1], 'ca_certificate': ca_text}
    pdd, envvars = private_data_dir(tmp_path, fleet, NAMES, admin,
                                    extravars={'activebackup_report_fail_on_breach': False})
    assert envvars['SYNOLOGY_HOST'] == '' and envvars['SYNOLOGY_PORT'] == '5001'
    assert envvars['SYNOLOGY_VALIDATE_CERTS'] == 'true' and envvars['SYNOLOGY_OTP_SECRET'] == ''
    ca_file = Path(envvars['SYNOLOGY_CA_PATH'])
    assert ca_file.parent == pdd / 'env' and ca_file.read_text() == ca_text
    assert stat.S_IMODE(ca_file.stat().st_mode) == 0o600
    # no secret in what the job template, the project or the inventory hold
    for path in [pdd / 'inventory' / 'hosts', pdd / 'env' / 'extravars'] + sorted((pdd / 'project').glob('*.yml')):
        assert ADMIN[1] not in path.read_text(), path
    counters = Counters(fleet)
    job = run_job(pdd, 'report.yml', verbosity=3)
    timings['report'] = job.elapsed
    assert job.status == 'successful' and job.rc == 0, describe(job)
    hosts, stats = host_recap(job)
    assert hosts == set(NAMES) and not stats.get('failures') and not stats.get('dark'), stats
    assert counters.delta('logins') == dict.fromkeys(NAMES, 1)
    assert counters.delta('logouts') == dict.fromkeys(NAMES, 1)
    assert counters.delta('failed_logins') == dict.fromkeys(NAMES, 0)
    assert counters.delta('writes') == dict.fromkeys(NAMES, 0)
    # the report role reads each NAS in one compound request between login and logout
    assert counters.delta('requests') == dict.fromkeys(NAMES, 3)
    report = json.loads((pdd / 'project' / 'reports' / 'activebackup-report.json').read_text())
    assert [host['name'] for host in report['hosts']] == list(NAMES)
    assert report['summary']['reported'] == len(NAMES)
    assert any(event.get('event') == 'playbook_on_stats' for event in job.events)
    report_pdd = pdd

    # 2. Two job slices of the overview, TOTP-seed credential: every NAS once, one login each.
    totp = {'username': OTP_USER[0], 'password': OTP_USER[1], 'otp_secret': SEED, 'ca_certificate': ca_text}
    covered = []
    slice_pdds = []
    for number in (1, 2):
        names = sliced(NAMES, number, 2)
        pdd, slice_env = private_data_dir(tmp_path, fleet, names, totp)
        assert slice_env['SYNOLOGY_OTP_SECRET'] == SEED
        counters = Counters(fleet)
        job = run_job(pdd, 'overview.yml')
        timings['overview slice %d' % number] = job.elapsed
        assert job.status == 'successful' and job.rc == 0, describe(job)
        hosts, stats = host_recap(job)
        assert hosts == set(names), stats
        expected = {name: int(name in names) for name in NAMES}
        assert counters.delta('logins') == expected
        assert counters.delta('logouts') == expected
        assert counters.delta('failed_logins') == dict.fromkeys(NAMES, 0)
        # the overview reads each NAS in one compound request between login and logout
        assert counters.delta('requests') == {name: 3 * count for name, count in expected.items()}
        covered += sorted(hosts)
        slice_pdds.append((pdd, slice_env))
    assert sorted(covered) == sorted(NAMES)  # every NAS exactly once

    # 3. One NAS with a trusted-device token (valid on the NAS that issued it only).
    token = login_for_device_token(fleet, 2)
    device = {'username': OTP_USER[0], 'password': OTP_USER[1], 'device_id': token, 'ca_certificate': ca_text}
    pdd, device_env = private_data_dir(tmp_path, fleet, NAMES, device)
    counters = Counters(fleet)
    job = run_job(pdd, 'overview.yml', limit='nas3')
    timings['overview, one NAS, device token'] = job.elapsed
    assert job.status == 'successful' and job.rc == 0, describe(job)
    assert counters.delta('logins') == {'nas1': 0, 'nas2': 0, 'nas3': 1}
    assert counters.delta('failed_logins') == dict.fromkeys(NAMES, 0)
    login = [entry for entry in fleet.control(2).log() if entry['method'] == 'login'][-1]
    assert login['account'] == OTP_USER[0] and 'otp_code' not in login['params'] and login['success']

    # Secrets: both passwords, the TOTP seed and its codes, the device token, every sid, SynoToken and
    # token the emulator issued. None in any artifact of any job.
    tokens = issued_tokens(fleet)
    assert token in tokens and len(tokens) >= 9, len(tokens)
    now = int(time.time() // 30)
    codes = {dsm_emulator.totp(SEED, step * 30) for step in range(now - 10, now + 2)}
    secrets = sorted({ADMIN[1], OTP_USER[1], SEED} | tokens | codes)
    checked = 0
    for job_pdd, job_env in [(report_pdd, envvars)] + slice_pdds + [(pdd, device_env)]:
        checked += assert_no_secret(job_pdd, secrets, job_env)
    assert checked > 30
    # the scan finds what is there: the runner's record of the environment it was handed, and a
    # value every job's output has (a host name)
    command = json.loads((report_pdd / 'artifacts' / 'job' / 'command').read_text())
    assert command['env']['SYNOLOGY_PASSWORD'] == ADMIN[1] and ADMIN[1] not in json.dumps(command['command'])
    with pytest.raises(AssertionError):
        assert_no_secret(report_pdd, ['nas2'], envvars)
    print('ansible-runner jobs: %s' % ', '.join('%s %.1f s' % item for item in timings.items()))
