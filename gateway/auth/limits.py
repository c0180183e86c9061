"""Rate limits and login lockout, kept in the shared state.

Lockout is keyed by (user, IP): a guesser from one address is stopped after a few
failures without touching the real user elsewhere. A per-user backstop catches guessing
spread over many addresses; it locks only briefly, doubling each time up to a cap, so
nobody can lock a victim out for long by failing on purpose.
"""

from __future__ import annotations

import logging
import math

from gateway.auth.config import LockoutSettings, RateLimitSettings
from gateway.auth.state import AuthState

audit = logging.getLogger("chatguard.audit")


class RateLimiter:
    def __init__(self, state: AuthState, settings: RateLimitSettings) -> None:
        self._state, self._settings = state, settings

    async def allow(self, endpoint: str, client: str) -> bool:
        count = await self._state.incr(f"auth:rate:{endpoint}:{client}", 1, self._settings.window)
        return count <= self._settings.requests


class Lockout:
    def __init__(self, state: AuthState, settings: LockoutSettings) -> None:
        self._state, self._s = state, settings

    async def locked(self, username: str, client: str) -> bool:
        return (await self._state.get(f"auth:lock:pair:{username}:{client}") is not None
                or await self._state.get(f"auth:lock:user:{username}") is not None)

    async def failure(self, username: str, client: str, stage: str) -> None:
        s = self._s
        pair = await self._state.incr(f"auth:fail:pair:{username}:{client}", 1, s.window)
        if pair >= s.pair_failures and pair % s.pair_failures == 0:
            await self._state.put(f"auth:lock:pair:{username}:{client}", b"1", s.pair_lock)
            audit.warning("login locked for user and address", extra={
                "event": "auth.lockout", "scope": "pair", "user": username, "client": client, "stage": stage})
        total = await self._state.incr(f"auth:fail:user:{username}", 1, s.window)
        if total >= s.user_failures and total % s.user_failures == 0:
            level = await self._state.incr(f"auth:lock:level:{username}", 1, s.window + s.user_lock_max)
            seconds = min(float(s.user_lock_max), s.user_lock * math.pow(2, min(level - 1, 30)))
            await self._state.put(f"auth:lock:user:{username}", b"1", seconds)
            audit.warning("login locked for user (backstop)", extra={
                "event": "auth.lockout", "scope": "user", "user": username, "seconds": seconds, "stage": stage})
