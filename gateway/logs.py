"""Structured JSON logs. Records carry ids and names, never bodies, tokens or secrets."""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

import orjson

_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None)).keys()) | {"message", "asctime"}


def _timestamp(record: logging.LogRecord) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z"


def record_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The structured fields of a record: `extra=` keys and a `fields` mapping, plus the exception's type."""
    entry: dict[str, Any] = {}
    fields = getattr(record, "fields", None)
    if isinstance(fields, dict):
        entry.update(fields)
    for key, value in record.__dict__.items():
        if key not in _STANDARD and key != "fields":
            entry[key] = value
    if record.exc_info and record.exc_info[0] is not None:
        entry["exception"] = record.exc_info[0].__name__
    return entry


class JSONFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the record's extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {"ts": _timestamp(record), "level": record.levelname.lower(),
                                 "logger": record.name, "msg": record.getMessage()}
        entry.update(record_fields(record))
        return orjson.dumps(entry, default=str).decode()


class TextFormatter(logging.Formatter):
    """One line for people: time, level, logger, message, then every field as `key=value`.

    Values with spaces, quotes, `=` or control characters are JSON-quoted, so a line still splits
    unambiguously and a value cannot forge a second line."""

    def format(self, record: logging.LogRecord) -> str:
        head = f"{_timestamp(record)} {record.levelname.lower():<7} {record.name}: {record.getMessage()}"
        pairs = " ".join(f"{key}={_text_value(value)}" for key, value in record_fields(record).items())
        return f"{head} {pairs}" if pairs else head


def _text_value(value: Any) -> str:
    text = value if isinstance(value, str) else orjson.dumps(value, default=str).decode()
    if not text or any(c in text for c in ' "=\\') or not text.isprintable():
        return orjson.dumps(text).decode()
    return text


def configure(level: str = "info", fmt: str = "json") -> None:
    """Install one stderr handler on the root logger (idempotent across reloads)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_chatguard", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._chatguard = True  # type: ignore[attr-defined]
    if fmt == "json":
        handler.setFormatter(JSONFormatter())
    else:
        handler.setFormatter(TextFormatter())
    root.addHandler(handler)
    root.setLevel(level.upper())
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
