"""Every preset's WebSocket routes through the running gateway, both ways, frame by frame.

The backend side of each connection is played by the test (see conftest `Peer`), so every
frame the gateway forwarded is compared whole: only the marked chat text may differ.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import msgpack
import orjson
import pytest
from aiohttp import WSMsgType

from tests.e2e.conftest import (
    BANNED,
    MARK,
    REPLACED,
    WORD,
    Backend,
    gateway,
    next_message,
    preset,
    rewritten,
    sent,
)

# The DDP message Rocket.Chat's client sends, and the one its server pushes for a new room message.
DDP_SEND = ('{"msg":"method","method":"sendMessage","id":"42","params":[{"_id":"forbidden-x1","rid":"GENERAL",'
            '"msg":"@@ via ddp","attachments":[{"text":"@@ att"}]}]}')
DDP_PUSH = ('{"msg":"changed","collection":"stream-room-messages","id":"id","fields":{"eventName":"GENERAL",'
            '"args":[{"_id":"m1","rid":"GENERAL","msg":"@@ pushed","ts":{"$date":1700000000000},'
            '"u":{"_id":"u1","username":"forbidden"},"_updatedAt":{"$date":1700000000001}}]}}')


def sockjs(*messages: str) -> str:
    """A SockJS frame body (`["...", ...]`) holding each DDP message as a JSON string."""
    return orjson.dumps(list(messages)).decode()


# (preset, path, subprotocols, client frames, backend frames); frames are templates.
CASES: list[tuple[str, str, tuple[str, ...], list[str], list[str]]] = [
    ("mattermost", "/api/v4/websocket", (),
     ['{"seq":1,"action":"authentication_challenge","data":{"token":"forbidden"}}',
      '{"seq":2,"action":"user_typing","data":{"channel_id":"c1","parent_id":"forbidden"}}',
      # a plugin's action (Calls starting a call): every value under `data` is read
      '{"seq":3,"action":"custom_com.mattermost.calls_join","data":{"channelID":"c1","title":"@@ call",'
      '"extra":{"notes":["@@ a","@@ b"]}}}'],
     ['{"event":"hello","data":{"server_version":"9.0.0"},"broadcast":{"omit_users":null,"user_id":"u1",'
      '"channel_id":"","team_id":""},"seq":0}',
      '{"event":"posted","data":{"channel_display_name":"Town Square","channel_name":"town-square",'
      '"channel_type":"O","post":' + orjson.dumps(
          '{"id":"p1","create_at":1577836800000,"user_id":"u1","channel_id":"c1","message":"@@ posted",'
          '"props":{"attachments":[{"text":"@@ att"}]},"type":""}').decode()
      + ',"sender_name":"@forbidden","team_id":"t1"},"broadcast":{"channel_id":"c1"},"seq":3}',
      '{"event":"channel_bookmark_created","data":{"bookmark":' + orjson.dumps(
          '{"id":"forbidden","channel_id":"c1","display_name":"@@ docs","link_url":"https://x.test/@@",'
          '"type":"link"}').decode() + '},"broadcast":{"channel_id":"c1"},"seq":4}',
      '{"event":"update_team","data":{"team":' + orjson.dumps(
          '{"id":"t1","name":"forbidden","display_name":"@@ team","description":"@@ desc"}').decode()
      + '},"broadcast":{"team_id":"t1"},"seq":5}']),
    ("rocketchat", "/websocket", (),
     ['{"msg":"connect","version":"1","support":["1","pre2","pre1"]}', DDP_SEND,
      '{"msg":"method","method":"updateMessage","id":"43","params":[{"_id":"m1","rid":"GENERAL","msg":"@@ fix"}]}',
      '{"msg":"sub","id":"s1","name":"stream-room-messages","params":["GENERAL",false]}'],
     ['{"msg":"connected","session":"forbidden"}', DDP_PUSH, '{"msg":"result","id":"42","result":{"msg":"x"}}']),
    ("rocketchat", "/sockjs/123/ab3dkd8x/websocket", (),
     [sockjs('{"msg":"connect","version":"1","support":["1"]}'), sockjs(DDP_SEND)],
     ["o", "h", "a" + sockjs(DDP_PUSH, '{"msg":"ready","subs":["s1"]}')]),
    ("socketio", "/socket.io/?EIO=4&transport=websocket", (),
     ["2probe", "5", '40{"token":"forbidden"}', '40/admin,{"username":"@@ name","token":"forbidden"}',
      '42["chat message","@@ plain"]',
      '42["chat message",{"text":"@@ obj","room":"forbidden","ts":1700000000000}]',
      '421["message",{"body":"@@ acked"}]', '42/admin,["message",{"message":"@@ ns"}]',
      '42["typing",{"text":"forbidden is not inspected here"}]', "3"],
     ['0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}',
      "3probe", '40{"sid":"wZX3oN0bSVIhsaknAAAI"}', '42["chat message",{"text":"@@ back","from":"forbidden"}]',
      '431[{"ok":true}]', "2"]),
    ("xmpp", "/xmpp-websocket", ("xmpp",),
     ['<open xmlns="urn:ietf:params:xml:ns:xmpp-framing" to="example.com" version="1.0"/>',
      '<message xmlns="jabber:client" to="forbidden@example.com" type="chat" id="m1"><body>@@ &lt;3</body>'
      "</message>",
      '<presence xmlns="jabber:client"><status>@@ status text</status></presence>',
      "<message xmlns='jabber:client'><body>@@</body><html xmlns='http://jabber.org/protocol/xhtml-im'>"
      "<body xmlns='http://www.w3.org/1999/xhtml'><p>@@ <b>@@</b></p></body></html>"
      "<x xmlns='jabber:x:oob'><url>https://files.example/forbidden.png</url><desc>@@ desc</desc></x></message>"],
     ['<open xmlns="urn:ietf:params:xml:ns:xmpp-framing" from="example.com" id="++TR84Sm6A3hnt3Q065SnAbbk3Y=" '
      'version="1.0" xml:lang="en"/>',
      "<message xmlns='jabber:client' from='juliet@example.com/balcony' to='romeo@example.net' type='chat'>"
      "<subject>@@ subj</subject><body>@@ back</body></message>",
      "<message xmlns='jabber:client'><received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>"
      "<message xmlns='jabber:client' from='a@example.com' type='chat'><body>@@ carbon</body></message>"
      "</forwarded></received></message>"]),
    ("generic_json", "/ws", (),
     ['{"text":"@@ hi","id":1234567890123456,"ts":1700000000000}', '{"type":"typing","room":"forbidden"}'],
     ['{"messages":[{"text":"@@ a","id":4111111111111111},{"body":"@@ b"}],"ts":1700000000000}']),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{c[1].split('?')[0]}" for c in CASES])
async def test_frames_are_rewritten_both_ways_and_nothing_else(
        case: tuple[str, str, tuple[str, ...], list[str], list[str]], backend: tuple[Backend, str],
        client: aiohttp.ClientSession) -> None:
    name, path, protocols, inbound, outbound = case
    chat, url = backend
    async with gateway(url, [preset(name)]) as gw, client.ws_connect(f"{gw.url}{path}", protocols=protocols) as ws:
        assert ws.protocol == (protocols[0] if protocols else None)
        peer = await chat.peer()
        assert peer.path == path
        for frame in inbound:
            await ws.send_str(sent(frame))
            assert await peer.receive_str() == rewritten(frame)
        for frame in outbound:
            await peer.ws.send_str(sent(frame))
            assert (await next_message(ws)).data == rewritten(frame)


def test_every_websocket_preset_has_a_case() -> None:
    assert {case[0] for case in CASES} == {"mattermost", "rocketchat", "socketio", "xmpp", "generic_json"}


# A representative frame per preset for blocks and parse errors: (path, subprotocols, frame template).
SEND: dict[str, tuple[str, tuple[str, ...], str]] = {
    "rocketchat": ("/websocket", (), DDP_SEND),
    "rocketchat-sockjs": ("/sockjs/1/abc/websocket", (), sockjs(DDP_SEND)),
    "socketio": ("/socket.io/?EIO=4&transport=websocket", (), '42["chat message",{"text":"@@"}]'),
    "xmpp": ("/xmpp-websocket", ("xmpp",), "<message xmlns='jabber:client'><body>@@</body></message>"),
    "generic_json": ("/ws", (), '{"text":"@@"}'),
    "mattermost": ("/api/v4/websocket", (), '{"seq":3,"action":"custom_com.example.notes_add","data":{"text":"@@"}}'),
}
BROKEN: dict[str, str] = {
    "rocketchat": '{"msg":"method","method":"sendMessage","params":[{"msg":"x"}',
    "rocketchat-sockjs": '["{\\"msg\\": broken"]',
    "socketio": '42["chat message",{"text":',
    "xmpp": "<message><body>unclosed</message>",
    "generic_json": '{"text": "a", "text": "b"}',
    "mattermost": '{"seq":3,"action":"custom_com.example.notes_add","data":{"text":"a"',
}


def preset_for(key: str, **extra: Any) -> dict[str, Any]:
    return preset(key.split("-")[0], **extra)


async def fine_frame_passes(ws: aiohttp.ClientWebSocketResponse, peer: Any, key: str) -> None:
    """After a dropped message the connection still carries chat both ways."""
    frame = SEND[key][2].replace(MARK, "fine")
    await ws.send_str(frame)
    assert await peer.receive_str() == frame


@pytest.mark.parametrize("key", sorted(SEND))
@pytest.mark.parametrize("on_block", ["drop", "error_frame", "close"])
async def test_a_blocked_frame_never_reaches_the_backend(key: str, on_block: str, backend: tuple[Backend, str],
                                                         client: aiohttp.ClientSession) -> None:
    chat, url = backend
    path, protocols, template = SEND[key]
    route = preset_for(key, websocket={"on_block": on_block})
    async with gateway(url, [route]) as gw, client.ws_connect(
            f"{gw.url}{path}", protocols=protocols, headers={"X-Request-Id": "rid-e2e-7"}) as ws:
        peer = await chat.peer()
        await ws.send_str(template.replace(MARK, f"a {BANNED} word"))
        if on_block == "close":
            msg = await next_message(ws)
            assert (msg.type, msg.data, msg.extra) == (WSMsgType.CLOSE, 1008, "message blocked by policy")
            assert (await peer.closed()).data == 1008
            return
        if on_block == "error_frame":
            error = orjson.loads((await next_message(ws)).data)
            assert error["type"] == "chatguard.error" and error["error"] == "message blocked by policy"
            assert error["request_id"] == "rid-e2e-7"
        await fine_frame_passes(ws, peer, key)


@pytest.mark.parametrize("key", sorted(SEND))
async def test_a_blocked_backend_frame_never_reaches_the_client(key: str, backend: tuple[Backend, str],
                                                                client: aiohttp.ClientSession) -> None:
    chat, url = backend
    path, protocols, _ = SEND[key]
    outbound = {"rocketchat": DDP_PUSH, "rocketchat-sockjs": "a" + sockjs(DDP_PUSH),
                "socketio": '42["chat message",{"text":"@@"}]',
                "xmpp": "<message xmlns='jabber:client'><body>@@</body></message>",
                "generic_json": '{"messages":[{"text":"@@"}]}',
                "mattermost": '{"event":"draft_created","data":{"draft":"{\\"message\\":\\"@@\\"}"},"seq":1}'}[key]
    async with gateway(url, [preset_for(key)]) as gw, client.ws_connect(f"{gw.url}{path}", protocols=protocols) as ws:
        peer = await chat.peer()
        await peer.ws.send_str(outbound.replace(MARK, BANNED))
        error = orjson.loads(await peer.receive_str())  # error_frame goes back to the sender
        assert error["error"] == "message blocked by policy"
        await peer.ws.send_str(outbound.replace(MARK, "fine"))
        assert (await next_message(ws)).data == outbound.replace(MARK, "fine")


@pytest.mark.parametrize("key", sorted(BROKEN))
@pytest.mark.parametrize(("setting", "code"), [("close_1003", 1003), ("close_1008", 1008)])
async def test_an_unparseable_frame_closes_both_sides(key: str, setting: str, code: int,
                                                      backend: tuple[Backend, str],
                                                      client: aiohttp.ClientSession) -> None:
    chat, url = backend
    path, protocols, _ = SEND[key]
    route = preset_for(key, websocket={"on_parse_error": setting})
    async with gateway(url, [route]) as gw, client.ws_connect(f"{gw.url}{path}", protocols=protocols) as ws:
        peer = await chat.peer()
        await ws.send_str(BROKEN[key])
        msg = await next_message(ws)
        assert (msg.type, msg.data) == (WSMsgType.CLOSE, code)
        assert (await peer.closed()).data == code  # the broken frame itself never arrived


async def test_mattermost_core_actions_pass_as_sent(backend: tuple[Backend, str],
                                                    client: aiohttp.ClientSession) -> None:
    """Core actions are commands (typing, statuses, the token's challenge): their data is never read."""
    chat, url = backend
    frame = '{"seq":2,"action":"user_typing","data":{"channel_id":"c1","text":"banned"}}'
    async with gateway(url, [preset("mattermost")]) as gw, client.ws_connect(f"{gw.url}/api/v4/websocket") as ws:
        peer = await chat.peer()
        await ws.send_str(frame)
        assert await peer.receive_str() == frame


async def test_mattermost_action_keys_are_matched_in_any_case(backend: tuple[Backend, str],
                                                              client: aiohttp.ClientSession) -> None:
    """Go's encoding/json fills `action` and `data` from `ACTION` and `Data`."""
    chat, url = backend
    frame = '{"seq":2,"ACTION":"custom_com.example.notes_add","Data":{"Text":"@@"}}'
    async with gateway(url, [preset("mattermost")]) as gw, client.ws_connect(f"{gw.url}/api/v4/websocket") as ws:
        peer = await chat.peer()
        await ws.send_str(sent(frame))
        assert await peer.receive_str() == rewritten(frame)


@pytest.mark.parametrize("frame", [
    '{"seq":2,"action":"user_typing","action":"custom_com.example.notes_add","data":{"text":"banned"}}',
    '{"seq":2,"action":"user_typing","Action":"custom_com.example.notes_add","data":{"text":"banned"}}',
    '{"seq":2,"action":"custom_com.example.notes_add","data":{"text":"ok","TEXT":"banned"}}',
    '{"seq":2,"action":"user_typing","data":{"channel_id":"c1","text":"banned { not json',
    # MessagePack: the action twice (Go keeps the last), by position, an extension, trailing bytes, cut short
    b'\x83\xa6action\xabuser_typing\xa6action\xbdcustom_com.example.notes_add\xa4data\x81\xa4text\xa6banned',
    b'\x93\x02\xbdcustom_com.example.notes_add\x81\xa4text\xa6banned',
    b'\x82\xa6action\xbdcustom_com.example.notes_add\xa4data\x81\xa4text\xd4\x05\x00',
    b'\x82\xa6action\xbdcustom_com.example.notes_add\xa4data\x80\xc0',
    b'\x82\xa6action\xbdcustom_com.example.notes_add\xa4data\x81\xa4text\xa6ban',
], ids=["repeated-action", "action-in-two-cases", "data-key-in-two-cases", "not-json", "msgpack-repeated-action",
        "msgpack-array", "msgpack-ext", "msgpack-trailing", "msgpack-cut-short"])
async def test_mattermost_requests_the_server_reads_otherwise_are_refused(
        frame: str | bytes, backend: tuple[Backend, str], client: aiohttp.ClientSession) -> None:
    """Go reads the last of two `action` keys whatever their case, and a binary request as MessagePack."""
    chat, url = backend
    async with gateway(url, [preset("mattermost")]) as gw, client.ws_connect(f"{gw.url}/api/v4/websocket") as ws:
        peer = await chat.peer()
        await (ws.send_bytes(frame) if isinstance(frame, bytes) else ws.send_str(frame))
        msg = await next_message(ws)
        assert msg.type is WSMsgType.CLOSE, msg
        assert (await peer.closed()).type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING)


