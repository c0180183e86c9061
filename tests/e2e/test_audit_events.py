"""Every kind of audited action, performed through the running gateway, lands in a verifiable audit file
that holds none of the secrets involved."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import re
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pyotp
import pytest
import yaml
from aiohttp import web

from gateway import server
from gateway.admin.app import build_admin_app
from gateway.audit import verify
from gateway.auth import AUTH
from gateway.auth.tokens import generate_pem
from gateway.keys import AUDIT, RUNTIME
from tests.e2e.test_audit_gateway import keys
from tests.helpers import run_gateway, serve_app

PASSWORDS = {"ann": "ann's long passphrase", "root": "root's even longer passphrase"}
CARD = "4111 1111 1111 1111"
FIELDS = {"inbound": {"json": ["/text"]}}


@pytest.fixture(autouse=True)
def root_logger() -> Iterator[None]:
    """A reload reconfigures the process's logging; put it back for the tests that follow."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
async def backend() -> AsyncIterator[str]:
    async def answer(request: web.Request) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            ws = web.WebSocketResponse()
            await ws.prepare(request)
            async for message in ws:
                await ws.send_str(message.data)
            return ws
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    async with serve_app(app) as url:
        yield url


def config(tmp_path: Path, upstream: str) -> dict[str, Any]:
    signing = tmp_path / "signing.pem"
    signing.write_bytes(generate_pem("EdDSA"))
    audit_key, _ = keys(tmp_path)
    return {
        "upstreams": {"up": {"url": upstream}},
        "logging": {"access_log": False},
        "shutdown_timeout": "50ms",
        "audit": {"path": str(tmp_path / "audit.jsonl"), "signing_key_file": str(audit_key), "fsync": False},
        "auth": {
            "store": f"sqlite://{tmp_path}/users.db",
            "jwt": {"signing_keys": [str(signing)]},
            "totp": {"encryption_key": base64.b64encode(os.urandom(32)).decode(), "required_roles": ["admin"]},
            "abuse": {"users_per_address": 3},
            "rate_limit": {"requests": 500},
            "argon2_time_cost": 1, "argon2_memory_kib": 1024,
        },
        "filters": {"words": {"use": "keyword", "options": {"words": ["forbidden"]}}, "mask": {"use": "masking"}},
        "routes": [
            {"name": "chat", "match": {"path": "/chat"}, "upstream": "up", "allow": ["agent"],
             "messages": FIELDS, "filters": ["mask", "words"]},
            {"name": "chat-ws", "match": {"path": "/ws", "websocket": True}, "upstream": "up", "allow": ["agent"],
             "messages": FIELDS, "filters": ["mask", "words"]},
            {"name": "billing", "match": {"path": "/billing"}, "upstream": "up", "allow": ["admin"]},
        ],
    }


