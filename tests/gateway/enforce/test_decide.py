"""`decide` as a table: what happened to a message -> what the wire does, for HTTP and WebSocket. No sockets."""

from __future__ import annotations

import dataclasses
from typing import Any

import orjson
import pytest

from filters import Action, Direction, Hints
from gateway.access.rbac import Decision
from gateway.codec import CodecError, LimitExceeded
from gateway.enforce.decide import BLOCKED, UNPARSEABLE, decide
from gateway.enforce.enforcement import AccessCheck, Close, Enforcement, Wire
from gateway.inspect.inspection import Inspection
from tests.gateway.enforce._exchange import CARD, exchange, inspection

IN, OUT = Direction.INBOUND, Direction.OUTBOUND
POLICY = Close(1008, BLOCKED)


def events(enforcement: Enforcement) -> list[str]:
    return [str(record.fields["event"]) for record in enforcement.audit]


def wire(enforcement: Enforcement) -> tuple[Any, ...]:
    """The wire part of an enforcement, comparable in a table."""
    answer = enforcement.answer
    http = None if answer is None else (answer.status, answer.body.get("error"))
    reply = None if enforcement.reply is None else orjson.loads(enforcement.reply)["error"]
    return enforcement.wire, enforcement.payload, http, reply, enforcement.to_client, enforcement.to_upstream


HTTP_TABLE = [
    ("pass", IN, inspection(Action.PASS), (Wire.FORWARD, b'{"text": "x"}', None, None, None, None), []),
    ("modify (str payload)", IN, inspection(Action.MODIFY, payload='{"text": "masked"}', findings=(CARD,)),
     (Wire.FORWARD, b'{"text": "masked"}', None, None, None, None), ["filter.modify"]),
    ("block", IN, inspection(Action.BLOCK), (Wire.REFUSE, b"", (403, BLOCKED), None, None, None), ["filter.block"]),
    ("block of a response", OUT, inspection(Action.BLOCK),
     (Wire.REFUSE, b"", (403, BLOCKED), None, None, None), ["filter.block"]),
    ("request that does not parse", IN, CodecError("bad json"),
     (Wire.REFUSE, b"", (400, "message payload could not be parsed"), None, None, None), ["codec.reject"]),
    ("response that does not parse", OUT, CodecError("bad json"),
     (Wire.REFUSE, b"", (502, "upstream response could not be inspected"), None, None, None), ["codec.reject"]),
    ("request with too many fields", IN, LimitExceeded("fields", 1000),
     (Wire.REFUSE, b"", (422, "too many message fields"), None, None, None), ["inspect.limit"]),
    ("request with a field too long", IN, LimitExceeded("chars", 65536),
     (Wire.REFUSE, b"", (413, "message field too long"), None, None, None), ["inspect.limit"]),
    ("response over a limit", OUT, LimitExceeded("fields", 1000),
     (Wire.REFUSE, b"", (502, "upstream response exceeds inspection limits"), None, None, None),
     ["inspect.limit"]),
]


@pytest.mark.parametrize(("case", "direction", "result", "expected", "audited"), HTTP_TABLE,
                         ids=[row[0] for row in HTTP_TABLE])
def test_http(case: str, direction: Direction, result: Inspection | CodecError, expected: tuple[Any, ...],
              audited: list[str]) -> None:
    enforcement = decide(exchange(), direction, result)
    assert wire(enforcement) == expected
    assert events(enforcement) == audited
    assert enforcement.countermeasure is None


def test_http_refusals_carry_the_request_id_and_are_not_cached() -> None:
    answer = decide(exchange(), IN, inspection(Action.BLOCK)).answer
    assert answer is not None and answer.body == {"error": BLOCKED, "request_id": "rid-1"}
    assert answer.headers["X-Request-Id"] == "rid-1" and answer.headers["Cache-Control"] == "no-store"


WS_TABLE = [
    ("pass", "error_frame", "close_1003", IN, inspection(Action.PASS),
     (Wire.FORWARD, b'{"text": "x"}', None, None, None, None), []),
    ("block, on_block drop", "drop", "close_1003", IN, inspection(Action.BLOCK),
     (Wire.DROP, b"", None, None, None, None), ["filter.block"]),
    ("block, on_block error_frame", "error_frame", "close_1003", IN, inspection(Action.BLOCK),
     (Wire.REPLY, b"", None, BLOCKED, None, None), ["filter.block"]),
    ("block, on_block close", "close", "close_1003", IN, inspection(Action.BLOCK),
     (Wire.CLOSE, b"", None, None, POLICY, POLICY), ["filter.block"]),
    ("backend frame blocked", "close", "close_1003", OUT, inspection(Action.BLOCK),
     (Wire.CLOSE, b"", None, None, POLICY, POLICY), ["filter.block"]),
    ("frame that does not parse, 1003", "drop", "close_1003", IN, CodecError("x"),
     (Wire.CLOSE, b"", None, None, Close(1003, UNPARSEABLE), Close(1003, UNPARSEABLE)), ["codec.reject"]),
    ("frame that does not parse, 1008", "drop", "close_1008", OUT, CodecError("x"),
     (Wire.CLOSE, b"", None, None, Close(1008, UNPARSEABLE), Close(1008, UNPARSEABLE)), ["codec.reject"]),
    ("frame over a limit, on_block error_frame", "error_frame", "close_1003", IN, LimitExceeded("chars", 10),
     (Wire.REPLY, b"", None, "message field too long", None, None), ["inspect.limit"]),
    ("backend frame over a limit, on_block close", "close", "close_1003", OUT, LimitExceeded("fields", 10),
     (Wire.CLOSE, b"", None, None, Close(1008, "too many message fields"), Close(1008, "too many message fields")),
     ["inspect.limit"]),
]


