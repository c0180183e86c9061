"""What one message means on the wire, as a value: `decide` returns it, the proxies apply it.

One `Enforcement` per message, for HTTP and WebSocket alike: forward the payload, refuse with a
status and JSON body (HTTP), drop, reply with a frame, or close each side with a code and reason
(WebSocket); plus the audit entries to write and, when the filters' score or hints call for them,
the countermeasures to run first (`Countermeasure`: they need the state store, so they are async;
`gateway.enforce.settle` runs them and maps their outcome, purely, onto the final `Enforcement`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from filters import Hints
from gateway.access.rbac.policy import Decision
from gateway.audit.record import AuditRecord
from gateway.edge.errors import HttpAnswer
from gateway.enforce.countermeasures import Offender
from gateway.enforce.settings import ResponseSettings

__all__ = ["AccessCheck", "Close", "Countermeasure", "Enforcement", "Wire"]


class Wire(enum.Enum):
    """What happens to the message."""

    FORWARD = "forward"  # send `payload` on (for an access check: go on to inspection)
    REFUSE = "refuse"    # HTTP: not forwarded; the sender gets `answer`
    DROP = "drop"        # WebSocket: not forwarded; the sender is not told
    REPLY = "reply"      # WebSocket: not forwarded; the sender gets the text frame `reply`
    CLOSE = "close"      # WebSocket: the connection ends: `to_client` and `to_upstream`


@dataclass(frozen=True, slots=True)
class Close:
    code: int
    reason: str


@dataclass(frozen=True, slots=True)
class AccessCheck:
    """A per-message access decision (a Socket.IO event, a DDP method) as input to `decide`."""

    decision: Decision
    kind: str         # socketio | ddp
    name: str


@dataclass(frozen=True, slots=True)
class Countermeasure:
    """Bans, throttles, step-up, quarantine and alerts to run before the message is answered.

    `if_answered` is the audit when a countermeasure answers the sender instead of the chain's
    decision; `if_store_down` when the state store cannot run them (the message is refused).
    """

    offender: Offender
    score: float
    hints: Hints
    reasons: tuple[str, ...]
    payload: bytes | str  # the message as sent (held for review on quarantine)
    settings: ResponseSettings | None  # the route's own bands; None: the app's
    if_answered: tuple[AuditRecord, ...] = ()
    if_store_down: tuple[AuditRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class Enforcement:
    """One message's fate on the wire; see `Wire` for which fields each action uses."""

    wire: Wire
    payload: bytes = b""
    answer: HttpAnswer | None = None
    reply: str | None = None
    to_client: Close | None = None
    to_upstream: Close | None = None
    countermeasure: Countermeasure | None = None
    audit: tuple[AuditRecord, ...] = ()

    @property
    def forwards(self) -> bool:
        return self.wire is Wire.FORWARD
