#!/usr/bin/env python
"""Lint the EXAMPLES of every module with ansible-lint, as the playbooks users would copy them into.

    tests/utils/lint_examples.py [MODULE ...]

For each module in plugins/modules/ (or the ones named), the EXAMPLES text becomes a playbook in a
temporary directory: a list of plays (items with ``hosts`` or ``import_playbook``) is used as it is,
a list of tasks is put under one play on ``localhost``. ansible-lint then checks all of them in one
run with the repository's configuration (``.ansible-lint``: profile, rules), offline, with the
collection from build/collections (tests/utils/collection_root.py) and an empty Ansible
configuration. Every finding is reported with the module file and its line there.

Exit status: 0 when ansible-lint finds nothing (warnings included), 1 otherwise, 2 on bad usage.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get('VENV_BIN', os.path.join(REPO, '.venv', 'bin'))
LINT_TIMEOUT = 600

# Tasks are wrapped in this play; its lines come before the EXAMPLES text.
WRAPPER = '''---
- name: EXAMPLES of syno.activebackup.{module}
  hosts: localhost
  gather_facts: false
  tasks:
'''
TASK_INDENT = '    '


def examples_of(path: str) -> tuple[str, int]:
    """The EXAMPLES text of a module file and the file line on which the text starts."""
    with open(path, encoding='utf-8') as handle:
        tree = ast.parse(handle.read(), path)
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == 'EXAMPLES'
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            return node.value.value, node.value.lineno
    raise ValueError('%s has no EXAMPLES string' % path)


def playbook_for(module: str, text: str) -> tuple[str, int]:
    """The playbook text for EXAMPLES, and how many lines the wrapper added in front."""
    data = yaml.safe_load(text)
    if not isinstance(data, list) or not data or not all(isinstance(item, dict) for item in data):
        raise ValueError('EXAMPLES is not a non-empty YAML list of plays or tasks')
    plays = [('hosts' in item or 'import_playbook' in item) for item in data]
    if all(plays):
        # the text of EXAMPLES = r'''<newline>---... starts with an empty line: drop it, so that
        # the playbook starts with its document start
        stripped = text.lstrip('\n')
        return stripped, -(len(text) - len(stripped))
    if any(plays):
        raise ValueError('EXAMPLES mixes plays and tasks; ansible-lint cannot check it as one playbook')
    header = WRAPPER.format(module=module)
    body = []
    for line in text.splitlines():
        if line.strip() == '---':
            # the document start of the tasks gives way to the wrapper's
            body.append('')
        elif line.strip():
            body.append(TASK_INDENT + line)
        else:
            body.append('')
    return header + '\n'.join(body) + '\n', header.count('\n')


def main(argv: list[str]) -> int:
    modules_dir = os.path.join(REPO, 'plugins', 'modules')
    names = argv or sorted(f[:-3] for f in os.listdir(modules_dir) if f.endswith('.py') and f != '__init__.py')
    if not names:
        print('lint_examples: no modules', file=sys.stderr)
        return 2
    lint = os.path.join(BIN, 'ansible-lint')
    if not os.access(lint, os.X_OK):
        print('lint_examples: no ansible-lint in %s (run make venv)' % BIN, file=sys.stderr)
        return 2

    problems = 0
    work = tempfile.mkdtemp(prefix='lint-examples-')
    try:
        origin = {}   # playbook file name -> (module file, first line of EXAMPLES in it, wrapper lines)
        for name in names:
            source = os.path.join(modules_dir, name + '.py')
            rel = os.path.relpath(source, REPO)
            try:
                text, start = examples_of(source)
                playbook, offset = playbook_for(name, text)
            except (OSError, ValueError, SyntaxError, yaml.YAMLError) as exc:
                print('lint_examples: ERROR: %s: %s' % (rel, exc))
                problems += 1
                continue
            target = 'examples_%s.yml' % name
            with open(os.path.join(work, target), 'w', encoding='utf-8') as handle:
                handle.write(playbook)
            origin[target] = (rel, start, offset)
        if not origin:
            return 1

        subprocess.run([sys.executable, os.path.join(REPO, 'tests', 'utils', 'collection_root.py')],
                       check=True, stdout=subprocess.DEVNULL, timeout=120)
        config = os.path.join(work, 'ansible.cfg')
        with open(config, 'w', encoding='utf-8') as handle:
            handle.write('[defaults]\n')
        env = dict(os.environ)
        env.update({
            'PATH': BIN + os.pathsep + env.get('PATH', ''),
            'ANSIBLE_CONFIG': config,
            'ANSIBLE_COLLECTIONS_PATH': os.path.join(REPO, 'build', 'collections'),
            'ANSIBLE_HOME': os.path.join(work, 'home'),
            'NO_COLOR': '1',
        })
        command = [lint, '--offline', '--nocolor', '--strict', '-f', 'pep8',
                   '-c', os.path.join(REPO, '.ansible-lint'), '--project-dir', work] + sorted(origin)
        try:
            run = subprocess.run(command, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True, timeout=LINT_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            print('lint_examples: ERROR: ansible-lint did not finish within %s s' % LINT_TIMEOUT)
            return 1
        finding = re.compile(r'^(?:\./)?(examples_\w+\.yml):(\d+)(?::(\d+))?: (.*)$')
        findings = 0
        for line in run.stdout.splitlines():
            match = finding.match(line)
            if not match or match.group(1) not in origin:
                if line.strip():
                    print(line)
                continue
            rel, start, offset = origin[match.group(1)]
            lineno = int(match.group(2))
            if lineno > offset:
                where = '%s:%d (EXAMPLES line %d)' % (rel, start + lineno - offset - 1, lineno - offset)
            else:
                where = '%s (the play lint_examples.py wraps around the EXAMPLES)' % rel
            print('lint_examples: %s: %s' % (where, match.group(4)))
            findings += 1
        if run.returncode != 0:
            if not findings:
                sys.stdout.write(run.stderr)
                print('lint_examples: ERROR: ansible-lint exited %s' % run.returncode)
            problems += max(findings, 1)
        elif findings:
            problems += findings
    finally:
        shutil.rmtree(work, ignore_errors=True)

    if problems:
        print('lint_examples: FAILED (%d problem(s))' % problems)
        return 1
    print('lint_examples: ok: the EXAMPLES of %d modules pass ansible-lint (%s)' % (
        len(names), ', '.join(names)))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
