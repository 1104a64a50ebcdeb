# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: checks of NAS paths, made before any request is sent."""

from __future__ import annotations

import re

from ._errors import DsmInputError

VOLUME_RE = re.compile(r'^volume[0-9]+$')
MAX_PATH = 4095
MAX_SEGMENT = 255


def check_path(path, option):
    """Return ``path`` without a trailing slash if it is an absolute path under ``/volumeN/<share>``.

    Raises DsmInputError naming ``option`` otherwise: relative paths, empty segments (``//``),
    ``.`` and ``..`` segments, control characters and over-long paths are refused.
    """
    if not isinstance(path, str) or not path:
        raise DsmInputError('%s: a path must be a non-empty string (got %r).' % (option, path))
    shown = path if len(path) <= 200 else path[:200] + '...'
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in path):
        raise DsmInputError('%s: path %r contains a control character (NUL, newline, ...).' % (option, shown))
    if len(path.encode('utf-8')) > MAX_PATH:
        raise DsmInputError('%s: path %r is longer than %d bytes.' % (option, shown, MAX_PATH))
    if not path.startswith('/'):
        raise DsmInputError('%s: path %r is relative; give an absolute path such as /volume1/<shared folder>/<dir>.'
                            % (option, shown))
    trimmed = path[:-1] if path.endswith('/') and len(path) > 1 else path
    segments = trimmed.split('/')[1:]
    if any(segment == '' for segment in segments):
        raise DsmInputError('%s: path %r has an empty segment (//).' % (option, shown))
    if any(segment in ('.', '..') for segment in segments):
        raise DsmInputError('%s: path %r has a "." or ".." segment; give the path without them.' % (option, shown))
    if not VOLUME_RE.match(segments[0]) or len(segments) < 2:
        raise DsmInputError('%s: path %r is not under /volumeN/<shared folder>/ (for example '
                            '/volume1/ActiveBackupforBusiness/pc).' % (option, shown))
    if any(len(segment.encode('utf-8')) > MAX_SEGMENT for segment in segments):
        raise DsmInputError('%s: path %r has a name longer than %d bytes.' % (option, shown, MAX_SEGMENT))
    return trimmed


def share_of(path):
    """('/volume1', 'share') of a checked path."""
    parts = path.split('/')
    return '/' + parts[1], parts[2]


def parent_of(path):
    return path.rsplit('/', 1)[0]
