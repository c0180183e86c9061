"""The console's reads of the audit trail: bounded queries through `gateway.audit.reader`, off the loop."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from gateway.audit import reader


async def audit_entries(path: str, event: str | None, limit: int,
                        subject: str | None = None) -> list[dict[str, Any]]:
    """The newest `limit` entries (oldest first) whose event starts with `event`; none without an audit file."""
    if not path:
        return []
    return await asyncio.to_thread(reader.query, Path(path), event, subject, limit)
