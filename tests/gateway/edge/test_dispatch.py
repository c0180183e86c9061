"""The dispatcher: each step refuses in the order a request meets it, and nothing leaks past a refusal.

A real gateway on loopback in front of a real upstream that counts what reaches it: the point of the
order is that a request refused at one step never costs the later ones (no token check for a path that
matches no route, no store call for a request without a route) and never reaches the backend.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from gateway.access.shield import address_key
from gateway.auth import AUTH
from gateway.edge.dispatch import _conversation
from gateway.keys import METRICS, RUNTIME, STATE
from tests.helpers import RunningGateway, auth_settings, run_gateway, serve_app


@pytest.fixture
async def upstream() -> AsyncIterator[tuple[list[str], str]]:
    reached: list[str] = []

    async def record(request: web.Request) -> web.Response:
        reached.append(request.path)
        return web.json_response({"path": request.path})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", record)
    async with serve_app(app) as url:
        yield reached, url


def config(tmp_path: Path, upstream: str) -> dict[str, Any]:
    return {
        "upstreams": {"up": {"url": upstream}, "gone": {"url": "http://127.0.0.1:9"}},
        "logging": {"access_log": False},
        "shield": {"requests": 1000, "window": "60s"},
        "auth": auth_settings(tmp_path),
        "routes": [
            {"name": "public", "match": {"path": "/public/{room}"}, "upstream": "up", "allow": ["anonymous"]},
            {"name": "agents", "match": {"path": "/agents/{rest:path}"}, "upstream": "up", "allow": ["agent"]},
            {"name": "down", "match": {"path": "/down"}, "upstream": "gone", "allow": ["anonymous"]},
        ],
    }


async def token(gw: RunningGateway, client: aiohttp.ClientSession, name: str, roles: set[str]) -> str:
    service = gw.app[AUTH]
    await service.store.add_user(name, await service.passwords.hash("a long enough secret"), frozenset(roles))
    async with client.post(f"{gw.url}/auth/login", json={"username": name, "password": "a long enough secret"}) as r:
        assert r.status == 200, await r.text()
        issued: str = (await r.json())["access_token"]
        return issued


async def status_and_error(client: aiohttp.ClientSession, url: str, **kwargs: Any) -> tuple[int, str | None]:
    async with client.get(url, **kwargs) as resp:
        if resp.status == 200:
            return 200, None
        body = await resp.json()
        assert body["request_id"] == resp.headers["X-Request-ID"]  # every refusal carries its id
        error: str = body["error"]
        return resp.status, error


async def test_each_step_refuses_in_the_order_a_request_meets_it(tmp_path: Path,
                                                                 upstream: tuple[list[str], str]) -> None:
    reached, url = upstream
    async with run_gateway(config(tmp_path, url)) as gw, aiohttp.ClientSession() as client:
        agent = await token(gw, client, "ann", {"agent"})
        visitor = await token(gw, client, "vic", {"visitor"})
        bad = {"Authorization": "Bearer not-a-token"}
        # 1 guard before 2 route: a path that cannot be read is refused before any route is looked up.
        assert (await status_and_error(client, f"{gw.url}/nowhere%ff"))[0] == 400
        # 2 route before 3 authn: a broken token on an unknown path is a 404, not a 401.
        assert await status_and_error(client, f"{gw.url}/nowhere", headers=bad) == (404, "no route")
        # 3 authn before 5 authz: a broken token is a 401 even where only agents may go.
        assert (await status_and_error(client, f"{gw.url}/agents/queue", headers=bad))[0] == 401
        # 5 authz: a valid principal without the role.
        visitor_header = {"Authorization": f"Bearer {visitor}"}
        assert (await status_and_error(client, f"{gw.url}/agents/queue", headers=visitor_header))[0] == 403
        assert await status_and_error(client, f"{gw.url}/agents/queue",
                                      headers={"Authorization": f"Bearer {agent}"}) == (200, None)
        # 4 shield before 5 authz: a banned address is refused even with the right role.
        await gw.app[STATE].ban(address_key("127.0.0.1"), 60)
        assert (await status_and_error(client, f"{gw.url}/agents/queue",
                                        headers={"Authorization": f"Bearer {agent}"}))[0] == 403
        assert (await status_and_error(client, f"{gw.url}/public/lobby"))[0] == 403
        assert await status_and_error(client, f"{gw.url}/nowhere") == (404, "no route")  # no route: no ban check
    assert reached == ["/agents/queue"]  # nothing refused reached the backend


async def test_the_runtime_is_released_whatever_the_forward_did(tmp_path: Path,
                                                                upstream: tuple[list[str], str]) -> None:
    _, url = upstream
    async with run_gateway(config(tmp_path, url)) as gw, aiohttp.ClientSession() as client:
        runtime = gw.app[RUNTIME].current
        assert (await status_and_error(client, f"{gw.url}/public/lobby"))[0] == 200
        assert (await status_and_error(client, f"{gw.url}/down"))[0] == 502  # the upstream is not there
        # A reload waits for the runtime's users: a failed forward must not leave one behind.
        await runtime.wait_idle()


async def test_refusals_and_answers_are_counted_by_route(tmp_path: Path, upstream: tuple[list[str], str]) -> None:
    _, url = upstream
    async with run_gateway(config(tmp_path, url)) as gw, aiohttp.ClientSession() as client:
        await status_and_error(client, f"{gw.url}/public/lobby")
        await status_and_error(client, f"{gw.url}/nowhere")
        await status_and_error(client, f"{gw.url}/agents/queue")
        registry = gw.app[METRICS].registry

        def counted(route: str, status: str) -> float | None:
            return registry.get_sample_value("chatguard_requests_total", {"route": route, "status": status})
        assert counted("public", "200") == 1
        assert counted("-", "404") == 1  # an unknown route has no name to count by
        assert counted("agents", "401") == 1


@pytest.mark.parametrize(("params", "named", "expected"), [
    ({}, "", ""),
    ({"room": "!abc:example.org"}, "", "!abc:example.org"),
    ({"space": "s1", "room": "r2"}, "", "r2"),           # `room` wins wherever it is in the pattern
    ({"channel": "general", "id": "7"}, "", "general"),  # else the first variable
    ({"channel": "general", "id": "7"}, "id", "7"),      # the route's own `conversation` variable first
    ({"channel": "general"}, "id", ""),                  # and only that one when the route names it
])
def test_the_conversation_is_the_named_variable_else_the_room_else_the_first(
        params: dict[str, str], named: str, expected: str) -> None:
    assert _conversation(params, named) == expected
