"""`chatguard certs dev`: a local CA plus server and client certificates for demos and tests.

Keys are EC P-256: every TLS 1.2/1.3 client supports it (Ed25519 certificates are still
refused by browsers). Files are written atomically (a reloading listener never sees a
half-written file) and private keys are created 0600. Running it again reuses a valid
CA, so a CA the operator already trusts stays trusted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import ipaddress
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["DevCerts", "Issued", "create_dev_certs", "issue", "load_ca", "main", "new_ca", "write_pair"]

CA_DAYS = 3650
LEAF_DAYS = 397           # the longest lifetime browsers accept for server certificates
RENEW_BEFORE = dt.timedelta(days=30)


PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


@dataclass(frozen=True)
class Issued:
    cert: x509.Certificate
    key: PrivateKey


@dataclass(frozen=True)
class DevCerts:
    ca_cert: Path
    ca_key: Path
    server_cert: Path
    server_key: Path
    client_cert: Path | None = None
    client_key: Path | None = None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _name(common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "chatguard development"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def new_ca(common_name: str = "chatguard development CA", days: int = CA_DAYS) -> Issued:
    """A self-signed CA that may sign leaves only (path length 0)."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name)).issuer_name(_name(common_name))
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
            key_encipherment=False, data_encipherment=False, key_agreement=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(ski, critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Issued(cert, key)


def _san(hosts: Sequence[str]) -> x509.SubjectAlternativeName:
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return x509.SubjectAlternativeName(names)


def issue(ca: Issued, common_name: str, hosts: Sequence[str] = (), *, client: bool = False,
          uris: Sequence[str] = (), days: int = LEAF_DAYS, key: PrivateKey | None = None) -> Issued:
    """A leaf signed by `ca`: a server certificate for `hosts`, or a client certificate."""
    key = key or ec.generate_private_key(ec.SECP256R1())
    now = _now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name)).issuer_name(ca.cert.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, key_cert_sign=False, crl_sign=False, content_commitment=False,
            key_encipherment=False, data_encipherment=False, key_agreement=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage(
            [ExtendedKeyUsageOID.CLIENT_AUTH if client else ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False)
    )
    general = list(_san(hosts)) + [x509.UniformResourceIdentifier(u) for u in uris]
    if general:
        builder = builder.add_extension(x509.SubjectAlternativeName(general), critical=not common_name)
    return Issued(builder.sign(ca.key, hashes.SHA256()), key)


def _write_atomic(path: Path, data: bytes, mode: int) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.fchmod(fd, mode)
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def write_pair(issued: Issued, cert_path: Path, key_path: Path, chain: Sequence[x509.Certificate] = ()) -> None:
    """Write the key (0600, unencrypted PKCS#8) and the certificate followed by `chain`."""
    key_pem = issued.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    _write_atomic(key_path, key_pem, 0o600)
    pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (issued.cert, *chain))
    _write_atomic(cert_path, pem, 0o644)


def load_ca(cert_path: Path, key_path: Path) -> Issued | None:
    """The CA in these files if it is usable for a while longer, else None."""
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (OSError, ValueError):
        return None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.public_key() != cert.public_key():
        return None
    try:
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return None
    if not constraints.ca or cert.not_valid_after_utc - RENEW_BEFORE < _now():
        return None
    return Issued(cert, key)


def create_dev_certs(directory: Path, hosts: Sequence[str] = ("localhost", "127.0.0.1", "::1"),
                     *, client_name: str | None = "dev-client") -> DevCerts:
    """Create (or reuse) `ca.crt`/`ca.key` and issue `server.*` and optionally `client.*` in `directory`."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    paths = {name: directory / name for name in
             ("ca.crt", "ca.key", "server.crt", "server.key", "client.crt", "client.key")}
    ca = load_ca(paths["ca.crt"], paths["ca.key"])
    if ca is None:
        ca = new_ca()
        write_pair(ca, paths["ca.crt"], paths["ca.key"])
    common_name = hosts[0] if hosts else "localhost"
    write_pair(issue(ca, common_name, hosts), paths["server.crt"], paths["server.key"])
    client_cert = client_key = None
    if client_name:
        client_cert, client_key = paths["client.crt"], paths["client.key"]
        write_pair(issue(ca, client_name, client=True), client_cert, client_key)
    return DevCerts(paths["ca.crt"], paths["ca.key"], paths["server.crt"], paths["server.key"], client_cert, client_key)


TRUST_HELP = """\
Development certificates in {out}:
  CA          {ca}   (trust this one; keep ca.key private)
  server      {server_cert}  {server_key}
  client      {client}
To trust the CA:
  curl/httpx/aiohttp:  --cacert {ca}  or  SSL_CERT_FILE={ca}
  Debian/Ubuntu:       sudo cp {ca} /usr/local/share/ca-certificates/chatguard-dev.crt && sudo update-ca-certificates
  Fedora/RHEL:         sudo cp {ca} /etc/pki/ca-trust/source/anchors/ && sudo update-ca-trust
  macOS:               sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain {ca}
  Firefox:             Settings > Privacy & Security > Certificates > View Certificates > Authorities > Import
Remove the CA from your trust store when you no longer need it.
"""


def main(argv: Sequence[str] | None = None) -> int:
    """`chatguard certs dev --out DIR [--host NAME ...] [--no-client]`."""
    parser = argparse.ArgumentParser(prog="chatguard certs dev", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("certs"), help="directory for the files")
    parser.add_argument("--host", action="append", dest="hosts",
                        help="DNS name or IP for the server certificate (repeat; default localhost, 127.0.0.1, ::1)")
    parser.add_argument("--no-client", action="store_true", help="do not issue a client certificate")
    args = parser.parse_args(argv)
    hosts = args.hosts or ["localhost", "127.0.0.1", "::1"]
    made = create_dev_certs(args.out, hosts, client_name=None if args.no_client else "dev-client")
    client = f"{made.client_cert}  {made.client_key}" if made.client_cert else "(not issued)"
    sys.stdout.write(TRUST_HELP.format(out=args.out, ca=made.ca_cert, server_cert=made.server_cert,
                                       server_key=made.server_key, client=client))
    return 0
