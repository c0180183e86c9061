"""Authentication: built-in users with argon2id and TOTP, the gateway's JWTs, external issuers.

The gateway builds one `AuthService` at startup (`AuthService.from_settings(settings.auth,
state)`), opens it with `auth_context` before the listener accepts connections, mounts
`AuthRoutes(service).routes()` and asks `Identifier(service).authenticate(request)` who
is calling.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from aiohttp import web

from gateway.auth.config import AuthSettings, ExternalIssuer
from gateway.auth.identify import Identifier, Identity
from gateway.auth.routes import AuthRoutes
from gateway.auth.service import AuthError, AuthService
from gateway.auth.state import AuthState, MemoryAuthState

AUTH: web.AppKey[AuthService] = web.AppKey("chatguard.auth")

__all__ = [
    "AUTH", "AuthError", "AuthRoutes", "AuthService", "AuthSettings", "AuthState", "ExternalIssuer",
    "Identifier", "Identity", "MemoryAuthState", "auth_context",
]


def auth_context(service: AuthService) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup context: open the user store and fetch external JWKS on startup, close on shutdown."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        await service.start()
        yield
        await service.aclose()

    return context
