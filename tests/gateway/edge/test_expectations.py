"""`Expect` on proxied routes, through the real gateway: answered by the gateway, never passed on, so a
backend that answers an expectation early cannot read the body as a request of its own."""

from __future__ import annotations

import asyncio

import aiohttp
from yarl import URL

from tests.gateway.proxy.test_http import Upstream, upstream
from tests.helpers import gateway_config, route, run_gateway

__all__ = ["upstream"]  # the fixture, imported for the backend


async def test_expect_100_continue_is_answered_here_and_not_forwarded(upstream: tuple[Upstream, str]) -> None:
    """The gateway answers `Expect: 100-continue` itself and sends the backend the body it read whole:
    passed on, the expectation would let a backend answer before the body that the gateway sends anyway."""
    backend, url = upstream
    async with run_gateway(gateway_config(url, [route("/{rest:path}")])) as gw:
        gateway = URL(gw.url)
        reader, writer = await asyncio.open_connection(gateway.host, gateway.port)
        try:
            writer.write(b"POST /x HTTP/1.1\r\nHost: chat.test\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 13\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n")
            await writer.drain()
            async with asyncio.timeout(10):
                interim = await reader.readuntil(b"\r\n\r\n")
                assert interim.startswith(b"HTTP/1.1 100 ")
                writer.write(b'{"text":"hi"}')
                answer = await reader.read(-1)
        finally:
            writer.close()
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert backend.seen[0]["body"] == b'{"text":"hi"}'
    assert "Expect" not in backend.seen[0]["headers"]


async def test_unknown_expectation_is_417_and_never_forwarded(upstream: tuple[Upstream, str]) -> None:
    backend, url = upstream
    async with run_gateway(gateway_config(url, [route("/{rest:path}")])) as gw, aiohttp.ClientSession() as client:
        async with client.post(f"{gw.url}/x", data=b"{}", headers={"Expect": "later"}) as resp:
            assert resp.status == 417
            body = await resp.json()
    assert body["error"] == "unsupported expectation" and "later" not in str(body)
    assert backend.seen == []


async def test_body_never_read_as_a_request_by_a_backend_that_answers_expectations_early() -> None:
    """A backend that answers an expectation at once and keeps the connection reads the body that
    follows as its next request; the body here is a request line, and it must stay a body."""
    lines: list[bytes] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                lines.append(head.split(b"\r\n", 1)[0])
                length = next((int(line.split(b":", 1)[1]) for line in head.lower().split(b"\r\n")
                               if line.startswith(b"content-length:")), 0)
                if b"\r\nexpect: 100-continue" in head.lower():
                    length = 0  # answers before the body, as if it needed none
                await reader.readexactly(length)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    smuggled = b"GET /admin/delete-all HTTP/1.1\r\nHost: backend\r\n\r\n"
    try:
        config = gateway_config(f"http://127.0.0.1:{port}", [route("/{rest:path}")])
        async with run_gateway(config) as gw, aiohttp.ClientSession() as client:
            async with client.post(f"{gw.url}/x", data=smuggled, expect100=True,
                                   headers={"Content-Type": "text/plain"}) as resp:
                assert resp.status == 200
    finally:
        server.close()
    assert lines == [b"POST /x HTTP/1.1"]
