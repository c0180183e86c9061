"""State events: the wire format, in-process delivery, and Redis pub/sub between two stores (two gateway
processes) including a subscription that survives a Redis restart and reports the gap."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from gateway.state import MemoryStore, RedisStore, StateStore
from gateway.state.events import StateEvent
from tests.gateway.state._redis import store, unique_prefix
from tests.gateway.state.servers import RedisServer, redis_process  # noqa: F401 (fixture)
from tests.helpers import until


class Heard:
    """What a listener heard: events, and how many gaps it was told about."""

    def __init__(self) -> None:
        self.events: list[StateEvent] = []
        self.gaps = 0

    def on_event(self, event: StateEvent) -> None:
        self.events.append(event)

    async def on_gap(self) -> None:
        self.gaps += 1


@contextlib.asynccontextmanager
async def listening(source: StateStore) -> AsyncIterator[Heard]:
    heard = Heard()
    task = asyncio.get_running_loop().create_task(source.listen(heard.on_event, heard.on_gap))
    try:
        yield heard
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def subscribed(publisher: StateStore, heard: Heard) -> None:
    """Publish probes until the listener hears one: it is subscribed from then on."""
    probe = StateEvent("revoke_session", "probe")

    async def hears() -> None:
        while probe not in heard.events:
            await publisher.publish(probe)
            await asyncio.sleep(0.05)

    await asyncio.wait_for(hears(), 30)
    heard.events.clear()


@pytest.mark.parametrize("event", [StateEvent("ban", "ip:192.0.2.1", 1.5e9), StateEvent("revoke_session", "s1"),
                                   StateEvent("revoke_subject", "ann")])
def test_events_round_trip(event: StateEvent) -> None:
    assert StateEvent.decode(event.encode()) == event


@pytest.mark.parametrize("raw", [b"", b"not json", b"[]", b'{"kind": "ban"}', b'{"kind": "nuke", "key": "x"}',
                                 b'{"kind": "ban", "key": ""}', b'{"kind": "ban", "key": 7}',
                                 b'{"kind": "ban", "key": "k", "until": "soon"}',
                                 b'{"kind": "ban", "key": "' + b"k" * 5000 + b'"}'])
def test_anything_malformed_on_the_channel_is_ignored(raw: bytes) -> None:
    assert StateEvent.decode(raw) is None


async def test_memory_store_tells_its_own_process_about_bans_and_publications() -> None:
    memory = MemoryStore()
    async with listening(memory) as heard:
        await asyncio.sleep(0)  # the listener registers
        ban = await memory.ban("ip:192.0.2.7", 60, "flood")
        await memory.publish(StateEvent("revoke_subject", "ann"))
        await until(lambda: len(heard.events) == 2, "two events")
    assert heard.events == [StateEvent("ban", "ip:192.0.2.7", ban.until), StateEvent("revoke_subject", "ann")]


async def test_a_ban_on_one_redis_store_is_heard_by_another_sharing_the_prefix(prefix: str, raw: Any) -> None:
    one, two, other = store(prefix), store(prefix), store(unique_prefix())
    try:
        async with listening(two) as heard, listening(other) as elsewhere:
            await subscribed(one, heard)
            await subscribed(other, elsewhere)
            ban = await one.ban("subject:mallory", 30, "abuse")
            await until(lambda: bool(heard.events), "the ban event")
            assert heard.events == [StateEvent("ban", "subject:mallory", pytest.approx(ban.until))]
            await one.ban("subject:mallory", 5, "shorter")  # changes nothing, so nothing is published
            await one.publish(StateEvent("revoke_session", "sid-9"))
            await until(lambda: len(heard.events) == 2, "the revocation")
            assert heard.events[1] == StateEvent("revoke_session", "sid-9")
            assert elsewhere.events == []  # another deployment's prefix hears nothing
            assert await one.get_many([]) == []
    finally:
        for each in (one, two, other):
            await each.aclose()


async def test_the_subscription_survives_a_redis_restart_and_reports_the_gap(
        redis_process: RedisServer) -> None:  # noqa: F811
    prefix = unique_prefix()
    listener, publisher = store(prefix, url=redis_process.url), store(prefix, url=redis_process.url)
    try:
        async with listening(listener) as heard:
            await subscribed(publisher, heard)
            redis_process.stop()
            await asyncio.sleep(1.5)  # the subscriber notices and retries meanwhile
            redis_process.start()
            assert heard.gaps == 1  # the first subscription: nothing before it was heard
            await until(lambda: heard.gaps >= 2, "the gap to be reported", within=60)
            await subscribed(publisher, heard)
            await publisher.ban("ip:203.0.113.9", 30)
            await until(lambda: any(e.key == "ip:203.0.113.9" for e in heard.events), "a ban after the restart")
    finally:
        await listener.aclose()
        await publisher.aclose()


async def test_get_many_reads_values_in_order(prefix: str, raw: Any) -> None:
    shared: RedisStore = store(prefix)
    memory = MemoryStore()
    try:
        for each in (shared, memory):
            await each.put("a", b"1", 30)
            await each.put("c", b"3", 30)
            assert await each.get_many(["a", "b", "c"]) == [b"1", None, b"3"]
    finally:
        await shared.aclose()
