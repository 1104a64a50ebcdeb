# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: waiting for the NAS, polling at a bounded, doubling interval.

``Poll`` paces the reads of an operation that waits for something DSM does in the background:
the first read comes ``first`` seconds after the start, each later one twice as long after the one
before, never more than ``cap`` apart, and never past the deadline (the last read is made at the
deadline). It uses the operation's ``ctx.clock`` and ``ctx.sleep`` only, so tests give fake time and
nothing ever busy-loops. The time the client spends on its own retries counts against the deadline.
"""

from __future__ import annotations


class Poll:
    """``while poll.next(): read()`` reads until the caller stops or ``timeout`` seconds have passed."""

    def __init__(self, ctx, timeout, first=2.0, cap=30.0):
        if first <= 0 or cap < first:
            raise ValueError('first must be above 0 and cap at least first')
        self._clock = ctx.clock
        self._sleep = ctx.sleep
        self.timeout = timeout
        self.started = self._clock()
        self.deadline = self.started + timeout
        self.interval = float(first)
        self.cap = float(cap)
        self.polls = 0

    def next(self) -> bool:
        """Wait until the next read is due; False (without waiting) once the deadline has passed."""
        remaining = self.deadline - self._clock()
        if remaining <= 0:
            return False
        self._sleep(min(self.interval, remaining))
        self.interval = min(self.interval * 2, self.cap)
        self.polls += 1
        return True

    @property
    def elapsed(self) -> float:
        """Seconds since the wait began."""
        return self._clock() - self.started
