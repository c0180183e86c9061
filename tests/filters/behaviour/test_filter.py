import dataclasses
import time
from collections.abc import AsyncIterator

import pytest

from filters import Action, FilterContext, Message, Principal
from filters.behaviour import BehaviourFilter, BehaviourOptions, FloodOptions, SpamOptions, StoreMissing
from filters.behaviour.options import AnomalyOptions, NetworkOptions
from filters.testing import check_filter, tmessage
from gateway.state import MemoryStore, RedisStore
from tests.gateway.state._redis import raw_redis, store, unique_prefix

T0 = time.time()
OFF = {"flood": FloodOptions(enabled=False), "spam": SpamOptions(enabled=False),
       "new_network": NetworkOptions(enabled=False), "anomaly": AnomalyOptions(enabled=False)}


def only(**enabled: object) -> BehaviourOptions:
    return BehaviourOptions(**{**OFF, **enabled})  # type: ignore[arg-type]


def user(name: str) -> Principal:
    return Principal(name, frozenset({"user"}))


def msg(text: str, who: str = "alice", client: str = "198.51.100.7", room: str = "r1") -> Message:
    return tmessage(text, principal=user(who) if who else Principal(), client=client, conversation=room)


async def test_without_a_store_it_fails_closed() -> None:
    with pytest.raises(StoreMissing):
        await BehaviourFilter().inspect(msg("hello"))


async def test_replayed_flood_blocks_then_asks_for_a_ban() -> None:
    flt = BehaviourFilter(only(flood=FloodOptions(window=10, per_room=5, per_subject=50, ban_factor=2)),
                          FilterContext(store=MemoryStore()))
    verdicts = [await flt.check(msg(f"message {i}"), T0 + i * 0.1) for i in range(10)]
    assert [v.action for v in verdicts[:5]] == [Action.PASS] * 5
    assert verdicts[5].blocked and verdicts[5].findings[0].type == "flood" and not verdicts[5].hints.ban
    assert verdicts[9].hints.ban and "ban:pair" in verdicts[9].hints.labels


async def test_slow_senders_are_not_flooding() -> None:
    flt = BehaviourFilter(only(flood=FloodOptions(window=10, per_room=5)), FilterContext(store=MemoryStore()))
    verdicts = [await flt.check(msg(f"message {i}"), T0 + i * 3) for i in range(30)]
    assert all(v.action is Action.PASS for v in verdicts)


async def test_flooding_across_rooms_and_addresses_hits_the_subject_backstop() -> None:
    flt = BehaviourFilter(only(flood=FloodOptions(window=10, per_room=5, per_subject=12)), FilterContext(store=MemoryStore()))
    verdicts = [await flt.check(msg(f"m{i}", client=f"203.0.{i}.1", room=f"room{i % 4}"), T0 + i * 0.1)
                for i in range(14)]
    assert not any(v.blocked for v in verdicts[:12])
    assert verdicts[12].blocked and "flood:subject" in verdicts[12].hints.labels


async def test_nat_fairness_one_flooder_does_not_block_neighbours() -> None:
    flt = BehaviourFilter(only(flood=FloodOptions(window=10, per_room=5, per_subject=10, per_address=100)),
                          FilterContext(store=MemoryStore()))
    for i in range(20):
        await flt.check(msg(f"spam {i}", who="mallory"), T0 + i * 0.05)
    neighbours = [await flt.check(msg("hi there", who=f"user{i}"), T0 + 1 + i * 0.01) for i in range(30)]
    assert all(v.action is Action.PASS for v in neighbours)


async def test_the_address_backstop_trips_on_a_real_storm() -> None:
    flt = BehaviourFilter(only(flood=FloodOptions(window=10, per_room=5, per_subject=10, per_address=40,
                                                  ban_factor=2)), FilterContext(store=MemoryStore()))
    verdicts = [await flt.check(msg("hello", who=f"bot{i}", room=f"r{i}"), T0 + i * 0.01) for i in range(80)]
    assert not any(v.blocked for v in verdicts[:40])
    assert verdicts[40].blocked and "flood:address" in verdicts[40].hints.labels
    assert verdicts[79].hints.ban and "ban:address" in verdicts[79].hints.labels


SPAM = "Win a FREE iPhone now, click the link in my profile to claim your prize today"


async def test_replayed_near_duplicate_spam_is_blocked() -> None:
    flt = BehaviourFilter(only(spam=SpamOptions(window=300, per_room=3)), FilterContext(store=MemoryStore()))
    variants = [SPAM, SPAM.upper(), SPAM + "!!", SPAM.replace("today", "tonight"), SPAM.replace(" ", "  ")]
    verdicts = [await flt.check(msg(v), T0 + i * 20) for i, v in enumerate(variants)]
    assert [v.blocked for v in verdicts] == [False, False, False, True, True]
    assert verdicts[3].findings[0].type == "spam"


