"""`decide`: what one message's inspection means on the wire, for HTTP and WebSocket alike.

A pure function of the exchange, the direction and what happened to the message (an
`Inspection`, the codec's error or over-limit refusal, or a per-message access check): it returns an `Enforcement`
and touches no socket, store or log. The proxies write its audit entries and apply it;
countermeasures it names run in `gateway.enforce.settle`, which maps their outcome (again
purely) onto the final action. Every refusal looks the same to clients: a fixed phrase and
the request id, never the reason, which could leak what a filter looks for.
"""

from __future__ import annotations

from dataclasses import replace

import orjson
from aiohttp import WSCloseCode

from filters import Action, Channel, Direction
from gateway.access.rbac.record import access_record
from gateway.audit.record import AuditRecord
from gateway.auth.carriage import strip_query
from gateway.codec import CodecError, LimitExceeded, UnsupportedPayload
from gateway.e2ee.fields import SealRefused, SealUnavailable
from gateway.e2ee.policy import E2EERefusal
from gateway.edge.errors import refusal
from gateway.enforce.countermeasures import Offender
from gateway.enforce.enforcement import AccessCheck, Close, Countermeasure, Enforcement, Wire
from gateway.inspect.exchange import Exchange
from gateway.inspect.inspection import Inspection

__all__ = ["BLOCKED", "UNPARSEABLE", "Result", "decide", "refused", "ws_error_frame"]

BLOCKED = "message blocked by policy"
UNPARSEABLE = "message could not be parsed"
UNSUPPORTED = "message payload type, charset or version is not accepted here"
POLICY_CLOSE = int(WSCloseCode.POLICY_VIOLATION)        # 1008
UNSUPPORTED_CLOSE = int(WSCloseCode.UNSUPPORTED_DATA)   # 1003
_GO_ON = Enforcement(Wire.FORWARD)


type Result = Inspection | CodecError | AccessCheck | E2EERefusal


def decide(exchange: Exchange, direction: Direction, result: Result) -> Enforcement:
    """The one decision per message: forward, refuse, drop, reply or close, with its audit entries."""
    if isinstance(result, Inspection):
        return _inspected(exchange, direction, result)
    if isinstance(result, AccessCheck):
        return _access(exchange, direction, result)
    if isinstance(result, E2EERefusal):
        return _e2ee(exchange, direction, result)
    if isinstance(result, LimitExceeded):
        return _over_limit(exchange, direction, result)
    if isinstance(result, SealRefused):
        audit = (_record("e2ee.unsealable", exchange, direction, None, **_ws(exchange)),)
        return refused(exchange, result.reason, 422, audit)
    if isinstance(result, SealUnavailable):  # plaintext never goes to a blind backend: refuse, do not forward
        audit = (_record("e2ee.seal_unavailable", exchange, direction, None, **_ws(exchange)),)
        return refused(exchange, "service unavailable", 503, audit)
    return _unparseable(exchange, direction, result)


def _e2ee(exchange: Exchange, direction: Direction, refusal: E2EERefusal) -> Enforcement:
    """The route's `e2ee` policy refuses this message: 403 (or the route's WebSocket refusal), with the
    policy as the reason, since the sender must know what to change (it reveals no filter's rules)."""
    audit = (_record("e2ee.refuse", exchange, direction, None, **_ws(exchange), policy=refusal.policy,
                     message_kind=refusal.kind.value),)
    decided = refused(exchange, refusal.reason, 403, audit)
    if decided.answer is not None and refusal.errcode:
        answer = decided.answer
        decided = replace(decided, answer=replace(answer, body={"errcode": refusal.errcode, **answer.body}))
    return decided


def _inspected(exchange: Exchange, direction: Direction, inspection: Inspection) -> Enforcement:
    modified = (_record("filter.modify", exchange, direction, inspection),) \
        if inspection.action is Action.MODIFY else ()
    if inspection.action is Action.BLOCK:
        blocked = _record("filter.block", exchange, direction, inspection, **_ws(exchange))
        decided = refused(exchange, BLOCKED, 403, (blocked,))
    else:
        payload = inspection.payload
        decided = Enforcement(Wire.FORWARD, payload.encode() if isinstance(payload, str) else payload,
                              audit=modified)
    # Countermeasures answer for the client; the backend's messages are not its doing.
    threat = inspection.threat() if direction is Direction.INBOUND else None
    if threat is None:
        return decided
    score, hints = threat
    store_down = _record("state.unavailable", exchange, direction, None, channel=exchange.channel.value)
    original = inspection.original if inspection.original is not None else inspection.payload
    return replace(decided, countermeasure=Countermeasure(
        _offender(exchange, direction), score, hints, tuple(inspection.reasons()), original,
        exchange.plan.responses, if_answered=modified, if_store_down=(store_down, *modified)))


