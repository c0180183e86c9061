"""An audit entry as a value: decisions return it, and it is written once the decision is applied.

Both call styles of the `chatguard.audit` logger are kept (see `gateway.audit.handler`): fields
under `extra={"fields": ...}` (filter and codec events), or flat extras (access decisions), so
the log lines and chain entries look exactly as they did when call sites logged directly.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

AUDIT = logging.getLogger("chatguard.audit")


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One entry for the audit trail: the log message, its fields and level."""

    message: str
    fields: Mapping[str, object]
    level: int = logging.INFO
    flat: bool = False  # fields as the log record's own attributes instead of under `fields`


def write_audit(records: Iterable[AuditRecord]) -> None:
    for entry in records:
        extra = dict(entry.fields) if entry.flat else {"fields": dict(entry.fields)}
        AUDIT.log(entry.level, entry.message, extra=extra)
