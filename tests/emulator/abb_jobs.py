# -*- coding: utf-8 -*-
# Copyright: contributors to syno.activebackup
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Backup jobs of one emulated NAS: SYNO.ActiveBackup.Task, Device, Version, Log, Setting and
SYNO.DSM.Info (contract sections 9-16), with background runs.

The state lives in the NAS's state dict under ``abb`` (tasks, devices, results, versions, logs,
settings, cert_info) and ``dsm`` (SYNO.DSM.Info). Scenario files describe jobs with an
``abb_jobs`` spec that ``build_jobs`` turns into that state for one NAS name (results, versions
and logs are generated backwards from the time the NAS is reset). See README.md.

Standard library only. ``ApiError`` is passed in by dsm_emulator.py (no import cycle).
"""

from __future__ import annotations

import copy
import hashlib
import json
import time

BACKUP_TYPES = {'vm': 1, 'pc': 2, 'physical_server': 3, 'file_server': 4, 'nas': 5}
RESULT_STATUS = {'none': 0, 'incomplete': 1, 'success': 2, 'partial': 3, 'failed': 4, 'cancelled': 5}
OUTCOMES = ('success', 'partial', 'failed', 'cancelled')
VERSION_STATUS = {'success': 3, 'partial': 5}
LOG_ERROR, LOG_WARNING, LOG_INFO = 0, 1, 2
LOG_TASK_START, LOG_TASK_FINISH, LOG_TASK_CANCEL, LOG_TASK_ERROR, LOG_TASK_WARNING = 1101, 1102, 1103, 1104, 1105
LOG_DEVICE_OFFLINE = 5006
JOB_BACKUP = 1
WINDOW_CODES = (1104, 1105)
SECRET_FIELDS = ('agent_token', 'login_password', 'mssql_password', 'oracle_password')
PLATFORMS = {'windows': 1, 'linux': 2, 'mac': 3, 'dsm': 4}

SETTINGS_DEFAULT = [
    ['max_concurrent_devices', '5'], ['memory_usage_limit_percentage', '75'], ['package_cert_id', 'dyAaL7'],
    ['enable_global_bandwidth_control', 'false'], ['global_backup_bandwidth_number', '0'],
    ['enable_ip_range_bandwidth_control', 'false'], ['full_backup_task_ids', ''],
    ['retention_run_hour', '14'], ['retention_run_min', '50'],
]
CERT_INFO = {
    'cert_from_dsm': {'cert_common_name': 'nas.example.invalid', 'cert_issuer': 'Emulator CA',
                      'cert_san': ['nas.example.invalid'], 'cert_tillTime': 'Jan  1 00:00:00 2035 GMT'},
    'cert_from_package': {'cert_common_name': 'Active Backup for Business',
                          'cert_issuer': 'Synology Active Backup for Business',
                          'cert_san': ['Active Backup for Business'], 'cert_tillTime': 'Apr 17 19:14:52 2034 GMT'},
    'cert_use_package': True,
}

DSM_DEFAULT = {
    'model': 'DS1821+', 'version': '69057', 'version_string': 'DSM 7.2.1-69057 Update 5', 'ram': 8192,
    'temperature': 41, 'temperature_warn': False,
}
DSM6_VERSION = {'version': '25556', 'version_string': 'DSM 6.2.4-25556 Update 7'}

TASK_DEFAULTS = {
    'agentless_backup_path': '', 'agentless_backup_policy': 0, 'allow_manual_backup': True,
    'backup_cache_content': {'cached_enabled': False}, 'backup_external': False, 'bandwidth': 0,
    'bandwidth_content': {'backup_bandwidth_base': 0, 'backup_bandwidth_number': 0, 'enable': False},
    'cbt_enable_mode': 1, 'connection_timeout': 0, 'custom_volume': [], 'datastore_reserved_percentage': 0,
    'dedup_api_restore': True, 'dedup_path': '', 'enable_app_aware_bkp': False, 'enable_compress_transfer': True,
    'enable_datastore_aware': False, 'enable_dedup': True, 'enable_encrypt_transfer': True, 'enable_notify': False,
    'enable_shutdown_after_complete': False, 'enable_verification': False, 'enable_wake_up': False,
    'enable_windows_working_state': False, 'max_concurrent_devices': 0,
    'pre_post_script_setting': {'post_script_path': '', 'pre_script_path': '', 'script_exec_mode': 0},
    'repo_dir': '@ActiveBackup',
    'retention_policy': {'gfs_days': '7', 'gfs_months': '12', 'gfs_weeks': '4', 'gfs_years': '3', 'keep_all': False,
                         'keep_versions': 10},
    'sched_content': {'backup_window': '1' * 168, 'enable_backup_window': False, 'is_continuous_paused': False,
                      'repeat_hour': 0, 'repeat_type': 'Daily', 'run_hour': 3, 'run_min': 0, 'run_weekday': [0, 1, 2, 3, 4, 5, 6],
                      'schedule_setting_type': 1, 'start_day': 0, 'start_month': 0, 'start_year': 0},
    'sched_id': 0, 'share_compressed': False, 'source_type': 1, 'storage_compress_algorithm': 0,
    'storage_encrypt_algorithm': 0, 'target_status': 'online', 'verification_policy': 120, 'view_type': '',
    'vm_folder': None, 'workload_uuid': '',
}
# internal, per task (never answered): device_ids, run (a running backup), knobs
TASK_INTERNAL = ('emu',)
TASK_KNOBS = ('outcome', 'run_seconds', 'backup_window', 'conflict', 'no_permission')

DEVICE_DEFAULTS = {
    'agent_can_backup': True, 'agent_driver_status': 'enable', 'agentless_auth_policy': 0, 'auto_discovery': False,
    'driver_status': None, 'dsm_model': '', 'dsm_unique': '', 'host_port': 0, 'hypervisor_id': '', 'inventory_id': 0,
    'kernel_version': '', 'login_user_id': 1026, 'mssql_user': '', 'oracle_user': '', 'time_zone': 3600,
    'vm_moid_path': '',
}


def _hash(*parts):
    return hashlib.sha1('/'.join(str(part) for part in parts).encode('utf-8')).hexdigest()


def _rand(*parts):
    """A deterministic number in [0, 1) from the parts."""
    return int(_hash(*parts)[:8], 16) / float(0x100000000)


def device_secrets(nas, device_id):
    """The distinctive secret values of a device (for secret-leak tests)."""
    tail = _hash(nas, device_id)[:4]
    label = '%s-dev%d-%s' % (nas, device_id, tail)
    return {'agent_token': 'EMU-AGENT-TOKEN-' + label, 'login_password': 'EMU-LOGIN-PASSWORD-' + label,
            'mssql_password': 'EMU-MSSQL-PASSWORD-' + label, 'oracle_password': 'EMU-ORACLE-PASSWORD-' + label}


def dsm_serial(nas):
    return '2260PDN%s' % _hash('serial', nas)[:6].upper()


def build_dsm(spec, nas, started, dsm6=False):
    """SYNO.DSM.Info data of a NAS: the scenario's ``dsm`` over the defaults, a serial per NAS name."""
    info = dict(DSM_DEFAULT)
    if dsm6:
        info.update(DSM6_VERSION)
    info.update(spec or {})
    info.setdefault('serial', dsm_serial(nas))
    info['booted'] = int(started) - int(info.pop('uptime', 86400 * 12 + 3600 * 5))
    return info


