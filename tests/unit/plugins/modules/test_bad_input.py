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


OPERATIONS = _operations()


# --- what a row expects ----------------------------------------------------------------------------------------------

class Reject(object):
    """Fails before any request; the message names ``name`` (default: the row's option) and holds ``words``."""

    def __init__(self, *words, **kwargs):
        self.words = words
        self.stage = kwargs.pop('stage', 'own')
        self.name = kwargs.pop('name', None)
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
            for label, value in BAD_CHOICES:
                rows.append(Row(module, option, 'choice-' + label, value,
                                Reject('value of %s must be one of' % option, stage='spec')))
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
    return {}


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
    raise AssertionError('no exchange for module %s' % module)


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
    elif module == 'session':
        if params['state'] == 'absent':
            assert result['logged_out'] is True
        else:
            session = {'sid': SID, 'synotoken': SYNOTOKEN}
            if wire.get('enable_device_token'):
                session['device_id'] = ISSUED_DEVICE_TOKEN
            assert result['session'] == session


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
        if row.option == 'host' and '@' in str(args.get('host')):
            assert 'S3cret' not in msg
        return

    wire = outcome.wire
    operation = OPERATIONS[row.module]
    validation = ArgumentSpecValidator(operation.argument_spec, **operation.validator_kwargs()).validate(dict(args))
    assert not validation.error_messages, validation.error_messages
    params = validation.validated_parameters
    expected, given = expected_exchange(row.module, params, wire)
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
    assert sorted(OPERATIONS) == ['directory', 'facts', 'file_info', 'session', 'share_info', 'storage', 'storage_info',
                                  'volume_info']


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
