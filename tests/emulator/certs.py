# -*- coding: utf-8 -*-
# Copyright: contributors to syno.activebackup
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A certificate authority made for one emulator run, and the server certificate it signs.

``make_run_certs(directory)`` writes ``ca.pem``, ``server.pem`` and ``server-key.pem``.
The server certificate names 127.0.0.1, ::1 and localhost. The CA's private key is never
written to disk when ``cryptography`` is importable; otherwise the ``openssl`` command line
tool makes the same files and the CA key is deleted right after signing.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import shutil
import subprocess
import tempfile

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    HAS_CRYPTOGRAPHY = True
except ImportError:
    HAS_CRYPTOGRAPHY = False

SAN_DNS = ('localhost',)
SAN_IP = ('127.0.0.1', '::1')
VALID_DAYS = 30


def _write(path, data, private=False):
    """Write bytes to path; private files get mode 0600 from the start."""
    mode = 0o600 if private else 0o644
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, 'wb') as handle:
        handle.write(data)


def _paths(directory, prefix):
    return {
        'ca': os.path.join(directory, prefix + 'ca.pem'),
        'cert': os.path.join(directory, prefix + 'server.pem'),
        'key': os.path.join(directory, prefix + 'server-key.pem'),
    }


def _name(common_name):
    return x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, 'syno.activebackup test emulator'),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _make_with_cryptography(paths, label):
    now = datetime.datetime.now(datetime.timezone.utc)
    start = now - datetime.timedelta(days=1)
    end = now + datetime.timedelta(days=VALID_DAYS)

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name('DSM emulator CA %s' % label)
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    key = ec.generate_private_key(ec.SECP256R1())
    san = [x509.DNSName(name) for name in SAN_DNS] + [x509.IPAddress(ipaddress.ip_address(ip)) for ip in SAN_IP]
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name('localhost'))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(san), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    _write(paths['ca'], ca_cert.public_bytes(serialization.Encoding.PEM))
    _write(paths['cert'], cert.public_bytes(serialization.Encoding.PEM))
    _write(paths['key'], key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()), private=True)


def _openssl(*args):
    subprocess.run(('openssl',) + args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)


def _make_with_openssl(paths, label):
    if shutil.which('openssl') is None:
        raise RuntimeError('neither the cryptography package nor the openssl command is available to make the test CA')
    work = tempfile.mkdtemp(prefix='dsm-emulator-ca-')
    try:
        ca_key = os.path.join(work, 'ca-key.pem')
        csr = os.path.join(work, 'server.csr')
        ext = os.path.join(work, 'server.ext')
        san = ','.join(['DNS:%s' % name for name in SAN_DNS] + ['IP:%s' % ip for ip in SAN_IP])
        with open(ext, 'w') as handle:
            handle.write('basicConstraints=critical,CA:FALSE\n'
                         'keyUsage=critical,digitalSignature\n'
                         'extendedKeyUsage=serverAuth\n'
                         'subjectAltName=%s\n'
                         'subjectKeyIdentifier=hash\n'
                         'authorityKeyIdentifier=keyid\n' % san)
        _openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
                 '-keyout', ca_key, '-out', paths['ca'], '-days', str(VALID_DAYS),
                 '-subj', '/O=syno.activebackup test emulator/CN=DSM emulator CA %s' % label,
                 '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0',
                 '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature')
        _openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
                 '-keyout', paths['key'], '-out', csr, '-subj', '/O=syno.activebackup test emulator/CN=localhost')
        os.chmod(paths['key'], 0o600)
        _openssl('x509', '-req', '-in', csr, '-CA', paths['ca'], '-CAkey', ca_key,
                 '-CAserial', os.path.join(work, 'ca.srl'), '-CAcreateserial',
                 '-out', paths['cert'], '-days', str(VALID_DAYS), '-sha256', '-extfile', ext)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def make_run_certs(directory, prefix='', label='run'):
    """Make a new CA and a server certificate signed by it in directory.

    Returns a dict with the absolute paths ``ca``, ``cert`` and ``key``.
    ``prefix`` is put in front of the file names (used for rotated certificates).
    """
    directory = os.path.abspath(directory)
    os.makedirs(directory, exist_ok=True)
    paths = _paths(directory, prefix)
    if HAS_CRYPTOGRAPHY:
        _make_with_cryptography(paths, label)
    else:
        _make_with_openssl(paths, label)
    return paths