# ---------------------------------------------------------------- scenario specs

def merge_spec(target, source):
    """Merge an ``abb_jobs`` spec: tasks by task_name, devices by host_name, per_nas deep, rest replaced."""
    if not isinstance(source, dict):
        raise ValueError('abb_jobs must be an object')
    for key, value in source.items():
        if key in ('tasks', 'devices'):
            field = 'task_name' if key == 'tasks' else 'host_name'
            if not isinstance(value, list):
                raise ValueError('abb_jobs.%s must be a list' % key)
            current = target.setdefault(key, [])
            for record in value:
                if not isinstance(record, dict) or not isinstance(record.get(field), str):
                    raise ValueError('abb_jobs.%s entries need a %s' % (key, field))
                names = [item[field] for item in current]
                if record[field] in names:
                    current[names.index(record[field])] = copy.deepcopy(record)
                else:
                    current.append(copy.deepcopy(record))
        elif key == 'per_nas':
            if not isinstance(value, dict):
                raise ValueError('abb_jobs.per_nas must be an object')
            per = target.setdefault('per_nas', {})
            for nas, override in value.items():
                per.setdefault(nas, {})
                _deep_update(per[nas], override)
        else:
            target[key] = copy.deepcopy(value)
    return target


def _deep_update(target, source):
    for key, value in source.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _deep_update(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def _folder_name(moment):
    return time.strftime('ActiveBackup_%Y-%m-%d_%H%M%S', time.gmtime(moment))


def _next_trigger(now, hour, minute):
    day = int(now) - int(now) % 86400
    moment = day + hour * 3600 + minute * 60
    return moment if moment > now else moment + 86400


def build_jobs(spec, nas, now):
    """The ``abb`` state of one NAS from a scenario's ``abb_jobs`` spec (with its ``per_nas`` overrides)."""
    spec = copy.deepcopy(spec or {})
    override = (spec.pop('per_nas', None) or {}).get(nas)
    if override:
        for kind, field in (('tasks', 'task_name'), ('devices', 'host_name')):
            for name, fields in (override.pop(kind, None) or {}).items():
                matches = [item for item in spec.get(kind, []) if item.get(field) == name]
                if not matches:
                    raise ValueError('per_nas %s: no %s %r' % (nas, kind[:-1], name))
                _deep_update(matches[0], fields)
        _deep_update(spec, override)
    state = {'tasks': [], 'devices': [], 'results': [], 'versions': [], 'logs': [],
             'settings': [], 'cert_info': copy.deepcopy(CERT_INFO)}
    settings = dict(SETTINGS_DEFAULT)
    settings.update(spec.get('settings') or {})
    for index, (name, value) in enumerate(settings.items()):
        if not isinstance(value, str):
            raise ValueError('abb_jobs.settings values must be strings (%s)' % name)
        entry = {'name': name, 'value': value}
        if index < 7:
            entry = {'id': index + 1, 'name': name, 'value': value}
        state['settings'].append(entry)
    devices_by_name = {}
    for raw in spec.get('devices', []):
        device = _build_device(raw, nas, now)
        state['devices'].append(device)
        devices_by_name[device['host_name']] = device
    runs = []
    for raw in spec.get('tasks', []):
        task = _build_task(raw, devices_by_name, nas, now)
        state['tasks'].append(task)
        runs.extend(_history(raw, task, nas, now))
    for device in state['devices']:
        device['task_count'] = sum(1 for task in state['tasks'] if device['device_id'] in task['emu']['device_ids'])
    _materialize_runs(state, runs)
    for raw, task in zip(spec.get('tasks', []), state['tasks']):
        running = raw.get('running')
        if running:
            seconds = float(running.get('seconds', 21600))
            started = now - float(running.get('elapsed', 600))
            start_run(state, task, started, started + seconds, running.get('outcome', 'success'))
    return state


def _build_device(raw, nas, now):
    device_id = raw['device_id']
    kind = raw.get('backup_type', 'pc')
    platform = raw.get('platform', 'windows')
    device = copy.deepcopy(DEVICE_DEFAULTS)
    device.update({
        'device_id': device_id, 'device_uuid': '%s-%s-%s-%s-%s' % tuple(
            part.upper() for part in (_hash(nas, 'uuid', device_id)[i:j] for i, j in ((0, 8), (8, 12), (12, 16), (16, 20), (20, 32)))),
        'host_name': raw['host_name'], 'host_ip': raw.get('host_ip', '192.0.2.%d' % (10 + device_id)),
        'os_name': raw.get('os_name', {'windows': 'Windows 11(64-bit)', 'linux': 'Ubuntu 22.04.4 LTS', 'mac': 'macOS 14.5',
                                       'dsm': 'DSM 7.2.1-69057'}.get(platform, 'Windows 11(64-bit)')),
        'platform_type': PLATFORMS.get(platform, 1), 'backup_type': BACKUP_TYPES[kind],
        'create_time': int(now - 86400 * 120 - device_id * 3600), 'login_time': int(now - 86400 * 120 - device_id * 3600 + 13),
        'login_user': raw.get('login_user', 'backup-admin'), 'mssql_user': raw.get('mssql_user', 'sa-emu'),
        'oracle_user': raw.get('oracle_user', 'system-emu'),
        'agent_status': 'offline' if raw.get('offline') else 'online',
    })
    if kind == 'vm':
        device.update({'hypervisor_id': 'vcenter-emu', 'inventory_id': 1, 'vm_moid_path': 'vm-%d' % (100 + device_id),
                       'agent_status': 'online' if not raw.get('offline') else 'offline'})
    if kind == 'nas':
        device.update({'dsm_model': raw.get('dsm_model', 'DS920+'), 'dsm_unique': 'synology_geminilake_920+'})
    device.update(device_secrets(nas, device_id))
    for key in ('host_ip', 'kernel_version', 'time_zone'):
        if key in raw:
            device[key] = raw[key]
    return device


def _build_task(raw, devices_by_name, nas, now):
    task = copy.deepcopy(TASK_DEFAULTS)
    kind = raw.get('backup_type', 'pc')
    device_ids = []
    for name in raw.get('devices', []):
        if name not in devices_by_name:
            raise ValueError('task %s: no device %r' % (raw['task_name'], name))
        device_ids.append(devices_by_name[name]['device_id'])
    sched = task['sched_content']
    sched.update(raw.get('sched_content') or {})
    scheduled = raw.get('scheduled', True)
    task.update({
        'task_id': raw['task_id'], 'task_name': raw['task_name'], 'backup_type': BACKUP_TYPES[kind],
        'share_name': raw.get('share_name', 'ActiveBackupforBusiness'), 'storage_id': raw.get('storage_id', 1),
        'target_dir': raw.get('target_dir', '%s-%s' % (kind.upper(), raw['task_name'])),
        'unikey': '%s-%s-%s-%s-%s' % tuple(_hash(nas, 'task', raw['task_id'])[i:j] for i, j in ((0, 8), (8, 12), (12, 16), (16, 20), (20, 32))),
        'sched_modify_time': int(now - 86400 * 90),
        'next_trigger_time': _next_trigger(now, sched['run_hour'], sched['run_min']) if scheduled else 0,
        'source_type': raw.get('source_type', 1 if kind in ('pc', 'physical_server') else 3),
        'emu': {'device_ids': device_ids, 'run': None, 'outcome': raw.get('outcome', 'success'), 'run_seconds': None,
                'backup_window': None, 'conflict': False, 'no_permission': False, 'runs_started': 0},
    })
    if not scheduled:
        sched['schedule_setting_type'] = 0
    if 'retention_policy' in raw:
        task['retention_policy'].update(raw['retention_policy'])
    return task


def _history(raw, task, nas, now):
    """Past runs of a task (dicts with the run's outcome and times), oldest first."""
    history = raw.get('history')
    if not history:
        return []
    every = float(history.get('every_hours', 24)) * 3600
    days = float(history.get('days', 14))
    last_start = now - float(history.get('last_age_hours', 6)) * 3600
    outcomes = history.get('outcomes') or {}
    starts = []
    moment = last_start
    while moment >= now - days * 86400:
        starts.append(moment)
        moment -= every
    starts.reverse()
    runs = []
    for number, start in enumerate(starts):
        if number == len(starts) - 1:
            outcome = history.get('last', 'success')
        elif str(len(starts) - 1 - number) in outcomes:
            outcome = outcomes[str(len(starts) - 1 - number)]
        else:
            roll = _rand(nas, task['task_id'], number)
            outcome = 'success'
            if roll < float(history.get('failed_rate', 0.04)):
                outcome = 'failed'
            elif roll < float(history.get('failed_rate', 0.04)) + float(history.get('partial_rate', 0.06)):
                outcome = 'partial'
        start = int(start + _rand(nas, task['task_id'], number, 'jitter') * 600)
        duration = int(300 + _rand(nas, task['task_id'], number, 'duration') * 2100)
        total = int(2 * 1024 ** 3 + _rand(nas, task['task_id'], number, 'bytes') * 40 * 1024 ** 3)
        runs.append({'task': task, 'outcome': outcome, 'time_start': start, 'time_end': start + duration,
                     'total_bytes': total})
    return runs


def _materialize_runs(state, runs):
    runs.sort(key=lambda run: (run['time_start'], run['task']['task_id']))
    for run in runs:
        finish_run(state, run['task'], run['time_start'], run['time_end'], run['outcome'], run['total_bytes'],
                   log_start=True)


# ---------------------------------------------------------------- runs

def _next_id(items, field):
    return max([0] + [item[field] for item in items]) + 1


def _device_list(state, task):
    return [{'device_id': device['device_id'], 'host_name': device['host_name']}
            for device in state['devices'] if device['device_id'] in task['emu']['device_ids']]


def _log(state, task, moment, level, log_type, result_id=0, device=None, error_code=0, extra=None):
    device = device or {}
    other = {'backup_type': task['backup_type'], 'device_id': device.get('device_id', 0),
             'device_name': device.get('host_name', ''), 'platform_type': device.get('platform_type', 0),
             'task_id': task['task_id'], 'task_name': task['task_name'], 'user_id': 1024, 'user_name': 'admin'}
    other.update(extra or {})
    state['logs'].append({
        'backup_type': task['backup_type'], 'device_id': device.get('device_id', 0),
        'device_name': device.get('host_name', ''), 'error_code': error_code, 'log_id': _next_id(state['logs'], 'log_id'),
        'log_level': level, 'log_time': int(moment), 'log_type': log_type, 'other_params': other,
        'result_id': result_id, 'task_id': task['task_id'], 'task_name': task['task_name'], 'user_id': 1024,
        'user_name': 'admin',
    })


def start_run(state, task, started, until, outcome, pid=None):
    """A backup run of the task begins (log 1101); ``tick`` ends it at ``until``."""
    task['emu']['runs_started'] += 1
    total = int(4 * 1024 ** 3 + _rand(task['task_id'], task['emu']['runs_started']) * 20 * 1024 ** 3)
    task['emu']['run'] = {'started': float(started), 'until': float(until), 'outcome': outcome, 'total_bytes': total,
                          'pid': pid or 20000 + task['task_id'] * 97 + task['emu']['runs_started']}
    _log(state, task, started, LOG_INFO, LOG_TASK_START)


def finish_run(state, task, started, ended, outcome, total_bytes, log_start=False):
    """Append the result (and a version for success/partial, and the log lines) of a run that ended."""
    devices = [device for device in state['devices'] if device['device_id'] in task['emu']['device_ids']]
    count = max(1, len(devices))
    fraction = {'success': 1.0, 'partial': 0.85, 'failed': 0.2, 'cancelled': 0.4}[outcome]
    transferred = int(total_bytes * fraction)
    result_id = _next_id(state['results'], 'result_id')
    counts = {'success_count': count, 'warning_count': 0, 'error_count': 0, 'none_count': 0}
    if outcome == 'partial':
        counts = {'success_count': count - 1, 'warning_count': 1, 'error_count': 0, 'none_count': 0}
    elif outcome == 'failed':
        counts = {'success_count': 0, 'warning_count': 0, 'error_count': count, 'none_count': 0}
    elif outcome == 'cancelled':
        counts = {'success_count': 0, 'warning_count': 0, 'error_count': 0, 'none_count': count}
    if log_start:
        _log(state, task, started, LOG_INFO, LOG_TASK_START)
    result = {'activity_uuid': _hash('activity', task['task_id'], result_id)[:32], 'backup_type': task['backup_type'],
              'detail_path': '', 'job_action': JOB_BACKUP, 'result_id': result_id, 'status': RESULT_STATUS[outcome],
              'task_config': {'device_list': _device_list(state, task)}, 'task_id': task['task_id'],
              'task_name': task['task_name'], 'time_end': int(ended), 'time_start': int(started),
              'transfered_bytes': transferred}
    result.update(counts)
    state['results'].append(result)
    if outcome in VERSION_STATUS:
        state['versions'].append({
            'crypto_key_id': 0, 'data_format': 1, 'folder_name': _folder_name(started), 'is_snapshot': True,
            'locked': False, 'share_name': task['share_name'], 'status': VERSION_STATUS[outcome], 'task_id': task['task_id'],
            'task_name': task['task_name'], 'time_end': int(ended), 'time_start': int(started),
            'used_size': transferred, 'verify_status': 0, 'version_id': _next_id(state['versions'], 'version_id')})
        policy = task['retention_policy']
        if not policy.get('keep_all'):
            keep = int(policy.get('keep_versions') or 10)
            mine = [item for item in state['versions'] if item['task_id'] == task['task_id']]
            for old in sorted(mine, key=lambda item: item['version_id'])[:-keep]:
                state['versions'].remove(old)
    if outcome == 'success':
        _log(state, task, ended, LOG_INFO, LOG_TASK_FINISH, result_id)
    elif outcome == 'partial':
        for device in devices[:1]:
            _log(state, task, ended - 5, LOG_WARNING, LOG_TASK_WARNING, result_id, device, 0,
                 {'path': 'C:/Users/Public/locked.pst'})
        _log(state, task, ended, LOG_WARNING, LOG_TASK_WARNING, result_id)
    elif outcome == 'cancelled':
        _log(state, task, ended, LOG_WARNING, LOG_TASK_CANCEL, result_id)
    else:
        for device in devices:
            if device.get('agent_status') == 'offline':
                _log(state, task, ended - 2, LOG_WARNING, LOG_DEVICE_OFFLINE, result_id, device, 5001)
        _log(state, task, ended, LOG_ERROR, LOG_TASK_ERROR, result_id, devices[0] if devices else None, 1001)
    return result


def tick(state, now):
    """End the runs that are due."""
    for task in state.get('tasks', []):
        run = task['emu'].get('run')
        if run and now >= run['until']:
            task['emu']['run'] = None
            finish_run(state, task, run['started'], run['until'], run['outcome'], run['total_bytes'])


def progress(task, now):
    run = task['emu'].get('run')
    if not run:
        return None
    span = max(run['until'] - run['started'], 0.001)
    fraction = min(max((now - run['started']) / span, 0.0), 0.99)
    return {'running_task_status': 1, 'percentage': round(fraction, 4),
            'transfered_bytes': int(run['total_bytes'] * fraction), 'total_bytes': run['total_bytes'], 'pid': run['pid']}


# ---------------------------------------------------------------- the APIs

def _render_task(task):
    return dict((key, copy.deepcopy(value)) for key, value in task.items() if key not in TASK_INTERNAL)


def _page(items, offset, limit):
    if offset < 0:
        raise ValueError('offset')
    return items[offset:] if not limit or limit < 0 else items[offset:offset + limit]


class Jobs:
    """The ABB job APIs over one NAS's ``abb`` state.

    ``error`` is the emulator's ApiError class; ``knobs`` is the NAS's Faults (run_seconds).
    Each method takes Params and returns the answer's ``data``.
    """

    WRITES = {'SYNO.ActiveBackup.Task': ('backup', 'cancel'), 'SYNO.ActiveBackup.Setting': ('set',)}

    def __init__(self, data, knobs, error):
        self.batch_done = 0  # tasks started or cancelled by the last backup/cancel (a 1009 answer may carry some)
        self.data = data
        self.knobs = knobs
        self.error = error
        self.apis = {
            'SYNO.ActiveBackup.Task': {'list': self.task_list, 'backup': self.task_backup, 'cancel': self.task_cancel},
            'SYNO.ActiveBackup.Device': {'list': self.device_list},
            'SYNO.ActiveBackup.Version': {'list': self.version_list},
            'SYNO.ActiveBackup.Log': {'list_result': self.log_list_result, 'list_log': self.log_list_log},
            'SYNO.ActiveBackup.Setting': {'list': self.setting_list, 'set': self.setting_set},
            'SYNO.ActiveBackup.Overview': {},  # contract 13.3: get (and everything else here) answers 103
        }

    @property
    def state(self):
        return self.data.setdefault('abb', empty_jobs())

    # -- parameters
    def _bad(self, name, reason='type'):
        return self.error(120, {'name': name, 'reason': reason})

    def _json(self, params, name, kinds, default=None):
        if name not in params.values:
            return default
        raw = params.values[name]
        value = raw
        if not params.native:
            try:
                value = json.loads(raw)
            except ValueError:
                raise self._bad(name)
        if not isinstance(value, kinds) or isinstance(value, bool) and bool not in kinds:
            raise self._bad(name)
        return value

    def _filter(self, params):
        value = self._json(params, 'filter', (dict,), {})
        return value

    def _paging(self, params):
        offset = params.integer('offset', required=False) or 0
        limit = params.integer('limit', required=False) or 0
        if offset < 0:
            raise self._bad('offset', 'value')
        return offset, limit

    def _ids(self, params, name='task_ids'):
        value = self._json(params, name, (list, int))
        if value is None:
            raise self._bad(name, 'required')
        if isinstance(value, int):
            value = [value]
        if not value or not all(isinstance(item, int) and not isinstance(item, bool) for item in value):
            raise self._bad(name)
        return value

    @staticmethod
    def _ints(value, name, error):
        if value is None:
            return None
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(item, int) and not isinstance(item, bool) for item in values):
            raise error(120, {'name': 'filter.%s' % name, 'reason': 'type'})
        return values

    # -- lookups
    def task(self, task_id):
        for task in self.state['tasks']:
            if task['task_id'] == task_id:
                return task
        return None

    def find_task(self, key):
        """A task by id (int or digits) or name (control API)."""
        for task in self.state['tasks']:
            if task['task_name'] == key or str(task['task_id']) == str(key):
                return task
        raise ValueError('no task %r' % (key,))

    def find_device(self, key):
        for device in self.state['devices']:
            if device['host_name'] == key or str(device['device_id']) == str(key):
                return device
        raise ValueError('no device %r' % (key,))

    def _devices_of(self, task):
        return [device for device in self.state['devices'] if device['device_id'] in task['emu']['device_ids']]

    def last_result(self, task_id=None, device_id=None):
        best = None
        for result in self.state['results']:
            if task_id is not None and result['task_id'] != task_id:
                continue
            if device_id is not None and device_id not in [item['device_id'] for item in result['task_config']['device_list']]:
                continue
            if best is None or result['result_id'] > best['result_id']:
                best = result
        return copy.deepcopy(best)

    # -- SYNO.ActiveBackup.Task
    def task_list(self, params):
        now = time.time()
        want = dict((name, params.boolean(name, required=False) or False)
                    for name in ('load_status', 'load_result', 'load_devices', 'load_versions'))
        flt = self._filter(params)
        offset, limit = self._paging(params)
        tasks = list(self.state['tasks'])
        if flt.get('task_id') is not None:
            ids = self._ints(flt['task_id'], 'task_id', self.error)
            tasks = [task for task in tasks if task['task_id'] in ids]
        if flt.get('backup_type') is not None:
            kinds = self._ints(flt['backup_type'], 'backup_type', self.error)
            tasks = [task for task in tasks if task['backup_type'] in kinds]
        if flt.get('device_id') is not None:
            ids = self._ints(flt['device_id'], 'device_id', self.error)
            tasks = [task for task in tasks if set(ids) & set(task['emu']['device_ids'])]
        answer = []
        for task in _page(tasks, offset, limit):
            entry = _render_task(task)
            devices = self._devices_of(task)
            entry['device_count'] = len(devices)
            if want['load_devices']:
                entry['devices'] = copy.deepcopy(devices)
            if want['load_result']:
                entry['last_result'] = self.last_result(task['task_id'])  # [A] null when the task never ran
            if want['load_versions']:
                versions = self._versions(task['task_id'])
                entry['version_count'] = len(versions)
                entry['last_version_id'] = versions[0]['version_id'] if versions else 0
                entry['versions'] = versions
            running = progress(task, now)
            if running is not None:
                entry['progress'] = running
            answer.append(entry)
        devices = self.state['devices']
        platforms = set(device['platform_type'] for device in devices if device['backup_type'] in (2, 3))
        return {'has_devices': bool(devices), 'has_dsm_agent': any(device['backup_type'] == 5 for device in devices),
                'has_hyperv_inventories': False, 'has_linux_agent': 2 in platforms, 'has_mac_agent': 3 in platforms,
                'has_vmware_inventories': any(device['backup_type'] == 1 for device in devices),
                'has_windows_agent': 1 in platforms, 'tasks': answer, 'total': len(tasks)}

    def _check_start(self, task):
        if task is None:
            return 1010
        knobs = task['emu']
        if knobs['no_permission']:
            return 1011
        if knobs['run']:
            return 4007
        if knobs['conflict']:
            return 4005
        if knobs['backup_window']:
            return knobs['backup_window']
        if any(device.get('agent_status') == 'offline' for device in self._devices_of(task)):
            return 5001
        return 0

    def _batch(self, ids, check, act):
        errors = []
        done = 0
        for task_id in ids:
            task = self.task(task_id)
            code = check(task)
            if code:
                errors.append({'task_id': task_id, 'code': code})
            else:
                act(task)
                done += 1
                self.batch_done = done
        if errors:
            if len(ids) == 1:
                raise self.error(errors[0]['code'])
            raise self.error(1009, errors)  # [A] the failed task ids and their codes
        return done

    def task_backup(self, params):
        ids = self._ids(params)
        trigger = params.integer('trigger_type', required=False)
        if trigger is not None and trigger not in (0, 1, 2):
            raise self._bad('trigger_type', 'value')
        now = time.time()

        def act(task):
            seconds = task['emu']['run_seconds']
            if seconds is None:
                seconds = self.knobs.run_seconds
            start_run(self.state, task, now, now + seconds, task['emu']['outcome'] or 'success')
        self._batch(ids, self._check_start, act)
        return None

    def task_cancel(self, params):
        ids = self._ids(params)
        now = time.time()

        def act(task):
            run = task['emu']['run']
            if run is None:
                return  # [A] cancelling an idle task changes nothing
            task['emu']['run'] = None
            finish_run(self.state, task, run['started'], now, 'cancelled', run['total_bytes'])
        self._batch(ids, lambda task: 1010 if task is None else (1011 if task['emu']['no_permission'] else 0), act)
        return None

    # -- SYNO.ActiveBackup.Device
    def device_list(self, params):
        load_result = params.boolean('load_result', required=False) or False
        flt = self._filter(params)
        offset, limit = self._paging(params)
        devices = list(self.state['devices'])
        if flt.get('host_name') not in (None, ''):
            if not isinstance(flt['host_name'], str):
                raise self._bad('filter.host_name')
            devices = [device for device in devices if device['host_name'].lower() == flt['host_name'].lower()]
        of_type = 0
        if flt.get('backup_type') is not None:
            kinds = self._ints(flt['backup_type'], 'backup_type', self.error)
            devices = [device for device in devices if device['backup_type'] in kinds]
            of_type = sum(1 for device in self.state['devices'] if device['backup_type'] in kinds)
        answer = []
        for device in _page(devices, offset, limit):
            entry = copy.deepcopy(device)
            if load_result:
                entry['last_result'] = self.last_result(device_id=device['device_id'])
            answer.append(entry)
        return {'devices': answer, 'total': len(devices), 'total_devices_of_backup_type': of_type}

    # -- SYNO.ActiveBackup.Version
    def _versions(self, task_id):
        mine = [copy.deepcopy(item) for item in self.state['versions'] if item['task_id'] == task_id]
        return sorted(mine, key=lambda item: (item['time_end'], item['version_id']), reverse=True)

    def version_list(self, params):
        task_id = params.integer('task_id')
        offset, limit = self._paging(params)
        if self.task(task_id) is None:
            raise self.error(1010)
        versions = self._versions(task_id)
        return {'total': len(versions), 'versions': _page(versions, offset, limit)}

    # -- SYNO.ActiveBackup.Log
    def _task_id_param(self, params):
        task_id = params.integer('task_id', required=False)
        return None if task_id is None or task_id < 0 else task_id

    @staticmethod
    def _times(flt, error):
        bounds = []
        for name in ('from_timestamp', 'to_timestamp'):
            value = flt.get(name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise error(120, {'name': 'filter.%s' % name, 'reason': 'type'})
            bounds.append(value)
        return bounds

    def log_list_result(self, params):
        offset, limit = self._paging(params)
        task_id = self._task_id_param(params)
        flt = self._filter(params)
        low, high = self._times(flt, self.error)
        statuses = self._ints(flt.get('status'), 'status', self.error)
        kinds = self._ints(flt.get('backup_type'), 'backup_type', self.error)
        actions = self._ints(flt.get('job_action'), 'job_action', self.error)
        word = str(flt.get('key_word') or '').lower()
        results = []
        for result in self.state['results']:
            if task_id is not None and result['task_id'] != task_id:
                continue
            if statuses is not None and result['status'] not in statuses:
                continue
            if kinds is not None and result['backup_type'] not in kinds:
                continue
            if actions is not None and not any(result['job_action'] & action for action in actions):
                continue
            if low is not None and result['time_start'] < low or high is not None and result['time_start'] > high:
                continue
            names = [result['task_name']] + [item['host_name'] for item in result['task_config']['device_list']]
            if word and not any(word in name.lower() for name in names):
                continue
            results.append(result)
        results.sort(key=lambda item: (item['time_start'], item['result_id']), reverse=True)
        return {'count': len(results), 'results': copy.deepcopy(_page(results, offset, limit))}

    def log_list_log(self, params):
        offset, limit = self._paging(params)
        task_id = self._task_id_param(params)
        flt = self._filter(params)
        low, high = self._times(flt, self.error)
        levels = self._ints(flt.get('log_level'), 'log_level', self.error)
        devices = self._ints(flt.get('device_id'), 'device_id', self.error)
        word = str(flt.get('key_word') or '').lower()
        logs = []
        for log in self.state['logs']:
            if task_id is not None and log['task_id'] != task_id:
                continue
            if levels is not None and log['log_level'] not in levels:
                continue
            if devices is not None and log['device_id'] not in devices:
                continue
            if low is not None and log['log_time'] < low or high is not None and log['log_time'] > high:
                continue
            if word and not any(word in str(text).lower() for text in (log['task_name'], log['device_name'], log['user_name'])):
                continue
            logs.append(log)
        logs.sort(key=lambda item: (item['log_time'], item['log_id']), reverse=True)
        return {'count': len(logs), 'logs': copy.deepcopy(_page(logs, offset, limit))}

    # -- SYNO.ActiveBackup.Setting
    def setting_list(self, params):
        return {'cert_info': copy.deepcopy(self.state['cert_info']), 'settings': copy.deepcopy(self.state['settings'])}

    def setting_set(self, params):
        items = self._json(params, 'settings', (list,))
        if items is None:
            raise self._bad('settings', 'required')
        use_package = params.boolean('cert_use_package', required=False)
        known = dict((entry['name'], entry) for entry in self.state['settings'])
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get('name'), str) or 'value' not in item:
                raise self._bad('settings')
            if not isinstance(item['value'], str):
                raise self.error(120, {'name': 'settings', 'reason': 'type', 'setting': item['name']})
            if item['name'] not in known:
                raise self.error(120, {'name': 'settings', 'reason': 'unknown', 'setting': item['name']})  # [A]
        for item in items:
            known[item['name']]['value'] = item['value']
        if use_package is not None:
            self.state['cert_info']['cert_use_package'] = use_package
        return None

    # -- control API
    def summary(self):
        now = time.time()
        tasks = []
        for task in self.state['tasks']:
            last = self.last_result(task['task_id'])
            tasks.append({
                'task_id': task['task_id'], 'task_name': task['task_name'], 'backup_type': task['backup_type'],
                'share_name': task['share_name'], 'devices': [device['host_name'] for device in self._devices_of(task)],
                'running': task['emu']['run'] is not None, 'progress': progress(task, now),
                'last_status': last['status'] if last else None, 'last_result_id': last['result_id'] if last else None,
                'last_time_end': last['time_end'] if last else None,
                'results': sum(1 for item in self.state['results'] if item['task_id'] == task['task_id']),
                'versions': sum(1 for item in self.state['versions'] if item['task_id'] == task['task_id']),
                'knobs': dict((name, task['emu'][name]) for name in TASK_KNOBS),
            })
        return {
            'run_seconds': self.knobs.run_seconds, 'tasks': tasks,
            'running': [task['task_name'] for task in self.state['tasks'] if task['emu']['run']],
            'devices': [{'device_id': device['device_id'], 'host_name': device['host_name'],
                         'agent_status': device['agent_status'], 'backup_type': device['backup_type'],
                         'secrets': dict((name, device[name]) for name in SECRET_FIELDS if name in device)}
                        for device in self.state['devices']],
            'results_count': len(self.state['results']), 'versions_count': len(self.state['versions']),
            'logs_count': len(self.state['logs']),
            'settings': dict((entry['name'], entry['value']) for entry in self.state['settings']),
        }

    def control(self, body):
        """``POST /_emulator/jobs``: knobs per task and device, start/finish runs. Validates everything first."""
        if not isinstance(body, dict):
            raise ValueError('jobs body must be a JSON object')
        unknown = set(body) - {'run_seconds', 'tasks', 'devices', 'start', 'finish'}
        if unknown:
            raise ValueError('unknown jobs keys %s' % sorted(unknown))
        plan = []
        if 'run_seconds' in body:
            value = body['run_seconds']
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 86400:
                raise ValueError('run_seconds must be a number from 0 to 86400')
            plan.append(lambda: setattr(self.knobs, 'run_seconds', float(value)))
        for key, knobs in _object_items(body.get('tasks'), 'tasks'):
            task = self.find_task(key)
            changes = _task_knobs(knobs, key)
            plan.append(lambda task=task, changes=changes: task['emu'].update(changes))
        for key, knobs in _object_items(body.get('devices'), 'devices'):
            device = self.find_device(key)
            if not isinstance(knobs, dict) or set(knobs) - {'offline'} or not isinstance(knobs.get('offline'), bool):
                raise ValueError('devices.%s must be {"offline": true|false}' % key)
            status = 'offline' if knobs['offline'] else 'online'
            plan.append(lambda device=device, status=status: device.update(agent_status=status))
        now = time.time()
        for item in body.get('start') or []:
            item = item if isinstance(item, dict) else {'task': item}
            if set(item) - {'task', 'seconds', 'outcome', 'elapsed'}:
                raise ValueError('start entries are a task name/id or {"task", "seconds", "outcome", "elapsed"}')
            task = self.find_task(item.get('task'))
            if task['emu']['run']:
                raise ValueError('task %r is running already' % task['task_name'])
            outcome = item.get('outcome') or task['emu']['outcome'] or 'success'
            if outcome not in OUTCOMES:
                raise ValueError('outcome must be one of %s' % ', '.join(OUTCOMES))
            seconds = item.get('seconds', self.knobs.run_seconds)
            elapsed = item.get('elapsed', 0)
            for name, value in (('seconds', seconds), ('elapsed', elapsed)):
                if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                    raise ValueError('start %s must be a number >= 0' % name)
            plan.append(lambda task=task, seconds=seconds, outcome=outcome, elapsed=elapsed:
                        start_run(self.state, task, now - elapsed, now - elapsed + seconds, outcome))
        for key in body.get('finish') or []:
            task = self.find_task(key)

            def finish(task=task):
                if task['emu']['run']:
                    task['emu']['run']['until'] = now
            plan.append(finish)
        for step in plan:
            step()
        tick(self.state, now)
        return self.summary()


