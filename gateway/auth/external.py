"""Tokens from external identity providers, verified against each issuer's JWKS.

Keys are fetched by `start()` before the listener opens and cached; a token naming an
unknown `kid` triggers a refetch (the provider rotated), at most once per
`refetch_interval` per issuer so junk tokens cannot make the gateway hammer the
provider. The algorithm must be on the issuer's allow-list and fit the key type.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from typing import Any

import aiohttp
import jwt

from filters import Principal
from filters.options import OptionsError, join
from gateway.auth.config import ExternalIssuer
from gateway.auth.tokens import TokenInvalid

log = logging.getLogger("chatguard.auth")

_KEY_TYPES = {"RS256": "RSA", "PS256": "RSA", "ES256": "EC", "ES384": "EC", "EdDSA": "OKP"}
_MFA_METHODS = frozenset({"otp", "mfa", "hwk"})


class _Issuer:
    def __init__(self, settings: ExternalIssuer) -> None:
        self.settings = settings
        self.keys: dict[str, dict[str, Any]] = {}
        self.fetched_at = -float("inf")


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, str | int)]
    return []


class ExternalIssuers:
    def __init__(self, issuers: tuple[ExternalIssuer, ...], timeout: float = 5.0) -> None:
        self._issuers = {i.issuer: _Issuer(i) for i in issuers}
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def start(self, required: bool = False) -> None:
        """Fetch every issuer's keys; an unreachable provider is logged and its tokens fail until it answers.

        `required` (the gateway at start): a key set that cannot be fetched stops startup instead, with an
        `OptionsError` naming `auth.external.N.jwks_url`, so an operator learns of a wrong URL at once."""
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self._timeout))
        for index, issuer in enumerate(self._issuers.values()):
            problem = await self._fetch(issuer)
            if problem is not None and required:
                await self.aclose()
                raise OptionsError(join(join("auth.external", index), "jwks_url"),
                                   f"cannot fetch the key set from {issuer.settings.jwks_url}: {problem}")

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def handles(self, issuer: str) -> bool:
        return issuer in self._issuers

    async def _fetch(self, issuer: _Issuer) -> str | None:
        """Refresh one issuer's keys; the reason when that failed (the old keys stay)."""
        issuer.fetched_at = time.monotonic()
        if self._session is None:
            raise RuntimeError("ExternalIssuers.start() was not called")
        try:
            async with self._session.get(issuer.settings.jwks_url) as response:
                response.raise_for_status()
                document = json.loads(await response.read())
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            log.error("JWKS fetch failed", extra={"issuer": issuer.settings.issuer, "error": type(exc).__name__})
            return str(exc) or type(exc).__name__
        keys = document.get("keys") if isinstance(document, dict) else None
        if not isinstance(keys, list):
            log.error("JWKS document has no keys", extra={"issuer": issuer.settings.issuer})
            return "the document has no `keys` list"
        issuer.keys = {str(k["kid"]): k for k in keys if isinstance(k, dict) and "kid" in k}
        return None

    async def _key(self, issuer: _Issuer, kid: str) -> dict[str, Any] | None:
        if kid not in issuer.keys and time.monotonic() - issuer.fetched_at >= issuer.settings.refetch_interval:
            await self._fetch(issuer)
        return issuer.keys.get(kid)

    async def verify(self, token: str) -> Principal:
        if not token.isascii():  # compact JWTs are ASCII; PyJWT would raise UnicodeEncodeError
            raise TokenInvalid("malformed token")
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise TokenInvalid("malformed token") from None
        issuer = self._issuers.get(str(unverified.get("iss", "")))
        if issuer is None:
            raise TokenInvalid("unknown issuer")
        s = issuer.settings
        algorithm = str(header.get("alg", ""))
        if algorithm not in s.algorithms or algorithm not in _KEY_TYPES:
            raise TokenInvalid("algorithm not allowed")
        jwk = await self._key(issuer, str(header.get("kid", "")))
        if jwk is None:
            raise TokenInvalid("unknown key id")
        if jwk.get("kty") != _KEY_TYPES[algorithm] or jwk.get("alg", algorithm) != algorithm:
            raise TokenInvalid("algorithm does not fit the key")
        try:
            key = jwt.PyJWK(jwk, algorithm=algorithm)
            claims: dict[str, Any] = jwt.decode(
                token, key, algorithms=[algorithm], audience=s.audience, issuer=s.issuer, leeway=s.leeway,
                options={"require": ["exp", "iss", "aud", "sub"]})
        except jwt.ExpiredSignatureError:
            raise TokenInvalid("token expired") from None
        except jwt.PyJWTError as exc:
            raise TokenInvalid(f"token rejected: {type(exc).__name__}") from None
        return self._principal(s, claims)

    @staticmethod
    def _principal(s: ExternalIssuer, claims: Mapping[str, Any]) -> Principal:
        names = _names(claims.get(s.roles_claim)) + _names(claims.get(s.groups_claim))
        if s.role_map:
            roles = frozenset(s.role_map[n] for n in names if n in s.role_map)
        else:
            roles = frozenset(names)
        mfa = bool(_MFA_METHODS & set(_names(claims.get("amr"))))
        return Principal(subject=f"{s.subject_prefix}{claims['sub']}", roles=roles - {"anonymous"}, mfa=mfa)
