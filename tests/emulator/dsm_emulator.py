# -*- coding: utf-8 -*-
# Copyright: contributors to syno.activebackup
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""DSM emulator for the syno.activebackup collection's tests.

One process serves one or more virtual NAS, each on its own loopback port, with its own
state, sessions, request log, counters and faults. Every NAS answers the wire contract of
the collection (SYNO.API.Info, SYNO.API.Auth, SYNO.ActiveBackup.Share, SYNO.Entry.Request,
and through ``abb_jobs.py`` SYNO.ActiveBackup.Task/Device/Version/Log/Setting and SYNO.DSM.Info)
and a control API under ``/_emulator/`` that only tests use. See README.md next to this file.

Python standard library only (``certs.py`` may use ``cryptography`` to make the test CA).
"""

from __future__ import annotations

import argparse
import base64
import collections
import copy
import hashlib
import hmac
import http.cookies
import importlib.util
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import struct
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import abb_jobs  # noqa: E402  (next to this file)

SCENARIO_DIR = os.path.join(HERE, 'scenarios')

API_INFO = 'SYNO.API.Info'
API_AUTH = 'SYNO.API.Auth'
API_ABB = 'SYNO.ActiveBackup.Share'
API_ENTRY = 'SYNO.Entry.Request'
API_DSM_INFO = 'SYNO.DSM.Info'
# contract 9: the job APIs answer version 1; Info advertises 1-2 and version 2 answers 103 (see _invoke)
JOB_APIS = ('SYNO.ActiveBackup.Task', 'SYNO.ActiveBackup.Device', 'SYNO.ActiveBackup.Version',
            'SYNO.ActiveBackup.Log', 'SYNO.ActiveBackup.Setting', 'SYNO.ActiveBackup.Overview')
JOB_MAX_VERSION = 2
CGI_FILES = ('entry.cgi', 'query.cgi', 'auth.cgi')

JSON_TYPE = 'application/json; charset="UTF-8"'
HTML_TYPE = 'text/html'
MAX_BODY = 4 * 1024 * 1024
MAX_LOG = 20000
MAX_COMPOUND = 64
MAX_PATHS = 1000
LOOPBACK = ('127.0.0.1', '::1')

OTP_SECRET = 'JBSWY3DPEHPK3PXP'
OTP_STEP = 30

User = collections.namedtuple('User', 'name password otp_secret abb_allowed disabled must_enrol')
USERS = {user.name: user for user in (
    User('admin', 'Adm1n-Secret!', None, True, False, False),
    User('otpadmin', '0tp-Secret!', OTP_SECRET, True, False, False),
    User('viewer', 'V1ewer-Secret!', None, False, False, False),
    User('enrol', 'Enr0l-Secret!', None, True, False, True),
    User('disabled', 'D1sabled-Secret!', None, True, True, False),
)}

SHARE_FIELDS = (
    'acl_permission', 'available', 'compress', 'cow', 'delegated', 'free_space', 'name',
    'not_support_new_vesion', 'path', 'readonly', 'relinkable', 'share_type', 'storage_automount',
    'storage_compress_algorithm', 'storage_encrypt_algorithm', 'storage_id', 'storage_mounted', 'type',
    'volume_no_space',
)
STORAGE_FIELDS = (
    'automount_iv', 'automount_location', 'backup_tasks', 'compacting', 'compacting_percentage',
    'compressed_size', 'dedup_size', 'delete_tasks', 'delete_versions', 'device_count', 'device_info',
    'fs_name', 'fs_type', 'mounted', 'relink_state', 'repo_dir', 'share_name', 'share_type',
    'storage_compress_algorithm', 'storage_encrypt_algorithm', 'storage_id', 'vol_name', 'volume_path',
)
VOLUME_FIELDS = ('total_bytes', 'used_bytes', 'volume_path')
DEVICE_KINDS = ('agentless', 'dsm', 'pc', 'server', 'vm')

# Values for fields a scenario or a state patch leaves out. ``encrypted`` and ``mounted``
# (shares), ``vol_name`` (volumes) and ``relink_job`` (storages) are internal: the API
# answers only the fields listed above.
SHARE_DEFAULTS = {
    'acl_permission': True, 'available': True, 'compress': False, 'cow': False, 'delegated': False,
    'free_space': 0, 'name': '', 'not_support_new_vesion': False, 'path': '', 'readonly': False,
    'relinkable': False, 'share_type': '', 'storage_automount': True, 'storage_compress_algorithm': 0,
    'storage_encrypt_algorithm': 0, 'storage_id': 0, 'storage_mounted': True, 'type': 'btrfs',
    'volume_no_space': False, 'encrypted': False, 'mounted': True,
}
STORAGE_DEFAULTS = {
    'automount_iv': '', 'automount_location': '', 'backup_tasks': [], 'compacting': False,
    'compacting_percentage': 0, 'compressed_size': 0, 'dedup_size': 0, 'delete_tasks': [],
    'delete_versions': [], 'device_count': 0,
    'device_info': dict(('%s_%s' % (kind, unit), 0) for kind in DEVICE_KINDS for unit in ('count', 'size')),
    'fs_name': 'btrfs', 'fs_type': 3, 'mounted': True,
    'relink_state': {'alive': False, 'error': {'code': 0}, 'owner': True, 'state': 0},
    'repo_dir': '@ActiveBackup', 'share_name': '', 'share_type': '', 'storage_compress_algorithm': 0,
    'storage_encrypt_algorithm': 0, 'storage_id': 0, 'vol_name': '', 'volume_path': '',
}
VOLUME_DEFAULTS = {'volume_path': '', 'vol_name': '', 'total_bytes': '0', 'used_bytes': '0'}
FS_TYPES = {'ext4': 1, 'btrfs': 3}  # [A] numbering of fs_type other than btrfs (3, from the seed)
KEYED_LISTS = {
    'shares': ('name', SHARE_DEFAULTS),
    'storages': ('share_name', STORAGE_DEFAULTS),
    'volumes': ('volume_path', VOLUME_DEFAULTS),
}

HTTP_FAULT_KINDS = ('502_html', '503_html', '200_html', 'reset', 'reset_midway', 'truncated_json', 'no_success',
                    'wrong_content_type', 'empty')
SESSION_EXPIRY_CODES = (106, 107, 119)
REDACTED_FIELDS = ('passwd', 'otp_code', 'device_id', '_sid', 'SynoToken')


class ApiError(Exception):
    """A DSM error answer: ``{"success": false, "error": {"code": N, "errors": ...}}``."""

    def __init__(self, code, errors=None):
        super().__init__(code)
        self.code = code
        self.errors = errors

    def envelope(self):
        error = {'code': self.code}
        if self.errors is not None:
            error['errors'] = self.errors
        return {'success': False, 'error': error}


def refuse(reason):
    """An ABB refusal (contract 6.8, 6.9): error 100 with the reason."""
    return ApiError(100, {'reason': reason})


# ---------------------------------------------------------------- TOTP (RFC 6238)

def hotp(secret_b32, counter, digits=6):
    """RFC 4226 HOTP value of a base32 secret, SHA1, as a zero-padded string."""
    padded = secret_b32.upper().replace(' ', '')
    padded += '=' * (-len(padded) % 8)
    key = base64.b32decode(padded)
    digest = hmac.new(key, struct.pack('>Q', counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(value % (10 ** digits)).zfill(digits)


def totp(secret_b32, at=None, step=OTP_STEP, digits=6):
    """RFC 6238 TOTP code for time ``at`` (default now)."""
    moment = time.time() if at is None else at
    return hotp(secret_b32, int(moment // step), digits)


# ---------------------------------------------------------------- parameters

_MISSING = object()


class Params:
    """Parameters of one call.

    Form values are JSON text (contract section 2); ``native`` values come from a compound
    element and are JSON values already. In strict mode a string parameter must be
    JSON-quoted, ``paths`` a JSON array and a boolean a JSON boolean.
    """

    def __init__(self, values, strict=False, native=False):
        self.values = values
        self.strict = strict
        self.native = native

    def _decoded(self, name, required):
        if name not in self.values:
            if required:
                raise ApiError(120, {'name': name, 'reason': 'required'})
            return _MISSING, False
        raw = self.values[name]
        if self.native:
            return raw, True
        try:
            return json.loads(raw), True
        except ValueError:
            return raw, False

    def _bad(self, name):
        return ApiError(120, {'name': name, 'reason': 'type'})

    def string(self, name, required=True):
        value, is_json = self._decoded(name, required)
        if value is _MISSING:
            return None
        if isinstance(value, str) and is_json:
            return value
        if self.strict:
            raise self._bad(name)
        return str(value) if self.native else self.values[name]

    def boolean(self, name, required=True):
        value, dummy = self._decoded(name, required)
        if value is _MISSING:
            return None
        if isinstance(value, bool):
            return value
        if not self.strict and isinstance(value, (str, int)):
            text = str(value).strip().lower()
            if text in ('true', 'yes', '1'):
                return True
            if text in ('false', 'no', '0'):
                return False
        raise self._bad(name)

    def integer(self, name, required=True):
        value, dummy = self._decoded(name, required)
        if value is _MISSING:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if not self.strict and isinstance(value, str) and re.fullmatch(r'-?[0-9]+', value.strip()):
            return int(value)
        raise self._bad(name)

    def path_list(self, name):
        value, is_json = self._decoded(name, True)
        if isinstance(value, list):
            if all(isinstance(item, str) for item in value):
                return value
            raise self._bad(name)
        if self.strict or not isinstance(value, str):
            raise self._bad(name)
        return [value if is_json else self.values[name]]

    def json_list(self, name):
        value, is_json = self._decoded(name, True)
        if not is_json or not isinstance(value, list):
            raise self._bad(name)
        return value

    def text(self, name, default=None):
        """A login parameter: bare text, or JSON-quoted text decoded."""
        if name not in self.values:
            return default
        raw = self.values[name]
        if not isinstance(raw, str):
            return str(raw)
        if len(raw) >= 2 and raw[0] == '"' and raw[-1] == '"':
            try:
                decoded = json.loads(raw)
            except ValueError:
                return raw
            if isinstance(decoded, str):
                return decoded
        return raw


def is_yes(value):
    return str(value).strip().lower() in ('yes', 'true', '1', 'on')


# ---------------------------------------------------------------- state

def _deep_merge(target, source):
    for key, value in source.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _deep_merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)
    return target


def normalize_record(kind, record):
    """A share, storage or volume record with every field present."""
    if not isinstance(record, dict):
        raise ValueError('%s entries must be objects' % kind)
    key, defaults = KEYED_LISTS[kind]
    merged = _deep_merge(copy.deepcopy(defaults), record)
    if not isinstance(merged.get(key), str) or not merged[key]:
        raise ValueError('%s entries need a non-empty %r' % (kind, key))
    return merged


def _object(value, name):
    if not isinstance(value, dict):
        raise ValueError('%s must be a JSON object' % name)
    return value


def empty_state():
    return {'default_share': '', 'volumes': [], 'shares': [], 'storages': [], 'files': {}, 'error_files': [],
            'abb': abb_jobs.empty_jobs(), 'dsm': {}}


def _check_files(files):
    if not isinstance(files, dict):
        raise ValueError('files must be an object of path: "dir" | "file" | null')
    for path, kind in files.items():
        if not isinstance(path, str) or not path.startswith('/') or kind not in ('dir', 'file', None):
            raise ValueError('bad files entry %r: %r' % (path, kind))


def merge_state(target, source):
    """Merge a scenario or a state patch into target (keyed lists replace by key, files update)."""
    for name, value in source.items():
        if name in ('description', 'extends'):
            continue
        if name == 'default_share':
            if not isinstance(value, str):
                raise ValueError('default_share must be a string')
            target[name] = value
        elif name in KEYED_LISTS:
            _merge_keyed(target, name, value)
        elif name == 'files':
            _check_files(value)
            _merge_files(target['files'], value)
        elif name == 'error_files':
            if not isinstance(value, list):
                raise ValueError('error_files must be a list')
            target[name] = copy.deepcopy(value)
        elif name == 'abb_jobs':
            # a scenario's job spec; Nas turns it into ``abb`` for its name (abb_jobs.build_jobs)
            abb_jobs.merge_spec(target.setdefault('abb_jobs', {}), value)
        elif name == 'abb':
            abb_jobs.merge_jobs(target.setdefault('abb', abb_jobs.empty_jobs()), value)
        elif name == 'dsm':
            target['dsm'] = _deep_merge(target.get('dsm') or {}, _object(value, 'dsm'))
        else:
            raise ValueError('unknown state key %r' % name)
    return target


def _merge_keyed(target, kind, value):
    key = KEYED_LISTS[kind][0]
    if isinstance(value, list):
        # a list adds or replaces records by key (scenario files)
        for record in value:
            record = normalize_record(kind, record)
            keys = [item[key] for item in target[kind]]
            if record[key] in keys:
                target[kind][keys.index(record[key])] = record
            else:
                target[kind].append(record)
    elif isinstance(value, dict):
        # an object patches records by key; null removes one (control API)
        for name, fields in value.items():
            current = [item for item in target[kind] if item[key] == name]
            rest = [item for item in target[kind] if item[key] != name]
            if fields is None:
                target[kind] = rest
            elif not isinstance(fields, dict):
                raise ValueError('%s.%s must be an object or null' % (kind, name))
            elif current:
                _deep_merge(current[0], fields)
            else:
                target[kind].append(normalize_record(kind, dict(fields, **{key: name})))
    else:
        raise ValueError('%s must be a list or an object' % kind)


def _merge_files(files, changes):
    for path, kind in changes.items():
        path = '/' + '/'.join(part for part in path.split('/') if part)
        if kind is None:
            for existing in [p for p in files if p == path or p.startswith(path + '/')]:
                del files[existing]
        else:
            files[path] = kind


def load_scenario(name, directory=SCENARIO_DIR, _seen=()):
    """State of a named scenario (``scenarios/<name>.json``, with ``extends``)."""
    if not re.fullmatch(r'[A-Za-z0-9_-]+', name or ''):
        raise ValueError('bad scenario name %r' % (name,))
    if name in _seen or len(_seen) > 10:
        raise ValueError('scenario %r extends itself' % name)
    path = os.path.join(directory, name + '.json')
    if not os.path.isfile(path):
        raise ValueError('no scenario %r (looked for %s)' % (name, path))
    with open(path, encoding='utf-8') as handle:
        spec = json.load(handle)
    state = empty_state()
    for parent in spec.get('extends', []):
        merge_state(state, load_scenario(parent, directory, _seen + (name,)))
    return merge_state(state, spec)


def scenario_names(directory=SCENARIO_DIR):
    return sorted(name[:-5] for name in os.listdir(directory) if name.endswith('.json'))


def render(record, fields):
    return dict((field, copy.deepcopy(record[field])) for field in fields if field in record)


def split_path(path):
    """Segments of an absolute path; 408 for a relative path or a ``.``/``..`` segment."""
    if not isinstance(path, str) or not path.startswith('/'):
        raise ApiError(408)
    parts = [part for part in path.split('/') if part]
    if any(part in ('.', '..') for part in parts):
        raise ApiError(408)
    return parts


def join_path(parts):
    return '/' + '/'.join(parts)


def relink_running(storage):
    return bool(storage['relink_state'].get('alive'))


def relink_failed(storage):
    state = storage['relink_state']
    return state.get('owner') is False and (state.get('error') or {}).get('code', 0) != 0


def is_linked(storage):
    """Contract 6.10: a storage entry that is neither running a relink nor failed one."""
    return not relink_running(storage) and not relink_failed(storage)


class ActiveBackup:
    """SYNO.ActiveBackup.Share over one NAS's state (a dict as in the scenario files)."""

    WRITES = ('create_fs_dir', 'relink', 'remove')

    def __init__(self, data, settings):
        self.data = data
        self.settings = settings  # the NAS's Faults: relink_seconds, relink_fail
        self.methods = {
            'list': self.list_shares, 'list_encrypted': self.list_encrypted,
            'list_storage': self.list_storage, 'list_volume': self.list_volume,
            'check_file': self.check_file, 'list_file': self.list_file,
            'create_fs_dir': self.create_fs_dir, 'relink': self.relink, 'remove': self.remove,
        }

    # -- lookups
    def share(self, name):
        for share in self.data['shares']:
            if share['name'] == name:
                return share
        return None

    def storage(self, share_name):
        for storage in self.data['storages']:
            if storage['share_name'] == share_name:
                return storage
        return None

    def share_for(self, parts):
        """The share a path is in (mounted shares only); 408 when none."""
        if len(parts) >= 2:
            root = join_path(parts[:2])
            for share in self.data['shares']:
                if share['path'] == root and (not share['encrypted'] or share['mounted']):
                    return share
        raise ApiError(408)

    def kind(self, path):
        if any(share['path'] == path for share in self.data['shares']):
            return 'dir'
        return self.data['files'].get(path)

    # -- background relinks
    def tick(self, now):
        for storage in self.data['storages']:
            job = storage.get('relink_job')
            if not job or now < job['until']:
                continue
            del storage['relink_job']
            if job.get('fail_code'):
                storage['relink_state'] = {'alive': False, 'error': {'code': job['fail_code']}, 'owner': False, 'state': 0}
                continue
            storage['relink_state'] = {'alive': False, 'error': {'code': 0}, 'owner': True, 'state': 0}
            share = self.share(storage['share_name'])
            if share is not None:
                share['relinkable'] = False
                share['storage_id'] = storage['storage_id']
            if not self.data['default_share']:
                self.data['default_share'] = storage['share_name']

    # -- reads
    def list_shares(self, params):
        shares = [render(share, SHARE_FIELDS) for share in self.data['shares']
                  if not share['encrypted'] or share['mounted']]
        return {'default_share': self.data['default_share'], 'shares': shares}

    def list_encrypted(self, params):
        return {'shares': [render(share, SHARE_FIELDS) for share in self.data['shares'] if share['encrypted']]}

    def list_storage(self, params):
        return {'storages': [render(storage, STORAGE_FIELDS) for storage in self.data['storages']]}

    def list_volume(self, params):
        volumes = []
        for volume in self.data['volumes']:
            entry = render(volume, VOLUME_FIELDS)
            entry['total_bytes'] = str(entry['total_bytes'])
            entry['used_bytes'] = str(entry['used_bytes'])
            volumes.append(entry)
        return {'volumes': volumes}

    def check_file(self, params):
        return {'error_files': copy.deepcopy(self.data['error_files'])}

    def list_file(self, params):
        parts = split_path(params.string('root_path'))
        self.share_for(parts)
        root = join_path(parts)
        if self.kind(root) != 'dir':
            raise ApiError(408)
        prefix = root + '/'
        files = self.data['files']
        children = sorted(path for path in files if path.startswith(prefix) and '/' not in path[len(prefix):])
        entries = [{'name': path[len(prefix):], 'path': path, 'isdir': files[path] == 'dir'} for path in children]
        return {'files': entries, 'total': len(entries)}

    # -- writes
    def create_fs_dir(self, params):
        paths = params.path_list('paths')
        if len(paths) > MAX_PATHS:
            raise ApiError(120, {'name': 'paths', 'reason': 'too many'})
        planned = []
        for path in paths:
            parts = split_path(path)
            self.share_for(parts)
            for depth in range(3, len(parts) + 1):
                current = join_path(parts[:depth])
                kind = self.data['files'].get(current)
                if kind == 'file':
                    raise ApiError(408)
                if kind is None and current not in planned:
                    planned.append(current)
        for path in planned:  # atomic: nothing is created unless every path is valid
            self.data['files'][path] = 'dir'
        return None

    def _next_storage_id(self):
        ids = [item['storage_id'] for item in self.data['storages'] + self.data['shares']]
        return max([0] + ids) + 1

    def _new_storage(self, share, storage_id):
        volume_path = '/' + share['path'].split('/')[1]
        vol_name = 'Volume %s' % volume_path[len('/volume'):]
        for volume in self.data['volumes']:
            if volume['volume_path'] == volume_path and volume.get('vol_name'):
                vol_name = volume['vol_name']
        return normalize_record('storages', {
            'share_name': share['name'], 'share_type': share['share_type'], 'storage_id': storage_id,
            'fs_name': share['type'], 'fs_type': FS_TYPES.get(share['type'], 3),
            'volume_path': volume_path, 'vol_name': vol_name,
            'storage_compress_algorithm': share['storage_compress_algorithm'],
            'storage_encrypt_algorithm': share['storage_encrypt_algorithm'],
        })

    def relink(self, params):
        name = params.string('share_name')
        share = self.share(name)
        if share is None:
            raise refuse('no_such_share')
        storage = self.storage(name)
        if storage is not None and relink_running(storage):
            raise refuse('relink_in_progress')
        if storage is not None and is_linked(storage):
            raise refuse('already_linked')
        if not share['relinkable']:
            raise refuse('not_relinkable')
        new = self._new_storage(share, storage['storage_id'] if storage else self._next_storage_id())
        # [A] while running, relink_state carries no error member
        new['relink_state'] = {'alive': True, 'owner': True, 'state': 1}
        new['relink_job'] = {'until': time.time() + self.settings.relink_seconds,
                             'fail_code': self.settings.take_relink_failure(name)}
        if storage is None:
            self.data['storages'].append(new)
        else:
            self.data['storages'][self.data['storages'].index(storage)] = new
        return None

    def remove(self, params):
        name = params.string('share_name')
        remove_data = params.boolean('is_remove_data')
        storage_id = params.integer('storage_id', required=False)
        share = self.share(name)
        if share is None:
            raise refuse('no_such_share')
        storage = self.storage(name)
        if storage is None:
            raise refuse('not_a_storage')
        if storage_id is not None and storage_id != storage['storage_id']:
            raise ApiError(120, {'name': 'storage_id', 'reason': 'mismatch'})
        if relink_running(storage):
            raise refuse('relink_in_progress')
        if storage['backup_tasks']:
            raise refuse('storage_in_use')
        self.data['storages'].remove(storage)
        share['storage_id'] = 0
        repo = share['path'] + '/' + (storage.get('repo_dir') or '@ActiveBackup')
        if remove_data:
            _merge_files(self.data['files'], {repo: None})
            share['relinkable'] = False
        else:
            self.data['files'][repo] = 'dir'
            share['relinkable'] = True
        if self.data['default_share'] == name:
            # [A] the default moves to the first storage still linked, else ''
            linked = [item['share_name'] for item in self.data['storages'] if is_linked(item)]
            self.data['default_share'] = linked[0] if linked else ''
        return None


