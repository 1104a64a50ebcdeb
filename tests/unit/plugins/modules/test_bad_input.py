# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Bad and unusual input for every option of every module.

Each row gives one module one option value (wrong types, empty, huge, Unicode, control characters,
odd paths and share names) and says what must happen:

* ``Reject``: the task fails with a message that names the option and says what is wrong, and
  no HTTP request is made (not even the login). ``stage`` says who refuses it: Ansible's argument
  spec (``spec``) or the collection's own checks (``own``).
* ``Accept``: the task succeeds, and the exchange is exactly the one given: the values on the
  wire are the ones the row names (share names and paths as JSON strings, ``is_remove_data`` as a
  JSON boolean, login fields as given), checked request by request by the scripted transport.

The arguments go through the module's own argument spec (``ArgumentSpecValidator``, as the action
plugin and ``AnsibleModule`` do), then through ``_runner.execute()``.

The rows are generated from the real argument specs: wrong types for every ``int``, ``bool``,
``list`` and ``dict`` option and bad values for every option with ``choices`` come from the spec
itself; every other option needs a profile below, and ``test_every_option_of_every_module_has_rows``
fails for an option without rows.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import time

import pytest

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.syno.activebackup.plugins import modules as modules_package
from ansible_collections.syno.activebackup.plugins.module_utils._runner import Operation, execute
from ansible_collections.syno.activebackup.plugins.module_utils._totp import totp

from ansible_collections.syno.activebackup.tests.unit.plugins.module_utils.scripted import (
    PASSWORD,
    SID,
    SYNOTOKEN,
    Expect,
    Script,
)

HOST = 'nas.example.com'
URL = 'https://%s:5001/webapi/' % HOST
ROOT = '/volume1/abb'
SEED = 'JBSWY3DPEHPK3PXP'
HUGE = 'x' * 100000
UNICODE_SHARE = 'Ünïcødé Share'
QUOTED_SHARE = 'it\'s "quoted"'
SURROGATE = 'a\udcff'
PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'
ISSUED_DEVICE_TOKEN = 'issued-device-token-0001'
OMIT = object()

# Shares the fake NAS lists; the filters of share_info and storage_info pick from them.
NAS_SHARES = ['ActiveBackupforBusiness', '123', 'true', UNICODE_SHARE, QUOTED_SHARE, 'Backup Share']
NAS_VOLUMES = ['/volume1', '/volume2']
SHARE_READS = ['list', 'list_encrypted', 'list_storage', 'list_volume', 'check_file']
# The reads of facts' ``all``: the Share lists, then Task.list, Device.list and SYNO.DSM.Info (keys of READ_CALLS).
ALL_READS = SHARE_READS + ['tasks', 'devices', 'system']
LINKED = {'alive': False, 'error': {'code': 0}, 'owner': True, 'state': 0}

# The valid arguments each module starts from (the connection: host, username, password).
BASE = {
    'share_info': {},
    'storage_info': {},
    'volume_info': {},
    'file_info': {'root_path': ROOT},
    'facts': {},
    'directory': {'paths': [ROOT + '/pc']},
    'storage': {'share_name': 'ABB-Migrated'},
    'session': {},
    # the monitoring modules (ABB backup jobs, SYNO.API.Info)
    'task_info': {},
    'device_info': {},
    'version_info': {'task_id': 4},
    'result_info': {},
    'log_info': {},
    'api_info': {},
    # the operating modules (start or cancel a backup, package settings, any DSM web API method)
    'task': {'task_id': 4, 'state': 'started'},
    'settings': {'settings': {'max_concurrent_devices': 10}},
    'api': {'api': 'SYNO.ActiveBackup.Task', 'method': 'list'},
}
CONNECTION = {'host': HOST, 'username': 'admin', 'password': PASSWORD}
SECRET_OPTIONS = frozenset(('password', 'otp_code', 'otp_secret', 'device_id', 'session'))


def _operations():
    """{module name: Operation} of every module file in plugins/modules."""
    found = {}
    for info in pkgutil.iter_modules(modules_package.__path__):
        module = importlib.import_module('%s.%s' % (modules_package.__name__, info.name))
        operations = [value for value in vars(module).values() if isinstance(value, Operation)]
        assert len(operations) == 1, 'module %s: expected one operation, found %d' % (info.name, len(operations))
        found[info.name] = operations[0]
    return found


# Modules whose rows (BASE, profiles, exchange) are added with their own change; the table leaves them out until
# then, and test_every_module_has_an_operation says which they are.
NOT_YET_IN_THE_TABLE = frozenset()
ALL_OPERATIONS = _operations()
OPERATIONS = dict((name, operation) for name, operation in ALL_OPERATIONS.items() if name not in NOT_YET_IN_THE_TABLE)


# --- what a row expects ----------------------------------------------------------------------------------------------

class Reject(object):
    """Fails before any request; the message names ``name`` (default: the row's option), holds ``words`` and none of ``hidden``."""

    def __init__(self, *words, **kwargs):
        self.words = words
        self.stage = kwargs.pop('stage', 'own')
        self.name = kwargs.pop('name', None)
        self.hidden = kwargs.pop('hidden', ())
        assert not kwargs, kwargs

    def __repr__(self):
        return 'Reject(%s)' % ', '.join(self.words)


class Accept(object):
    """Succeeds with the exchange that ``wire`` describes (see ``expected_exchange``)."""

    def __init__(self, **wire):
        self.wire = wire

    def __repr__(self):
        return 'Accept(%r)' % sorted(self.wire)


class Lazy(object):
    """A value made at run time from the test's temporary directory (files for ca_path)."""

    def __init__(self, make, label):
        self.make = make
        self.label = label

    def __repr__(self):
        return self.label


class Row(object):
    def __init__(self, module, option, label, value, outcome, extra=None):
        self.module = module
        self.option = option
        self.label = label
        self.value = value
        self.outcome = outcome
        self.extra = dict(extra or {})

    @property
    def id(self):
        return '%s-%s-%s' % (self.module, self.option, self.label)

    def args(self, tmp_path):
        args = dict(CONNECTION)
        args.update(BASE[self.module])
        args.update(self.extra)
        args[self.option] = self.value
        for key, value in list(args.items()):
            if isinstance(value, Lazy):
                args[key] = value.make(tmp_path)
        return dict((key, value) for key, value in args.items() if value is not OMIT)


# --- rows from the spec: wrong types and bad choices -----------------------------------------------------------------

WRONG_BY_TYPE = {
    'int': [('text', 'abc'), ('empty', ''), ('float', 1.5), ('list', [1]), ('dict', {'a': 1}), ('huge-text', HUGE),
            ('nul', '5\x00')],
    'bool': [('text', 'maybe'), ('empty', ''), ('two', 2), ('list', ['yes']), ('dict', {'a': 1}), ('unicode', 'ja-ñ'),
             ('nul', 'yes\x00'), ('huge', HUGE)],
    'list': [('dict', {'a': 1})],
    'dict': [('int', 5), ('bool', True), ('float', 1.5), ('list', ['sid']), ('text', 'not a dict')],
}
BAD_CHOICES = [('unknown', 'bogus'), ('empty', ''), ('upper-case', 'PRESENT'), ('unicode', 'présent'),
               ('nul', 'present\x00'), ('huge', HUGE)]


def spec_rows(module, operation):
    rows = []
    for option, spec in sorted(operation.argument_spec.items()):
        kind = spec.get('type', 'str')
        for label, value in WRONG_BY_TYPE.get(kind, []):
            rows.append(Row(module, option, 'type-' + label, value, Reject("argument '%s'" % option, kind, stage='spec')))
        if spec.get('choices'):
            # a list's elements are checked one by one: "one or more of"
            words = 'value of %s must be one %sof' % (option, 'or more ' if kind == 'list' else '')
            for label, value in BAD_CHOICES:
                rows.append(Row(module, option, 'choice-' + label, value, Reject(words, stage='spec')))
        if spec.get('required'):
            rows.append(Row(module, option, 'missing', OMIT,
                            Reject('missing required arguments: %s' % option, stage='spec')))
    return rows


# --- profiles: the options whose bad values only the collection can judge --------------------------------------------

def _pem_file(name, text=PEM):
    def make(tmp_path):
        path = tmp_path / name
        path.write_text(text, encoding='utf-8')
        return str(path)
    return Lazy(make, name)


def _relative_pem(tmp_path):
    (tmp_path / 'sub').mkdir(exist_ok=True)
    (tmp_path / 'ca.pem').write_text(PEM, encoding='utf-8')
    return str(tmp_path / 'sub' / '..' / 'ca.pem')


CONTROL = 'contains a control character'
NOT_UNICODE = 'not valid Unicode'


