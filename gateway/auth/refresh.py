"""Sessions and rotating refresh tokens with family revocation.

A login starts a session; each refresh token of that session can be spent once and is
replaced by a new one. Presenting a spent token means it was copied: the whole session
(the token family) is revoked, which ends the thief's and the owner's access alike.
Revocations are also written to the shared state so every gateway process sees them
at once (`is_revoked`, checked on every request) and announced (a `revoke_session` event), so open
WebSockets of the session close on every instance.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from collections.abc import Awaitable, Callable

from gateway.auth.state import AuthState
from gateway.auth.users import RefreshRecord, UserStore
from gateway.state import StateUnavailable
from gateway.state.events import StateEvent

audit = logging.getLogger("chatguard.audit")
log = logging.getLogger("chatguard.auth")

_ALIVE_CACHE = 2.0  # seconds a "not revoked" answer from the database is reused locally


class RefreshRejected(Exception):  # noqa: N818 (reads as a condition)
    """A refresh token that gives nothing; the message is safe to show and log."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


class Sessions:
    def __init__(self, store: UserStore, state: AuthState, refresh_ttl: float, revoked_ttl: float,
                 announce: Callable[[StateEvent], Awaitable[None]] | None = None) -> None:
        self._store, self._state = store, state
        self._refresh_ttl, self._revoked_ttl = refresh_ttl, revoked_ttl
        self._alive: dict[str, float] = {}
        self._announce = announce

    async def start(self, user_id: str, mfa: bool) -> tuple[str, str]:
        """A new session id and its first refresh token; `mfa` records how the session began."""
        session_id = secrets.token_urlsafe(16)
        await self._store.add_session(session_id, user_id, time.time() + self._refresh_ttl, mfa)
        return session_id, await self._new_token(session_id, user_id)

    async def _new_token(self, session_id: str, user_id: str) -> str:
        token = "cgr_" + secrets.token_urlsafe(32)
        await self._store.add_refresh(token_hash(token), session_id, user_id, time.time() + self._refresh_ttl)
        return token

    async def rotate(self, token: str) -> tuple[RefreshRecord, str]:
        """Spend `token` and return its session with the next token; a reused token revokes the family."""
        if not token.startswith("cgr_") or len(token) > 200:
            raise RefreshRejected("invalid refresh token")
        record, fresh = await self._store.spend_refresh(token_hash(token))
        if record is None:
            raise RefreshRejected("invalid refresh token")
        if not fresh:
            await self.revoke(record.session_id)
            audit.warning("refresh token reused; session revoked",
                          extra={"event": "auth.refresh_reuse", "user_id": record.user_id})
            raise RefreshRejected("refresh token reused; session revoked")
        if record.expires < time.time() or await self.is_revoked(record.session_id):
            raise RefreshRejected("session expired or revoked")
        return record, await self._new_token(record.session_id, record.user_id)

    async def revoke(self, session_id: str) -> None:
        await self._state.put(f"auth:revoked:{session_id}", b"1", self._revoked_ttl)
        await self._store.revoke_session(session_id)
        self._alive.pop(session_id, None)
        await self.announce(StateEvent("revoke_session", session_id))

    async def announce(self, event: StateEvent) -> None:
        """Tell every gateway process, so open WebSockets of the session close at once. Not fatal when it
        fails: the revocation is recorded, and the sockets' next sweep (2 s) finds it."""
        if self._announce is None:
            return
        try:
            await self._announce(event)
        except StateUnavailable:
            log.warning("session end not announced (state store unavailable); open websockets close at the "
                        "next sweep")

    async def is_revoked(self, session_id: str) -> bool:
        """Whether the session has ended (logout, reuse, admin action); open WebSockets poll this."""
        if await self._state.get(f"auth:revoked:{session_id}") is not None:
            return True
        now = time.monotonic()
        if self._alive.get(session_id, 0.0) > now:
            return False
        revoked = await self._store.session_revoked(session_id)
        if not revoked:
            if len(self._alive) > 10_000:
                self._alive.clear()
            self._alive[session_id] = now + _ALIVE_CACHE
        return revoked
