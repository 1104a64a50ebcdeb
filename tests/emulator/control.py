# -*- coding: utf-8 -*-
# Copyright: contributors to syno.activebackup
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Client of the DSM emulator's control API, and a helper that runs the emulator for a test.

Standard library only, so any test (pytest, an integration ``runme.sh`` helper) can use it::

    handle = start_emulator(tmpdir, count=3, scenario='full')
    try:
        ctl = handle.control(0)           # EmulatorControl of nas1
        ctl.faults(queue=[{'code': 117, 'count': 1}])
        ... run the collection against handle.nas[0]['url'] with CA handle.ca ...
        assert ctl.stats()['logins'] == 1
    finally:
        handle.stop()
"""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

EMULATOR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'dsm_emulator.py')


class EmulatorControlError(Exception):
    """The control API answered an error (bad knob, unknown endpoint)."""


class EmulatorControl:
    """The control API of one virtual NAS (``/_emulator/`` on its port)."""

    def __init__(self, base_url, ca=None, timeout=30):
        self.base_url = base_url.rstrip('/')
        self.ca = ca
        self.timeout = timeout
        self._set_trust(ca)

    def _set_trust(self, cafile):
        handlers = [urllib.request.ProxyHandler({})]  # loopback: never through a proxy from the environment
        if self.base_url.startswith('https:'):
            handlers.append(urllib.request.HTTPSHandler(context=ssl.create_default_context(cafile=cafile)))
        self._opener = urllib.request.build_opener(*handlers)

    def _call(self, method, endpoint, body=None, query=None):
        url = '%s/_emulator/%s' % (self.base_url, endpoint)
        if query:
            url += '?' + urllib.parse.urlencode(query)
        data = None
        if method == 'POST':
            data = json.dumps(body if body is not None else {}).encode('utf-8')
        request = urllib.request.Request(url, data=data, method=method, headers={'Content-Type': 'application/json'})
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return json.loads(response.read().decode('utf-8'))
        except urllib.error.HTTPError as err:
            detail = err.read().decode('utf-8', 'replace')
            raise EmulatorControlError('%s %s: HTTP %s %s' % (method, endpoint, err.code, detail))

    def stats(self):
        """Counters: requests, logins, failed_logins, logouts, open_sessions, info_queries, calls, writes, ..."""
        return self._call('GET', 'stats')

    def log(self, since=0):
        """Request log entries with ``seq`` greater than ``since``."""
        return self._call('GET', 'log', query={'since': since} if since else None)['entries']

    def reset(self, scenario=None):
        """State back to the scenario (or another one), sessions, log, counters, faults and Auto Block cleared."""
        return self._call('POST', 'reset', {'scenario': scenario} if scenario else {})

    def state(self):
        return self._call('GET', 'state')

    def set_state(self, patch=None, replace=None):
        """Patch the state (``{"shares": {"ABB-Vault": {"mounted": true}}}``) or replace it whole."""
        if replace is not None:
            return self._call('POST', 'state', {'replace': replace})
        return self._call('POST', 'state', {'patch': patch or {}})

    def faults(self, **knobs):
        """Set fault knobs (see README); returns the current faults and, after a rotation, the new CA."""
        answer = self._call('POST', 'faults', knobs)
        if answer.get('ca_bundle'):
            # the control client keeps working: trust the original and the rotated CA
            self._set_trust(answer['ca_bundle'])
        return answer

    def drop_sessions(self):
        return self._call('POST', 'drop_sessions')

    def info(self):
        return self._call('GET', 'info')

    def jobs(self, **knobs):
        """Backup jobs: without knobs a summary (tasks with running/progress/last status and counts, devices with
        agent_status and secret values, results/versions/logs counts, settings, run_seconds); with knobs
        (``run_seconds``, ``tasks``, ``devices``, ``start``, ``finish``, see README) sets them first."""
        if knobs:
            return self._call('POST', 'jobs', knobs)
        return self._call('GET', 'jobs')

    def task_knobs(self, task, **knobs):
        """Knobs of one task (name or id): outcome, run_seconds, backup_window, conflict, no_permission."""
        return self.jobs(tasks={str(task): knobs})

    def device_offline(self, device, offline=True):
        """Mark a device (host name or id) offline (agent_status) or back online."""
        return self.jobs(devices={str(device): {'offline': offline}})

    def wait_idle(self, task, timeout=30.0):
        """Wait until the task (name or id) runs no backup; returns its summary entry."""
        deadline = time.monotonic() + timeout
        while True:
            entry = [item for item in self.jobs()['tasks'] if str(task) in (item['task_name'], str(item['task_id']))][0]
            if not entry['running'] or time.monotonic() > deadline:
                return entry
            time.sleep(0.05)


class EmulatorHandle:
    """A running emulator process started by ``start_emulator``."""

    def __init__(self, process, ready, log_path):
        self.process = process
        self.ca = ready['ca']
        self.nas = ready['nas']
        self.log_path = log_path

    def url(self, index=0):
        return self.nas[index]['url']

    def control(self, index=0):
        return EmulatorControl(self.nas[index]['url'], self.ca)

    def stop(self, timeout=10):
        """SIGTERM, wait (bounded), SIGKILL if it did not stop; returns the exit code."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        return self.process.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()


def _tail(path, limit=2000):
    try:
        with open(path, encoding='utf-8', errors='replace') as handle:
            return handle.read()[-limit:]
    except OSError:
        return ''


def start_emulator(tmpdir, count=3, scenario='full', tls=True, extra_args=(), timeout=30):
    """Run ``dsm_emulator.py`` in a subprocess and wait (at most ``timeout`` s) until it listens.

    ``extra_args`` go last on the command line; with ``--nas`` in them, ``count`` and ``scenario``
    are not passed. Output goes to ``<tmpdir>/emulator.log``.
    """
    tmpdir = os.path.abspath(str(tmpdir))
    os.makedirs(tmpdir, exist_ok=True)
    ready_file = os.path.join(tmpdir, 'emulator-ready.json')
    if os.path.exists(ready_file):
        os.unlink(ready_file)
    command = [sys.executable, EMULATOR, '--port', '0', '--ready-file', ready_file]
    extra_args = [str(arg) for arg in extra_args]
    if not any(arg == '--nas' or arg.startswith('--nas=') for arg in extra_args):
        command += ['--count', str(count), '--scenario', scenario]
    if tls:
        command += ['--tls', '--cert-dir', os.path.join(tmpdir, 'certs')]
    command += extra_args
    log_path = os.path.join(tmpdir, 'emulator.log')
    with open(log_path, 'wb') as log:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(ready_file):
            with open(ready_file, encoding='utf-8') as handle:
                return EmulatorHandle(process, json.load(handle), log_path)
        if process.poll() is not None:
            raise RuntimeError('the DSM emulator exited with %s:\n%s' % (process.returncode, _tail(log_path)))
        time.sleep(0.05)
    process.kill()
    process.wait(10)
    raise RuntimeError('the DSM emulator did not get ready within %s s:\n%s' % (timeout, _tail(log_path)))