def connection_profile(module):
    """{option: [(label, value, outcome, extra args)]} for the shared connection options."""
    given = {'sid': 'given-sid-0001', 'synotoken': 'given-token-01'}
    no_credentials = {'username': OMIT, 'password': OMIT}
    if module == 'session':
        # The session module uses a given session to log it out.
        no_credentials['state'] = 'absent'
    profile = {
        'host': [
            ('empty', '', Reject('host is required'), None),
            ('blank', '   ', Reject('host is required'), None),
            ('huge', HUGE, Reject('longer than 253 characters'), None),
            ('long-label', 'a' * 64 + '.example.com', Reject('longer than 63 characters'), None),
            ('nul', 'nas\x00.example.com', Reject(CONTROL), None),
            ('tab-inside', 'nas\t1', Reject(CONTROL), None),
            ('surrogate', SURROGATE, Reject(NOT_UNICODE), None),
            ('unicode', 'nás.example.com', Reject('not ASCII', 'xn--ns-mia.example.com'), None),
            ('with-path', 'nas.example.com/webapi', Reject('without scheme or path'), None),
            ('url', 'https://nas.example.com', Reject('without scheme or path'), None),
            ('with-port', 'nas.example.com:5001', Reject('give the port in the port option'), None),
            ('credentials', 'admin:S3cret-in-host@nas', Reject('without user name, password'), None),
            ('numeric', '123', Reject('neither an IPv4 address'), None),
            ('int', 123, Reject('neither an IPv4 address'), None),
            ('three-numbers', '10.0.0', Reject('neither an IPv4 address'), None),
            ('bad-ipv4', '999.1.1.1', Reject('neither an IPv4 address'), None),
            ('list', ['nas'], Reject('not a valid host name or address'), None),
            ('dict', {'a': 1}, Reject('not a valid host name or address'), None),
            ('leading-dash', '-nas', Reject('not a valid host name or address'), None),
            ('ipv4', '192.0.2.10', Accept(url='https://192.0.2.10:5001/webapi/'), None),
            ('ipv6', '::1', Accept(url='https://[::1]:5001/webapi/'), None),
            ('ipv6-brackets', '[2001:db8::1]', Accept(url='https://[2001:db8::1]:5001/webapi/'), None),
            ('mixed-case', 'NAS-01.Example.COM', Accept(url='https://NAS-01.Example.COM:5001/webapi/'), None),
            ('trailing-newline', 'nas.example.com\n', Accept(), None),
            ('bool-becomes-text', True, Accept(url='https://True:5001/webapi/'), None),
        ],
        'port': [
            ('zero', 0, Reject('between 1 and 65535'), None),
            ('negative', -1, Reject('between 1 and 65535'), None),
            ('too-big', 65536, Reject('between 1 and 65535'), None),
            ('enormous', 10 ** 400, Reject('between 1 and 65535', 'digits'), None),
            ('enormous-negative', -10 ** 400, Reject('between 1 and 65535', 'digits'), None),
            ('bool', True, Reject('whole number'), None),
            ('numeric-text', '15001', Accept(url='https://%s:15001/webapi/' % HOST), None),
            ('unicode-digits-are-digits', '١٥٠٠١', Accept(url='https://%s:15001/webapi/' % HOST), None),
            ('lowest', 1, Accept(url='https://%s:1/webapi/' % HOST), None),
            ('highest', 65535, Accept(url='https://%s:65535/webapi/' % HOST), None),
        ],
        'use_https': [
            ('false', False, Accept(url='http://%s:5000/webapi/' % HOST), None),
            ('no-text', 'no', Accept(url='http://%s:5000/webapi/' % HOST), None),
            ('yes-text', 'yes', Accept(), None),
        ],
        'validate_certs': [
            ('false', False, Accept(), None),
            ('no-text', 'no', Accept(), None),
            ('false-with-ca_path', False, Reject('no effect with validate_certs', name='ca_path'),
             {'ca_path': _pem_file('ca.pem')}),
        ],
        'ca_path': [
            ('empty', '', Accept(), None),
            ('nul', '/etc/ssl/ca\x00.pem', Reject(CONTROL), None),
            ('surrogate', '/tmp/' + SURROGATE, Reject(NOT_UNICODE), None),
            ('huge', '/' + HUGE, Reject('longer than 4096 characters'), None),
            ('missing', '/nonexistent/ca.pem', Reject('does not exist'), None),
            ('relative-missing', 'ca.pem', Reject('does not exist'), None),
            ('dotdot-missing', '../nonexistent/ca.pem', Reject('does not exist'), None),
            ('not-pem', _pem_file('notes.txt', 'hello\n'), Reject('holds no PEM certificate'), None),
            ('empty-file', _pem_file('empty.pem', ''), Reject('holds no PEM certificate'), None),
            ('pem', _pem_file('ca.pem'), Accept(), None),
            ('pem-unicode-name', _pem_file('autorité.pem'), Accept(), None),
            ('pem-via-dotdot', Lazy(_relative_pem, 'sub/../ca.pem'), Accept(), None),
            ('directory', Lazy(str, 'tmp_path'), Accept(), None),
            ('not-pem-over-http', _pem_file('notes.txt', 'hello\n'), Accept(url='http://%s:5000/webapi/' % HOST),
             {'use_https': False}),
        ],
        'username': [
            ('empty', '', Reject('username and password must be given together'), None),
            ('nul', 'ad\x00min', Reject(CONTROL), None),
            ('newline', 'admin\n', Reject(CONTROL), None),
            ('surrogate', SURROGATE, Reject(NOT_UNICODE), None),
            ('huge', HUGE, Reject('longer than 1024 characters'), None),
            ('unicode', 'ädmin-日本', Accept(account='ädmin-日本'), None),
            ('numeric', '123', Accept(account='123'), None),
            ('int', 123, Accept(account='123'), None),
            ('bool-becomes-text', True, Accept(account='True'), None),
            ('quotes-backslash', 'DOMAIN\\o\'brien "x"', Accept(account='DOMAIN\\o\'brien "x"'), None),
            ('longest', 'u' * 1024, Accept(account='u' * 1024), None),
        ],
        'password': [
            ('empty', '', Reject('username and password must be given together', name='username'), None),
            ('nul', 'Pass\x00word-1', Reject(CONTROL), None),
            ('trailing-newline', 'Password-1\n', Reject(CONTROL, '| trim'), None),
            ('tab', 'Pass\tword-1', Reject(CONTROL), None),
            ('surrogate', 'Pass' + SURROGATE, Reject(NOT_UNICODE), None),
            ('huge', HUGE, Reject('longer than 1024 characters'), None),
            ('unicode', 'pässwörd ✓ 密码', Accept(passwd='pässwörd ✓ 密码'), None),
            ('numeric', '12345678', Accept(passwd='12345678'), None),
            ('int', 12345678, Accept(passwd='12345678'), None),
            ('form-characters', 'a&b=c%20d+e;f', Accept(passwd='a&b=c%20d+e;f'), None),
            ('quotes', 'it\'s "secret"', Accept(passwd='it\'s "secret"'), None),
        ],
        'otp_code': [
            ('empty', '', Reject('otp_code must be the 6 to 8 digits'), None),
            ('five-digits', '12345', Reject('otp_code must be the 6 to 8 digits'), None),
            ('nine-digits', '123456789', Reject('otp_code must be the 6 to 8 digits'), None),
            ('letters', 'abcdef', Reject('otp_code must be the 6 to 8 digits'), None),
            ('unicode-digits', '１２３４５６', Reject('otp_code must be the 6 to 8 digits'), None),
            ('nul', '123\x00456', Reject('otp_code must be the 6 to 8 digits'), None),
            ('huge', HUGE, Reject('otp_code must be the 6 to 8 digits'), None),
            ('bool', True, Reject('otp_code must be the 6 to 8 digits'), None),
            ('six-digits', '123456', Accept(otp_code='123456'), None),
            ('int', 123456, Accept(otp_code='123456'), None),
            ('leading-zero-text', '012345', Accept(otp_code='012345'), None),
            ('padded', ' 123456\n', Accept(otp_code='123456'), None),
            ('eight-digits', '12345678', Accept(otp_code='12345678'), None),
        ],
        'otp_secret': [
            ('empty', '', Accept(), None),
            ('not-base32', 'not base32!', Reject('not a valid base32'), None),
            ('unicode', 'ÄÖÜ', Reject('not a valid base32'), None),
            ('nul', 'JBSW\x00Y3DP', Reject(CONTROL), None),
            ('surrogate', 'JBSW' + SURROGATE, Reject(NOT_UNICODE), None),
            ('huge', 'A' * 100000, Reject('longer than 1024 characters'), None),
            ('seed', SEED, Accept(otp_secret=SEED), None),
            ('seed-lower-case-spaces', 'jbsw y3dp ehpk 3pxp', Accept(otp_secret=SEED), None),
        ],
        'device_id': [
            ('empty', '', Accept(), None),
            ('nul', 'dev\x00tok', Reject(CONTROL), None),
            ('newline', 'devtok\n', Reject(CONTROL), None),
            ('surrogate', SURROGATE, Reject(NOT_UNICODE), None),
            ('huge', HUGE, Reject('longer than 1024 characters'), None),
            ('token', 'dev-token-0001', Accept(device_id='dev-token-0001'), None),
            ('numeric', '123', Accept(device_id='123'), None),
            ('unicode', 'dév-tøken', Accept(device_id='dév-tøken'), None),
        ],
        'device_name': [
            ('empty-means-default', '', Accept(device_id='dev-token-0001', device_name='ansible'),
             {'device_id': 'dev-token-0001'}),
            ('nul', 'ansi\x00ble', Reject(CONTROL), {'device_id': 'dev-token-0001'}),
            ('newline', 'ansible\n', Reject(CONTROL), None),
            ('surrogate', SURROGATE, Reject(NOT_UNICODE), None),
            ('huge', HUGE, Reject('longer than 1024 characters'), {'device_id': 'dev-token-0001'}),
            ('unicode', 'Contrôleur Ansible 日本', Accept(device_id='dev-token-0001', device_name='Contrôleur Ansible 日本'),
             {'device_id': 'dev-token-0001'}),
            ('numeric', '123', Accept(device_id='dev-token-0001', device_name='123'), {'device_id': 'dev-token-0001'}),
            ('unused-without-device_id', 'Contrôleur', Accept(), None),
        ],
        'session': [
            ('empty-dict', {}, Reject('it has no sid'), no_credentials),
            ('empty-sid', {'sid': ''}, Reject('it has no sid'), no_credentials),
            ('int-sid', {'sid': 5}, Reject('session.sid must be a string'), no_credentials),
            ('sid-with-space', {'sid': 'given sid'}, Reject('session.sid has characters'), no_credentials),
            ('sid-with-semicolon', {'sid': 'sid;evil=1'}, Reject('session.sid has characters'), no_credentials),
            ('sid-nul', {'sid': 'sid\x00x'}, Reject('session.sid has characters'), no_credentials),
            ('sid-unicode', {'sid': 'sïd-0001'}, Reject('session.sid has characters'), no_credentials),
            ('sid-surrogate', {'sid': 'sid' + SURROGATE}, Reject('session.sid has characters'), no_credentials),
            ('sid-huge', {'sid': HUGE}, Reject('session.sid is longer than 1024 characters'), no_credentials),
            ('synotoken-newline', {'sid': 'given-sid-0001', 'synotoken': 'tok\nX-Other: 1'},
             Reject('session.synotoken has characters'), no_credentials),
            ('device_id-int', {'sid': 'given-sid-0001', 'device_id': 5}, Reject('session.device_id must be a string'),
             no_credentials),
            ('unknown-key', {'sid': 'given-sid-0001', 'extra': 1}, Reject('does not have', "'extra'"), no_credentials),
            ('whole-result', {'changed': False, 'session': dict(given)}, Reject('whole registered result'), no_credentials),
            ('given', dict(given), Accept(session=dict(given)), no_credentials),
            ('numeric-sid-no-token', {'sid': '123'}, Accept(session={'sid': '123'}), no_credentials),
            ('key-value-text', 'sid=given-sid-0002', Accept(session={'sid': 'given-sid-0002'}), no_credentials),
            ('json-text', '{"sid": "given-sid-0003", "synotoken": "t0k"}',
             Accept(session={'sid': 'given-sid-0003', 'synotoken': 't0k'}), no_credentials),
        ],
        'timeout': [
            ('zero', 0, Reject('at least 1 second'), None),
            ('negative', -5, Reject('at least 1 second'), None),
            ('above-a-day', 86401, Reject('between 1 and 86400 seconds'), None),
            ('too-big-for-a-socket', 10 ** 12, Reject('between 1 and 86400 seconds'), None),
            ('enormous', 10 ** 400, Reject('between 1 and 86400', 'digits'), None),
            ('bool', True, Reject('whole number'), None),
            ('one-day', 86400, Accept(), None),
            ('one', 1, Accept(), None),
            ('numeric-text', '30', Accept(), None),
        ],
        'retries': [
            ('negative', -1, Reject('between 0 and 10'), None),
            ('eleven', 11, Reject('between 0 and 10'), None),
            ('enormous', 10 ** 400, Reject('between 0 and 10', 'digits'), None),
            ('bool', True, Reject('whole number'), None),
            ('zero', 0, Accept(), None),
            ('ten', 10, Accept(), None),
            ('numeric-text', '5', Accept(), None),
        ],
    }
    if module == 'session':
        # The session module's own words come first for these.
        overrides = {
            ('session', 'empty-dict'): Reject('give the session returned by state=present'),
            ('username', 'empty'): Reject('state=present logs in: give username and password'),
        }
        for option, cases in profile.items():
            profile[option] = [(label, value, overrides.get((option, label), outcome), extra)
                               for label, value, outcome, extra in cases]
    return profile


def share_name_cases(option, empty_words):
    """Bad and unusual shared folder names, for any option that names one."""
    return [
        ('empty', '', Reject(*empty_words)),
        ('blank', '   ', Reject('must be the name of a shared folder')),
        ('nul', 'ABB\x00x', Reject(CONTROL)),
        ('newline', 'ABB\n', Reject(CONTROL)),
        ('surrogate', SURROGATE, Reject(NOT_UNICODE)),
        ('huge', HUGE, Reject('longer than 255 bytes', '100000 characters')),
        ('256-bytes', 'é' * 128, Reject('longer than 255 bytes')),
        ('path', 'abb/pc', Reject('not a path')),
        ('absolute-path', '/volume1/abb', Reject('not a path')),
        ('dot', '.', Reject('is not the name of a shared folder')),
        ('dotdot', '..', Reject('is not the name of a shared folder')),
    ]


UNUSUAL_SHARE_NAMES = [
    ('numeric', '123', '123'),
    ('int', 123, '123'),
    ('true-text', 'true', 'true'),
    ('unicode', UNICODE_SHARE, UNICODE_SHARE),
    ('quotes', QUOTED_SHARE, QUOTED_SHARE),
    ('spaces', 'Backup Share', 'Backup Share'),
]


