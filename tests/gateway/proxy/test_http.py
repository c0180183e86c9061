"""HTTP forwarding through the real gateway to a real upstream, both on loopback."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from yarl import URL

from tests.helpers import gateway_config, route, run_gateway, serve_app
from tests.ports import free_port


class Upstream:
    """A backend that records what reached it."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []
        self.peers: set[tuple[str, int]] = set()
        self.first_chunk = asyncio.Event()
        self.release = asyncio.Event()
        self.app = web.Application()
        self.app.router.add_route("*", "/{tail:.*}", self.handle)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        peer = request.transport.get_extra_info("peername") if request.transport else None
        if peer:
            self.peers.add(peer[:2])
        tail = request.match_info["tail"]
        if tail == "stream-in":
            first = await request.content.readany()
            self.first_chunk.set()
            rest = await request.content.read()
            return web.json_response({"received": len(first) + len(rest)})
        if tail == "stream-out":
            response = web.StreamResponse()
            await response.prepare(request)
            await response.write(b"first,")
            await self.release.wait()
            await response.write(b"second")
            await response.write_eof()
            return response
        if tail == "sse":
            response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
            await response.prepare(request)
            await response.write(b"data: one\n\n")
            await self.release.wait()
            await response.write(b"data: two\n\n")
            await response.write_eof()
            return response
        if tail in ("sleep", "sync"):
            await asyncio.sleep(float(request.query["s"]))
            return web.json_response({"slept": True})
        if tail.startswith("status/"):
            return web.Response(status=int(tail.split("/")[1]), headers={"ETag": '"v1"'})
        if tail == "gzip":
            return web.Response(body=gzip.compress(b"hello " * 100), headers={"Content-Encoding": "gzip"})
        if tail == "hop":
            return web.Response(text="ok", headers={"Connection": "X-Internal", "X-Internal": "secret",
                                                    "Keep-Alive": "timeout=9", "X-Kept": "1"})
        body = await request.read()
        self.seen.append({"method": request.method, "raw_path": request.raw_path, "headers": request.headers,
                          "body": body})
        return web.json_response({"ok": True, "length": len(body)}, headers={"X-Upstream": "yes"})


@pytest.fixture
async def upstream() -> AsyncIterator[tuple[Upstream, str]]:
    backend = Upstream()
    async with serve_app(backend.app) as url:
        yield backend, url




async def test_forwards_method_body_and_headers(upstream: tuple[Upstream, str]) -> None:
    backend, url = upstream
    async with run_gateway(gateway_config(url, [route("/{rest:path}")])) as gw, aiohttp.ClientSession() as client:
        async with client.post(f"{gw.url}/api/messages?x=1", data=b'{"text":"hi"}',
                               headers={"Content-Type": "application/json", "X-Custom": "1"}) as resp:
            assert resp.status == 200
            assert resp.headers["X-Upstream"] == "yes"
            assert len(resp.headers["X-Request-Id"]) >= 16
            assert await resp.json() == {"ok": True, "length": 13}
    seen = backend.seen[0]
    assert seen["method"] == "POST" and seen["raw_path"] == "/api/messages?x=1"
    assert seen["body"] == b'{"text":"hi"}'
    assert seen["headers"]["X-Custom"] == "1"
    assert seen["headers"]["X-Forwarded-For"] == "127.0.0.1"
    assert seen["headers"]["X-Forwarded-Proto"] == "http"
    assert seen["headers"]["X-Request-Id"] == resp.headers["X-Request-Id"]


@pytest.mark.parametrize(("target", "expected"), [
    ("/chat/api/x?q=1", "/api/x?q=1"),
    ("/CHAT/api/x", "/api/x"),          # the route's literal matched whatever its case: so is the prefix
    ("/%63hat/api/x", "/api/x"),        # and whatever its spelling
    ("/Chat", "/"),
    ("/chatroom/x", "/chatroom/x"),     # a prefix is whole segments: `/chat` is no prefix of `/chatroom`
])
async def test_strip_prefix_is_read_as_routes_read_the_path(
        upstream: tuple[Upstream, str], target: str, expected: str) -> None:
    backend, url = upstream
    routes = [route("/chat/{rest:path}", strip_prefix="/chat"), route("/chat", strip_prefix="/chat"),
              route("/{room}/x", strip_prefix="/chat")]
    async with run_gateway(gateway_config(url, routes)) as gw, aiohttp.ClientSession() as client:
        async with client.get(URL(f"{gw.url}{target}", encoded=True)) as resp:
            assert resp.status == 200, await resp.read()
    (seen,) = backend.seen
    assert seen["raw_path"] == expected


async def test_percent_encoded_path_is_forwarded_byte_exact(upstream: tuple[Upstream, str]) -> None:
    backend, url = upstream
    path = "/_matrix/client/v3/rooms/%21abc%3Aserver.org/send/m.room.message/txn%2B1?access_token=x%20y"
    routes = [route("/_matrix/client/v3/rooms/{room}/send/{type}/{txn}", methods=["PUT"])]
    async with run_gateway(gateway_config(url, routes)) as gw, aiohttp.ClientSession() as client:
        async with client.put(URL(gw.url + path, encoded=True), data=b"{}") as resp:
            assert resp.status == 200
    assert backend.seen[0]["raw_path"] == path


