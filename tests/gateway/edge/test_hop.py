"""The intercept hop: without this process's secret nothing is served, whatever it claims to be.

A hostile local process connects straight to the loopback listener (which trusts loopback for
X-Forwarded-For) and tries forged forwarding and identity headers, wrong, repeated and empty secrets.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from gateway.app import build_app
from gateway.config.settings import parse_settings
from tests.helpers import serve_app

SECRET = secrets.token_urlsafe(32)


@pytest.fixture
async def hop() -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    seen: list[dict[str, Any]] = []

    async def backend(request: web.Request) -> web.Response:
        seen.append(dict(request.headers))
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", backend)
    async with serve_app(app) as upstream:
        settings = parse_settings({
            "upstreams": {"up": {"url": upstream}}, "logging": {"access_log": False},
            "trusted_proxies": ["127.0.0.1/32"],  # as `chatguard intercept` sets it
            "routes": [{"match": {"path": "/api"}, "upstream": "up", "allow": ["anonymous"]}]}, environ={})
        async with serve_app(build_app(settings, hop_secret=SECRET)) as url:
            yield url, seen


@pytest.mark.parametrize("offered", [None, "", "wrong", SECRET[:-1], SECRET + "x", SECRET.upper(), [SECRET, SECRET],
                                     [SECRET, "wrong"]], ids=["none", "empty", "wrong", "short", "long", "case",
                                                              "twice", "two-different"])
async def test_without_the_exact_secret_nothing_is_served(hop: tuple[str, list[dict[str, Any]]],
                                                          offered: str | list[str] | None) -> None:
    url, seen = hop
    headers: list[tuple[str, str]] = [("X-Forwarded-For", "10.1.2.3"), ("X-Chatguard-Subject", "admin"),
                                      ("X-Chatguard-Roles", "admin")]
    for value in [offered] if isinstance(offered, str) else offered or []:
        headers.append(("X-Chatguard-Hop", value))
    async with aiohttp.ClientSession() as client:
        for path in ("/api", "/auth/login", "/nowhere"):
            async with client.get(f"{url}{path}", headers=headers) as answer:
                assert answer.status == 403
                assert json.loads(await answer.read())["error"] == "forbidden"
    assert seen == []


async def test_with_the_secret_the_request_passes_and_the_secret_never_reaches_the_backend(
        hop: tuple[str, list[dict[str, Any]]]) -> None:
    url, seen = hop
    async with aiohttp.ClientSession() as client:
        async with client.get(f"{url}/api", headers={"X-Chatguard-Hop": SECRET, "X-Forwarded-For": "203.0.113.7",
                                                     "X-Chatguard-Subject": "admin"}) as answer:
            assert answer.status == 200
    (headers,) = seen
    lowered = {name.lower(): value for name, value in headers.items()}
    assert "x-chatguard-hop" not in lowered and SECRET not in json.dumps(headers)
    assert lowered.get("x-chatguard-subject") != "admin"


def test_a_short_secret_is_refused() -> None:
    from gateway.edge.hop import hop_middleware

    with pytest.raises(ValueError, match="at least 32"):
        hop_middleware("short")
