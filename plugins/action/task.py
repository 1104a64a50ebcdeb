# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Runs syno.activebackup.task on the controller when the task's connection is local (see plugin_utils/_action.py)."""

from __future__ import annotations

from ansible_collections.syno.activebackup.plugins.module_utils._op_task import TASK
from ansible_collections.syno.activebackup.plugins.plugin_utils._action import DsmActionBase


class ActionModule(DsmActionBase):
    OPERATION = TASK
    MODULE = 'syno.activebackup.task'