# ---------------------------------------------------------------- faults

def _number(value, name, low, high):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ValueError('%s must be a number from %s to %s' % (name, low, high))
    return value


def _flag(value, name):
    if not isinstance(value, bool):
        raise ValueError('%s must be true or false' % name)
    return value


def parse_autoblock(value):
    """``ATTEMPTS:WITHIN:BLOCK`` (or an object with those keys) into a tuple of numbers."""
    if isinstance(value, dict):
        parts = [value.get('attempts'), value.get('within'), value.get('block')]
    else:
        parts = str(value).split(':')
    if len(parts) != 3:
        raise ValueError('autoblock is ATTEMPTS:WITHIN:BLOCK, e.g. 5:60:300')
    try:
        attempts, within, block = int(parts[0]), float(parts[1]), float(parts[2])
    except (TypeError, ValueError):
        raise ValueError('autoblock is ATTEMPTS:WITHIN:BLOCK, e.g. 5:60:300')
    if attempts < 1 or within <= 0 or block < 0:
        raise ValueError('autoblock needs ATTEMPTS >= 1, WITHIN > 0, BLOCK >= 0')
    return attempts, within, block


def _entry(raw, name, extra):
    """Validate one queue/http/delay entry: count, api, method and the kind's own keys."""
    if not isinstance(raw, dict):
        raise ValueError('%s entries must be objects' % name)
    unknown = set(raw) - set(('count', 'api', 'method')) - set(extra)
    if unknown:
        raise ValueError('%s entry has unknown keys %s' % (name, sorted(unknown)))
    entry = {'count': raw.get('count', 1), 'api': raw.get('api'), 'method': raw.get('method')}
    if isinstance(entry['count'], bool) or not isinstance(entry['count'], int) or entry['count'] < 1:
        raise ValueError('%s count must be an integer >= 1' % name)
    for key in ('api', 'method'):
        if entry[key] is not None and not isinstance(entry[key], str):
            raise ValueError('%s %s must be a string' % (name, key))
    for key, check in extra.items():
        entry[key] = check(raw.get(key))
    return entry


