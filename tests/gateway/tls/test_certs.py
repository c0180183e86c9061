"""`chatguard certs dev`: a usable, properly constrained development PKI, created once and reused."""

from __future__ import annotations

import asyncio
import ipaddress
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from gateway.tls.certs import create_dev_certs, main
from gateway.tls.server import ServerTLS

from .conftest import PKI, handshake, hello_app, serve


def load(path: Path | None) -> x509.Certificate:
    assert path is not None
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_ca_is_constrained(pki: PKI) -> None:
    ca = load(pki.files.ca_cert)
    constraints = ca.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca and constraints.value.path_length == 0
    usage = ca.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_cert_sign and usage.crl_sign
    public = ca.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey) and public.curve.name == "secp256r1"


def test_server_certificate(pki: PKI) -> None:
    ca, server = load(pki.files.ca_cert), load(pki.files.server_cert)
    server.verify_directly_issued_by(ca)
    san = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]
    assert san.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")]
    assert server.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    usage = server.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and not usage.key_cert_sign
    assert list(server.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [
        ExtendedKeyUsageOID.SERVER_AUTH]
    assert (server.not_valid_after_utc - server.not_valid_before_utc).days <= 398


def test_client_certificate(pki: PKI) -> None:
    client = load(pki.files.client_cert)
    client.verify_directly_issued_by(load(pki.files.ca_cert))
    assert list(client.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [
        ExtendedKeyUsageOID.CLIENT_AUTH]


def test_private_keys_are_owner_only(pki: PKI) -> None:
    for key in (pki.files.ca_key, pki.files.server_key, pki.files.client_key):
        assert key is not None and stat.S_IMODE(key.stat().st_mode) == 0o600
    assert not list(pki.directory.glob(".*.tmp"))


def test_rerun_reuses_the_ca(pki: PKI) -> None:
    before = load(pki.files.ca_cert)
    again = create_dev_certs(pki.directory)
    assert load(again.ca_cert) == before
    load(again.server_cert).verify_directly_issued_by(before)


@pytest.mark.parametrize("damage", ["garbage_key", "missing_cert", "key_of_other_ca"])
def test_unusable_ca_is_replaced(pki: PKI, other_pki: PKI, damage: str) -> None:
    before = load(pki.files.ca_cert)
    if damage == "garbage_key":
        pki.files.ca_key.write_text("nope")
    elif damage == "missing_cert":
        pki.files.ca_cert.unlink()
    else:
        pki.files.ca_key.write_bytes(other_pki.files.ca_key.read_bytes())
    again = create_dev_certs(pki.directory)
    assert load(again.ca_cert) != before
    load(again.server_cert).verify_directly_issued_by(load(again.ca_cert))


@pytest.mark.parametrize("name", ["localhost", "127.0.0.1"])
async def test_clients_verify_names_and_addresses(pki: PKI, name: str) -> None:
    async with serve(hello_app(), ServerTLS.load(pki.listener()).context) as port:
        sock = await asyncio.to_thread(handshake, port, pki.client_context(), name)
        sock.close()


def test_command_prints_how_to_trust(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo"
    assert main(["--out", str(out), "--host", "chat.localhost", "--no-client"]) == 0
    printed = capsys.readouterr().out
    assert str(out / "ca.crt") in printed and "update-ca-certificates" in printed and "--cacert" in printed
    assert not (out / "client.crt").exists()
    san = load(out / "server.crt").extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["chat.localhost"]
