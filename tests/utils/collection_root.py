#!/usr/bin/env python
"""Put the collection where Ansible tools expect it and print that path.

Two layouts under build/ (git-ignored), both ``ansible_collections/<namespace>/<name>``:

``collection_root.py`` (default, ``--link``)
    ``build/collections/ansible_collections/syno/activebackup`` is a symlink to the repo
    root, so ``ANSIBLE_COLLECTIONS_PATH=build/collections`` sees the work tree live. Used by
    ansible-playbook, ansible-doc, antsibull-docs, the integration tests.

``collection_root.py --copy``
    ``build/ansible-test/ansible_collections/syno/activebackup`` is a real directory kept
    in sync with the work tree (the files git would list: tracked plus untracked ones that
    are not ignored; modes kept, removed files removed, ``tests/output`` left alone).
    ansible-test needs this: it resolves its working directory with ``os.getcwd()``,
    which follows the symlink back to the repo, and its delegation then loses the
    ``ansible_collections`` parent.

Prints the absolute path of the chosen root on stdout, nothing else.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import stat
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# never copied, whatever git says (defence in depth; all of them are git-ignored)
SKIP_TOP = {'.git', 'build', 'tests/output'}
SKIP_PREFIX = ('.venv',)
SKIP_ANY = {'__pycache__', '.pytest_cache', '.hypothesis', '.mypy_cache'}


def collection_name() -> tuple[str, str]:
    with open(os.path.join(REPO, 'galaxy.yml'), encoding='utf-8') as f:
        text = f.read()
    found = {}
    for key in ('namespace', 'name'):
        m = re.search(r'^%s:\s*["\']?([A-Za-z0-9_]+)' % key, text, re.MULTILINE)
        if not m:
            sys.exit('collection_root: no %s in galaxy.yml' % key)
        found[key] = m.group(1)
    return found['namespace'], found['name']


def skipped(rel: str) -> bool:
    parts = rel.split('/')
    if parts[0] in SKIP_TOP or '/'.join(parts[:2]) in SKIP_TOP:
        return True
    if parts[0].startswith(SKIP_PREFIX):
        return True
    return any(p in SKIP_ANY for p in parts) or rel.endswith(('.pyc', '.pyo'))


def source_files() -> list[str]:
    """Relative paths of the files to mirror, as git would list them."""
    try:
        out = subprocess.run(
            ['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
            cwd=REPO, check=True, capture_output=True,
        ).stdout
        names = [n for n in out.decode('utf-8', 'surrogateescape').split('\0') if n]
    except (OSError, subprocess.CalledProcessError):
        names = []
        for root, dirs, files in os.walk(REPO):
            rel_root = os.path.relpath(root, REPO)
            rel_root = '' if rel_root == '.' else rel_root + '/'
            dirs[:] = [d for d in dirs if not skipped(rel_root + d)]
            names.extend(rel_root + f for f in files)
    # git lists deleted-but-tracked files too; only mirror what exists
    return sorted(n for n in set(names) if not skipped(n) and os.path.lexists(os.path.join(REPO, n)))


def same(src: str, dst: str) -> bool:
    try:
        s, d = os.lstat(src), os.lstat(dst)
    except FileNotFoundError:
        return False
    if stat.S_IFMT(s.st_mode) != stat.S_IFMT(d.st_mode):
        return False
    if stat.S_ISLNK(s.st_mode):
        return os.readlink(src) == os.readlink(dst)
    return (s.st_size == d.st_size and int(s.st_mtime) == int(d.st_mtime)
            and stat.S_IMODE(s.st_mode) == stat.S_IMODE(d.st_mode))


def remove(path: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.unlink(path)


def sync_copy(dest: str) -> None:
    wanted = source_files()
    wanted_set = set(wanted)
    os.makedirs(dest, exist_ok=True)
    for rel in wanted:
        src = os.path.join(REPO, rel)
        dst = os.path.join(dest, rel)
        if same(src, dst):
            continue
        parent = os.path.dirname(dst)
        if os.path.lexists(parent) and not os.path.isdir(parent):
            remove(parent)
        os.makedirs(parent, exist_ok=True)
        if os.path.lexists(dst):
            remove(dst)
        if os.path.islink(src):
            os.symlink(os.readlink(src), dst)
        else:
            shutil.copy2(src, dst)
    # drop what the work tree no longer has; keep ansible-test's own output
    for root, dirs, files in os.walk(dest, topdown=True):
        rel_root = os.path.relpath(root, dest)
        rel_root = '' if rel_root == '.' else rel_root + '/'
        if rel_root == 'tests/':
            dirs[:] = [d for d in dirs if d != 'output']
        for name in files + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            if rel_root + name not in wanted_set:
                os.unlink(os.path.join(root, name))
    for root, dirs, files in os.walk(dest, topdown=False):
        if root != dest and not os.listdir(root) and os.path.relpath(root, dest) != 'tests/output':
            os.rmdir(root)


def ensure_link(dest: str) -> None:
    target = os.path.relpath(REPO, os.path.dirname(dest))
    if os.path.islink(dest) and os.readlink(dest) == target:
        return
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    remove(dest)
    os.symlink(target, dest)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument('--link', action='store_true', help='symlinked root under build/collections (default)')
    group.add_argument('--copy', action='store_true', help='synced copy under build/ansible-test (for ansible-test)')
    args = parser.parse_args()

    namespace, name = collection_name()
    if args.copy:
        dest = os.path.join(REPO, 'build', 'ansible-test', 'ansible_collections', namespace, name)
        sync_copy(dest)
    else:
        dest = os.path.join(REPO, 'build', 'collections', 'ansible_collections', namespace, name)
        ensure_link(dest)
    print(dest)


if __name__ == '__main__':
    main()
