# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest


@pytest.fixture
def params():
    """Module parameters as AnsibleModule would hand them over, with credentials."""
    def make(**overrides):
        base = dict(host='nas.example.com', port=None, use_https=True, validate_certs=True, ca_path=None,
                    username='admin', password='Adm1n-Secret!', otp_code=None, otp_secret=None, device_id=None,
                    device_name='ansible', session=None, timeout=60, retries=3)
        base.update(overrides)
        return base
    return make


class Sleeper(object):
    """A stand-in for time.sleep that records how long it was asked to wait."""

    def __init__(self):
        self.calls = []

    def __call__(self, seconds):
        self.calls.append(seconds)


@pytest.fixture
def no_sleep():
    return Sleeper()
