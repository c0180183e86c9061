"""Events every gateway process sharing a state store hears: bans and ended sessions.

Open WebSockets were checked when they opened; these events let a ban or a logout made anywhere
close them at once (`gateway.proxy.enforcement`). The Redis store publishes on the channel
`<prefix>events` (a ban in the same script that records it); the memory store delivers in process.
Whatever was published before a listener subscribed, or while its subscription was down, it did
not hear: it is told each time its subscription starts (`on_gap`) and rechecks.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

import orjson

log = logging.getLogger("chatguard.state")

EventKind = Literal["ban", "unban", "revoke_session", "revoke_subject"]
KINDS: frozenset[str] = frozenset({"ban", "unban", "revoke_session", "revoke_subject"})
MAX_EVENT = 4096  # bytes; anything longer on the channel is not ours

type EventHandler = Callable[[StateEvent], None]
type GapHandler = Callable[[], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class StateEvent:
    """`ban`/`unban`: key is a ban key (`ip:...`, `subject:...`, `pair:...`); `revoke_session`: a session
    id; `revoke_subject`: a user whose every session ended. `until`: the ban's end (epoch seconds)."""

    kind: EventKind
    key: str
    until: float = 0.0

    def encode(self) -> bytes:
        return orjson.dumps({"kind": self.kind, "key": self.key, "until": self.until})

    @classmethod
    def decode(cls, raw: bytes) -> StateEvent | None:
        """The event in `raw`, or None for anything malformed (logged by the caller, never raised)."""
        if len(raw) > MAX_EVENT:
            return None
        try:
            data = orjson.loads(raw)
            kind, key, until = data["kind"], data["key"], float(data.get("until", 0.0))
        except (ValueError, TypeError, KeyError, AttributeError):
            return None
        if kind not in KINDS or not isinstance(key, str) or not key:
            return None
        return cls(kind, key, until)


class LocalBus:
    """In-process delivery: the memory store's events, heard by this process only. Handlers run from
    the event loop, never inside the operation that published (a ban raised by a frame's own relay
    must not close that relay from under it)."""

    def __init__(self) -> None:
        self._handlers: list[EventHandler] = []

    def publish(self, event: StateEvent) -> None:
        if not self._handlers:
            return
        loop = asyncio.get_running_loop()
        for handler in list(self._handlers):
            loop.call_soon(_deliver, handler, event)

    async def listen(self, on_event: EventHandler, on_gap: GapHandler) -> None:
        """Deliver events to `on_event` until cancelled (`on_gap` once, when listening starts)."""
        self._handlers.append(on_event)
        try:
            await on_gap()
            await asyncio.get_running_loop().create_future()
        finally:
            self._handlers.remove(on_event)


def _deliver(handler: EventHandler, event: StateEvent) -> None:
    try:
        handler(event)
    except Exception:  # one bad handler must not stop the others hearing events
        log.exception("state event handler failed", extra={"kind": event.kind})