def _queue_code(value):
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError('queue entries need an integer code')
    return value


def _queue_errors(value):
    if value is not None and not isinstance(value, dict):
        raise ValueError('queue errors must be an object')
    return value


def _http_kind(value):
    if value not in HTTP_FAULT_KINDS:
        raise ValueError('http kind must be one of %s' % ', '.join(HTTP_FAULT_KINDS))
    return value


def _delay_seconds(value):
    return _number(value, 'delay seconds', 0, 120)


ENTRY_KEYS = {
    'queue': {'code': _queue_code, 'errors': _queue_errors},
    'http': {'kind': _http_kind, 'after_apply': lambda value: _flag(bool(value) if value is None else value, 'after_apply')},
    'delay': {'seconds': _delay_seconds},
}


class Faults:
    """Fault knobs of one NAS (see README). ``reset()`` returns to the command line's settings."""

    FLAGS = ('strict', 'require_synotoken', 'dsm6', 'compound_unsupported', 'abb_missing')

    def __init__(self, defaults):
        self.defaults = defaults
        self.reset()

    def reset(self):
        self.latency_ms = self.defaults['latency_ms']
        self.relink_seconds = self.defaults['relink_seconds']
        self.run_seconds = self.defaults.get('run_seconds', 2.0)
        self.autoblock = self.defaults['autoblock']
        for name in self.FLAGS:
            setattr(self, name, bool(self.defaults.get(name, False)))
        self.relink_fail = None
        self.session_ip_mismatch = 0
        self.lists = {'queue': [], 'http': [], 'delay': []}

    def apply(self, knobs):
        """Validate and apply knobs; returns the actions the NAS must take (expire, rotate)."""
        if not isinstance(knobs, dict):
            raise ValueError('faults must be a JSON object')
        actions = {}
        if knobs.get('clear'):
            self.reset()
        for name, value in knobs.items():
            if name == 'clear':
                continue
            if name in self.FLAGS:
                setattr(self, name, _flag(value, name))
            elif name == 'latency_ms':
                self.latency_ms = _number(value, name, 0, 60000)
            elif name == 'relink_seconds':
                self.relink_seconds = _number(value, name, 0, 3600)
            elif name == 'run_seconds':
                self.run_seconds = _number(value, name, 0, 86400)
            elif name == 'autoblock':
                self.autoblock = parse_autoblock(value)
                actions['autoblock'] = self.autoblock
            elif name == 'relink_fail':
                self.relink_fail = self._relink_fail(value)
            elif name == 'session_ip_mismatch':
                self.session_ip_mismatch = int(_number(value, name, 0, 1000))
            elif name == 'expire_sessions':
                if value not in SESSION_EXPIRY_CODES:
                    raise ValueError('expire_sessions must be one of %s' % (SESSION_EXPIRY_CODES,))
                actions['expire_sessions'] = value
            elif name == 'rotate_certificate':
                actions['rotate_certificate'] = _flag(value, name)
            elif name in ENTRY_KEYS:
                if not isinstance(value, list):
                    raise ValueError('%s must be a list' % name)
                self.lists[name].extend(_entry(item, name, ENTRY_KEYS[name]) for item in value)
            else:
                raise ValueError('unknown fault knob %r' % name)
        return actions

    @staticmethod
    def _relink_fail(value):
        if value is None:
            return None
        if not isinstance(value, dict) or set(value) - set(('share_name', 'code', 'count')):
            raise ValueError('relink_fail is null or {"share_name": ..., "code": N, "count": N}')
        code = value.get('code', 4401)
        if isinstance(code, bool) or not isinstance(code, int) or code == 0:
            raise ValueError('relink_fail code must be a non-zero integer')
        count = value.get('count')
        if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
            raise ValueError('relink_fail count must be an integer >= 1')
        return {'share_name': value.get('share_name'), 'code': code, 'count': count}

    def take_relink_failure(self, share_name):
        fail = self.relink_fail
        if fail is None or fail['share_name'] not in (None, share_name):
            return None
        if fail['count'] is not None:
            fail['count'] -= 1
            if fail['count'] <= 0:
                self.relink_fail = None
        return fail['code']

    def take(self, kind, calls):
        """Consume and return the first entry of list ``kind`` matching any (api, method) in calls."""
        for entry in self.lists[kind]:
            if any(entry['api'] in (None, api) and entry['method'] in (None, method) for api, method in calls):
                entry['count'] -= 1
                if entry['count'] <= 0:
                    self.lists[kind].remove(entry)
                return entry
        return None

    def snapshot(self):
        return {
            'latency_ms': self.latency_ms, 'relink_seconds': self.relink_seconds, 'run_seconds': self.run_seconds,
            'autoblock': {'attempts': self.autoblock[0], 'within': self.autoblock[1], 'block': self.autoblock[2]},
            'relink_fail': copy.deepcopy(self.relink_fail), 'session_ip_mismatch': self.session_ip_mismatch,
            'queue': copy.deepcopy(self.lists['queue']), 'http': copy.deepcopy(self.lists['http']),
            'delay': copy.deepcopy(self.lists['delay']),
            **dict((name, getattr(self, name)) for name in self.FLAGS)
        }