async def test_incoming_request_id_is_passed_on_and_forged_forwarding_dropped(
        upstream: tuple[Upstream, str]) -> None:
    backend, url = upstream
    async with run_gateway(gateway_config(url, [route("/{rest:path}")])) as gw, aiohttp.ClientSession() as client:
        headers = {"X-Request-Id": "trace-42", "X-Forwarded-For": "6.6.6.6", "X-Chatguard-User": "admin"}
        async with client.get(f"{gw.url}/x", headers=headers) as resp:
            assert resp.headers["X-Request-Id"] == "trace-42"
    seen = backend.seen[0]["headers"]
    assert seen["X-Request-Id"] == "trace-42"
    assert seen["X-Forwarded-For"] == "127.0.0.1"
    assert "X-Chatguard-User" not in seen


async def test_trusted_proxy_keeps_forwarding_chain(upstream: tuple[Upstream, str]) -> None:
    backend, url = upstream
    config = gateway_config(url, [route("/{rest:path}")], trusted_proxies=["127.0.0.0/8"])
    async with run_gateway(config) as gw, aiohttp.ClientSession() as client:
        async with client.get(f"{gw.url}/x", headers={"X-Forwarded-For": "203.0.113.5",
                                                      "X-Forwarded-Proto": "https"}):
            pass
    seen = backend.seen[0]["headers"]
    assert seen["X-Forwarded-For"] == "203.0.113.5, 127.0.0.1"
    assert seen["X-Forwarded-Proto"] == "https"


async def test_no_route_is_404_json(upstream: tuple[Upstream, str]) -> None:
    _, url = upstream
    async with run_gateway(gateway_config(url, [route("/api/{x}")])) as gw, aiohttp.ClientSession() as client:
        async with client.get(f"{gw.url}/other") as resp:
            assert resp.status == 404
            body = await resp.json()
            assert body["error"] == "no route" and body["request_id"] == resp.headers["X-Request-Id"]


async def test_method_not_listed_is_404(upstream: tuple[Upstream, str]) -> None:
    backend, url = upstream
    async with run_gateway(gateway_config(url, [route("/api", methods=["POST"])])) as gw, \
            aiohttp.ClientSession() as client:
        async with client.delete(f"{gw.url}/api") as resp:
            assert resp.status == 404
    assert backend.seen == []


async def test_rejected_path_spelling_is_400_and_never_forwarded(upstream: tuple[Upstream, str]) -> None:
    backend, url = upstream
    async with run_gateway(gateway_config(url, [route("/{rest:path}")])) as gw, aiohttp.ClientSession() as client:
        for bad in ("/a/%2e%2e/admin", "/a%2fb", "/a/..;/b", "/a%00b"):
            async with client.get(URL(gw.url + bad, encoded=True)) as resp:
                assert resp.status == 400, bad
                assert (await resp.json())["request_id"]
    assert backend.seen == []


async def test_route_without_anonymous_is_401(upstream: tuple[Upstream, str]) -> None:
    backend, url = upstream
    routes = [{"match": {"path": "/admin"}, "upstream": "up", "allow": ["admin"]}]
    async with run_gateway(gateway_config(url, routes)) as gw, aiohttp.ClientSession() as client:
        async with client.get(f"{gw.url}/admin") as resp:
            assert resp.status == 401
            assert (await resp.json())["error"] == "authentication required"
    assert backend.seen == []


async def test_upstream_refused_is_502() -> None:
    config = gateway_config(f"http://127.0.0.1:{free_port()}", [route("/{rest:path}")])
    async with run_gateway(config) as gw, aiohttp.ClientSession() as client:
        async with client.get(f"{gw.url}/x") as resp:
            assert resp.status == 502
            assert (await resp.json())["error"] == "upstream unavailable"


async def test_upstream_timeout_is_504_and_long_poll_within_timeout_works(upstream: tuple[Upstream, str]) -> None:
    _, url = upstream
    routes = [route("/sleep", name="short", timeout="200ms"),
              route("/{rest:path}", name="long", timeout="30s")]
    async with run_gateway(gateway_config(url, routes)) as gw, aiohttp.ClientSession() as client:
        async with client.get(f"{gw.url}/sleep?s=2") as resp:
            assert resp.status == 504
            assert (await resp.json())["error"] == "upstream timed out"
        # A long-poll (Matrix /sync?timeout=...) longer than the short route's limit still completes.
        async with client.get(f"{gw.url}/sync", params={"s": "0.5"}) as resp:
            assert resp.status == 200
            assert await resp.json() == {"slept": True}


