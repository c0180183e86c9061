"""The shared state backend: one Redis serves every gateway instance and worker.

Each operation is one Lua script or one MULTI transaction, so concurrent gateways
never lose an update or see half a ban. `screen` is the shield's whole per-request check
(bans, throttles, rate windows) in one script: one round trip per request. Time inside scripts comes from the Redis
server (`TIME`), one clock for every instance. Any failure (refused connection,
timeout, error reply) becomes StateUnavailable: the caller refuses, never guesses.
The URL may hold a password; only its redacted form is ever logged or raised.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import orjson
from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster
from redis.exceptions import RedisClusterException, RedisError

from gateway.state import subscriber
from gateway.state.base import MAX_HITS, Ban, Screening, StateUnavailable, check_ttl
from gateway.state.connect import client, key_prefix
from gateway.state.events import EventHandler, GapHandler, StateEvent
from gateway.state.settings import StateSettings, redacted

log = logging.getLogger("chatguard.state")

_INCR = """
local total = redis.call('INCRBY', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return total
"""

_HIT = """
local window = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('ZADD', KEYS[1], now, ARGV[3])
local count = redis.call('ZCARD', KEYS[1])
local cap = tonumber(ARGV[4])
if count > cap then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, count - cap - 1)
  count = cap
end
redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000))
return count
"""

# KEYS: ban keys, flag keys, hit keys. ARGV: number of bans, number of flags, MAX_HITS, then a
# window and a unique member per hit key. Returns {index of the ban, ban} or {0, flagged, counts...}.
_SCREEN = """
local nbans, nflags = tonumber(ARGV[1]), tonumber(ARGV[2])
for i = 1, nbans do
  local ban = redis.call('GET', KEYS[i])
  if ban then return {i, ban} end
end
local flagged = 0
for i = nbans + 1, nbans + nflags do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    flagged = 1
    break
  end
