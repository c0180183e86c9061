"""An open WebSocket keeps nothing of its two handshakes that it never reads again: counted per socket
through the real gateway, with a hand-made client (no parser of its own) and an aiohttp upstream."""

from __future__ import annotations

import gc
import weakref
from types import SimpleNamespace
from typing import Any

import pytest
from aiohttp.http_parser import HttpRequestParser, HttpResponseParser

from gateway.proxy import websocket
from gateway.proxy.ws_handshakes import release_client_handshake, release_upstream_handshake
from tests.helpers import RawWebSocket, gateway_config, route, run_gateway, serve_ws_upstream, until

OP_TEXT = 0x1
SOCKETS = 6


def _alive(kind: type) -> int:
    gc.collect()
    return sum(1 for obj in gc.get_objects() if type(obj) is kind)


async def test_open_sockets_hold_no_http_parser_and_still_relay() -> None:
    async with serve_ws_upstream() as (_, url), \
            run_gateway(gateway_config(url, [route("/ws/{tail:path}", websocket=True)])) as gw:
        requests, answers = _alive(HttpRequestParser), _alive(HttpResponseParser)
        sockets = [await RawWebSocket.connect(gw.url, "/ws/echo") for _ in range(SOCKETS)]
        try:
            assert all(ws.status == 101 for ws in sockets)
            registry = websocket.connections(gw.app)
            await until(lambda: len(registry.live) == SOCKETS, "every bridge tracked")
            # Each upgraded connection of the upstream (aiohttp's server) keeps its parser; the
            # gateway's two legs per socket keep none.
            assert _alive(HttpRequestParser) - requests == SOCKETS
            assert _alive(HttpResponseParser) - answers == 0
            for number, ws in enumerate(sockets):
                ws.send_frame(OP_TEXT, f"still relayed {number}".encode())
                assert await ws.read_frame() == (True, OP_TEXT, f"still relayed {number}".encode())
        finally:
            for ws in sockets:
                ws.close()


async def test_the_upstream_answer_and_request_headers_are_freed(monkeypatch: pytest.MonkeyPatch) -> None:
    held: list[weakref.ref[Any]] = []

    def watched(upstream: Any) -> None:
        response = upstream._response
        held.extend(weakref.ref(headers) for headers in (response.headers, response.request_info.headers))
        assert all(len(ref()) for ref in held)  # the upgrade's answer and the request aiohttp kept
        release_upstream_handshake(upstream)

    monkeypatch.setattr("gateway.proxy.websocket.release_upstream_handshake", watched)
    async with serve_ws_upstream() as (_, url), \
            run_gateway(gateway_config(url, [route("/ws/{tail:path}", websocket=True)])) as gw:
        ws = await RawWebSocket.connect(gw.url, "/ws/echo", {"X-App": "7"})
        try:
            ws.send_frame(OP_TEXT, b"hello")
            assert await ws.read_frame() == (True, OP_TEXT, b"hello")
            gc.collect()
            assert len(held) == 2 and all(ref() is None for ref in held)
        finally:
            ws.close()


@pytest.mark.parametrize("protocol", [
    SimpleNamespace(_parser="http", _upgraded=False, _payload_parser="frames"),  # not upgraded
    SimpleNamespace(_parser="http", _upgraded=True, _payload_parser=None),       # no frame reader yet
    SimpleNamespace(_upgraded=True, _payload_parser="frames"),                   # another aiohttp's layout
])
def test_a_connection_not_known_to_be_upgraded_keeps_its_parser(protocol: SimpleNamespace) -> None:
    before = dict(vars(protocol))
    release_client_handshake(SimpleNamespace(protocol=protocol))  # type: ignore[arg-type]
    assert vars(protocol) == before