def calls_join(word: str) -> bytes:
    """What the Calls client sends to start a call (MessagePack), its title holding `word`."""
    frame: bytes = msgpack.packb({"seq": 4, "action": "custom_com.mattermost.calls_join",
                                  "data": {"channelID": "c1", "title": f"{word} standup", "threadID": ""}})
    return frame


CALLS_SDP = msgpack.packb({"seq": 5, "action": "custom_com.mattermost.calls_sdp",
                           "data": {"data": b"\x78\x9c\xcb\x48\xcd\xc9\xc9\x07\x00\x06\x2c\x02\x15"}})
CORE_TYPING = msgpack.packb({"seq": 6, "action": "user_typing", "data": {"channel_id": "c1", "parent_id": BANNED}})


async def test_mattermost_calls_binary_requests_are_read_and_pass_as_sent(
        backend: tuple[Backend, str], client: aiohttp.ClientSession) -> None:
    """Calls sends MessagePack: its requests are read as their JSON would be and forwarded byte for byte."""
    chat, url = backend
    frames = [calls_join("weekly"), CALLS_SDP, CORE_TYPING]
    async with gateway(url, [preset("mattermost")]) as gw, client.ws_connect(f"{gw.url}/api/v4/websocket") as ws:
        peer = await chat.peer()
        for frame in frames:  # a core action is not read: its data passes whatever it holds
            await ws.send_bytes(frame)
            assert (await peer.receive()).data == frame