class Actor:
    """A client of the gateway and its admin listener that remembers every secret it handled."""

    def __init__(self, client: aiohttp.ClientSession, url: str, admin_url: str) -> None:
        self.client, self.url, self.admin_url = client, url, admin_url
        self.secrets: set[str] = set(PASSWORDS.values())
        self.codes: set[str] = set()

    async def post(self, path: str, body: dict[str, Any], token: str | None = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with self.client.post(f"{self.url}{path}", json=body, headers=headers) as resp:
            answer = await resp.json(content_type=None)
        for key in ("access_token", "refresh_token", "ticket"):
            if isinstance(answer, dict) and key in answer:
                self.secrets.add(answer[key])
        return resp.status, answer

    async def admin(self, method: str, path: str, token: str) -> tuple[int, Any]:
        async with self.client.request(method, f"{self.admin_url}{path}",
                                       headers={"Authorization": f"Bearer {token}"}) as resp:
            return resp.status, await resp.json()

    def code(self, totp: pyotp.TOTP, offset: int) -> str:
        code = totp.at(time.time() + offset)
        self.codes.add(code)
        return code


async def sign_in_as_admin(actor: Actor) -> str:
    """Enrol root's authenticator, fail once, pass with a TOTP code, then with a recovery code."""
    status, body = await actor.post("/auth/login", {"username": "root", "password": PASSWORDS["root"]})
    assert status == 200 and body["enrolment_required"]
    ticket = body["ticket"]
    status, body = await actor.post("/auth/totp/enrol", {"ticket": ticket})
    assert status == 200
    totp = pyotp.parse_uri(body["otpauth_uri"])
    assert isinstance(totp, pyotp.TOTP)
    actor.secrets.add(totp.secret)
    status, body = await actor.post("/auth/totp/confirm", {"ticket": ticket, "code": actor.code(totp, 0)})
    assert status == 200, body
    recovery = body["recovery_codes"]
    actor.secrets.update(recovery)
    wrong = next(c for c in (f"{n:06d}" for n in range(1000)) if c not in {totp.at(time.time() + s)
                                                                              for s in range(-60, 61, 30)})
    for code, expected in ((wrong, 401), (actor.code(totp, 30), 200), (recovery[0], 200)):
        status, body = await actor.post("/auth/login", {"username": "root", "password": PASSWORDS["root"]})
        status, body = await actor.post("/auth/mfa", {"ticket": body["ticket"], "code": code})
        assert status == expected, body
    return str(body["access_token"])


def text_without_noise(path: Path) -> str:
    """The file minus what is random by construction (hashes, timestamps, checkpoint signatures),
    so a six-digit code can be searched for without matching a microsecond by chance."""
    kept = []
    for line in path.read_text().splitlines():
        entry = json.loads(line)
        if entry["event"] != "checkpoint":
            kept.append(json.dumps({k: v for k, v in entry.items() if k not in ("ts", "hash", "prev")}))
    return "\n".join(kept)


async def test_every_audited_action_is_recorded_verifiable_and_secret_free(tmp_path: Path, backend: str) -> None:
    settings = config(tmp_path, backend)
    async with run_gateway(settings) as gw, serve_app(build_admin_app(gw.app)) as admin_url, \
            aiohttp.ClientSession() as client:
        actor = Actor(client, gw.url, admin_url)
        service = gw.app[AUTH]
        for name, roles in (("ann", {"agent"}), ("root", {"admin", "agent"})):
            await service.store.add_user(name, await service.passwords.hash(PASSWORDS[name]), frozenset(roles))

        assert (await actor.post("/auth/login", {"username": "ann", "password": "not it at all"}))[0] == 401
        status, body = await actor.post("/auth/login", {"username": "ann", "password": PASSWORDS["ann"]})
        ann = body["access_token"]
        assert (await actor.post("/chat", {"text": f"my card is {CARD}"}, ann))[0] == 200
        assert (await actor.post("/chat", {"text": "a forbidden plan"}, ann))[0] == 403
        assert (await actor.post("/billing", {"text": "hi"}, ann))[0] == 403
        async with client.ws_connect(f"{gw.url}/ws", headers={"Authorization": f"Bearer {ann}"}) as ws:
            await ws.send_str(json.dumps({"text": "forbidden over a socket"}))
            await ws.receive(timeout=5)

        root = await sign_in_as_admin(actor)
        assert (await actor.admin("GET", "/admin/sessions", ann))[0] == 403
        status, body = await actor.admin("GET", "/admin/sessions?user=ann", root)
        assert status == 200
        ann_session = body["sessions"][0]["id"]
        assert (await actor.admin("POST", f"/admin/sessions/{ann_session}/revoke", root))[0] == 200
        assert (await actor.admin("GET", "/admin/audit?event=auth", root))[0] == 200

        good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
        good.write_text(yaml.safe_dump(settings))
        bad.write_text(yaml.safe_dump({**settings, "routes": [{"name": "x", "match": {"path": "/x"}}]}))
        assert await server.reload(gw.app, str(good)) and not await server.reload(gw.app, str(bad))
        # The replaced runtime retires after the grace period; closing the app earlier would abandon its pools.
        await asyncio.gather(*list(gw.app[RUNTIME]._retiring))

        for name in ("mallory1", "mallory2", "mallory3"):  # credential stuffing from one address: a ban
            await actor.post("/auth/login", {"username": name, "password": "guess"})
        status, body = await actor.admin("GET", "/admin/bans", root)
        assert status == 200 and body["bans"]
        assert (await actor.admin("DELETE", f"/admin/bans/{body['bans'][0]['key']}", root))[0] == 200
        writer = gw.app[AUDIT]
        assert writer is not None and await writer.flush()

    path = tmp_path / "audit.jsonl"
    entries = [json.loads(line) for line in path.read_text().splitlines()]
    events = {e["event"] for e in entries}
    assert events >= {"auth.login", "auth.login_failed", "auth.totp_enrol", "auth.totp_confirmed", "auth.mfa_passed",
                      "auth.mfa_failed", "auth.recovery_code", "authz.deny", "filter.modify", "filter.block",
                      "auth.abuse", "config.reload", "admin.action"}
    logins = [e for e in entries if e["event"] == "auth.login"]
    assert all(e["client"] == "127.0.0.1" and e["session_id"] for e in logins)
    blocks = [e for e in entries if e["event"] == "filter.block"]
    assert {(e["route"], e.get("channel", "http")) for e in blocks} == {("chat", "http"), ("chat-ws", "ws")}
    assert all(e["route"] and e["request_id"] and e["subject"] == "ann" for e in blocks)
    assert next(e for e in entries if e["event"] == "filter.modify")["findings"]
    reloads = {e["outcome"]: e for e in entries if e["event"] == "config.reload"}
    assert set(reloads) == {"accepted", "rejected"} and reloads["rejected"]["key"].startswith("routes")
    actions = {(e["action"], e["outcome"], e["subject"]) for e in entries if e["event"] == "admin.action"}
    assert actions >= {("sessions.list", "refused", "ann"), ("sessions.list", "ok", "root"),
                       ("sessions.revoke", "ok", "root"), ("audit.query", "ok", "root"),
                       ("bans.list", "ok", "root"), ("bans.lift", "ok", "root")}
    assert verify.main(["--key", str(tmp_path / "audit.pub"), str(path)]) == 0

    raw = path.read_text()
    for secret in actor.secrets | {CARD, CARD.replace(" ", ""), "forbidden plan", "forbidden over a socket"}:
        assert secret not in raw
    quiet = text_without_noise(path)
    for code in actor.codes:
        assert not re.search(rf"(?<![0-9A-Za-z]){code}(?![0-9A-Za-z])", quiet), code
