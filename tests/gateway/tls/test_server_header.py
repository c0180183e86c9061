"""The gateway's own answers name the product only: no `Server: Python/3.x aiohttp/3.x` on any listener.

Raw sockets read the exact bytes, including the answer to a request line the HTTP parser refuses."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from gateway.admin.app import build_admin_app
from gateway.admin.probes import build_probe_app
from gateway.tls.security_headers import redirect_app
from gateway.tls.settings import RedirectHTTP
from tests.helpers import RunningGateway, run_gateway, serve_app


@pytest.fixture
async def gateway() -> AsyncIterator[RunningGateway]:
    async with serve_app(web.Application()) as upstream, run_gateway({
        "upstreams": {"up": {"url": upstream}}, "logging": {"access_log": False},
        "routes": [{"name": "chat", "match": {"path": "/chat"}, "upstream": "up", "allow": ["agent"]}],
        "roles": {"agent": {}}}) as gw:
        yield gw


async def _raw(url: str, request: bytes) -> bytes:
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(request)
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    writer.close()
    return head


def _server(head: bytes) -> list[bytes]:
    return [line.split(b":", 1)[1].strip() for line in head.split(b"\r\n") if line.lower().startswith(b"server:")]


@pytest.mark.parametrize(("path", "status"), [("/chat", b"401"), ("/nowhere", b"404")])
async def test_gateway_answers(gateway: RunningGateway, path: str, status: bytes) -> None:
    head = await _raw(gateway.url, f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert head.split(b" ")[1] == status
    assert _server(head) == [b"chatguard"]


async def test_a_request_the_parser_refuses(gateway: RunningGateway) -> None:
    head = await _raw(gateway.url, b"GET /chat HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")
    assert head.split(b" ")[1] == b"400"
    assert not any(b"Python" in value or b"aiohttp" in value for value in _server(head))


async def test_admin_probe_and_redirect_listeners(gateway: RunningGateway) -> None:
    for app in (build_admin_app(gateway.app), build_probe_app(gateway.app),
                redirect_app(RedirectHTTP(enabled=True), 8443)):
        async with serve_app(app) as url:
            head = await _raw(url, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            assert _server(head) == [b"chatguard"], head
