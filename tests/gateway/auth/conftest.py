"""Fixtures: keys on disk, a fast-hashing config, a SQLite store and `/auth/*` on a loopback server."""

from __future__ import annotations

import base64
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pyotp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from gateway.auth.config import AuthSettings, JwtSettings, LockoutSettings, RateLimitSettings, TotpSettings
from gateway.auth.routes import AuthRoutes
from gateway.auth.service import AuthService
from gateway.auth.state import MemoryAuthState
from gateway.auth.tokens import generate_pem


@pytest.fixture
def key_files(tmp_path: Path) -> list[str]:
    paths = []
    for name, algorithm in (("current.pem", "EdDSA"), ("previous.pem", "ES256")):
        path = tmp_path / name
        path.write_bytes(generate_pem(algorithm))
        paths.append(str(path))
    return paths


@pytest.fixture
def make_settings(tmp_path: Path, key_files: list[str]) -> Callable[..., AuthSettings]:
    def make(**overrides: Any) -> AuthSettings:
        values: dict[str, Any] = {
            "store": f"sqlite://{tmp_path}/users.db",
            "jwt": JwtSettings(signing_keys=(key_files[0],)),
            "totp": TotpSettings(encryption_key=base64.b64encode(os.urandom(32)).decode(),
                                 required_roles=frozenset({"admin"})),
            "lockout": LockoutSettings(pair_failures=3, pair_lock=60, user_failures=50),
            "rate_limit": RateLimitSettings(requests=1000, window=60),
            "argon2_time_cost": 1, "argon2_memory_kib": 1024,
        }
        values.update(overrides)
        return AuthSettings(**values)

    return make


@pytest.fixture
async def service(make_settings: Callable[..., AuthSettings]) -> AsyncIterator[AuthService]:
    auth = AuthService.from_settings(make_settings(), MemoryAuthState())
    await auth.start()
    yield auth
    await auth.aclose()


async def serve(auth: AuthService) -> TestClient[Any, Any]:
    app = web.Application()
    app.add_routes(AuthRoutes(auth).routes())
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    return client


@pytest.fixture
async def client(service: AuthService) -> AsyncIterator[TestClient[Any, Any]]:
    http = await serve(service)
    yield http
    await http.close()


async def add_user(auth: AuthService, name: str = "alice", password: str = "correct horse",  # noqa: S107
                   roles: frozenset[str] = frozenset({"agent"})) -> None:
    await auth.store.add_user(name, await auth.passwords.hash(password), roles)


def secret_of(uri: str) -> str:
    return parse_qs(urlparse(uri).query)["secret"][0]


def code_at(secret: str, offset_steps: int = 0) -> str:
    import time

    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)
