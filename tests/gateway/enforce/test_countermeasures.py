import asyncio
import json
import time

import pytest
from aiohttp import web

from filters import Channel, Hints
from gateway.enforce.alerts import AlertSender
from gateway.enforce.countermeasures import Offender, Outcome, Responder, held, quarantine, release
from gateway.enforce.settings import AlertSettings, Band, BanPolicy, ResponseSettings
from gateway.enforce.settle import answer as countermeasure_answer
from gateway.state import MemoryStore
from tests.gateway.state._redis import raw_redis, store, unique_prefix

SECRET = "s3cret-s3cret-s3cret"

ALICE = Offender(client="198.51.100.1", subject="alice", route="chat", request_id="r1")
BANDS = ResponseSettings(bands=(Band(0.5, ("alert",)), Band(0.7, ("throttle",)), Band(0.8, ("quarantine",)),
                                Band(0.95, ("ban",))), ban=BanPolicy(base=1, factor=2, cap=3, memory=60))

def http_answer(outcome: Outcome) -> web.Response | None:
    """What an HTTP sender gets for `outcome` (None: the chain's decision stands)."""
    settled = countermeasure_answer(outcome, Channel.HTTP, time.time())
    return None if settled is None or settled.answer is None else settled.answer.response()


@pytest.mark.parametrize(("score", "hints", "expected"), [
    (0.1, Hints(), set()),
    (0.6, Hints(), {"alert"}),
    (0.1, Hints(step_up=True), {"step_up"}),
    (0.1, Hints(ban=True, labels=("ban:pair",)), {"ban"}),
])
async def test_bands_and_hints_choose_actions(score: float, hints: Hints, expected: set[str]) -> None:
    outcome = await Responder(MemoryStore(), BANDS).respond(ALICE, score, hints)
    assert outcome.actions == expected


@pytest.mark.parametrize(("labels", "offender", "key"), [
    ((), ALICE, "pair:alice|198.51.100.1"),
    (("ban:subject",), ALICE, "subject:alice"),
    (("ban:address",), ALICE, "ip:198.51.100.1"),
    ((), Offender("198.51.100.9", "anonymous"), "ip:198.51.100.9"),
])
async def test_ban_key_is_as_narrow_as_the_evidence(labels: tuple[str, ...], offender: Offender, key: str) -> None:
    outcome = await Responder(MemoryStore(), BANDS).respond(offender, 1.0, Hints(labels=labels))
    assert outcome.ban is not None and outcome.ban.key == key
    answer = http_answer(outcome)
    assert answer is not None and answer.status == 403


async def test_escalation_doubles_up_to_the_cap_and_bans_expire() -> None:
    st = MemoryStore()
    responder = Responder(st, BANDS)
    lengths = []
    for _ in range(4):
        outcome = await responder.respond(ALICE, 1.0, Hints())
        assert outcome.ban is not None
        lengths.append(round(outcome.ban.until - outcome.ban.since, 1))
        await st.unban(outcome.ban.key)
    assert lengths == [1.0, 2.0, 3.0, 3.0]
    short = MemoryStore()
    await Responder(short, ResponseSettings(ban=BanPolicy(base=0.2, cap=1))).respond(ALICE, 0, Hints(ban=True))
    assert await short.banned("pair:alice|198.51.100.1") is not None
    for _ in range(50):
        if await short.banned("pair:alice|198.51.100.1") is None:
            break
        await asyncio.sleep(0.05)
    assert await short.banned("pair:alice|198.51.100.1") is None


async def test_escalation_is_shared_by_two_gateways_through_redis() -> None:
    prefix = unique_prefix()
    async with raw_redis(prefix):
        first, second = store(prefix), store(prefix)
        try:
            a, b = Responder(first, BANDS), Responder(second, BANDS)
            one = await a.respond(ALICE, 1.0, Hints())
            await second.unban(one.ban.key)  # type: ignore[union-attr]
            two = await b.respond(ALICE, 1.0, Hints())
            assert two.ban is not None and round(two.ban.until - two.ban.since) == 2
            assert await first.banned("pair:alice|198.51.100.1") is not None
        finally:
            await first.aclose()
            await second.aclose()


async def test_throttle_step_up_and_quarantine_answers() -> None:
    st = MemoryStore()
    throttled = await Responder(st, BANDS).respond(ALICE, 0.75, Hints())
    assert http_answer(throttled).status == 429  # type: ignore[union-attr]
    assert await st.get("throttle:pair:alice|198.51.100.1") == b"1"
    step_up = await Responder(st, BANDS).respond(ALICE, 0.0, Hints(step_up=True))
    answer = http_answer(step_up)
    assert answer is not None and answer.status == 401 and json.loads(answer.body)["error"] == "step-up required"
    held_outcome = await Responder(st, ResponseSettings(bands=(Band(0.8, ("quarantine",)),))).respond(
        ALICE, 0.9, Hints(), payload=b'{"text": "hold me"}')
    answer = http_answer(held_outcome)
    assert answer is not None and answer.status == 202
    assert held_outcome.quarantine_id is not None


async def test_quarantine_list_and_release_once() -> None:
    st = MemoryStore()
    responder = Responder(st, ResponseSettings(bands=(Band(0.8, ("quarantine",)),)))
    ids = [(await responder.respond(ALICE, 0.9, Hints(), payload=f"msg {i}")).quarantine_id for i in range(3)]
    listed = await held(st)
    assert [item["id"] for item in listed] == ids[::-1]
    record = await release(st, ids[1])  # type: ignore[arg-type]
    assert record is not None and record["payload"] == "msg 1"
    assert await release(st, ids[1]) is None  # type: ignore[arg-type]
    assert [item["id"] for item in await held(st)] == [ids[2], ids[0]]


@pytest.mark.parametrize("forged", ["1-00000000", "x", "../1", "99-abcd"])
async def test_release_refuses_forged_ids(forged: str) -> None:
    st = MemoryStore()
    await Responder(st, ResponseSettings(bands=(Band(0.8, ("quarantine",)),))).respond(ALICE, 0.9, Hints())
    assert await release(st, forged) is None


async def test_a_route_responder_shares_store_and_alerts_and_keeps_its_own_bands() -> None:
    st = MemoryStore()
    alerts = AlertSender(AlertSettings())
    base = Responder(st, ResponseSettings(), alerts)
    strict = ResponseSettings(bands=(Band(0.5, ("ban",)),))
    assert base.for_route(None) is base and base.for_route(ResponseSettings()) is base
    mine = base.for_route(strict)
    assert mine is base.for_route(ResponseSettings(bands=(Band(0.5, ("ban",)),)))  # built once per settings
    assert (mine.store, mine.alerts, mine.settings) == (st, alerts, strict)
    outcome = await mine.respond(Offender("198.51.100.7", "eve", "strict"), 0.6, Hints())
    assert outcome.ban is not None and await st.banned(outcome.ban.key) is not None


async def test_a_quarantined_message_keeps_what_its_delivery_needs() -> None:
    st = MemoryStore()
    who = Offender("198.51.100.8", "bob", "widget", "rid1", channel="http", direction="inbound",
                   method="PUT", target="/rooms/1?x=1", content_type="application/json")
    item = await quarantine(st, b'{"text": "held"}', who, "probe", 60)
    [record] = await held(st)
    assert record["id"] == item and {k: record[k] for k in ("method", "target", "content_type", "request_id")} == {
        "method": "PUT", "target": "/rooms/1?x=1", "content_type": "application/json", "request_id": "rid1"}
