"""Open WebSockets follow what happens after their upgrade: bans, ended sessions, expired credentials.

A socket is checked once, when it opens (shield, authentication). Afterwards, in each process:
- a state event (`gateway.state.events`: a ban, a logout, a revoked user, published by whichever
  gateway instance recorded it) closes the matching sockets at once: 1008 "banned" or "session
  ended" to the client, 1001 to the upstream;
- one sweep every 2 s closes sockets whose credentials expired (no store call) and asks once, for
  all open sockets together, which of their sessions ended: one batched check instead of a store
  read per socket. It catches what no event announced (`chatguard user disable` writes only the
  user database) and events missed while the subscription was down;
- after the subscription reconnects, the open sockets are checked against every ban in force.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Collection, Coroutine
from typing import Any, Protocol

from aiohttp import web

from gateway.proxy.connections import Closable, Connections
from gateway.state import StateStore, StateUnavailable
from gateway.state.events import StateEvent

log = logging.getLogger("chatguard.ws")

SWEEP_EVERY = 2.0  # seconds: how soon expired credentials (and unannounced revocations) close sockets
LISTEN_WITHIN = 2.0  # seconds start-up waits for the event subscription (a Redis outage must not stop it)


class SessionOracle(Protocol):
    async def revoked_among(self, sessions: Collection[str]) -> set[str]:
        """Which of `sessions` ended (logout, reuse, admin action, unknown): one batched check."""
        ...


class LiveChecks:
    """Applies events, sweeps and resyncs to one app's open WebSockets."""

    def __init__(self, registry: Connections, store: StateStore, oracle: SessionOracle | None,
                 every: float = SWEEP_EVERY, clock: Callable[[], float] = time.time) -> None:
        self.registry = registry
        self.store = store
        self.oracle = oracle
        self.every = every
        self._clock = clock
        self._closing: set[asyncio.Task[None]] = set()
        self.listening = asyncio.Event()

    # -- what ends a socket ------------------------------------------------------------------------

    def on_event(self, event: StateEvent) -> None:
        if event.kind == "ban":
            for bridge in self.registry.banned(event.key):
                self._end(bridge, bridge.end_banned())
        elif event.kind == "revoke_session":
            for bridge in self.registry.of_session(event.key):
                self._end(bridge, bridge.end_session())
        elif event.kind == "revoke_subject":
            for bridge in list(self.registry.live):
                if bridge.session[0] is not None and bridge.subject == event.key:
                    self._end(bridge, bridge.end_session())

    async def resync(self) -> None:
        """The subscription (re)started and events may have been missed: check every open socket
        against the bans in force now, and their sessions."""
        self.listening.set()
        if not self.registry.live:
            return
        try:
            bans = await self.store.bans()
        except StateUnavailable:
            log.warning("ban check of open websockets skipped: state store unavailable")
            return
        for ban in bans:
            for bridge in self.registry.banned(ban.key):
                self._end(bridge, bridge.end_banned())
        await self.sweep()

    async def sweep(self) -> None:
        """Expired credentials (checked here) and ended sessions (one batched question to the oracle)."""
        now = self._clock()
        sessions: dict[str, list[Closable]] = {}
        for bridge in list(self.registry.live):
            session, expires = bridge.session
            if expires is not None and expires <= now:
                self._end(bridge, bridge.end_session())
            elif session is not None:
                sessions.setdefault(session, []).append(bridge)
        if not sessions or self.oracle is None:
            return
        try:
            ended = await self.oracle.revoked_among(sessions.keys())
        except Exception:  # the store or database is down: keep checking, never kill the sweeper
            log.warning("session check of open websockets failed", exc_info=True)
            return
        for session in ended:
            for bridge in sessions.get(session, ()):
                self._end(bridge, bridge.end_session())

    def _end(self, bridge: Closable, closing: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(closing, name="chatguard-ws-policy-close")
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    # -- running ---------------------------------------------------------------------------------

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            await self.sweep()

    def context(self) -> Callable[[web.Application], AsyncIterator[None]]:
        """A cleanup context: the event subscription and the sweeper, for the app's lifetime."""

        async def run(app: web.Application) -> AsyncIterator[None]:
            loop = asyncio.get_running_loop()
            tasks = [loop.create_task(self.store.listen(self.on_event, self.resync), name="chatguard-state-events"),
                     loop.create_task(self._sweep_forever(), name="chatguard-ws-session-sweeper")]
            with contextlib.suppress(TimeoutError):  # serve without it rather than not at all; it keeps trying
                await asyncio.wait_for(self.listening.wait(), LISTEN_WITHIN)
            yield
            for task in (*tasks, *self._closing):
                task.cancel()
            for task in (*tasks, *list(self._closing)):
                with contextlib.suppress(asyncio.CancelledError):
                    await task

        return run