def _unparseable(exchange: Exchange, direction: Direction, error: Exception) -> Enforcement:
    """A payload the codec cannot read is never forwarded: 400 (request; 415 for a type, charset or
    protocol version the route does not read), 502 (response) or a close."""
    audit = (_record("codec.reject", exchange, direction, None, **_ws(exchange), error=type(error).__name__),)
    rid = exchange.request_id
    if exchange.websocket:
        policy = exchange.plan.settings.websocket.on_parse_error
        close = Close(UNSUPPORTED_CLOSE if policy == "close_1003" else POLICY_CLOSE, UNPARSEABLE)
        return Enforcement(Wire.CLOSE, to_client=close, to_upstream=close, audit=audit)
    if direction is Direction.OUTBOUND:
        return Enforcement(Wire.REFUSE, answer=refusal(502, "upstream response could not be inspected", rid),
                           audit=audit)
    if isinstance(error, UnsupportedPayload):  # a type, charset or version the route does not read
        return Enforcement(Wire.REFUSE, answer=refusal(415, UNSUPPORTED, rid), audit=audit)
    return Enforcement(Wire.REFUSE, answer=refusal(400, "message payload could not be parsed", rid), audit=audit)


# Too many fields is a shape the route does not serve (422); one field too long is too much content (413).
_OVER_LIMIT = {"fields": (422, "too many message fields"), "chars": (413, "message field too long")}


def _over_limit(exchange: Exchange, direction: Direction, error: LimitExceeded) -> Enforcement:
    """More text than the route's filters may be given (`max_fields`, `max_chars`): never forwarded."""
    audit = (_record("inspect.limit", exchange, direction, None, **_ws(exchange), limit=error.kind,
                     bound=error.limit),)
    status, phrase = _OVER_LIMIT[error.kind]
    if direction is Direction.OUTBOUND and not exchange.websocket:
        return Enforcement(Wire.REFUSE, answer=refusal(502, "upstream response exceeds inspection limits",
                                                       exchange.request_id), audit=audit)
    return refused(exchange, phrase, status, audit)


def _access(exchange: Exchange, direction: Direction, check: AccessCheck) -> Enforcement:
    """Refused messages are handled like a filter block; shadow-mode refusals are only recorded."""
    decision = check.decision
    entry = access_record(decision, exchange.principal, exchange.plan.name, check.kind,
                          request_id=exchange.request_id, client=exchange.client, event_name=check.name)
    if entry is None:
        return _GO_ON
    if decision.allowed:
        return Enforcement(Wire.FORWARD, audit=(entry,))
    return refused(exchange, decision.error or "forbidden", decision.status, (entry,))


def refused(exchange: Exchange, error: str, status: int, audit: tuple[AuditRecord, ...]) -> Enforcement:
    """A message that must not go on: on HTTP `status` with `error`; on a WebSocket the route's `on_block`."""
    if not exchange.websocket:
        return Enforcement(Wire.REFUSE, answer=refusal(status, error, exchange.request_id), audit=audit)
    mode = exchange.plan.settings.websocket.on_block
    if mode == "drop":
        return Enforcement(Wire.DROP, audit=audit)
    if mode == "error_frame":
        return Enforcement(Wire.REPLY, reply=ws_error_frame(exchange.request_id, error), audit=audit)
    close = Close(POLICY_CLOSE, error)
    return Enforcement(Wire.CLOSE, to_client=close, to_upstream=close, audit=audit)


def ws_error_frame(request_id: str, error: str, **extra: str) -> str:
    """The frame sent in place of a refused message when the route asks for one."""
    return orjson.dumps({"type": "chatguard.error", "error": error, **extra, "request_id": request_id}).decode()


def _offender(exchange: Exchange, direction: Direction) -> Offender:
    request = exchange.request
    return Offender(exchange.client, exchange.principal.subject, exchange.plan.name, exchange.request_id,
                    channel="ws" if exchange.websocket else "http",
                    direction="outbound" if direction is Direction.OUTBOUND else "inbound",
                    method=request.method, target=strip_query(request.raw_path, exchange.carriage),
                    content_type=request.headers.get("Content-Type", ""), client_key=exchange.client_key)


def _ws(exchange: Exchange) -> dict[str, str]:
    return {"channel": Channel.WS.value} if exchange.websocket else {}


def _record(kind: str, exchange: Exchange, direction: Direction, inspection: Inspection | None,
            **extra: object) -> AuditRecord:
    """The audit entry of a filter, codec or store event: finding types and counts, never values."""
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
    return AuditRecord(kind, fields)
