"""Who is calling: find the token a request carries and turn it into a `Principal`.

Tokens may come as `Authorization: Bearer`, the session cookie, a WebSocket subprotocol
`chatguard.bearer.<token>`, or `?access_token=` (WebSocket upgrades only, unless
configured off). Two different tokens in one request are refused rather than guessed
between. The gateway's own tokens are checked against the signing keys and the session
revocation list; tokens from configured external issuers against their JWKS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import jwt
from aiohttp import web

from filters import Principal
from gateway.auth.carriage import SUBPROTOCOL_PREFIX, Carriage
from gateway.auth.config import AuthSettings
from gateway.auth.external import ExternalIssuers
from gateway.auth.service import AuthError, AuthService
from gateway.auth.tokens import TokenInvalid, principal_from
from gateway.edge.headers import is_websocket_upgrade

_MAX_TOKEN = 4096


@dataclass(frozen=True)
class Identity:
    principal: Principal
    session_id: str | None  # None for external issuers and delegated backend tokens (no gateway session)
    expires: float
    carriage: Carriage = field(default_factory=Carriage)  # gateway credentials to strip before forwarding


@dataclass(frozen=True)
class Offered:
    """Tokens found in a request: the gateway's own (checked here) and the backend's (left alone)."""

    gateway: frozenset[str]
    backend: frozenset[str]
    cookie: bool


def offered_tokens(request: web.Request, cookie_name: str, query_allowed: str = "websocket",
                   ours: Callable[[str], bool] = lambda token: True, delegate: bool = False) -> Offered:
    """Every token the request carries, sorted into the gateway's and the backend's.

    The cookie and the subprotocol are always the gateway's. A bearer header is the
    backend's only on a delegated route and when it is not a gateway token (otherwise it is
    checked and refused if bad: fail closed). `?access_token=` that is not a gateway token
    belongs to the backend (Matrix uses that parameter) and is neither checked nor removed.
    """
    gateway: set[str] = set()
    backend: set[str] = set()
    for value in request.headers.getall("Authorization", []):
        scheme, _, token = value.strip().partition(" ")
        token = token.strip()
        if scheme.lower() == "bearer" and token:
            (backend if delegate and not ours(token) else gateway).add(token)
    cookie = request.cookies.get(cookie_name)
    if cookie:
        gateway.add(cookie)
    for header in request.headers.getall("Sec-WebSocket-Protocol", []):
        for offered in header.split(","):
            offered = offered.strip()
            if offered.startswith(SUBPROTOCOL_PREFIX) and len(offered) > len(SUBPROTOCOL_PREFIX):
                gateway.add(offered[len(SUBPROTOCOL_PREFIX):])
    for token in request.query.getall("access_token", []):
        if not token:
            continue
        if not ours(token):
            backend.add(token)
        elif query_allowed != "websocket" or not is_websocket_upgrade(request.method, request.headers):
            raise AuthError(400, "access_token in the query string is only accepted on WebSocket upgrades")
        else:
            gateway.add(token)
    return Offered(frozenset(gateway), frozenset(backend), bool(cookie))


class Identifier:
    """Turns tokens into identities: the built-in issuer's (with `service`) and the external issuers'.

    Without `service` only external issuers are trusted: a deployment whose users sign in at its own
    identity provider needs no signing key and no user store of the gateway's."""

    def __init__(self, service: AuthService | None, settings: AuthSettings | None = None,
                 external: ExternalIssuers | None = None) -> None:
        self._service = service
        found = settings if settings is not None else service.settings if service is not None else None
        if found is None:
            raise ValueError("an Identifier needs the auth service or the auth settings")
        self._settings = found
        self._external = external if external is not None else (
            service.external if service is not None else ExternalIssuers(found.external))

    @property
    def external(self) -> ExternalIssuers:
        return self._external

    def _own_issuer(self, issuer: object) -> bool:
        return self._service is not None and issuer == self._service.issuer.issuer

    def is_gateway_token(self, token: str) -> bool:
        """Whether a token claims to come from the gateway or a configured issuer (not yet verified)."""
        if len(token) > _MAX_TOKEN or token.count(".") != 2 or not token.isascii():
            return False  # a JWT is ASCII; other bytes reach us as surrogates PyJWT cannot encode
        try:
            issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
        except jwt.PyJWTError:
            return False
        return isinstance(issuer, str) and (self._own_issuer(issuer) or self._external.handles(issuer))

    def offered(self, request: web.Request, delegate: bool = False) -> Offered:
        s = self._settings
        return offered_tokens(request, s.cookie_name, s.query_credentials, self.is_gateway_token, delegate)

    async def identify(self, request: web.Request, delegate: bool = False) -> Identity | None:
        """The caller's identity; None without gateway credentials; `AuthError` for bad or conflicting ones."""
        found = self.offered(request, delegate)
        if not found.gateway:
            return None
        if len(found.gateway) > 1:
            raise AuthError(400, "more than one credential in the request")
        token = next(iter(found.gateway))
        if len(token) > _MAX_TOKEN or not token.isascii():
            raise AuthError(401, "invalid token")
        identity = await self.verify(token)
        carriage = Carriage(found.gateway, self._settings.cookie_name if found.cookie else "")
        return replace(identity, carriage=carriage)

    async def verify(self, token: str) -> Identity:
        try:
            issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
            if self._service is not None and self._own_issuer(issuer):
                claims = self._service.issuer.verify(token)
                if await self._service.is_revoked(str(claims["sid"])):
                    raise TokenInvalid("session revoked")
                return Identity(principal_from(claims), str(claims["sid"]), float(claims["exp"]))
            if isinstance(issuer, str) and self._external.handles(issuer):
                claims = jwt.decode(token, options={"verify_signature": False})
                principal = await self._external.verify(token)
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
