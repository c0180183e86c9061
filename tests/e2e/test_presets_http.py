"""Every preset's HTTP routes through the running gateway, with payloads shaped like each protocol's.

Templates mark with `@@` the places that hold chat text: the client (or backend) sends them
with a watched word there; the other side must receive the same bytes with only those places
rewritten. The word also sits in ids, room names and keys that are not chat text, where it must
survive untouched, and numbers (timestamps, ids) must come through byte for byte.
"""

from __future__ import annotations

import gzip
from typing import Any

import aiohttp
import orjson
import pytest

from tests.e2e.conftest import BANNED, MARK, Backend, gateway, preset, rewritten, sent

JSON = "application/json"


POLLING = "/socket.io/?EIO=4&transport=polling&sid=abc"  # Engine.IO v4, as every client names it

# (preset, method, path, content type, inbound template or None, outbound template or None)
CASES: list[tuple[str, str, str, str, str | None, str | None]] = [
    # Matrix client-server API v1.x: m.room.message content, edits, topics, /sync, /messages, search.
    ("matrix", "PUT", "/_matrix/client/v3/rooms/!forbidden:example.org/send/m.room.message/txn-1700000000000",
     JSON,
     '{"msgtype":"m.text","body":"this is @@ text","format":"org.matrix.custom.html",'
     '"formatted_body":"<b>@@</b> text","m.relates_to":{"rel_type":"m.thread","event_id":"$forbidden"}}',
     '{"event_id":"$YUwRidLecu:example.org"}'),
    ("matrix", "PUT", "/_matrix/client/r0/rooms/!room:example.org/send/m.room.message/edit-2", JSON,
     '{"msgtype":"m.text","body":" * @@","m.new_content":{"msgtype":"m.text","body":"@@ again"},'
     '"m.relates_to":{"rel_type":"m.replace","event_id":"$original"}}',
     None),
    ("matrix", "PUT", "/_matrix/client/v3/rooms/!room:example.org/state/m.room.topic/", JSON,
     '{"topic":"the @@ topic"}', '{"topic":"the @@ topic"}'),
    ("matrix", "GET", "/_matrix/client/v3/sync", JSON, None,
     '{"next_batch":"s72595_4483_1934","rooms":{"join":{"!726s6s6q:example.com":{"timeline":{"events":['
     '{"content":{"body":"@@ one","msgtype":"m.text"},"event_id":"$143273582443PhrSn:example.org",'
     '"origin_server_ts":1432735824653,"sender":"@example:example.org","type":"m.room.message",'
     '"unsigned":{"age":1234,"transaction_id":"forbidden"}}],"limited":true,"prev_batch":"t34-23535_0_0"},'
     '"state":{"events":[{"content":{"name":"@@ room"},"type":"m.room.name","state_key":"",'
     '"origin_server_ts":1432735824653,"event_id":"$n:example.org","sender":"@a:example.org"}]}}}}}'),
    ("matrix", "GET", "/_matrix/client/v3/rooms/!636q39766251:example.com/messages", JSON, None,
     '{"chunk":[{"content":{"body":"@@ reply","format":"org.matrix.custom.html",'
     '"formatted_body":"<i>@@</i> reply","msgtype":"m.text"},"event_id":"$143273582443PhrSn:example.org",'
     '"origin_server_ts":1432735824653,"room_id":"!636q39766251:example.com","sender":"@example:example.org",'
     '"type":"m.room.message"}],"end":"t47409-4357353_219380_26003_2265","start":"t47429-4392820_219380_26003_2265"}'),
    ("matrix", "POST", "/_matrix/client/v3/search", JSON,
     '{"search_categories":{"room_events":{"keys":["content.body"],"search_term":"@@ plans"}}}',
     '{"search_categories":{"room_events":{"count":1,"results":[{"rank":0.00424,"result":{'
     '"content":{"body":"@@ plans","msgtype":"m.text"},"event_id":"$144429830826TWwbB:localhost",'
     '"origin_server_ts":1432735824653,"type":"m.room.message"}}]}}}'),
    # Mattermost API v4: posts with attachments, a channel's posts keyed by id, search.
    ("mattermost", "POST", "/api/v4/posts", JSON,
     '{"channel_id":"forbidden4xd3jtsc7jx9m8fbz1kgdy","message":"@@ words","root_id":"",'
     '"props":{"attachments":[{"pretext":"@@ pre","text":"@@ body","color":"#ff0000"}]}}',
     '{"id":"sdfkj3h4k5h6k7h8k9j0l1m2n3","create_at":1577836800000,"update_at":1577836800000,'
     '"user_id":"q7r8s9t0u1v2w3x4y5z6a7b8c9","channel_id":"forbidden4xd3jtsc7jx9m8fbz1kgdy",'
     '"message":"@@ words","type":"","props":{},"hashtags":"","pending_post_id":""}'),
    ("mattermost", "PUT", "/api/v4/posts/sdfkj3h4k5h6k7h8k9j0l1m2n3/patch", JSON,
     '{"message":"edited @@","is_pinned":false}', '{"id":"sdfkj3h4k5h6k7h8k9j0l1m2n3","message":"edited @@"}'),
    ("mattermost", "GET", "/api/v4/channels/4xd3jtsc7jx9m8fbz1kgdyabcd/posts", JSON, None,
     '{"order":["p1aaaaaaaaaaaaaaaaaaaaaaaa","p2aaaaaaaaaaaaaaaaaaaaaaaa"],"posts":{'
     '"p1aaaaaaaaaaaaaaaaaaaaaaaa":{"id":"p1aaaaaaaaaaaaaaaaaaaaaaaa","create_at":1577836800000,"message":"@@ 1"},'
     '"p2aaaaaaaaaaaaaaaaaaaaaaaa":{"id":"p2aaaaaaaaaaaaaaaaaaaaaaaa","create_at":1577836800001,"message":"ok",'
     '"props":{"attachments":[{"text":"@@ 2"}]}}},"next_post_id":"","prev_post_id":"","has_next":false}'),
    ("mattermost", "POST", "/api/v4/teams/team1aaaaaaaaaaaaaaaaaaaaa/posts/search", JSON,
     '{"terms":"@@ secrets","is_or_search":false,"time_zone_offset":0,"page":0,"per_page":60}',
     '{"order":["p1"],"posts":{"p1":{"id":"p1","message":"the @@ secrets","create_at":1577836800000}}}'),
    # Rocket.Chat REST: chat.sendMessage, chat.postMessage, chat.update, channels.history.
    ("rocketchat", "POST", "/api/v1/chat.sendMessage", JSON,
     '{"message":{"_id":"forbidden-id-1","rid":"GENERAL","msg":"@@ hello",'
     '"attachments":[{"text":"@@ attached","color":"#00ff00"}]}}',
     '{"message":{"_id":"forbidden-id-1","rid":"GENERAL","msg":"@@ hello","ts":"2024-01-01T00:00:00.000Z",'
     '"u":{"_id":"aobEdbYhXfu5hkeqG","username":"forbidden"},"_updatedAt":"2024-01-01T00:00:00.000Z"},'
     '"success":true}'),
    ("rocketchat", "POST", "/api/v1/chat.postMessage", JSON,
     '{"channel":"#general","text":"@@ posted","attachments":[{"text":"@@ too"}]}',
     '{"ts":1481748965123,"channel":"general","message":{"alias":"","msg":"@@ posted","rid":"GENERAL",'
     '"_id":"7aDSXtjMA3KPLxLjt"},"success":true}'),
    ("rocketchat", "POST", "/api/v1/chat.update", JSON,
     '{"roomId":"GENERAL","msgId":"7aDSXtjMA3KPLxLjt","text":"@@ fixed"}',
     '{"message":{"_id":"7aDSXtjMA3KPLxLjt","msg":"@@ fixed","rid":"GENERAL"},"success":true}'),
    ("rocketchat", "GET", "/api/v1/channels.history", JSON, None,
     '{"messages":[{"_id":"AkzpHAvZpdnuchw2a","rid":"ByehQjC44FwMeiLbX","msg":"@@ old",'
     '"ts":"2016-12-09T12:50:51.555Z","u":{"_id":"y65tAmHs93aDChMWu","username":"testing"},'
     '"attachments":[{"text":"@@ att"}]}],"count":1,"offset":0,"total":1,"success":true}'),
    ("rocketchat", "POST", "/sockjs/123/ab3dkd8x/xhr_send", "text/plain;charset=UTF-8",
     '["{\\"msg\\":\\"method\\",\\"method\\":\\"sendMessage\\",\\"id\\":\\"7\\",\\"params\\":'
     '[{\\"_id\\":\\"x1\\",\\"rid\\":\\"GENERAL\\",\\"msg\\":\\"@@ over xhr\\"}]}"]',
     None),
    ("rocketchat", "POST", "/sockjs/123/ab3dkd8x/xhr", "application/javascript; charset=UTF-8", None,
     'a["{\\"msg\\":\\"changed\\",\\"collection\\":\\"stream-room-messages\\",\\"id\\":\\"id\\",'
     '\\"fields\\":{\\"eventName\\":\\"GENERAL\\",\\"args\\":[{\\"_id\\":\\"m1\\",\\"msg\\":\\"@@ polled\\",'
     '\\"ts\\":{\\"$date\\":1700000000000}}]}}"]\n'),
    # Socket.IO v4 long-polling: packets joined by the record separator.
    ("socketio", "POST", POLLING, "text/plain;charset=UTF-8",
     '42["chat message","@@ one"]\x1e42["message",{"text":"@@ two","room":"forbidden","ts":1700000000000}]'
     '\x1e3',
     '6'),  # a noop packet: the real `ok` answer is the xfail below
    ("socketio", "GET", POLLING, "text/plain; charset=UTF-8", None,
     '42["chat message",{"text":"@@ pushed","from":"forbidden","at":1700000000000}]\x1e2'),
    # XMPP over BOSH (XEP-0124/0206).
    ("xmpp", "POST", "/http-bind", "text/xml; charset=utf-8",
     "<body rid='1573741820' sid='SomeSID' xmlns='http://jabber.org/protocol/httpbind'>"
     "<message to='forbidden@example.com' type='chat' xmlns='jabber:client'>"
     "<subject>@@ subject</subject><body>I said @@ &amp; more</body></message></body>",
     "<body xmlns='http://jabber.org/protocol/httpbind'><message from='juliet@example.com/balcony' "
     "to='romeo@example.net' type='chat' id='forbidden' xmlns='jabber:client'><body>@@ reply</body>"
     "</message></body>"),
    # A JSON chat API of one's own.
    ("generic_json", "POST", "/api/rooms/42/messages", JSON,
     '{"text":"@@ generic","id":1234567890123456,"ts":1700000000000,"room":"forbidden"}',
     '{"messages":[{"id":4111111111111111,"text":"@@ listed","ts":1700000000000},'
     '{"id":2,"message":"@@ too","body":"and @@"}]}'),
]


