"""Token carriage: header, cookie, WebSocket subprotocol, query string; conflicts and revocation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from gateway.auth.identify import Identifier
from gateway.auth.service import AuthError, AuthService
from tests.gateway.auth.conftest import add_user

Client = TestClient[Any, Any]


@pytest.fixture
async def whoami(service: AuthService) -> AsyncIterator[Client]:
    identifier = Identifier(service)

    async def handler(request: web.Request) -> web.Response:
        try:
            principal = await identifier.authenticate(request)
        except AuthError as refused:
            return web.json_response({"error": refused.message}, status=refused.status)
        if principal is None:
            return web.json_response({"subject": None})
        return web.json_response({"subject": principal.subject, "roles": sorted(principal.roles),
                                  "mfa": principal.mfa})

    app = web.Application()
    app.router.add_get("/whoami", handler)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    yield client
    await client.close()


@pytest.fixture
async def token(service: AuthService) -> str:
    await add_user(service)
    tokens = await service.login("alice", "correct horse", "127.0.0.1")
    return str(tokens["access_token"])


WS = {"Upgrade": "websocket", "Connection": "Upgrade"}


async def ask(client: Client, headers: dict[str, str] | None = None, query: str = "",
              cookies: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    response = await client.get("/whoami" + query, headers=headers or {}, cookies=cookies)
    return response.status, await response.json()


async def test_no_credentials_is_none(whoami: Client) -> None:
    assert await ask(whoami) == (200, {"subject": None})


@pytest.mark.parametrize("carriage", ["bearer", "cookie", "subprotocol", "query_ws"])
async def test_each_carriage_identifies(whoami: Client, token: str, carriage: str) -> None:
    headers: dict[str, str] = {}
    query, cookies = "", None
    if carriage == "bearer":
        headers["Authorization"] = f"Bearer {token}"
    elif carriage == "cookie":
        cookies = {"chatguard_session": token}
    elif carriage == "subprotocol":
        headers = {**WS, "Sec-WebSocket-Protocol": f"chat.v1, chatguard.bearer.{token}"}
    else:
        headers, query = dict(WS), f"?access_token={token}"
    status, body = await ask(whoami, headers, query, cookies)
    assert (status, body["subject"], body["roles"]) == (200, "alice", ["agent"])


async def test_query_token_on_plain_http_is_refused(whoami: Client, token: str) -> None:
    assert (await ask(whoami, query=f"?access_token={token}"))[0] == 400


async def test_two_different_tokens_are_refused(whoami: Client, token: str, service: AuthService) -> None:
    other = (await service.login("alice", "correct horse", "127.0.0.1"))["access_token"]
    headers = {**WS, "Authorization": f"Bearer {token}", "Sec-WebSocket-Protocol": f"chatguard.bearer.{other}"}
    assert (await ask(whoami, headers))[0] == 400


async def test_same_token_twice_is_fine(whoami: Client, token: str) -> None:
    headers = {**WS, "Authorization": f"Bearer {token}", "Sec-WebSocket-Protocol": f"chatguard.bearer.{token}"}
    assert (await ask(whoami, headers))[0] == 200


@pytest.mark.parametrize("value", ["garbage", "a.b.c", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "x" * 5000])
async def test_bad_tokens_get_401(whoami: Client, value: str) -> None:
    assert (await ask(whoami, {"Authorization": f"Bearer {value}"}))[0] == 401


async def test_revoked_session_is_refused(whoami: Client, token: str, service: AuthService) -> None:
    await service.logout(service.issuer.verify(token)["sid"], "alice")
    assert (await ask(whoami, {"Authorization": f"Bearer {token}"}))[0] == 401


async def test_other_authorization_schemes_are_ignored(whoami: Client) -> None:
    assert await ask(whoami, {"Authorization": "Basic YWxpY2U6eA=="}) == (200, {"subject": None})