def _object_items(value, name):
    if value is None:
        return []
    if not isinstance(value, dict):
        raise ValueError('%s must be an object keyed by name or id' % name)
    return list(value.items())


def _task_knobs(knobs, key):
    if not isinstance(knobs, dict):
        raise ValueError('tasks.%s must be an object' % key)
    unknown = set(knobs) - set(TASK_KNOBS)
    if unknown:
        raise ValueError('tasks.%s has unknown knobs %s (known: %s)' % (key, sorted(unknown), ', '.join(TASK_KNOBS)))
    changes = {}
    for name, value in knobs.items():
        if name == 'outcome':
            if value is not None and value not in OUTCOMES:
                raise ValueError('outcome must be one of %s or null' % ', '.join(OUTCOMES))
            value = value or 'success'
        elif name == 'run_seconds':
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 86400):
                raise ValueError('run_seconds must be a number from 0 to 86400 or null')
        elif name == 'backup_window':
            if value is True:
                value = 1104
            if value not in (None, False) + WINDOW_CODES:
                raise ValueError('backup_window must be 1104, 1105, true or null')
            value = value or None
        elif not isinstance(value, bool):
            raise ValueError('%s must be true or false' % name)
        changes[name] = value
    return changes


def empty_jobs():
    return {'tasks': [], 'devices': [], 'results': [], 'versions': [], 'logs': [], 'settings': [],
            'cert_info': copy.deepcopy(CERT_INFO)}