def case_id(case: tuple[str, str, str, str, str | None, str | None]) -> str:
    path = case[2].split("?")[0]
    return f"{case[0]}-{case[1]}-{path.rsplit('/', 2)[-2]}/{path.rsplit('/', 1)[-1]}"


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
async def test_text_is_rewritten_both_ways_and_nothing_else(
        case: tuple[str, str, str, str, str | None, str | None], backend: tuple[Backend, str],
        client: aiohttp.ClientSession) -> None:
    name, method, path, content_type, inbound, outbound = case
    chat, url = backend
    if outbound is not None:
        chat.reply(path.split("?")[0], sent(outbound), content_type)
    body = sent(inbound).encode() if inbound is not None else None
    async with gateway(url, [preset(name)]) as gw:
        headers = {"Content-Type": content_type} if body is not None else {}
        async with client.request(method, f"{gw.url}{path}", data=body, headers=headers) as response:
            assert response.status == 200, await response.text()
            received = await response.read()
    assert [hit.path for hit in chat.hits] == [path]
    if inbound is not None:
        assert chat.hits[0].body == rewritten(inbound).encode()
    if outbound is not None:
        expected = rewritten(outbound) if MARK in outbound else outbound
        assert received == expected.encode()


def test_every_preset_has_an_http_case() -> None:
    from gateway.config.presets import known_presets

    assert {case[0] for case in CASES} == set(known_presets())


