# -*- coding: utf-8 -*-
# Copyright: contributors to syno.activebackup
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the integration tests: the DSM emulator, reset before each test.

``emulator`` (session): one emulator process, three NAS (nas1..nas3), scenario ``full``,
HTTPS with a private CA. ``nas`` (function): the same handle after every NAS was reset to
its scenario (state, sessions, log, counters, faults), so each test starts from zero.
``inventory`` (function): ``inventory_for(nas)``, every NAS as a host of group ``nas``.
The harness itself (``run_playbook``, ``run_adhoc``, ``inventory_for``) is in harness.py.

Under pytest-xdist each worker runs its own emulator (session fixtures are per worker).
"""

from __future__ import annotations

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR_DIR = os.path.join(os.path.dirname(HERE), 'emulator')
for path in (HERE, EMULATOR_DIR):
    if path not in sys.path:
        sys.path.insert(0, path)

from harness import collections_path, inventory_for  # noqa: E402

NAS_COUNT = 3
SCENARIO = 'full'


@pytest.fixture(scope='session')
def emulator(tmp_path_factory):
    """The running DSM emulator (handle: ``.ca``, ``.nas``, ``.control(i)``)."""
    from control import start_emulator  # tests/emulator/control.py

    collections_path()  # the collection symlink, once, before any run
    handle = start_emulator(tmp_path_factory.mktemp('emulator'), count=NAS_COUNT, scenario=SCENARIO, tls=True)
    try:
        yield handle
    finally:
        code = handle.stop()
    if code != 0:
        with open(handle.log_path, encoding='utf-8', errors='replace') as log:
            tail = log.read()[-3000:]
        pytest.fail('the DSM emulator exited with %s\n%s' % (code, tail))


@pytest.fixture
def nas(emulator):
    """The emulator, with every NAS reset to its scenario first."""
    for index in range(len(emulator.nas)):
        emulator.control(index).reset()
    return emulator


@pytest.fixture
def inventory(nas):
    """Inventory YAML with every NAS as a host of group ``nas``."""
    return inventory_for(nas)
