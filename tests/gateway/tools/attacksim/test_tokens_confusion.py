"""The key-confusion probe against a verifier that takes HS256 with its public key as the secret.

The gateway cannot be configured that way (its algorithm lists refuse HS256), so the weak target
here is a small verifier written the way vulnerable ones are: it trusts the token's `alg` and uses
its one key, the public one, for whatever algorithm that names.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from yarl import URL

from gateway.config.settings import parse_settings
from gateway.tools.attacksim.runner import plan
from gateway.tools.attacksim.safety import Pace
from gateway.tools.attacksim.session import Options, Session
from tests.helpers import serve_app

PRIVATE = ec.generate_private_key(ec.SECP256R1())
PEM = PRIVATE.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
CONFIG = {"upstreams": {"up": {"url": "http://127.0.0.1:9"}},
          "routes": [{"name": "agent", "match": {"path": "/api/agent"}, "upstream": "up", "allow": ["agent"]}]}


def _jwk() -> dict[str, str]:
    numbers = PRIVATE.public_key().public_numbers()

    def b64(n: int) -> str:
        return base64.urlsafe_b64encode(n.to_bytes(32, "big")).rstrip(b"=").decode()
    return {"kty": "EC", "crv": "P-256", "x": b64(numbers.x), "y": b64(numbers.y), "kid": "k1", "alg": "ES256"}


def _naive_ok(token: str) -> bool:
    try:
        head, body, signature = token.split(".")
        header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except ValueError:
        return False
    if header.get("alg") != "HS256":
        return False  # (it would verify ES256 properly)
    expected = hmac.new(PEM, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return hmac.compare_digest(base64.urlsafe_b64encode(expected).rstrip(b"=").decode(), signature)


async def _handle(request: web.Request) -> web.Response:
    if request.path == "/.well-known/jwks.json":
        return web.json_response({"keys": [_jwk()]})
    token = request.headers.get("Authorization", "").removeprefix("Bearer ")
    return web.json_response({"ok": True}) if _naive_ok(token) else web.json_response({"error": "no"}, status=401)


async def _refuse(request: web.Request) -> web.Response:
    return web.json_response({"error": "no"}, status=401)


@pytest.mark.parametrize(("confused", "outcome"), [(True, "failed"), (False, "skipped")])
async def test_key_confusion_is_caught(confused: bool, outcome: str) -> None:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", _handle if confused else _refuse)
    settings = parse_settings(CONFIG, environ={})
    (probe,) = [p for p in plan(settings) if p.id == "jwt.hs256-public-key.agent"]
    async with serve_app(app) as url, Session(URL(url), settings, Pace(50, 30), Options()) as session:
        result = await probe.run(session)
    assert result.outcome == outcome, result  # without a published key there is nothing to confuse
