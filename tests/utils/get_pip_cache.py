#!/usr/bin/env python
"""Provide ansible-test's pip bootstrap script offline.

Run with the Python of the venv whose ansible-test will run. ansible-test bootstraps pip in
each virtual environment it makes (``--venv``, and ``--local`` for sanity) with
``get-pip-<version>.py`` from a host that is not reachable here, but reads a cached copy
first: ``~/.ansible/test/cache/get_pip_<version with underscores>.py``.

This script reads the pip version(s) from the installed ansible-test's own source and, for
each whose cache file is missing, writes a small stand-in that:

1. runs ``ensurepip.bootstrap()`` (the interpreter's bundled pip, no network);
2. removes the ``PIP_CONFIG_FILE`` that ensurepip leaves set to os.devnull (it would hide
   the site pip configuration and its CA bundle: CERTIFICATE_VERIFY_FAILED), restoring a
   value the caller had set;
3. drops ``--no-setuptools`` / ``--no-wheel``, which old pip rejects;
4. runs ``python -m pip install <remaining arguments>`` (e.g. ``pip==24.2``).

An existing cache file is never overwritten. Prints one line per version.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys

STAND_IN = '''\
"""Offline stand-in for get-pip.py, written by syno.activebackup's tests/utils/get_pip_cache.py."""
import ensurepip
import os
import subprocess
import sys

_saved = os.environ.get('PIP_CONFIG_FILE')
ensurepip.bootstrap()
# ensurepip sets PIP_CONFIG_FILE=os.devnull, hiding the site pip configuration (CA bundle,
# indexes); put back what the caller had.
os.environ.pop('PIP_CONFIG_FILE', None)
if _saved is not None:
    os.environ['PIP_CONFIG_FILE'] = _saved
_args = [a for a in sys.argv[1:] if a not in ('--no-setuptools', '--no-wheel')]
sys.exit(subprocess.call([sys.executable, '-m', 'pip', 'install'] + _args))
'''


def ansible_test_root() -> str:
    spec = importlib.util.find_spec('ansible_test')
    if spec is None or not spec.origin:
        sys.exit('get_pip_cache: ansible_test is not importable with %s' % sys.executable)
    return os.path.dirname(spec.origin)


def read(path: str) -> str:
    with open(path, encoding='utf-8') as f:
        return f.read()


def main() -> int:
    root = ansible_test_root()
    setup = os.path.join(root, '_util', 'target', 'setup', 'requirements.py')
    reqs = os.path.join(root, '_internal', 'python_requirements.py')

    # the cache path pattern, from ansible-test itself
    m = re.search(r"'(~/\.ansible/test/cache/get_pip_)%s(\.py)'", read(setup))
    if not m or 'get-pip' not in read(setup):
        print('get_pip_cache: WARNING: %s no longer caches get-pip the known way; '
              'nothing written (ansible-test --venv may fail to bootstrap pip)' % setup)
        return 0
    prefix, suffix = m.group(1), m.group(2)

    # pip versions ansible-test bootstraps (default and any per-Python override)
    source = read(reqs)
    body = source[source.find('def get_venv_packages'):]
    versions = sorted(set(re.findall(r"""\bpip\s*(?:=|:)\s*['"]([0-9][0-9.]*)['"]""", body)))
    if not versions:
        print('get_pip_cache: WARNING: no pip version found in %s; nothing written' % reqs)
        return 0

    for version in versions:
        path = os.path.expanduser(prefix + version.replace('.', '_') + suffix)
        if os.path.exists(path):
            print('get_pip_cache: pip %s bootstrap present: %s' % (version, path))
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = '%s.tmp-%d' % (path, os.getpid())
        with open(tmp, 'w', encoding='utf-8') as f:
            f.write(STAND_IN)
        try:
            os.link(tmp, path)  # fails if someone wrote it meanwhile: never overwrite
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
        print('get_pip_cache: pip %s bootstrap stand-in written: %s' % (version, path))
    return 0


if __name__ == '__main__':
    sys.exit(main())
