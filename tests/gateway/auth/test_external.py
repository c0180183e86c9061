"""External issuers against a real JWKS server on loopback, with keys made here."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from gateway.auth.config import ExternalIssuer
from gateway.auth.external import ExternalIssuers
from gateway.auth.tokens import TokenInvalid

ISS = "https://idp.test"


@dataclass
class Provider:
    """A tiny identity provider: its keys, its JWKS document and how often it was fetched."""

    keys: dict[str, Any] = field(default_factory=dict)
    fetches: int = 0
    url: str = ""

    def add_key(self, kid: str, kind: str = "RS256") -> None:
        self.keys[kid] = rsa.generate_private_key(65537, 2048) if kind == "RS256" else ec.generate_private_key(
            ec.SECP256R1())

    def jwks(self) -> dict[str, Any]:
        entries = []
        for kid, key in self.keys.items():
            rsa_key = isinstance(key, rsa.RSAPrivateKey)
            entry = json.loads((RSAAlgorithm if rsa_key else ECAlgorithm).to_jwk(key.public_key()))
            entry.update(kid=kid, use="sig")
            entries.append(entry)
        return {"keys": entries}

    def token(self, kid: str, **claims: Any) -> str:
        now = int(time.time())
        body = {"iss": ISS, "aud": "chat", "sub": "u-1", "iat": now, "exp": now + 300, **claims}
        body = {k: v for k, v in body.items() if v is not None}
        key = self.keys[kid]
        alg = "RS256" if isinstance(key, rsa.RSAPrivateKey) else "ES256"
        return jwt.encode(body, key, algorithm=alg, headers={"kid": kid})


@pytest.fixture
async def provider() -> AsyncIterator[Provider]:
    idp = Provider()
    idp.add_key("k1")

    async def serve_jwks(request: web.Request) -> web.Response:
        idp.fetches += 1
        return web.json_response(idp.jwks())

    app = web.Application()
    app.router.add_get("/jwks", serve_jwks)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    idp.url = str(server.make_url("/jwks"))
    yield idp
    await server.close()


async def issuers_for(provider: Provider, **options: Any) -> ExternalIssuers:
    settings = ExternalIssuer(issuer=ISS, jwks_url=provider.url, audience="chat",
                              algorithms=frozenset({"RS256", "ES256"}), **options)
    verifier = ExternalIssuers((settings,))
    await verifier.start()
    return verifier


@pytest.fixture
async def external(provider: Provider) -> AsyncIterator[ExternalIssuers]:
    verifier = await issuers_for(provider, role_map={"chat-agents": "agent", "ops": "admin"})
    yield verifier
    await verifier.aclose()


async def test_keys_are_fetched_at_start(provider: Provider, external: ExternalIssuers) -> None:
    assert provider.fetches == 1


@pytest.mark.parametrize("claims,roles,mfa", [
    ({"roles": ["chat-agents"]}, {"agent"}, False),
    ({"groups": "ops chat-agents unknown", "amr": ["pwd", "otp"]}, {"agent", "admin"}, True),
    ({"roles": ["anonymous", "other"], "amr": ["hwk"]}, set(), True),
    ({"amr": ["pwd"]}, set(), False),
])
async def test_claims_map_to_roles_and_mfa(provider: Provider, external: ExternalIssuers,
                                           claims: dict[str, Any], roles: set[str], mfa: bool) -> None:
    principal = await external.verify(provider.token("k1", **claims))
    assert (principal.subject, principal.roles, principal.mfa) == ("u-1", frozenset(roles), mfa)


def _hs256_with_public_key(provider: Provider) -> str:
    """HMAC over the provider's public key: what an alg-confusion attack forges."""
    public = provider.keys["k1"].public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    head = jwt.utils.base64url_encode(json.dumps({"alg": "HS256", "kid": "k1"}).encode())
    body = jwt.utils.base64url_encode(json.dumps(
        {"iss": ISS, "aud": "chat", "sub": "x", "exp": int(time.time()) + 60}).encode())
    mac = hmac.new(public, head + b"." + body, hashlib.sha256).digest()
    return (head + b"." + body + b"." + jwt.utils.base64url_encode(mac)).decode()


@pytest.mark.parametrize("case", ["expired", "not_yet_valid", "wrong_audience", "wrong_issuer", "missing_exp",
                                  "alg_none", "hs256_public", "unknown_kid", "tampered"])
async def test_hostile_external_tokens(provider: Provider, external: ExternalIssuers, case: str) -> None:
    now = int(time.time())
    token = {
        "expired": lambda: provider.token("k1", exp=now - 120),
        "not_yet_valid": lambda: provider.token("k1", nbf=now + 600),
        "wrong_audience": lambda: provider.token("k1", aud="other"),
        "wrong_issuer": lambda: provider.token("k1", iss="https://evil.test"),
        "missing_exp": lambda: provider.token("k1", exp=None),
        "alg_none": lambda: jwt.encode({"iss": ISS, "aud": "chat", "sub": "x", "exp": now + 60}, None,
                                       algorithm="none", headers={"kid": "k1"}),
        "hs256_public": lambda: _hs256_with_public_key(provider),
        "unknown_kid": lambda: jwt.encode({"iss": ISS, "aud": "chat", "sub": "x", "exp": now + 60},
                                          provider.keys["k1"], algorithm="RS256", headers={"kid": "zz"}),
        "tampered": lambda: provider.token("k1")[:-6] + "AAAAAA",
    }[case]()
    with pytest.raises(TokenInvalid):
        await external.verify(token)


async def test_rotated_key_is_fetched_on_unknown_kid(provider: Provider) -> None:
    verifier = await issuers_for(provider, refetch_interval=0)
    try:
        provider.add_key("k2", "ES256")
        assert (await verifier.verify(provider.token("k2"))).subject == "u-1"
        assert provider.fetches == 2
    finally:
        await verifier.aclose()


async def test_refetch_is_rate_limited(provider: Provider, external: ExternalIssuers) -> None:
    provider.add_key("k9")
    forged = provider.token("k9")
    for _ in range(5):
        with pytest.raises(TokenInvalid):
            await external.verify(forged)
    assert provider.fetches == 1


async def test_algorithm_must_be_allowed_for_the_issuer(provider: Provider) -> None:
    provider.add_key("ec", "ES256")
    settings = ExternalIssuer(issuer=ISS, jwks_url=provider.url, audience="chat", algorithms=frozenset({"RS256"}))
    verifier = ExternalIssuers((settings,))
    await verifier.start()
    try:
        with pytest.raises(TokenInvalid):
            await verifier.verify(provider.token("ec"))
    finally:
        await verifier.aclose()


async def test_unreachable_provider_fails_closed() -> None:
    settings = ExternalIssuer(issuer=ISS, jwks_url="http://127.0.0.1:9/jwks", audience="chat")
    verifier = ExternalIssuers((settings,), timeout=2)
    await verifier.start()
    try:
        idp = Provider()
        idp.add_key("k1")
        with pytest.raises(TokenInvalid):
            await verifier.verify(idp.token("k1"))
    finally:
        await verifier.aclose()
