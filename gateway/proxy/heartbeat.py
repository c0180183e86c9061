"""The WebSocket heartbeat, pushed back by incoming data without a callback per message.

aiohttp answers every chunk a socket receives by scheduling a callback on the event loop that re-arms
the heartbeat timer (`_on_data_received` -> `_flush_heartbeat_reset`): on a relayed chat socket that
is a loop callback, a timer computation and several method calls per message on each hop, about a
fifth of what a pass-through WebSocket round trip costs the gateway. Here, while the timer is armed
and no ping awaits its pong, a message only moves the time the next ping is due (`_heartbeat_when`);
aiohttp's own timer, when it fires before that time, waits until then (its `_send_heartbeat`). So a
ping still goes `heartbeat` seconds after the last data, and a silent peer is still closed after the
pong wait; after a ping, or while one waits, aiohttp's own reset runs as before.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

__all__ = ["ClientSocket", "QuietHeartbeat"]


class QuietHeartbeat:
    """Mixed into aiohttp's WebSocket classes (before them): `_on_data_received` as described above."""

    _heartbeat: float | None
    _heartbeat_cb: asyncio.TimerHandle | None
    _pong_response_cb: asyncio.TimerHandle | None
    _need_heartbeat_reset: bool
    _heartbeat_when: float
    _loop: Any

    def _on_data_received(self) -> None:
        heartbeat = self._heartbeat
        if heartbeat is None or self._heartbeat_cb is None or self._pong_response_cb is not None \
                or self._need_heartbeat_reset:
            super()._on_data_received()  # type: ignore[misc]  # aiohttp's, after a ping or while one waits
            return
        self._heartbeat_when = self._loop.time() + heartbeat


class ClientSocket(QuietHeartbeat, web.WebSocketResponse):
    """The client's side of a relayed WebSocket."""


