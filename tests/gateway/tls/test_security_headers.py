"""HSTS and page-hardening headers on a real TLS listener; the plain-HTTP redirect listener."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from aiohttp import web

from gateway.tls.security_headers import GATEWAY_CSP, mark_proxied, redirect_app, security_headers_hook
from gateway.tls.server import ServerTLS
from gateway.tls.settings import HSTSSettings, RedirectHTTP

from .conftest import PKI, serve

HSTS = "Strict-Transport-Security"
DEFAULT_HSTS = HSTSSettings()


def page_app(hsts: HSTSSettings) -> web.Application:
    async def page(request: web.Request) -> web.Response:
        return web.Response(text="<h1>login</h1>", content_type="text/html")

    async def own_csp(request: web.Request) -> web.Response:
        return web.Response(text="qr", headers={"Content-Security-Policy": "default-src 'none'; img-src data:"})

    async def relayed(request: web.Request) -> web.Response:
        response = web.Response(text="from backend", headers={HSTS: "max-age=0"})
        mark_proxied(response)
        return response

    async def ws(request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.close()
        return socket

    app = web.Application()
    app.on_response_prepare.append(security_headers_hook(hsts))
    app.router.add_get("/", page)
    app.router.add_get("/qr", own_csp)
    app.router.add_get("/relayed", relayed)
    app.router.add_get("/missing", page)
    app.router.add_get("/ws", ws)
    return app


async def headers_of(pki: PKI, path: str, hsts: HSTSSettings = DEFAULT_HSTS, *, tls: bool = True) -> dict[str, str]:
    context = ServerTLS.load(pki.listener()).context if tls else None
    async with serve(page_app(hsts), context) as port, aiohttp.ClientSession() as session:
        url = f"{'https' if tls else 'http'}://localhost:{port}{path}"
        if path == "/ws":
            async with session.ws_connect(url, ssl=pki.client_context()) as ws:
                return dict(ws._response.headers)
        async with session.get(url, ssl=pki.client_context() if tls else True) as resp:
            return dict(resp.headers)


@pytest.mark.parametrize("path", ["/", "/relayed", "/nowhere", "/ws"])
async def test_hsts_on_every_tls_response(pki: PKI, path: str) -> None:
    assert (await headers_of(pki, path))[HSTS] == "max-age=31536000; includeSubDomains"


async def test_no_hsts_over_plain_http(pki: PKI) -> None:
    assert HSTS not in await headers_of(pki, "/", tls=False)


@pytest.mark.parametrize(("hsts", "expected"), [
    (HSTSSettings(enabled=False), None),
    (HSTSSettings(preload=True), "max-age=31536000; includeSubDomains; preload"),
    (HSTSSettings(max_age=600, include_subdomains=False), "max-age=600"),  # type: ignore[arg-type]
])
async def test_hsts_settings(pki: PKI, hsts: HSTSSettings, expected: str | None) -> None:
    assert (await headers_of(pki, "/", hsts)).get(HSTS) == expected


@pytest.mark.parametrize("path", ["/", "/nowhere"])
async def test_gateway_pages_are_hardened(pki: PKI, path: str) -> None:
    headers = await headers_of(pki, path)
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Content-Security-Policy"] == GATEWAY_CSP
    assert "frame-ancestors 'none'" in GATEWAY_CSP and "default-src 'none'" in GATEWAY_CSP


async def test_page_specific_csp_is_kept(pki: PKI) -> None:
    headers = await headers_of(pki, "/qr")
    assert headers["Content-Security-Policy"] == "default-src 'none'; img-src data:"
    assert headers["X-Frame-Options"] == "DENY"


async def test_relayed_responses_keep_backend_page_policy(pki: PKI) -> None:
    headers = await headers_of(pki, "/relayed")
    assert "Content-Security-Policy" not in headers and "X-Frame-Options" not in headers


async def raw_request(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send bytes exactly as given (hostile request lines and Host headers included)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    data = await reader.read()
    writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def get(target: str, host: str | None, method: str = "GET") -> bytes:
    host_line = f"Host: {host}\r\n" if host is not None else ""
    return f"{method} {target} HTTP/1.1\r\n{host_line}Connection: close\r\nContent-Length: 0\r\n\r\n".encode()


@pytest.mark.parametrize(("cfg", "request_bytes", "location"), [
    (RedirectHTTP(), get("/chat/room?x=1&y=%2F", "localhost:8080"), "https://localhost:8443/chat/room?x=1&y=%2F"),
    (RedirectHTTP(), get("/send", "Chat.Example.test", "POST"), "https://chat.example.test:8443/send"),
    (RedirectHTTP(), get("/", "[::1]:8080"), "https://[::1]:8443/"),
    (RedirectHTTP(https_port=443), get("/a", "chat.example.test"), "https://chat.example.test/a"),
    (RedirectHTTP(canonical_host="chat.example.test"), get("/a", "evil.example"), "https://chat.example.test:8443/a"),
    (RedirectHTTP(), get("http://evil.example/steal", "localhost"), "https://localhost:8443/steal"),
    (RedirectHTTP(), get("//evil.example/x", "localhost"), "https://localhost:8443//evil.example/x"),
    (RedirectHTTP(), get("/healthz", "localhost", "POST"), "https://localhost:8443/healthz"),
])
async def test_plain_http_redirects_with_308(cfg: RedirectHTTP, request_bytes: bytes, location: str) -> None:
    async with serve(redirect_app(cfg, 8443), None) as port:
        status, headers, _ = await raw_request(port, request_bytes)
    assert (status, headers["location"]) == (308, location)


@pytest.mark.parametrize("host", ["evil.example/@x", "user@evil.example", "a b", "evil.example:99999999", "", None,
                                  "-bad.example", "evil.example\\x"])
async def test_hostile_host_header_is_refused(host: str | None) -> None:
    async with serve(redirect_app(RedirectHTTP(), 8443), None) as port:
        status, headers, _ = await raw_request(port, get("/", host))
    assert status == 400 and "location" not in headers


async def test_health_probes_are_not_redirected() -> None:
    async def probe(request: web.Request) -> web.Response:
        return web.Response(text="ready")

    async with serve(redirect_app(RedirectHTTP(), 8443), None) as port:
        assert (await raw_request(port, get("/healthz", "localhost")))[::2] == (200, b"ok\n")
    async with serve(redirect_app(RedirectHTTP(probe_paths=("/readyz",)), 8443, probe), None) as port:
        assert (await raw_request(port, get("/readyz", "localhost")))[::2] == (200, b"ready")
        assert (await raw_request(port, get("/healthz", "localhost")))[0] == 308
