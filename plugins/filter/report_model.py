# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
name: report_model
short_description: Turn the facts gathered from a fleet of NAS into the data of a fleet report
version_added: 1.0.0
author:
  - syno.activebackup maintainers
description:
  - Takes, per host, the registered result of a M(syno.activebackup.facts) task and returns the data of the fleet
    report that the P(syno.activebackup.report#role) role writes as C(activebackup-report.json) and formats as HTML and
    Markdown. Every value of the report is decided here; the role's templates only format it.
  - Per host, volumes get their free space and a flag below O(min_free_percent), storages their relink state, device
    counts, task names and the free space of their volume, shared folders whether they are storages, and backup tasks
    their health (P(syno.activebackup.backup_health#filter)) against O(max_backup_age_hours). A host whose result
    failed, was unreachable or is missing is listed with that status and its error.
  - Secret-named keys (containing C(password), C(token), C(secret) or C(passwd)) are removed from every task, result
    and device, at any depth.
positional: _input
options:
  _input:
    description:
      - Host name to the registered result of the facts task on that host (a dictionary with C(ansible_facts), or with
        C(failed), C(unreachable) or C(skipped) and C(msg)); null for a host on which the task did not run. The
        report lists the hosts in this order.
    type: dict
    required: true
  min_free_percent:
    description:
      - Volumes with less free space than this percentage of their size, and the storages on them, are flagged.
      - From V(0) (flag nothing) to V(100).
    type: float
    default: 10
  max_backup_age_hours:
    description:
      - A backup task whose last run ended more than this many hours ago is V(overdue).
    type: float
    default: 26
  title:
    description:
      - The report's title.
    type: str
    default: Active Backup for Business fleet report
  addresses:
    description:
      - Host name to the address the NAS was reached at, shown beside the name when it differs.
    type: dict
  now:
    description:
      - The time of the report in epoch seconds (C(generated_at), the age of backups). Defaults to the current time.
    type: float
seealso:
  - module: syno.activebackup.facts
  - plugin: syno.activebackup.backup_health
    plugin_type: filter
'''

EXAMPLES = r'''
- name: Gather the facts of every NAS
  syno.activebackup.facts:
  register: gathered
  ignore_errors: true
  ignore_unreachable: true

- name: Build the report data once
  run_once: true
  delegate_to: localhost
  vars:
    nas_hosts: "{{ ansible_play_hosts_all }}"
    results: "{{ dict(nas_hosts | zip(nas_hosts | map('extract', hostvars, 'gathered') | map('default', none))) }}"
  ansible.builtin.set_fact:
    report: "{{ results | syno.activebackup.report_model(min_free_percent=15, max_backup_age_hours=26) }}"

- name: Show the NAS and backup tasks that need attention
  run_once: true
  ansible.builtin.debug:
    msg: "{{ report.attention | map(attribute='summary') }}"
'''

RETURN = r'''
_value:
  description:
    - The report data. P(syno.activebackup.report#role) documents every key (the JSON file in its README).
  type: dict
  contains:
    title:
      description: The title.
      type: str
    generated_at:
      description: The time of the report, ISO 8601 in UTC.
      type: str
      sample: '2026-01-31T02:00:00Z'
    min_free_percent:
      description: The free-space threshold.
      type: float
    max_backup_age_hours:
      description: The backup age threshold.
      type: float
    summary:
      description:
        - Counts over the fleet, each with what it counts - C(hosts), C(reported), C(not_reported) (NAS);
          C(breaches) (volumes and storages below the threshold) and C(breach_hosts) (NAS with one); C(flags);
          C(devices) (devices in the storages); C(tasks), C(health) (tasks per health), C(attention) (tasks
          failed, overdue or never run) and C(attention_hosts); C(warnings) and C(warning_hosts);
          C(backup_devices), C(devices_offline) and C(offline_hosts).
      type: dict
    attention:
      description:
        - Every backup task of the fleet that needs attention (V(failed), V(overdue), V(never)), the worst first,
          each with C(host), C(task_id), C(task_name), C(health), C(reason) and C(summary) (one line of text).
      type: list
      elements: dict
    hosts:
      description:
        - One entry per host - C(name), C(address), C(status), C(error), C(system), C(default_share), C(volumes),
          C(storages), C(shares), C(error_files), C(files_checked), C(devices), C(flags), C(breaches),
          C(backups_gathered), C(tasks), C(backup_health), C(backup_attention), C(backup_devices),
          C(devices_offline).
      type: list
      elements: dict
'''

import datetime
import math
import time

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.syno.activebackup.plugins.filter.backup_health import (
    ATTENTION,
    HEALTH_ORDER,
    HEALTH_SEVERITY,
    check_max_age,
    is_running,
    status_name,
    task_health,
)
from ansible_collections.syno.activebackup.plugins.module_utils._api import strip_secrets, to_int
from ansible_collections.syno.activebackup.plugins.module_utils._api_share import (
    relink_error_code,
    storage_status,
    task_names,
    used_percent,
)

DEFAULT_TITLE = 'Active Backup for Business fleet report'
DEVICE_TYPES = ('pc', 'server', 'vm', 'dsm', 'agentless')
# Version status 3 = completed (contract 12.1 / 10.4).
VERSION_COMPLETED = 3
SYSTEM_FIELDS = ('model', 'serial', 'version', 'version_string', 'uptime')


def _fail(message):
    raise AnsibleFilterError('report_model: %s' % message)


def _number(value, name, low=None, high=None):
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        _fail('%s must be a number, not %r' % (name, value))
    try:
        number = float(value)
    except ValueError:
        _fail('%s must be a number, not %r' % (name, value))
    if not math.isfinite(number) or (low is not None and number < low) or (high is not None and number > high):
        _fail('%s must be a number from %g to %g, not %r' % (name, low, high, value) if high is not None
              else '%s must be a number of %g or more, not %r' % (name, low, value))
    return number


def scrub(value):
    """``value`` as plain dicts and lists, without secret-named keys at any depth (contract 9)."""
    return strip_secrets(_plain(value))


def _plain(value):
    if isinstance(value, Mapping):
        return dict((key, _plain(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _iso(epoch):
    """'2026-01-31T02:00:00Z' for an epoch time > 0; None otherwise."""
    number = to_int(epoch)
    if isinstance(number, float) and math.isfinite(number):
        number = int(number)
    if isinstance(number, bool) or not isinstance(number, int) or number <= 0:
        return None
    try:
        return datetime.datetime.fromtimestamp(number, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
    except (OverflowError, OSError, ValueError):
        return None


def _int_or(value, default=0):
    number = to_int(value)
    return number if isinstance(number, int) and not isinstance(number, bool) else default


def _list(value):
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, (list, tuple)) else []


# -- space ------------------------------------------------------------------------------------------

def _volume(v, threshold):
    total = _int_or(v.get('total_bytes'))
    used = _int_or(v.get('used_bytes'))
    free = _int_or(v.get('free_bytes'), max(total - used, 0))
    free_raw = free * 100.0 / total if total > 0 else None
    return {
        'volume_path': v.get('volume_path', ''),
        'vol_name': v.get('vol_name'),
        'total_bytes': total,
        'used_bytes': used,
        'free_bytes': free,
        'used_percent': used_percent(total - free, total) if total > 0 else None,
        'free_percent': round(free_raw, 1) if free_raw is not None else None,
        'flagged': free_raw is not None and free_raw < threshold,
    }, free_raw


def _storage(s, volumes):
    vol = next((v for v in volumes if v['volume_path'] == s.get('volume_path', '')), None)
    relink = storage_status(s)
    code = relink_error_code(s)
    info = s.get('device_info') if isinstance(s.get('device_info'), Mapping) else {}
    devices = dict((key, _int_or(info.get('%s_count' % key))) for key in DEVICE_TYPES)
    return {
        'share_name': s.get('share_name', ''),
        'storage_id': s.get('storage_id'),
        'volume_path': s.get('volume_path'),
        'vol_name': s.get('vol_name'),
        'mounted': s.get('mounted'),
        'device_count': _int_or(s.get('device_count')),
        'devices': devices,
        'backup_tasks': task_names(s),
        'dedup_size': s.get('dedup_size'),
        'compressed_size': s.get('compressed_size'),
        'relink': relink,
        'relink_error_code': code if relink == 'failed' else None,
        'relink_state': scrub(s.get('relink_state', {})),
        'volume_total_bytes': vol['total_bytes'] if vol else None,
        'volume_free_bytes': vol['free_bytes'] if vol else None,
        'volume_free_percent': vol['free_percent'] if vol else None,
        'flagged': bool(vol and vol['flagged']),
    }


def _shares(facts, storages):
    linked = [s['share_name'] for s in storages if s['relink'] != 'failed']
    encrypted = _list(facts.get('encrypted_shares'))
    encrypted_names = [sh.get('name') for sh in encrypted]
    listed = _list(facts.get('shares'))
    listed_names = [sh.get('name') for sh in listed]
    unmounted = [sh for sh in encrypted if sh.get('name') not in listed_names]
    default = facts.get('default_share') or ''
    return [{
        'name': sh.get('name', ''),
        'path': sh.get('path'),
        'free_space': sh.get('free_space'),
        'storage': sh.get('name', '') in linked,
        'relinkable': bool(sh.get('relinkable', False)),
        'encrypted': sh.get('name', '') in encrypted_names,
        'mounted': index < len(listed),
        'default': sh.get('name', '') == default,
    } for index, sh in enumerate(listed + unmounted)]


# -- backups ----------------------------------------------------------------------------------------

def _latest_version(task):
    latest = task.get('latest_version')
    if isinstance(latest, Mapping):
        return latest
    if 'latest_version' in task:
        return None
    completed = [v for v in _list(task.get('versions'))
                 if v.get('status_name') == 'completed' or _int_or(v.get('status'), None) == VERSION_COMPLETED]
    return max(completed, key=lambda v: _int_or(v.get('time_end'))) if completed else None


def _version_row(version):
    if version is None:
        return None
    return {
        'version_id': version.get('version_id'),
        'folder_name': version.get('folder_name'),
        'status_name': version.get('status_name'),
        'time_end': version.get('time_end'),
        'time_end_at': _iso(version.get('time_end')),
        'used_size': version.get('used_size'),
    }


def _progress_percent(task):
    progress = task.get('progress')
    if not isinstance(progress, Mapping) or isinstance(progress.get('percentage'), bool):
        return None
    try:
        value = float(progress.get('percentage'))
    except (TypeError, ValueError):
        return None
    if not math.isfinite(value):
        return None
    return round(max(0.0, min(value * 100 if value <= 1 else value, 100.0)), 1)


def _task_row(task, max_age, now):
    health = task_health(task, max_age, now)
    result = task.get('last_result') if isinstance(task.get('last_result'), Mapping) and task.get('last_result') else None
    versions = _list(task.get('versions'))
    version_count = _int_or(task.get('version_count'), len(versions) if 'versions' in task else None)
    devices = _list(task.get('devices'))
    running = is_running(task)
    return dict(health, **{
        'backup_type': task.get('backup_type'),
        'backup_type_name': task.get('backup_type_name'),
        'share_name': task.get('share_name'),
        'attention': health['health'] in ATTENTION,
        'progress_percent': _progress_percent(task) if running else None,
        'last_status': result.get('status') if result else None,
        'last_start': result.get('time_start') if result else None,
        'last_end_at': _iso(health['last_end']),
        'transfered_bytes': _int_or(result.get('transfered_bytes'), None) if result else None,
        'success_count': _int_or(result.get('success_count'), None) if result else None,
        'warning_count': _int_or(result.get('warning_count'), None) if result else None,
        'error_count': _int_or(result.get('error_count'), None) if result else None,
        'version_count': version_count,
        'latest_version': _version_row(_latest_version(task)),
        'device_count': _int_or(task.get('device_count'), len(devices)),
        'device_names': [str(d.get('host_name')) for d in devices if d.get('host_name') is not None],
        'next_trigger_time': task.get('next_trigger_time'),
        'next_trigger_at': _iso(task.get('next_trigger_time')),
        'last_result': scrub(result) if result else None,
    })


def _severity(row):
    return (HEALTH_SEVERITY.index(row['health']), str(row.get('task_name') or ''), str(row.get('task_id')))


def _device_row(device):
    out = scrub(device)
    result = device.get('last_result')
    out['offline'] = device.get('agent_status') == 'offline'
    out['last_status_name'] = status_name(result) if isinstance(result, Mapping) and result else None
    return out


def _backups(facts, max_age, now):
    tasks = facts.get('tasks')
    rows = sorted((_task_row(t, max_age, now) for t in _list(tasks)), key=_severity)
    devices = sorted((_device_row(d) for d in _list(facts.get('devices'))),
                     key=lambda d: (not d['offline'], str(d.get('host_name') or '')))
    counts = dict((name, 0) for name in HEALTH_SEVERITY)
    for row in rows:
        counts[row['health']] += 1
    return {
        'backups_gathered': isinstance(tasks, list),
        'tasks': rows,
        'backup_health': counts,
        'backup_attention': ['backup task %s: %s (%s)' % (row['task_name'], row['health'], row['reason'])
                             for row in rows if row['attention']],
        'backup_devices': devices,
        'devices_offline': sum(1 for d in devices if d['offline']),
    }


# -- hosts ------------------------------------------------------------------------------------------

def _empty(name, address):
    return {
        'name': name,
        'address': address,
        'status': 'ok',
        'error': None,
        'system': None,
        'default_share': None,
        'volumes': [],
        'storages': [],
        'shares': [],
        'error_files': [],
        'files_checked': False,
        'devices': {},
        'flags': [],
        'breaches': [],
        'backups_gathered': False,
        'tasks': [],
        'backup_health': dict((name, 0) for name in HEALTH_SEVERITY),
        'backup_attention': [],
        'backup_devices': [],
        'devices_offline': 0,
    }


def _message(result, default):
    msg = result.get('msg')
    return str(msg) if msg is not None else default


def host_entry(name, result, threshold, max_age, now, address=None):
    entry = _empty(name, address)
    if not isinstance(result, Mapping):
        entry.update(status='not_gathered',
                     error='No facts were gathered: the host failed or was left out before the report role ran.')
        return entry
    if result.get('unreachable'):
        entry.update(status='unreachable', error=_message(result, 'unreachable'))
        return entry
    if result.get('failed'):
        entry.update(status='failed', error=_message(result, 'failed'))
        return entry
    gathered = result.get('ansible_facts')
    facts = gathered.get('activebackup') if isinstance(gathered, Mapping) else None
    if result.get('skipped') or not isinstance(facts, Mapping):
        entry.update(status='not_gathered', error='No facts were gathered: the task was skipped.')
        return entry

    volumes, breaches, flags = [], [], []
    for v in _list(facts.get('volumes')):
        row, free_raw = _volume(v, threshold)
        volumes.append(row)
        if row['flagged']:
            breaches.append('volume %s has %.1f%% free, below %g%%' % (v.get('volume_path', '?'), free_raw, threshold))
    storages = []
    totals = dict((key, 0) for key in ('total',) + DEVICE_TYPES)
    for s in _list(facts.get('storages')):
        row = _storage(s, volumes)
        storages.append(row)
        totals['total'] += row['device_count']
        for key in DEVICE_TYPES:
            totals[key] += row['devices'][key]
        if row['flagged']:
            breaches.append('storage %s is on %s with %.1f%% free, below %g%%' % (
                s.get('share_name', '?'), s.get('volume_path', '?'), row['volume_free_percent'], threshold))
        if row['relink'] == 'failed':
            flags.append('relink of %s failed with error %s' % (s.get('share_name', '?'), row['relink_error_code']))
    error_files = facts.get('error_files') if isinstance(facts.get('error_files'), list) else []
    if error_files:
        flags.append('%d repository file(s) reported by check_file' % len(error_files))
    system = facts.get('system')
    entry.update({
        'system': dict((key, system.get(key)) for key in SYSTEM_FIELDS if key in system) if isinstance(system, Mapping) else None,
        'default_share': facts.get('default_share'),
        'volumes': volumes,
        'storages': storages,
        'shares': _shares(facts, storages),
        'error_files': error_files,
        'files_checked': 'error_files' in facts,
        'devices': totals,
        'flags': breaches + flags,
        'breaches': breaches,
    })
    entry.update(_backups(facts, max_age, now))
    return entry


def report_model(results, min_free_percent=10, max_backup_age_hours=26, title=None, addresses=None, now=None):
    """The fleet report's data (see DOCUMENTATION)."""
    if not isinstance(results, Mapping):
        _fail('expects a dictionary of host name to the registered result of the facts task, not %s'
              % type(results).__name__)
    threshold = _number(min_free_percent, 'min_free_percent', 0, 100)
    try:
        max_age = check_max_age(max_backup_age_hours)
    except AnsibleFilterError:
        _fail('max_backup_age_hours must be a positive number of hours, not %r' % (max_backup_age_hours,))
    clock = time.time() if now is None else _number(now, 'now', 0)
    if addresses is not None and not isinstance(addresses, Mapping):
        _fail('addresses must be a dictionary of host name to address, not %s' % type(addresses).__name__)
    if title is not None and not isinstance(title, str):
        _fail('title must be a string, not %s' % type(title).__name__)
    addresses = addresses or {}

    hosts = [host_entry(str(name), result, threshold, max_age, clock, addresses.get(name))
             for name, result in results.items()]
    reported = [h for h in hosts if h['status'] == 'ok']
    health = dict((name, sum(h['backup_health'][name] for h in reported)) for name in HEALTH_ORDER)
    attention = sorted(({
        'host': h['name'],
        'task_id': row['task_id'],
        'task_name': row['task_name'],
        'health': row['health'],
        'reason': row['reason'],
        'last_end_at': row['last_end_at'],
        'summary': '%s: backup task %s: %s (%s)' % (h['name'], row['task_name'], row['health'], row['reason']),
    } for h in reported for row in h['tasks'] if row['attention']),
        key=lambda a: (HEALTH_SEVERITY.index(a['health']), a['host'], str(a['task_name'] or '')))
    return {
        'title': title or DEFAULT_TITLE,
        'generated_at': datetime.datetime.fromtimestamp(int(clock), datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
        'min_free_percent': threshold,
        'max_backup_age_hours': max_age,
        'summary': {
            'hosts': len(hosts),
            'reported': len(reported),
            'not_reported': len(hosts) - len(reported),
            'breaches': sum(len(h['breaches']) for h in hosts),
            'breach_hosts': sum(1 for h in hosts if h['breaches']),
            'flags': sum(len(h['flags']) for h in hosts),
            'devices': sum(h['devices']['total'] for h in reported),
            'tasks': sum(len(h['tasks']) for h in reported),
            'health': health,
            'attention': len(attention),
            'attention_hosts': len(set(a['host'] for a in attention)),
            'warnings': health['warning'],
            'warning_hosts': sum(1 for h in reported if h['backup_health']['warning']),
            'backup_devices': sum(len(h['backup_devices']) for h in reported),
            'devices_offline': sum(h['devices_offline'] for h in reported),
            'offline_hosts': sum(1 for h in reported if h['devices_offline']),
        },
        'attention': attention,
        'hosts': hosts,
    }


class FilterModule:
    def filters(self):
        return {'report_model': report_model}
