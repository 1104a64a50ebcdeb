# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: time-based one-time passwords (RFC 6238 over RFC 4226), stdlib only."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct

STEP = 30
DIGITS = 6


class InvalidSecret(ValueError):
    """The TOTP seed is not valid base32. The message never holds the seed."""


def decode_secret(secret):
    """Decode a base32 seed as authenticator apps show it: any case, spaces or dashes, padding optional.

    Only ASCII letters and digits 2-7 count: a letter that upper-cases to ASCII (``ß``, ``ı``) is refused.
    """
    text = ''.join(str(secret).split()).replace('-', '').rstrip('=')
    if not text:
        raise InvalidSecret('otp_secret is empty')
    if not text.isascii():
        raise InvalidSecret('otp_secret is not a valid base32 TOTP seed (letters A-Z and digits 2-7)')
    text = text.upper() + '=' * (-len(text) % 8)
    try:
        key = base64.b32decode(text)
    except (binascii.Error, ValueError):
        raise InvalidSecret('otp_secret is not a valid base32 TOTP seed (letters A-Z and digits 2-7)') from None
    if not key:
        raise InvalidSecret('otp_secret is empty')
    return key


def window(now, step=STEP):
    """Number of the time step that ``now`` (seconds since the epoch) falls in."""
    return int(now // step)


def seconds_left(now, step=STEP):
    """Seconds from ``now`` to the start of the next time step."""
    return step - (now % step)


def hotp(key, counter, digits=DIGITS):
    """RFC 4226 HOTP value for ``counter`` with HMAC-SHA1, as a zero-padded string."""
    digest = hmac.new(key, struct.pack('>Q', counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(value % (10 ** digits)).zfill(digits)


def totp(secret, now, step=STEP, digits=DIGITS):
    """RFC 6238 TOTP code of base32 ``secret`` at time ``now``."""
    return hotp(decode_secret(secret), window(now, step), digits)
