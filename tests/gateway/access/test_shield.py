import uuid
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from filters import OptionsError
from gateway.access import shield
from gateway.access.shield import ShieldSettings
from gateway.state import MemoryStore, RedisStore
from tests.gateway.state._redis import closed_port, store

SETTINGS = ShieldSettings(requests=5, window=60, throttled_requests=2, connects=3, connect_window=60)


async def serve(st: object, settings: ShieldSettings = SETTINGS) -> TestServer:
    async def handle(request: web.Request) -> web.StreamResponse:
        client = request.headers.get("X-Test-Client", "198.51.100.1")  # the test plays many addresses
        subject = request.headers.get("X-Test-Subject")
        refused = await shield.check(request, st, settings, client, subject,  # type: ignore[arg-type]
                                     websocket=request.path == "/ws")
        return refused or web.json_response({"ok": True})

    app = web.Application()
    app.router.add_get("/{tail:.*}", handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server


@pytest.fixture
async def memory() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def get(http: aiohttp.ClientSession, server: TestServer, path: str = "/", **headers: str) -> tuple[int, dict[str, Any]]:
    async with http.get(server.make_url(path), headers=headers) as answer:
        return answer.status, {"body": await answer.json(), **answer.headers}


@pytest.mark.parametrize(("key", "headers"), [
    ("ip:198.51.100.1", {}),
    ("subject:alice", {"X-Test-Subject": "alice", "X-Test-Client": "203.0.113.9"}),
    ("pair:alice|198.51.100.1", {"X-Test-Subject": "alice"}),
])
async def test_bans_answer_403(memory: MemoryStore, http: aiohttp.ClientSession, key: str,
                               headers: dict[str, str]) -> None:
    await memory.ban(key, 60, "test")
    server = await serve(memory)
    try:
        status, answer = await get(http, server, **headers)
        assert status == 403 and answer["body"]["error"] == "banned" and int(answer["Retry-After"]) > 0
        status, _ = await get(http, server, **{**headers, "X-Test-Client": "192.0.2.50", "X-Test-Subject": "bob"})
        assert status == 200
    finally:
        await server.close()


async def test_rate_limit_answers_429_with_retry_after(memory: MemoryStore, http: aiohttp.ClientSession) -> None:
    server = await serve(memory)
    try:
        statuses = [(await get(http, server))[0] for _ in range(7)]
        assert statuses == [200] * 5 + [429] * 2
        status, answer = await get(http, server)
        assert answer["Retry-After"] == "60" and answer["body"]["error"] == "too many requests"
        assert (await get(http, server, **{"X-Test-Client": "192.0.2.7"}))[0] == 200
    finally:
        await server.close()


async def test_throttled_subject_gets_the_lower_limit(memory: MemoryStore, http: aiohttp.ClientSession) -> None:
    await memory.put(shield.throttle_key("subject:alice"), b"1", 60)
    server = await serve(memory)
    try:
        statuses = [(await get(http, server, **{"X-Test-Subject": "alice"}))[0] for _ in range(3)]
        assert statuses == [200, 200, 429]
    finally:
        await server.close()


async def test_connection_storm_is_refused(memory: MemoryStore, http: aiohttp.ClientSession) -> None:
    server = await serve(memory, ShieldSettings(requests=100, connects=3))
    try:
        statuses = [(await get(http, server, "/ws"))[0] for _ in range(5)]
        assert statuses == [200, 200, 200, 429, 429]
    finally:
        await server.close()


async def test_unreachable_store_fails_closed(http: aiohttp.ClientSession) -> None:
    down: RedisStore = store("cgtest:down:", url=f"redis://127.0.0.1:{closed_port()}/0", timeout=0.5)
    server = await serve(down)
    try:
        assert (await get(http, server))[0] == 503
    finally:
        await server.close()
        await down.aclose()


def test_disabled_shield_and_bad_settings() -> None:
    with pytest.raises(OptionsError, match="requests"):
        ShieldSettings(requests=0).validate("shield")


async def test_one_round_trip_on_redis_enforces_the_same(http: aiohttp.ClientSession) -> None:
    """Bans, throttles, rates and connects through the Lua screen of the real Redis."""
    shared = store(f"cgtest:shield:{uuid.uuid4().hex}:")
    await shared.ban("pair:alice|198.51.100.1", 60, "test")
    await shared.put(shield.throttle_key("subject:bob"), b"1", 60)
    server = await serve(shared, ShieldSettings(requests=4, throttled_requests=1, connects=2))
    try:
        assert (await get(http, server, **{"X-Test-Subject": "alice"}))[0] == 403
        bob = [(await get(http, server, **{"X-Test-Subject": "bob", "X-Test-Client": "192.0.2.8"}))[0]
               for _ in range(2)]
        assert bob == [200, 429]
        storm = [(await get(http, server, "/ws", **{"X-Test-Client": "192.0.2.9"}))[0] for _ in range(3)]
        assert storm == [200, 200, 429]
        assert [(await get(http, server))[0] for _ in range(5)] == [200] * 4 + [429]
    finally:
        await server.close()
        await shared.aclose()
