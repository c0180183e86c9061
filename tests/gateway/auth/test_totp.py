from __future__ import annotations

import os
import time

import pyotp
import pytest

from gateway.auth import totp
from gateway.auth.state import MemoryAuthState


def test_secret_box_round_trip_and_binding() -> None:
    box = totp.SecretBox(os.urandom(32))
    sealed = box.seal("JBSWY3DPEHPK3PXP", "u1")
    assert b"JBSWY3DP" not in sealed
    assert box.open(sealed, "u1") == "JBSWY3DPEHPK3PXP"
    with pytest.raises(ValueError):
        box.open(sealed, "u2")
    with pytest.raises(ValueError):
        box.open(sealed[:-1] + bytes([sealed[-1] ^ 1]), "u1")
    with pytest.raises(ValueError):
        totp.SecretBox(os.urandom(32)).open(sealed, "u1")


def test_enrolment_gives_uri_and_inline_qr() -> None:
    new = totp.enrolment("alice", "chatguard")
    assert new.uri.startswith("otpauth://totp/chatguard:alice?") and f"secret={new.secret}" in new.uri
    assert new.qr_svg.startswith("data:image/svg+xml") and new.qr_png.startswith("data:image/png;base64,")


@pytest.mark.parametrize("offset,accepted", [(-2, False), (-1, True), (0, True), (1, True), (2, False)])
def test_codes_within_one_step_are_accepted(offset: int, accepted: bool) -> None:
    secret = pyotp.random_base32()
    now = 1_700_000_015.0
    code = pyotp.TOTP(secret).at(now + offset * 30)
    step = totp.matching_step(secret, code, 1, now)
    assert (step is not None) == accepted


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "١٢٣٤٥٦", " 123456"])
def test_malformed_codes_are_refused(code: str) -> None:
    assert totp.matching_step(pyotp.random_base32(), code) is None


async def test_each_code_is_accepted_once_per_user() -> None:
    state, secret = MemoryAuthState(), pyotp.random_base32()
    code = pyotp.TOTP(secret).at(time.time())
    assert await totp.accept_code(state, "u1", secret, code)
    assert not await totp.accept_code(state, "u1", secret, code)
    assert await totp.accept_code(state, "u2", secret, code)


def test_recovery_codes_are_unique_and_hash_normalised() -> None:
    codes = totp.recovery_codes(10)
    assert len(set(codes)) == 10
    assert totp.recovery_hash("u", codes[0]) == totp.recovery_hash("u", codes[0].upper().replace("-", " "))
    assert totp.recovery_hash("u", codes[0]) != totp.recovery_hash("v", codes[0])
