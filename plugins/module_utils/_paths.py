# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: checks of NAS paths, shared folder names and texts, made before any request is sent."""

from __future__ import annotations

import re

from ._errors import DsmInputError

VOLUME_RE = re.compile(r'^volume[0-9]+$')
MAX_PATH = 4095
MAX_SEGMENT = 255
# How much of a bad value a message shows.
SHOWN = 100


def shown(value, limit=SHOWN):
    """``repr(value)`` for a message, cut after ``limit`` characters (with the full length said)."""
    text = repr(value)
    if len(text) <= limit:
        return text
    size = ' (%d characters)' % len(value) if isinstance(value, str) else ''
    return '%s...%s' % (text[:limit], size)


def text_problem(value):
    """Why the text ``value`` cannot be sent to DSM, or None: control characters, or text that is no valid Unicode."""
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return 'contains a control character (NUL, tab, newline, ...)'
    try:
        value.encode('utf-8')
    except UnicodeEncodeError:
        return 'is not valid Unicode text (it holds a lone surrogate, for example from bytes that are not UTF-8)'
    return None


def check_path(path, option):
    """Return ``path`` without a trailing slash if it is an absolute path under ``/volumeN/<share>``.

    Raises DsmInputError naming ``option`` otherwise: relative paths, empty segments (``//``),
    ``.`` and ``..`` segments, control characters, text that is no valid Unicode and over-long
    paths are refused.
    """
    if not isinstance(path, str) or not path:
        raise DsmInputError('%s: a path must be a non-empty string (got %s).' % (option, shown(path)))
    display = path if len(path) <= 200 else path[:200] + '...'
    problem = text_problem(path)
    if problem:
        raise DsmInputError('%s: path %r %s.' % (option, display, problem))
    if len(path.encode('utf-8')) > MAX_PATH:
        raise DsmInputError('%s: path %r is longer than %d bytes.' % (option, display, MAX_PATH))
    if not path.startswith('/'):
        raise DsmInputError('%s: path %r is relative; give an absolute path such as /volume1/<shared folder>/<dir>.'
                            % (option, display))
    trimmed = path[:-1] if path.endswith('/') and len(path) > 1 else path
    segments = trimmed.split('/')[1:]
    if any(segment == '' for segment in segments):
        raise DsmInputError('%s: path %r has an empty segment (//).' % (option, display))
    if any(segment in ('.', '..') for segment in segments):
        raise DsmInputError('%s: path %r has a "." or ".." segment; give the path without them.' % (option, display))
    if not VOLUME_RE.match(segments[0]) or len(segments) < 2:
        raise DsmInputError('%s: path %r is not under /volumeN/<shared folder>/ (for example '
                            '/volume1/ActiveBackupforBusiness/pc).' % (option, display))
    if any(len(segment.encode('utf-8')) > MAX_SEGMENT for segment in segments):
        raise DsmInputError('%s: path %r has a name longer than %d bytes.' % (option, display, MAX_SEGMENT))
    return trimmed


def check_share_name(name, option, empty_hint=''):
    """Return ``name`` if it can be the name of a shared folder; raise DsmInputError naming ``option`` otherwise.

    Refused: an empty or blank name, control characters, text that is no valid Unicode, a ``/``
    (a path, not a name), ``.`` and ``..``, and names longer than a directory name can be
    (255 bytes). Anything else is kept exactly as given (quotes, spaces, Unicode, digits):
    it is sent as a JSON string.
    """
    if not isinstance(name, str) or not name.strip():
        raise DsmInputError('%s must be the name of a shared folder (got %s).%s' % (option, shown(name), empty_hint))
    problem = text_problem(name)
    if problem:
        raise DsmInputError('%s: the shared folder name %s %s.' % (option, shown(name), problem))
    if '/' in name:
        raise DsmInputError('%s must be the name of a shared folder, not a path (got %s); for example '
                            'ActiveBackupforBusiness.' % (option, shown(name)))
    if name in ('.', '..'):
        raise DsmInputError('%s: %r is not the name of a shared folder.' % (option, name))
    if len(name.encode('utf-8')) > MAX_SEGMENT:
        raise DsmInputError('%s: the shared folder name %s is longer than %d bytes, which no shared folder name is.'
                            % (option, shown(name), MAX_SEGMENT))
    return name


def check_volume_path(path, option):
    """Return ``path`` (such as ``/volume1``) without a trailing slash if it names a volume; else raise DsmInputError."""
    if not isinstance(path, str) or not path:
        raise DsmInputError('%s: a volume path must be a non-empty string such as /volume1 (got %s).'
                            % (option, shown(path)))
    problem = text_problem(path)
    if problem:
        raise DsmInputError('%s: volume path %s %s.' % (option, shown(path), problem))
    if len(path.encode('utf-8')) > MAX_SEGMENT + 2:
        raise DsmInputError('%s: volume path %s is longer than %d bytes.' % (option, shown(path), MAX_SEGMENT + 2))
    if not path.startswith('/'):
        raise DsmInputError('%s: volume path %s is relative; give an absolute path such as /volume1.'
                            % (option, shown(path)))
    trimmed = path[:-1] if path.endswith('/') and len(path) > 1 else path
    segments = trimmed.split('/')[1:]
    if trimmed == '/':
        raise DsmInputError('%s: %r is the root directory, not a volume; give a volume such as /volume1.'
                            % (option, path))
    if any(segment == '' for segment in segments):
        raise DsmInputError('%s: volume path %s has an empty segment (//).' % (option, shown(path)))
    if any(segment in ('.', '..') for segment in segments):
        raise DsmInputError('%s: volume path %s has a "." or ".." segment; give the volume itself, such as /volume1.'
                            % (option, shown(path)))
    if len(segments) > 1:
        raise DsmInputError('%s: %s is a path inside a volume; give the volume itself, such as /volume1.'
                            % (option, shown(path)))
    return trimmed


def share_of(path):
    """('/volume1', 'share') of a checked path."""
    parts = path.split('/')
    return '/' + parts[1], parts[2]


def parent_of(path):
    return path.rsplit('/', 1)[0]
