"""The Live feed: which audit entries it shows, how it counts, and that readers wake when one arrives."""

from __future__ import annotations

import asyncio
import logging

import pytest

from gateway.admin.console.feed import LiveFeed, classify


@pytest.mark.parametrize(("event", "fields", "kind"), [
    ("filter.block", {"findings": {"keyword": 1}}, "block"),
    ("codec.reject", {"error": "JSONDecodeError"}, "block"),
    ("authz.deny", {"rule": "route"}, "deny"),
    ("threat.response", {"actions": ["alert", "ban"]}, "ban"),
    ("threat.response", {"actions": ["quarantine"]}, "quarantine"),
    ("threat.response", {"actions": ["alert", "log"]}, "alert"),
    ("threat.response", {"actions": ["throttle"]}, "throttle"),
])
def test_entries_on_duty_are_classified(event: str, fields: dict[str, object], kind: str) -> None:
    found = classify(event, fields)
    assert found is not None and found[0] == kind


@pytest.mark.parametrize("event", ["auth.login", "filter.modify", "checkpoint", "admin.action"])
def test_routine_entries_are_left_out(event: str) -> None:
    assert classify(event, {}) is None
    assert classify("threat.response", {"actions": ["log"]}) is None


def test_detail_never_carries_message_text() -> None:
    feed = LiveFeed()
    item = feed.add("filter.block", {"findings": {"card": 2}, "route": "chat", "text": "4111 1111 1111 1111"})
    assert item is not None and item.detail == "card x2" and "4111" not in str(item.as_json())


def test_ring_is_bounded_and_filters_by_route_and_kind() -> None:
    feed = LiveFeed(size=5)
    for i in range(8):
        feed.add("filter.block" if i % 2 else "authz.deny", {"route": "a" if i < 4 else "b"})
    assert len(feed.events) == 5 and feed.seq == 8
    assert [e.seq for e in feed.recent()] == [8, 7, 6, 5, 4]
    assert [e.seq for e in feed.recent(route="b", kind="block")] == [8, 6]
    assert [e.seq for e in feed.recent(after=6)] == [8, 7]


def test_alerts_are_counted_per_hour_and_blocks_per_type() -> None:
    feed = LiveFeed()
    feed.add("threat.response", {"actions": ["alert"]}, at=7200.0)
    feed.add("threat.response", {"actions": ["alert", "block"]}, at=7300.0)
    feed.add("filter.block", {"findings": {"keyword": 1, "card": 1}})
    feed.add("inspect.limit", {"limit": "fields"})
    assert dict(feed.hourly(now=7400.0, hours=3)) == {0: 0, 3600: 0, 7200: 2}
    assert feed.blocks_by_type == {"keyword": 1, "card": 1, "inspect.limit": 1}


def test_throttles_are_remembered_until_they_end() -> None:
    feed = LiveFeed()
    feed.add("threat.response", {"actions": ["throttle"], "throttle": {"key": "ip:192.0.2.1", "until": 4e9}})
    assert feed.throttle_until == {"ip:192.0.2.1": 4e9}
    feed.note_throttle("ip:192.0.2.2", 1.0)
    feed.note_throttle("ip:192.0.2.3", 4e9)  # sweeps the one that ended
    assert set(feed.throttle_until) == {"ip:192.0.2.1", "ip:192.0.2.3"}


async def test_a_waiting_reader_wakes_on_a_logged_entry_and_on_close() -> None:
    feed = LiveFeed()
    feed.attach()
    try:
        waiting = asyncio.create_task(feed.wait(0, patience=10))
        await asyncio.sleep(0)
        logging.getLogger("chatguard.audit").info("filter.block", extra={"fields": {
            "event": "filter.block", "route": "chat", "findings": {"keyword": 1}}})
        assert await waiting is True
        assert not await feed.wait(feed.seq, patience=0.01)
    finally:
        feed.detach()
    assert not await feed.wait(feed.seq, patience=10)  # closed: returns at once


def test_seeding_from_the_audit_file_keeps_times_and_skips_the_unreadable() -> None:
    feed = LiveFeed()
    feed.seed([{"seq": 1, "ts": "2026-12-06T10:00:00.000000Z", "event": "filter.block", "route": "chat",
                "findings": {"card": 1}},
               {"seq": 2, "ts": "not a time", "event": "filter.block"},
               {"seq": 3, "ts": "2026-12-06T10:30:00Z", "event": "threat.response", "actions": ["alert"]}])
    assert [(e.kind, e.route) for e in feed.recent()] == [("alert", ""), ("block", "chat")]
    assert feed.recent()[1].at == 1796551200.0
    assert sum(feed.alerts_per_hour.values()) == 1
