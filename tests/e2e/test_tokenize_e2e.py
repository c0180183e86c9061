"""Tokenize and unmask through the running gateway, with real logins: a visitor's card reaches the
backend only as a token; the token is turned back into the card on the way out only for readers
whose role grants `unmask:card`, and every unmask is in the audit trail. With Redis, the gateway
that unmasks is not the one that tokenized."""

from __future__ import annotations

import base64
import copy
import json
import os
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from gateway.auth.tokens import generate_pem
from gateway.keys import AUDIT
from tests.e2e.test_audit_gateway import keys
from tests.e2e.test_auth_gateway import add_user, login
from tests.helpers import RunningGateway, run_gateway, serve_app

CARD = "4111 1111 1111 1111"
TOKEN = re.compile(r"\[CARD tok_[A-Za-z0-9_\-]{22}\]")


class Inbox:
    """A backend that stores what it is sent and serves it back as the message list."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if request.path == "/stream":
            return await self.stream(request)
        if request.method == "POST":
            self.texts.append((await request.json())["text"])
            return web.json_response({"ok": True})
        return web.json_response({"messages": [{"text": t} for t in self.texts]})

    async def stream(self, request: web.Request) -> web.StreamResponse:
        """The stored messages as server-sent events, cut every 7 characters like a bot's tokens."""
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        text = " ".join(self.texts) + " done"
        for i in range(0, len(text), 7):
            await response.write(b"data: " + json.dumps({"delta": text[i:i + 7]}).encode() + b"\n\n")
        await response.write_eof()
        return response


@pytest.fixture
async def inbox() -> AsyncIterator[tuple[Inbox, str]]:
    backend = Inbox()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", backend.handle)
    async with serve_app(app) as url:
        yield backend, url


def config(tmp_path: Path, upstream: str, state: dict[str, Any]) -> dict[str, Any]:
    key = tmp_path / "signing.pem"
    if not key.exists():
        key.write_bytes(generate_pem("EdDSA"))
    return {
        "upstreams": {"up": {"url": upstream}},
        "logging": {"access_log": False},
        "state": state,
        "auth": {
            "store": f"sqlite://{tmp_path}/users.db",
            "jwt": {"signing_keys": [str(key)]},
            "totp": {"encryption_key": base64.b64encode(bytes(32)).decode()},
            "argon2_time_cost": 1, "argon2_memory_kib": 1024,
        },
        "roles": {"visitor": {}, "billing": {"inherits": ["visitor"], "permissions": ["unmask:card"]}},
        "filters": {"mask": {"use": "masking", "options": {
            "style": "redact", "styles": {"card": "tokenize"}, "vault_key": os.urandom(32).hex()}}},
        "routes": [{"name": "chat", "match": {"path": "/chat"}, "upstream": "up", "allow": ["visitor"],
                    "messages": {"inbound": {"json": ["/text"]}, "outbound": {"json": ["/messages/*/text"]}},
                    "filters": ["mask"]},
                   {"name": "stream", "match": {"path": "/stream"}, "upstream": "up", "allow": ["visitor"],
                    "messages": {"outbound": {"sse": {"json": ["/delta"]}}}, "filters": ["mask"]}],
    }


def audit_at(cfg: dict[str, Any], path: Path) -> dict[str, Any]:
    out = copy.deepcopy(cfg)
    key, _ = keys(path.parent) if not (path.parent / "audit.pem").exists() else (path.parent / "audit.pem", None)
    out["audit"] = {"path": str(path), "signing_key_file": str(key)}
    return out


def leaks(text: str) -> bool:
    """Whether the card is in `text` (the audit's hex digests may well contain "1111")."""
    return CARD in text or CARD.replace(" ", "") in text


async def read_inbox(client: aiohttp.ClientSession, gw: RunningGateway, token: str) -> list[str]:
    async with client.get(f"{gw.url}/chat", headers={"Authorization": f"Bearer {token}"}) as resp:
        assert resp.status == 200
        return [m["text"] for m in (await resp.json())["messages"]]


async def unmasks(gw: RunningGateway, path: Path) -> list[dict[str, Any]]:
    writer = gw.app[AUDIT]
    assert writer is not None and await writer.flush()
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    return [e for e in lines if e.get("event") == "filter.modify" and "unmask:card" in e.get("findings", {})]