async def test_varied_chat_and_short_repeats_are_not_spam() -> None:
    flt = BehaviourFilter(only(spam=SpamOptions(window=300, per_room=3)), FilterContext(store=MemoryStore()))
    texts = ["ok", "ok", "ok", "ok", "thanks!", "thanks!", "thanks!", "thanks!",
             "Could you check why my invoice from March was charged twice please",
             "the deployment failed again with a timeout on the database migration step",
             "I will be out of office tomorrow, ping Bob for anything urgent"]
    verdicts = [await flt.check(msg(t), T0 + i) for i, t in enumerate(texts)]
    assert all(v.action is Action.PASS for v in verdicts)


async def test_spam_after_the_window_is_forgiven() -> None:
    flt = BehaviourFilter(only(spam=SpamOptions(window=60, per_room=2)), FilterContext(store=MemoryStore()))
    verdicts = [await flt.check(msg(SPAM), T0 + i * 61) for i in range(6)]
    assert not any(v.blocked for v in verdicts)


async def test_new_network_and_new_client_are_flagged_for_known_subjects_only() -> None:
    flt = BehaviourFilter(only(new_network=NetworkOptions()), FilterContext(store=MemoryStore()))
    assert (await flt.check(msg("hi", client="198.51.100.7"), T0)).action is Action.PASS  # learns
    assert (await flt.check(msg("hi", client="198.51.100.99"), T0 + 1)).action is Action.PASS  # same /24
    moved = await flt.check(msg("hi", client="203.0.113.5"), T0 + 2)
    assert moved.findings[0].type == "new_network" and moved.hints.alert and not moved.blocked
    agent = tmessage("hi", principal=user("alice"), client="203.0.113.5", metadata={"user_agent": "curl/8"})
    assert "new_client" in (await flt.check(agent, T0 + 3)).hints.labels
    assert (await flt.check(msg("hi", who="", client="192.0.2.1"), T0)).action is Action.PASS
    assert (await flt.check(msg("hi", who="", client="10.9.9.9"), T0)).action is Action.PASS


async def test_anomaly_against_the_subjects_own_baseline() -> None:
    flt = BehaviourFilter(only(anomaly=AnomalyOptions(min_samples=20)), FilterContext(store=MemoryStore()))
    now = T0
    for i in range(40):
        now += 30 + i % 4
        assert (await flt.check(msg("x" * (40 + i % 5)), now)).action is Action.PASS
    burst = await flt.check(msg("y" * 5000), now + 31)
    assert burst.findings[0].type == "anomaly" and burst.hints.alert and not burst.blocked
    # another subject with no history is not judged
    assert (await flt.check(msg("z" * 5000, who="bob"), now)).action is Action.PASS


async def test_encrypted_messages_count_by_their_size_and_rate() -> None:
    """End-to-end encrypted messages reach the filter as metadata only: empty text, the payload size."""
    flt = BehaviourFilter(only(anomaly=AnomalyOptions(min_samples=20),
                               flood=FloodOptions(window=10, per_room=5, per_subject=50)),
                          FilterContext(store=MemoryStore()))

    def sealed(size: int, **kw: str) -> Message:
        return dataclasses.replace(msg("", **kw), metadata={"e2ee": True, "size": size})

    now = T0
    for i in range(40):
        now += 30 + i % 4
        assert (await flt.check(sealed(300 + i % 5), now)).action is Action.PASS
    burst = await flt.check(sealed(60_000), now + 31)
    assert burst.findings[0].type == "anomaly"
    flood = [await flt.check(sealed(300, who="carol"), T0 + i * 0.1) for i in range(7)]
    assert flood[-1].blocked and flood[-1].findings[0].type == "flood"


@pytest.fixture
async def two_gateways() -> AsyncIterator[tuple[RedisStore, RedisStore]]:
    prefix = unique_prefix()
    async with raw_redis(prefix):
        first, second = store(prefix), store(prefix)
        try:
            yield first, second
        finally:
            await first.aclose()
            await second.aclose()


async def test_two_gateways_share_flood_and_spam_counts(two_gateways: tuple[RedisStore, RedisStore]) -> None:
    options = only(flood=FloodOptions(window=10, per_room=6), spam=SpamOptions(per_room=3))
    a, b = (BehaviourFilter(options, FilterContext(store=s)) for s in two_gateways)
    verdicts = [await (a if i % 2 else b).check(msg(SPAM + "!" * i), T0 + i * 0.1) for i in range(8)]
    assert [v.blocked for v in verdicts[:3]] == [False] * 3
    assert verdicts[3].blocked and "spam" in verdicts[3].hints.labels
    assert "flood" in verdicts[7].hints.labels


async def test_passes_the_conformance_battery_with_the_gateways_store() -> None:
    await check_filter(BehaviourFilter, context=lambda: FilterContext(store=MemoryStore()))