def module_profile(module):
    """{option: [(label, value, outcome, extra args)]} for a module's own options that the spec cannot judge."""
    if module == 'share_info':
        cases = [(label, value, outcome, None) for label, value, outcome in share_name_cases(
            'name', ('name must be the name of a shared folder', 'Leave name out'))]
        cases += [(label, value, Accept(shares=[name]), None) for label, value, name in UNUSUAL_SHARE_NAMES]
        cases += [
            ('bool-becomes-text', True, Accept(shares=[]), None),  # YAML true is the text 'True', no such share
            ('list-becomes-text', ['true'], Accept(shares=[]), None),
            ('longest', 'x' * 255, Accept(shares=[]), None),
            ('no-such-share', 'Nope', Accept(shares=[]), None),
        ]
        return {'name': cases}
    if module == 'storage_info':
        cases = [(label, value, outcome, None) for label, value, outcome in share_name_cases(
            'share_name', ('share_name must be the name of a shared folder', 'Leave share_name out'))]
        cases += [(label, value, Accept(storages=[name]), None) for label, value, name in UNUSUAL_SHARE_NAMES]
        cases += [
            ('bool-becomes-text', True, Accept(storages=[]), None),
            ('no-such-storage', 'Nope', Accept(storages=[]), None),
        ]
        return {'share_name': cases, 'check_files': [
            ('true', True, Accept(reads=['list_storage', 'check_file']), None),
            ('yes-text', 'yes', Accept(reads=['list_storage', 'check_file']), None),
        ]}
    if module == 'volume_info':
        return {'volume_path': [
            ('empty', '', Reject('non-empty string such as /volume1'), None),
            ('relative', 'volume1', Reject('is relative'), None),
            ('dot-relative', './volume1', Reject('is relative'), None),
            ('int', 1, Reject('is relative'), None),
            ('bool', True, Reject('is relative'), None),
            ('inside-a-volume', '/volume1/abb', Reject('a path inside a volume'), None),
            ('double-slash-end', '/volume1//', Reject('empty segment (//)'), None),
            ('double-slash-start', '//volume1', Reject('empty segment (//)'), None),
            ('root', '/', Reject('the root directory, not a volume'), None),
            ('dotdot', '/..', Reject('"." or ".." segment'), None),
            ('dotdot-inside', '/volume1/..', Reject('"." or ".." segment'), None),
            ('nul', '/volume1\x00', Reject(CONTROL), None),
            ('surrogate', '/' + SURROGATE, Reject(NOT_UNICODE), None),
            ('huge', '/' + HUGE, Reject('longer than 257 bytes'), None),
            ('volume', '/volume2', Accept(volumes=['/volume2']), None),
            ('trailing-slash', '/volume2/', Accept(volumes=['/volume2']), None),
            ('no-such-volume', '/volume9', Accept(volumes=[]), None),
            ('unicode', '/volümé1', Accept(volumes=[]), None),
        ]}
    if module == 'file_info':
        return {'root_path': [
            ('empty', '', Reject('a path must be a non-empty string'), None),
            ('relative', 'volume1/abb', Reject('is relative'), None),
            ('bare-name', 'abb', Reject('is relative'), None),
            ('int', 123, Reject('is relative'), None),
            ('bool', True, Reject('is relative'), None),
            ('list-becomes-text', [ROOT], Reject('is relative'), None),
            ('dotdot', ROOT + '/../etc', Reject('"." or ".." segment'), None),
            ('dot', '/volume1/./abb', Reject('"." or ".." segment'), None),
            ('double-slash', '/volume1//abb', Reject('empty segment (//)'), None),
            ('double-slash-end', ROOT + '//', Reject('empty segment (//)'), None),
            ('volume-only', '/volume1', Reject('not under /volumeN/<shared folder>/'), None),
            ('outside-volumes', '/etc/passwd', Reject('not under /volumeN/<shared folder>/'), None),
            ('bad-volume', '/volumeX/abb', Reject('not under /volumeN/<shared folder>/'), None),
            ('nul', ROOT + '/pc\x00', Reject('control character'), None),
            ('newline', ROOT + '/pc\n', Reject('control character'), None),
            ('surrogate', ROOT + '/' + SURROGATE, Reject(NOT_UNICODE), None),
            ('huge', ROOT + '/' + HUGE, Reject('longer than 4095 bytes'), None),
            ('long-name', ROOT + '/' + 'x' * 256, Reject('name longer than 255 bytes'), None),
            ('trailing-slash', ROOT + '/', Accept(root_path=ROOT), None),
            ('unicode', '/volume1/%s/dïr 日本' % UNICODE_SHARE, Accept(root_path='/volume1/%s/dïr 日本' % UNICODE_SHARE), None),
            ('quotes', '/volume1/%s/a b' % QUOTED_SHARE, Accept(root_path='/volume1/%s/a b' % QUOTED_SHARE), None),
            ('numeric-share', '/volume1/123', Accept(root_path='/volume1/123'), None),
            ('longest-name', ROOT + '/' + 'é' * 127, Accept(root_path=ROOT + '/' + 'é' * 127), None),
        ]}
    if module == 'facts':
        unknown = 'gather_subset: unknown subset'
        return {'gather_subset': [
            ('empty', '', Reject(unknown), None),
            ('unknown', 'bogus', Reject(unknown, "'bogus'"), None),
            ('one-unknown', ['shares', 'nope'], Reject(unknown, "'nope'"), None),
            ('bang-only', '!', Reject(unknown), None),
            ('huge', HUGE, Reject(unknown, '100000 characters'), None),
            ('nul', ['shares\x00'], Reject(unknown), None),
            ('unicode', ['ünïcødé'], Reject(unknown), None),
            ('bool', [True], Reject(unknown, "'True'"), None),
            ('int', [123], Reject(unknown, "'123'"), None),
            ('shares', 'shares', Accept(reads=['list', 'list_encrypted']), None),
            ('volumes', 'volumes', Accept(reads=['list_volume']), None),
            ('comma-text', 'shares,volumes', Accept(reads=['list', 'list_encrypted', 'list_volume']), None),
            ('padded', ' storages ', Accept(reads=['list_storage']), None),
            ('nothing', ['!all'], Accept(reads=[]), None),
            ('empty-list-means-all', [], Accept(reads=ALL_READS), None),
            ('only-volumes', ['!all', 'volumes'], Accept(reads=['list_volume']), None),
            ('files-check', 'files_check', Accept(reads=['check_file']), None),
            ('tasks', 'tasks', Accept(reads=['tasks']), None),
            ('system', ['system'], Accept(reads=['system']), None),
            ('jobs-text', 'devices,tasks', Accept(reads=['tasks', 'devices']), None),
            ('no-jobs', ['!tasks', '!devices', '!system'], Accept(reads=SHARE_READS), None),
            ('all-but-shares', ['!shares'], Accept(reads=['list_storage', 'list_volume', 'check_file', 'tasks', 'devices',
                                                          'system']), None),
            ('unknown-job-subset', ['task'], Reject(unknown, "'task'"), None),
        ]}
    if module == 'directory':
        many = ['%s/d%04d' % (ROOT, index) for index in range(1000)]
        too_many = many + [ROOT + '/one-more']
        return {'paths': [
            ('empty-text', '', Reject('a path must be a non-empty string'), None),
            ('empty-element', [''], Reject('a path must be a non-empty string'), None),
            ('none-element', [None], Reject('a path must be a non-empty string'), None),
            ('relative', ['volume1/abb/pc'], Reject('is relative'), None),
            ('int-element', [123], Reject('is relative'), None),
            ('nested-list', [[ROOT + '/pc']], Reject('is relative'), None),
            ('dotdot', [ROOT + '/../pc'], Reject('"." or ".." segment'), None),
            ('double-slash', ['/volume1//abb/pc'], Reject('empty segment (//)'), None),
            ('nul', [ROOT + '/pc\x00'], Reject('control character'), None),
            ('surrogate', [ROOT + '/' + SURROGATE], Reject(NOT_UNICODE), None),
            ('outside-volumes', ['/etc/pc'], Reject('not under /volumeN/<shared folder>/'), None),
            ('volume-only', ['/volume1'], Reject('not under /volumeN/<shared folder>/'), None),
            ('huge', [ROOT + '/' + HUGE], Reject('longer than 4095 bytes'), None),
            ('long-name', [ROOT + '/' + 'x' * 256], Reject('name longer than 255 bytes'), None),
            ('one-bad-among-good', [ROOT + '/a', ROOT + '/../b'], Reject('"." or ".." segment'), None),
            ('too-many', too_many, Reject('1001 distinct paths given', 'at most 1000'), None),
            ('huge-list', ['%s/d%06d' % (ROOT, index) for index in range(100000)], Reject('100000 distinct paths'), None),
            ('empty-list', [], Accept(listed=None, create=[]), None),
            ('trailing-slash', [ROOT + '/pc/'], Accept(create=[ROOT + '/pc']), None),
            ('one-text', ROOT + '/pc', Accept(create=[ROOT + '/pc']), None),
            ('comma-text', '%s/a,%s/b' % (ROOT, ROOT), Accept(create=[ROOT + '/a', ROOT + '/b']), None),
            ('duplicates', [ROOT + '/pc', ROOT + '/pc/', ROOT + '/pc'], Accept(create=[ROOT + '/pc']), None),
            ('unicode', ['%s/Ünïcødé dïr' % ROOT], Accept(create=['%s/Ünïcødé dïr' % ROOT]), None),
            ('quoted-share', ['/volume1/%s/a b' % QUOTED_SHARE],
             Accept(listed='/volume1/%s' % QUOTED_SHARE, create=['/volume1/%s/a b' % QUOTED_SHARE]), None),
            ('numeric', [ROOT + '/123'], Accept(create=[ROOT + '/123']), None),
            ('a-thousand', many, Accept(create=many), None),
        ]}
    if module == 'storage':
        cases = [(label, value, outcome, None) for label, value, outcome in share_name_cases(
            'share_name', ('share_name must be the name of a shared folder',))]
        cases += [(label, value, Accept(share_name=name), None) for label, value, name in UNUSUAL_SHARE_NAMES]
        cases += [
            ('bool-becomes-text', True, Accept(share_name='True'), None),
            ('leading-space', ' ABB', Accept(share_name=' ABB'), None),
            ('form-characters', 'a&b=c%20d+e;f', Accept(share_name='a&b=c%20d+e;f'), None),
            ('longest', 'x' * 255, Accept(share_name='x' * 255), None),
            ('longest-unicode', 'é' * 127, Accept(share_name='é' * 127), None),
            ('numeric-absent', '123', Accept(share_name='123', is_remove_data=False), {'state': 'absent'}),
        ]
        return {
            'share_name': cases,
            'state': [('absent', 'absent', Accept(is_remove_data=False), None)],
            'wait': [('false', False, Accept(), None), ('no-text', 'no', Accept(), None)],
            'wait_timeout': [
                ('zero', 0, Reject('at least 1 second'), None),
                ('negative', -1, Reject('at least 1 second'), None),
                ('above-a-day', 86401, Reject('between 1 and 86400 seconds'), None),
                ('enormous', 10 ** 400, Reject('between 1 and 86400', 'digits'), None),
                ('one', 1, Accept(), None),
                ('one-day', 86400, Accept(), None),
                ('numeric-text', '600', Accept(), None),
            ],
            'remove_data': [
                ('true-absent', True, Accept(is_remove_data=True), {'state': 'absent'}),
                ('yes-text-absent', 'yes', Accept(is_remove_data=True), {'state': 'absent'}),
                ('false-absent', False, Accept(is_remove_data=False), {'state': 'absent'}),
            ],
            'force': [('true-absent', True, Accept(is_remove_data=False), {'state': 'absent'})],
        }
    if module == 'session':
        given = {'sid': 'given-sid-0001', 'synotoken': 'given-token-01'}
        return {
            'state': [
                ('absent', 'absent', Accept(session=given), {'session': given}),
                ('absent-without-session', 'absent', Reject('give the session returned by state=present', name='session'),
                 None),
                ('present-without-credentials', 'present', Reject('give username and password', name='username'),
                 {'username': OMIT, 'password': OMIT, 'session': given}),
            ],
            'request_device_token': [
                ('true', True, Accept(enable_device_token=True), None),
                ('yes-text', 'yes', Accept(enable_device_token=True), None),
            ],
        }
    if module in JOB_PROFILES:
        return JOB_PROFILES[module]()
    return {}


# --- the monitoring modules ------------------------------------------------------------------------------------------

# Tasks the fake NAS lists (task_id, task_name); names are matched exactly.
UNICODE_TASK = 'Tâche 日本'
FORM_TASK = 'a&b=c%20d+e;f'
NAS_TASKS = [(4, 'pc-daily'), (5, UNICODE_TASK), (6, '123'), (7, QUOTED_SHARE), (8, FORM_TASK)]
NAS_APIS = {
    'SYNO.API.Auth': {'path': 'entry.cgi', 'minVersion': 1, 'maxVersion': 7},
    'SYNO.ActiveBackup.Share': {'path': 'entry.cgi', 'minVersion': 1, 'maxVersion': 1},
    'SYNO.ActiveBackup.Task': {'path': 'entry.cgi', 'minVersion': 1, 'maxVersion': 1},
    'SYNO.DSM.Info': {'path': 'entry.cgi', 'minVersion': 1, 'maxVersion': 2},
}
ABB_APIS = ['SYNO.ActiveBackup.Share', 'SYNO.ActiveBackup.Task']
TASK_ID_RANGE = 'must be between 1 and 2147483647'


def name_cases(option):
    """Bad task, device or keyword texts: refused by the collection before any request."""
    return [
        ('empty', '', Reject('%s must be a non-empty name' % option), None),
        ('blank', '   ', Reject('%s must be a non-empty name' % option), None),
        ('nul', 'pc\x00daily', Reject(CONTROL), None),
        ('newline', 'pc-daily\n', Reject(CONTROL), None),
        ('tab', 'pc\tdaily', Reject(CONTROL), None),
        ('escape', 'pc\x1b[31m', Reject(CONTROL), None),
        ('delete', 'pc\x7f', Reject(CONTROL), None),
        ('surrogate', SURROGATE, Reject(NOT_UNICODE), None),
        ('huge', HUGE, Reject('longer than 1024 characters', '100000 given'), None),
        ('1025', 'x' * 1025, Reject('longer than 1024 characters'), None),
    ]