async def test_socketio_polling_post_gets_the_servers_ok(backend: tuple[Backend, str],
                                                         client: aiohttp.ClientSession) -> None:
    chat, url = backend
    chat.reply("/socket.io/", "ok", "text/html")
    async with gateway(url, [preset("socketio")]) as gw, client.post(
            f"{gw.url}/socket.io/?EIO=4&transport=polling&sid=abc", data=sent('42["chat message","@@"]'),
            headers={"Content-Type": "text/plain;charset=UTF-8"}) as response:
        assert response.status == 200
        assert await response.read() == b"ok"


# One representative inbound route per preset, for blocks and unparseable bodies.
SEND: dict[str, tuple[str, str, str, str]] = {
    "matrix": ("PUT", "/_matrix/client/v3/rooms/!r:example.org/send/m.room.message/t1", JSON,
               '{"msgtype":"m.text","body":"@@"}'),
    "mattermost": ("POST", "/api/v4/posts", JSON, '{"channel_id":"c1","message":"@@"}'),
    "rocketchat": ("POST", "/api/v1/chat.postMessage", JSON, '{"channel":"#general","text":"@@"}'),
    "socketio": ("POST", POLLING, "text/plain;charset=UTF-8", '42["chat message","@@"]'),
    "xmpp": ("POST", "/http-bind", "text/xml",
             "<body xmlns='http://jabber.org/protocol/httpbind'><message><body>@@</body></message></body>"),
    "generic_json": ("POST", "/api/send", JSON, '{"text":"@@"}'),
}

