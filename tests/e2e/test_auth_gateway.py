"""Authentication through the running gateway: login, role-gated routes, bad tokens, WebSocket tokens."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import jwt
import pytest
import yaml
from aiohttp import web

from gateway.auth import AUTH
from gateway.server import reload
from tests.helpers import RunningGateway, auth_settings, run_gateway, serve_app


@pytest.fixture
async def backend() -> AsyncIterator[str]:
    async def echo(request: web.Request) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            ws = web.WebSocketResponse()
            await ws.prepare(request)
            async for message in ws:
                await ws.send_str(f"echo {message.data}")
            return ws
        return web.json_response({"path": request.path})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", echo)
    async with serve_app(app) as url:
        yield url


def config(tmp_path: Path, upstream: str) -> dict[str, Any]:
    return {
        "upstreams": {"up": {"url": upstream}},
        "logging": {"access_log": False},
        "auth": auth_settings(tmp_path),
        "routes": [
            {"name": "public", "match": {"path": "/public"}, "upstream": "up", "allow": ["anonymous"]},
            {"name": "agents", "match": {"path": "/agents/{rest:path}"}, "upstream": "up", "allow": ["agent"]},
            {"name": "ws", "match": {"path": "/ws", "websocket": True}, "upstream": "up", "allow": ["agent"]},
        ],
    }


async def add_user(gw: RunningGateway, name: str, password: str, roles: set[str]) -> None:
    service = gw.app[AUTH]
    await service.store.add_user(name, await service.passwords.hash(password), frozenset(roles))


async def login(client: aiohttp.ClientSession, gw: RunningGateway, name: str, password: str) -> str:
    async with client.post(f"{gw.url}/auth/login", json={"username": name, "password": password}) as resp:
        assert resp.status == 200, await resp.text()
        body = await resp.json()
    token: str = body["access_token"]
    return token


async def test_roles_gate_routes_over_real_http(tmp_path: Path, backend: str) -> None:
    async with run_gateway(config(tmp_path, backend)) as gw, aiohttp.ClientSession() as client:
        await add_user(gw, "ann", "correct horse battery", {"agent"})
        await add_user(gw, "vic", "another good secret", {"visitor"})
        async with client.get(f"{gw.url}/agents/queue") as resp:
            assert resp.status == 401
        agent = await login(client, gw, "ann", "correct horse battery")
        visitor = await login(client, gw, "vic", "another good secret")
        async with client.get(f"{gw.url}/agents/queue", headers={"Authorization": f"Bearer {agent}"}) as resp:
            assert resp.status == 200
            assert await resp.json() == {"path": "/agents/queue"}
        async with client.get(f"{gw.url}/agents/queue", headers={"Authorization": f"Bearer {visitor}"}) as resp:
            assert resp.status == 403
        async with client.get(f"{gw.url}/public", headers={"Authorization": f"Bearer {visitor}"}) as resp:
            assert resp.status == 200  # public routes are open to signed-in callers too
        async with client.get(f"{gw.url}/public") as resp:
            assert resp.status == 200
        async with client.get(f"{gw.url}/.well-known/jwks.json") as resp:
            assert (await resp.json())["keys"]


@pytest.mark.parametrize("forge", ["none", "tampered", "garbage", "hs256"])
async def test_forged_tokens_are_refused(tmp_path: Path, backend: str, forge: str) -> None:
    async with run_gateway(config(tmp_path, backend)) as gw, aiohttp.ClientSession() as client:
        await add_user(gw, "vic", "another good secret", {"visitor"})
        real = await login(client, gw, "vic", "another good secret")
        claims = jwt.decode(real, options={"verify_signature": False})
        claims["roles"] = ["agent"]
        if forge == "none":
            token = jwt.encode(claims, key=None, algorithm="none")
        elif forge == "tampered":
            head, _, sig = real.split(".")
            body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
            token = f"{head}.{body}.{sig}"
        elif forge == "hs256":
            token = jwt.encode(claims, key="a-guessed-shared-secret-of-32-bytes!", algorithm="HS256",
                               headers={"kid": jwt.get_unverified_header(real).get("kid")})
        else:
            token = "not.a.token"
        async with client.get(f"{gw.url}/agents/queue", headers={"Authorization": f"Bearer {token}"}) as resp:
            assert resp.status in (400, 401)
            body = await resp.json()
            assert set(body) == {"error", "request_id"}


async def test_websocket_needs_a_token(tmp_path: Path, backend: str) -> None:
    async with run_gateway(config(tmp_path, backend)) as gw, aiohttp.ClientSession() as client:
        await add_user(gw, "ann", "correct horse battery", {"agent"})
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await client.ws_connect(f"{gw.url}/ws")
        assert refused.value.status == 401
        token = await login(client, gw, "ann", "correct horse battery")
        async with client.ws_connect(f"{gw.url}/ws?access_token={token}") as ws:
            await ws.send_str("hi")
            assert (await ws.receive()).data == "echo hi"


async def test_logout_closes_open_websockets_of_that_session(tmp_path: Path, backend: str) -> None:
    async with run_gateway(config(tmp_path, backend)) as gw, aiohttp.ClientSession() as client:
        await add_user(gw, "ann", "correct horse battery", {"agent"})
        token = await login(client, gw, "ann", "correct horse battery")
        other = await login(client, gw, "ann", "correct horse battery")  # a second session of the same user
        async with client.ws_connect(f"{gw.url}/ws?access_token={token}") as ws, \
                client.ws_connect(f"{gw.url}/ws?access_token={other}") as kept:
            await ws.send_str("before")
            assert (await ws.receive()).data == "echo before"
            async with client.post(f"{gw.url}/auth/logout", headers={"Authorization": f"Bearer {token}"}) as resp:
                assert resp.status == 200
            closing = await ws.receive(timeout=15)  # the sweeper runs every few seconds
            # The frame the gateway sent: the sweeper closes while the relay reads, and the client's own
            # close_code can read 1006 when the connection ends before its answering close frame.
            assert closing.type is aiohttp.WSMsgType.CLOSE and closing.data == 1008
            await kept.send_str("still here")
            assert (await kept.receive()).data == "echo still here"
        async with client.get(f"{gw.url}/agents/x", headers={"Authorization": f"Bearer {token}"}) as resp:
            assert resp.status == 401


async def test_store_down_with_on_error_closed_answers_503_not_500(tmp_path: Path, backend: str) -> None:
    """Lockouts, rate limits and revocations cannot be checked: sign-in and tokens get 503 + Retry-After."""
    from filters import Principal
    from tests.gateway.state._redis import closed_port

    cfg = config(tmp_path, backend)
    cfg["state"] = {"backend": "redis", "url": f"redis://127.0.0.1:{closed_port()}/0", "timeout": "0.5s"}
    async with run_gateway(cfg) as gw, aiohttp.ClientSession() as client:
        await add_user(gw, "ann", "correct horse battery", {"agent"})
        async with client.post(f"{gw.url}/auth/login", json={"username": "ann",
                                                             "password": "correct horse battery"}) as resp:
            assert resp.status == 503 and resp.headers["Retry-After"] == "5"
            assert await resp.json() == {"error": "service unavailable"}
        async with client.get(f"{gw.url}/auth/page/login") as resp:
            assert resp.status == 503 and resp.headers["Retry-After"] == "5"
        token = gw.app[AUTH].issuer.issue(Principal(subject="ann", roles=frozenset({"agent"})), "sid-1", {})
        async with client.get(f"{gw.url}/agents/queue", headers={"Authorization": f"Bearer {token}"}) as resp:
            assert resp.status == 503 and (await resp.json())["error"] == "service unavailable"


async def test_sign_in_limits_count_clients_as_the_reloaded_config_says(tmp_path: Path, backend: str,
                                                                       caplog: pytest.LogCaptureFixture) -> None:
    """`clients:` changed by a reload decides who one client is for the sign-in limits too, as it does for
    the proxied routes' limits and the connection caps: the limits kept the prefixes read at start. The
    `auth:` section itself waits for a restart, and a reload that changes it says so."""
    cfg = {**config(tmp_path, backend), "trusted_proxies": ["127.0.0.1/32"], "clients": {"ipv4_prefix": 32}}
    cfg["auth"]["rate_limit"] = {"requests": 2, "window": "10m"}
    path = tmp_path / "chatguard.yaml"
    path.write_text(yaml.safe_dump(cfg))

    async def attempts(client: aiohttp.ClientSession, url: str, network: str) -> list[int]:
        statuses = []
        for host in (1, 2, 3):
            async with client.post(f"{url}/auth/login", json={"username": f"u{host}", "password": "wrong"},
                                   headers={"X-Forwarded-For": f"{network}.{host}"}) as resp:
                statuses.append(resp.status)
        return statuses

    async with run_gateway(cfg, source=str(path)) as gw, aiohttp.ClientSession() as client:
        assert await attempts(client, gw.url, "10.1.0") == [401, 401, 401]  # three clients, one attempt each
        cfg["clients"] = {"ipv4_prefix": 16}
        path.write_text(yaml.safe_dump(cfg))
        assert await reload(gw.app, str(path))
        assert await attempts(client, gw.url, "10.2.0") == [401, 401, 429]  # one client of the /16 now
        assert "auth settings take effect after a restart" not in caplog.text
        cfg["auth"]["rate_limit"] = {"requests": 3, "window": "10m"}
        path.write_text(yaml.safe_dump(cfg))
        assert await reload(gw.app, str(path))
        assert "auth settings take effect after a restart" in caplog.text
