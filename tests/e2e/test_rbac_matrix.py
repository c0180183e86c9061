"""Policy matrix through the running gateway: roles x routes x methods -> status, HTTP and WebSocket."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest

from filters import Principal
from gateway.auth import AUTH
from tests.e2e.test_auth_gateway import backend, config  # noqa: F401 (fixture)
from tests.helpers import RunningGateway, run_gateway

ROUTES: list[dict[str, Any]] = [
    {"name": "public", "match": {"path": "/public"}, "upstream": "up", "allow": ["anonymous"]},
    {"name": "queue", "match": {"path": "/queue"}, "upstream": "up", "allow": ["agent"],
     "methods_allow": {"DELETE": ["admin"]}, "deny": ["suspended"]},
    {"name": "billing", "match": {"path": "/billing"}, "upstream": "up", "allow": ["unmask:card"],
     "mfa": "required"},
    {"name": "ws", "match": {"path": "/ws", "websocket": True}, "upstream": "up", "allow": ["agent"]},
]
ROLES = {"visitor": {}, "suspended": {}, "agent": {"inherits": ["visitor"]},
         "billing": {"inherits": ["agent"], "permissions": ["unmask:card"]}, "admin": {"inherits": ["billing"]}}

MATRIX = [
    # roles, mfa, method, path, status
    (None, False, "GET", "/public", 200),
    (None, False, "GET", "/queue", 401),
    ({"visitor"}, False, "GET", "/queue", 403),
    ({"agent"}, False, "GET", "/queue", 200),
    ({"agent"}, False, "DELETE", "/queue", 403),
    ({"admin"}, False, "DELETE", "/queue", 200),           # admin inherits agent
    ({"agent", "suspended"}, False, "GET", "/queue", 403),  # deny wins
    ({"agent"}, True, "GET", "/billing", 403),
    ({"billing"}, False, "GET", "/billing", 401),           # step-up required
    ({"billing"}, True, "GET", "/billing", 200),
]


async def token(gw: RunningGateway, roles: set[str], mfa: bool) -> str:
    service = gw.app[AUTH]
    user = await service.store.add_user(f"u{len(await service.store.list_users())}", "x", frozenset(roles))
    session_id, _ = await service.sessions.start(user.id, mfa)
    return service.issuer.issue(Principal(user.username, frozenset(roles), mfa=mfa), session_id, {"uid": user.id})


def rbac_config(tmp_path: Path, upstream: str) -> dict[str, Any]:
    return {**config(tmp_path, upstream), "roles": ROLES, "routes": ROUTES}


async def test_http_matrix(tmp_path: Path, backend: str) -> None:  # noqa: F811
    async with run_gateway(rbac_config(tmp_path, backend)) as gw, aiohttp.ClientSession() as client:
        for roles, mfa, method, path, status in MATRIX:
            headers = {"Authorization": f"Bearer {await token(gw, roles, mfa)}"} if roles else {}
            async with client.request(method, f"{gw.url}{path}", headers=headers) as resp:
                assert resp.status == status, (roles, mfa, method, path)
                if status == 401 and roles:
                    assert (await resp.json())["error"] == "step-up required"


@pytest.mark.parametrize(("roles", "status"), [(None, 401), ({"visitor"}, 403), ({"admin"}, 101)])
async def test_websocket_matrix(tmp_path: Path, backend: str, roles: set[str] | None,  # noqa: F811
                                status: int) -> None:
    async with run_gateway(rbac_config(tmp_path, backend)) as gw, aiohttp.ClientSession() as client:
        headers = {"Authorization": f"Bearer {await token(gw, roles, False)}"} if roles else {}
        try:
            async with client.ws_connect(f"{gw.url}/ws", headers=headers) as ws:
                await ws.send_str("hi")
                assert (await ws.receive()).data == "echo hi"
                got = 101
        except aiohttp.WSServerHandshakeError as refused:
            got = refused.status
        assert got == status
