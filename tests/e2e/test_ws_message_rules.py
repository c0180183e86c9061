"""Per-message access rules on WebSocket: which Socket.IO events and DDP methods each role may send,
checked frame by frame through the running gateway with real tokens, in enforce and shadow mode."""

from __future__ import annotations

import base64
import logging
import os
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest
from aiohttp import WSMsgType

from gateway.auth.tokens import generate_pem
from tests.e2e.conftest import KEYWORD_FILTERS, Backend, gateway, next_message
from tests.e2e.test_auth_gateway import add_user, login
from tests.helpers import RunningGateway

SIO = "/socket.io/?EIO=4&transport=websocket"
SIO_BARE = "/bare/socket.io/?EIO=4&transport=websocket"  # no message fields: rules still apply
DDP = "/websocket"
SIO_RULES = {"socketio": {"chat message": ["visitor"], "kick": ["agent"]}}
DDP_RULES = {"ddp": {"sendMessage": ["visitor"], "deleteMessage": ["agent"]}}
SIO_OK = '42["chat message","hi"]'
DDP_OK = '{"msg":"method","method":"sendMessage","id":"1","params":[{"rid":"GENERAL","msg":"hi"}]}'
DDP_DELETE = '{"msg":"method","method":"deleteMessage","id":"2","params":[{"_id":"m1"}]}'
PASSWORDS = {"vic": "a visitor password", "ann": "an agent password"}


def ws_route(name: str, path: str, rules: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": name, "match": {"path": path, "websocket": True}, "upstream": "up",
            "allow": ["visitor"], "messages_allow": rules, **extra}


def routes(**extra: Any) -> list[dict[str, Any]]:
    return [
        ws_route("sio", "/socket.io/", SIO_RULES, filters=["stop"],
                 messages={"inbound": {"socketio": {"chat message": ["/0"]}}}, **extra),
        ws_route("sio-bare", "/bare/socket.io/", SIO_RULES, **extra),
        ws_route("ddp", "/websocket", DDP_RULES, filters=["stop"],
                 messages={"inbound": {"ddp": {"sendMessage": ["/params/0/msg"]}}}, **extra),
    ]


def auth(tmp_path: Path) -> dict[str, Any]:
    key = tmp_path / "signing.pem"
    key.write_bytes(generate_pem("EdDSA"))
    return {"store": f"sqlite://{tmp_path}/users.db", "jwt": {"signing_keys": [str(key)]},
            "totp": {"encryption_key": base64.b64encode(os.urandom(32)).decode()},
            "argon2_time_cost": 1, "argon2_memory_kib": 1024}


def settings(tmp_path: Path) -> dict[str, Any]:
    return {"auth": auth(tmp_path), "roles": {"visitor": {}, "agent": {"inherits": ["visitor"]}}}


async def token_for(gw: RunningGateway, client: aiohttp.ClientSession, user: str) -> str:
    await add_user(gw, user, PASSWORDS[user], {"agent" if user == "ann" else "visitor"})
    return await login(client, gw, user, PASSWORDS[user])


def with_token(path: str, token: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}access_token={token}"


def sockjs(*messages: str) -> str:
    return orjson.dumps(list(messages)).decode()


CASES: list[tuple[str, str, str, bool]] = [
    (SIO, "vic", SIO_OK, True),
    (SIO, "vic", '42["kick",{"user":"u2"}]', False),
    (SIO, "ann", '42["kick",{"user":"u2"}]', True),               # inherited visitor rights plus its own
    (SIO, "ann", '42["drop everything"]', False),                 # unlisted: deny by default
    (SIO, "vic", '451-["kick",{"_placeholder":true,"num":0}]', False),  # binary event header
    (SIO, "vic", '42/admin,7["kick",{}]', False),                 # namespace and ack id do not hide it
    (SIO, "vic", '42[7,"x"]', False),                             # numeric event names are names too
    (SIO, "vic", "2", True),                                      # Engine.IO ping: no event
    (SIO, "vic", '431[{"ok":true}]', True),                       # an ack names no event
    (SIO_BARE, "vic", '42["kick",{}]', False),
    (SIO_BARE, "ann", '42["kick",{}]', True),
    (DDP, "vic", DDP_OK, True),
    (DDP, "vic", DDP_DELETE, False),
    (DDP, "ann", DDP_DELETE, True),
    (DDP, "vic", sockjs(DDP_OK, DDP_DELETE), False),             # smuggled behind an allowed call
    (DDP, "vic", '{"msg":"method","method":["deleteMessage"],"id":"3"}', False),  # no string name
    (DDP, "vic", '{"msg":"sub","id":"s1","name":"stream-room-messages","params":["GENERAL",false]}', True),
]


@pytest.mark.parametrize(("path", "user", "sent", "allowed"), CASES)
async def test_each_role_sends_only_the_messages_its_rules_allow(
        path: str, user: str, sent: str, allowed: bool, tmp_path: Path, backend: tuple[Backend, str],
        client: aiohttp.ClientSession) -> None:
    chat, url = backend
    async with gateway(url, routes(), KEYWORD_FILTERS, **settings(tmp_path)) as gw:
        token = await token_for(gw, client, user)
        async with client.ws_connect(f"{gw.url}{with_token(path, token)}") as ws:
            peer = await chat.peer()
            await ws.send_str(sent)
            if not allowed:
                reply = orjson.loads((await next_message(ws)).data)
                assert (reply["type"], reply["error"]) == ("chatguard.error", "forbidden")
            follow = DDP_OK if path == DDP else SIO_OK  # allowed for everyone: the connection goes on
            await ws.send_str(follow)
            if allowed:
                assert await peer.receive_str() == sent
            assert await peer.receive_str() == follow