async def test_mattermost_binary_plugin_request_is_rewritten_in_place(
        backend: tuple[Backend, str], client: aiohttp.ClientSession) -> None:
    chat, url = backend
    async with gateway(url, [preset("mattermost")]) as gw, client.ws_connect(f"{gw.url}/api/v4/websocket") as ws:
        peer = await chat.peer()
        await ws.send_bytes(calls_join(WORD))
        assert (await peer.receive()).data == calls_join(REPLACED)


async def test_mattermost_binary_plugin_request_with_a_blocked_text_never_reaches_the_backend(
        backend: tuple[Backend, str], client: aiohttp.ClientSession) -> None:
    chat, url = backend
    route = preset("mattermost", websocket={"on_block": "close"})
    async with gateway(url, [route]) as gw, client.ws_connect(f"{gw.url}/api/v4/websocket") as ws:
        peer = await chat.peer()
        await ws.send_bytes(calls_join(BANNED))
        msg = await next_message(ws)
        assert (msg.type, msg.data) == (WSMsgType.CLOSE, 1008)
        assert (await peer.closed()).data == 1008  # the request itself never arrived


async def test_mattermost_plugin_actions_pass_unread_when_the_option_is_emptied(
        backend: tuple[Backend, str], client: aiohttp.ClientSession) -> None:
    chat, url = backend
    frame = b'\x82\xa6action\xbdcustom_com.mattermost.calls_sdp\xa4data\x81\xa4data\xc4\x01\x00'
    route = {**preset("mattermost"), "options": {"plugin_actions": []}}
    async with gateway(url, [route]) as gw, client.ws_connect(f"{gw.url}/api/v4/websocket") as ws:
        peer = await chat.peer()
        await ws.send_bytes(frame)
        assert (await peer.receive()).data == frame


