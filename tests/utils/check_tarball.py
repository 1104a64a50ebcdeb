#!/usr/bin/env python
"""Check a built collection tarball: right name, and none of the local clutter.

    check_tarball.py build/dist/syno-activebackup-X.Y.Z.tar.gz

Fails (exit 1) when the tarball holds virtual environments, build output, ansible-test
output, caches, VCS data, nested tarballs, a local ansible.cfg, the CI script, the Makefile
or the developer tools of tools/, or when MANIFEST.json
does not name the collection of galaxy.yml. Prints a one-line summary otherwise.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import sys
import tarfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# (pattern on the member path, why it must not ship)
FORBIDDEN = [
    ('tests/output', 'ansible-test output'),
    ('tests/output/*', 'ansible-test output'),
    ('.venv', 'virtual environment'),
    ('.venv*', 'virtual environment'),
    ('.venv*/*', 'virtual environment'),
    ('build', 'build output'),
    ('build/*', 'build output'),
    ('.git', 'git data'),
    ('.git/*', 'git data'),
    ('.cache', 'cache'),
    ('.cache/*', 'cache'),
    ('*/__pycache__', 'Python bytecode cache'),
    ('__pycache__', 'Python bytecode cache'),
    ('*/__pycache__/*', 'Python bytecode cache'),
    ('*.pyc', 'Python bytecode'),
    ('*.pyo', 'Python bytecode'),
    ('*.pytest_cache*', 'pytest cache'),
    ('*.hypothesis*', 'hypothesis database'),
    ('*.mypy_cache*', 'mypy cache'),
    ('*.tar.gz', 'nested tarball'),
    ('ansible.cfg', 'local Ansible configuration'),
    ('.ci', 'CI script'),
    ('.ci/*', 'CI script'),
    ('tools', 'developer tool (demo, benchmark, profiling)'),
    ('tools/*', 'developer tool (demo, benchmark, profiling)'),
    ('Makefile', 'build file'),
]

REQUIRED = ['MANIFEST.json', 'FILES.json', 'meta/runtime.yml']


def galaxy_name() -> tuple[str, str, str]:
    with open(os.path.join(REPO, 'galaxy.yml'), encoding='utf-8') as f:
        text = f.read()

    def get(key: str) -> str:
        m = re.search(r'^%s:\s*["\']?([^"\'\s#]+)' % key, text, re.MULTILINE)
        return m.group(1) if m else ''

    return get('namespace'), get('name'), get('version')


def main() -> int:
    if len(sys.argv) != 2:
        print('usage: check_tarball.py TARBALL', file=sys.stderr)
        return 2
    path = sys.argv[1]
    problems = []
    with tarfile.open(path) as tar:
        members = tar.getmembers()
        names = [m.name[2:] if m.name.startswith('./') else m.name for m in members]
        for name in names:
            for pattern, why in FORBIDDEN:
                if fnmatch.fnmatch(name, pattern):
                    problems.append('%s: %s must not be in the collection' % (name, why))
                    break
        for req in REQUIRED:
            if req not in names:
                problems.append('%s is missing' % req)
        manifest = json.load(tar.extractfile(members[names.index('MANIFEST.json')])) if 'MANIFEST.json' in names else {}
    info = manifest.get('collection_info', {})
    namespace, name, version = galaxy_name()
    if manifest and (info.get('namespace'), info.get('name'), info.get('version')) != (namespace, name, version):
        problems.append('MANIFEST.json names %s.%s %s, galaxy.yml %s.%s %s' % (
            info.get('namespace'), info.get('name'), info.get('version'), namespace, name, version))
    expected = '%s-%s-%s.tar.gz' % (namespace, name, version)
    if os.path.basename(path) != expected:
        problems.append('tarball is named %s, expected %s' % (os.path.basename(path), expected))

    if problems:
        for p in problems:
            print('check_tarball: ERROR: %s' % p)
        print('check_tarball: %s FAILED (%d problem(s))' % (path, len(problems)))
        return 1
    files = sum(1 for m in members if m.isfile())
    print('check_tarball: %s ok: %d files, %d KiB, no local clutter' % (
        path, files, os.path.getsize(path) // 1024))
    return 0


if __name__ == '__main__':
    sys.exit(main())
