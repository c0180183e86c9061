"""Bridge from the `chatguard.audit` logger to the audit writer.

Call sites keep logging as they do, either `audit.info(kind, extra={"fields": {...}})`
or with flat extras (`extra={"event": ..., "subject": ...}`); this handler turns each
record into a chain entry with both kinds of fields. The logger's level is pinned to
INFO while installed, so turning general log verbosity down never silences the audit.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from gateway.audit.entry import iso
from gateway.audit.writer import AuditWriter

AUDIT_LOGGER = "chatguard.audit"
# Attributes every LogRecord has; anything else on a record came from the caller's `extra`.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "fields"}


def record_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The caller's fields: flat extras first, then a `fields` mapping (which wins on a clash)."""
    fields = {k: v for k, v in vars(record).items() if k not in _STANDARD}
    raw = getattr(record, "fields", None)
    if isinstance(raw, dict):
        fields.update(raw)
    return fields


class AuditLogHandler(logging.Handler):
    """Hands audit log records to the writer; never raises into the caller."""

    def __init__(self, writer: AuditWriter) -> None:
        super().__init__(level=logging.INFO)
        self.writer = writer
        self.previous_level = logging.NOTSET

    def emit(self, record: logging.LogRecord) -> None:
        try:
            fields = record_fields(record)
            event = str(fields.pop("event", None) or record.getMessage())
            if record.levelno >= logging.WARNING:
                fields.setdefault("level", record.levelname.lower())
            ts = iso(datetime.fromtimestamp(record.created, UTC))
            self.writer.submit(event, fields, ts=ts)
        except Exception:
            self.handleError(record)


def install_handler(writer: AuditWriter, logger: logging.Logger | None = None) -> AuditLogHandler:
    """Attach a handler for `writer` to the audit logger; undo with `remove_handler`."""
    target = logger or logging.getLogger(AUDIT_LOGGER)
    handler = AuditLogHandler(writer)
    handler.previous_level = target.level
    target.addHandler(handler)
    if target.getEffectiveLevel() > logging.INFO or target.level == logging.NOTSET:
        target.setLevel(logging.INFO)
    return handler


def remove_handler(handler: AuditLogHandler, logger: logging.Logger | None = None) -> None:
    target = logger or logging.getLogger(AUDIT_LOGGER)
    target.removeHandler(handler)
    target.setLevel(handler.previous_level)
