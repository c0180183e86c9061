"""IPv6 clients count by their network (default /64) for bans, rate limits and connection caps."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from filters.options import OptionsError, bind
from gateway.edge.client_keys import ClientKeys
from gateway.keys import STATE
from tests.helpers import gateway_config, route, run_gateway, serve_app


@pytest.mark.parametrize(("address", "key"), [
    ("192.0.2.1", "192.0.2.1"),
    ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
    ("2001:DB8:1:2::9", "2001:db8:1:2::/64"),     # one spelling for every form of the address
    ("::ffff:192.0.2.7", "192.0.2.7"),            # IPv4-mapped: the IPv4 client
    ("fe80::1%eth0", "fe80::/64"),
    ("", ""),
    ("not-an-address", "not-an-address"),
])
def test_default_keys(address: str, key: str) -> None:
    assert ClientKeys().key(address) == key


def test_prefixes_are_configurable_and_checked() -> None:
    keys = bind(ClientKeys, {"ipv4_prefix": 24, "ipv6_prefix": 48})
    assert keys.key("192.0.2.77") == "192.0.2.0/24" and keys.key("2001:db8:1:2::1") == "2001:db8:1::/48"
    assert bind(ClientKeys, {"ipv6_prefix": 128}).key("2001:db8::1") == "2001:db8::1"
    with pytest.raises(OptionsError, match="ipv6_prefix"):
        bind(ClientKeys, {"ipv6_prefix": 8})


@pytest.fixture
async def upstream() -> AsyncIterator[str]:
    async def answer(request: web.Request) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            ws = web.WebSocketResponse()
            await ws.prepare(request)
            async for _ in ws:
                pass
            return ws
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/{tail:.*}", answer)
    async with serve_app(app) as url:
        yield url


def behind_proxy(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


async def test_one_64_is_one_client_for_rates_bans_and_connection_caps(upstream: str) -> None:
    config = gateway_config(upstream, [route("/api/{tail:path}"), route("/ws", websocket=True)],
                            trusted_proxies=["127.0.0.1/32"], shield={"requests": 3},
                            websocket={"max_connections_per_ip": 1})
    async with run_gateway(config) as gw, aiohttp.ClientSession() as client:
        async def status(address: str, path: str = "/api/x") -> int:
            async with client.get(f"{gw.url}{path}", headers=behind_proxy(address)) as resp:
                return resp.status

        assert [await status(f"2001:db8:1:2::{i}") for i in range(1, 5)] == [200, 200, 200, 429]
        assert await status("2001:db8:1:3::1") == 200  # the next /64 is someone else
        await gw.app[STATE].ban("ip:2001:db8:9:9::/64", 60, "abuse")
        assert await status("2001:db8:9:9:ffff::1") == 403
        async with client.ws_connect(f"{gw.url}/ws", headers=behind_proxy("2001:db8:5:5::1")):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await client.ws_connect(f"{gw.url}/ws", headers=behind_proxy("2001:db8:5:5::2"))
            assert refused.value.status == 429
