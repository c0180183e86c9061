from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from filters import Principal
from gateway.auth.tokens import TokenInvalid, TokenIssuer, generate_pem, load_key, principal_from

ALICE = Principal("alice", frozenset({"agent"}), mfa=True)


def issuer_with(*pems: bytes, ttl: float = 900) -> TokenIssuer:
    return TokenIssuer([load_key(p) for p in pems], "chatguard", "chat", ttl, leeway=60)


@pytest.fixture(params=["EdDSA", "ES256"])
def issuer(request: pytest.FixtureRequest) -> TokenIssuer:
    return issuer_with(generate_pem(request.param))


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_round_trip(issuer: TokenIssuer) -> None:
    claims = issuer.verify(issuer.issue(ALICE, "sid1"))
    assert claims["sid"] == "sid1"
    assert principal_from(claims) == ALICE
    assert jwt.get_unverified_header(issuer.issue(ALICE, "s"))["kid"] == issuer.current.kid


def _claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"iss": "chatguard", "aud": "chat", "sub": "mallory", "iat": now, "exp": now + 600,
              "sid": "s", "roles": ["admin"]}
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _forge(issuer: TokenIssuer, case: str) -> str:
    key = issuer.current
    sign = lambda claims, **kw: jwt.encode(claims, key.private, algorithm=key.algorithm,  # noqa: E731
                                           headers={"kid": key.kid}, **kw)
    good = sign(_claims())
    head, body, sig = good.split(".")
    if case == "alg_none":
        return f"{_b64({'alg': 'none', 'kid': key.kid, 'typ': 'JWT'})}.{_b64(_claims())}."
    if case == "hs256_with_public_key":
        public_pem = key.public.public_bytes(serialization.Encoding.PEM,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)
        import hashlib
        import hmac

        signing_input = f"{_b64({'alg': 'HS256', 'kid': key.kid})}.{_b64(_claims())}"
        mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
        return signing_input + "." + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
    if case == "expired":
        return sign(_claims(exp=int(time.time()) - 120, iat=int(time.time()) - 1000))
    if case == "missing_exp":
        return sign(_claims(exp=None))
    if case == "not_yet_valid":
        return sign(_claims(nbf=int(time.time()) + 600))
    if case == "wrong_issuer":
        return sign(_claims(iss="evil"))
    if case == "wrong_audience":
        return sign(_claims(aud="other"))
    if case == "unknown_kid":
        return jwt.encode(_claims(), key.private, algorithm=key.algorithm, headers={"kid": "nope"})
    if case == "no_kid":
        return jwt.encode(_claims(), key.private, algorithm=key.algorithm)
    if case == "foreign_key":
        other = load_key(generate_pem(key.algorithm))
        return jwt.encode(_claims(), other.private, algorithm=key.algorithm, headers={"kid": key.kid})
    if case == "tampered_payload":
        return f"{head}.{_b64(_claims(sub='root'))}.{sig}"
    if case == "tampered_signature":
        return f"{head}.{body}.{sig[:-4]}AAAA"
    if case == "garbage":
        return "not.a.jwt"
    raise AssertionError(case)


CASES = ["alg_none", "hs256_with_public_key", "expired", "missing_exp", "not_yet_valid", "wrong_issuer",
         "wrong_audience", "unknown_kid", "no_kid", "foreign_key", "tampered_payload", "tampered_signature",
         "garbage"]


@pytest.mark.parametrize("case", CASES)
def test_hostile_tokens_are_refused(issuer: TokenIssuer, case: str) -> None:
    with pytest.raises(TokenInvalid):
        issuer.verify(_forge(issuer, case))


def test_expiry_within_leeway_is_accepted(issuer: TokenIssuer) -> None:
    key = issuer.current
    token = jwt.encode(_claims(exp=int(time.time()) - 10), key.private, algorithm=key.algorithm,
                       headers={"kid": key.kid})
    assert issuer.verify(token)["sub"] == "mallory"


def test_rotation_keeps_previous_keys_for_verification(tmp_path: Path) -> None:
    old_pem, new_pem = generate_pem("ES256"), generate_pem("EdDSA")
    before = issuer_with(old_pem)
    old_token = before.issue(ALICE, "s")
    after = issuer_with(new_pem, old_pem)
    assert after.verify(old_token)["sub"] == "alice"
    assert jwt.get_unverified_header(after.issue(ALICE, "s"))["alg"] == "EdDSA"
    assert [k["kid"] for k in after.jwks()["keys"]] == [after.current.kid, before.current.kid]
    with pytest.raises(TokenInvalid):
        issuer_with(new_pem).verify(old_token)


def test_jwks_verifies_tokens_and_holds_no_private_parts(issuer: TokenIssuer) -> None:
    jwks = issuer.jwks()
    for entry in jwks["keys"]:
        assert "d" not in entry and entry["use"] == "sig"
    key = jwt.PyJWK(jwks["keys"][0])
    token = issuer.issue(ALICE, "s")
    assert jwt.decode(token, key, algorithms=[jwks["keys"][0]["alg"]], audience="chat")["sub"] == "alice"


def test_kid_is_stable_for_a_key() -> None:
    pem = generate_pem()
    assert load_key(pem).kid == load_key(pem).kid


@pytest.mark.parametrize("claims", [{"sub": "a", "roles": "admin"}, {"sub": "a", "amr": "otp"}])
def test_malformed_role_claims_are_refused(claims: dict[str, Any]) -> None:
    with pytest.raises(TokenInvalid):
        principal_from(claims)


def test_rsa_and_other_key_types_are_refused() -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    pem = rsa.generate_private_key(65537, 2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    with pytest.raises(ValueError):
        load_key(pem)