def task_id_cases(accepted):
    """task_id values: out of range (refused by the collection) and accepted ones (``accepted(task_id)`` -> Accept)."""
    return [
        ('zero', 0, Reject(TASK_ID_RANGE), None),
        ('negative', -1, Reject(TASK_ID_RANGE), None),
        ('too-big', 2 ** 31, Reject(TASK_ID_RANGE), None),
        ('enormous', 10 ** 400, Reject(TASK_ID_RANGE, 'digits'), None),
        ('enormous-negative', -10 ** 400, Reject(TASK_ID_RANGE, 'digits'), None),
        ('bool', True, Reject('whole number'), None),
        ('one', 1, accepted(1), None),
        ('numeric-text', '5', accepted(5), None),
        ('largest', 2 ** 31 - 1, accepted(2 ** 31 - 1), None),
    ]


def limit_cases():
    return [
        ('zero', 0, Reject('limit must be at least 1 (got 0)', 'leave it out'), None),
        ('negative', -5, Reject('limit must be at least 1 (got -5)'), None),
        ('too-big', 100001, Reject('between 1 and 100000'), None),
        ('enormous', 10 ** 400, Reject('between 1 and 100000', 'digits'), None),
        ('enormous-negative', -10 ** 400, Reject('between 1 and 100000', 'digits'), None),
        ('bool', True, Reject('whole number'), None),
        ('one', 1, Accept(limit=1), None),
        ('numeric-text', '3', Accept(limit=3), None),
        ('one-page', 500, Accept(limit=500), None),
        ('beyond-a-page', 501, Accept(limit=501), None),
    ]


def since_cases():
    midnight = 1733270400  # 2024-12-04T00:00:00Z
    future = 'is in the future'
    nothing = 'is neither epoch seconds, an ISO 8601 date-time nor a duration'
    return [
        ('future-date', '2999-01-01', Reject(future), None),
        ('future-epoch', 99999999999, Reject(future), None),
        ('future-epoch-text', '99999999999', Reject(future), None),
        ('future-iso', '2999-01-01T00:00:00Z', Reject(future), None),
        ('garbage', 'yesterday', Reject(nothing), None),
        ('empty', '', Reject(nothing), None),
        ('upper-case-unit', '24H', Reject(nothing), None),
        ('fraction-duration', '1.5d', Reject(nothing), None),
        ('milliseconds', '1733270400000', Reject(nothing), None),
        ('bad-month', '2024-13-01', Reject(nothing), None),
        ('slashes', '2024/12/04', Reject(nothing), None),
        ('list', ['24h'], Reject(nothing), None),
        ('dict', {'a': 1}, Reject(nothing), None),
        ('infinite', float('inf'), Reject(nothing), None),
        ('huge', HUGE, Reject(nothing, '100000 characters'), None),
        ('nul', '24h\x00', Reject(CONTROL), None),
        ('surrogate', '24h' + SURROGATE, Reject(NOT_UNICODE), None),
        ('bool', True, Reject('must be epoch seconds, an ISO 8601 date-time or a duration'), None),
        ('negative', -1, Reject('before 1970'), None),
        ('huge-duration', '999999w', Reject('before 1970'), None),
        ('epoch', midnight, Accept(filter={'from_timestamp': midnight}), None),
        ('epoch-text', str(midnight), Accept(filter={'from_timestamp': midnight}), None),
        ('zero', 0, Accept(filter={'from_timestamp': 0}), None),
        ('iso-z', '2024-12-04T00:00:00Z', Accept(filter={'from_timestamp': midnight}), None),
        ('iso-offset', '2024-12-04T01:00:00+01:00', Accept(filter={'from_timestamp': midnight}), None),
        ('iso-no-offset-is-utc', '2024-12-04T00:00:00', Accept(filter={'from_timestamp': midnight}), None),
        ('date-only', '2024-12-04', Accept(filter={'from_timestamp': midnight}), None),
        ('minutes', '90m', Accept(since_delta=5400), None),
        ('hours', '24h', Accept(since_delta=86400), None),
        ('days', '7d', Accept(since_delta=7 * 86400), None),
        ('weeks', '2w', Accept(since_delta=14 * 86400), None),
        ('padded', ' 24h ', Accept(since_delta=86400), None),
    ]


def task_name_cases(accepted, extra=None):
    """task_name for the modules that resolve it to a task_id (one Task.list first)."""
    cases = [(label, value, outcome, extra) for label, value, outcome, dummy in name_cases('task_name')]
    cases += [
        ('with-task_id', 'pc-daily', Reject('mutually exclusive', stage='spec'), {'task_id': 4}),
        ('name', 'pc-daily', accepted(4), extra),
        ('unicode', UNICODE_TASK, accepted(5), extra),
        ('numeric', '123', accepted(6), extra),
        ('int-becomes-text', 123, accepted(6), extra),
        ('quotes', QUOTED_SHARE, accepted(7), extra),
        ('form-characters', FORM_TASK, accepted(8), extra),
    ]
    return cases


def enum_cases(option, names, numbers, key):
    return [
        ('empty-list', [], Reject('%s is empty' % option), None),
        ('one', [names[0]], Accept(filter={key: [numbers[0]]}), None),
        ('comma-text', ','.join(names[:2]), Accept(filter={key: numbers[:2]}), None),
        ('duplicates', [names[1], names[1], names[0]], Accept(filter={key: [numbers[1], numbers[0]]}), None),
        ('every-name', list(names), Accept(filter={key: list(numbers)}), None),
    ]


def _task_info_profile():
    names = [(label, value, outcome, None) for label, value, outcome, dummy in name_cases('name')]
    names += [
        ('with-task_id', 'pc-daily', Reject('mutually exclusive', stage='spec'), {'task_id': 4}),
        ('exact', 'pc-daily', Accept(tasks=['pc-daily']), None),
        ('unicode', UNICODE_TASK, Accept(tasks=[UNICODE_TASK]), None),
        ('numeric', '123', Accept(tasks=['123']), None),
        ('int-becomes-text', 123, Accept(tasks=['123']), None),
        ('quotes', QUOTED_SHARE, Accept(tasks=[QUOTED_SHARE]), None),
        ('form-characters', FORM_TASK, Accept(tasks=[FORM_TASK]), None),
        ('other-case', 'PC-DAILY', Accept(tasks=[]), None),
        ('trailing-space', 'pc-daily ', Accept(tasks=[]), None),
        ('bool-becomes-text', True, Accept(tasks=[]), None),
        ('longest', 'x' * 1024, Accept(tasks=[]), None),
    ]
    return {
        'name': names,
        'task_id': task_id_cases(lambda task_id: Accept(filter={'task_id': task_id})),
        'backup_type': [('vm', 'vm', Accept(filter={'backup_type': 1}), None),
                        ('nas', 'nas', Accept(filter={'backup_type': 5}), None),
                        ('file_server', 'file_server', Accept(filter={'backup_type': 4}), None)],
        'with_versions': [('true', True, Accept(versions=True), None), ('yes-text', 'yes', Accept(versions=True), None),
                          ('false', False, Accept(), None)],
    }


def _device_info_profile():
    hosts = [(label, value, outcome, None) for label, value, outcome, dummy in name_cases('host_name')]
    hosts += [
        ('name', 'pc-01', Accept(filter={'host_name': 'pc-01'}), None),
        ('unicode', 'Pöste 日本', Accept(filter={'host_name': 'Pöste 日本'}), None),
        ('int-becomes-text', 123, Accept(filter={'host_name': '123'}), None),
        ('form-characters', FORM_TASK, Accept(filter={'host_name': FORM_TASK}), None),
        ('address', '192.0.2.21', Accept(filter={'host_name': '192.0.2.21'}), None),
    ]
    return {
        'host_name': hosts,
        'backup_type': [('pc', 'pc', Accept(filter={'backup_type': 2}), None),
                        ('physical_server', 'physical_server', Accept(filter={'backup_type': 3}), None)],
    }


def _version_info_profile():
    return {
        'task_name': task_name_cases(lambda task_id: Accept(by_name=True, task_id=task_id), {'task_id': OMIT}),
        'task_id': task_id_cases(lambda task_id: Accept(task_id=task_id)) + [
            ('neither', OMIT, Reject('one of the following is required', stage='spec'), None)],
        'limit': limit_cases(),
    }


def _result_info_profile():
    statuses = ['failed', 'cancelled', 'none', 'incomplete', 'success', 'partial', 'no_backup']
    return {
        'task_name': task_name_cases(lambda task_id: Accept(by_name=True, task_id=task_id)),
        'task_id': task_id_cases(lambda task_id: Accept(task_id=task_id)),
        'status': enum_cases('status', statuses, [4, 5, 0, 1, 2, 3, 6], 'status'),
        'since': since_cases(),
        'limit': limit_cases(),
    }


def _log_info_profile():
    keywords = [(label, value, outcome, None) for label, value, outcome, dummy in name_cases('keyword')]
    keywords += [
        ('word', 'disk', Accept(filter={'key_word': 'disk'}), None),
        ('unicode', 'échec 失敗', Accept(filter={'key_word': 'échec 失敗'}), None),
        ('form-characters', FORM_TASK, Accept(filter={'key_word': FORM_TASK}), None),
        ('quotes', QUOTED_SHARE, Accept(filter={'key_word': QUOTED_SHARE}), None),
        ('int-becomes-text', 1104, Accept(filter={'key_word': '1104'}), None),
        ('json-looking', '{"a": 1}', Accept(filter={'key_word': '{"a": 1}'}), None),
    ]
    return {
        'task_name': task_name_cases(lambda task_id: Accept(by_name=True, task_id=task_id)),
        'task_id': task_id_cases(lambda task_id: Accept(task_id=task_id)),
        'level': enum_cases('level', ['error', 'warning', 'info'], [0, 1, 2], 'log_level'),
        'keyword': keywords,
        'since': since_cases(),
        'limit': limit_cases(),
    }


def _api_info_profile():
    not_api = 'is not an API name (such as SYNO.ActiveBackup.Task) or a prefix ending in *'
    return {'query': [
        ('no-syno', ['ActiveBackup'], Reject(not_api), None),
        ('lower-case', ['syno.ActiveBackup.Task'], Reject(not_api), None),
        ('empty-list', [], Reject('query is empty'), None),
        ('empty-text', '', Reject(not_api), None),
        ('star-only', ['*'], Reject(not_api), None),
        ('star-inside', ['SYNO.*.Task'], Reject(not_api), None),
        ('double-star', ['SYNO.ActiveBackup.**'], Reject(not_api), None),
        ('double-dot', ['SYNO..Task'], Reject(not_api), None),
        ('trailing-dot', ['SYNO.ActiveBackup.'], Reject(not_api), None),
        ('space', ['SYNO.Active Backup'], Reject(not_api), None),
        ('dash', ['SYNO.Active-Backup'], Reject(not_api), None),
        ('question-mark', ['SYNO.ActiveBackup.Tas?'], Reject(not_api), None),
        ('nul', ['SYNO.A\x00'], Reject(not_api), None),
        ('newline', ['SYNO.ActiveBackup.Task\nX'], Reject(not_api), None),
        ('unicode', ['SYNO.Äctive'], Reject(not_api), None),
        ('surrogate', ['SYNO.' + SURROGATE], Reject(not_api), None),
        ('int-element', [5], Reject(not_api), None),
        ('huge', ['SYNO.' + HUGE], Reject('a pattern of 100005 characters', 'at most 200'), None),
        ('201-characters', ['SYNO.' + 'x' * 196], Reject('a pattern of 201 characters'), None),
        ('too-many', ['SYNO.X%d' % index for index in range(101)], Reject('101 patterns given', 'at most 100'), None),
        ('abb-prefix', ['SYNO.ActiveBackup.*'], Accept(query='SYNO.ActiveBackup.', apis=ABB_APIS), None),
        ('exact', ['SYNO.API.Auth'], Accept(query='SYNO.API.Auth', apis=['SYNO.API.Auth']), None),
        ('comma-text', 'SYNO.API.Auth,SYNO.DSM.Info',
         Accept(query='SYNO.API.Auth,SYNO.DSM.Info', apis=['SYNO.API.Auth', 'SYNO.DSM.Info']), None),
        ('star-without-dot', ['SYNO.Active*'], Accept(query='all', apis=ABB_APIS), None),
        ('padded', [' SYNO.API.Auth '], Accept(query='SYNO.API.Auth', apis=['SYNO.API.Auth']), None),
        ('duplicates', ['SYNO.API.Auth', 'SYNO.API.Auth'], Accept(query='SYNO.API.Auth', apis=['SYNO.API.Auth']), None),
        ('unknown-api', ['SYNO.Nothing.Here'], Accept(query='SYNO.Nothing.Here', apis=[]), None),
        ('200-characters', ['SYNO.' + 'x' * 195], Accept(query='SYNO.' + 'x' * 195, apis=[]), None),
        ('a-hundred', ['SYNO.X%d' % index for index in range(100)],
         Accept(query=','.join('SYNO.X%d' % index for index in range(100)), apis=[]), None),
    ]}


