# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""tests/utils/check_contract.py: passes on this repository, fails on doctored copies of it.

The citations and assumption names that must fail are built from pieces, so that this file
itself holds none of them (the checker reads tests/ too).
"""

from __future__ import annotations

import importlib.util
import os
import shutil

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
SCRIPT = os.path.join(REPO, 'tests', 'utils', 'check_contract.py')

CONTRACT = os.path.join('docs', 'dsm-api-contract.md')
GUIDE = os.path.join('docs', 'docsite', 'rst', 'guide_scope.rst')
WORD = 'contr' + 'act'
ASSUMPTION = 'assump' + 'tion'


def load():
    spec = importlib.util.spec_from_file_location('check_contract', SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


cc = load()

MINI_CONTRACT = """# Contract

## 1. Transport [V]
Text.

## 6. Share

### 6.8 relink [A]
- **A1** [A] relink answers at once.
- **R1** [R] one source says so.
"""

MINI_GUIDE = """Scope
=====

Assumptions about the API
-------------------------

**A1.** Relink answers at once.

**R1.** One source says so.
"""


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write(text)


@pytest.fixture
def mini(tmp_path):
    root = str(tmp_path)
    write(root, CONTRACT, MINI_CONTRACT)
    write(root, GUIDE, MINI_GUIDE)
    write(root, 'plugins/module_utils/_x.py', '# %s section 1 and %s 6.8\n' % (WORD, WORD))
    return root


def test_this_repository_passes():
    problems, summary = cc.check(REPO)
    assert problems == []
    assert 'assumption IDs' in summary
    # Every part of the contract is there: part 1 and part 2 with all their subsections.
    with open(os.path.join(REPO, CONTRACT), encoding='utf-8') as handle:
        sections = cc.headings(handle.read())
    expected = set(str(n) for n in range(1, 17))
    expected |= set('6.%d' % n for n in range(1, 11))
    expected |= {'10.1', '10.2', '10.3', '10.4', '11.1', '12.1', '13.1', '13.2', '13.3', '14.1', '14.2'}
    assert expected <= sections


def test_main_exit_codes(mini, capsys):
    assert cc.main(['--root', mini]) == 0
    assert 'check_contract: ok' in capsys.readouterr().out
    write(mini, 'roles/r/tasks/main.yml', '# see the %s section 7\n' % WORD)
    assert cc.main(['--root', mini]) == 1
    out = capsys.readouterr().out
    assert 'roles/r/tasks/main.yml:1' in out
    assert 'section 7, which is no heading' in out


def test_id_only_in_contract(mini):
    write(mini, CONTRACT, MINI_CONTRACT + '- **A2** [A] another point.\n')
    problems, dummy = cc.check(mini)
    assert problems == ['%s: A2 is in the contract but not in the Assumptions list of the scope guide' % GUIDE]


def test_id_only_in_guide(mini):
    write(mini, GUIDE, MINI_GUIDE + '\n**R2.** Another point.\n')
    problems, dummy = cc.check(mini)
    assert problems == ['%s: R2 is in the scope guide but not in the contract' % CONTRACT]


def test_id_defined_twice(mini):
    write(mini, GUIDE, MINI_GUIDE + '\n**A1.** Again.\n')
    problems, dummy = cc.check(mini)
    assert problems == ['%s: A1 is defined more than once' % GUIDE]


@pytest.mark.parametrize('text, missing', [
    ('%s section 2' % WORD, ['2']),
    ('%s 6.9' % WORD, ['6.9']),
    ('%s 6.8/6.9' % WORD, ['6.9']),
    ('%s 6.8, 6.10' % WORD, ['6.10']),
    ('%s sections 1, 2 and 6' % WORD.capitalize(), ['2']),
    ('%s sections 1-3' % WORD, ['2', '3']),
    ('%s 6.7-6.8' % WORD, ['6.7']),
    ("%s's section 9" % WORD, ['9']),
    ('%s part 2, section 14.1' % WORD, ['14.1']),
    ('the %s\n# section 5 says' % WORD, ['5']),
])
def test_bad_citation(mini, text, missing):
    write(mini, 'tests/unit/test_y.py', 'x = 1\n' + text + '\n')
    problems, dummy = cc.check(mini)
    assert len(problems) == len(missing)
    for problem, number in zip(problems, missing):
        assert problem.startswith('tests/unit/test_y.py:2: ')
        assert 'cites section %s, which is no heading' % number in problem


@pytest.mark.parametrize('text', [
    '%s section 6.' % WORD,
    '%s 6.8).' % WORD,
    '%s 1; more text 7' % WORD,
    'the %s says' % WORD,
    'contract_status(alive, owner)',
])
def test_good_or_no_citation(mini, text):
    write(mini, 'docs/z.md', text + '\n')
    problems, dummy = cc.check(mini)
    assert problems == []


def test_bad_assumption_name(mini):
    write(mini, 'plugins/modules/m.py', '# see %ss A1 to A3 of the scope guide\n' % ASSUMPTION)
    problems, dummy = cc.check(mini)
    expected = ['A2, which %s does not define' % CONTRACT, 'A3, which %s does not define' % CONTRACT]
    assert [p.split(' names ')[1] for p in problems] == expected


def test_doctored_copy_of_this_repository(tmp_path):
    root = str(tmp_path)
    for rel in (CONTRACT, GUIDE):
        os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
        shutil.copy(os.path.join(REPO, rel), os.path.join(root, rel))
    assert cc.check(root)[0] == []
    # drop one assumption from the guide, and cite a section the contract does not have
    with open(os.path.join(root, GUIDE), encoding='utf-8') as handle:
        guide = handle.read()
    assert '\n**A21.**' in guide
    write(root, GUIDE, guide.replace('\n**A21.**', '\nA21.'))
    write(root, 'plugins/module_utils/_api_task.py', '"""Task calls (%s 10.5)."""\n' % WORD)
    problems, dummy = cc.check(root)
    assert problems == [
        '%s: A21 is in the contract but not in the Assumptions list of the scope guide' % GUIDE,
        'plugins/module_utils/_api_task.py:1: "%s 10.5" cites section 10.5, which is no heading of %s' % (WORD, CONTRACT),
    ]


def test_missing_documents(tmp_path):
    problems, dummy = cc.check(str(tmp_path))
    assert problems == ['%s: missing or unreadable' % CONTRACT]


@pytest.mark.parametrize('text, numbers', [
    ('1, 2 and 4', ['1', '2', '4']),
    ('1-7', ['1', '2', '3', '4', '5', '6', '7']),
    ('6.6 / 6.7', ['6.6', '6.7']),
    ('6.1-6.4', ['6.1', '6.2', '6.3', '6.4']),
    ('9 to 11', ['9', '10', '11']),
    ('6.8-7', ['6.8', '7']),
])
def test_expand(text, numbers):
    assert cc.expand(text) == numbers


def test_expand_ids():
    assert cc.expand_ids('A8 to A11') == ['A8', 'A9', 'A10', 'A11']
    assert cc.expand_ids('A15, A17 and A18') == ['A15', 'A17', 'A18']
    assert cc.expand_ids('R1-R3') == ['R1', 'R2', 'R3']
