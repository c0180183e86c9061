"""Tokens an attacker would forge: unsigned, signed with the public key as an HMAC secret, and
(when the config's signing key is readable here) well-signed tokens with wrong claims."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization

from gateway.config.settings import Settings


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims(settings: Settings, **changes: Any) -> dict[str, Any]:
    """Claims a genuine token for a powerful caller would carry (every configured role, 2FA done)."""
    now = int(time.time())
    issuer = settings.auth.jwt.issuer if settings.auth else "chatguard"
    audience = settings.auth.jwt.audience if settings.auth else "chatguard"
    base = {"sub": "cgsim-attacker", "roles": sorted({*settings.roles, "admin"}), "amr": ["pwd", "otp"],
            "iss": issuer, "aud": audience, "iat": now, "exp": now + 600, "sid": "cgsim"}
    base.update(changes)
    return base


def unsigned(body: dict[str, Any], kid: str | None) -> str:
    header: dict[str, Any] = {"alg": "none", "typ": "JWT", **({"kid": kid} if kid else {})}
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(body).encode())}."


def public_pem(jwk: dict[str, Any]) -> bytes | None:
    """The PEM of a published public key: what a confused verifier uses as its HMAC secret."""
    try:
        key = jwt.PyJWK(jwk).key
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
    pem: bytes = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return pem


def hs256_with(secret: bytes, body: dict[str, Any], kid: str | None) -> str:
    """HS256 signed by hand: PyJWT refuses a PEM key as an HMAC secret, which is the point."""
    header: dict[str, Any] = {"alg": "HS256", "typ": "JWT", **({"kid": kid} if kid else {})}
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(body).encode())}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def signer(settings: Settings) -> Any | None:
    """The config's current signing key, when this machine can read it (else the claim probes skip)."""
    if settings.auth is None or not settings.auth.jwt.signing_keys:
        return None
    try:
        from gateway.auth.tokens import load_key

        return load_key(Path(settings.auth.jwt.signing_keys[0]).read_bytes())
    except (OSError, ValueError):
        return None


def signed(key: Any, body: dict[str, Any]) -> str:
    token: str = jwt.encode(body, key.private, algorithm=key.algorithm, headers={"kid": key.kid})
    return token


def tampered(token: str, **changes: Any) -> str:
    """`token` with its claims changed and its signature kept."""
    header, payload, signature = token.split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body.update(changes)
    return f"{header}.{_b64(json.dumps(body).encode())}.{signature}"


def resigned(key: Any, token: str, **changes: Any) -> str:
    """A genuine token's claims (its live session) changed and signed again with the config's key."""
    body: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    body.update(changes)
    return signed(key, body)
