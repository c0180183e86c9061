"""The `/auth/*` JSON endpoints and `/.well-known/jwks.json`.

Each handler is wrapped so that a bad body, a refusal or an unexpected error becomes a
small JSON answer with a clear status, never a stack trace; and each endpoint is rate
limited per client address before any work (password hashing is expensive on purpose).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from gateway.auth.errors import STORE_DOWN_RETRY
from gateway.auth.identify import Identifier
from gateway.auth.pages import page_routes
from gateway.auth.service import AuthError, AuthService
from gateway.proxy.bodies import BodyTooLarge, read_limited
from gateway.state import StateUnavailable

log = logging.getLogger("chatguard.auth")

_MAX_BODY = 16 * 1024
_LIMITS = {"username": 64, "password": 1024, "code": 64, "ticket": 256, "refresh_token": 256}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ClientOf = Callable[[web.Request], str]


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"error": message}, status=status,
                             headers={"Cache-Control": "no-store", **(headers or {})})


def _answer(data: dict[str, Any]) -> web.Response:
    return web.json_response(data, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


async def _body(request: web.Request, *required: str, optional: tuple[str, ...] = ()) -> dict[str, str]:
    try:
        raw = await read_limited(request.content, request.content_length, _MAX_BODY)
    except BodyTooLarge:
        raise AuthError(400, "request body too large") from None
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise AuthError(400, "body must be a JSON object") from None
    if not isinstance(data, dict):
        raise AuthError(400, "body must be a JSON object")
    fields: dict[str, str] = {}
    for name in (*required, *optional):
        value = data.get(name)
        if value is None and name in optional:
            continue
        if not isinstance(value, str) or not value:
            raise AuthError(400, f"{name}: a non-empty string is required")
        if len(value) > _LIMITS.get(name, 256):
            raise AuthError(400, f"{name}: too long")
        fields[name] = value
    return fields


class AuthRoutes:
    def __init__(self, service: AuthService, identifier: Identifier | None = None,
                 client_of: ClientOf | None = None) -> None:
        self.service = service
        self.identifier = identifier or Identifier(service)
        self._client_of = client_of or (lambda request: request.remote or "-")

    def routes(self) -> list[web.RouteDef]:
        """Add with `app.add_routes(AuthRoutes(service).routes())`."""
        return [
            web.post("/auth/login", self._guard("login", self.login)),
            web.post("/auth/mfa", self._guard("mfa", self.mfa)),
            web.post("/auth/refresh", self._guard("refresh", self.refresh)),
            web.post("/auth/logout", self._guard("logout", self.logout)),
            web.post("/auth/visitor", self._guard("visitor", self.visitor)),
            web.post("/auth/totp/enrol", self._guard("totp_enrol", self.enrol)),
            web.post("/auth/totp/confirm", self._guard("totp_confirm", self.confirm)),
            web.get("/.well-known/jwks.json", self._guard("jwks", self.jwks)),
            *page_routes(self.service, self.identifier, self._client_of),
        ]

    def _guard(self, endpoint: str, handler: Handler) -> Handler:
        async def guarded(request: web.Request) -> web.StreamResponse:
            try:
                if not await self.service.rate.allow(endpoint, self.service.client_key(self._client_of(request))):
                    return _error(429, "too many requests")
                return await handler(request)
            except AuthError as refused:
                return _error(refused.status, refused.message)
            except StateUnavailable:  # counters, lockouts and replay guards cannot be checked: refuse, retry later
                log.warning("auth endpoint refused: state store unavailable", extra={"endpoint": endpoint})
                return _error(503, "service unavailable", {"Retry-After": str(STORE_DOWN_RETRY)})
            except Exception as exc:  # fail closed with a plain answer; the type only, never values
                log.error("auth endpoint failed", extra={"endpoint": endpoint, "error": type(exc).__name__})
                return _error(500, "internal error")

        return guarded

    async def login(self, request: web.Request) -> web.StreamResponse:
        body = await _body(request, "username", "password")
        return _answer(await self.service.login(body["username"], body["password"], self._client_of(request)))

    async def mfa(self, request: web.Request) -> web.StreamResponse:
        body = await _body(request, "ticket", "code")
        return _answer(await self.service.mfa(body["ticket"], body["code"], self._client_of(request)))

    async def refresh(self, request: web.Request) -> web.StreamResponse:
        body = await _body(request, "refresh_token")
        return _answer(await self.service.refresh(body["refresh_token"]))

    async def logout(self, request: web.Request) -> web.StreamResponse:
        identity = await self.identifier.identify(request)
        if identity is None or identity.session_id is None:
            raise AuthError(401, "a gateway access token is required")
        await self.service.logout(identity.session_id, identity.principal.subject)
        return _answer({"logged_out": True})

    async def visitor(self, request: web.Request) -> web.StreamResponse:
        return _answer(await self.service.visitor(self._client_of(request)))

    async def enrol(self, request: web.Request) -> web.StreamResponse:
        body = await _body(request, optional=("ticket",))
        identity = None if body.get("ticket") else await self.identifier.identify(request)
        principal = identity.principal if identity else None
        return _answer(await self.service.enrol(principal, body.get("ticket")))

    async def confirm(self, request: web.Request) -> web.StreamResponse:
        body = await _body(request, "code", optional=("ticket",))
        identity = None if body.get("ticket") else await self.identifier.identify(request)
        principal = identity.principal if identity else None
        return _answer(await self.service.confirm(principal, body.get("ticket"), body["code"],
                                                  self._client_of(request)))

    async def jwks(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(self.service.issuer.jwks(), headers={"Cache-Control": "public, max-age=300"})
