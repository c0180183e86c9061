"""Behaviour detection through the running gateway: flooding blocked then banned, bans held by the
shield and lapsing, escalation, near-duplicate spam, NAT fairness, bans shared between two gateways
through the real Redis and lifted by an admin, and signed alerts retried against a real receiver."""

from __future__ import annotations

import asyncio
import base64
import os
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
import orjson
import pyotp
import pytest
from aiohttp import web

from filters import Principal
from gateway.access.shield import address_key, pair_key
from gateway.admin.app import build_admin_app
from gateway.auth import AUTH
from gateway.auth.tokens import generate_pem
from gateway.enforce.alerts import SIGNATURE, TIMESTAMP, sign
from gateway.keys import STATE
from tests.gateway.state._redis import raw_redis, unique_prefix
from tests.helpers import RunningGateway, gateway_config, route, run_gateway, serve_app

PER_ROOM = 3
BAN_AT = 2 * PER_ROOM  # ban_factor 2: the message that takes the room count to this asks for a ban
SECRET = "webhook-secret-0123456789"
FIELDS = {"inbound": {"json": ["/text"]}}
BLOCKED = "message blocked by policy"


def behaviour(**overrides: Any) -> dict[str, Any]:
    options: dict[str, Any] = {
        "flood": {"window": "60s", "per_room": PER_ROOM, "per_subject": 100, "per_address": 1000, "ban_factor": 2},
        "spam": {"per_room": 3, "per_subject": 50, "per_address": 500},
        "new_network": {"enabled": False},
        "anomaly": {"enabled": False},
    }
    options.update(overrides)
    return {"bh": {"use": "behaviour", "options": options}}


def config(upstream: str, tmp_path: Path | None = None, **top: Any) -> dict[str, Any]:
    routes = [route("/rooms/{room}/send", methods=["POST"], filters=["bh"], messages=FIELDS),
              route("/rooms/{room}/messages", methods=["GET"])]
    top.setdefault("filters", behaviour())
    top.setdefault("responses", {"ban": {"base": "1s", "factor": 2, "cap": "8s", "memory": "1h"}})
    if tmp_path is not None:
        top["auth"] = auth_section(tmp_path)
        for entry in routes:
            entry["allow"] = ["anonymous", "member"]
    return gateway_config(upstream, routes, **top)


def auth_section(tmp_path: Path) -> dict[str, Any]:
    key = tmp_path / "signing.pem"
    if not key.exists():
        key.write_bytes(generate_pem("EdDSA"))
    secret = tmp_path / "totp.key"
    if not secret.exists():
        secret.write_text(base64.b64encode(os.urandom(32)).decode())
    return {"store": f"sqlite://{tmp_path}/users.db", "jwt": {"signing_keys": [str(key)]},
            "totp": {"encryption_key": secret.read_text()}, "argon2_time_cost": 1, "argon2_memory_kib": 1024}