class AutoBlock:
    """DSM Auto Block: failed logins per client address; past the limit, 407 for a while."""

    def __init__(self, settings):
        self.attempts, self.within, self.block = settings
        self.failures = {}
        self.blocked = {}

    def configure(self, settings):
        self.attempts, self.within, self.block = settings

    def is_blocked(self, client, now):
        until = self.blocked.get(client)
        if until is None:
            return False
        if now < until:
            return True
        del self.blocked[client]
        return False

    def failed(self, client, now):
        recent = [moment for moment in self.failures.get(client, []) if now - moment < self.within]
        recent.append(now)
        if len(recent) >= self.attempts:
            self.blocked[client] = now + self.block
            recent = []
        self.failures[client] = recent

    def snapshot(self, now):
        return dict((client, round(until - now, 3)) for client, until in self.blocked.items() if until > now)


# ---------------------------------------------------------------- HTTP answers

class Response:
    def __init__(self, status=200, body=b'', content_type=JSON_TYPE, headers=(), reset=False, cut_at=None):
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = list(headers)
        self.reset = reset
        # with cut_at: headers (the whole body's Content-Length) and body[:cut_at] go out, then a TCP reset
        self.cut_at = cut_at


def json_response(obj, status=200, headers=()):
    return Response(status, json.dumps(obj).encode('utf-8'), JSON_TYPE, headers)


def html_response(status, title):
    body = ('<html>\r\n<head><title>%s</title></head>\r\n<body>\r\n<center><h1>%s</h1></center>\r\n'
            '<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n' % (title, title))
    return Response(status, body.encode('utf-8'), HTML_TYPE)