# --- the operating modules -------------------------------------------------------------------------------------------

WEEK = 'between 1 and 604800 seconds (one week)'
# Package settings the fake NAS lists (name, the text it stores); a secret-named one is never returned.
UNICODE_SETTING = 'réglage_日本'
SETTING_SECRET = 'Old-Sm7p-S3cret'
NAS_SETTINGS = [('max_concurrent_devices', '5'), ('retention_run_hour', '14'), ('enable_global_bandwidth_control', 'false'),
                ('full_backup_task_ids', ''), ('package_cert_id', 'dyAaL7'), ('smtp_password', SETTING_SECRET),
                (UNICODE_SETTING, 'défaut'), ('123', '0')]
DEFAULT_CHANGES = [('max_concurrent_devices', '10')]
NOT_A_SETTING_VALUE = 'each value must be a text, a whole number or a boolean'
NOT_AN_API = 'api must be the name of a DSM web API, starting with SYNO.'
NOT_A_METHOD = 'method must be the name of a method of SYNO.ActiveBackup.Task'
ENVELOPE = 'is set by the module itself'
NOT_JSON = 'cannot be sent as JSON text'
# What the fake NAS answers to the api module's call (secret-named keys at two depths).
API_DATA = {'tasks': [{'task_id': 4, 'task_name': 'pc-daily', 'agent_token': 'agent-tok-0001',
                       'devices': [{'device_id': 1, 'host_name': 'pc-01', 'login_password': 'login-pw-0001'}]}],
            'total': 1}


def _task_profile():
    by_name = {'task_id': OMIT}
    names = [(label, value, outcome, by_name) for label, value, outcome, dummy in name_cases('name')]
    names += [
        ('with-task_id', 'pc-daily', Reject('mutually exclusive', stage='spec'), None),
        ('neither', OMIT, Reject('one of the following is required: name, task_id', stage='spec'), by_name),
        ('name', 'pc-daily', Accept(task_id=4), by_name),
        ('unicode', UNICODE_TASK, Accept(task_id=5), by_name),
        ('numeric', '123', Accept(task_id=6), by_name),
        ('int-becomes-text', 123, Accept(task_id=6), by_name),
        ('quotes', QUOTED_SHARE, Accept(task_id=7), by_name),
        ('form-characters', FORM_TASK, Accept(task_id=8), by_name),
        ('stopped-running', 'pc-daily', Accept(task_id=4, running=True), dict(by_name, state='stopped')),
        ('with-wait', UNICODE_TASK, Accept(task_id=5), dict(by_name, wait=True)),
    ]
    task_ids = task_id_cases(lambda task_id: Accept(task_id=task_id))
    task_ids += [
        ('with-name', 4, Reject('mutually exclusive', stage='spec'), {'name': 'pc-daily'}),
        ('neither', OMIT, Reject('one of the following is required: name, task_id', stage='spec'), None),
        ('stopped-running', 4, Accept(task_id=4, running=True), {'state': 'stopped'}),
    ]
    return {
        'name': names,
        'task_id': task_ids,
        'state': [
            ('started', 'started', Accept(), None),
            ('started-running', 'started', Accept(running=True), None),
            ('stopped-idle', 'stopped', Accept(), None),
            ('stopped-running', 'stopped', Accept(running=True), None),
            ('stopped-running-by-name', 'stopped', Accept(task_id=6, running=True), {'task_id': OMIT, 'name': '123'}),
        ],
        'wait': [
            ('true', True, Accept(), None),
            ('yes-text', 'yes', Accept(), None),
            ('false', False, Accept(), None),
            ('true-already-running', True, Accept(running=True), None),
            ('true-stopped-running', True, Accept(running=True), {'state': 'stopped'}),
            ('true-stopped-idle', True, Accept(), {'state': 'stopped'}),
        ],
        'wait_timeout': [
            ('zero', 0, Reject('wait_timeout must be at least 1 second (got 0)', 'wait: false'), None),
            ('zero-with-wait', 0, Reject('wait_timeout must be at least 1 second'), {'wait': True}),
            ('negative', -1, Reject('wait_timeout must be at least 1 second (got -1)'), None),
            ('above-a-week', 604801, Reject(WEEK, '(got 604801)'), None),
            ('a-year', 365 * 86400, Reject(WEEK), {'wait': True}),
            ('enormous', 10 ** 400, Reject(WEEK, 'digits'), None),
            ('enormous-negative', -10 ** 400, Reject(WEEK, 'digits'), None),
            ('bool', True, Reject('whole number'), None),
            ('one', 1, Accept(), {'wait': True}),
            ('one-week', 604800, Accept(), {'wait': True}),
            ('one-week-no-wait', 604800, Accept(), None),
            ('numeric-text', '600', Accept(), {'wait': True}),
        ],
    }


def _settings_profile():
    many = dict(('s%03d' % index, 1) for index in range(200))
    many_on_nas = [('s%03d' % index, '0') for index in range(200)]
    return {'settings': [
        ('empty', {}, Reject('settings is empty'), None),
        ('null', None, Reject('NoneType', 'dict', stage='spec'), None),
        ('value-list', {'max_concurrent_devices': [5]}, Reject("'max_concurrent_devices' is a list", NOT_A_SETTING_VALUE),
         None),
        ('value-empty-list', {'max_concurrent_devices': []}, Reject('is a list'), None),
        ('value-dict', {'max_concurrent_devices': {'value': 5}}, Reject('is a dict', NOT_A_SETTING_VALUE), None),
        ('value-null', {'max_concurrent_devices': None}, Reject('is nothing (null)', NOT_A_SETTING_VALUE), None),
        ('value-float', {'max_concurrent_devices': 1.5}, Reject('is a float', 'Quote a decimal number ("1.5")'), None),
        ('value-whole-float', {'max_concurrent_devices': 10.0}, Reject('is a float', '("10.0")'), None),
        ('value-infinite', {'max_concurrent_devices': float('inf')}, Reject('is a float'), None),
        ('value-nul', {'retention_run_hour': '1\x004'}, Reject('the value of retention_run_hour', CONTROL), None),
        ('value-newline', {'retention_run_hour': '14\n'}, Reject('the value of retention_run_hour', CONTROL), None),
        ('value-escape', {'package_cert_id': '\x1b[31m'}, Reject(CONTROL), None),
        ('value-surrogate', {'package_cert_id': SURROGATE}, Reject('the value of package_cert_id', NOT_UNICODE), None),
        ('value-too-long', {'package_cert_id': 'x' * 65537}, Reject('longer than 65536 characters'), None),
        ('value-huge', {'package_cert_id': HUGE * 2}, Reject('longer than 65536 characters'), None),
        ('name-empty', {'': 5}, Reject('every name must be a non-empty text'), None),
        ('name-blank', {'   ': 5}, Reject('every name must be a non-empty text'), None),
        ('name-int', {5: 5}, Reject('every name must be a non-empty text (got 5)'), None),
        ('name-bool', {True: 5}, Reject('every name must be a non-empty text (got True)'), None),
        ('name-nul', {'max\x00devices': 5}, Reject(CONTROL), None),
        ('name-tab', {'max\tdevices': 5}, Reject(CONTROL), None),
        ('name-newline', {'max_concurrent_devices\n': 5}, Reject(CONTROL), None),
        ('name-escape', {'max\x1b[31m': 5}, Reject(CONTROL), None),
        ('name-delete', {'max\x7f': 5}, Reject(CONTROL), None),
        ('name-surrogate', {SURROGATE: 5}, Reject(NOT_UNICODE), None),
        ('name-257', {'n' * 257: 5}, Reject('is too long'), None),
        ('name-huge', {HUGE: 5}, Reject('is too long', '100000 characters'), None),
        ('one-bad-among-good', {'max_concurrent_devices': 10, 'retention_run_hour': [2]},
         Reject("'retention_run_hour' is a list"), None),
        ('too-many', dict(many, s200=1), Reject('201 given', 'at most 200'), None),
        ('secret-value-nul', {'smtp_password': 'N3w\x00S3cret'}, Reject('the value of smtp_password', CONTROL,
                                                                        hidden=('N3w', 'S3cret')), None),
        ('secret-value-list', {'smtp_password': ['N3w-S3cret']}, Reject('is a list', hidden=('N3w-S3cret',)), None),
        ('secret-value-float', {'smtp_password': 1234.5}, Reject('is a float', hidden=('1234.5',)),
         None),
        ('int', {'max_concurrent_devices': 10}, Accept(), None),
        ('numeric-text', {'max_concurrent_devices': '10'}, Accept(), None),
        ('unchanged-int', {'max_concurrent_devices': 5}, Accept(changes=[]), None),
        ('unchanged-text', {'retention_run_hour': '14'}, Accept(changes=[]), None),
        ('bool-true', {'enable_global_bandwidth_control': True},
         Accept(changes=[('enable_global_bandwidth_control', 'true')]), None),
        ('bool-false-unchanged', {'enable_global_bandwidth_control': False}, Accept(changes=[]), None),
        ('yes-text-stays-text', {'enable_global_bandwidth_control': 'yes'},
         Accept(changes=[('enable_global_bandwidth_control', 'yes')]), None),
        ('zero', {'retention_run_hour': 0}, Accept(changes=[('retention_run_hour', '0')]), None),
        ('negative', {'retention_run_hour': -1}, Accept(changes=[('retention_run_hour', '-1')]), None),
        ('enormous-int', {'retention_run_hour': 10 ** 400}, Accept(changes=[('retention_run_hour', str(10 ** 400))]), None),
        ('empty-text', {'package_cert_id': ''}, Accept(changes=[('package_cert_id', '')]), None),
        ('empty-unchanged', {'full_backup_task_ids': ''}, Accept(changes=[]), None),
        ('blank-text', {'package_cert_id': '   '}, Accept(changes=[('package_cert_id', '   ')]), None),
        ('unicode-value', {'package_cert_id': 'cért 日本'}, Accept(changes=[('package_cert_id', 'cért 日本')]), None),
        ('quotes-value', {'package_cert_id': QUOTED_SHARE}, Accept(changes=[('package_cert_id', QUOTED_SHARE)]), None),
        ('form-characters', {'package_cert_id': FORM_TASK}, Accept(changes=[('package_cert_id', FORM_TASK)]), None),
        ('json-looking-text', {'full_backup_task_ids': '[4,5]'}, Accept(changes=[('full_backup_task_ids', '[4,5]')]), None),
        ('longest-value', {'package_cert_id': 'x' * 65536}, Accept(changes=[('package_cert_id', 'x' * 65536)]), None),
        ('unicode-name', {UNICODE_SETTING: 'neu'}, Accept(changes=[(UNICODE_SETTING, 'neu')]), None),
        ('numeric-name', {'123': 1}, Accept(changes=[('123', '1')]), None),
        ('longest-name', {'n' * 256: 'v'}, Accept(changes=[('n' * 256, 'v')], nas=[('n' * 256, '')]), None),
        ('key-value-text', 'max_concurrent_devices=10', Accept(), None),
        ('json-text', '{"max_concurrent_devices": 10, "retention_run_hour": 2}',
         Accept(changes=[('max_concurrent_devices', '10'), ('retention_run_hour', '2')]), None),
        ('several-in-order', {'retention_run_hour': 2, 'max_concurrent_devices': 10, 'full_backup_task_ids': ''},
         Accept(changes=[('retention_run_hour', '2'), ('max_concurrent_devices', '10')]), None),
        ('secret-named', {'smtp_password': 'N3w-Sm7p-S3cret'}, Accept(changes=[('smtp_password', 'N3w-Sm7p-S3cret')]),
         None),
        ('nas-adjusts-the-value', {'max_concurrent_devices': 100},
         Accept(changes=[('max_concurrent_devices', '100')], stored={'max_concurrent_devices': '64'}), None),
        ('secret-named-stored-otherwise', {'smtp_password': 'N3w-Sm7p-S3cret'},
         Accept(changes=[('smtp_password', 'N3w-Sm7p-S3cret')], stored={'smtp_password': 'Adjusted-S3cret'}), None),
        ('two-hundred', many, Accept(changes=[(name, '1') for name in sorted(many)], nas=many_on_nas), None),
    ]}


