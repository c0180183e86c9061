"""The sink: never waits, fills up when the store cannot keep up, and says so."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from gateway.database import Database, DatabaseError
from gateway.transcripts.metrics import TranscriptMetrics
from gateway.transcripts.record import TranscriptRecord
from gateway.transcripts.schema import MESSAGES
from gateway.transcripts.sink import TranscriptSink
from gateway.transcripts.store import TranscriptStore
from tests.gateway.transcripts.conftest import record


class GatedStore(TranscriptStore):
    """The real store behind a gate the test opens: a store as slow as the test wants."""

    def __init__(self, inner: TranscriptStore) -> None:
        super().__init__(inner.db, inner.keys)
        self.gate = asyncio.Event()
        self.fail = False
        self.failed = asyncio.Event()

    async def write(self, records: Sequence[TranscriptRecord]) -> None:
        await self.gate.wait()
        if self.fail:
            self.failed.set()
            raise DatabaseError("store down")
        await super().write(records)


def value(metrics: TranscriptMetrics, name: str, route: str | None = None) -> float:
    metric = getattr(metrics, name)
    return float((metric.labels(route) if route else metric)._value.get())


async def test_records_reach_the_store_in_batches(store: TranscriptStore, database: Database) -> None:
    sink = TranscriptSink(store, queue=100, batch=7)
    await sink.start()
    for i in range(20):
        assert sink.offer([record(f"m{i}")], "send", "drop")
    assert await sink.flush()
    await sink.aclose()
    assert await database.fetchval(f"SELECT COUNT(*) FROM {MESSAGES}") == 20  # noqa: S608
    assert value(sink.metrics, "written") == 20 and value(sink.metrics, "depth") == 0


async def test_a_full_queue_drops_or_refuses_whole_payloads_and_counts_them(store: TranscriptStore,
                                                                            database: Database) -> None:
    slow = GatedStore(store)
    sink = TranscriptSink(slow, queue=3, batch=10)
    await sink.start()
    assert sink.offer([record("a"), record("b")], "send", "drop")
    assert not sink.offer([record("c"), record("d")], "send", "drop")   # would pass the limit: none of it
    assert not sink.offer([record("e"), record("f")], "phi", "refuse")
    assert sink.offer([record("g")], "send", "drop")
    assert value(sink.metrics, "dropped", "send") == 2 and value(sink.metrics, "refused", "phi") == 2
    assert sink.depth == 3 and value(sink.metrics, "depth") == 3
    slow.gate.set()
    assert await sink.flush()
    await sink.aclose()
    assert await database.fetchval(f"SELECT COUNT(*) FROM {MESSAGES}") == 3  # noqa: S608


async def test_store_failures_keep_records_and_retry(store: TranscriptStore, database: Database) -> None:
    failing = GatedStore(store)
    failing.fail = True
    failing.gate.set()
    sink = TranscriptSink(failing, queue=10)
    await sink.start()
    assert sink.offer([record("kept")], "send", "drop")
    await failing.failed.wait()
    await asyncio.sleep(0)   # the sink notes the failure right after the store raised
    assert sink.error is not None and "store down" in sink.error and value(sink.metrics, "failures") >= 1
    failing.fail = False
    assert await sink.flush()
    assert sink.error is None
    await sink.aclose()
    assert await database.fetchval(f"SELECT COUNT(*) FROM {MESSAGES}") == 1  # noqa: S608


async def test_offer_never_waits_for_a_stuck_store(store: TranscriptStore) -> None:
    """`offer` is a plain function (it cannot await the store); a stuck store only fills the queue."""
    stuck = GatedStore(store)
    sink = TranscriptSink(stuck, queue=1000)
    await sink.start()
    accepted = sum(sink.offer([record(f"m{i}")], "send", "drop") for i in range(2000))
    assert accepted == 1000
    await sink.aclose(within=0.1)
    assert value(sink.metrics, "dropped", "send") == 1000 + 1000


class CountingStore(TranscriptStore):
    """The real store, counting its transactions."""

    def __init__(self, inner: TranscriptStore) -> None:
        super().__init__(inner.db, inner.keys)
        self.batches: list[int] = []

    async def write(self, records: Sequence[TranscriptRecord]) -> None:
        self.batches.append(len(records))
        await super().write(records)


async def test_messages_arriving_together_share_one_transaction(store: TranscriptStore, database: Database) -> None:
    counting = CountingStore(store)
    sink = TranscriptSink(counting, queue=100, batch=50, linger=0.2)
    await sink.start()
    for i in range(10):  # one by one, as requests arrive
        assert sink.offer([record(f"m{i}")], "send", "drop")
        await asyncio.sleep(0)
    assert await sink.flush()
    await sink.aclose()
    assert counting.batches == [10]
    assert await database.fetchval(f"SELECT COUNT(*) FROM {MESSAGES}") == 10  # noqa: S608
