"""The request line of an inspected route: its query string is read like a body.

Frameworks merge query parameters into the ones a handler reads (PHP `$_REQUEST`, Rails and
Express `params`, Go `FormValue`), so a declared form or query field sent as `?msg=...` reaches
the backend's handler as surely as a body field: it goes through the filters, and the query the
backend gets is the filtered one. A Socket.IO route also refuses an Engine.IO version it does not
read (`?EIO=3`) here, before any packet is read with the wrong framing.
"""

from __future__ import annotations

from dataclasses import replace

from aiohttp import web

from filters import Direction
from gateway.codec import CodecError
from gateway.enforce.settle import enforce
from gateway.inspect.exchange import Exchange
from gateway.inspect.inspection import Inspection, inspect_query

__all__ = ["checked_target"]


async def checked_target(exchange: Exchange, target: str) -> str | web.StreamResponse:
    """`target` (path and query for the backend) with its query filtered, or the refusal."""
    codec = exchange.plan.inbound_codec
    if codec is None:
        return target
    path, mark, query = target.partition("?")
    reads = codec.reads_query and bool(query)
    result: Inspection | CodecError
    try:
        if codec.checks_request:
            codec.check_request(exchange.request.query)
        if not reads:
            return target
        result = await inspect_query(codec, exchange.plan.inbound_chain, query, exchange.message(Direction.INBOUND))
    except CodecError as exc:
        result = exc
    # A WebSocket handshake is still an HTTP request: a refusal is an HTTP answer, not a close frame.
    handshake = replace(exchange, websocket=False) if exchange.websocket else exchange
    enforcement = await enforce(handshake, Direction.INBOUND, result)
    if enforcement.answer is not None:
        return enforcement.answer.response()
    payload = enforcement.payload
    return path + mark + (payload.decode() if isinstance(payload, bytes) else payload)
