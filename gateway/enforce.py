"""Where a filter decision becomes a wire action: a status code, a dropped frame, a close.

Keeping this in one module means every block looks the same to clients (a fixed
phrase and a request id, never the reason, which could leak what a filter looks for)
and every decision is logged the same way for the audit trail.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import orjson
from aiohttp import WSCloseCode, web

from filters import Action, Direction
from gateway.errors import error_response
from gateway.exchange import Exchange
from gateway.inspection import Inspection
from gateway.keys import RESPONDER
from gateway.responses import Offender
from gateway.state import StateUnavailable

audit = logging.getLogger("chatguard.audit")


def _event(kind: str, exchange: Exchange, direction: Direction, inspection: Inspection | None,
           **extra: object) -> None:
    fields: dict[str, object] = {
        "event": kind,
        "request_id": exchange.request_id,
        "route": exchange.plan.name,
        "direction": direction.value,
        "client": exchange.client,
        "subject": exchange.principal.subject,
    }
    if inspection is not None:
        fields["findings"] = inspection.finding_types()
        fields["reasons"] = inspection.reasons()
    fields.update(extra)
    audit.info(kind, extra={"fields": fields})


def record(exchange: Exchange, direction: Direction, inspection: Inspection) -> None:
    """Log a modification (finding types and counts only); passes are not logged."""
    if inspection.action is Action.MODIFY:
        _event("filter.modify", exchange, direction, inspection)


def http_blocked(exchange: Exchange, inspection: Inspection,
                 direction: Direction = Direction.INBOUND) -> web.Response:
    _event("filter.block", exchange, direction, inspection)
    return error_response(403, "message blocked by policy", exchange.request_id)


async def respond(exchange: Exchange, direction: Direction, inspection: Inspection,
                  payload: bytes | str) -> web.Response | None:
    """Bans, throttles, step-up, quarantine and alerts the filters' hints and score call for.

    Returns the answer that replaces the normal one, or None to go on as the chain decided.
    The state store being down fails closed (503).
    """
    threat = inspection.threat()
    if threat is None:
        return None
    score, hints = threat
    responder = exchange.request.app[RESPONDER]
    offender = Offender(exchange.client, exchange.principal.subject, exchange.plan.name, exchange.request_id)
    try:
        outcome = await responder.respond(offender, score, hints, tuple(inspection.reasons()), payload)
    except StateUnavailable:
        return error_response(503, "service unavailable", exchange.request_id)
    return outcome.http_response()


def http_unparseable(exchange: Exchange, error: Exception, *, outbound: bool = False) -> web.Response:
    direction = Direction.OUTBOUND if outbound else Direction.INBOUND
    _event("codec.reject", exchange, direction, None, error=type(error).__name__)
    if outbound:
        return error_response(502, "upstream response could not be inspected", exchange.request_id)
    return error_response(400, "message payload could not be parsed", exchange.request_id)


# WebSocket decisions -------------------------------------------------------------------------

POLICY_CLOSE = WSCloseCode.POLICY_VIOLATION        # 1008
UNSUPPORTED_CLOSE = WSCloseCode.UNSUPPORTED_DATA   # 1003


def ws_error_frame(request_id: str, error: str) -> str:
    """The frame sent in place of a blocked message when the route asks for one."""
    return orjson.dumps({"type": "chatguard.error", "error": error, "request_id": request_id}).decode()


def ws_blocked(exchange: Exchange, direction: Direction, inspection: Inspection) -> None:
    _event("filter.block", exchange, direction, inspection, channel="ws")


def ws_unparseable(exchange: Exchange, direction: Direction, error: Exception) -> None:
    _event("codec.reject", exchange, direction, None, channel="ws", error=type(error).__name__)


BLOCKED = "message blocked by policy"
UNPARSEABLE = "message could not be parsed"


@dataclass(frozen=True, slots=True)
class WsOutcome:
    """What a WebSocket pump does with a message the filters did not let through.

    `reply` is a text frame for the sender; `close` a code that ends the connection on
    both sides (with `reason`); neither means the message is dropped silently.
    """

    reply: str | None = None
    close: int | None = None
    reason: str = ""


WS_DROP = WsOutcome()


def ws_block_outcome(exchange: Exchange, direction: Direction, inspection: Inspection) -> WsOutcome:
    """Audit a blocked message and apply the route's `websocket.on_block`."""
    ws_blocked(exchange, direction, inspection)
    mode = exchange.plan.settings.websocket.on_block
    if mode == "drop":
        return WS_DROP
    if mode == "error_frame":
        return WsOutcome(reply=ws_error_frame(exchange.request_id, BLOCKED))
    return WsOutcome(close=POLICY_CLOSE, reason=BLOCKED)


def ws_parse_outcome(exchange: Exchange, direction: Direction, error: Exception) -> WsOutcome:
    """Audit a message the codec could not read; it is never forwarded (route's `on_parse_error`)."""
    ws_unparseable(exchange, direction, error)
    code = UNSUPPORTED_CLOSE if exchange.plan.settings.websocket.on_parse_error == "close_1003" else POLICY_CLOSE
    return WsOutcome(close=code, reason=UNPARSEABLE)
