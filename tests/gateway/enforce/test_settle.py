"""What countermeasures mean on the wire (a pure table), and `settle` running them on a real store."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from aiohttp import web

from filters import Action, Channel, Direction, Hints
from gateway.enforce.countermeasures import Outcome, Responder
from gateway.enforce.decide import BLOCKED, decide
from gateway.enforce.enforcement import Close, Enforcement, Wire
from gateway.enforce.settings import Band, ResponseSettings
from gateway.enforce.settle import HELD, answer, settle, settled
from gateway.keys import RESPONDER
from gateway.state import Ban, MemoryStore
from tests.gateway.enforce._exchange import CARD, exchange, inspection
from tests.gateway.state._redis import closed_port, store

NOW = 1_000_000.0
BAN = Ban("pair:alice|198.51.100.7", "attack", NOW, NOW + 299.2)
GONE = Close(1001, "client went away")


def _shown(enforcement: Enforcement | None) -> tuple[Any, ...] | None:
    if enforcement is None:
        return None
    if enforcement.answer is not None:
        return enforcement.wire, enforcement.answer.status, dict(enforcement.answer.body), \
            dict(enforcement.answer.headers).get("Retry-After")
    if enforcement.reply is not None:
        return enforcement.wire, orjson.loads(enforcement.reply)
    return enforcement.wire, enforcement.to_client, enforcement.to_upstream


OUTCOMES = [
    ("ban", Outcome(frozenset({"ban"}), ban=BAN, request_id="r"),
     (Wire.REFUSE, 403, {"error": "banned", "request_id": "r"}, "300"),
     (Wire.CLOSE, Close(1008, "banned"), GONE)),
    ("throttle", Outcome(frozenset({"throttle"}), retry_after=600.0, request_id="r"),
     (Wire.REFUSE, 429, {"error": "too many requests", "request_id": "r"}, "600"),
     (Wire.CLOSE, Close(1008, "too many requests"), GONE)),
    ("step-up", Outcome(frozenset({"step_up"}), request_id="r"),
     (Wire.REFUSE, 401, {"error": "step-up required", "request_id": "r"}, None),
     (Wire.REPLY, {"type": "chatguard.error", "error": "step-up required", "request_id": "r"})),
    ("quarantine", Outcome(frozenset({"quarantine"}), quarantine_id="7-ab", request_id="r"),
     (Wire.REFUSE, 202, {"status": HELD, "id": "7-ab", "request_id": "r"}, None),
     (Wire.REPLY, {"type": "chatguard.error", "error": HELD, "id": "7-ab", "request_id": "r"})),
    ("alert only", Outcome(frozenset({"alert"}), request_id="r"), None, None),
    ("nothing", Outcome(frozenset(), request_id="r"), None, None),
]


@pytest.mark.parametrize(("case", "outcome", "http", "ws"), OUTCOMES, ids=[row[0] for row in OUTCOMES])
def test_outcome_on_the_wire(case: str, outcome: Outcome, http: tuple[Any, ...] | None,
                             ws: tuple[Any, ...] | None) -> None:
    assert _shown(answer(outcome, Channel.HTTP, NOW)) == http
    assert _shown(answer(outcome, Channel.WS, NOW)) == ws


@pytest.mark.parametrize("websocket", [False, True])
def test_an_answer_replaces_the_chains_decision_and_its_audit(websocket: bool) -> None:
    pending = decide(exchange(websocket=websocket), Direction.INBOUND,
                     inspection(Action.MODIFY, hints=Hints(ban=True), findings=(CARD,)))
    final = settled(pending, Outcome(frozenset({"ban"}), ban=BAN, request_id="rid-1"), NOW)
    assert final.wire is (Wire.CLOSE if websocket else Wire.REFUSE) and final.countermeasure is None
    assert [r.fields["event"] for r in final.audit] == ["filter.modify"]


def test_countermeasures_the_sender_does_not_see_leave_the_decision() -> None:
    pending = decide(exchange(), Direction.INBOUND, inspection(Action.BLOCK, hints=Hints(alert=True)))
    final = settled(pending, Outcome(frozenset({"alert"}), request_id="rid-1"), NOW)
    assert final.wire is Wire.REFUSE and final.answer is not None and final.answer.body["error"] == BLOCKED
    assert [r.fields["event"] for r in final.audit] == ["filter.block"] and final.countermeasure is None


@pytest.mark.parametrize(("websocket", "expected"), [
    (False, (Wire.REFUSE, 503, {"error": "service unavailable", "request_id": "rid-1"}, None)),
    (True, (Wire.CLOSE, Close(1011, "service unavailable"), GONE)),
])
def test_a_store_that_cannot_answer_fails_closed(websocket: bool, expected: tuple[Any, ...]) -> None:
    pending = decide(exchange(websocket=websocket), Direction.INBOUND, inspection(Action.PASS, hints=Hints(ban=True)))
    final = settled(pending, None)
    assert _shown(final) == expected
    assert [(r.fields["event"], r.fields["channel"]) for r in final.audit] == [
        ("state.unavailable", "ws" if websocket else "http")]


async def test_settle_runs_the_countermeasures_on_the_store() -> None:
    memory = MemoryStore()
    app = web.Application()
    app[RESPONDER] = Responder(memory, ResponseSettings(bands=(Band(0.5, ("quarantine",)),)))
    ex = exchange(app=app)
    pending = decide(ex, Direction.INBOUND, inspection(Action.PASS, hints=Hints(alert=True), findings=(CARD,)))
    final = await settle(ex, pending)
    assert final.answer is not None and final.answer.status == 202
    assert await memory.incr("quarantine:seq", 0, 60) == 1
    assert await settle(ex, final) is final  # nothing left to run


async def test_settle_fails_closed_when_the_store_is_down() -> None:
    down = store("cgtest:settle:", url=f"redis://127.0.0.1:{closed_port()}/0", timeout=0.5)
    app = web.Application()
    app[RESPONDER] = Responder(down, ResponseSettings(bands=(Band(0.0, ("ban",)),)))
    ex = exchange(websocket=True, app=app)
    try:
        final = await settle(ex, decide(ex, Direction.INBOUND, inspection(Action.PASS, hints=Hints(ban=True))))
    finally:
        await down.aclose()
    assert final.wire is Wire.CLOSE and final.to_client == Close(1011, "service unavailable")