BROKEN: dict[str, str] = {
    "matrix": '{"msgtype":"m.text","body":"unterminated',
    "mattermost": '{"message": "a", "message": "b"}',          # duplicate keys: parsers disagree
    "rocketchat": '{"text": NaN}',
    "socketio": '42["chat message",',
    "xmpp": "<!DOCTYPE x [<!ENTITY a 'b'>]><body><message><body>&a;</body></message></body>",
    "generic_json": "\xff not json",
}


@pytest.mark.parametrize("name", sorted(SEND))
async def test_a_blocked_message_never_reaches_the_backend(name: str, backend: tuple[Backend, str],
                                                           client: aiohttp.ClientSession) -> None:
    chat, url = backend
    method, path, content_type, template = SEND[name]
    body = template.replace(MARK, f"a {BANNED} word")
    async with gateway(url, [preset(name)]) as gw, client.request(
            method, f"{gw.url}{path}", data=body.encode(), headers={"Content-Type": content_type}) as response:
        assert response.status == 403
        payload = orjson.loads(await response.read())
        assert payload == {"error": "message blocked by policy", "request_id": response.headers["X-Request-Id"]}
    assert chat.hits == []


@pytest.mark.parametrize("name", sorted(BROKEN))
async def test_an_unparseable_body_on_a_filtered_route_is_400(name: str, backend: tuple[Backend, str],
                                                              client: aiohttp.ClientSession) -> None:
    chat, url = backend
    method, path, content_type, _ = SEND[name]
    body = BROKEN[name].encode("latin-1") if name == "generic_json" else BROKEN[name].encode()
    async with gateway(url, [preset(name)]) as gw, client.request(
            method, f"{gw.url}{path}", data=body, headers={"Content-Type": content_type}) as response:
        assert response.status == 400
        assert orjson.loads(await response.read())["error"] == "message payload could not be parsed"
    assert chat.hits == []


async def test_an_unparseable_backend_answer_is_502_not_forwarded(backend: tuple[Backend, str],
                                                                  client: aiohttp.ClientSession) -> None:
    chat, url = backend
    chat.reply("/_matrix/client/v3/sync", f'{{"rooms": {{"join": "{sent(MARK)}"')
    async with gateway(url, [preset("matrix")]) as gw, client.get(f"{gw.url}/_matrix/client/v3/sync") as response:
        assert response.status == 502
        assert b"forbidden" not in await response.read()


