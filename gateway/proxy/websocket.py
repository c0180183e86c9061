"""WebSocket forwarding: check, dial the upstream, then accept the client and relay.

The upstream is connected before the client's upgrade is answered, so the client gets
the subprotocol the upstream chose (a client offering `xmpp` gets `xmpp` only if the
backend agreed) and a refused or unreachable upstream becomes a plain HTTP error
(JSON `{error, request_id}`) instead of a socket that opens and dies at once.

Before anything is dialled: the route's `Origin` allow-list (403), the upgrade request's
validity (400) and the connection limits per client address, per upstream and in total (429 / 503).
Upstream WebSockets have their own session, never the HTTP keep-alive pool (`gateway.runtime.upstreams`).
Permessage-deflate is not negotiated on either hop (no decompression bombs, no CPU
spent re-compressing); frames relay as they are, see `gateway.proxy.ws_bridge`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping

import aiohttp
from aiohttp import WSServerHandshakeError, web

from gateway.access.shield import ban_keys
from gateway.auth.carriage import SUBPROTOCOL_PREFIX, forwarded_protocols
from gateway.edge.errors import error_response
from gateway.edge.request_id import REQUEST_ID
from gateway.inspect.exchange import Exchange
from gateway.inspect.query import checked_target
from gateway.keys import METRICS, WS_CONNECTIONS, WS_SLOTS
from gateway.proxy import origin
from gateway.proxy.connections import Connections, Refused
from gateway.proxy.heartbeat import ClientSocket
from gateway.proxy.http import upstream_headers, upstream_target, upstream_url
from gateway.proxy.upstream_errors import upstream_failure
from gateway.proxy.ws_bridge import Bridge
from gateway.proxy.ws_handshakes import release_client_handshake, release_upstream_handshake

__all__ = ["close_all", "connections", "forward"]

log = logging.getLogger("chatguard.ws")

# Made by the client library for each hop, or negotiated separately (protocols are passed on
# as an offer; extensions are not negotiated at all).
_HOP_HANDSHAKE = ("Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Extensions",
                  "Sec-WebSocket-Protocol", "Sec-WebSocket-Accept")


def _answer_protocols(chosen: str | None, offered: tuple[str, ...]) -> tuple[str, ...]:
    """What the client is answered: the upstream's choice; when the upstream chose none but the client
    offered only gateway credentials (`chatguard.bearer.<token>`), one of those, since a browser fails
    a handshake whose answer names none of the protocols it offered."""
    if chosen:
        return (chosen,)
    own = tuple(p for p in offered if p.startswith(SUBPROTOCOL_PREFIX))
    return own[:1] if own and len(own) == len(offered) else ()


def offered_protocols(headers: Mapping[str, str]) -> tuple[str, ...]:
    """The client's subprotocols in its order of preference (first header, as aiohttp reads it)."""
    raw = headers.get("Sec-WebSocket-Protocol", "")
    return tuple(p for p in (part.strip() for part in raw.split(",")) if p)


async def forward(exchange: Exchange) -> web.StreamResponse:
    """Relay one WebSocket connection between the client and the route's upstream."""
    request, plan, rid = exchange.request, exchange.plan, exchange.request_id
    defaults = exchange.runtime.settings.websocket
    if not origin.allowed(plan.settings.websocket.origins, request.headers.getall("Origin", ()), request.host):
        return error_response(403, "origin not allowed", rid)
    # Offering the client's own protocols keeps the probe from logging a mismatch.
    if not web.WebSocketResponse(protocols=offered_protocols(request.headers)).can_prepare(request).ok:
        return error_response(400, "invalid websocket upgrade", rid)
    registry = connections(request.app)
    gateway_slots = request.app.get(WS_SLOTS)  # under --workers N: the caps of all workers together
    releases: list[Callable[[], None]] = []  # each slot taken, given back however the connection ends
    try:
        try:
            releases.append(registry.admit(exchange.client_key, defaults.max_connections,
                                           defaults.max_connections_per_ip, plan.upstream,
                                           defaults.max_upstream_connections))
            if gateway_slots is not None:
                releases.append(await gateway_slots.websocket(exchange.client_key, plan.upstream))
        except Refused as refused:
            retry = {"Retry-After": str(refused.retry_after)} if refused.retry_after else None
            return error_response(refused.status, refused.error, rid, retry)
        return await _connect_and_relay(exchange)
    finally:
        for release in releases:
            release()


async def _connect_and_relay(exchange: Exchange) -> web.StreamResponse:
    request, plan, rid = exchange.request, exchange.plan, exchange.request_id
    defaults = exchange.runtime.settings.websocket
    heartbeat = float(defaults.heartbeat) or None
    close_timeout = float(defaults.close_timeout)
    target = await checked_target(exchange, upstream_target(exchange))
    if not isinstance(target, str):
        return target
    headers = upstream_headers(exchange)
    for name in _HOP_HANDSHAKE:
        headers.popall(name, None)
    session = exchange.runtime.upstreams.websocket_session(plan.upstream)  # never the HTTP keep-alive pool
    try:
        async with asyncio.timeout(float(plan.settings.timeout) or None):
            upstream = await session.ws_connect(
                upstream_url(exchange, target), protocols=forwarded_protocols(offered_protocols(request.headers)),
                headers=headers,
                autoclose=False, autoping=True, heartbeat=heartbeat, compress=0,
                max_msg_size=plan.max_frame, decode_text=plan.outbound_codec is not None,
                timeout=aiohttp.ClientWSTimeout(ws_receive=None, ws_close=close_timeout),
                server_hostname=exchange.runtime.upstreams.server_name(plan.upstream),
            )
    except WSServerHandshakeError as refused:
        status = refused.status if 400 <= refused.status < 500 else 502
        return error_response(status, "upstream refused the websocket upgrade", rid)
    except (TimeoutError, aiohttp.ClientError) as exc:
        return upstream_failure(exc, rid, plan.upstream, exchange.request.app[METRICS])
    del headers  # this frame lives as long as the socket: it keeps nothing the relay does not need

    client = ClientSocket(
        protocols=_answer_protocols(upstream.protocol, offered_protocols(request.headers)), timeout=close_timeout,
        autoclose=False, autoping=True, heartbeat=heartbeat, compress=False,
        max_msg_size=plan.max_frame, decode_text=plan.inbound_codec is not None,
    )
    client.headers[REQUEST_ID] = rid
    try:
        await client.prepare(request)
    except (ConnectionError, aiohttp.ClientError):
        await upstream.close(code=aiohttp.WSCloseCode.GOING_AWAY, message=b"client went away")
        return client
    client.headers.clear()  # sent with the upgrade; kept, they would be held for the socket's whole life
    release_client_handshake(request)
    release_upstream_handshake(upstream)

    metrics = request.app[METRICS]
    bridge = Bridge(exchange, client, upstream, metrics.ws_counters, close_timeout)
    registry = connections(request.app)
    principal = exchange.principal
    registry.track(bridge, ban_keys(exchange.client_key, None if principal.anonymous else principal.subject))
    metrics.ws_open.inc()
    try:
        await bridge.run()
    finally:
        metrics.ws_open.dec()
        registry.untrack(bridge)
    return client


def connections(app: web.Application) -> Connections:
    """The app's registry (set up by `gateway.app.build_app`, so apps never share counts)."""
    return app[WS_CONNECTIONS]


async def close_all(app: web.Application) -> None:
    """On shutdown: close every open WebSocket with 1001 on both sides."""
    await connections(app).close_all()
