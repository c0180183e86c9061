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
from gateway.access.rbac import Decision
from gateway.access.rbac import record as record_access
from gateway.auth.carriage import strip_query
from gateway.edge.errors import error_response
from gateway.enforce.countermeasures import Offender, Outcome
from gateway.inspect.exchange import Exchange
from gateway.inspect.inspection import Inspection
from gateway.keys import RESPONDER
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


async def countermeasures(exchange: Exchange, direction: Direction, inspection: Inspection,
                          payload: bytes | str) -> Outcome | None:
    """Bans, throttles, step-up, quarantine and alerts the filters' hints and score call for.

    The one place HTTP and WebSocket both go through, so a message gets the same response
    whichever way it came. None when no filter asked for a response. Raises `StateUnavailable`
    when the state store is down: each caller turns that into its own fail-closed answer.
    """
    threat = inspection.threat()
    if threat is None:
        return None
    score, hints = threat
    request = exchange.request
    responder = request.app[RESPONDER].for_route(exchange.plan.responses)
    websocket = request.headers.get("Upgrade", "").lower() == "websocket"
    offender = Offender(exchange.client, exchange.principal.subject, exchange.plan.name, exchange.request_id,
                        channel="ws" if websocket else "http",
                        direction="outbound" if direction is Direction.OUTBOUND else "inbound",
                        method=request.method, target=strip_query(request.raw_path, exchange.carriage),
                        content_type=request.headers.get("Content-Type", ""))
    return await responder.respond(offender, score, hints, tuple(inspection.reasons()), payload)


def _store_down(exchange: Exchange, direction: Direction, channel: str) -> None:
    _event("state.unavailable", exchange, direction, None, channel=channel)


async def respond(exchange: Exchange, direction: Direction, inspection: Inspection,
                  payload: bytes | str) -> web.Response | None:
    """The HTTP answer that replaces the normal one (403 banned, 429, 401 step-up, 202 held),
    or None to go on as the chain decided. The state store being down fails closed (503)."""
    try:
        outcome = await countermeasures(exchange, direction, inspection, payload)
    except StateUnavailable:
        _store_down(exchange, direction, "http")
        return error_response(503, "service unavailable", exchange.request_id)
    return None if outcome is None else outcome.http_response()


def http_unparseable(exchange: Exchange, error: Exception, *, outbound: bool = False) -> web.Response:
    direction = Direction.OUTBOUND if outbound else Direction.INBOUND
    _event("codec.reject", exchange, direction, None, error=type(error).__name__)
    if outbound:
        return error_response(502, "upstream response could not be inspected", exchange.request_id)
    return error_response(400, "message payload could not be parsed", exchange.request_id)


# WebSocket decisions -------------------------------------------------------------------------

POLICY_CLOSE = WSCloseCode.POLICY_VIOLATION        # 1008
UNSUPPORTED_CLOSE = WSCloseCode.UNSUPPORTED_DATA   # 1003


def ws_error_frame(request_id: str, error: str, **extra: str) -> str:
    """The frame sent in place of a blocked message when the route asks for one."""
    return orjson.dumps({"type": "chatguard.error", "error": error, **extra, "request_id": request_id}).decode()


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
    both sides (with `reason`); neither means the message is dropped silently. `upstream`,
    when set, is the (code, reason) the other side gets instead of `close` and `reason`.
    """

    reply: str | None = None
    close: int | None = None
    reason: str = ""
    upstream: tuple[int, str] | None = None


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


GOING_AWAY = (int(WSCloseCode.GOING_AWAY), "client went away")  # what the upstream hears of a refused client
STEP_UP = "step-up required"
HELD = "held for review"


def ws_answer(outcome: Outcome) -> WsOutcome | None:
    """A countermeasure as a WebSocket action; None for those the sender does not see (alerts, logs).

    A ban or throttle ends the connection (1008 to the client; the upstream only learns that the
    client went away); step-up and quarantine drop the message and tell the sender why.
    """
    rid = outcome.request_id
    if outcome.ban is not None:
        return WsOutcome(close=POLICY_CLOSE, reason="banned", upstream=GOING_AWAY)
    if outcome.retry_after is not None:
        return WsOutcome(close=POLICY_CLOSE, reason="too many requests", upstream=GOING_AWAY)
    if "step_up" in outcome.actions:
        return WsOutcome(reply=ws_error_frame(rid, STEP_UP))
    if outcome.quarantine_id is not None:
        return WsOutcome(reply=ws_error_frame(rid, HELD, id=outcome.quarantine_id))
    return None


async def ws_respond(exchange: Exchange, direction: Direction, inspection: Inspection,
                     payload: bytes | str) -> WsOutcome | None:
    """`countermeasures` for one WebSocket message: what replaces the chain's decision, or None.

    The state store being down drops the message and closes the connection with 1011 (fail closed).
    """
    try:
        outcome = await countermeasures(exchange, direction, inspection, payload)
    except StateUnavailable:
        _store_down(exchange, direction, "ws")
        return WsOutcome(close=WSCloseCode.INTERNAL_ERROR, reason="service unavailable", upstream=GOING_AWAY)
    return None if outcome is None else ws_answer(outcome)


def ws_access_outcome(exchange: Exchange, decision: Decision, kind: str, name: str) -> WsOutcome | None:
    """A per-message access decision as a WebSocket action: None lets the message on (shadow-mode
    refusals are only recorded); a refusal is audited and handled like a filter block (`on_block`)."""
    if decision.allowed and not decision.shadow:
        return None
    record_access(decision, exchange.principal, exchange.plan.name, kind, request_id=exchange.request_id,
                  client=exchange.client, event_name=name)
    if decision.allowed:
        return None
    mode = exchange.plan.settings.websocket.on_block
    if mode == "drop":
        return WS_DROP
    if mode == "error_frame":
        return WsOutcome(reply=ws_error_frame(exchange.request_id, decision.error or "forbidden"))
    return WsOutcome(close=POLICY_CLOSE, reason=decision.error or "forbidden")