# Routes of a preset that hold no chat text: forwarded as they are, whatever the body.
CATCH_ALL: list[tuple[str, str, str, bytes]] = [
    ("matrix", "POST", "/_matrix/client/v3/login",
     b'{"type":"m.login.password","identifier":{"type":"m.id.user","user":"forbidden"},"password":"banned"}'),
    ("matrix", "POST", "/_matrix/media/v3/upload?filename=a.bin", b"\x00\xffnot json at all banned"),
    ("mattermost", "POST", "/api/v4/users/login", b'{"login_id":"banned","password":"{not json"}'),
    ("rocketchat", "POST", "/api/v1/login", b'{"user":"banned","password":"forbidden"'),
    ("rocketchat", "GET", "/sockjs/info?cb=1a2b3c", b""),
]


@pytest.mark.parametrize(("name", "method", "path", "body"), CATCH_ALL, ids=[c[2] for c in CATCH_ALL])
async def test_routes_without_chat_text_forward_untouched(name: str, method: str, path: str, body: bytes,
                                                          backend: tuple[Backend, str],
                                                          client: aiohttp.ClientSession) -> None:
    chat, url = backend
    answer = b'{"access_token":"syt_banned","note":"forbidden ' + bytes(range(0x20, 0x30)) + b'"}'
    chat.reply(path.split("?")[0], answer)
    kwargs: dict[str, Any] = {"data": body, "headers": {"Content-Type": JSON}} if body else {}
    async with gateway(url, [preset(name)]) as gw, client.request(method, f"{gw.url}{path}", **kwargs) as response:
        assert response.status == 200
        assert await response.read() == answer
    assert [(hit.path, hit.body) for hit in chat.hits] == [(path, body)]


@pytest.mark.parametrize(("name", "path", "answer"), [
    ("matrix", "/_matrix/client/v3/rooms/!r:example.org/event/$e1",
     '{"content":{"body":"@@","msgtype":"m.text"},"event_id":"$e1","origin_server_ts":1432735824653}'),
    ("mattermost", "/api/v4/posts/p1", '{"id":"p1","message":"@@","create_at":1577836800000}'),
    ("rocketchat", "/api/v1/chat.getMessage", '{"message":{"_id":"m1","msg":"@@"},"success":true}'),
    ("xmpp", "/http-bind", "<body xmlns='http://jabber.org/protocol/httpbind'><message><body>@@</body></message></body>"),
])
async def test_a_blocked_answer_never_reaches_the_client(name: str, path: str, answer: str,
                                                         backend: tuple[Backend, str],
                                                         client: aiohttp.ClientSession) -> None:
    chat, url = backend
    chat.reply(path, answer.replace(MARK, f"a {BANNED} word"), "text/xml" if name == "xmpp" else JSON)
    async with gateway(url, [preset(name)]) as gw, client.get(f"{gw.url}{path}") as response:
        assert response.status == 403
        assert BANNED.encode() not in await response.read()


async def test_a_gzip_request_body_is_refused_where_inspected(backend: tuple[Backend, str],
                                                               client: aiohttp.ClientSession) -> None:
    chat, url = backend
    body = gzip.compress(sent('{"text":"a @@ word"}').encode())
    headers = {"Content-Type": JSON, "Content-Encoding": "gzip"}
    async with gateway(url, [preset("generic_json")]) as gw, client.post(
            f"{gw.url}/api/send", data=body, headers=headers) as response:
        assert response.status == 415
        assert (await response.json())["error"] == "compressed request bodies are not accepted here"
    assert chat.hits == []


async def test_a_gzip_request_body_is_relayed_byte_exact_where_not_inspected(
        backend: tuple[Backend, str], client: aiohttp.ClientSession) -> None:
    chat, url = backend
    body = gzip.compress(b'{"type":"m.login.password","user":"forbidden"}')
    headers = {"Content-Type": JSON, "Content-Encoding": "gzip"}
    async with gateway(url, [preset("matrix", timeout="5s")]) as gw, client.post(
            f"{gw.url}/_matrix/client/v3/login", data=body, headers=headers) as response:
        assert response.status == 200
    # The backend (aiohttp) inflated what it got: the gateway relayed the gzip bytes with their header.
    assert [hit.body for hit in chat.hits] == [gzip.decompress(body)]
    assert chat.hits[0].headers["Content-Encoding"] == "gzip"
