"""What aiohttp keeps of a WebSocket's two handshakes that the open socket never reads again.

An idle bridged WebSocket is mostly aiohttp's objects for its two legs, and a fifth of those are left
over from the upgrade: each connection's HTTP parser (still holding the last head it parsed), the
upgrade request's raw header lines, and on the upstream leg the 101 answer's headers and the request
headers aiohttp keeps for error reports. Once both sides are open none of it is read: an upgraded
connection's bytes go to its WebSocket reader and are never parsed as HTTP again, and the relay only
receives, sends and closes. Released, an open socket holds about 5 KB less (`benchmarks/ws_memory.py`).

What stays: the upgrade request's parsed headers, method and path (the access log and the audit's
offender records read them when the connection ends or a message is blocked).

These are aiohttp's private attributes: each is released only when it is there and of the expected
kind, so another aiohttp version keeps what it keeps instead of breaking the relay
(tests/gateway/proxy/test_ws_handshakes.py checks that this version's are released).
"""

from __future__ import annotations

from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.client_reqrep import RequestInfo
from multidict import CIMultiDict, CIMultiDictProxy

__all__ = ["release_client_handshake", "release_upstream_handshake"]

_NO_HEADERS: CIMultiDictProxy[str] = CIMultiDictProxy(CIMultiDict())


def _drop_http_parser(protocol: Any) -> None:
    """An upgraded connection whose frames have their own reader never uses its HTTP parser again."""
    if (protocol is not None and getattr(protocol, "_upgraded", False) is True
            and getattr(protocol, "_payload_parser", None) is not None and hasattr(protocol, "_parser")):
        protocol._parser = None


def release_client_handshake(request: web.Request) -> None:
    """After the client's upgrade was answered: its connection's HTTP parser. (The parsed request itself
    stays: aiohttp's connection loop holds it until the handler returns.)"""
    _drop_http_parser(request.protocol)


def release_upstream_handshake(upstream: aiohttp.ClientWebSocketResponse[Any]) -> None:
    """After the upstream's 101: its connection's HTTP parser, the answer's headers, the request's headers."""
    response = getattr(upstream, "_response", None)
    if not isinstance(response, aiohttp.ClientResponse):
        return
    connection = response.connection
    if connection is not None:
        _drop_http_parser(connection.protocol)
    response._headers = _NO_HEADERS
    response._raw_headers = ()
    info = response.request_info
    if info.headers:
        response._request_info = RequestInfo(info.url, info.method, _NO_HEADERS, info.real_url)
    response._history = ()
    cache = getattr(response, "_cache", None)
    if isinstance(cache, dict):
        cache.clear()  # the headers' parsed forms (content type, links)
