# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: attribute declarations shared by the modules."""

from __future__ import annotations


class ModuleDocFragment:

    DOCUMENTATION = r'''
attributes:
  action_group:
    description: Use C(group/syno.activebackup.dsm) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - syno.activebackup.dsm
  platform:
    description: The module talks to DSM over HTTPS from the host that runs it.
    support: full
    platforms: posix
'''

    INFO_MODULE = r'''
attributes:
  check_mode:
    description: Can run in check_mode and return the same data as without it.
    support: full
  diff_mode:
    description: The module changes nothing, so there is no diff.
    support: N/A
  idempotent:
    description: The module changes nothing.
    support: full
'''

    ACTIONS = r'''
attributes:
  check_mode:
    description: Predicts the change and returns it without writing anything.
    support: full
  diff_mode:
    description: Returns the state before and after the change.
    support: full
  idempotent:
    description: A second run with the same options reports no change.
    support: full
'''
