"""Per-message access rules over HTTP: every transport that carries a named event is held to the
same `messages_allow` rule as a WebSocket frame (Engine.IO long-polling POSTs, SockJS `xhr_send`,
Rocket.Chat `method.call/<m>` and `method.callAnon/<m>`, Matrix endpoints that create events
without naming them in the path). A refused request never reaches the backend."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from tests.e2e.conftest import KEYWORD_FILTERS, Backend
from tests.e2e.test_ws_message_rules import settings, token_for
from tests.helpers import RunningGateway, gateway_config, run_gateway, serve_app

pytestmark = pytest.mark.asyncio(loop_scope="module")

ANYONE = ["anonymous"]
SIO_RULES = {"socketio": {"chat message": ANYONE}}
DDP_RULES = {"ddp": {"sendMessage": ANYONE, "sendMessageLivechat": ANYONE}}
MATRIX_RULES = {"matrix": {"m.room.message": ANYONE, "m.room.redaction": ANYONE, "m.room.create": ANYONE,
                           "m.room.name": ANYONE}}
POLL = "/socket.io/?EIO=4&transport=polling&sid=s1"
TEXT = "text/plain;charset=UTF-8"
JSON = "application/json"


def _route(name: str, path: str, rules: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": name, "match": {"path": path}, "upstream": "up", "allow": ANYONE, "filters": ["stop"],
            "messages_allow": rules, **extra}


ROUTES: list[dict[str, Any]] = [
    _route("sio", "/socket.io/", SIO_RULES, messages={"inbound": {"socketio": {"chat message": ["/0"]}}}),
    _route("sio-bare", "/bare/socket.io/", SIO_RULES),  # no message fields: the rules still read names
    _route("xhr", "/sockjs/{server}/{session}/xhr_send", DDP_RULES,
           messages={"inbound": {"ddp": {"sendMessage": ["/params/0/msg"]}}}),
    _route("xhr-bare", "/bare/sockjs/{server}/{session}/xhr_send", DDP_RULES),
    {"preset": "rocketchat", "upstream": "up", "allow": ANYONE, "filters": ["stop"], "messages_allow": DDP_RULES,
     "match": {"host": "rc.test"}},
    {"preset": "matrix", "upstream": "up", "allow": ANYONE, "filters": ["stop"], "messages_allow": MATRIX_RULES,
     "match": {"host": "matrix.test"}},
]


def ddp(method: str, *params: object) -> str:
    return json.dumps({"msg": "method", "method": method, "id": "1", "params": list(params)})


def envelope(method: str) -> str:
    return json.dumps({"message": ddp(method, {"rid": "GENERAL", "msg": "hi"})})


@dataclass
class Suite:
    gateway: RunningGateway
    backend: Backend
    client: aiohttp.ClientSession


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def suite() -> AsyncIterator[Suite]:
    backend = Backend()
    async with serve_app(backend.app, shutdown_timeout=0.1) as url, \
            run_gateway(gateway_config(url, ROUTES, filters=KEYWORD_FILTERS)) as gw, \
            aiohttp.ClientSession() as client:
        yield Suite(gw, backend, client)


ROOM = "/_matrix/client/v3/rooms/!r:example.org"
CASES: list[tuple[str, str, str, str, str, str, int]] = [
    # id, host, method, path, content type, body, status (200: reached the backend unchanged)
    ("poll-allowed", "", "POST", POLL, TEXT, '42["chat message","hi"]', 200),
    ("poll-unlisted", "", "POST", POLL, TEXT, '42["kick",{"user":"u2"}]', 403),
    ("poll-smuggled-behind-allowed", "", "POST", POLL, TEXT, '42["chat message","hi"]\x1e42["kick",{}]', 403),
    ("poll-namespace-and-ack-id", "", "POST", POLL, TEXT, '42/admin,7["kick",{}]', 403),
    ("poll-binary-event", "", "POST", POLL, TEXT, '451-["kick",{"_placeholder":true,"num":0}]\x1ebAQID', 403),
    ("poll-ping-only", "", "POST", POLL, TEXT, "2", 200),
    ("poll-unreadable", "", "POST", POLL, TEXT, '42["kick",', 400),
    ("poll-bare-unlisted", "", "POST", "/bare" + POLL, TEXT, '42["kick",{}]', 403),
    ("poll-bare-allowed", "", "POST", "/bare" + POLL, TEXT, '42["chat message","hi"]', 200),
    ("xhr-allowed", "", "POST", "/sockjs/1/abc/xhr_send", TEXT, json.dumps([ddp("sendMessage", {"msg": "hi"})]),
     200),
    ("xhr-unlisted", "", "POST", "/sockjs/1/abc/xhr_send", TEXT, json.dumps([ddp("deleteMessage", {"_id": "m"})]),
     403),
    ("xhr-smuggled", "", "POST", "/sockjs/1/abc/xhr_send", TEXT,
     json.dumps([ddp("sendMessage", {"msg": "hi"}), ddp("deleteMessage", {"_id": "m"})]), 403),
    ("xhr-bare-unlisted", "", "POST", "/bare/sockjs/1/abc/xhr_send", TEXT,
     json.dumps([ddp("deleteMessage", {"_id": "m"})]), 403),
    ("rc-xhr-send-unlisted", "rc.test", "POST", "/sockjs/1/abc/xhr_send", TEXT,
     json.dumps([ddp("deleteMessage", {"_id": "m"})]), 403),
    ("method-call-allowed", "rc.test", "POST", "/api/v1/method.call/sendMessage", JSON, envelope("sendMessage"),
     200),
    ("method-call-unlisted", "rc.test", "POST", "/api/v1/method.call/deleteMessage", JSON,
     envelope("deleteMessage"), 403),
    ("method-call-path-hides-body", "rc.test", "POST", "/api/v1/method.call/sendMessage", JSON,
     envelope("deleteMessage"), 403),
    ("method-call-body-hides-path", "rc.test", "POST", "/api/v1/method.call/deleteMessage", JSON,
     envelope("sendMessage"), 403),
    ("method-call-anon-unlisted", "rc.test", "POST", "/api/v1/method.callAnon/deleteMessage", JSON,
     envelope("deleteMessage"), 403),
    ("method-call-anon-allowed", "rc.test", "POST", "/api/v1/method.callAnon/sendMessageLivechat", JSON,
     envelope("sendMessageLivechat"), 200),
    ("matrix-send-allowed", "matrix.test", "PUT", f"{ROOM}/send/m.room.message/t1", JSON, '{"body":"hi"}', 200),
    ("matrix-send-unlisted", "matrix.test", "PUT", f"{ROOM}/send/m.room.power_levels/t1", JSON, "{}", 403),
    ("matrix-redact", "matrix.test", "PUT", f"{ROOM}/redact/$e/t2", JSON, '{"reason":"spam"}', 200),
    ("matrix-invite", "matrix.test", "POST", f"{ROOM}/invite", JSON, '{"user_id":"@b:example.org"}', 403),
    ("matrix-kick", "matrix.test", "POST", f"{ROOM}/kick", JSON, '{"user_id":"@b:example.org"}', 403),
    ("matrix-ban", "matrix.test", "POST", f"{ROOM}/ban", JSON, '{"user_id":"@b:example.org"}', 403),
    ("matrix-join", "matrix.test", "POST", "/_matrix/client/v3/join/!r:example.org", JSON, "{}", 403),
    ("matrix-profile", "matrix.test", "PUT", "/_matrix/client/v3/profile/@a:example.org/displayname", JSON,
     '{"displayname":"a"}', 403),
    ("matrix-create-room", "matrix.test", "POST", "/_matrix/client/v3/createRoom", JSON, '{"name":"r"}', 200),
    ("matrix-create-room-topic", "matrix.test", "POST", "/_matrix/client/v3/createRoom", JSON,
     '{"name":"r","topic":"t"}', 403),
    ("matrix-create-room-initial-state", "matrix.test", "POST", "/_matrix/client/v3/createRoom", JSON,
     '{"initial_state":[{"type":"m.room.power_levels","state_key":"","content":{}}]}', 403),
    ("matrix-create-room-invite", "matrix.test", "POST", "/_matrix/client/v3/createRoom", JSON,
     '{"invite":["@b:example.org"]}', 403),
]


@pytest.mark.parametrize(("host", "method", "path", "content_type", "body", "status"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
async def test_named_messages_over_http_follow_the_rules(suite: Suite, host: str, method: str, path: str,
                                                         content_type: str, body: str, status: int) -> None:
    suite.backend.hits.clear()
    polling = path.startswith(("/socket", "/bare/socket"))
    suite.backend.reply(path.split("?")[0], "ok" if polling else "{}", "text/plain" if polling else JSON)
    headers = {"Content-Type": content_type, **({"Host": host} if host else {})}
    async with suite.client.request(method, f"{suite.gateway.url}{path}", data=body.encode(),
                                    headers=headers) as response:
        answer = await response.read()
    assert response.status == status, answer
    assert [hit.body for hit in suite.backend.hits] == ([body.encode()] if status == 200 else [])


async def test_roles_decide_over_http_as_on_websocket(tmp_path: Path) -> None:
    """The same table lets an agent's long-polling POST through and refuses a visitor's."""
    backend = Backend()
    rules = {"socketio": {"chat message": ["visitor"], "kick": ["agent"]}}
    route = {"name": "sio", "match": {"path": "/socket.io/"}, "upstream": "up", "allow": ["visitor"],
             "messages_allow": rules}
    async with serve_app(backend.app, shutdown_timeout=0.1) as url, \
            run_gateway(gateway_config(url, [route], filters=KEYWORD_FILTERS, **settings(tmp_path))) as gw, \
            aiohttp.ClientSession() as client:
        backend.reply("/socket.io/", "ok", "text/plain")
        for user, status in (("vic", 403), ("ann", 200)):
            token = await token_for(gw, client, user)
            async with client.post(f"{gw.url}{POLL}", data=b'42["kick",{}]',
                                   headers={"Authorization": f"Bearer {token}", "Content-Type": TEXT}) as response:
                assert response.status == status, await response.text()
        assert [hit.body for hit in backend.hits] == [b'42["kick",{}]']