async def test_body_over_max_body_is_413(upstream: tuple[Upstream, str]) -> None:
    backend, url = upstream
    config = gateway_config(url, [route("/{rest:path}")], limits={"max_body": 1000})
    async with run_gateway(config) as gw, aiohttp.ClientSession() as client:
        async with client.post(f"{gw.url}/x", data=b"a" * 1001) as resp:
            assert resp.status == 413
            assert (await resp.json())["error"] == "request body too large"

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(20):
                yield b"b" * 100

        async with client.post(f"{gw.url}/x", data=chunks()) as resp:
            assert resp.status == 413
        async with client.post(f"{gw.url}/x", data=b"a" * 1000) as resp:
            assert resp.status == 200
    assert [len(s["body"]) for s in backend.seen] == [1000]


async def test_request_body_streams_without_full_buffering(upstream: tuple[Upstream, str]) -> None:
    backend, url = upstream

    async def body() -> AsyncIterator[bytes]:
        yield b"x" * 10
        # The upstream sees the first chunk while the client is still sending: nothing buffered it.
        await asyncio.wait_for(backend.first_chunk.wait(), 10)
        yield b"y" * 10

    async with run_gateway(gateway_config(url, [route("/{rest:path}")])) as gw, aiohttp.ClientSession() as client:
        async with client.post(f"{gw.url}/stream-in", data=body()) as resp:
            assert await resp.json() == {"received": 20}


async def test_response_body_streams_without_full_buffering(upstream: tuple[Upstream, str]) -> None:
    backend, url = upstream
    async with run_gateway(gateway_config(url, [route("/{rest:path}")])) as gw, aiohttp.ClientSession() as client:
        async with client.get(f"{gw.url}/stream-out") as resp:
            first = await asyncio.wait_for(resp.content.readexactly(6), 10)
            assert first == b"first,"
            backend.release.set()
            assert await resp.read() == b"second"


async def test_server_sent_events_flush_event_by_event(upstream: tuple[Upstream, str]) -> None:
    backend, url = upstream
    async with run_gateway(gateway_config(url, [route("/{rest:path}")])) as gw, aiohttp.ClientSession() as client:
        async with client.get(f"{gw.url}/sse") as resp:
            assert resp.headers["Content-Type"] == "text/event-stream"
            assert await asyncio.wait_for(resp.content.readuntil(b"\n\n"), 10) == b"data: one\n\n"
            backend.release.set()
            assert await resp.content.readuntil(b"\n\n") == b"data: two\n\n"


@pytest.mark.parametrize("status", [204, 304])
async def test_no_body_statuses(upstream: tuple[Upstream, str], status: int) -> None:
    _, url = upstream
    async with run_gateway(gateway_config(url, [route("/{rest:path}")])) as gw, aiohttp.ClientSession() as client:
        async with client.get(f"{gw.url}/status/{status}") as resp:
            assert resp.status == status
            assert resp.headers["ETag"] == '"v1"'
            assert await resp.read() == b""


async def test_head_keeps_length_and_sends_no_body(upstream: tuple[Upstream, str]) -> None:
    _, url = upstream
    async with run_gateway(gateway_config(url, [route("/{rest:path}")])) as gw, aiohttp.ClientSession() as client:
        async with client.head(f"{gw.url}/x") as resp:
            assert resp.status == 200
            assert int(resp.headers["Content-Length"]) > 0
            assert await resp.read() == b""


async def test_compressed_body_passes_byte_exact(upstream: tuple[Upstream, str]) -> None:
    _, url = upstream
    async with run_gateway(gateway_config(url, [route("/{rest:path}")])) as gw, \
            aiohttp.ClientSession(auto_decompress=False) as client:
        async with client.get(f"{gw.url}/gzip") as resp:
            assert resp.headers["Content-Encoding"] == "gzip"
            assert gzip.decompress(await resp.read()) == b"hello " * 100


async def test_hop_by_hop_response_headers_removed(upstream: tuple[Upstream, str]) -> None:
    _, url = upstream
    async with run_gateway(gateway_config(url, [route("/{rest:path}")])) as gw, aiohttp.ClientSession() as client:
        async with client.get(f"{gw.url}/hop") as resp:
            assert resp.headers["X-Kept"] == "1"
            assert "X-Internal" not in resp.headers
            assert "timeout=9" not in resp.headers.get("Keep-Alive", "")


async def test_chunked_request_body_is_forwarded(upstream: tuple[Upstream, str]) -> None:
    backend, url = upstream

    async def body() -> AsyncIterator[bytes]:
        for part in (b"ab", b"cd", b"ef"):
            yield part

    async with run_gateway(gateway_config(url, [route("/{rest:path}")])) as gw, aiohttp.ClientSession() as client:
        async with client.post(f"{gw.url}/x", data=body()) as resp:
            assert resp.status == 200
    assert backend.seen[0]["body"] == b"abcdef"


async def test_upstream_connections_are_pooled(upstream: tuple[Upstream, str]) -> None:
    backend, url = upstream
    async with run_gateway(gateway_config(url, [route("/{rest:path}")])) as gw, aiohttp.ClientSession() as client:
        for _ in range(5):
            async with client.get(f"{gw.url}/x") as resp:
                await resp.read()
    assert len(backend.seen) == 5
    assert len(backend.peers) == 1

