# -*- coding: utf-8 -*-
# Copyright (c) syno.activebackup contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Private to syno.activebackup: the connection options every module shares (see module_utils/_options.py)."""

from __future__ import annotations


class ModuleDocFragment:

    DOCUMENTATION = r'''
options:
  host:
    description:
      - Name or address of the NAS, without scheme, port or path (at most 253 characters).
      - If not set, the value of the E(SYNOLOGY_HOST) environment variable is used.
    type: str
    required: true
  port:
    description:
      - TCP port of DSM's web server.
      - Defaults to V(5001) with O(use_https=true) and V(5000) without.
      - If not set, the value of the E(SYNOLOGY_PORT) environment variable is used.
    type: int
  use_https:
    description:
      - Talk to DSM over HTTPS (recommended) or plain HTTP.
    type: bool
    default: true
  validate_certs:
    description:
      - Verify the TLS certificate of DSM.
      - Set O(ca_path) rather than turning this off when DSM uses its own or a private CA's certificate.
      - If not set, the value of the E(SYNOLOGY_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - Path of a CA bundle (PEM) to verify the certificate of DSM with, for example the certificate
        exported from DSM (Control Panel > Security > Certificate) or the private CA that signed it.
      - The file must exist and hold at least one PEM certificate; this is checked before any request.
      - If not set, the value of the E(SYNOLOGY_CA_PATH) environment variable is used (an empty value
        counts as not set), as the AWX credential type of the collection injects it.
    type: path
  username:
    description:
      - DSM account to log in with. It must be a member of the C(administrators) group.
      - Required unless O(session) is given. With O(session) as well, it serves to log in again
        when the session has expired.
      - If not set, the value of the E(SYNOLOGY_USERNAME) environment variable is used.
    type: str
  password:
    description:
      - Password of O(username).
      - If not set, the value of the E(SYNOLOGY_PASSWORD) environment variable is used.
    type: str
  otp_code:
    description:
      - One two-factor authentication code for an account with 2FA. A code can be used once, so
        this suits one task; for plays prefer O(otp_secret) or O(device_id).
    type: str
  otp_secret:
    description:
      - Base32 TOTP seed of an account with 2FA (the text behind the QR code shown when 2FA was
        enabled). The code is computed on the controller (RFC 6238); the controller clock must be
        right within about 30 seconds.
      - When DSM answers that this 30-second window's code was already used, the task waits once
        for the next window.
      - If not set, the value of the E(SYNOLOGY_OTP_SECRET) environment variable is used.
    type: str
  device_id:
    description:
      - Trusted-device token that lets an account with 2FA log in without a code, as returned by
        M(syno.activebackup.session) with O(syno.activebackup.session#module:request_device_token=true).
      - If not set, the value of the E(SYNOLOGY_DEVICE_ID) environment variable is used.
    type: str
  device_name:
    description:
      - Name under which DSM lists the trusted device, used with O(device_id).
    type: str
    default: ansible
  session:
    description:
      - A session returned by M(syno.activebackup.session), so that the task logs in no more.
      - When it has expired and O(username) and O(password) are given too, the task logs in again
        once and warns; without them it fails saying the session expired.
    type: dict
    suboptions:
      sid:
        description: Session ID.
        type: str
        required: true
      synotoken:
        description: SynoToken of the session, sent as the C(X-SYNO-TOKEN) header.
        type: str
      device_id:
        description: Trusted-device token, when the session module asked for one. Not used by other modules.
        type: str
  timeout:
    description:
      - Seconds to wait for each HTTP request, from 1 to 86400 (one day).
    type: int
    default: 60
  retries:
    description:
      - How many times a read is retried when DSM answers that it is busy (codes 109, 110, 111, 117, 118)
        or the connection fails, with exponential backoff. From 0 to 10.
      - A write is retried only when its request never reached the NAS.
    type: int
    default: 3
requirements:
  - requests (Python library, on the controller or on the host that runs the task)
notes:
  - >-
    O(username), O(password), O(otp_secret), O(device_id), O(device_name) and the values of
    O(session) take at most 1024 characters and no control characters (a password read from a file
    with a trailing newline needs C(| trim)). Every option is checked before the first request.
  - >-
    The tasks reach the NAS from the host they run on, normally the controller (C(connection: local)
    or C(delegate_to: localhost)). There the task runs inside the controller's worker process;
    delegated elsewhere it runs as an ordinary module.
  - Every task without O(session) logs in and out once. For plays of several tasks use
    M(syno.activebackup.session) once per host and pass its result in O(session).
'''
