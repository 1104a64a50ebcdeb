# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: the time filter of the modules that read ABB's history (result_info, log_info)."""

from __future__ import annotations


class ModuleDocFragment:

    DOCUMENTATION = r'''
options:
  since:
    description:
      - Return only the entries from this time on; sent to the NAS as C(from_timestamp), so that RV(count)
        counts only those.
      - Epoch seconds (V(1733270400)); an ISO 8601 date or date-time (V(2024-12-04), V(2024-12-04T00:00:00Z),
        V(2024-12-04T01:00:00+01:00)), read as UTC when it has no offset; or a duration back from now, a whole
        number with the unit V(m) (minutes), V(h) (hours), V(d) (days) or V(w) (weeks), such as V(90m), V(24h),
        V(7d) or V(2w).
      - A time in the future (more than a minute ahead of the controller's clock), a time before 1970, and text
        that is none of these fail the task before any request is sent.
    type: raw
'''