@pytest.mark.parametrize("backend", ["memory", "redis"])
async def test_card_is_tokenized_and_unmasked_only_for_permitted_roles(
        backend: str, tmp_path: Path, inbox: tuple[Inbox, str]) -> None:
    chat, url = inbox
    state = {"backend": "memory"} if backend == "memory" else {
        "backend": "redis", "url": "redis://127.0.0.1:6379/0", "prefix": f"test-{uuid.uuid4().hex}:"}
    cfg = config(tmp_path, url, state)
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    async with AsyncExitStack() as stack, aiohttp.ClientSession() as client:
        writer = await stack.enter_async_context(run_gateway(audit_at(cfg, first)))
        # Redis: a second gateway (same config, own process state) reads; memory: the same one.
        reader = writer if backend == "memory" else await stack.enter_async_context(
            run_gateway(audit_at(cfg, second)))
        await add_user(writer, "vic", "a visitor secret", {"visitor"})
        await add_user(writer, "bill", "a billing secret", {"billing"})
        visitor = await login(client, writer, "vic", "a visitor secret")
        billing = await login(client, reader, "bill", "a billing secret")
        async with client.post(f"{writer.url}/chat", json={"text": f"my card {CARD} thanks"},
                               headers={"Authorization": f"Bearer {visitor}"}) as resp:
            assert resp.status == 200
        [stored] = chat.texts
        assert TOKEN.fullmatch(stored.removeprefix("my card ").removesuffix(" thanks"))
        assert "1111" not in stored
        assert await read_inbox(client, reader, billing) == [f"my card {CARD.replace(' ', '')} thanks"]
        [seen] = await read_inbox(client, reader, visitor)
        assert seen == stored
        found = await unmasks(reader, second if backend == "redis" else first)
    assert len(found) == 1 and found[0]["subject"] == "bill" and found[0]["direction"] == "outbound"
    assert not leaks((second if backend == "redis" else first).read_text())


async def test_forged_or_foreign_tokens_stay_placeholders(tmp_path: Path, inbox: tuple[Inbox, str]) -> None:
    chat, url = inbox
    chat.texts = ["[CARD tok_AAAAAAAAAAAAAAAAAAAAAA] and [SSN tok_BBBBBBBBBBBBBBBBBBBBBB]"]
    async with run_gateway(config(tmp_path, url, {"backend": "memory"})) as gw, aiohttp.ClientSession() as client:
        await add_user(gw, "bill", "a billing secret", {"billing"})
        billing = await login(client, gw, "bill", "a billing secret")
        assert await read_inbox(client, gw, billing) == chat.texts


async def test_permission_names_in_a_token_grant_nothing(tmp_path: Path, inbox: tuple[Inbox, str]) -> None:
    chat, url = inbox
    async with run_gateway(config(tmp_path, url, {"backend": "memory"})) as gw, aiohttp.ClientSession() as client:
        await add_user(gw, "eve", "an attacker secret", {"visitor", "unmask:card", "unmask:*"})
        eve = await login(client, gw, "eve", "an attacker secret")
        async with client.post(f"{gw.url}/chat", json={"text": CARD},
                               headers={"Authorization": f"Bearer {eve}"}) as resp:
            assert resp.status == 200
        assert await read_inbox(client, gw, eve) == chat.texts
        assert "1111" not in chat.texts[0]


async def read_stream(client: aiohttp.ClientSession, gw: RunningGateway, token: str) -> str:
    async with client.get(f"{gw.url}/stream", headers={"Authorization": f"Bearer {token}"}) as resp:
        assert resp.status == 200 and resp.headers["Content-Type"].startswith("text/event-stream")
        body = (await resp.read()).decode()
    return "".join(json.loads(line[6:])["delta"] for line in body.split("\n") if line.startswith("data: "))


async def test_tokens_in_an_event_stream_are_unmasked_only_for_permitted_readers(
        tmp_path: Path, inbox: tuple[Inbox, str]) -> None:
    chat, url = inbox
    trail = tmp_path / "audit.jsonl"
    async with run_gateway(audit_at(config(tmp_path, url, {"backend": "memory"}), trail)) as gw, \
            aiohttp.ClientSession() as client:
        await add_user(gw, "vic", "a visitor secret", {"visitor"})
        await add_user(gw, "bill", "a billing secret", {"billing"})
        visitor = await login(client, gw, "vic", "a visitor secret")
        billing = await login(client, gw, "bill", "a billing secret")
        async with client.post(f"{gw.url}/chat", json={"text": f"my card {CARD} thanks"},
                               headers={"Authorization": f"Bearer {visitor}"}) as resp:
            assert resp.status == 200
        [stored] = chat.texts
        assert await read_stream(client, gw, billing) == f"my card {CARD.replace(' ', '')} thanks done"
        assert await read_stream(client, gw, visitor) == f"{stored} done"
        [found] = await unmasks(gw, trail)
    assert found["subject"] == "bill" and found["direction"] == "outbound" and found["route"] == "stream"
    assert not leaks(trail.read_text())
