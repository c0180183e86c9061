"""One transcript record: what the sink takes from the request path.

Built right after a message's enforcement is decided, before it is forwarded: the text
is the masked text that goes to the backend (or client); `original` is set only when the
route's policy is `store: full`; a blocked message carries no text at all. Finding types
are names only, never the values found.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Literal

Verdict = Literal["pass", "modify", "block"]


def new_id() -> str:
    """Random, sortable enough for humans: time prefix (hex ms) + 64 random bits."""
    return f"{int(time.time() * 1000):012x}{os.urandom(8).hex()}"


@dataclass(frozen=True, slots=True)
class TranscriptRecord:
    conversation: str
    route: str
    direction: str                 # inbound | outbound
    channel: str                   # http | ws
    subject: str
    roles: tuple[str, ...]
    verdict: Verdict
    findings: tuple[str, ...] = ()         # finding types, sorted, no values
    masked_types: tuple[str, ...] = ()     # types whose values the masked text replaced
    text: str | None = None                # as forwarded (masked); None when blocked
    original: str | None = None            # before masking; only under `store: full`
    path: str = ""                         # where in the payload (JSON pointer, form key ...)
    request_id: str = ""
    ts: float = field(default_factory=time.time)
    id: str = field(default_factory=new_id)

    @property
    def mode(self) -> str:
        return "full" if self.original is not None else "masked"


def conversation_of(conversation: str, subject: str) -> str:
    """A message outside any room belongs to its sender's own thread (so erasure by subject finds it)."""
    return conversation or f"@{subject}"
