"""TOTP second factor: enrolment (URI + QR), checking with a replay guard, recovery codes.

Secrets are encrypted at rest with AES-256-GCM, bound to the user id as associated data
so a ciphertext copied onto another account does not decrypt. A code is accepted once
per user: the matched time step goes into the shared state's replay set, so the same
code cannot be used again in its +-1 step window, not even on another gateway process.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from dataclasses import dataclass

import pyotp
import segno
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from gateway.auth.state import AuthState

STEP = 30
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class SecretBox:
    """AES-256-GCM for TOTP secrets; output is nonce || ciphertext."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("TOTP encryption key must be 32 bytes")
        self._aead = AESGCM(key)

    def seal(self, secret: str, user_id: str) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, secret.encode(), user_id.encode())

    def open(self, sealed: bytes, user_id: str) -> str:
        try:
            return self._aead.decrypt(sealed[:12], sealed[12:], user_id.encode()).decode()
        except (InvalidTag, ValueError):
            raise ValueError("TOTP secret does not decrypt (wrong key or tampered)") from None


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str
    qr_svg: str  # data: URI, no external assets needed to show it
    qr_png: str


def enrolment(username: str, issuer: str) -> Enrolment:
    secret = pyotp.random_base32(32)
    uri = pyotp.TOTP(secret, interval=STEP).provisioning_uri(name=username, issuer_name=issuer)
    code = segno.make(uri, error="m")
    return Enrolment(secret, uri, code.svg_data_uri(scale=4), code.png_data_uri(scale=4))


def is_code(value: str) -> bool:
    return len(value) == 6 and value.isascii() and value.isdigit()


def matching_step(secret: str, code: str, window: int = 1, now: float | None = None) -> int | None:
    """The time step `code` belongs to within +-`window` steps, or None; compared in constant time."""
    if not is_code(code):
        return None
    totp = pyotp.TOTP(secret, interval=STEP)
    moment = time.time() if now is None else now
    found = None
    for offset in range(-window, window + 1):
        at = moment + offset * STEP
        if hmac.compare_digest(totp.at(at), code):
            found = int(at // STEP)
    return found


async def accept_code(state: AuthState, user_id: str, secret: str, code: str, window: int = 1) -> bool:
    """True for a valid code not used before by this user (each code is accepted once)."""
    step = matching_step(secret, code, window)
    if step is None:
        return False
    return await state.add(f"auth:totp-used:{user_id}", str(step), STEP * (2 * window + 2))


def normalise_recovery(code: str) -> str:
    return "".join(code.lower().split()).replace("-", "")


def recovery_hash(user_id: str, code: str) -> str:
    """Recovery codes carry ~80 bits of randomness, so a salted SHA-256 is enough to store them."""
    return hashlib.sha256(f"{user_id}:{normalise_recovery(code)}".encode()).hexdigest()


def recovery_codes(count: int = 10) -> list[str]:
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(16))
        codes.append("-".join(raw[i:i + 4] for i in range(0, 16, 4)))
    return codes