@pytest.mark.parametrize(("case", "on_block", "on_parse_error", "direction", "result", "expected", "audited"),
                         WS_TABLE, ids=[row[0] for row in WS_TABLE])
def test_websocket(case: str, on_block: str, on_parse_error: str, direction: Direction,
                   result: Inspection | CodecError, expected: tuple[Any, ...], audited: list[str]) -> None:
    enforcement = decide(exchange(websocket=True, on_block=on_block, on_parse_error=on_parse_error),
                         direction, result)
    assert wire(enforcement) == expected
    assert events(enforcement) == audited
    assert all(record.fields["channel"] == "ws" for record in enforcement.audit)


def test_audit_names_finding_types_and_never_the_text() -> None:
    enforcement = decide(exchange(), IN, inspection(Action.MODIFY, findings=(CARD, CARD), reason="masked 2"))
    (record,) = enforcement.audit
    assert dict(record.fields) == {"event": "filter.modify", "request_id": "rid-1", "route": "chat",
                                   "direction": "inbound", "client": "198.51.100.7", "subject": "alice",
                                   "findings": {"card": 2}, "reasons": ["masked 2"]}


ALLOWED = Decision(True, 200, "role", "agent")
SHADOW = Decision(True, 403, "deny", "event not allowed", shadow=True)
DENIED = Decision(False, 403, "deny", "event not allowed")


@pytest.mark.parametrize(("decision", "on_block", "expected", "audited"), [
    (ALLOWED, "close", Wire.FORWARD, []),
    (SHADOW, "close", Wire.FORWARD, ["authz.shadow_deny"]),
    (DENIED, "drop", Wire.DROP, ["authz.deny"]),
    (DENIED, "error_frame", Wire.REPLY, ["authz.deny"]),
    (DENIED, "close", Wire.CLOSE, ["authz.deny"]),
])
def test_per_message_access(decision: Decision, on_block: str, expected: Wire, audited: list[str]) -> None:
    enforcement = decide(exchange(websocket=True, on_block=on_block), IN, AccessCheck(decision, "socketio", "op"))
    assert enforcement.wire is expected
    assert events(enforcement) == audited
    if expected is Wire.REPLY:
        assert orjson.loads(enforcement.reply or "")["error"] == "forbidden"
    if expected is Wire.CLOSE:
        assert enforcement.to_client == enforcement.to_upstream == Close(1008, "forbidden")
    assert all(record.fields["event_name"] == "op" for record in enforcement.audit)


def test_countermeasures_are_named_for_client_messages_with_hints_only() -> None:
    hinted = inspection(Action.BLOCK, hints=Hints(ban=True), reason="attack")
    assert decide(exchange(), IN, inspection(Action.BLOCK)).countermeasure is None  # a block alone: no threat
    assert decide(exchange(), OUT, hinted).countermeasure is None  # the backend's messages are not the client's
    enforcement = decide(exchange(), IN, hinted)
    pending = enforcement.countermeasure
    assert pending is not None and pending.hints.ban and pending.reasons == ("attack",)
    assert (pending.offender.client, pending.offender.subject, pending.offender.route) == (
        "198.51.100.7", "alice", "chat")
    assert (pending.offender.channel, pending.offender.method, pending.offender.content_type) == (
        "http", "POST", "application/json")
    assert wire(enforcement)[:3] == (Wire.REFUSE, b"", (403, BLOCKED))  # if no countermeasure answers
    assert events(enforcement) == ["filter.block"]
    assert [r.fields["event"] for r in pending.if_store_down] == ["state.unavailable"]
    assert pending.if_answered == ()


def test_quarantine_holds_the_message_as_sent() -> None:
    modified = inspection(Action.MODIFY, hints=Hints(alert=True), payload=b'{"text": "****"}',
                          original=b'{"text": "4111"}', findings=(CARD,))
    pending = decide(exchange(websocket=True), IN, modified).countermeasure
    assert pending is not None and pending.payload == b'{"text": "4111"}' and pending.offender.channel == "ws"
    assert [r.fields["event"] for r in pending.if_answered] == ["filter.modify"]
    assert [r.fields["event"] for r in pending.if_store_down] == ["state.unavailable", "filter.modify"]


def test_enforcement_is_a_frozen_value() -> None:
    enforcement = decide(exchange(), IN, inspection(Action.PASS))
    with pytest.raises(dataclasses.FrozenInstanceError):
        enforcement.wire = Wire.DROP  # type: ignore[misc]


def test_an_over_limit_refusal_names_the_bound_in_the_audit() -> None:
    (record,) = decide(exchange(), IN, LimitExceeded("fields", 1000)).audit
    assert (record.fields["limit"], record.fields["bound"]) == ("fields", 1000)