def merge_jobs(target, value):
    """A state patch or replacement of ``abb``: lists replace; ``tasks``/``devices``/``settings`` may be
    objects keyed by task name, host name or setting name (fields merged, null deletes a task or device)."""
    if not isinstance(value, dict):
        raise ValueError('abb must be an object')
    unknown = set(value) - set(empty_jobs())
    if unknown:
        raise ValueError('unknown abb keys %s' % sorted(unknown))
    for key, item in value.items():
        if isinstance(item, list) or key == 'cert_info':
            target[key] = copy.deepcopy(item)
        elif isinstance(item, dict) and key in ('tasks', 'devices', 'settings'):
            field = {'tasks': 'task_name', 'devices': 'host_name', 'settings': 'name'}[key]
            for name, fields in item.items():
                matches = [entry for entry in target[key] if entry[field] == name]
                if not matches:
                    raise ValueError('abb.%s: no %r' % (key, name))
                if fields is None and key != 'settings':
                    target[key].remove(matches[0])
                elif key == 'settings':
                    if not isinstance(fields, str):
                        raise ValueError('abb.settings values must be strings')
                    matches[0]['value'] = fields
                elif isinstance(fields, dict):
                    _deep_update(matches[0], fields)
                else:
                    raise ValueError('abb.%s.%s must be an object or null' % (key, name))
        else:
            raise ValueError('abb.%s must be a list or an object' % key)
    return target