def fault_response(kind, envelope):
    """The answer of an ``http`` fault; envelope is the real answer (or None when not applied)."""
    real = envelope if envelope is not None else {'success': True, 'data': {}}
    if kind == '502_html':
        return html_response(502, '502 Bad Gateway')
    if kind == '503_html':
        return html_response(503, '503 Service Temporarily Unavailable')
    if kind == '200_html':
        return html_response(200, 'Synology DiskStation')
    if kind == 'reset':
        return Response(reset=True)
    if kind == 'reset_midway':
        text = json.dumps(real).encode('utf-8')
        return Response(200, text, cut_at=max(1, len(text) // 2))
    if kind == 'truncated_json':
        text = json.dumps(real).encode('utf-8')
        return Response(200, text[:max(1, len(text) // 2)])
    if kind == 'no_success':
        return json_response({'data': real.get('data', {})})
    if kind == 'wrong_content_type':
        return Response(200, json.dumps(real).encode('utf-8'), HTML_TYPE)
    return Response(200, b'')


def cookie_header(name, value, max_age=604800):
    return ('Set-Cookie', '%s=%s; Max-Age=%d; Path=/; HttpOnly' % (name, value, max_age))


def redact(fields):
    shown = {}
    for name, value in fields.items():
        if name in REDACTED_FIELDS and value:
            quoted = len(value) >= 2 and value[0] == '"' and value[-1] == '"'
            value = '"<redacted>"' if quoted else '<redacted>'
        shown[name] = value
    return shown


def inner_calls(fields):
    """(api, method) of every element of a ``compound`` field, best effort."""
    try:
        items = json.loads(fields.get('compound', '[]'))
    except ValueError:
        return []
    if not isinstance(items, list):
        return []
    return [(item.get('api'), item.get('method')) for item in items if isinstance(item, dict)]


class HttpRequest:
    def __init__(self, method, raw_url, headers, body, client):
        self.method = method
        self.raw_url = raw_url
        self.url = urllib.parse.urlsplit(raw_url)
        self.headers = headers
        self.body = body
        self.client = client

    def fields(self):
        """Form fields: URL query first, then the body (which wins); names from the URL."""
        url_pairs = urllib.parse.parse_qsl(self.url.query, keep_blank_values=True)
        body_pairs = urllib.parse.parse_qsl(self.body.decode('utf-8', 'replace'), keep_blank_values=True)
        fields = {}
        for name, value in url_pairs:
            fields.setdefault(name, value)
        body_fields = {}
        for name, value in body_pairs:
            body_fields.setdefault(name, value)
        fields.update(body_fields)
        return fields, sorted(set(name for name, dummy in url_pairs))

    def cookie(self, name):
        jar = http.cookies.SimpleCookie()
        try:
            jar.load(self.headers.get('Cookie', ''))
        except http.cookies.CookieError:
            return None
        morsel = jar.get(name)
        return morsel.value if morsel is not None else None


class Session:
    def __init__(self, number, account, client, synotoken):
        self.number = number
        self.account = account
        self.client = client
        self.synotoken = synotoken
        self.expire_code = None


class CallContext:
    """What one WebAPI request carries about the caller."""

    def __init__(self, request, cgi, fields):
        self.client = request.client
        self.cgi = cgi
        self.fields = fields
        self.api = fields.get('api')
        self.method = fields.get('method')
        self.version = fields.get('version')
        self.sid_field = fields.get('_sid') or None
        self.sid_cookie = request.cookie('id') or None
        self.sid = self.sid_field or self.sid_cookie
        self.token_header = request.headers.get('X-SYNO-TOKEN')
        self.synotoken = self.token_header or fields.get('SynoToken')
        self.session = None
        self.account = None
        self.set_headers = []
        self.wrote = False


# ---------------------------------------------------------------- one virtual NAS

def fresh_counters():
    return {'requests': 0, 'logins': 0, 'failed_logins': 0, 'logouts': 0, 'info_queries': 0,
            'calls': {}, 'writes': 0, 'writes_by_method': {}, 'writes_by_call': {}, 'http_methods': {},
            'http_faults': 0, 'queued_faults': 0}


class Nas:
    """State, sessions, log, counters and faults of one virtual NAS."""

    def __init__(self, name, scenario, config, tls=None, store=None):
        self.name = name
        self.scenario = scenario
        self.start_scenario = scenario
        self.config = config
        self.tls = tls
        self.store = store
        self.port = None
        self.url = None
        self.lock = threading.RLock()
        self.started = time.time()
        self.faults = Faults(config)
        self.autoblock = AutoBlock(self.faults.autoblock)
        initial = store.initial(name) if store is not None else None
        self._reset(scenario, initial)

    # -- lifecycle
    def _reset(self, scenario, data=None):
        self.scenario = scenario
        self.data = data if data is not None else load_scenario(scenario)
        self.materialize(self.data)
        self.abb = ActiveBackup(self.data, self.faults)
        self.jobs = abb_jobs.Jobs(self.data, self.faults, ApiError)
        self.sessions = {}
        self.session_count = 0
        self.devices = {}
        self.used_otp = set()
        self.counters = fresh_counters()
        self.log = []
        self.seq = 0

    def reset(self, scenario=None):
        """Back to a scenario (default: the one this NAS started with), everything cleared."""
        scenario = scenario or self.start_scenario
        with self.lock:
            data = load_scenario(scenario)
            self.faults.reset()
            self.autoblock = AutoBlock(self.faults.autoblock)
            if self.tls is not None:
                self.tls.restore()
            self._reset(scenario, data)
            self.save()

    def materialize(self, data):
        """Turn a scenario's ``abb_jobs`` spec into this NAS's ``abb`` state; fill ``dsm``."""
        now = time.time()
        if 'abb_jobs' in data:
            data['abb'] = abb_jobs.build_jobs(data.pop('abb_jobs'), self.name, now)
        data.setdefault('abb', abb_jobs.empty_jobs())
        if not data.get('dsm') or 'booted' not in data['dsm']:
            data['dsm'] = abb_jobs.build_dsm(data.get('dsm'), self.name, self.started)

    def tick(self):
        now = time.time()
        self.abb.tick(now)
        abb_jobs.tick(self.data['abb'], now)

    def save(self):
        if self.store is not None:
            self.store.save(self.name, self.data)

    # -- HTTP entry point
    def handle(self, request):
        path = request.url.path
        if path.startswith('/_emulator/'):
            return ControlApi(self).handle(request)
        if path.startswith('/webapi/'):
            return self.webapi(request)
        return html_response(404, '404 Not Found')

    def webapi(self, request):
        started = time.time()
        with self.lock:
            self.counters['requests'] += 1
            self.seq += 1
            entry = {'seq': self.seq, 'time': round(started, 6), 'http_method': request.method,
                     'path': request.url.path, 'raw_url': request.raw_url, 'client': request.client,
                     'api': None, 'method': None, 'version': None, 'params': {}, 'url_params': [],
                     'has_sid_field': False, 'has_sid_cookie': False, 'has_synotoken_header': False,
                     'compound': [], 'account': None, 'session': None, 'fault': None}
        cgi = request.url.path[len('/webapi/'):]
        if cgi not in CGI_FILES:
            return self._finish(entry, html_response(404, '404 Not Found'), None, started)
        fields, url_names = request.fields()
        ctx = CallContext(request, cgi, fields)
        calls = [(ctx.api, ctx.method)] + inner_calls(fields) if ctx.api == API_ENTRY else [(ctx.api, ctx.method)]
        version = int(ctx.version) if (ctx.version or '').isdigit() else ctx.version
        entry.update({'api': ctx.api, 'method': ctx.method, 'version': version, 'params': redact(fields),
                      'url_params': url_names, 'has_sid_field': ctx.sid_field is not None,
                      'has_sid_cookie': ctx.sid_cookie is not None, 'has_synotoken_header': ctx.token_header is not None,
                      'compound': ['%s.%s' % call for call in calls[1:]]})
        with self.lock:
            methods = self.counters['http_methods']
            methods[request.method] = methods.get(request.method, 0) + 1
            if ctx.api and ctx.method:
                self._count_call(ctx.api, ctx.method)
            if ctx.api == API_INFO:
                self.counters['info_queries'] += 1
            fault = self.faults.take('http', calls)
            delay = self.faults.take('delay', calls)
            pause = self.faults.latency_ms / 1000.0 + (delay['seconds'] if delay else 0)
        if pause:
            time.sleep(pause)
        envelope = None
        if fault is None or fault['after_apply'] or fault['kind'] == 'wrong_content_type':
            envelope = self._dispatch(ctx)
        if fault is None:
            response = json_response(envelope, headers=ctx.set_headers)
        else:
            entry['fault'] = fault['kind']
            response = fault_response(fault['kind'], envelope)
            with self.lock:
                self.counters['http_faults'] += 1
        entry['account'] = ctx.account or (ctx.session.account if ctx.session else None)
        entry['session'] = ctx.session.number if ctx.session else None
        return self._finish(entry, response, envelope, started)

    def _finish(self, entry, response, envelope, started):
        entry['status'] = None if response.reset else response.status
        entry['success'] = envelope.get('success') if envelope is not None else None
        entry['code'] = envelope['error']['code'] if envelope is not None and not envelope.get('success') else None
        entry['duration_ms'] = round((time.time() - started) * 1000.0, 3)
        with self.lock:
            self.log.append(entry)
            del self.log[:-MAX_LOG]
        return response

    def _count_call(self, api, method):
        key = '%s.%s' % (api, method)
        self.counters['calls'][key] = self.counters['calls'].get(key, 0) + 1

    def _dispatch(self, ctx):
        with self.lock:
            self.tick()
            params = Params(ctx.fields, strict=self.faults.strict)
            try:
                data = self._invoke(ctx, ctx.cgi, ctx.api, ctx.method, ctx.version, params)
            except ApiError as err:
                return err.envelope()
            if ctx.wrote:
                self.save()
            return {'success': True, 'data': data} if data is not None else {'success': True}

    # -- API routing
    def api_table(self):
        table = {API_INFO: {'path': 'query.cgi', 'minVersion': 1, 'maxVersion': 1}}
        if self.faults.dsm6:
            table[API_AUTH] = {'path': 'auth.cgi', 'minVersion': 1, 'maxVersion': 6}
        else:
            table[API_AUTH] = {'path': 'entry.cgi', 'minVersion': 1, 'maxVersion': 7}
        if not self.faults.abb_missing:
            table[API_ABB] = {'path': 'entry.cgi', 'minVersion': 1, 'maxVersion': 2, 'requestFormat': 'JSON'}
        if not self.faults.compound_unsupported:
            table[API_ENTRY] = {'path': 'entry.cgi', 'minVersion': 1, 'maxVersion': 2, 'requestFormat': 'JSON'}
        if not self.faults.abb_missing:
            for api in JOB_APIS:
                table[api] = {'path': 'entry.cgi', 'minVersion': 1, 'maxVersion': JOB_MAX_VERSION, 'requestFormat': 'JSON'}
        table[API_DSM_INFO] = {'path': 'entry.cgi', 'minVersion': 1, 'maxVersion': 1 if self.faults.dsm6 else 2}
        return table

    def _spec(self, api, cgi):
        """Info's entry for an API as answered on ``cgi``; DSM 7 still answers SYNO.API.Auth on auth.cgi (contract 16)."""
        spec = self.api_table().get(api)
        if api == API_AUTH and cgi == 'auth.cgi' and not self.faults.dsm6:
            return {'path': 'auth.cgi', 'minVersion': 1, 'maxVersion': 7}
        return spec

    def _methods(self, api):
        if api == API_INFO:
            return {'query': self._info}
        if api == API_AUTH:
            return {'login': self._login, 'logout': self._logout}
        if api == API_ENTRY:
            return {'request': self._compound}
        if api == API_ABB:
            return dict((name, self._abb_method(name)) for name in self.abb.methods)
        if api in self.jobs.apis:
            return dict((name, self._job_method(api, name)) for name in self.jobs.apis[api])
        if api == API_DSM_INFO:
            return {'getinfo': self._dsm_info}
        return {}

    def _invoke(self, ctx, cgi, api, method, version, params, inner=False):
        if not isinstance(api, str) or not isinstance(method, str) or not api or not method or version in (None, ''):
            raise ApiError(101)
        if inner:
            self._count_call(api, method)
        queued = self.faults.take('queue', [(api, method)])
        if queued is not None:
            self.counters['queued_faults'] += 1
            raise ApiError(queued['code'], queued['errors'])
        spec = self._spec(api, cgi)
        if spec is None or spec['path'] != cgi:
            raise ApiError(102)
        try:
            number = int(version)
        except (TypeError, ValueError):
            raise ApiError(104)
        if not spec['minVersion'] <= number <= spec['maxVersion']:
            raise ApiError(104)
        handler = self._methods(api).get(method)
        if api in JOB_APIS and number != 1:
            handler = None  # contract 9: a client that asked for Info's maxVersion got 103
        if handler is None:
            raise ApiError(103)
        if inner and api != API_ABB and api not in JOB_APIS and api != API_DSM_INFO:
            raise ApiError(120, {'name': 'compound', 'reason': 'only SYNO.ActiveBackup.* and %s calls can be compounded' % API_DSM_INFO})
        return handler(ctx, params)

    def _abb_method(self, name):
        def call(ctx, params):
            if ctx.session is None:
                self._require_session(ctx)
            if not USERS[ctx.session.account].abb_allowed:
                raise ApiError(105)
            result = self.abb.methods[name](params)
            if name in ActiveBackup.WRITES:
                self._count_write(ctx, API_ABB, name)
            return result
        return call

    def _job_method(self, api, name):
        def call(ctx, params):
            if ctx.session is None:
                self._require_session(ctx)
            if not USERS[ctx.session.account].abb_allowed:
                raise ApiError(105)
            write = name in self.jobs.WRITES.get(api, ())
            self.jobs.batch_done = 0
            try:
                result = self.jobs.apis[api][name](params)
            except ApiError:
                if write and self.jobs.batch_done:
                    self._count_write(ctx, api, name)  # 1009: some tasks were started or cancelled
                raise
            if write:
                self._count_write(ctx, api, name)
            return result
        return call

    def _count_write(self, ctx, api, name):
        ctx.wrote = True
        self.counters['writes'] += 1
        for key, label in (('writes_by_method', name), ('writes_by_call', '%s.%s' % (api, name))):
            self.counters[key][label] = self.counters[key].get(label, 0) + 1

    def _dsm_info(self, ctx, params):
        if ctx.session is None:
            self._require_session(ctx)
        info = dict(self.data['dsm'])
        info['uptime'] = int(time.time() - info.pop('booted'))
        if self.faults.dsm6 and str(info.get('version_string', '')).startswith('DSM 7'):
            info.update(abb_jobs.DSM6_VERSION)
        return info

    def _require_session(self, ctx):
        session = self.sessions.get(ctx.sid) if ctx.sid else None
        if session is None:
            raise ApiError(119)
        if session.expire_code is not None:
            del self.sessions[ctx.sid]
            raise ApiError(session.expire_code)
        if self.faults.session_ip_mismatch > 0:
            self.faults.session_ip_mismatch -= 1
            raise ApiError(150)
        if session.client != ctx.client:
            raise ApiError(150)
        if self.faults.require_synotoken and not (ctx.synotoken and hmac.compare_digest(ctx.synotoken, session.synotoken)):
            raise ApiError(119)
        ctx.session = session
        return session

    # -- SYNO.API.Info
    def _info(self, ctx, params):
        query = params.text('query', 'all').strip()
        table = self.api_table()
        if query.lower() == 'all':
            return table
        answer = {}
        for item in (part.strip() for part in query.split(',')):
            for name, spec in table.items():
                if name == item or (item.endswith('.') and name.startswith(item)):
                    answer[name] = spec
        return answer

    # -- SYNO.API.Auth
    def _login(self, ctx, params):
        try:
            return self._try_login(ctx, params)
        except ApiError:
            self.counters['failed_logins'] += 1
            raise

    def _try_login(self, ctx, params):
        now = time.time()
        if self.autoblock.is_blocked(ctx.client, now):
            raise ApiError(407)
        account = params.text('account', '')
        ctx.account = account or None
        user = USERS.get(account)
        if user is None or not hmac.compare_digest(user.password.encode('utf-8'), params.text('passwd', '').encode('utf-8')):
            self.autoblock.failed(ctx.client, now)
            raise ApiError(400)
        if user.disabled:
            raise ApiError(401)
        if user.must_enrol:
            raise ApiError(406)
        device_token = None
        if user.otp_secret:
            device_token = self._second_factor(ctx, user, params, now)
        self.session_count += 1
        sid = secrets.token_urlsafe(48)
        synotoken = secrets.token_urlsafe(8)
        self.sessions[sid] = Session(self.session_count, account, ctx.client, synotoken)
        ctx.session = self.sessions[sid]
        self.counters['logins'] += 1
        data = {'sid': sid, 'is_portal_port': False, 'account': account}
        if is_yes(params.text('enable_syno_token', 'no')):
            data['synotoken'] = synotoken
        ctx.set_headers.append(cookie_header('id', sid))
        if device_token is not None:
            data['did' if self.faults.dsm6 else 'device_id'] = device_token
            ctx.set_headers.append(cookie_header('did', device_token, 30 * 86400))
        return data

    def _second_factor(self, ctx, user, params, now):
        """Check a 2FA login; returns a device token to hand out, or None."""
        device_name = params.text('device_name', '')
        wants_token = is_yes(params.text('enable_device_token', 'no')) and device_name
        known = self.devices.get(params.text('device_id', ''))
        if known is not None and known[0] == user.name and (not device_name or known[1] == device_name):
            return params.text('device_id') if wants_token else None
        code = params.text('otp_code', '').strip()
        if not code:
            raise ApiError(403, {'token': secrets.token_urlsafe(24), 'types': [{'type': 'otp'}]})
        counter = int(now // OTP_STEP)
        matched = [step for step in (counter, counter - 1) if hmac.compare_digest(hotp(user.otp_secret, step), code)]
        if not matched or (user.name, matched[0]) in self.used_otp:
            self.autoblock.failed(ctx.client, now)
            raise ApiError(404)
        self.used_otp = set(item for item in self.used_otp if item[1] >= counter - 2)
        self.used_otp.add((user.name, matched[0]))
        if not wants_token:
            return None
        token = secrets.token_urlsafe(32)
        self.devices[token] = (user.name, device_name)
        return token

    def _logout(self, ctx, params):
        session = self.sessions.get(ctx.sid) if ctx.sid else None
        if session is None:
            return None  # a logout without a (known) sid answers success and ends nothing
        ctx.session = session
        if session.expire_code is not None:
            del self.sessions[ctx.sid]
            return None
        if self.faults.require_synotoken and not (ctx.synotoken and hmac.compare_digest(ctx.synotoken, session.synotoken)):
            raise ApiError(119)
        del self.sessions[ctx.sid]
        self.counters['logouts'] += 1
        ctx.set_headers.append(cookie_header('id', 'deleted', 0))
        return None

    # -- SYNO.Entry.Request
    def _compound(self, ctx, params):
        self._require_session(ctx)
        mode = params.string('mode', required=False) or 'sequential'
        if mode not in ('sequential', 'parallel'):
            raise ApiError(120, {'name': 'mode', 'reason': 'value'})
        stop = params.boolean('stop_when_error', required=False) or False
        items = params.json_list('compound')
        if len(items) > MAX_COMPOUND or not all(isinstance(item, dict) for item in items):
            raise ApiError(120, {'name': 'compound', 'reason': 'value'})
        results = []
        has_fail = False
        for item in items:
            api, method, version = item.get('api'), item.get('method'), item.get('version')
            inner = Params(dict((k, v) for k, v in item.items() if k not in ('api', 'method', 'version')),
                           strict=self.faults.strict, native=True)
            result = {'api': api, 'method': method, 'version': version}
            try:
                data = self._invoke(ctx, 'entry.cgi', api, method, version, inner, inner=True)
            except ApiError as err:
                result.update(err.envelope())
            else:
                result['success'] = True
                if data is not None:
                    result['data'] = data
            results.append(result)
            if not result['success']:
                has_fail = True
                if stop:
                    break
        return {'has_fail': has_fail, 'result': results}

    # -- control operations (called by ControlApi under the lock)
    def stats(self):
        with self.lock:
            stats = copy.deepcopy(self.counters)
            stats['open_sessions'] = len(self.sessions)
            stats.update({'name': self.name, 'scenario': self.scenario, 'port': self.port})
            return stats

    def apply_faults(self, knobs):
        with self.lock:
            actions = self.faults.apply(knobs)
            answer = {}
            if 'autoblock' in actions:
                self.autoblock.configure(actions['autoblock'])
            if 'expire_sessions' in actions:
                for session in self.sessions.values():
                    session.expire_code = actions['expire_sessions']
                answer['expired_sessions'] = len(self.sessions)
            if 'rotate_certificate' in actions:
                if self.tls is None:
                    raise ValueError('rotate_certificate needs --tls')
                if actions['rotate_certificate']:
                    answer.update(self.tls.rotate(self.name))
                else:
                    self.tls.restore()
            answer['faults'] = self.faults.snapshot()
            return answer

    def set_state(self, body):
        with self.lock:
            if not isinstance(body, dict):
                raise ValueError('state body must be a JSON object')
            if 'replace' in body:
                data = merge_state(empty_state(), _object(body['replace'], 'replace'))
            else:
                data = merge_state(copy.deepcopy(self.data), _object(body.get('patch', body), 'patch'))
            self.materialize(data)
            self.data.clear()
            self.data.update(data)
            self.save()
            return self.state()

    def state(self):
        with self.lock:
            self.tick()
            return copy.deepcopy(self.data)

    def jobs_summary(self):
        with self.lock:
            self.tick()
            return self.jobs.summary()

    def jobs_control(self, body):
        with self.lock:
            self.tick()
            answer = self.jobs.control(body)
            self.save()
            return answer

    def drop_sessions(self):
        with self.lock:
            dropped = len(self.sessions)
            self.sessions = {}
            return {'dropped': dropped}


class ControlApi:
    """``/_emulator/*``: JSON control of one NAS for tests (never used by the collection)."""

    def __init__(self, nas):
        self.nas = nas

    def handle(self, request):
        name = request.url.path[len('/_emulator/'):].strip('/')
        routes = {
            ('GET', 'stats'): lambda body, query: self.nas.stats(),
            ('GET', 'log'): self._log,
            ('POST', 'reset'): self._reset,
            ('GET', 'state'): lambda body, query: self.nas.state(),
            ('POST', 'state'): lambda body, query: self.nas.set_state(body),
            ('POST', 'drop_sessions'): lambda body, query: self.nas.drop_sessions(),
            ('GET', 'faults'): lambda body, query: self.nas.apply_faults({}),
            ('POST', 'faults'): lambda body, query: self.nas.apply_faults(body),
            ('GET', 'info'): self._info,
            ('GET', 'jobs'): lambda body, query: self.nas.jobs_summary(),
            ('POST', 'jobs'): lambda body, query: self.nas.jobs_control(body),
        }
        route = routes.get((request.method, name))
        if route is None:
            known = set(route_name for dummy, route_name in routes)
            return json_response({'error': 'no such control endpoint'}, 405 if name in known else 404)
        try:
            body = json.loads(request.body.decode('utf-8')) if request.body.strip() else {}
            query = dict(urllib.parse.parse_qsl(request.url.query))
            return json_response(route(body, query))
        except (ValueError, TypeError) as err:
            return json_response({'error': str(err)}, 400)

    def _info(self, body, query):
        return {'name': self.nas.name, 'port': self.nas.port, 'url': self.nas.url, 'scenario': self.nas.scenario,
                'scenarios': scenario_names(), 'autoblocked': self.nas.autoblock.snapshot(time.time())}

    def _log(self, body, query):
        since = int(query.get('since', 0))
        with self.nas.lock:
            return {'entries': copy.deepcopy([entry for entry in self.nas.log if entry['seq'] > since])}

    def _reset(self, body, query):
        if body is not None and not isinstance(body, dict):
            raise ValueError('reset body must be a JSON object')
        self.nas.reset((body or {}).get('scenario'))
        return {'reset': True, 'scenario': self.nas.scenario}


# ---------------------------------------------------------------- TLS

def load_certs_module():
    """certs.py next to this file, however this file was imported."""
    spec = importlib.util.spec_from_file_location('dsm_emulator_certs', os.path.join(HERE, 'certs.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def server_context(paths):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(paths['cert'], paths['key'])
    return context


class TlsIdentity:
    """The certificate a NAS presents; ``rotate`` swaps in one from a new CA for new connections."""

    def __init__(self, paths, context, cert_dir):
        self.original = (paths, context)
        self.cert_dir = cert_dir
        self.context = context
        self.rotations = 0
        self.lock = threading.Lock()

    def rotate(self, label):
        certs = load_certs_module()
        with self.lock:
            self.rotations += 1
            prefix = '%s-rotated-%d-' % (label, self.rotations)
            paths = certs.make_run_certs(self.cert_dir, prefix=prefix, label='%s rotation %d' % (label, self.rotations))
            bundle = os.path.join(self.cert_dir, prefix + 'ca-bundle.pem')
            with open(bundle, 'w', encoding='utf-8') as out:
                for source in (self.original[0]['ca'], paths['ca']):
                    with open(source, encoding='utf-8') as handle:
                        out.write(handle.read())
            self.context = server_context(paths)
            return {'ca': paths['ca'], 'ca_bundle': bundle}

    def restore(self):
        with self.lock:
            self.context = self.original[1]


# ---------------------------------------------------------------- HTTP server

class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    timeout = 60  # idle keep-alive connections are closed after this many seconds

    def version_string(self):
        return 'nginx'

    def do_GET(self):
        self._serve()

    def do_POST(self):
        self._serve()

    def _serve(self):
        try:
            length = int(self.headers.get('Content-Length') or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self.close_connection = True
            self._send(html_response(413 if length > 0 else 400, 'Bad Request'))
            return
        body = self.rfile.read(length) if length else b''
        request = HttpRequest(self.command, self.path, self.headers, body, self.client_address[0])
        try:
            response = self.server.nas.handle(request)
        except Exception:  # an emulator bug: answer 500 and show the traceback on stderr
            sys.stderr.write('dsm_emulator: %s %s failed:\n%s' % (self.command, self.path, traceback.format_exc()))
            response = html_response(500, '500 Internal Server Error')
        self._send(response)

    def _send(self, response):
        if response.reset:
            self._reset_connection()
            return
        try:
            self.send_response(response.status)
            self.send_header('Content-Type', response.content_type)
            for name, value in response.headers:
                self.send_header(name, value)
            self.send_header('Content-Length', str(len(response.body)))
            self.end_headers()
            if response.cut_at is not None:
                self.wfile.write(response.body[:response.cut_at])
                self.wfile.flush()
                self._reset_connection()
                return
            self.wfile.write(response.body)
        except OSError:
            self.close_connection = True

    def _reset_connection(self):
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        self.connection.close()

    def log_message(self, format, *args):
        if self.server.verbose:
            sys.stderr.write('%s [%s] %s\n' % (self.server.nas.name, self.address_string(), format % args))


class NasHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, host, port, nas, verbose=False):
        self.address_family = socket.AF_INET6 if ':' in host else socket.AF_INET
        self.nas = nas
        self.verbose = verbose
        super().__init__((host, port), Handler)

    def finish_request(self, request, client_address):
        # Headers and body are written separately: without TCP_NODELAY the body of an answer on a
        # reused (keep-alive) connection waits for the client's delayed ACK (about 40 ms), as
        # nginx avoids with tcp_nodelay. Loopback only; a socket that refuses it still works.
        try:
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        tls = self.nas.tls
        if tls is None:
            self.RequestHandlerClass(request, client_address, self)
            return
        request.settimeout(10)
        try:
            wrapped = tls.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return  # the client did not accept our certificate, or went away
        try:
            self.RequestHandlerClass(wrapped, client_address, self)
        finally:
            wrapped.close()

    def handle_error(self, request, client_address):
        if self.verbose:
            super().handle_error(request, client_address)


# ---------------------------------------------------------------- the fleet and the CLI

class StateStore:
    """``--state-file``: every NAS's state, loaded at start and written after each change."""

    def __init__(self, path):
        self.path = os.path.abspath(path)
        self.lock = threading.Lock()
        self.states = {}
        if os.path.exists(self.path):
            with open(self.path, encoding='utf-8') as handle:
                self.states = json.load(handle)

    def initial(self, name):
        data = self.states.get(name)
        return merge_state(empty_state(), data) if data is not None else None

    def save(self, name, data):
        with self.lock:
            self.states[name] = copy.deepcopy(data)
            write_json_atomic(self.path, self.states)


def write_json_atomic(path, obj):
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix='.tmp-', dir=directory)
    try:
        with os.fdopen(fd, 'w', encoding='utf-8') as handle:
            json.dump(obj, handle, indent=1, sort_keys=True)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def parse_nas_spec(spec):
    match = re.fullmatch(r'([A-Za-z0-9_.-]+):([0-9]+):([A-Za-z0-9_-]+)', spec)
    if match is None:
        raise argparse.ArgumentTypeError('--nas is NAME:PORT:SCENARIO, e.g. nas1:15001:full')
    return match.group(1), int(match.group(2)), match.group(3)


def parse_args(argv):
    parser = argparse.ArgumentParser(prog='dsm_emulator.py', description='DSM emulator for the syno.activebackup tests.')
    parser.add_argument('--count', type=int, help='number of virtual NAS (default 1); names nas1, nas2, ...')
    parser.add_argument('--port', type=int, default=0, help='first port (consecutive ports), 0 for ephemeral ports (default)')
    parser.add_argument('--scenario', default='default', help='scenario of every NAS made by --count (default: default)')
    parser.add_argument('--nas', action='append', type=parse_nas_spec, default=[], metavar='NAME:PORT:SCENARIO',
                        help='one NAS (repeatable, instead of --count); PORT 0 for an ephemeral port')
    parser.add_argument('--host', default='127.0.0.1', choices=LOOPBACK, help='loopback address to listen on')
    parser.add_argument('--tls', action='store_true', help='serve HTTPS with a CA made for this run')
    parser.add_argument('--cert-dir', help='where --tls writes ca.pem, server.pem, server-key.pem (default: a temporary directory)')
    parser.add_argument('--latency-ms', type=float, default=0.0, help='delay before every WebAPI answer')
    parser.add_argument('--relink-seconds', type=float, default=2.0, help='how long a relink runs (default 2)')
    parser.add_argument('--run-seconds', type=float, default=2.0, help='how long a backup run started by Task.backup lasts (default 2)')
    parser.add_argument('--autoblock', type=parse_autoblock, default=parse_autoblock('5:60:300'), metavar='ATTEMPTS:WITHIN:BLOCK',
                        help='Auto Block: failed logins within WITHIN seconds that block an address for BLOCK seconds (default 5:60:300)')
    parser.add_argument('--strict', action='store_true', help='answer 120 to string parameters that are not JSON-quoted')
    parser.add_argument('--require-synotoken', action='store_true', help='answer 119 without the right X-SYNO-TOKEN header')
    parser.add_argument('--dsm6', action='store_true', help='SYNO.API.Auth on auth.cgi versions 1-6, device token as "did"')
    parser.add_argument('--state-file', help='load every NAS state from this JSON file and write it back after each change')
    parser.add_argument('--ready-file', help='write {"ca": ..., "nas": [...]} here (atomically) once listening')
    parser.add_argument('--verbose', action='store_true', help='log every HTTP request on stderr')
    args = parser.parse_args(argv)
    if args.nas and args.count is not None:
        parser.error('use either --count or --nas')
    if args.count is not None and not 1 <= args.count <= 200:
        parser.error('--count must be from 1 to 200')
    if not 0 <= args.port <= 65535:
        parser.error('--port must be from 0 to 65535')
    names = set(scenario_names())
    specs = args.nas or [('nas%d' % (i + 1), args.port + i if args.port else 0, args.scenario) for i in range(args.count or 1)]
    for name, port, scenario in specs:
        if scenario not in names:
            parser.error('unknown scenario %r (known: %s)' % (scenario, ', '.join(sorted(names))))
        if port > 65535:
            parser.error('port %d of %s is out of range' % (port, name))
    if len(set(spec[0] for spec in specs)) != len(specs):
        parser.error('NAS names must be unique')
    args.specs = specs
    return args


class Fleet:
    """Every NAS of one emulator process and its servers."""

    def __init__(self, args):
        self.args = args
        self.servers = []
        self.threads = []
        self.temp_cert_dir = None
        self.ca = None
        tls_paths = tls_context = cert_dir = None
        if args.tls:
            certs = load_certs_module()
            cert_dir = args.cert_dir or tempfile.mkdtemp(prefix='dsm-emulator-certs-')
            self.temp_cert_dir = None if args.cert_dir else cert_dir
            tls_paths = certs.make_run_certs(cert_dir)
            tls_context = server_context(tls_paths)
            self.ca = tls_paths['ca']
        config = {'latency_ms': args.latency_ms, 'relink_seconds': args.relink_seconds, 'run_seconds': args.run_seconds,
                  'autoblock': args.autoblock,
                  'strict': args.strict, 'require_synotoken': args.require_synotoken, 'dsm6': args.dsm6}
        store = StateStore(args.state_file) if args.state_file else None
        scheme = 'https' if args.tls else 'http'
        host = '[%s]' % args.host if ':' in args.host else args.host
        for name, port, scenario in args.specs:
            tls = TlsIdentity(tls_paths, tls_context, os.path.abspath(cert_dir)) if args.tls else None
            nas = Nas(name, scenario, config, tls, store)
            server = NasHTTPServer(args.host, port, nas, args.verbose)
            nas.port = server.server_address[1]
            nas.url = '%s://%s:%d' % (scheme, host, nas.port)
            self.servers.append(server)

    def start(self):
        for server in self.servers:
            thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.2},
                                      name='nas-%s' % server.nas.name, daemon=True)
            thread.start()
            self.threads.append(thread)

    def ready_info(self):
        return {'ca': self.ca, 'nas': [{'name': server.nas.name, 'port': server.nas.port, 'url': server.nas.url,
                                        'scenario': server.nas.scenario} for server in self.servers]}

    def stop(self):
        stoppers = [threading.Thread(target=server.shutdown) for server in self.servers]
        for stopper in stoppers:
            stopper.start()
        for stopper in stoppers:
            stopper.join(5)
        for server in self.servers:
            server.server_close()
            server.nas.state()  # finish relinks that are due
            with server.nas.lock:
                server.nas.save()
        for thread in self.threads:
            thread.join(5)
        if self.temp_cert_dir:
            shutil.rmtree(self.temp_cert_dir, ignore_errors=True)


def main(argv=None):
    args = parse_args(argv)
    try:
        fleet = Fleet(args)
    except OSError as err:
        sys.stderr.write('dsm_emulator: cannot listen: %s\n' % err)
        return 2
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    fleet.start()
    ready = fleet.ready_info()
    if args.ready_file:
        write_json_atomic(args.ready_file, ready)
    sys.stdout.write(json.dumps(ready) + '\n')
    sys.stdout.flush()
    while not stop.wait(0.5):
        pass
    fleet.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
