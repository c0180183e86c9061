"""Listener TLS over real loopback sockets: versions, suites, ALPN, SNI, client certificates, load errors."""

from __future__ import annotations

import asyncio
import ssl
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from filters.options import OptionsError
from gateway.tls.certs import issue, write_pair
from gateway.tls.server import ServerTLS
from gateway.tls.settings import CertPair

from .conftest import PKI, handshake, hello_app, serve


def lenient_client(pki: PKI, version: ssl.TLSVersion, ciphers: str | None = None) -> ssl.SSLContext:
    """A client that offers exactly one protocol version (and optionally chosen suites)."""
    ctx = pki.client_context()
    ctx.minimum_version = ctx.maximum_version = version
    ctx.set_ciphers(ciphers or "ALL:@SECLEVEL=0")   # old versions need the weak levels to be offered at all
    return ctx


def cipher_name(sock: ssl.SSLSocket) -> str:
    negotiated = sock.cipher()
    assert negotiated is not None
    return negotiated[0]


async def try_handshake(port: int, ctx: ssl.SSLContext, name: str | None = "localhost") -> ssl.SSLSocket:
    return await asyncio.to_thread(handshake, port, ctx, name)


# The server answers an old ClientHello with a protocol_version alert or by closing the connection.
REFUSED_VERSION = "(?i)protocol.version|unsupported.protocol|unexpected.eof"
REFUSED_SUITE = "(?i)handshake.failure|no.shared.cipher|unexpected.eof"


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1:DeprecationWarning")
@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1])
async def test_old_versions_are_refused(pki: PKI, version: ssl.TLSVersion) -> None:
    async with serve(hello_app(), ServerTLS.load(pki.listener()).context) as port:
        with pytest.raises(ssl.SSLError, match=REFUSED_VERSION):
            await try_handshake(port, lenient_client(pki, version))


@pytest.mark.parametrize(("min_version", "client", "accepted"), [
    ("1.2", ssl.TLSVersion.TLSv1_2, True),
    ("1.2", ssl.TLSVersion.TLSv1_3, True),
    ("1.3", ssl.TLSVersion.TLSv1_3, True),
    ("1.3", ssl.TLSVersion.TLSv1_2, False),
])
async def test_minimum_version(pki: PKI, min_version: str, client: ssl.TLSVersion, accepted: bool) -> None:
    ctx = pki.client_context()
    ctx.minimum_version = ctx.maximum_version = client
    async with serve(hello_app(), ServerTLS.load(pki.listener(min_version=min_version)).context) as port:
        if accepted:
            with await try_handshake(port, ctx) as sock:
                assert sock.version() == {ssl.TLSVersion.TLSv1_2: "TLSv1.2", ssl.TLSVersion.TLSv1_3: "TLSv1.3"}[client]
                assert sock.compression() is None
        else:
            with pytest.raises(ssl.SSLError):
                await try_handshake(port, ctx)


@pytest.mark.parametrize(("suite", "accepted"), [
    ("ECDHE-ECDSA-AES256-GCM-SHA384", True),
    ("ECDHE-ECDSA-CHACHA20-POLY1305", True),
    ("ECDHE-ECDSA-AES128-GCM-SHA256", True),
    ("ECDHE-ECDSA-AES256-SHA384", False),     # CBC
    ("ECDHE-ECDSA-AES256-SHA", False),        # CBC, SHA-1
    ("ECDHE-ECDSA-AES128-SHA256", False),     # CBC
    ("ECDHE-ECDSA-NULL-SHA", False),          # no encryption
])
async def test_tls12_suites_ecdsa(pki: PKI, suite: str, accepted: bool) -> None:
    ctx = lenient_client(pki, ssl.TLSVersion.TLSv1_2, f"{suite}:@SECLEVEL=0")
    async with serve(hello_app(), ServerTLS.load(pki.listener()).context) as port:
        if accepted:
            with await try_handshake(port, ctx) as sock:
                assert cipher_name(sock) == suite
        else:
            with pytest.raises(ssl.SSLError, match=REFUSED_SUITE):
                await try_handshake(port, ctx)


@pytest.fixture
def rsa_pki(pki: PKI, tmp_path: Path) -> PKI:
    """The same CA with an RSA server key, so RSA key exchange and RSA suites can be offered."""
    leaf = issue(pki.ca, "localhost", ["localhost"], key=rsa.generate_private_key(public_exponent=65537, key_size=2048))
    cert, key = tmp_path / "rsa.crt", tmp_path / "rsa.key"
    write_pair(leaf, cert, key)
    return PKI(pki.files.__class__(pki.files.ca_cert, pki.files.ca_key, cert, key), pki.ca, pki.directory)


