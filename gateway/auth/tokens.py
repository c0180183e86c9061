"""The gateway's access tokens: signing keys from PEM files, issue, verify, JWKS.

The first key signs; older keys stay listed in the JWKS and keep verifying until their
tokens have expired, which is how rotation works without logging anyone out. Each key's
algorithm follows from its type (Ed25519 -> EdDSA, P-256 -> ES256), and verification
uses only the algorithm of the key named by `kid`, so `alg: none`, HS256-with-the-
public-key and any other header trick has nothing to match.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from jwt.algorithms import ECAlgorithm, OKPAlgorithm

from filters import Principal


class TokenInvalid(Exception):  # noqa: N818 (reads as a condition)
    """A token that must not be accepted; the message is safe to log (no token content)."""


@dataclass(frozen=True)
class SigningKey:
    kid: str
    algorithm: str
    private: Any
    public: Any

    def jwk(self) -> dict[str, Any]:
        encoder = OKPAlgorithm if self.algorithm == "EdDSA" else ECAlgorithm
        data: dict[str, Any] = json.loads(encoder.to_jwk(self.public))
        data.update(kid=self.kid, alg=self.algorithm, use="sig")
        return data


def _algorithm_for(key: Any) -> str:
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "EdDSA"
    if isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1):
        return "ES256"
    raise ValueError("signing keys must be Ed25519 or EC P-256 private keys")


def _thumbprint(public: Any, algorithm: str) -> str:
    """RFC 7638 thumbprint, so a key's id is stable across restarts and hosts."""
    encoder = OKPAlgorithm if algorithm == "EdDSA" else ECAlgorithm
    data = json.loads(encoder.to_jwk(public))
    members = ("crv", "kty", "x") if algorithm == "EdDSA" else ("crv", "kty", "x", "y")
    canonical = json.dumps({k: data[k] for k in members}, separators=(",", ":"), sort_keys=True)
    return jwt.utils.base64url_encode(hashlib.sha256(canonical.encode()).digest()).decode()


def load_key(pem: bytes) -> SigningKey:
    private = serialization.load_pem_private_key(pem, password=None)
    algorithm = _algorithm_for(private)
    public = private.public_key()
    return SigningKey(_thumbprint(public, algorithm), algorithm, private, public)


def load_keys(paths: tuple[str, ...]) -> list[SigningKey]:
    if not paths:
        raise ValueError("auth.jwt.signing_keys: at least one PEM file is required")
    return [load_key(Path(p).read_bytes()) for p in paths]


class TokenIssuer:
    """Issue and verify the gateway's own access tokens."""

    def __init__(self, keys: list[SigningKey], issuer: str, audience: str, ttl: float, leeway: float = 60) -> None:
        if not keys:
            raise ValueError("at least one signing key is required")
        self._keys = keys
        self._by_kid = {k.kid: k for k in keys}
        self.issuer, self.audience, self.ttl, self.leeway = issuer, audience, ttl, leeway

    @property
    def current(self) -> SigningKey:
        return self._keys[0]

    def jwks(self) -> dict[str, Any]:
        return {"keys": [k.jwk() for k in self._keys]}

    def issue(self, principal: Principal, session_id: str, extra: Mapping[str, Any] | None = None,
              ttl: float | None = None) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer, "aud": self.audience, "sub": principal.subject, "iat": now, "nbf": now,
            "exp": now + int(ttl or self.ttl), "jti": secrets.token_urlsafe(12), "sid": session_id,
            "roles": sorted(principal.roles), "amr": ["pwd", "otp"] if principal.mfa else ["pwd"],
        }
        claims.update(extra or {})
        key = self.current
        return jwt.encode(claims, key.private, algorithm=key.algorithm, headers={"kid": key.kid})

    def assertion(self, principal: Principal, audience: str, ttl: float) -> str:
        """A short-lived statement for one backend (`aud` = its upstream name) of who is calling.

        It has no `sid` and another audience, so it can never pass as an access token."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer, "aud": audience, "sub": principal.subject, "iat": now, "nbf": now,
            "exp": now + max(1, int(ttl)), "jti": secrets.token_urlsafe(12), "roles": sorted(principal.roles),
            "amr": ["otp"] if principal.mfa else [],
        }
        key = self.current
        return jwt.encode(claims, key.private, algorithm=key.algorithm,
                          headers={"kid": key.kid, "typ": "chatguard-assertion+jwt"})

    def verify(self, token: str) -> dict[str, Any]:
        """The claims of a valid token; anything else raises `TokenInvalid`."""
        if not token.isascii():  # compact JWTs are ASCII; PyJWT would raise UnicodeEncodeError
            raise TokenInvalid("malformed token")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise TokenInvalid("malformed token") from None
        key = self._by_kid.get(str(header.get("kid", "")))
        if key is None:
            raise TokenInvalid("unknown key id")
        if header.get("alg") != key.algorithm:
            raise TokenInvalid("algorithm not allowed")
        try:
            claims: dict[str, Any] = jwt.decode(
                token, key.public, algorithms=[key.algorithm], audience=self.audience, issuer=self.issuer,
                leeway=self.leeway, options={"require": ["exp", "iat", "iss", "aud", "sub", "sid"]})
        except jwt.ExpiredSignatureError:
            raise TokenInvalid("token expired") from None
        except jwt.PyJWTError as exc:
            raise TokenInvalid(f"token rejected: {type(exc).__name__}") from None
        return claims


def principal_from(claims: Mapping[str, Any]) -> Principal:
    roles = claims.get("roles") or []
    amr = claims.get("amr") or []
    if not isinstance(roles, list) or not isinstance(amr, list):
        raise TokenInvalid("malformed claims")
    return Principal(subject=str(claims["sub"]), roles=frozenset(str(r) for r in roles),
                     mfa=bool({"otp", "mfa", "hwk"} & {str(a) for a in amr}))


def generate_pem(algorithm: str = "EdDSA") -> bytes:
    """A new private key in PEM (for `chatguard` key setup and tests)."""
    private: Any = ed25519.Ed25519PrivateKey.generate() if algorithm == "EdDSA" else ec.generate_private_key(ec.SECP256R1())
    pem: bytes = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption())
    return pem
