"""One subscription per process to the Redis store's event channel, kept alive through outages.

Pub/sub delivers to whoever is connected when a message is published, nothing is kept: each time the
subscription starts, and after any reconnect (ours after an error, or redis-py's own), the listener is
told (`on_gap`) so it can check what it may have missed. A connection that dies without a FIN is found by a PING every 10 s of
silence whose PONG must come back within the store's timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster
from redis.exceptions import RedisClusterException, RedisError

from gateway.state.events import EventHandler, GapHandler, StateEvent

log = logging.getLogger("chatguard.state")

POLL = 1.0            # seconds per read; a cancelled listener stops within it
PING_AFTER = 10.0     # seconds of silence before the connection is probed
FIRST_RETRY, MAX_RETRY = 0.5, 10.0
_FAILURES = (RedisError, RedisClusterException, OSError, TimeoutError, ConnectionError)


class _Connects:
    """Counts (re)connections of the subscription's connection (redis-py calls a method, weakly held)."""

    def __init__(self) -> None:
        self.count = 0

    def connected(self, connection: Any) -> None:
        self.count += 1


async def listen(client: Redis | RedisCluster, channel: str, on_event: EventHandler, on_gap: GapHandler,
                 answer_within: float, where: str) -> None:
    """Deliver the channel's events to `on_event` until cancelled; `await on_gap()` each time the
    subscription starts (the first time too: nothing published before it was heard)."""
    delay = FIRST_RETRY
    down = False
    while True:
        pubsub = client.pubsub()
        try:
            async with asyncio.timeout(answer_within):
                await pubsub.subscribe(channel)
            connects = _Connects()
            connection = getattr(pubsub, "connection", None)
            if connection is not None and hasattr(connection, "register_connect_callback"):
                connection.register_connect_callback(connects.connected)
            if down:
                log.info("state events heard again", extra={"store": where})
                down = False
            await on_gap()
            delay = FIRST_RETRY
            await _pump(pubsub, on_event, on_gap, connects, answer_within)
        except _FAILURES as exc:
            if not down:
                log.warning("state events unavailable; resubscribing", extra={"store": where,
                                                                             "error": type(exc).__name__})
                down = True
            await asyncio.sleep(delay)
            delay = min(MAX_RETRY, delay * 2)
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()


async def _pump(pubsub: Any, on_event: EventHandler, on_gap: GapHandler, connects: _Connects,
                answer_within: float) -> None:
    loop = asyncio.get_running_loop()
    heard, pinged = loop.time(), None
    seen_connects = connects.count
    while True:
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=POLL)
        if connects.count != seen_connects:  # redis-py reconnected and resubscribed on its own
            seen_connects = connects.count
            await on_gap()
        now = loop.time()
        if message is None:
            if pinged is not None and now - pinged > answer_within:
                raise TimeoutError("no answer to PING on the event subscription")
            if pinged is None and now - heard > PING_AFTER:
                await pubsub.ping()
                pinged = now
            continue
        heard, pinged = now, None
        if message.get("type") != "message":
            continue  # a pong, or a subscribe confirmation
        data = message.get("data")
        event = StateEvent.decode(data) if isinstance(data, bytes) else None
        if event is None:
            log.warning("malformed state event ignored")
            continue
        on_event(event)
