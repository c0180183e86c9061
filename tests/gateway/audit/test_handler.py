"""Records of the real `chatguard.audit` logger become chain entries, without changing call sites."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from types import SimpleNamespace

import orjson
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from filters import Direction
from gateway.audit.config import AuditSettings
from gateway.audit.handler import AUDIT_LOGGER, AuditLogHandler, install_handler, remove_handler
from gateway.audit.record import write_audit
from gateway.audit.verify import verify_files
from gateway.audit.writer import AuditWriter
from gateway.enforce.decide import decide
from tests.gateway.audit.conftest import chain_files

audit_log = logging.getLogger(AUDIT_LOGGER)


@pytest.fixture
async def started(make_settings: Callable[..., AuditSettings]) -> AsyncIterator[AuditWriter]:
    writer = AuditWriter(make_settings())
    await writer.start()
    handler = install_handler(writer)
    yield writer
    remove_handler(handler)
    await writer.aclose()


def entries(writer: AuditWriter) -> list[dict[str, object]]:
    return [orjson.loads(line) for p in chain_files(writer.settings) for line in p.read_bytes().splitlines()]


def exchange() -> SimpleNamespace:
    """Just the attributes `decide` reads from a WebSocket exchange for a message it cannot parse."""
    route = SimpleNamespace(websocket=SimpleNamespace(on_parse_error="close_1003"))
    return SimpleNamespace(request_id="req-1", plan=SimpleNamespace(name="widget", settings=route),
                           client="198.51.100.4", principal=SimpleNamespace(subject="alice"), websocket=True)


async def test_enforce_events_reach_the_chain(started: AuditWriter, signing_key: Ed25519PrivateKey) -> None:
    write_audit(decide(exchange(), Direction.INBOUND, ValueError("bad frame")).audit)  # type: ignore[arg-type]
    assert await started.flush()
    entry = entries(started)[-1]
    assert entry["event"] == "codec.reject"
    assert {k: entry[k] for k in ("request_id", "route", "client", "subject", "channel", "error")} == {
        "request_id": "req-1", "route": "widget", "client": "198.51.100.4", "subject": "alice",
        "channel": "ws", "error": "ValueError"}
    assert "event_" not in entry
    assert verify_files(chain_files(started.settings), [signing_key.public_key()]).ok


async def test_raw_values_logged_by_mistake_are_dropped(started: AuditWriter) -> None:
    audit_log.info("filter.block", extra={"fields": {"event": "filter.block", "text": "card 4111111111111111",
                                                     "findings": {"card": 1}}})
    assert await started.flush()
    entry = entries(started)[-1]
    assert entry["findings"] == {"card": 1} and entry["redacted"] == ["text"]
    assert b"4111111111111111" not in b"".join(p.read_bytes() for p in chain_files(started.settings))


async def test_flat_extras_become_fields(started: AuditWriter) -> None:
    """Call sites that pass `extra={"event": ..., ...}` keep their event name and fields."""
    audit_log.warning("login failed", extra={"event": "auth.login_failed", "user": "bob", "client": "192.0.2.9",
                                             "password": "hunter2"})
    assert await started.flush()
    entry = entries(started)[-1]
    assert (entry["event"], entry["user"], entry["client"]) == ("auth.login_failed", "bob", "192.0.2.9")
    assert entry["redacted"] == ["password"] and "msg" not in entry and "levelname" not in entry


async def test_plain_records_and_levels(started: AuditWriter) -> None:
    audit_log.warning("config.reload failed for %s", "routes")
    assert await started.flush()
    entry = entries(started)[-1]
    assert (entry["event"], entry["level"]) == ("config.reload failed for routes", "warning")


async def test_quiet_root_logger_does_not_silence_the_audit(started: AuditWriter) -> None:
    root = logging.getLogger()
    before = root.level
    root.setLevel(logging.ERROR)
    try:
        audit_log.info("admin.ban_lifted", extra={"fields": {"subject": "bob"}})
    finally:
        root.setLevel(before)
    assert await started.flush()
    assert entries(started)[-1]["event"] == "admin.ban_lifted"


async def test_removal_restores_the_logger(make_settings: Callable[..., AuditSettings]) -> None:
    writer = AuditWriter(make_settings())
    before = audit_log.level
    handler = install_handler(writer)
    assert audit_log.level == logging.INFO and handler in audit_log.handlers
    remove_handler(handler)
    assert audit_log.level == before and handler not in audit_log.handlers


def test_a_stopped_writer_never_raises_into_the_caller(make_settings: Callable[..., AuditSettings]) -> None:
    handler = AuditLogHandler(AuditWriter(make_settings()))
    record = logging.LogRecord(AUDIT_LOGGER, logging.INFO, __file__, 1, "auth.login", None, None)
    handler.emit(record)
    assert handler.writer.status()["dropped"] == 1
