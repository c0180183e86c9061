"""TLS towards backends: verification, SNI override, minimum version, mTLS, and the 502 a failure becomes."""

from __future__ import annotations

import ssl
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from filters.options import OptionsError
from gateway.tls.certs import issue, write_pair
from gateway.tls.server import ServerTLS
from gateway.tls.settings import ListenerTLS, UpstreamTLS
from gateway.tls.upstream import upstream_context, upstream_tls_error, warnings

from .conftest import PKI, hello_app, serve

PATH = "upstreams.chat.tls"


def forwarding_app(backend: str, cfg: UpstreamTLS) -> web.Application:
    """What the proxy does with these functions: one context per upstream, TLS failures -> 502."""
    context = upstream_context(cfg, PATH)

    async def forward(request: web.Request) -> web.Response:
        try:
            async with aiohttp.ClientSession() as session, \
                    session.get(backend, ssl=context, server_hostname=cfg.server_name) as resp:
                return web.Response(status=resp.status, text=await resp.text())
        except aiohttp.ClientError as exc:
            return web.Response(status=502, text=upstream_tls_error(exc) or f"upstream unavailable: {exc}")

    app = web.Application()
    app.router.add_get("/", forward)
    return app


async def through_gateway(backend_ctx: ssl.SSLContext, cfg: UpstreamTLS, host: str = "localhost") -> tuple[int, str]:
    async with serve(hello_app(), backend_ctx) as backend_port, \
            serve(forwarding_app(f"https://{host}:{backend_port}/", cfg), None) as gateway_port, \
            aiohttp.ClientSession() as session, \
            session.get(f"http://127.0.0.1:{gateway_port}/") as resp:
        return resp.status, await resp.text()


async def test_verified_with_configured_ca(pki: PKI) -> None:
    backend = ServerTLS.load(pki.listener()).context
    assert await through_gateway(backend, UpstreamTLS(ca_file=str(pki.files.ca_cert))) == (200, "hello")


@pytest.mark.parametrize("trust", ["other_ca", "system"])
async def test_certificate_from_another_ca_is_a_clear_502(pki: PKI, other_pki: PKI, trust: str) -> None:
    backend = ServerTLS.load(other_pki.listener()).context
    cfg = UpstreamTLS(ca_file=str(pki.files.ca_cert)) if trust == "other_ca" else UpstreamTLS()
    status, text = await through_gateway(backend, cfg)
    assert status == 502
    assert text.startswith("upstream TLS certificate rejected (localhost:")
    assert "unable to get local issuer certificate" in text


async def test_hostname_mismatch_is_refused(pki: PKI) -> None:
    backend = ServerTLS.load(pki.listener()).context
    status, text = await through_gateway(backend, UpstreamTLS(ca_file=str(pki.files.ca_cert),
                                                              server_name="chat.example.test"))
    assert status == 502
    assert "Hostname mismatch" in text


async def test_server_name_override(pki: PKI, tmp_path: Path) -> None:
    """The URL says 127.0.0.1; the backend's certificate only names backend.internal."""
    write_pair(issue(pki.ca, "backend.internal", ["backend.internal"]), tmp_path / "b.crt", tmp_path / "b.key")
    backend = ServerTLS.load(ListenerTLS(cert=str(tmp_path / "b.crt"), key=str(tmp_path / "b.key"))).context
    cfg = UpstreamTLS(ca_file=str(pki.files.ca_cert), server_name="backend.internal")
    assert await through_gateway(backend, cfg, host="127.0.0.1") == (200, "hello")
    status, _ = await through_gateway(backend, UpstreamTLS(ca_file=str(pki.files.ca_cert)), host="127.0.0.1")
    assert status == 502


async def test_minimum_version_towards_backend(pki: PKI) -> None:
    backend = ServerTLS.load(pki.listener()).context
    backend.maximum_version = ssl.TLSVersion.TLSv1_2
    cfg = UpstreamTLS(ca_file=str(pki.files.ca_cert), min_version="1.3")
    status, text = await through_gateway(backend, cfg)
    assert status == 502
    assert text.startswith("upstream TLS handshake failed (localhost:")


@pytest.mark.parametrize("with_cert", [True, False])
async def test_client_certificate_to_backend(pki: PKI, with_cert: bool) -> None:
    backend = ServerTLS.load(pki.listener(client_ca=str(pki.files.ca_cert), client_cert="required")).context
    files = pki.files
    cfg = UpstreamTLS(ca_file=str(files.ca_cert),
                      cert=str(files.client_cert) if with_cert else None,
                      key=str(files.client_key) if with_cert else None)
    status, _ = await through_gateway(backend, cfg)
    assert status == (200 if with_cert else 502)


async def test_insecure_skip_verify_is_explicit_and_warned(other_pki: PKI) -> None:
    backend = ServerTLS.load(other_pki.listener()).context
    cfg = UpstreamTLS(insecure_skip_verify=True)
    assert await through_gateway(backend, cfg) == (200, "hello")
    [line] = warnings(cfg, PATH)
    assert line.startswith("upstreams.chat.tls.insecure_skip_verify: certificate verification is OFF")
    assert warnings(UpstreamTLS(), PATH) == []


def test_context_is_hardened(pki: PKI) -> None:
    ctx = upstream_context(UpstreamTLS(ca_file=str(pki.files.ca_cert)), PATH)
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname
    assert ctx.minimum_version == ssl.TLSVersion.TLSv1_2
    assert all("GCM" in c["name"] or "CHACHA20" in c["name"] for c in ctx.get_ciphers())
    assert len(ctx.get_ca_certs()) == 1        # only the configured CA, not the system store too


def test_file_errors_name_the_key(pki: PKI, other_pki: PKI, tmp_path: Path) -> None:
    junk = tmp_path / "junk.pem"
    junk.write_text("nothing here")
    with pytest.raises(OptionsError) as caught:
        upstream_context(UpstreamTLS(ca_file=str(junk)), PATH)
    assert caught.value.path == f"{PATH}.ca_file"
    with pytest.raises(OptionsError, match="does not match") as caught:
        upstream_context(UpstreamTLS(cert=str(pki.files.client_cert), key=str(other_pki.files.client_key)), PATH)
    assert caught.value.path == f"{PATH}.key"


def test_other_errors_are_not_tls_errors() -> None:
    assert upstream_tls_error(aiohttp.ServerDisconnectedError()) is None