end
local out = {0, flagged}
if #KEYS == nbans + nflags then return out end
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local cap = tonumber(ARGV[3])
for i = nbans + nflags + 1, #KEYS do
  local arg = 4 + (i - nbans - nflags - 1) * 2
  local window = tonumber(ARGV[arg])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  redis.call('ZADD', KEYS[i], now, ARGV[arg + 1])
  local count = redis.call('ZCARD', KEYS[i])
  if count > cap then
    redis.call('ZREMRANGEBYRANK', KEYS[i], 0, count - cap - 1)
    count = cap
  end
  redis.call('PEXPIRE', KEYS[i], math.ceil(window * 1000))
  out[#out + 1] = count
end
return out
"""

_BAN = """
local ttl = tonumber(ARGV[3])
if redis.call('PTTL', KEYS[1]) >= ttl then return redis.call('GET', KEYS[1]) end
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local ban = cjson.encode({reason = ARGV[2], since = now, ['until'] = now + ttl / 1000})
redis.call('SET', KEYS[1], ban, 'PX', ttl)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('ZADD', KEYS[2], now + ttl / 1000, ARGV[1])
redis.call('PUBLISH', ARGV[4], cjson.encode({kind = 'ban', key = ARGV[1], ['until'] = now + ttl / 1000}))
return ban
"""

# One script, not MULTI: a Cluster cannot route PUBLISH (it names no key) inside a transaction.
_UNBAN = """
local deleted = redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if deleted == 1 then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
return deleted
"""

_BANS = """
local t = redis.call('TIME')
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(t[1]) + tonumber(t[2]) / 1000000)
local found = {}
for _, key in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local ban = redis.call('GET', ARGV[1] .. key)
  if ban then
    found[#found + 1] = key
    found[#found + 1] = ban
  end
end
return found
"""

_ADD = """
local ttl = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZADD', KEYS[1], 'NX', now + ttl, ARGV[1]) == 0 then return 0 end
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1
"""


def _ms(seconds: float, what: str = "ttl") -> int:
    return max(1, math.ceil(check_ttl(seconds, what) * 1000))


def _ban(key: str, raw: Any) -> Ban:
    try:
        data = orjson.loads(raw)
        return Ban(key, str(data.get("reason", "")), float(data["since"]), float(data["until"]))
    except (ValueError, TypeError, KeyError, AttributeError):
        raise StateUnavailable(f"corrupt ban record for {key!r}") from None


class RedisStore:
    """StateStore on Redis (redis-py asyncio); keys are `<prefix><family>:<key>`."""

    def __init__(self, client: Redis | RedisCluster, prefix: str = "chatguard:", timeout: float = 1.0,
                 where: str = "redis", on_error: Callable[[], None] | None = None) -> None:
        self._client = client
        self._on_error = on_error or (lambda: None)  # counts each failed operation (chatguard_state_errors_total)
        self._prefix = prefix
        self._timeout = timeout
        self._where = where
        self._down = False
        self._channel = prefix + "events"  # pub/sub channels span databases: the prefix keeps deployments apart
        self._incr = client.register_script(_INCR)
        self._hit = client.register_script(_HIT)
        self._ban = client.register_script(_BAN)
        self._bans = client.register_script(_BANS)
        self._unban = client.register_script(_UNBAN)
        self._add = client.register_script(_ADD)
        self._screen = client.register_script(_SCREEN)

    @classmethod
    def from_settings(cls, settings: StateSettings, on_error: Callable[[], None] | None = None) -> RedisStore:
        """One server, a Sentinel-watched master or a Cluster, as the URL says (gateway/state/connect.py)."""
        timeout = float(settings.timeout)
        return cls(client(settings.url, timeout), key_prefix(settings.url, settings.prefix), timeout,
                   redacted(settings.url), on_error)

    async def _call[T](self, operation: Awaitable[T]) -> T:
        try:
            async with asyncio.timeout(self._timeout):
                result = await operation
        except (RedisError, RedisClusterException, OSError, TimeoutError) as exc:  # cluster errors are apart
            self._on_error()
            if not self._down:
                self._down = True
                log.warning("state store unreachable", extra={"store": self._where, "error": type(exc).__name__})
            raise StateUnavailable(f"state store {self._where} unavailable ({type(exc).__name__})") from exc
        if self._down:
            self._down = False
            log.info("state store reachable again", extra={"store": self._where})
        return result

    async def incr(self, key: str, by: int, ttl: float) -> int:
        ttl_ms = _ms(ttl)
        return int(await self._call(self._incr(keys=[self._prefix + "n:" + key], args=[int(by), ttl_ms])))

    async def hit(self, key: str, window: float, now: float | None = None) -> int:
        window = check_ttl(window, "window")
        stamp = "" if now is None else repr(float(now))
        args: list[str | int] = [repr(window), stamp, os.urandom(9).hex(), MAX_HITS]
        return int(await self._call(self._hit(keys=[self._prefix + "w:" + key], args=args)))

    async def ban(self, key: str, ttl: float, reason: str = "") -> Ban:
        ttl_ms = _ms(ttl)
        keys = [self._prefix + "b:" + key, self._prefix + "bans"]
        return _ban(key, await self._call(self._ban(keys=keys, args=[key, reason, ttl_ms, self._channel])))

    async def banned(self, key: str) -> Ban | None:
        raw = await self._call(self._client.get(self._prefix + "b:" + key))
        return None if raw is None else _ban(key, raw)

    async def screen(self, bans: Sequence[str], flags: Sequence[str],
                     hits: Sequence[tuple[str, float]]) -> Screening:
        prefix = self._prefix
        keys = [prefix + "b:" + key for key in bans] + [prefix + "v:" + key for key in flags]
        args: list[str | int] = [len(bans), len(flags), MAX_HITS]
        for key, window in hits:
            keys.append(prefix + "w:" + key)
            args += [repr(check_ttl(window, "window")), os.urandom(9).hex()]
        reply = await self._call(self._screen(keys=keys, args=args))
        if int(reply[0]):
            return Screening(_ban(bans[int(reply[0]) - 1], reply[1]), False, ())
        return Screening(None, bool(int(reply[1])), tuple(int(count) for count in reply[2:]))

    async def unban(self, key: str) -> bool:
        keys = [self._prefix + "b:" + key, self._prefix + "bans"]
        args: list[str | bytes] = [key, self._channel, StateEvent("unban", key).encode()]
        return bool(await self._call(self._unban(keys=keys, args=args)))

    async def bans(self) -> list[Ban]:
        flat = await self._call(self._bans(keys=[self._prefix + "bans"], args=[self._prefix + "b:"]))
        found = [_ban(key.decode(), raw) for key, raw in zip(flat[::2], flat[1::2], strict=True)]
        return sorted(found, key=lambda ban: (ban.until, ban.key))

    async def add(self, set_key: str, member: str, ttl: float) -> bool:
        ttl_ms = _ms(ttl)
        return bool(await self._call(self._add(keys=[self._prefix + "s:" + set_key], args=[member, ttl_ms])))

    async def put(self, key: str, value: bytes, ttl: float) -> None:
        ttl_ms = _ms(ttl)
        await self._call(self._client.set(self._prefix + "v:" + key, bytes(value), px=ttl_ms))

    async def get(self, key: str) -> bytes | None:
        raw = await self._call(self._client.get(self._prefix + "v:" + key))
        if raw is None or isinstance(raw, bytes):
            return raw
        return str(raw).encode()  # only if a client decodes replies

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        if not keys:
            return []
        raw = await self._call(self._client.mget([self._prefix + "v:" + key for key in keys]))
        return [None if value is None else value if isinstance(value, bytes) else str(value).encode()
                for value in raw]

    async def publish(self, event: StateEvent) -> None:
        await self._call(self._client.publish(self._channel, event.encode()))

    async def listen(self, on_event: EventHandler, on_gap: GapHandler) -> None:
        await subscriber.listen(self._client, self._channel, on_event, on_gap, self._timeout, self._where)

    async def ping(self) -> bool:
        try:
            return bool(await self._call(self._client.ping()))
        except StateUnavailable:
            return False

    async def aclose(self) -> None:
        await self._client.aclose()