def _api_profile():
    abb = 'SYNO.ActiveBackup.Task'
    apis = [(label, value, Reject(NOT_AN_API), None) for label, value in [
        ('no-syno', 'ActiveBackup.Task'), ('lower-case', 'syno.ActiveBackup.Task'), ('bare-syno', 'SYNO'),
        ('trailing-dot', 'SYNO.'), ('trailing-dot-name', 'SYNO.ActiveBackup.'), ('double-dot', 'SYNO..Task'),
        ('star', 'SYNO.ActiveBackup.*'), ('space', 'SYNO.Active Backup'), ('dash', 'SYNO.Active-Backup'),
        ('slash', 'SYNO.ActiveBackup/Task'), ('unicode', 'SYNO.ÄctiveBackup'), ('full-width-dot', 'SYNO．Task'),
        ('empty', ''), ('blank', '   '), ('nul', 'SYNO.A\x00'), ('newline-inside', 'SYNO.A\nB'), ('tab', 'SYNO.\tA'),
        ('surrogate', 'SYNO.' + SURROGATE), ('int', 123), ('bool', True), ('list', ['SYNO.ActiveBackup.Task']),
        ('huge', 'SYNO.' + HUGE), ('201-characters', 'SYNO.' + 'x' * 196)]]
    apis += [
        ('abb', abb, Accept(), None),
        ('other-abb', 'SYNO.ActiveBackup.Overview', Accept(api='SYNO.ActiveBackup.Overview'), None),
        ('not-abb-takes-the-highest', 'SYNO.Core.Package', Accept(api='SYNO.Core.Package', high=3), None),
        ('padded', ' %s ' % abb, Accept(), None),
        ('trailing-newline', abb + '\n', Accept(), None),
        ('digits-underscores', 'SYNO.Core_2.X_1', Accept(api='SYNO.Core_2.X_1'), None),
        ('200-characters', 'SYNO.' + 'x' * 195, Accept(api='SYNO.' + 'x' * 195), None),
    ]
    methods = [(label, value, Reject(NOT_A_METHOD), None) for label, value in [
        ('empty', ''), ('blank', '   '), ('semicolon', 'list;rm'), ('space', 'list all'), ('dash', 'list-all'),
        ('dot', 'list.x'), ('leading-digit', '1list'), ('int', 123), ('unicode', 'lïst'), ('nul', 'list\x00'),
        ('newline-inside', 'li\nst'), ('surrogate', 'list' + SURROGATE), ('huge', HUGE), ('201-characters', 'a' * 201)]]
    methods += [
        ('list', 'list', Accept(), None),
        ('padded', ' list ', Accept(), None),
        ('upper-case-read', 'List', Accept(method='List'), None),
        ('get-read', 'get_info', Accept(method='get_info'), None),
        ('set-write', 'set', Accept(method='set', read_only=False), None),
        ('underscore-write', '_private', Accept(method='_private', read_only=False), None),
        ('bool-becomes-text', True, Accept(method='True', read_only=False), None),
        ('200-characters', 'a' * 200, Accept(method='a' * 200, read_only=False), None),
    ]
    params = [
        ('api-key', {'api': 'SYNO.X'}, Reject('params: api ' + ENVELOPE), None),
        ('version-key', {'version': 2}, Reject('params: version ' + ENVELOPE), None),
        ('method-key', {'method': 'get'}, Reject('params: method ' + ENVELOPE), None),
        ('sid-key', {'_sid': 'given-sid-0001'}, Reject('params: _sid ' + ENVELOPE, hidden=('given-sid-0001',)), None),
        ('synotoken-key', {'SynoToken': 'given-token-01'},
         Reject('params: SynoToken ' + ENVELOPE, hidden=('given-token-01',)), None),
        ('empty-name', {'': 1}, Reject('every name must be a non-empty text'), None),
        ('blank-name', {'  ': 1}, Reject('every name must be a non-empty text'), None),
        ('int-name', {1: 'a'}, Reject('every name must be a non-empty text', '(got 1)'), None),
        ('nul-name', {'a\x00': 1}, Reject('without control characters'), None),
        ('newline-name', {'a\nb': 1}, Reject('without control characters'), None),
        ('surrogate-name', {SURROGATE: 1}, Reject('every name must be a non-empty text'), None),
        ('set-value', {'a': {1, 2}}, Reject('the value of a ' + NOT_JSON, '(a set)'), None),
        ('bytes-value', {'a': b'x'}, Reject('the value of a ' + NOT_JSON, '(a bytes)'), None),
        ('object-value', {'a': object()}, Reject('the value of a ' + NOT_JSON, '(a object)'), None),
        ('nested-set', {'filter': {'ids': {1}}}, Reject('the value of filter ' + NOT_JSON, '(a dict)'), None),
        ('secret-not-json', {'passwd': b'S3cret-bytes'}, Reject(NOT_JSON, hidden=('S3cret',)), None),
        ('nan-value', {'a': float('nan')}, Reject('the value of a ' + NOT_JSON), None),
        ('infinite-value', {'a': float('-inf')}, Reject('the value of a ' + NOT_JSON), None),
        ('surrogate-value', {'a': SURROGATE}, Reject('the value of a'), None),
        ('nested-surrogate-value', {'filter': {'name': 'pc' + SURROGATE}}, Reject('the value of filter'),
         None),
        ('empty', {}, Accept(), None),
        ('null', None, Accept(), None),
        ('load', {'load_devices': True, 'filter': {'task_id': 4}},
         Accept(sent={'load_devices': True, 'filter': {'task_id': 4}}), None),
        ('null-value-left-out', {'a': None, 'b': 1}, Accept(sent={'b': 1}), None),
        ('unicode', {'name': UNICODE_TASK, 'nöm': 'ü'}, Accept(sent={'name': UNICODE_TASK, 'nöm': 'ü'}), None),
        ('quotes-form', {'name': QUOTED_SHARE, 'q': FORM_TASK}, Accept(sent={'name': QUOTED_SHARE, 'q': FORM_TASK}), None),
        ('control-characters-in-a-value', {'name': 'a\x00b\nc'}, Accept(sent={'name': 'a\x00b\nc'}), None),
        ('huge-value', {'name': HUGE}, Accept(sent={'name': HUGE}), None),
        ('numbers', {'offset': 0, 'limit': -1, 'big': 10 ** 20, 'ratio': 0.5},
         Accept(sent={'offset': 0, 'limit': -1, 'big': 10 ** 20, 'ratio': 0.5}), None),
        ('lists', {'task_ids': [4, 5], 'empty': []}, Accept(sent={'task_ids': [4, 5], 'empty': []}), None),
        ('key-value-text', 'load_devices=true', Accept(sent={'load_devices': 'true'}), None),
        ('json-text', '{"offset": 0, "limit": 10}', Accept(sent={'offset': 0, 'limit': 10}), None),
        ('secret-named', {'passwd': 'Xyz-S3cret'}, Accept(sent={'passwd': 'Xyz-S3cret'}), None),
        ('write', {'task_ids': [4]}, Accept(method='backup', read_only=False, sent={'task_ids': [4]}), {'method': 'backup'}),
    ]
    versions = [
        ('zero', 0, Reject('version must be between 1 and 1000 (got 0)'), None),
        ('negative', -1, Reject('version must be between 1 and 1000 (got -1)'), None),
        ('too-big', 1001, Reject('version must be between 1 and 1000'), None),
        ('enormous', 10 ** 400, Reject('between 1 and 1000', 'digits'), None),
        ('enormous-negative', -10 ** 400, Reject('between 1 and 1000', 'digits'), None),
        ('bool', True, Reject('version must be a whole number'), None),
        ('one', 1, Accept(version=1), None),
        ('numeric-text', '2', Accept(version=2), None),
        ('highest', 1000, Accept(version=1000, high=1000), None),
        ('null-is-the-default', None, Accept(), None),
        ('given-for-another-api', 3, Accept(api='SYNO.Core.Package', version=3, high=7), {'api': 'SYNO.Core.Package'}),
    ]
    return {
        'api': apis,
        'method': methods,
        'params': params,
        'version': versions,
        'read_only': [
            ('true-on-a-write-method', True, Accept(method='set'), {'method': 'set'}),
            ('false-on-a-read-method', False, Accept(read_only=False), None),
            ('no-text', 'no', Accept(read_only=False), None),
            ('yes-text', 'yes', Accept(method='delete'), {'method': 'delete'}),
            ('null-is-the-default', None, Accept(), None),
        ],
        'redact': [
            ('false', False, Accept(redact=False), None),
            ('no-text', 'no', Accept(redact=False), None),
            ('true', True, Accept(), None),
            ('yes-text', 'yes', Accept(), None),
        ],
    }


JOB_PROFILES = {
    'task_info': _task_info_profile,
    'device_info': _device_info_profile,
    'version_info': _version_info_profile,
    'result_info': _result_info_profile,
    'log_info': _log_info_profile,
    'api_info': _api_info_profile,
    'task': _task_profile,
    'settings': _settings_profile,
    'api': _api_profile,
}


def all_rows():
    rows = []
    for module in sorted(OPERATIONS):
        operation = OPERATIONS[module]
        rows.extend(spec_rows(module, operation))
        profiles = dict(connection_profile(module))
        profiles.update(module_profile(module))
        for option in sorted(operation.argument_spec):
            for label, value, outcome, extra in profiles.get(option, []):
                rows.append(Row(module, option, label, value, outcome, extra))
    return rows


ROWS = all_rows()


# --- the expected exchange of an accepted row --------------------------------------------------------------------------

def _share(name):
    return {'name': name, 'path': '/volume1/%s' % name, 'relinkable': True, 'storage_id': 0, 'free_space': 1024}


def _storage(name, storage_id=7):
    return {'share_name': name, 'storage_id': storage_id, 'volume_path': '/volume1', 'backup_tasks': [],
            'device_count': 0, 'dedup_size': 0, 'relink_state': dict(LINKED)}


READ_DATA = {
    'list': {'default_share': 'ActiveBackupforBusiness', 'shares': [_share(name) for name in NAS_SHARES]},
    'list_encrypted': {'shares': []},
    'list_storage': {'storages': [_storage(name, index + 1) for index, name in enumerate(NAS_SHARES)]},
    'list_volume': {'volumes': [{'volume_path': path, 'total_bytes': '1000', 'used_bytes': '250'} for path in NAS_VOLUMES]},
    'check_file': {'error_files': []},
    'tasks': {'tasks': [], 'total': 0},
    'devices': {'devices': [], 'total': 0},
    'system': {'model': 'DS1821+', 'serial': '2150ABC123', 'version': '69057'},
}
# What each read is on the wire: (api, method, version, params).
READ_CALLS = dict(((method, ('SYNO.ActiveBackup.Share', method, 1, None)) for method in SHARE_READS),
                  tasks=('SYNO.ActiveBackup.Task', 'list', 1, {'load_status': True, 'load_result': True,
                                                               'load_devices': True, 'load_versions': True,
                                                               'offset': 0, 'limit': 500}),
                  devices=('SYNO.ActiveBackup.Device', 'list', 1, {'load_result': True, 'offset': 0, 'limit': 500}),
                  system=('SYNO.DSM.Info', 'getinfo', 2, None))
READ_FACTS = {'list': 'shares', 'list_encrypted': 'encrypted_shares', 'list_storage': 'storages', 'list_volume': 'volumes',
              'check_file': 'error_files', 'tasks': 'tasks', 'devices': 'devices', 'system': 'system'}


def _reads(methods):
    """The requests of ``_api.read_all``: one call alone, several in one SYNO.Entry.Request."""
    if not methods:
        return []
    if len(methods) == 1:
        api, method, version, params = READ_CALLS[methods[0]]
        return [Expect(api, method, version=version, params=dict(params or {})).answer(READ_DATA[methods[0]])]
    return [Expect.compound_of([READ_CALLS[method] for method in methods], [READ_DATA[method] for method in methods])]


def module_calls(module, params, wire):
    """The requests of the operation itself (between login and logout)."""
    if module == 'share_info':
        return _reads(['list', 'list_encrypted'])
    if module == 'storage_info':
        return _reads(wire.get('reads', ['list_storage']))
    if module == 'volume_info':
        return _reads(['list_volume'])
    if module == 'file_info':
        return [Expect.abb('list_file', {'root_path': wire.get('root_path', ROOT)},
                           data={'files': [{'name': 'pc', 'path': ROOT + '/pc', 'isdir': True}], 'total': 1})]
    if module == 'facts':
        return _reads(wire.get('reads', ALL_READS))
    if module == 'directory':
        listed = wire.get('listed', ROOT)
        create = wire.get('create', [ROOT + '/pc'])
        calls = []
        if listed is not None:
            calls.append(Expect.abb('list_file', {'root_path': listed}, data={'files': [], 'total': 0}))
        if create:
            calls.append(Expect.abb('create_fs_dir', {'paths': create}))
        return calls
    if module == 'storage':
        name = wire.get('share_name', 'ABB-Migrated')
        if params['state'] == 'absent':
            return [
                Expect.abb('list_storage', {}, data={'storages': [_storage(name)]}),
                Expect.abb('remove', {'share_name': name, 'is_remove_data': wire.get('is_remove_data', False),
                                      'storage_id': 7}),
                Expect.abb('list_storage', {}, data={'storages': []}),
            ]
        first = Expect.compound([('list', None), ('list_storage', None)], [
            {'default_share': 'ActiveBackupforBusiness', 'shares': [_share(name)]}, {'storages': []}])
        return [first, Expect.abb('relink', {'share_name': name}),
                Expect.abb('list_storage', {}, data={'storages': [_storage(name)]})]
    if module == 'session':
        return []
    if module in JOB_CALLS:
        return JOB_CALLS[module](params, wire)
    raise AssertionError('no exchange for module %s' % module)