# A replacement full of characters that need escaping, once per level of nested JSON.
AWKWARD = 'q"}\\\u2028</body>&'
AWKWARD_FILTERS = {"words": {"use": "keyword",
                             "options": {"words": ["forbidden"], "action": "replace", "replacement": AWKWARD}}}


async def test_nested_json_is_re_escaped_at_every_level(backend: tuple[Backend, str],
                                                        client: aiohttp.ClientSession) -> None:
    """Mattermost's post inside a string, Rocket.Chat's DDP inside a SockJS string: a rewrite that
    is not escaped twice would break the frame or inject keys into the backend's JSON."""
    chat, url = backend
    post = orjson.dumps({"id": "p1", "message": "say forbidden", "create_at": 1577836800000}).decode()
    event = orjson.dumps({"event": "posted", "data": {"post": post}, "seq": 3}).decode()
    routes = [preset("mattermost", ("words",)), preset("rocketchat", ("words",))]
    async with gateway(url, routes, AWKWARD_FILTERS) as gw:
        async with client.ws_connect(f"{gw.url}/api/v4/websocket") as ws:
            peer = await chat.peer()
            await peer.ws.send_str(event)
            got = orjson.loads((await next_message(ws)).data)
            assert orjson.loads(got["data"]["post"]) == {"id": "p1", "message": f"say {AWKWARD}",
                                                         "create_at": 1577836800000}
        async with client.ws_connect(f"{gw.url}/sockjs/1/abc/websocket") as ws:
            peer = await chat.peer()
            await ws.send_str(sockjs(DDP_SEND.replace(MARK, "forbidden")))
            (inner,) = orjson.loads(await peer.receive_str())
            assert orjson.loads(inner)["params"][0]["msg"] == f"{AWKWARD} via ddp"


