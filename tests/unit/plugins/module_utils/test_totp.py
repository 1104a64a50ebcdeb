# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""TOTP against the published test vectors (RFC 4226 appendix D, RFC 6238 appendix B, SHA1)."""

from __future__ import annotations

import pytest

from ansible_collections.syno.activebackup.plugins.module_utils._config import ConnectionConfig
from ansible_collections.syno.activebackup.plugins.module_utils._errors import DsmInputError
from ansible_collections.syno.activebackup.plugins.module_utils._totp import (
    InvalidSecret, decode_secret, hotp, seconds_left, totp, window,
)

ASCII_SEED = b'12345678901234567890'
SEED = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'

# RFC 6238 appendix B, SHA1 column (8 digits).
RFC6238_SHA1 = [
    (59, '94287082'),
    (1111111109, '07081804'),
    (1111111111, '14050471'),
    (1234567890, '89005924'),
    (2000000000, '69279037'),
    (20000000000, '65353130'),
]

# RFC 4226 appendix D (6 digits).
RFC4226 = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489']


@pytest.mark.parametrize('counter, code', list(enumerate(RFC4226)))
def test_hotp_rfc4226(counter, code):
    assert hotp(ASCII_SEED, counter) == code


@pytest.mark.parametrize('now, code', RFC6238_SHA1)
def test_totp_rfc6238_eight_digits(now, code):
    assert totp(SEED, now, digits=8) == code


@pytest.mark.parametrize('now, code', RFC6238_SHA1)
def test_totp_six_digits_is_the_tail_of_the_eight(now, code):
    assert totp(SEED, now) == code[-6:]
    assert len(totp(SEED, now)) == 6


def test_codes_are_zero_padded():
    assert totp(SEED, 1234567890) == '005924'


@pytest.mark.parametrize('spelling', [
    SEED,
    SEED.lower(),
    'gezd gnbv gy3t qojq gezd gnbv gy3t qojq',
    'GEZD-GNBV-GY3T-QOJQ-GEZD-GNBV-GY3T-QOJQ',
    ' ' + SEED + '\n',
])
def test_seed_spellings_decode_alike(spelling):
    assert decode_secret(spelling) == ASCII_SEED


@pytest.mark.parametrize('unpadded, key', [
    ('MZXW6', b'foo'),            # 5 chars: padding '===' dropped
    ('MZXW6YQ', b'foob'),         # 7 chars: '=' dropped
    ('mzxw6ytb', b'fooba'),       # no padding needed, lowercase
    ('MZXW6YTBOI', b'foobar'),    # 10 chars: '======' dropped
    ('MZXW6YTBOI======', b'foobar'),
])
def test_padding_is_optional(unpadded, key):
    assert decode_secret(unpadded) == key


@pytest.mark.parametrize('bad', ['', '   ', '====', 'GEZDGNB1', 'GEZDGNB8', 'not base32!', 'A', 'ABC', 'MZXW6YTBO',
                                 # letters that upper-case to ASCII ones are no base32 letters
                                 'ßßßß', 'ıııı', 'ſſſſ', 'GEZDGNBVGY3TQOJQ\u00df', 'ÉÉÉÉ', 'MZXW6=YQ'])
def test_invalid_seed_message_never_holds_the_seed(bad):
    with pytest.raises(InvalidSecret) as info:
        decode_secret(bad)
    text = str(info.value)
    assert 'otp_secret' in text
    if len(bad.strip(' =')) >= 4:
        assert bad.strip() not in text


def test_invalid_seed_in_the_config_is_an_input_error_without_the_seed():
    seed = 'SECRETSEED0189'
    with pytest.raises(DsmInputError) as info:
        ConnectionConfig(host='nas', username='u', password='p', otp_secret=seed)
    assert 'otp_secret' in str(info.value)
    assert seed not in str(info.value) and seed.lower() not in str(info.value)


@pytest.mark.parametrize('now, number, left', [
    (0, 0, 30), (29, 0, 1), (29.5, 0, 0.5), (30, 1, 30), (59, 1, 1), (1111111109, 37037036, 1),
])
def test_window_and_seconds_left(now, number, left):
    assert window(now) == number
    assert seconds_left(now) == left
