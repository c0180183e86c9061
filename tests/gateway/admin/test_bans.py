from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from filters import Hints
from gateway.admin.bans import add_routes
from gateway.enforce.countermeasures import Offender, Responder
from gateway.enforce.settings import Band, ResponseSettings
from gateway.state import MemoryStore, RedisStore
from tests.gateway.state._redis import raw_redis, store, unique_prefix


@pytest.fixture
async def redis_pair() -> AsyncIterator[tuple[RedisStore, RedisStore]]:
    prefix = unique_prefix()
    async with raw_redis(prefix):
        first, second = store(prefix), store(prefix)
        yield first, second
        await first.aclose()
        await second.aclose()


async def admin(st: object) -> TestServer:
    app = web.Application()
    add_routes(app, st)  # type: ignore[arg-type]
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server


async def test_list_and_lift_bans_set_by_another_gateway(redis_pair: tuple[RedisStore, RedisStore]) -> None:
    gateway_store, admin_store = redis_pair
    await gateway_store.ban("ip:198.51.100.1", 60, "flood")
    await gateway_store.ban("pair:alice|2001:db8::1", 30, "spam")
    server = await admin(admin_store)
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(server.make_url("/admin/bans")) as answer:
                bans = (await answer.json())["bans"]
            assert [b["key"] for b in bans] == ["pair:alice|2001:db8::1", "ip:198.51.100.1"]
            async with http.delete(server.make_url("/admin/bans/pair:alice%7C2001:db8::1")) as answer:
                assert answer.status == 200
            async with http.delete(server.make_url("/admin/bans/pair:alice%7C2001:db8::1")) as answer:
                assert answer.status == 404
        assert await gateway_store.banned("pair:alice|2001:db8::1") is None
        assert await gateway_store.banned("ip:198.51.100.1") is not None
    finally:
        await server.close()


async def test_quarantine_list_and_release() -> None:
    st = MemoryStore()
    outcome = await Responder(st, ResponseSettings(bands=(Band(0.5, ("quarantine",)),))).respond(
        Offender("198.51.100.1", "alice"), 0.9, Hints(), payload="held text")
    server = await admin(st)
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(server.make_url("/admin/quarantine")) as answer:
                assert [h["id"] for h in (await answer.json())["held"]] == [outcome.quarantine_id]
            url = server.make_url(f"/admin/quarantine/{outcome.quarantine_id}/release")
            async with http.post(url) as answer:
                assert answer.status == 200 and (await answer.json())["payload"] == "held text"
            async with http.post(url) as answer:
                assert answer.status == 404
    finally:
        await server.close()
