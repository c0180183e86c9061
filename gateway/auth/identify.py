"""Who is calling: find the token a request carries and turn it into a `Principal`.

Tokens may come as `Authorization: Bearer`, the session cookie, a WebSocket subprotocol
`chatguard.bearer.<token>`, or `?access_token=` (WebSocket upgrades only, unless
configured off). Two different tokens in one request are refused rather than guessed
between. The gateway's own tokens are checked against the signing keys and the session
revocation list; tokens from configured external issuers against their JWKS.
"""

from __future__ import annotations

from dataclasses import dataclass

import jwt
from aiohttp import web

from filters import Principal
from gateway.auth.service import AuthError, AuthService
from gateway.auth.tokens import TokenInvalid, principal_from

SUBPROTOCOL_PREFIX = "chatguard.bearer."
_MAX_TOKEN = 4096


@dataclass(frozen=True)
class Identity:
    principal: Principal
    session_id: str | None  # None for external issuers (no gateway session)
    expires: float


def _is_websocket(request: web.Request) -> bool:
    return (request.headers.get("Upgrade", "").lower() == "websocket"
            and "upgrade" in request.headers.get("Connection", "").lower())


def offered_tokens(request: web.Request, cookie_name: str, query_allowed: str = "websocket") -> set[str]:
    """Every token the request carries, from all the places a client may put one."""
    found: set[str] = set()
    for value in request.headers.getall("Authorization", []):
        scheme, _, token = value.strip().partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            found.add(token.strip())
    cookie = request.cookies.get(cookie_name)
    if cookie:
        found.add(cookie)
    for header in request.headers.getall("Sec-WebSocket-Protocol", []):
        for offered in header.split(","):
            offered = offered.strip()
            if offered.startswith(SUBPROTOCOL_PREFIX) and len(offered) > len(SUBPROTOCOL_PREFIX):
                found.add(offered[len(SUBPROTOCOL_PREFIX):])
    query = request.query.getall("access_token", [])
    if query:
        if query_allowed != "websocket" or not _is_websocket(request):
            raise AuthError(400, "access_token in the query string is only accepted on WebSocket upgrades")
        found.update(q for q in query if q)
    return found


class Identifier:
    def __init__(self, service: AuthService) -> None:
        self._service = service

    async def identify(self, request: web.Request) -> Identity | None:
        """The caller's identity; None without credentials; `AuthError` for bad or conflicting ones."""
        s = self._service.settings
        tokens = offered_tokens(request, s.cookie_name, s.query_credentials)
        if not tokens:
            return None
        if len(tokens) > 1:
            raise AuthError(400, "more than one credential in the request")
        token = tokens.pop()
        if len(token) > _MAX_TOKEN:
            raise AuthError(401, "invalid token")
        return await self.verify(token)

    async def verify(self, token: str) -> Identity:
        try:
            issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
            if issuer == self._service.issuer.issuer:
                claims = self._service.issuer.verify(token)
                if await self._service.is_revoked(str(claims["sid"])):
                    raise TokenInvalid("session revoked")
                return Identity(principal_from(claims), str(claims["sid"]), float(claims["exp"]))
            if isinstance(issuer, str) and self._service.external.handles(issuer):
                claims = jwt.decode(token, options={"verify_signature": False})
                principal = await self._service.external.verify(token)
                return Identity(principal, None, float(claims.get("exp", 0)))
        except TokenInvalid as exc:
            raise AuthError(401, f"invalid token: {exc}") from None
        except jwt.PyJWTError:
            raise AuthError(401, "invalid token: malformed") from None
        raise AuthError(401, "invalid token: unknown issuer")

    async def authenticate(self, request: web.Request) -> Principal | None:
        """The gateway's hook: a Principal, None when no credentials came, `AuthError` (400/401) otherwise."""
        identity = await self.identify(request)
        return identity.principal if identity else None