@pytest.mark.parametrize(("suite", "accepted"), [
    ("ECDHE-RSA-AES256-GCM-SHA384", True),
    ("ECDHE-RSA-CHACHA20-POLY1305", True),
    ("AES256-GCM-SHA384", False),             # RSA key exchange: no forward secrecy
    ("DHE-RSA-AES256-GCM-SHA384", False),     # finite-field DH is not offered
    ("ECDHE-RSA-AES256-SHA384", False),       # CBC
    ("AES128-SHA", False),
])
async def test_tls12_suites_rsa(rsa_pki: PKI, suite: str, accepted: bool) -> None:
    ctx = lenient_client(rsa_pki, ssl.TLSVersion.TLSv1_2, f"{suite}:@SECLEVEL=0")
    async with serve(hello_app(), ServerTLS.load(rsa_pki.listener()).context) as port:
        if accepted:
            with await try_handshake(port, ctx) as sock:
                assert cipher_name(sock) == suite
        else:
            with pytest.raises(ssl.SSLError):
                await try_handshake(port, ctx)


async def test_server_prefers_256_bit_suites(pki: PKI) -> None:
    ctx = lenient_client(pki, ssl.TLSVersion.TLSv1_2, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384")
    async with serve(hello_app(), ServerTLS.load(pki.listener()).context) as port:
        with await try_handshake(port, ctx) as sock:
            assert cipher_name(sock) == "ECDHE-ECDSA-AES256-GCM-SHA384"
    async with serve(hello_app(), ServerTLS.load(pki.listener()).context) as port:
        with await try_handshake(port, pki.client_context()) as sock:
            assert cipher_name(sock) == "TLS_AES_256_GCM_SHA384"


async def test_alpn_http11_and_no_renegotiation(pki: PKI) -> None:
    server = ServerTLS.load(pki.listener())
    assert server.context.options & ssl.OP_NO_RENEGOTIATION
    assert server.context.options & ssl.OP_NO_COMPRESSION
    ctx = pki.client_context()
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    async with serve(hello_app(), server.context) as port:
        with await try_handshake(port, ctx) as sock:
            assert sock.selected_alpn_protocol() == "http/1.1"


@pytest.fixture
def sni_pki(pki: PKI, tmp_path: Path) -> tuple[PKI, dict[str, x509.Certificate]]:
    made = {}
    for name, hosts in (("chat", ["chat.example.test"]), ("wild", ["*.wild.example.test"])):
        leaf = issue(pki.ca, hosts[0], hosts)
        write_pair(leaf, tmp_path / f"{name}.crt", tmp_path / f"{name}.key")
        made[name] = leaf.cert
    return pki, made


@pytest.mark.parametrize(("server_name", "expected"), [
    ("chat.example.test", "chat"),
    ("CHAT.example.test", "chat"),
    ("room.wild.example.test", "wild"),
    ("localhost", "default"),
    ("unknown.example.test", "default"),
    (None, "default"),
])
async def test_sni_picks_certificate(sni_pki: tuple[PKI, dict[str, x509.Certificate]], tmp_path: Path,
                                     server_name: str | None, expected: str) -> None:
    pki, made = sni_pki
    sni = {"chat.example.test": CertPair(str(tmp_path / "chat.crt"), str(tmp_path / "chat.key")),
           "*.wild.example.test": CertPair(str(tmp_path / "wild.crt"), str(tmp_path / "wild.key"))}
    default = x509.load_pem_x509_certificate(pki.files.server_cert.read_bytes())
    want = made.get(expected, default)
    ctx = pki.client_context()
    ctx.check_hostname = expected != "default" or server_name == "localhost"
    async with serve(hello_app(), ServerTLS.load(pki.listener(sni=sni)).context) as port:
        with await try_handshake(port, ctx, server_name) as sock:
            served = x509.load_der_x509_certificate(sock.getpeercert(binary_form=True) or b"")
    assert served.serial_number == want.serial_number


def principal_app(server: ServerTLS) -> web.Application:
    async def whoami(request: web.Request) -> web.Response:
        return web.Response(text=server.peer_principal(request) or "-")
    app = web.Application()
    app.router.add_get("/", whoami)
    return app


async def fetch(port: int, ctx: ssl.SSLContext) -> str:
    async with aiohttp.ClientSession() as session, session.get(f"https://localhost:{port}/", ssl=ctx) as resp:
        return await resp.text()


@pytest.mark.parametrize(("mode", "client", "expected"), [
    ("required", "own", "dev-client"),
    ("required", "none", None),
    ("required", "foreign", None),
    ("optional", "own", "dev-client"),
    ("optional", "none", "-"),
    ("optional", "foreign", None),
])
async def test_client_certificates(pki: PKI, other_pki: PKI, mode: str, client: str, expected: str | None) -> None:
    server = ServerTLS.load(pki.listener(client_ca=str(pki.files.ca_cert), client_cert=mode))
    ctx = pki.client_context()
    if client != "none":
        source = pki if client == "own" else other_pki
        assert source.files.client_cert and source.files.client_key
        ctx.load_cert_chain(source.files.client_cert, source.files.client_key)
    async with serve(principal_app(server), server.context) as port:
        if expected is None:   # refused in the handshake (TLS 1.3 reports it on the first read)
            with pytest.raises((aiohttp.ClientError, ssl.SSLError)):
                await fetch(port, ctx)
        else:
            assert await fetch(port, ctx) == expected


@pytest.mark.parametrize(("uris", "expected"), [
    (["spiffe://chat.test/bot"], "spiffe://chat.test/bot"),
    (["spiffe://chat.test/bot", "spiffe://chat.test/admin"], "-"),   # ambiguous: nobody
    ([], "-"),
])
async def test_principal_from_uri(pki: PKI, tmp_path: Path, uris: list[str], expected: str) -> None:
    leaf = issue(pki.ca, "svc", client=True, uris=uris)
    write_pair(leaf, tmp_path / "svc.crt", tmp_path / "svc.key")
    server = ServerTLS.load(pki.listener(client_ca=str(pki.files.ca_cert), client_cert="required",
                                         principal_from="uri"))
    ctx = pki.client_context()
    ctx.load_cert_chain(tmp_path / "svc.crt", tmp_path / "svc.key")
    async with serve(principal_app(server), server.context) as port:
        assert await fetch(port, ctx) == expected


def test_principal_needs_tls_transport(pki: PKI) -> None:
    server = ServerTLS.load(pki.listener(client_ca=str(pki.files.ca_cert), client_cert="optional"))
    assert server.peer_principal(object()) is None
    assert ServerTLS.load(pki.listener()).peer_principal(object()) is None


def expired(pki: PKI, tmp_path: Path) -> dict[str, str]:
    write_pair(issue(pki.ca, "localhost", ["localhost"], days=0), tmp_path / "old.crt", tmp_path / "old.key")
    return {"cert": str(tmp_path / "old.crt"), "key": str(tmp_path / "old.key")}


def _garbage(tmp_path: Path) -> str:
    path = tmp_path / "garbage.pem"
    path.write_text("-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n")
    return str(path)


@pytest.mark.parametrize(("change", "key_path", "message"), [
    ("missing_cert", "listen.tls.cert", "cannot read"),
    ("missing_key", "listen.tls.key", "cannot read"),
    ("garbage_cert", "listen.tls.cert", "no valid PEM certificate"),
    ("garbage_key", "listen.tls.key", "no unencrypted PEM private key"),
    ("key_of_other_cert", "listen.tls.key", "does not match"),
    ("garbage_client_ca", "listen.tls.client_ca", "cannot load"),
    ("broken_sni", "listen.tls.sni.chat.example.test.key", "does not match"),
    ("expired_cert", "listen.tls.cert", "expired on"),
])
def test_load_errors_name_the_key(pki: PKI, other_pki: PKI, tmp_path: Path,
                                  change: str, key_path: str, message: str) -> None:
    files, other = pki.files, other_pki.files
    options: dict[str, object] = {
        "missing_cert": {"cert": str(tmp_path / "nope.crt")},
        "missing_key": {"key": str(tmp_path / "nope.key")},
        "garbage_cert": {"cert": _garbage(tmp_path)},
        "garbage_key": {"key": _garbage(tmp_path)},
        "key_of_other_cert": {"key": str(other.server_key)},
        "garbage_client_ca": {"client_ca": _garbage(tmp_path), "client_cert": "required"},
        "broken_sni": {"sni": {"chat.example.test": CertPair(str(files.server_cert), str(other.server_key))}},
        "expired_cert": expired(pki, tmp_path),
    }[change]  # type: ignore[assignment]
    with pytest.raises(OptionsError, match=message) as caught:
        ServerTLS.load(pki.listener(**options))
    assert caught.value.path == key_path