LOAD = {'load_status': True, 'load_result': True, 'load_devices': True}


def _nas_tasks(task_id=None):
    tasks = [{'task_id': tid, 'task_name': name, 'backup_type': 2, 'devices': []} for tid, name in NAS_TASKS]
    if task_id is not None:
        tasks = [task for task in tasks if task['task_id'] == task_id] or [
            {'task_id': task_id, 'task_name': 'task-%d' % task_id, 'backup_type': 2}]
    return tasks


def _task_list(query=None, versions=False):
    """Task.list with status, results and devices (and versions), ``query`` as its filter; the NAS's tasks."""
    params = dict(LOAD, offset=0, limit=500)
    if versions:
        params['load_versions'] = True
    if query:
        params['filter'] = dict(query)
    tasks = _nas_tasks((query or {}).get('task_id'))
    return Expect.task('list', params, {'tasks': tasks, 'total': len(tasks)})


def _paged(expect, params, key, limit, make):
    """The pages of a list read up to ``limit`` (None: one short page of 3); ``make(offset, size)`` the entries."""
    count_key = 'count' if key in ('results', 'logs') else 'total'
    if limit is None:
        return [expect(dict(params, offset=0, limit=500), {key: make(0, 3), count_key: 3})]
    calls = []
    offset = 0
    while offset < limit:
        size = min(500, limit - offset)
        calls.append(expect(dict(params, offset=offset, limit=size), {key: make(offset, size), count_key: 10000}))
        offset += size
    return calls


def _task_info_calls(params, wire):
    return [_task_list(wire.get('filter'), versions=wire.get('versions', False))]


def _device_info_calls(params, wire):
    query = wire.get('filter')
    device_params = dict({'load_result': True}, **({'filter': dict(query)} if query else {}))
    devices = [{'device_id': 1, 'host_name': 'pc-01', 'backup_type': 2, 'agent_token': 'tok-0001'}]
    return [Expect.device('list', dict(device_params, offset=0, limit=500), {'devices': devices, 'total': 1})]


def _version_info_calls(params, wire):
    task_id = wire.get('task_id', params.get('task_id'))
    calls = [_task_list(None if wire.get('by_name') else {'task_id': task_id})]

    def make(offset, size):
        return [{'version_id': offset + index, 'status': 3, 'time_end': 10 ** 6 - offset - index} for index in range(size)]
    calls += _paged(Expect.versions, {'task_id': task_id}, 'versions', wire.get('limit'), make)
    return calls


def _history_calls(method, key, make):
    def calls_of(params, wire):
        calls = [_task_list()] if wire.get('by_name') else []
        query = dict(wire.get('filter', {}))
        if 'since_delta' in wire:
            query['from_timestamp'] = int(wire['now']) - wire['since_delta']
        sent = {}
        task_id = wire.get('task_id')
        if task_id is not None:
            sent['task_id'] = task_id
        if query:
            sent['filter'] = query
        return calls + _paged(lambda p, data: Expect.log(method, p, data), sent, key, wire.get('limit', 100), make)
    return calls_of


def _run_result(task_id, ended):
    """The last result of a task: an old one, or (``ended``) the one of the run this task waited for."""
    return {'result_id': (1000 if ended else 100) + task_id, 'task_id': task_id, 'status': 2, 'success_count': 1,
            'warning_count': 0, 'error_count': 0, 'none_count': 0}


def _task_read(task_id, by_name=False, running=False, ended=False):
    """Task.list as the task module reads it: every task (by name) or filtered by task_id; ``task_id`` running or not."""
    params = dict(LOAD, offset=0, limit=500)
    if not by_name:
        params['filter'] = {'task_id': task_id}
    tasks = []
    for task in _nas_tasks(None if by_name else task_id):
        entry = dict(task, last_result=_run_result(task['task_id'], ended and task['task_id'] == task_id))
        if running and task['task_id'] == task_id:
            entry['progress'] = {'running_task_status': 1, 'percentage': 0.5, 'pid': 4242}
        tasks.append(entry)
    return Expect.task('list', params, {'tasks': tasks, 'total': len(tasks)})


def _task_calls(params, wire):
    """The task's read; the start (idle task) or the cancel (running task); the re-read, or the poll that sees the end."""
    task_id = wire.get('task_id', 4)
    running = wire.get('running', False)
    calls = [_task_read(task_id, by_name=params.get('name') is not None, running=running)]
    if params['state'] == 'started':
        if not running:
            calls.append(Expect.task('backup', {'task_ids': [task_id], 'trigger_type': 1}))
        if params['wait']:
            calls.append(_task_read(task_id, ended=True))
        elif not running:
            calls.append(_task_read(task_id, running=True))
    elif running:
        calls.append(Expect.task('cancel', {'task_ids': [task_id]}))
        calls.append(_task_read(task_id))
    return calls


def _settings_listing(pairs):
    entries = [{'id': index + 1, 'name': name, 'value': value} for index, (name, value) in enumerate(pairs)]
    return Expect.call('SYNO.ActiveBackup.Setting', 'list', {}, {'settings': entries, 'cert_info': {}})


def _nas_settings(wire, changed=False):
    """The settings the fake NAS lists (name, text), before or after (``changed``) the row's Setting.set."""
    pairs = NAS_SETTINGS + list(wire.get('nas', []))
    if changed:
        changes = dict(wire.get('changes', DEFAULT_CHANGES))
        # ``stored``: what the NAS keeps instead of the value sent (it may adjust a value)
        changes.update(wire.get('stored', {}))
        pairs = [(name, changes.get(name, value)) for name, value in pairs]
    return pairs


def _settings_calls(params, wire):
    """Setting.list; when a named setting differs, one Setting.set of exactly those, then Setting.list again."""
    changes = wire.get('changes', DEFAULT_CHANGES)
    calls = [_settings_listing(_nas_settings(wire))]
    if changes:
        calls.append(Expect.call('SYNO.ActiveBackup.Setting', 'set',
                                 {'settings': [{'name': name, 'value': value} for name, value in changes]}))
        calls.append(_settings_listing(_nas_settings(wire, changed=True)))
    return calls


def _api_version(wire):
    api = wire.get('api', 'SYNO.ActiveBackup.Task')
    return wire.get('version', 1 if api.startswith('SYNO.ActiveBackup.') else wire.get('high', 3))


def _api_calls(params, wire):
    """SYNO.API.Info for the API (no session), then the call with its parameters as JSON text (login and logout
    around the call: see expected_exchange)."""
    api = wire.get('api', 'SYNO.ActiveBackup.Task')
    advertised = {api: {'path': 'entry.cgi', 'minVersion': 1, 'maxVersion': wire.get('high', 3), 'requestFormat': 'JSON'}}
    call = Expect(api, wire.get('method', 'list'), params=wire.get('sent', {}), version=_api_version(wire))
    return [Expect.info(advertised, query=api), call.answer(API_DATA)]


JOB_CALLS = {
    'task_info': _task_info_calls,
    'device_info': _device_info_calls,
    'version_info': _version_info_calls,
    'result_info': _history_calls('list_result', 'results', lambda offset, size: [
        {'result_id': offset + index, 'status': 2, 'backup_type': 2} for index in range(size)]),
    'log_info': _history_calls('list_log', 'logs', lambda offset, size: [
        {'log_id': offset + index, 'log_level': 2} for index in range(size)]),
    'api_info': lambda params, wire: [Expect.info(NAS_APIS, query=wire.get('query', 'SYNO.ActiveBackup.'))],
    'task': _task_calls,
    'settings': _settings_calls,
    'api': _api_calls,
}


def _login(params, wire):
    fields = {'account': wire.get('account', 'admin'), 'passwd': wire.get('passwd', PASSWORD), 'format': 'sid',
              'session': 'webui', 'enable_syno_token': 'yes'}
    if 'device_id' in wire:
        fields.update(device_id=wire['device_id'], device_name=wire.get('device_name', 'ansible'))
    elif 'otp_code' in wire:
        fields['otp_code'] = wire['otp_code']
    if wire.get('enable_device_token'):
        fields.update(enable_device_token='yes', device_name=wire.get('device_name', 'ansible'))
    extra = {'device_id': ISSUED_DEVICE_TOKEN} if wire.get('enable_device_token') else {}
    if 'otp_secret' not in wire:
        return Expect.login(params=fields, **extra)

    def check_code(request):
        sent = dict((k, v) for k, v in request.form.items() if k not in ('api', 'version', 'method'))
        code = sent.pop('otp_code', None)
        assert sent == fields, sent
        now = time.time()
        assert code in set(totp(wire['otp_secret'], now + delta) for delta in (-30, 0, 30)), code
    return Expect.login(**extra).inspect(check_code)


def expected_exchange(module, params, wire):
    """(expected requests, the session the script starts with) of an accepted row."""
    given = wire.get('session')
    calls = module_calls(module, params, wire)
    if module == 'session':
        if params['state'] == 'absent':
            return [Expect.logout()], given
        return [_login(params, wire)], given
    if module == 'api_info':
        # SYNO.API.Info needs no session: no login, no logout, whatever the credentials
        return calls, given
    if module == 'api':
        # the API's path and versions from SYNO.API.Info first (no session), then the login, the call and the logout
        if given is not None:
            return calls, given
        return [calls[0], _login(params, wire)] + calls[1:] + [Expect.logout()], None
    if not calls:
        return [], given
    if given is not None:
        return calls, given
    return [_login(params, wire)] + calls + [Expect.logout()], None


def check_result(module, params, wire, result):
    assert 'failed' not in result, result.get('msg')
    if module == 'share_info':
        want = wire.get('shares', NAS_SHARES)
        assert [share['name'] for share in result['shares']] == want
        assert result['encrypted_shares'] == []
    elif module == 'storage_info':
        assert [entry['share_name'] for entry in result['storages']] == wire.get('storages', NAS_SHARES)
        if 'check_file' in wire.get('reads', []):
            assert result['error_files'] == []
    elif module == 'volume_info':
        assert [entry['volume_path'] for entry in result['volumes']] == wire.get('volumes', NAS_VOLUMES)
    elif module == 'file_info':
        assert result['root_path'] == wire.get('root_path', ROOT)
        assert result['files'] == [{'name': 'pc', 'path': ROOT + '/pc', 'isdir': True}]
    elif module == 'facts':
        facts = result['ansible_facts']['activebackup']
        assert set(facts) - {'gathered_subsets', 'default_share'} == set(
            READ_FACTS[method] for method in wire.get('reads', ALL_READS))
    elif module == 'directory':
        create = wire.get('create', [ROOT + '/pc'])
        assert result['created'] == create
        assert result['changed'] is bool(create)
    elif module == 'storage':
        name = wire.get('share_name', 'ABB-Migrated')
        assert result['changed'] is True
        assert result['share_name'] == name
        if params['state'] == 'absent':
            assert result['storage'] is None
        else:
            assert result['storage']['share_name'] == name
    elif module in OPERATING_CHECKS:
        OPERATING_CHECKS[module](params, wire, result)
    elif module in JOB_CALLS:
        check_job_result(module, params, wire, result)
    elif module == 'session':
        if params['state'] == 'absent':
            assert result['logged_out'] is True
        else:
            session = {'sid': SID, 'synotoken': SYNOTOKEN}
            if wire.get('enable_device_token'):
                session['device_id'] = ISSUED_DEVICE_TOKEN
            assert result['session'] == session


def check_job_result(module, params, wire, result):
    assert result['changed'] is False
    if module == 'task_info':
        query = wire.get('filter') or {}
        names = [task['task_name'] for task in _nas_tasks(query.get('task_id'))]
        assert [task['task_name'] for task in result['tasks']] == wire.get('tasks', names)
        assert all('running' in task and 'backup_type_name' in task for task in result['tasks'])
    elif module == 'device_info':
        assert result['devices'] == [{'device_id': 1, 'host_name': 'pc-01', 'backup_type': 2, 'backup_type_name': 'pc'}]
    elif module == 'version_info':
        task_id = wire.get('task_id', params.get('task_id'))
        assert result['task_id'] == task_id
        assert len(result['versions']) == wire.get('limit', 3)
        assert result['latest']['version_id'] == 0
    elif module in ('result_info', 'log_info'):
        key = 'results' if module == 'result_info' else 'logs'
        assert len(result[key]) == wire.get('limit', 100)
        assert result['count'] == 10000
    elif module == 'api_info':
        assert list(result['apis']) == wire.get('apis', ABB_APIS)
        assert all(result['apis'][name] == NAS_APIS[name] for name in result['apis'])


