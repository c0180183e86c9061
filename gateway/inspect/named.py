"""The named messages an HTTP request carries, for the per-message access rules (`messages_allow`).

A WebSocket frame is checked name by name in the bridge; the same names reach a backend over
HTTP too, and each transport is held to the same rule: Engine.IO long-polling POSTs and SockJS
`xhr_send` bodies carry Socket.IO events and DDP methods, Rocket.Chat's `method.call/<m>` a DDP
method in a JSON envelope (and `<m>` in its path), and Matrix endpoints such as `/invite` or
`/createRoom` create events without naming them (the route's `message_names`). Every name found
goes through `allow_message`, exactly as a frame's would.
"""

from __future__ import annotations

from aiohttp import web

from filters import Direction
from gateway.access.rbac import allow_message
from gateway.codec import CodecError
from gateway.enforce.enforcement import AccessCheck
from gateway.enforce.settle import enforce
from gateway.inspect.exchange import Exchange
from gateway.runtime.request_names import RequestNames

__all__ = ["refused_names"]


async def refused_names(exchange: Exchange, names: RequestNames, body: bytes | None) -> web.Response | None:
    """Every message the request names, through the route's `messages_allow` as a WebSocket frame's
    names are (`AccessCheck`, one decision each); the refusal when one is not allowed."""
    found: list[tuple[str, str]] | CodecError
    try:
        found = names.read(exchange.params, body, exchange.request.headers.get("Content-Type"))
    except CodecError as exc:
        found = exc
    if isinstance(found, CodecError):
        enforcement = await enforce(exchange, Direction.INBOUND, found)
        return enforcement.answer.response() if enforcement.answer is not None else None
    rules = exchange.plan.access.messages
    for kind, name in found:
        if kind not in rules.tables:
            continue
        check = AccessCheck(allow_message(rules, exchange.principal, kind, name), kind, name)
        enforcement = await enforce(exchange, Direction.INBOUND, check)
        if enforcement.answer is not None:
            return enforcement.answer.response()
    return None