@pytest.fixture
async def upstream() -> AsyncIterator[str]:
    async def ok(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", ok)
    async with serve_app(app) as url:
        yield url


async def token(gw: RunningGateway, name: str, roles: set[str], mfa: bool = False) -> str:
    """A real signed token for a real session of a stored user."""
    service = gw.app[AUTH]
    user = await service.store.get_user(name)
    if user is None:
        user = await service.store.add_user(name, await service.passwords.hash("a long enough secret"),
                                            frozenset(roles))
    session_id, _ = await service.sessions.start(user.id, mfa)
    return str(service.issuer.issue(Principal(name, frozenset(roles), mfa=mfa), session_id, {"uid": user.id}))


async def send(client: aiohttp.ClientSession, gw: RunningGateway, text: str, room: str = "r1",
               bearer: str | None = None) -> tuple[int, str, str | None]:
    """(status, error or "", Retry-After) of one chat message."""
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    async with client.post(f"{gw.url}/rooms/{room}/send", json={"text": text}, headers=headers) as resp:
        body = orjson.loads(await resp.read())
        return resp.status, str(body.get("error", "")), resp.headers.get("Retry-After")


async def look(client: aiohttp.ClientSession, gw: RunningGateway, bearer: str | None = None) -> tuple[int, str]:
    """An unfiltered request: only the shield can stop it."""
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    async with client.get(f"{gw.url}/rooms/r1/messages", headers=headers) as resp:
        return resp.status, str(orjson.loads(await resp.read()).get("error", ""))


async def flood(client: aiohttp.ClientSession, gw: RunningGateway, bearer: str | None = None,
                start: int = 0) -> list[tuple[int, str]]:
    return [(status, error) for status, error, _ in
            [await send(client, gw, f"message number {i}", bearer=bearer) for i in range(start, BAN_AT)]]


async def wait_unbanned(gw: RunningGateway, key: str) -> None:
    """Sleep until the ban on `key` lapses (its own end time, not a guessed delay)."""
    ban = await gw.app[STATE].banned(key)
    assert ban is not None
    await asyncio.sleep(max(0.0, ban.until - time.time()) + 0.05)


async def test_flooder_is_blocked_then_banned_and_the_ban_holds_then_lapses(upstream: str) -> None:
    async with run_gateway(config(upstream)) as gw, aiohttp.ClientSession() as client:
        answers = await flood(client, gw)
        assert answers == [(200, "")] * PER_ROOM + [(403, BLOCKED)] * (BAN_AT - PER_ROOM - 1) + [(403, "banned")]
        assert await look(client, gw) == (403, "banned")  # the shield, before routing: any request
        status, error, retry = await send(client, gw, "a calm message", room="other")
        assert (status, error) == (403, "banned") and retry is not None and int(retry) >= 1
        await wait_unbanned(gw, address_key("127.0.0.1"))
        assert await look(client, gw) == (200, "")


async def test_repeat_offence_gets_a_longer_ban(upstream: str) -> None:
    async with run_gateway(config(upstream)) as gw, aiohttp.ClientSession() as client:
        store = gw.app[STATE]
        key = address_key("127.0.0.1")
        await flood(client, gw)
        first = await store.banned(key)
        assert first is not None and first.until - first.since == pytest.approx(1, abs=0.2)
        await wait_unbanned(gw, key)
        # Still far over the limit in the flood window: the next message is a second offence.
        assert (await send(client, gw, "one more"))[:2] == (403, "banned")
        second = await store.banned(key)
        assert second is not None and second.until - second.since == pytest.approx(2, abs=0.2)


async def test_band_with_ban_bans_at_the_first_flagged_message(upstream: str) -> None:
    bands = [{"min_score": 0.5, "actions": ["alert"]}, {"min_score": 0.9, "actions": ["block", "ban"]}]
    cfg = config(upstream, responses={"bands": bands, "ban": {"base": "30s"}})
    async with run_gateway(cfg) as gw, aiohttp.ClientSession() as client:
        answers = [(await send(client, gw, f"message {i}"))[:2] for i in range(PER_ROOM + 1)]
        assert answers == [(200, "")] * PER_ROOM + [(403, "banned")]
        assert await look(client, gw) == (403, "banned")


async def test_near_duplicate_spam_is_blocked_but_varied_chat_is_not(upstream: str) -> None:
    relaxed = behaviour(flood={"per_room": 100, "per_subject": 100, "per_address": 1000})
    spam = "Cheap watches!!! Visit best-deals example shop today for 90% off, offer {} ends soon"
    async with run_gateway(config(upstream, filters=relaxed)) as gw, aiohttp.ClientSession() as client:
        chat = ["Could you check my order status please?", "The parcel arrived yesterday, thanks a lot",
                "One of the items was damaged in transit", "I attached two photos of the box",
                "Would a refund or a replacement be quicker?"]
        assert [(await send(client, gw, text))[0] for text in chat] == [200] * len(chat)
        answers = [(await send(client, gw, spam.format(i)))[:2] for i in range(5)]
        assert answers[:3] == [(200, "")] * 3
        assert answers[3:] == [(403, BLOCKED)] * 2


async def test_nat_fairness_only_the_flooder_is_banned(upstream: str, tmp_path: Path) -> None:
    async with run_gateway(config(upstream, tmp_path)) as gw, aiohttp.ClientSession() as client:
        people = [await token(gw, f"colleague{i}", {"member"}) for i in range(6)]
        mallory = await token(gw, "mallory", {"member"})
        for i, bearer in enumerate(people):  # a busy office behind one address
            assert [(await send(client, gw, f"hello from desk {i}, msg {n}", bearer=bearer))[0]
                    for n in range(PER_ROOM)] == [200] * PER_ROOM
        answers = await flood(client, gw, bearer=mallory)
        assert answers[-1] == (403, "banned")
        assert await look(client, gw, mallory) == (403, "banned")
        assert await gw.app[STATE].banned(pair_key("mallory", "127.0.0.1")) is not None
        assert await gw.app[STATE].banned(address_key("127.0.0.1")) is None
        for bearer in people:
            assert await look(client, gw, bearer) == (200, "")
            assert (await send(client, gw, "still here", room="r2", bearer=bearer))[0] == 200
        assert await look(client, gw) == (200, "")  # anonymous visitors on the same address too


async def test_bans_are_shared_through_redis_and_lifted_by_an_admin(upstream: str, tmp_path: Path) -> None:
    prefix = unique_prefix()
    state = {"backend": "redis", "url": "redis://127.0.0.1:6379/0", "prefix": prefix}
    cfg = config(upstream, tmp_path, state=state, responses={"ban": {"base": "5m"}})
    cfg["roles"] = {"member": {}, "admin": {}}
    async with raw_redis(prefix), AsyncExitStack() as stack:
        one = await stack.enter_async_context(run_gateway(cfg))
        two = await stack.enter_async_context(run_gateway(cfg))
        client = await stack.enter_async_context(aiohttp.ClientSession())
        admin_url = await stack.enter_async_context(serve_app(build_admin_app(one.app)))
        assert await look(client, two) == (200, "")
        assert (await flood(client, one))[-1] == (403, "banned")
        assert await look(client, one) == (403, "banned")
        assert await look(client, two) == (403, "banned")  # the other process refuses too
        root = await token(one, "root", {"admin"}, mfa=True)
        headers = {"Authorization": f"Bearer {root}"}
        async with client.get(f"{admin_url}/admin/bans", headers=headers) as resp:
            assert resp.status == 200
            keys = [ban["key"] for ban in (await resp.json())["bans"]]
        assert keys == [address_key("127.0.0.1")]
        no_2fa = await token(one, "half", {"admin"}, mfa=False)
        path = f"{admin_url}/admin/bans/{quote(keys[0], safe='')}"
        async with client.delete(path, headers={"Authorization": f"Bearer {no_2fa}"}) as resp:
            assert resp.status == 401  # admin without 2FA may not lift bans
        async with client.delete(path, headers=headers) as resp:
            assert resp.status == 200 and (await resp.json()) == {"lifted": keys[0]}
        assert await look(client, one) == (200, "")
        assert await look(client, two) == (200, "")


async def test_ban_alert_is_signed_and_retried_until_delivered(upstream: str) -> None:
    received: list[tuple[bytes, str, str]] = []
    delivered = asyncio.Event()

    async def receiver(request: web.Request) -> web.Response:
        body = await request.read()
        received.append((body, request.headers[TIMESTAMP], request.headers[SIGNATURE]))
        if sum(seen == body for seen, _, _ in received) < 3:
            return web.Response(status=503)  # down for the first two tries of each alert: it must retry
        if "ban" in orjson.loads(body):
            delivered.set()
        return web.Response(status=204)

    hook = web.Application()
    hook.router.add_post("/hook", receiver)
    async with serve_app(hook) as hook_url:
        alerts = {"webhooks": [{"url": f"{hook_url}/hook", "secret": SECRET}], "attempts": 5,
                  "backoff": "0.05s", "max_backoff": "0.1s"}
        async with run_gateway(config(upstream, alerts=alerts)) as gw, aiohttp.ClientSession() as client:
            assert (await flood(client, gw))[-1] == (403, "banned")
            async with asyncio.timeout(10):
                await delivered.wait()
    bans = [orjson.loads(body) for body, _, _ in received if "ban" in orjson.loads(body)]
    assert len(bans) == 3  # the same alert, tried three times
    assert bans[0]["event"] == "threat.response" and "ban" in bans[0]["actions"]
    assert bans[0]["ban"]["key"] == address_key("127.0.0.1")
    for body, stamp, signature in received:
        assert signature == sign(SECRET, stamp, body)
        assert signature != sign("some-other-secret-value", stamp, body)


# Failed sign-ins across accounts: stuffing, spraying, guessed second factors ------------------------

def auth_config(upstream: str, tmp_path: Path, **abuse: Any) -> dict[str, Any]:
    cfg = config(upstream, tmp_path, trusted_proxies=["127.0.0.1/32"])
    cfg["auth"]["abuse"] = {"users_per_address": 4, "users_per_password": 3, **abuse}
    return cfg


async def sign_in(client: aiohttp.ClientSession, gw: RunningGateway, name: str, password: str,
                  address: str = "203.0.113.50") -> tuple[int, dict[str, Any]]:
    async with client.post(f"{gw.url}/auth/login", json={"username": name, "password": password},
                           headers={"X-Forwarded-For": address}) as resp:
        return resp.status, await resp.json()


async def add_users(gw: RunningGateway, *names: str) -> None:
    service = gw.app[AUTH]
    for name in names:
        await service.store.add_user(name, await service.passwords.hash(f"{name}'s own passphrase"),
                                     frozenset({"member"}))


async def test_credential_stuffing_bans_the_address(upstream: str, tmp_path: Path,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    async with run_gateway(auth_config(upstream, tmp_path)) as gw, aiohttp.ClientSession() as client:
        await add_users(gw, "ann", "bob", "cy", "dee", "eve")
        leaked = [("ann", "hunter2"), ("bob", "letmein1"), ("cy", "qwerty12"), ("nobody", "pa55word")]
        with caplog.at_level("WARNING", logger="chatguard.audit"):
            assert [(await sign_in(client, gw, *pair))[0] for pair in leaked] == [401] * 4
        assert any(getattr(r, "event", "") == "auth.abuse" and getattr(r, "kind", "") == "credential stuffing"
                   for r in caplog.records)
        # Even the right password is refused now, and so is every proxied request from there.
        assert await sign_in(client, gw, "eve", "eve's own passphrase") == (403, {"error": "banned"})
        async with client.get(f"{gw.url}/rooms/r1/messages", headers={"X-Forwarded-For": "203.0.113.50"}) as resp:
            assert resp.status == 403
        status, body = await sign_in(client, gw, "eve", "eve's own passphrase", address="198.51.100.1")
        assert status == 200 and body["access_token"]  # another address is unaffected


async def test_password_spraying_over_addresses_bans_the_sprayer(upstream: str, tmp_path: Path) -> None:
    async with run_gateway(auth_config(upstream, tmp_path, users_per_address=50)) as gw, \
            aiohttp.ClientSession() as client:
        await add_users(gw, "ann", "bob", "cy", "dee")
        spray = [("ann", "203.0.113.1"), ("bob", "203.0.113.2"), ("cy", "203.0.113.3")]
        assert [(await sign_in(client, gw, name, "Summer2024!", address))[0] for name, address in spray] == [401] * 3
        assert (await sign_in(client, gw, "dee", "dee's own passphrase", "203.0.113.3"))[0] == 403
        assert (await sign_in(client, gw, "dee", "dee's own passphrase", "203.0.113.1"))[0] == 200


async def test_one_user_mistyping_is_locked_out_not_the_address(upstream: str, tmp_path: Path) -> None:
    async with run_gateway(auth_config(upstream, tmp_path)) as gw, aiohttp.ClientSession() as client:
        await add_users(gw, "ann", "bob")
        answers = [(await sign_in(client, gw, "ann", f"wrong guess {i}"))[0] for i in range(7)]
        assert answers[:5] == [401] * 5 and answers[5:] == [429] * 2  # per-account lockout
        assert (await sign_in(client, gw, "bob", "bob's own passphrase"))[0] == 200
        assert await gw.app[STATE].banned(address_key("203.0.113.50")) is None


async def test_guessed_second_factors_over_many_accounts_ban_the_address(upstream: str, tmp_path: Path) -> None:
    async with run_gateway(auth_config(upstream, tmp_path)) as gw, aiohttp.ClientSession() as client:
        service = gw.app[AUTH]
        names = ["ann", "bob", "cy", "dee"]
        await add_users(gw, *names)
        secrets = {name: pyotp.random_base32() for name in names}
        for name in names:  # stolen passwords, but every account has a second factor
            user = await service.store.get_user(name)
            await service.store.set_totp_pending(user.id, service.box.seal(secrets[name], user.id))
            await service.store.confirm_totp(user.id, (await service.store.get_user(name)).totp_pending, [])
        answers = []
        for name in names:
            status, body = await sign_in(client, gw, name, f"{name}'s own passphrase")
            assert status == 200 and body["mfa_required"]
            wrong = f"{(int(pyotp.TOTP(secrets[name]).now()) + 500_000) % 1_000_000:06d}"
            async with client.post(f"{gw.url}/auth/mfa", json={"ticket": body["ticket"], "code": wrong},
                                   headers={"X-Forwarded-For": "203.0.113.50"}) as resp:
                answers.append(resp.status)
        assert answers == [401] * 4
        assert (await sign_in(client, gw, "ann", "ann's own passphrase"))[0] == 403
        assert await gw.app[STATE].banned(address_key("203.0.113.50")) is not None
