"""Backend-delegated authentication, for clients that only know the backend's own login.

On a delegated route a bearer token that is not the gateway's is shown to the backend
(`GET /_matrix/client/v3/account/whoami` for Matrix) through the route's upstream pool;
the user id it answers with becomes the principal, with roles from config. Answers are
cached briefly under a hash of the token (the token itself is never stored or logged).
A refusal is 401; a backend that cannot answer is 503: without an answer nobody gets in.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from dataclasses import dataclass
from fnmatch import fnmatchcase

import aiohttp
from yarl import URL

from filters import Principal
from gateway.auth.config import DelegateSettings
from gateway.auth.errors import AuthError
from gateway.auth.state import AuthState

audit = logging.getLogger("chatguard.audit")
_REFUSED = b"\x00"  # cached refusal
_MAX_ANSWER = 64 * 1024


@dataclass(frozen=True)
class Backend:
    """Where to ask: the route's upstream pool and origin."""

    name: str
    session: aiohttp.ClientSession
    origin: URL
    server_name: str | None = None


class Delegates:
    def __init__(self, settings: tuple[DelegateSettings, ...], state: AuthState) -> None:
        self._settings, self._state = settings, state
        self._by_route: dict[str, DelegateSettings | None] = {}

    def for_route(self, route: str) -> DelegateSettings | None:
        """The first delegate whose `routes` patterns match the route name (looked up once per name)."""
        if route not in self._by_route:
            self._by_route[route] = next(
                (d for d in self._settings if any(fnmatchcase(route, p) for p in d.routes)), None)
        return self._by_route[route]

    async def verify(self, delegate: DelegateSettings, token: str, backend: Backend) -> Principal:
        key = "auth:delegate:" + hashlib.sha256(
            f"{backend.name}\x00{delegate.path}\x00{token}".encode()).hexdigest()
        cached = await self._state.get(key)
        if cached is None:
            user = await self._ask(delegate, token, backend)
            await self._state.put(key, user.encode() if user else _REFUSED, float(delegate.ttl))
        else:
            user = "" if cached == _REFUSED else cached.decode()
        if not user:
            raise AuthError(401, "invalid token")
        roles = delegate.roles_by_user.get(user, delegate.default_roles)
        return Principal(subject=delegate.subject_prefix + user, roles=frozenset(roles), mfa=False)

    async def _ask(self, delegate: DelegateSettings, token: str, backend: Backend) -> str:
        """The user id the backend vouches for; '' when it refuses; AuthError(503) when it cannot say."""
        url = URL(str(backend.origin).rstrip("/") + delegate.path, encoded=True)
        try:
            async with asyncio.timeout(float(delegate.timeout)):
                async with backend.session.request(
                        delegate.method, url, headers={"Authorization": f"Bearer {token}",
                                                       "Accept": "application/json"},
                        allow_redirects=False, server_hostname=backend.server_name) as answer:
                    if answer.status in (401, 403):
                        audit.warning("backend refused a delegated token", extra={
                            "event": "auth.delegate_refused", "upstream": backend.name, "status": answer.status})
                        return ""
                    if answer.status != 200:
                        raise AuthError(503, "backend could not verify the token")
                    body = await answer.content.read(_MAX_ANSWER + 1)
        except (TimeoutError, aiohttp.ClientError, OSError):
            raise AuthError(503, "backend could not verify the token") from None
        try:
            user = json.loads(body).get(delegate.user_field) if len(body) <= _MAX_ANSWER else None
        except (ValueError, AttributeError):
            user = None
        if not isinstance(user, str) or not user or len(user) > 255 or not user.isprintable():
            raise AuthError(503, "backend answered without a usable user id")
        return user
