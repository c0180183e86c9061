"""Step 3, who is calling: a token's identity, else a client certificate's, else anonymous; bad
credentials are refused, never taken for anonymous."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from filters import ANONYMOUS, Principal
from gateway.auth import AUTH, AuthError
from gateway.edge.authn import authenticate, backend_identity
from gateway.keys import RUNTIME
from tests.helpers import RunningGateway, auth_settings, run_gateway


def config(tmp_path: Path, **auth: Any) -> dict[str, Any]:
    return {
        "upstreams": {"up": {"url": "http://127.0.0.1:9"}},
        "logging": {"access_log": False},
        "auth": auth_settings(tmp_path, **auth),
        "routes": [{"name": "chat", "match": {"path": "/chat"}, "upstream": "up", "allow": ["agent"]}],
    }


async def who(gw: RunningGateway, headers: dict[str, str]) -> Any:
    runtime = gw.app[RUNTIME].current
    request = make_mocked_request("GET", "/chat", headers=headers, app=gw.app)
    return await authenticate(request, runtime, runtime.plans["chat"])


async def issued_token(gw: RunningGateway) -> str:
    service = gw.app[AUTH]
    await service.store.add_user("ann", await service.passwords.hash("a long enough secret"), frozenset({"agent"}))
    async with aiohttp.ClientSession() as client, \
            client.post(f"{gw.url}/auth/login", json={"username": "ann", "password": "a long enough secret"}) as r:
        assert r.status == 200
        token: str = (await r.json())["access_token"]
        return token


async def test_a_gateway_token_names_its_subject_session_and_expiry(tmp_path: Path) -> None:
    async with run_gateway(config(tmp_path)) as gw:
        token = await issued_token(gw)
        identity = await who(gw, {"Authorization": f"Bearer {token}"})
        assert identity.principal.subject == "ann" and "agent" in identity.principal.roles
        assert identity.session_id and identity.expires > 0


async def test_no_credentials_is_anonymous(tmp_path: Path) -> None:
    async with run_gateway(config(tmp_path)) as gw:
        identity = await who(gw, {})
        assert identity.principal.anonymous and identity.session_id is None


@pytest.mark.parametrize("headers", [
    {"Authorization": "Bearer not-a-token"},
    {"Authorization": "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbm4ifQ."},  # alg none, never accepted
])
async def test_bad_credentials_are_refused_not_taken_for_anonymous(tmp_path: Path, headers: dict[str, str]) -> None:
    async with run_gateway(config(tmp_path)) as gw:
        with pytest.raises(AuthError) as refused:
            await who(gw, headers)
        assert refused.value.status in (400, 401)


async def test_without_the_built_in_login_every_caller_is_anonymous() -> None:
    settings = {"upstreams": {"up": {"url": "http://127.0.0.1:9"}}, "logging": {"access_log": False},
                "routes": [{"name": "chat", "match": {"path": "/chat"}, "upstream": "up", "allow": ["anonymous"]}]}
    async with run_gateway(settings) as gw:
        identity = await who(gw, {"Authorization": "Bearer whatever"})
        assert identity.principal.anonymous


def test_the_backend_learns_who_called_but_not_from_an_anonymous_caller() -> None:
    request = make_mocked_request("GET", "/chat", app=web.Application())
    headers = backend_identity(request, Principal("ann", frozenset({"agent", "admin"})), "up")
    assert headers == {"X-Chatguard-Subject": "ann", "X-Chatguard-Roles": "admin,agent"}
    assert backend_identity(request, ANONYMOUS, "up") == {}
