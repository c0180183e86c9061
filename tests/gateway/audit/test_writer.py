"""The writer never blocks the caller; a full queue or a failing disk is handled as configured."""

from __future__ import annotations

import asyncio
import errno
import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import orjson
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gateway.audit.chain import AuditChain, ChainError
from gateway.audit.config import AuditSettings
from gateway.audit.entry import Event
from gateway.audit.verify import verify_files
from gateway.audit.writer import AuditWriter
from tests.gateway.audit.conftest import chain_files
from tests.helpers import wait_until

Settings = Callable[..., AuditSettings]


class GatedChain(AuditChain):
    """A sink that stalls (a slow disk) until the test opens the gate."""

    def __init__(self, settings: AuditSettings) -> None:
        super().__init__(settings)
        self.gate = threading.Event()

    def append(self, events: Sequence[Event]) -> int:
        self.gate.wait(timeout=30)
        return super().append(events)


class BrokenChain(AuditChain):
    """A sink that fails like a full disk while `broken` is set."""

    def __init__(self, settings: AuditSettings) -> None:
        super().__init__(settings)
        self.broken = threading.Event()

    def append(self, events: Sequence[Event]) -> int:
        if self.broken.is_set():
            raise OSError(errno.ENOSPC, "No space left on device")
        return super().append(events)


def chained(settings: AuditSettings) -> list[dict[str, object]]:
    return [orjson.loads(line) for path in chain_files(settings) for line in path.read_bytes().splitlines()]


def verified(settings: AuditSettings, key: Ed25519PrivateKey) -> int:
    report = verify_files(chain_files(settings), [key.public_key()])
    assert report.ok, report.problem
    return report.entries


async def test_events_reach_the_file_cleaned_and_signed(make_settings: Settings,
                                                        signing_key: Ed25519PrivateKey) -> None:
    settings = make_settings(fsync=True, checkpoint_every=10)
    writer = AuditWriter(settings)
    await writer.start()
    assert writer.healthy
    for i in range(25):
        assert writer.submit("auth.login_failed", {"subject": f"u{i}", "password": "hunter2", "totp_code": "123456"})
    assert await writer.flush()
    await writer.aclose()
    assert not writer.healthy
    written = chained(settings)
    assert [e["event"] for e in written][:2] == ["audit.start", "auth.login_failed"]
    assert written[-1]["reason"] == "shutdown"
    raw = b"".join(p.read_bytes() for p in chain_files(settings))
    assert b"hunter2" not in raw and b"123456" not in raw
    report = verify_files(chain_files(settings), [signing_key.public_key()])
    assert report.ok and report.unsigned_tail == 0


async def test_nothing_is_accepted_before_start_or_after_close(make_settings: Settings) -> None:
    writer = AuditWriter(make_settings())
    assert not writer.submit("early", {})
    assert not writer.healthy
    await writer.start()
    await writer.aclose()
    await writer.aclose()
    assert not writer.submit("late", {})
    assert await writer.flush()   # nothing pending: answers at once


async def test_slow_sink_full_queue_refuse(make_settings: Settings, signing_key: Ed25519PrivateKey,
                                           caplog: pytest.LogCaptureFixture) -> None:
    settings = make_settings(queue_size=4, on_failure="refuse")
    chain = GatedChain(settings)
    writer = AuditWriter(settings, chain=chain)
    await writer.start()
    await wait_until(lambda: writer.status()["queued"] == 0)   # audit.start is taken and stuck in the sink
    accepted = [writer.submit("filter.block", {"n": i}) for i in range(10)]
    assert accepted == [True] * 4 + [False] * 6
    assert not writer.healthy
    assert writer.status()["dropped"] == 6
    assert any(r.name == "chatguard.alert" and "refused" in r.getMessage() for r in caplog.records)
    chain.gate.set()
    assert await writer.flush()
    assert writer.healthy
    await writer.aclose()
    dropped = [e for e in chained(settings) if e["event"] == "audit.dropped"]
    assert [d["count"] for d in dropped] == [6]
    assert verified(settings, signing_key) == 1 + 4 + 1 + 1


async def test_slow_sink_full_queue_continue(make_settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    settings = make_settings(queue_size=2, on_failure="continue")
    chain = GatedChain(settings)
    writer = AuditWriter(settings, chain=chain)
    await writer.start()
    await wait_until(lambda: writer.status()["queued"] == 0)
    results = [writer.submit("filter.block", {"n": i}) for i in range(5)]
    assert results == [True, True, False, False, False]
    assert writer.healthy
    alerts = [r for r in caplog.records if r.name == "chatguard.alert"]
    assert len(alerts) == 1 and alerts[0].levelno == logging.ERROR and "continuing" in alerts[0].getMessage()
    chain.gate.set()
    await writer.aclose()
    assert [e["count"] for e in chained(settings) if e["event"] == "audit.dropped"] == [3]


async def test_failing_disk_refuses_then_recovers_without_loss(make_settings: Settings,
                                                               signing_key: Ed25519PrivateKey) -> None:
    settings = make_settings(on_failure="refuse")
    chain = BrokenChain(settings)
    writer = AuditWriter(settings, chain=chain)
    await writer.start()
    assert await writer.flush()
    chain.broken.set()
    for i in range(5):
        writer.submit("ban.added", {"subject": f"u{i}"})
    await wait_until(lambda: writer.error is not None)
    assert not writer.healthy and "No space left" in str(writer.status()["error"])
    chain.broken.clear()
    await wait_until(lambda: writer.error is None)
    assert await writer.flush()
    assert writer.healthy
    await writer.aclose()
    bans = [e["subject"] for e in chained(settings) if e["event"] == "ban.added"]
    assert bans == [f"u{i}" for i in range(5)]
    verified(settings, signing_key)


async def test_failing_disk_continue_stays_healthy(make_settings: Settings) -> None:
    settings = make_settings(on_failure="continue")
    chain = BrokenChain(settings)
    writer = AuditWriter(settings, chain=chain)
    chain.broken.set()
    await writer.start()
    await wait_until(lambda: writer.error is not None)
    assert writer.healthy
    chain.broken.clear()
    await writer.aclose()


async def test_submit_from_other_threads(make_settings: Settings, signing_key: Ed25519PrivateKey) -> None:
    settings = make_settings()
    writer = AuditWriter(settings)
    await writer.start()

    def burst(tag: str) -> None:
        for i in range(50):
            writer.submit("admin.action", {"by": tag, "n": i})

    await asyncio.gather(*(asyncio.to_thread(burst, f"t{n}") for n in range(3)))
    assert await writer.flush()
    await writer.aclose()
    assert sum(1 for e in chained(settings) if e["event"] == "admin.action") == 150
    verified(settings, signing_key)


async def test_restart_continues_the_chain(make_settings: Settings, signing_key: Ed25519PrivateKey) -> None:
    settings = make_settings()
    for run in range(2):
        writer = AuditWriter(settings)
        await writer.start()
        writer.submit("config.reload", {"run": run})
        await writer.aclose()
    starts = [e for e in chained(settings) if e["event"] == "audit.start"]
    assert "resumed_seq" not in starts[0] and starts[1]["resumed_seq"] == 3
    assert verified(settings, signing_key) == 6


async def test_start_fails_closed_without_a_directory(make_settings: Settings, tmp_path: Path) -> None:
    writer = AuditWriter(make_settings(path=str(tmp_path / "missing" / "audit.jsonl")))
    with pytest.raises(ChainError, match="does not exist"):
        await writer.start()