async def test_xmpp_rewrite_is_escaped_as_character_data(backend: tuple[Backend, str],
                                                         client: aiohttp.ClientSession) -> None:
    chat, url = backend
    async with gateway(url, [preset("xmpp", ("words",))], AWKWARD_FILTERS) as gw, \
            client.ws_connect(f"{gw.url}/xmpp-websocket", protocols=("xmpp",)) as ws:
        peer = await chat.peer()
        await ws.send_str("<message xmlns='jabber:client'><body>forbidden</body></message>")
        assert await peer.receive_str() == (
            "<message xmlns='jabber:client'><body>q\"}\\\u2028&lt;/body&gt;&amp;</body></message>")


async def test_socketio_binary_messages_from_the_backend_only_as_announced_attachments(
        backend: tuple[Backend, str], client: aiohttp.ClientSession) -> None:
    """A binary message is read as socket.io-parser reads it: the attachment of a packet that announced it. One
    nothing announced is no packet the filters could read (a msgpack server's event): it never reaches the client."""
    chat, url = backend
    async with gateway(url, [preset("socketio")]) as gw, \
            client.ws_connect(f"{gw.url}/socket.io/?EIO=4&transport=websocket") as ws:
        peer = await chat.peer()
        await peer.ws.send_str('451-["chat message",{"text":"hi","file":{"_placeholder":true,"num":0}}]')
        await peer.ws.send_bytes(b"\x89PNG")
        assert (await next_message(ws)).data == '451-["chat message",{"text":"hi","file":{"_placeholder":true,"num":0}}]'
        assert (await next_message(ws)).data == b"\x89PNG"
        await peer.ws.send_bytes(b"\x92\xa2\x34\x32\xa9forbidden")  # nothing announced it
        msg = await next_message(ws)
        assert (msg.type, msg.data) == (WSMsgType.CLOSE, 1003)
        assert (await peer.closed()).data == 1003
