"""Token carriage and identity for the backend, through the running gateway over real sockets.

The backend records what it was sent: gateway credentials must never arrive, the backend's
own tokens must arrive untouched, and identity headers must be the gateway's, not a client's.
"""

from __future__ import annotations

import base64
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import jwt
import pytest
from aiohttp import web

from gateway.auth import AUTH
from gateway.auth.tokens import generate_pem
from tests.helpers import RunningGateway, run_gateway, serve_app

WHOAMI = "/_matrix/client/v3/account/whoami"
SPOOF = {"X-Chatguard-Subject": "admin", "X-Chatguard-Roles": "admin", "X-Chatguard-Assertion": "forged"}


class Recorder:
    """A backend keeping each request's raw path and headers; WebSockets pick `xmpp` and echo."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, dict[str, list[str]]]] = []

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if request.path == WHOAMI:
            user = {"Bearer syt_ann": "@ann:x"}.get(request.headers.get("Authorization", ""))
            return web.json_response({"user_id": user} if user else {}, status=200 if user else 401)
        headers: dict[str, list[str]] = {}
        for name, value in request.headers.items():
            headers.setdefault(name.lower(), []).append(value)
        self.seen.append((request.raw_path, headers))
        if request.headers.get("Upgrade", "").lower() == "websocket":
            ws = web.WebSocketResponse(protocols=("xmpp",))
            await ws.prepare(request)
            async for message in ws:
                await ws.send_str(f"echo {message.data}")
            return ws
        return web.json_response({})

    def last(self) -> tuple[str, dict[str, list[str]]]:
        return self.seen[-1]


@pytest.fixture
async def recorder() -> AsyncIterator[tuple[Recorder, str]]:
    backend = Recorder()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", backend.handle)
    async with serve_app(app) as url:
        yield backend, url


def config(tmp_path: Path, upstream: str) -> dict[str, Any]:
    key = tmp_path / "signing.pem"
    key.write_bytes(generate_pem("EdDSA"))
    return {
        "upstreams": {"up": {"url": upstream}},
        "logging": {"access_log": False},
        "roles": {"visitor": {}, "agent": {"inherits": ["visitor"]}},
        "auth": {
            "store": f"sqlite://{tmp_path}/users.db",
            "jwt": {"signing_keys": [str(key)]},
            "totp": {"encryption_key": base64.b64encode(os.urandom(32)).decode()},
            "argon2_time_cost": 1, "argon2_memory_kib": 1024,
            "visitors": {"enabled": True, "ttl": "5m"},
            "delegates": [{"routes": ["legacy*"], "path": WHOAMI, "roles_by_user": {"@ann:x": ["agent"]}}],
        },
        "routes": [
            {"name": "public", "match": {"path": "/public"}, "upstream": "up", "allow": ["anonymous"]},
            {"name": "agents", "match": {"path": "/agents"}, "upstream": "up", "allow": ["agent"]},
            {"name": "widget", "match": {"path": "/widget"}, "upstream": "up", "allow": ["visitor"]},
            {"name": "ws", "match": {"path": "/ws", "websocket": True}, "upstream": "up", "allow": ["agent"]},
            {"name": "legacy", "match": {"path": "/legacy"}, "upstream": "up", "allow": ["agent"]},
        ],
    }


async def agent_token(gw: RunningGateway, client: aiohttp.ClientSession) -> str:
    service = gw.app[AUTH]
    await service.store.add_user("ann", await service.passwords.hash("correct horse battery"),
                                 frozenset({"agent"}))
    async with client.post(f"{gw.url}/auth/login", json={"username": "ann", "password": "correct horse battery"}) as r:
        token: str = (await r.json())["access_token"]
    return token


@pytest.fixture
async def gateway(tmp_path: Path, recorder: tuple[Recorder, str]) -> AsyncIterator[RunningGateway]:
    async with run_gateway(config(tmp_path, recorder[1])) as gw:
        yield gw


async def test_bearer_is_replaced_by_signed_identity(gateway: RunningGateway, recorder: tuple[Recorder, str]) -> None:
    async with aiohttp.ClientSession() as client:
        token = await agent_token(gateway, client)
        async with client.get(f"{gateway.url}/agents", headers={"Authorization": f"Bearer {token}", **SPOOF}) as r:
            assert r.status == 200
        async with client.get(f"{gateway.url}/.well-known/jwks.json") as r:
            jwks = jwt.PyJWKSet.from_dict(await r.json())
    _, seen = recorder[0].last()
    assert "authorization" not in seen
    assert seen["x-chatguard-subject"] == ["ann"]
    assert seen["x-chatguard-roles"] == ["agent,anonymous,visitor"]  # expanded (`inherits`; everyone is anonymous too)
    [assertion] = seen["x-chatguard-assertion"]
    key = jwks[jwt.get_unverified_header(assertion)["kid"]]
    claims = jwt.decode(assertion, key.key, algorithms=[key.algorithm_name], audience="up", issuer="chatguard")
    assert claims["sub"] == "ann" and claims["exp"] - claims["iat"] <= 60 and "sid" not in claims
    with pytest.raises(jwt.InvalidAudienceError):
        jwt.decode(assertion, key.key, algorithms=[key.algorithm_name], audience="chatguard")


async def test_anonymous_spoofed_identity_never_arrives(gateway: RunningGateway,
                                                        recorder: tuple[Recorder, str]) -> None:
    async with aiohttp.ClientSession() as client, client.get(f"{gateway.url}/public", headers=SPOOF) as r:
        assert r.status == 200
    _, seen = recorder[0].last()
    assert not [name for name in seen if name.startswith("x-chatguard-")]


async def test_session_cookie_is_kept_from_the_backend(gateway: RunningGateway,
                                                       recorder: tuple[Recorder, str]) -> None:
    async with aiohttp.ClientSession() as client:
        token = await agent_token(gateway, client)
        cookie = f"theme=dark; chatguard_session={token}"
        async with client.get(f"{gateway.url}/agents", headers={"Cookie": cookie}) as r:
            assert r.status == 200
    _, seen = recorder[0].last()
    assert seen["cookie"] == ["theme=dark"] and seen["x-chatguard-subject"] == ["ann"]


async def test_backend_query_token_is_left_alone(gateway: RunningGateway, recorder: tuple[Recorder, str]) -> None:
    async with aiohttp.ClientSession() as client, \
            client.get(f"{gateway.url}/public?access_token=syt_matrix&since=s1") as r:
        assert r.status == 200
    assert recorder[0].last()[0] == "/public?access_token=syt_matrix&since=s1"


async def test_websocket_credentials_are_removed_other_protocols_kept(
        gateway: RunningGateway, recorder: tuple[Recorder, str]) -> None:
    async with aiohttp.ClientSession() as client:
        token = await agent_token(gateway, client)
        async with client.ws_connect(f"{gateway.url}/ws?room=1&access_token={token}", protocols=("xmpp",)) as ws:
            assert ws.protocol == "xmpp"
            await ws.send_str("hi")
            assert (await ws.receive()).data == "echo hi"
        raw_path, seen = recorder[0].last()
        assert raw_path == "/ws?room=1" and seen["x-chatguard-subject"] == ["ann"]
        async with client.ws_connect(f"{gateway.url}/ws", protocols=(f"chatguard.bearer.{token}", "xmpp")) as ws:
            assert ws.protocol == "xmpp"
        _, seen = recorder[0].last()
        assert seen["sec-websocket-protocol"] == ["xmpp"]
        assert token not in repr(seen)


async def test_a_bearer_only_offer_is_answered_with_it_when_the_backend_picks_none(
        gateway: RunningGateway, recorder: tuple[Recorder, str]) -> None:
    async with aiohttp.ClientSession() as client:
        token = await agent_token(gateway, client)
        # Browsers fail a handshake whose answer names none of their offered protocols.
        async with client.ws_connect(f"{gateway.url}/ws", protocols=(f"chatguard.bearer.{token}",)) as ws:
            assert ws.protocol == f"chatguard.bearer.{token}"
            await ws.send_str("hi")
            assert (await ws.receive()).data == "echo hi"
        _, seen = recorder[0].last()
        assert "sec-websocket-protocol" not in seen and token not in repr(seen)


async def test_two_different_gateway_tokens_are_400(gateway: RunningGateway) -> None:
    async with aiohttp.ClientSession() as client:
        first = await agent_token(gateway, client)
        async with client.post(f"{gateway.url}/auth/visitor") as r:
            second = (await r.json())["access_token"]
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await client.ws_connect(f"{gateway.url}/ws?access_token={first}", protocols=(f"chatguard.bearer.{second}",))
        assert refused.value.status == 400


async def test_visitor_token_reaches_visitor_routes_only(gateway: RunningGateway,
                                                         recorder: tuple[Recorder, str]) -> None:
    async with aiohttp.ClientSession() as client:
        async with client.post(f"{gateway.url}/auth/visitor") as r:
            answer = await r.json()
        bearer = {"Authorization": f"Bearer {answer['access_token']}"}
        async with client.post(f"{gateway.url}/widget", headers=bearer) as r:
            assert r.status == 200
        assert recorder[0].last()[1]["x-chatguard-subject"] == [answer["subject"]]
        async with client.get(f"{gateway.url}/agents", headers=bearer) as r:
            assert r.status == 403


@pytest.mark.parametrize(("token", "status"), [("syt_ann", 200), ("syt_forged", 401)])
async def test_delegated_route_trusts_the_backend_about_its_own_token(
        gateway: RunningGateway, recorder: tuple[Recorder, str], token: str, status: int) -> None:
    async with aiohttp.ClientSession() as client, \
            client.get(f"{gateway.url}/legacy", headers={"Authorization": f"Bearer {token}", **SPOOF}) as r:
        assert r.status == status
    if status == 200:
        _, seen = recorder[0].last()
        assert seen["authorization"] == ["Bearer syt_ann"]  # the backend's own token goes on untouched
        assert seen["x-chatguard-subject"] == ["@ann:x"] and seen["x-chatguard-roles"] == ["agent,anonymous,visitor"]


async def test_delegation_fails_closed_when_the_backend_is_down(tmp_path: Path) -> None:
    async with run_gateway(config(tmp_path, "http://127.0.0.1:9")) as gw, aiohttp.ClientSession() as client, \
            client.get(f"{gw.url}/legacy", headers={"Authorization": "Bearer syt_ann"}) as r:
        assert r.status == 503


async def test_unknown_bearer_on_other_routes_is_still_refused(gateway: RunningGateway) -> None:
    async with aiohttp.ClientSession() as client, \
            client.get(f"{gateway.url}/public", headers={"Authorization": "Bearer syt_ann"}) as r:
        assert r.status == 401