def check_task_result(params, wire, result):
    task_id = wire.get('task_id', 4)
    running = wire.get('running', False)
    started = params['state'] == 'started'
    assert result['changed'] is (started is not running)
    assert result['task']['task_id'] == task_id
    if not params['wait']:
        assert 'result' not in result
        assert result['task']['running'] is started
    elif started:
        assert result['task']['running'] is False
        assert result['result']['result_id'] == 1000 + task_id and result['result']['status_name'] == 'success'
    else:
        assert result['task']['running'] is False and result['result'] is None


def check_settings_result(params, wire, result):
    changes = wire.get('changes', DEFAULT_CHANGES)
    assert result['changed'] is bool(changes)
    assert result['changed_settings'] == [name for name, dummy in changes]
    stored = _nas_settings(wire, changed=bool(changes))
    assert result['settings'] == dict((name, value) for name, value in stored if name != 'smtp_password')
    shown = json.dumps(result)
    assert SETTING_SECRET not in shown
    secrets = [value for name, value in changes + list(wire.get('stored', {}).items()) if name == 'smtp_password']
    for value in secrets:
        assert value not in shown, 'the result shows the secret %r' % value
    adjusted = [name for name in wire.get('stored', {}) if name != 'smtp_password']
    for name in adjusted:
        assert any('now stores %s as %r' % (name, dict(stored)[name]) in warning for warning in result['warnings'])
    if not wire.get('stored'):
        assert 'warnings' not in result, result['warnings']


def check_api_result(params, wire, result):
    read_only = wire.get('read_only', True)
    assert result['changed'] is not read_only and result['read_only'] is read_only
    assert (result['api'], result['method'], result['version'], result['path']) == (
        wire.get('api', 'SYNO.ActiveBackup.Task'), wire.get('method', 'list'), _api_version(wire), 'entry.cgi')
    if wire.get('redact', True):
        task = result['data']['tasks'][0]
        assert task['agent_token'] == task['devices'][0]['login_password'] == 'VALUE_REDACTED'
        assert task['task_name'] == 'pc-daily' and task['devices'][0]['device_id'] == 1
        assert 'warnings' not in result
    else:
        assert result['data'] == API_DATA
        assert any('redact is false' in warning for warning in result['warnings'])


OPERATING_CHECKS = {'task': check_task_result, 'settings': check_settings_result, 'api': check_api_result}


# --- the driver ----------------------------------------------------------------------------------------------------

class UrlScript(Script):
    """A Script that also checks the URL of every request."""

    def __init__(self, *expected, **kwargs):
        self.url = kwargs.pop('url', URL)
        super(UrlScript, self).__init__(*expected, **kwargs)

    def post(self, url, body, headers):
        assert url.startswith(self.url), 'request to %s, expected %s...' % (url, self.url)
        return super(UrlScript, self).post(url, body, headers)


class FakeClock(object):
    """Starts at the real time (TOTP codes are checked against it) and moves only when slept on."""

    def __init__(self):
        self.now = time.time()

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


@pytest.fixture(autouse=True)
def isolated(monkeypatch):
    """No SYNOLOGY_* variable from the environment, and a fake clock (given to execute) for the storage module's wait."""
    for name in list(os.environ):
        if name.startswith('SYNOLOGY_'):
            monkeypatch.delenv(name)
    return FakeClock()


def run_row(module, args, script, clock):
    """Validate ``args`` with the module's spec (as the action plugin does), then run the operation.

    Returns (result, stage): stage is 'spec' when the argument spec refused the arguments.
    """
    operation = OPERATIONS[module]
    validation = ArgumentSpecValidator(operation.argument_spec, **operation.validator_kwargs()).validate(dict(args))
    if validation.error_messages:
        # What the action plugin (and AnsibleModule) show: the first error.
        return {'failed': True, 'msg': validation.errors.msg}, 'spec', None
    params = validation.validated_parameters
    return execute(operation, params, transport=script, sleep=clock.sleep, clock=clock.clock), 'own', params


def _secret_texts(row, args):
    if row.option not in SECRET_OPTIONS:
        return []
    value = args.get(row.option)
    values = list(value.values()) if isinstance(value, dict) else [value]
    return [item for item in values if isinstance(item, str) and len(item.strip()) >= 4]


def check_row(row, tmp_path, clock):
    """Run one row and check its outcome (AssertionError when it differs)."""
    args = row.args(tmp_path)
    outcome = row.outcome
    if isinstance(outcome, Reject):
        script = UrlScript()
        result, stage, dummy = run_row(row.module, args, script, clock)
        assert script.requests == [], 'requests were made: %r' % script.calls()
        assert result.get('failed') is True, 'not refused: %r' % result
        msg = result['msg']
        assert stage == outcome.stage, 'refused by the %s checks, expected the %s ones: %s' % (stage, outcome.stage, msg)
        assert (outcome.name or row.option) in msg, 'the message does not name %s: %s' % (outcome.name or row.option, msg)
        for word in outcome.words:
            assert word in msg, '%r not in the message: %s' % (word, msg)
        if stage == 'own':
            assert len(msg) < 700, 'message of %d characters: %s...' % (len(msg), msg[:300])
        for secret in _secret_texts(row, args):
            assert secret not in msg, 'the message shows the value of %s' % row.option
        for secret in outcome.hidden:
            assert secret not in msg, 'the message shows %r' % secret
        if row.option == 'host' and '@' in str(args.get('host')):
            assert 'S3cret' not in msg
        return

    wire = outcome.wire
    operation = OPERATIONS[row.module]
    validation = ArgumentSpecValidator(operation.argument_spec, **operation.validator_kwargs()).validate(dict(args))
    assert not validation.error_messages, validation.error_messages
    params = validation.validated_parameters
    # (the clock's time, for a ``since`` given as a duration back from now)
    expected, given = expected_exchange(row.module, params, dict(wire, now=clock.clock()))
    script = UrlScript(*expected, session=given, url=wire.get('url', URL))
    result, stage, params = run_row(row.module, args, script, clock)
    assert 'failed' not in result, 'refused by the %s checks: %s' % (stage, result.get('msg'))
    script.done()
    assert script.closed, 'the transport was not closed'
    check_result(row.module, params, wire, result)


# One test per option of a module (a test per row would be ~1800 tests, slow under ansible-test's forking runner);
# every row of the option runs, and the failure lists each failing row with its reason.
GROUPS = {}
for _row in ROWS:
    GROUPS.setdefault((_row.module, _row.option), []).append(_row)


@pytest.mark.parametrize('module, option', sorted(GROUPS), ids=['%s-%s' % key for key in sorted(GROUPS)])
def test_bad_input(module, option, tmp_path, isolated):
    failures = []
    for row in GROUPS[(module, option)]:
        try:
            check_row(row, tmp_path, isolated)
        except AssertionError as exc:
            failures.append('%s (%r): %s' % (row.id, row.outcome, str(exc)[:1000]))
        except Exception as exc:  # pylint: disable=broad-exception-caught
            # A crash of the module code (a traceback for the user): reported with the row, like a wrong outcome.
            failures.append('%s (%r): crashed with %s: %s' % (row.id, row.outcome, type(exc).__name__, str(exc)[:300]))
    assert not failures, '%d of %d rows failed:\n%s' % (len(failures), len(GROUPS[(module, option)]), '\n'.join(failures))


# --- the table covers everything --------------------------------------------------------------------------------------

def test_every_module_has_an_operation():
    # A new module joins this list (and BASE, JOB_PROFILES, JOB_CALLS) with its rows.
    assert sorted(OPERATIONS) == ['api', 'api_info', 'device_info', 'directory', 'facts', 'file_info', 'log_info',
                                  'result_info', 'session', 'settings', 'share_info', 'storage', 'storage_info', 'task',
                                  'task_info', 'version_info', 'volume_info']
    assert set(ALL_OPERATIONS) - set(OPERATIONS) <= NOT_YET_IN_THE_TABLE


def test_every_option_of_every_module_has_rows():
    covered = set((row.module, row.option) for row in ROWS)
    missing = ['%s.%s' % (module, option) for module, operation in sorted(OPERATIONS.items())
               for option in sorted(operation.argument_spec) if (module, option) not in covered]
    assert missing == [], 'options without bad-input rows: %s' % ', '.join(missing)


def test_every_text_option_has_its_own_profile():
    """Options the spec cannot judge (text without choices, paths) need rows written for them."""
    missing = []
    for module, operation in sorted(OPERATIONS.items()):
        profiles = dict(connection_profile(module))
        profiles.update(module_profile(module))
        for option, spec in sorted(operation.argument_spec.items()):
            if spec.get('type', 'str') in ('str', 'path', 'list', 'dict') and not spec.get('choices') and not profiles.get(option):
                missing.append('%s.%s' % (module, option))
    assert missing == []


def test_every_option_has_a_rejected_and_an_accepted_row():
    """Per option (over all modules): at least one input refused before any request and one that works."""
    kinds = {}
    for row in ROWS:
        kinds.setdefault(row.option, set()).add(type(row.outcome).__name__)
    lacking = sorted(option for option, seen in kinds.items() if seen != {'Reject', 'Accept'})
    assert lacking == []


def test_the_table_is_large():
    per_module = {}
    for row in ROWS:
        per_module[row.module] = per_module.get(row.module, 0) + 1
    assert sorted(per_module) == sorted(OPERATIONS)
    assert all(count >= 150 for count in per_module.values()), per_module
    assert len(ROWS) >= 1500


# --- share names stay strings on the wire ---------------------------------------------------------------------------

@pytest.mark.parametrize('value, raw', [
    ('123', 'share_name=%22123%22'),
    (123, 'share_name=%22123%22'),
    ('true', 'share_name=%22true%22'),
    ('0', 'share_name=%220%22'),
    ('1e3', 'share_name=%221e3%22'),
    ('null', 'share_name=%22null%22'),
    ('[1]', 'share_name=%22%5B1%5D%22'),
])
def test_numeric_looking_share_names_are_json_strings_in_the_form_body(value, raw, tmp_path, isolated):
    name = str(value)
    expected, dummy = expected_exchange('storage', {'state': 'present'}, {'share_name': name})
    script = UrlScript(*expected)
    result, dummy, dummy = run_row('storage', dict(CONNECTION, share_name=value), script, isolated)
    script.done()
    assert result['changed'] is True
    relink = [request for request in script.requests if request.form['method'] == 'relink'][0]
    assert raw in relink.body.split('&')
    assert relink.form['share_name'] == name and isinstance(relink.form['share_name'], str)


def test_remove_data_is_a_json_boolean_and_the_share_name_a_json_string(tmp_path, isolated):
    expected, dummy = expected_exchange('storage', {'state': 'absent'}, {'share_name': 'true', 'is_remove_data': True})
    script = UrlScript(*expected)
    result, dummy, dummy = run_row('storage', dict(CONNECTION, share_name='true', state='absent', remove_data='yes'),
                                   script, isolated)
    script.done()
    remove = [request for request in script.requests if request.form['method'] == 'remove'][0]
    fields = remove.body.split('&')
    assert 'share_name=%22true%22' in fields
    assert 'is_remove_data=true' in fields
    assert 'storage_id=7' in fields
    assert result['changed'] is True


def test_a_yaml_boolean_share_name_that_matches_no_share_says_to_quote_it(isolated):
    """``share_name: true`` unquoted reaches the module as the text True; the NAS has only ``true``."""
    script = UrlScript(
        Expect.login(),
        Expect.compound([('list', None), ('list_storage', None)], [
            {'default_share': 'ActiveBackupforBusiness', 'shares': [_share('true')]}, {'storages': []}]),
        Expect.abb('list_encrypted', {}, data={'shares': []}),
        Expect.logout(),
    )
    result, stage, dummy = run_row('storage', dict(CONNECTION, share_name=True), script, isolated)
    script.done()
    assert result['failed'] is True
    assert 'There is no shared folder named True' in result['msg']
    assert 'quote the name' in result['msg']
    assert [request.form['method'] for request in script.requests] == ['login', 'request', 'list_encrypted', 'logout']


def test_a_share_named_true_is_found_when_the_name_is_quoted(isolated):
    script = UrlScript(*expected_exchange('storage', {'state': 'present'}, {'share_name': 'true'})[0])
    result, dummy, dummy = run_row('storage', dict(CONNECTION, share_name='true'), script, isolated)
    script.done()
    assert result['share_name'] == 'true' and result['changed'] is True
