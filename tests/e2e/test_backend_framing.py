"""A backend whose answers are framed ambiguously (response splitting, smuggling shapes) through the
running gateway: the client gets 502, none of the hostile bytes, and the next request is answered
on a fresh connection with the backend's real answer, never with bytes smuggled into the last one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.helpers import gateway_config, route, run_gateway

GOOD = b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ngood"
SMUGGLED = b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nsmuggled"

HOSTILE = {
    "duplicate Content-Length": b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nContent-Length: 45\r\n\r\n" + SMUGGLED,
    "Content-Length with Transfer-Encoding":
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED,
    "obs-fold": b"HTTP/1.1 200 OK\r\nX-A: 1\r\n Content-Length: 0\r\nContent-Length: 8\r\n\r\nsmuggled",
    "bare LF": b"HTTP/1.1 200 OK\nContent-Length: 8\n\nsmuggled",
    "bare CR": b"HTTP/1.1 200 OK\r\nX-A: 1\rContent-Length: 8\r\n\r\nsmuggled",
    "huge headers": b"HTTP/1.1 200 OK\r\nX-A: " + b"s" * 100_000 + b"\r\nContent-Length: 8\r\n\r\nsmuggled",
    "chunk-size overflow": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                           b"10000000000000008\r\nsmuggled\r\n0\r\n\r\n",
    "answer after the answer": GOOD[:-4] + b"fine" + SMUGGLED,
}


class ScriptedBackend:
    """Answers the first request on every connection with `first`, later ones with GOOD."""

    def __init__(self) -> None:
        self.first = GOOD
        self.connections = 0

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        answer = self.first
        try:
            while await reader.readuntil(b"\r\n\r\n"):
                writer.write(answer)
                await writer.drain()
                answer = GOOD
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()


@pytest.fixture
async def backend() -> AsyncIterator[tuple[ScriptedBackend, str]]:
    found = ScriptedBackend()
    server = await asyncio.start_server(found.serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield found, f"http://127.0.0.1:{port}"
    server.close()


@pytest.mark.parametrize("name", sorted(HOSTILE))
async def test_ambiguous_answers_are_502_and_never_reach_the_next_request(
        name: str, backend: tuple[ScriptedBackend, str]) -> None:
    found, url = backend
    found.first = HOSTILE[name]
    async with run_gateway(gateway_config(url, [route("/chat")])) as gw, aiohttp.ClientSession() as client:
        async with client.get(f"{gw.url}/chat") as response:
            body = await response.read()
            if name == "answer after the answer":  # the answer itself was whole: relayed; the rest is not
                assert (response.status, body) == (200, b"fine")
            else:
                assert response.status == 502 and b"smuggled" not in body
        found.first = GOOD
        for _ in range(2):
            async with client.get(f"{gw.url}/chat") as response:
                assert (response.status, await response.read()) == (200, b"good")
    assert found.connections == 2  # the hostile connection was never used again


def _typed(*types: str, body: bytes) -> bytes:
    heads = "".join(f"Content-Type: {kind}\r\n" for kind in types)
    return f"HTTP/1.1 200 OK\r\n{heads}Content-Length: {len(body)}\r\n\r\n".encode() + body


# An answer naming two types: the gateway would read one, a browser reads the last (Fetch's "extract a MIME
# type"), so the text the route reads would be judged in one format and shown in another.
TYPED_TWICE = {
    "json then events": _typed("application/json", "text/event-stream", body=b'{"text":"forbidden"}'),
    "events then json": _typed("text/event-stream", "application/json", body=b'{"text":"forbidden"}'),
    "json then html": _typed("application/json", "text/html", body=b'{"note":"<b>forbidden</b>"}'),
}


@pytest.mark.parametrize("name", sorted(TYPED_TWICE))
async def test_inspected_answer_naming_two_types_is_refused(name: str, backend: tuple[ScriptedBackend, str]) -> None:
    found, url = backend
    found.first = TYPED_TWICE[name]
    routes = [route("/chat", filters=["words"], messages={"outbound": {"json": ["/text"], "sse": {"json": ["/text"]}}})]
    filters = {"words": {"use": "keyword", "options": {"words": ["forbidden"], "action": "replace"}}}
    async with run_gateway(gateway_config(url, routes, filters=filters)) as gw, aiohttp.ClientSession() as client:
        async with client.get(f"{gw.url}/chat") as response:
            body = await response.read()
    assert response.status == 502, body
    assert b"forbidden" not in body


@pytest.mark.parametrize("kind", ["application/json", "text/event-stream"])
async def test_an_inspected_answer_goes_out_with_the_standard_reason_phrase(
        kind: str, backend: tuple[ScriptedBackend, str]) -> None:
    """A reason phrase is text a client may show (fetch's statusText) that no filter reads: on a route that
    inspects answers, the backend's own phrase is replaced by the status's standard one."""
    found, url = backend
    body = b'{"text":"ok"}' if kind == "application/json" else b'data: {"text":"ok"}\n\n'
    found.first = (f"HTTP/1.1 200 forbidden words\r\nContent-Type: {kind}\r\nContent-Length: {len(body)}\r\n\r\n"
                   .encode() + body)
    routes = [route("/chat", filters=["words"], messages={"outbound": {"json": ["/text"], "sse": {"json": ["/text"]}}})]
    filters = {"words": {"use": "keyword", "options": {"words": ["forbidden"], "action": "replace"}}}
    async with run_gateway(gateway_config(url, routes, filters=filters)) as gw, aiohttp.ClientSession() as client:
        async with client.get(f"{gw.url}/chat") as response:
            assert (response.status, response.reason) == (200, "OK")
            assert await response.read() == body