@pytest.mark.parametrize(("path", "sent"), [(SIO, '42["kick",'), (DDP, '{"msg":"method","method":"sendMessage",'
                                                                      '"method":"deleteMessage"}')])
async def test_frames_the_rules_cannot_read_are_refused(path: str, sent: str, tmp_path: Path,
                                                        backend: tuple[Backend, str],
                                                        client: aiohttp.ClientSession) -> None:
    chat, url = backend
    async with gateway(url, routes(), KEYWORD_FILTERS, **settings(tmp_path)) as gw:
        token = await token_for(gw, client, "ann")
        async with client.ws_connect(f"{gw.url}{with_token(path, token)}") as ws:
            peer = await chat.peer()
            await ws.send_str(sent)
            assert (await next_message(ws)).type is WSMsgType.CLOSE
            assert ws.close_code == 1003
            assert (await peer.closed()).data == 1003


async def test_on_block_close_ends_the_connection_on_a_refusal(tmp_path: Path, backend: tuple[Backend, str],
                                                               client: aiohttp.ClientSession) -> None:
    chat, url = backend
    closing = routes(websocket={"on_block": "close"})
    async with gateway(url, closing, KEYWORD_FILTERS, **settings(tmp_path)) as gw:
        token = await token_for(gw, client, "vic")
        async with client.ws_connect(f"{gw.url}{with_token(SIO, token)}") as ws:
            peer = await chat.peer()
            await ws.send_str('42["kick",{}]')
            assert (await next_message(ws)).type is WSMsgType.CLOSE
            assert ws.close_code == 1008
            assert (await peer.closed()).data == 1008


async def test_shadow_mode_logs_the_refusal_and_forwards(tmp_path: Path, backend: tuple[Backend, str],
                                                         client: aiohttp.ClientSession,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    chat, url = backend
    async with gateway(url, routes(mode="shadow"), KEYWORD_FILTERS, **settings(tmp_path)) as gw:
        token = await token_for(gw, client, "vic")
        with caplog.at_level(logging.WARNING, logger="chatguard.audit"):
            async with client.ws_connect(f"{gw.url}{with_token(DDP, token)}") as ws:
                peer = await chat.peer()
                await ws.send_str(DDP_DELETE)
                assert await peer.receive_str() == DDP_DELETE
    shadowed = [r for r in caplog.records if getattr(r, "event", "") == "authz.shadow_deny"]
    assert [(r.event_name, r.subject, r.route) for r in shadowed] == [("deleteMessage", "vic", "ddp")]  # type: ignore[attr-defined]


async def test_filters_still_run_on_allowed_messages(tmp_path: Path, backend: tuple[Backend, str],
                                                     client: aiohttp.ClientSession) -> None:
    chat, url = backend
    async with gateway(url, routes(), KEYWORD_FILTERS, **settings(tmp_path)) as gw:
        token = await token_for(gw, client, "ann")
        async with client.ws_connect(f"{gw.url}{with_token(SIO, token)}") as ws:
            peer = await chat.peer()
            await ws.send_str('42["chat message","banned words"]')
            reply = orjson.loads((await next_message(ws)).data)
            assert reply["error"] == "message blocked by policy"
            await ws.send_str(SIO_OK)
            assert await peer.receive_str() == SIO_OK


async def test_a_binary_ddp_message_is_still_a_ddp_call(tmp_path: Path, backend: tuple[Backend, str],
                                                         client: aiohttp.ClientSession) -> None:
    chat, url = backend
    async with gateway(url, routes(), KEYWORD_FILTERS, **settings(tmp_path)) as gw:
        token = await token_for(gw, client, "vic")
        async with client.ws_connect(f"{gw.url}{with_token(DDP, token)}") as ws:
            await chat.peer()
            await ws.send_bytes(DDP_DELETE.encode())
            assert orjson.loads((await next_message(ws)).data)["error"] == "forbidden"


# Socket.IO binary messages are the attachments a binary packet announced, never packets of their own: one
# nothing announced would be an event to a server reading packets from binary messages (msgpack), read by no
# rule here, so it is refused (and socket.io-parser would throw on it); an announced one goes on.
@pytest.mark.parametrize("path", [SIO, SIO_BARE])
async def test_socketio_binary_messages_only_as_announced_attachments(
        path: str, tmp_path: Path, backend: tuple[Backend, str], client: aiohttp.ClientSession) -> None:
    chat, url = backend
    upload = '461-1[{"ok":true},{"_placeholder":true,"num":0}]'  # an ack with a file
    async with gateway(url, routes(), KEYWORD_FILTERS, **settings(tmp_path)) as gw:
        token = await token_for(gw, client, "vic")
        async with client.ws_connect(f"{gw.url}{with_token(path, token)}") as ws:
            peer = await chat.peer()
            await ws.send_str(upload)
            assert await peer.receive_str() == upload
            await ws.send_bytes(b"\x01\x02")
            assert (await peer.receive()).data == b"\x01\x02"
            await ws.send_bytes(b'42["kick",{}]')  # nothing announced it
            msg = await next_message(ws)
            assert (msg.type, msg.data) == (WSMsgType.CLOSE, 1003)
            assert (await peer.closed()).data == 1003
