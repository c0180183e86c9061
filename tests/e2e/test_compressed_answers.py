"""Compressed answers on inspected routes: a backend that compresses whatever it is asked.

The gateway asks for `Accept-Encoding: identity` on routes that read answers; this backend
ignores that and compresses every answer (the hostile case). What the client gets must have
been read by the filters (inflated within bounds) or be a 502; never the compressed bytes.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web

from tests.e2e.conftest import KEYWORD_FILTERS, REPLACED, WORD
from tests.helpers import RunningGateway, gateway_config, run_gateway, serve_app

pytestmark = pytest.mark.asyncio(loop_scope="module")

ANSWER = ('{"text":"a ' + WORD + ' b","id":"' + WORD + '"}').encode()
EVENTS = (f'data: {{"delta":"one {WORD}"}}\n\n' + f'data: {{"delta":"two {WORD}"}}\n\n').encode()


def _raw_deflate(data: bytes) -> bytes:
    obj = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return obj.compress(data) + obj.flush()


def _brotli(data: bytes) -> bytes:
    brotli = pytest.importorskip("brotli")
    return bytes(brotli.compress(data))


@dataclass
class Backend:
    """Answers `/json/<case>` and `/events/<case>` compressed as the case says; records what it was asked."""

    accept: list[str | None] = field(default_factory=list)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/json/{case}", self.json)
        app.router.add_get("/plain/{case}", self.json)
        app.router.add_get("/events/{case}", self.events)
        return app

    async def json(self, request: web.Request) -> web.Response:
        self.accept.append(request.headers.get("Accept-Encoding"))
        body, coding = CASES[request.match_info["case"]]()
        return web.Response(body=body, headers={"Content-Type": "application/json", "Content-Encoding": coding})

    async def events(self, request: web.Request) -> web.StreamResponse:
        self.accept.append(request.headers.get("Accept-Encoding"))
        coding = request.match_info["case"]
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Content-Encoding": coding})
        await response.prepare(request)
        if coding == "gzip":
            obj = zlib.compressobj(wbits=16 + zlib.MAX_WBITS)
            for event in EVENTS.split(b"\n\n")[:-1]:  # one flushed piece per event, as a streaming server does
                await response.write(obj.compress(event + b"\n\n") + obj.flush(zlib.Z_SYNC_FLUSH))
            await response.write(obj.flush())
        else:
            await response.write(EVENTS)
        await response.write_eof()
        return response


def _bomb() -> tuple[bytes, str]:
    return gzip.compress(b" " * (64 * 1024 * 1024), compresslevel=9), "gzip"


def _ratio_bomb() -> tuple[bytes, str]:  # under max_body once inflated, but far beyond the ratio
    return gzip.compress(b'{"text":"' + b" " * (3 * 1024 * 1024) + b'"}', compresslevel=9), "gzip"


CASES: dict[str, Callable[[], tuple[bytes, str]]] = {
    "gzip": lambda: (gzip.compress(ANSWER), "gzip"),
    "x-gzip": lambda: (gzip.compress(ANSWER), "x-gzip"),
    "deflate": lambda: (zlib.compress(ANSWER), "deflate"),
    "raw-deflate": lambda: (_raw_deflate(ANSWER), "deflate"),
    "br": lambda: (_brotli(ANSWER), "br"),
    "upper-case": lambda: (gzip.compress(ANSWER), "GZIP"),
    "identity-then-gzip": lambda: (gzip.compress(ANSWER), "identity, gzip"),
    "large": lambda: (gzip.compress(b'{"text":"' + (WORD.encode() + b" ") * 2000 + b'"}'), "gzip"),
    "bomb": _bomb,
    "ratio-bomb": _ratio_bomb,
    "truncated": lambda: (gzip.compress(ANSWER)[:-6], "gzip"),
    "trailing-garbage": lambda: (gzip.compress(ANSWER) + b"more", "gzip"),
    "corrupt": lambda: (b"\x1f\x8b\x08\x00garbage" + ANSWER, "gzip"),
    "stacked": lambda: (gzip.compress(gzip.compress(ANSWER)), "gzip, gzip"),
    "zstd": lambda: (ANSWER, "zstd"),
    "compress": lambda: (ANSWER, "compress"),
    "unknown": lambda: (ANSWER, "x-chatguard-test"),
}


@dataclass
class Suite:
    gateway: RunningGateway
    backend: Backend


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def suite() -> AsyncIterator[Suite]:
    backend = Backend()
    route: dict[str, Any] = {"upstream": "up", "allow": ["anonymous"], "filters": ["words"]}
    routes = [
        {**route, "name": "json", "match": {"path": "/json/{case}"}, "max_body": "4MiB",
         "messages": {"outbound": {"json": ["/text"]}}},
        {**route, "name": "events", "match": {"path": "/events/{case}"},
         "messages": {"outbound": {"sse": {"json": ["/delta"]}}}},
        {**route, "name": "plain", "match": {"path": "/plain/{case}"}},
    ]
    async with serve_app(backend.app(), shutdown_timeout=0.1) as url, \
            run_gateway(gateway_config(url, routes, filters=KEYWORD_FILTERS)) as gw:
        yield Suite(gw, backend)


async def _get(suite: Suite, path: str, accept: str = "gzip, deflate, br") -> tuple[int, dict[str, str], bytes]:
    """The raw answer (not inflated by the client), its status and headers."""
    suite.backend.accept.clear()
    async with aiohttp.ClientSession(auto_decompress=False) as client, \
            client.get(f"{suite.gateway.url}{path}", headers={"Accept-Encoding": accept}) as response:
        return response.status, dict(response.headers), await response.read()


def _client_reads(headers: dict[str, str], body: bytes) -> bytes:
    """What a browser makes of the answer: the gateway may compress it with gzip or deflate."""
    coding = headers.get("Content-Encoding", "identity")
    if coding == "gzip":
        return gzip.decompress(body)
    if coding == "deflate":
        return zlib.decompress(body)
    assert coding == "identity", coding
    return body


@pytest.mark.parametrize("case", ["gzip", "x-gzip", "deflate", "raw-deflate", "br", "upper-case",
                                  "identity-then-gzip"])
async def test_compressed_answer_is_read_by_the_filters(suite: Suite, case: str) -> None:
    status, headers, body = await _get(suite, f"/json/{case}")
    assert status == 200, body
    assert suite.backend.accept == ["identity"]  # asked for identity, whatever the client accepts
    assert _client_reads(headers, body) == ANSWER.replace(f"a {WORD} b".encode(), f"a {REPLACED} b".encode())


async def test_large_inspected_answer_is_compressed_by_the_gateway(suite: Suite) -> None:
    status, headers, body = await _get(suite, "/json/large", accept="gzip")
    assert status == 200
    assert headers.get("Content-Encoding") == "gzip"
    text = gzip.decompress(body)
    assert WORD.encode() not in text and REPLACED.encode() in text


async def test_client_without_compression_gets_identity(suite: Suite) -> None:
    status, headers, body = await _get(suite, "/json/large", accept="identity")
    assert status == 200
    assert "Content-Encoding" not in headers
    assert WORD.encode() not in body and REPLACED.encode() in body


@pytest.mark.parametrize("case", ["bomb", "ratio-bomb", "truncated", "trailing-garbage", "corrupt", "stacked",
                                  "zstd", "compress", "unknown"])
async def test_unreadable_compressed_answer_is_refused(suite: Suite, case: str) -> None:
    status, headers, body = await _get(suite, f"/json/{case}")
    assert status == 502, body
    assert "Content-Encoding" not in headers
    assert WORD.encode() not in body


async def test_compressed_event_stream_is_read_event_by_event(suite: Suite) -> None:
    status, headers, body = await _get(suite, "/events/gzip")
    assert status == 200
    assert suite.backend.accept == ["identity"]
    assert "Content-Encoding" not in headers
    assert body == EVENTS.replace(WORD.encode(), REPLACED.encode())


@pytest.mark.parametrize("case", ["zstd", "unknown"])
async def test_event_stream_in_unknown_coding_is_refused(suite: Suite, case: str) -> None:
    status, _, body = await _get(suite, f"/events/{case}")
    assert status == 502
    assert WORD.encode() not in body


async def test_route_without_answer_fields_streams_compression_untouched(suite: Suite) -> None:
    status, headers, body = await _get(suite, "/plain/gzip")
    assert status == 200
    assert suite.backend.accept == ["gzip, deflate, br"]  # nothing to read: the client's choice goes on
    assert headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == ANSWER
