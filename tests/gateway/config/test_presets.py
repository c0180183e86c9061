"""Route presets: expansion and its errors, and each preset against payloads shaped like its protocol."""

from __future__ import annotations

import json
from typing import Any

import pytest

from filters.options import OptionsError
from gateway.codec import Codec
from gateway.config.presets import PRESET_DIR, expand_presets, known_presets
from gateway.config.settings import RouteSettings, Settings, parse_settings
from gateway.runtime.canonical_path import canonicalise
from gateway.runtime.routing import RouteTable

BASE = {"upstreams": {"chat": {"url": "http://127.0.0.1:8008"}}}


def settings_for(*routes: dict[str, Any]) -> Settings:
    return parse_settings({**BASE, "routes": list(routes)})


def test_presets_ship_inside_the_package() -> None:
    assert PRESET_DIR.parent.name == "config" and PRESET_DIR.parent.parent.name == "gateway"
    assert set(known_presets()) >= {"matrix", "mattermost", "rocketchat", "socketio", "xmpp", "generic_json"}


@pytest.mark.parametrize("preset", known_presets())
def test_every_preset_builds_routes_and_codecs(preset: str) -> None:
    settings = settings_for({"preset": preset, "upstream": "chat", "allow": ["agent"]})
    RouteTable.build(settings.routes)
    assert settings.routes and all(r.name.startswith(f"{preset}.") for r in settings.routes)
    for route in settings.routes:
        assert route.upstream == "chat" and route.allow == ("agent",)
        Codec.for_selector(route.messages.inbound)
        Codec.for_selector(route.messages.outbound)


def test_user_keys_are_merged_into_every_route() -> None:
    settings = parse_settings({
        **BASE, "filters": {"mask": {"use": "masking"}},
        "routes": [
            {"name": "before", "match": {"path": "/x"}, "upstream": "chat", "allow": ["anonymous"]},
            {"preset": "xmpp", "name": "im", "upstream": "chat", "allow": ["agent"], "filters": ["mask"],
             "match": {"host": "chat.example.com"}, "websocket": {"on_block": "close"}},
        ],
    })
    names = [r.name for r in settings.routes]
    assert names == ["before", "im.websocket", "im.bosh"]
    ws = settings.routes[1]
    assert ws.match.path == "/xmpp-websocket" and ws.match.websocket and ws.match.host == "chat.example.com"
    assert ws.filters == ("mask",) and ws.websocket.on_block == "close" and ws.messages.inbound.xmpp


def test_options_are_substituted() -> None:
    settings = settings_for({"preset": "socketio", "upstream": "chat", "allow": ["agent"],
                             "options": {"events": ["say", "whisper"], "path": "/rt/"}})
    route = settings.routes[0]
    assert route.match.path == "/rt/"
    assert dict(route.messages.inbound.socketio) == {"say": ("/*", "/*/text", "/*/message", "/*/body"),
                                                     "whisper": ("/*", "/*/text", "/*/message", "/*/body"),
                                                     "#connect": ("/username", "/name", "/nickname", "/displayName")}


@pytest.mark.parametrize(("entry", "path", "message"), [
    ({"preset": "matrx"}, "routes[1].preset", "unknown preset 'matrx' (known: generic_json, matrix,"),
    ({"preset": ["matrix"]}, "routes[1].preset", "unknown preset"),
    ({"preset": "socketio", "options": {"evnts": ["x"]}}, "routes[1].options.evnts", "unknown option (known: connect, events,"),
    ({"preset": "socketio", "options": {"events": "chat"}}, "routes[1].options.events", "list of strings"),
    ({"preset": "socketio", "options": {"events": []}}, "routes[1].options.events", "list of strings"),
    ({"preset": "socketio", "options": {"path": 5}}, "routes[1].options.path", "expected str"),
    ({"preset": "socketio", "options": ["events"]}, "routes[1].options", "expected a mapping"),
    ({"preset": "matrix", "options": {"x": 1}}, "routes[1].options.x", "known: none"),
    ({"preset": "matrix", "name": ""}, "routes[1].name", "non-empty string"),
])
def test_preset_errors_name_the_key(entry: dict[str, Any], path: str, message: str) -> None:
    routes = [{"match": {"path": "/"}}, {"upstream": "chat", "allow": ["agent"], **entry}]
    with pytest.raises(OptionsError, match=message.replace("(", r"\(")) as caught:
        expand_presets(routes)
    assert caught.value.path == path


def test_duplicate_preset_without_names_is_a_config_error() -> None:
    with pytest.raises(OptionsError, match="duplicate route name"):
        settings_for({"preset": "xmpp", "upstream": "chat", "allow": ["a"]},
                     {"preset": "xmpp", "upstream": "chat", "allow": ["a"]})


def test_non_list_routes_pass_through() -> None:
    assert expand_presets({"not": "a list"}) == {"not": "a list"}


# -- each preset against its protocol ------------------------------------------------------------

def _route(preset: str, method: str, url: str, websocket: bool, options: dict[str, Any] | None = None) -> RouteSettings:
    entry: dict[str, Any] = {"preset": preset, "upstream": "chat", "allow": ["agent"]}
    if options:
        entry["options"] = options
    table = RouteTable.build(settings_for(entry).routes)
    matched = table.match(method, "chat.example.com", canonicalise(url), websocket)
    assert matched is not None, url
    return matched.route.settings


def _ts_event(body: str, **content: Any) -> dict[str, Any]:
    return {"type": "m.room.message", "event_id": "$143273582443PhrSn:example.org", "sender": "@alice:example.org",
            "origin_server_ts": 1432735824653, "unsigned": {"age": 1234},
            "content": {"msgtype": "m.text", "body": body, **content}}


MATRIX_SYNC = {"next_batch": "s72595_4483_1934", "account_data": {"events": []}, "rooms": {
    "join": {"!726s6s6q:example.com": {
        "summary": {"m.heroes": ["@alice:example.com"], "m.joined_member_count": 2},
        "state": {"events": [{"type": "m.room.topic", "state_key": "", "content": {"topic": "Support queue"},
                              "origin_server_ts": 1432735824653, "event_id": "$t:example.org",
                              "sender": "@a:example.org"}]},
        "timeline": {"events": [_ts_event("I am a fish"),
                                _ts_event("see **this**", format="org.matrix.custom.html",
                                          formatted_body="see <b>this</b>")],
                     "limited": True, "prev_batch": "t34-23535_0_0"},
        "unread_notifications": {"highlight_count": 1, "notification_count": 5}}},
    "invite": {"!696r7674:example.com": {"invite_state": {"events": [
        {"type": "m.room.name", "state_key": "", "sender": "@alice:example.com",
         "content": {"name": "My Room Name"}}]}}},
    "leave": {}}}
MM_POST = {"id": "qyqxhpbbcpf9dn3qcqjrwasowo", "create_at": 1700000000000, "update_at": 1700000000000,
           "delete_at": 0, "user_id": "u1", "channel_id": "c1", "root_id": "", "message": "card 4111 1111 1111 1111",
           "type": "", "props": {}, "hashtags": "", "pending_post_id": ""}
DDP_SEND = {"msg": "method", "method": "sendMessage", "id": "42",
            "params": [{"_id": "5hbKt2ZKS7iJDqv4M", "rid": "GENERAL", "msg": "Hello World!"}]}
DDP_CHANGED = {"msg": "changed", "collection": "stream-room-messages", "id": "id", "fields": {
    "eventName": "GENERAL", "args": [{"_id": "NGnXB3Ls2uQS5aQgN", "rid": "GENERAL", "msg": "Hello",
                                      "ts": {"$date": 1480377601000}, "u": {"_id": "u1", "username": "ann"}}]}}
RC_MESSAGE = {"_id": "7aDSXtjMA3KPLxLjt", "rid": "GENERAL", "msg": "This is a test!", "ts": "2016-12-14T20:56:05.117Z",
              "u": {"_id": "y65tAmHs93aDChMWu", "username": "graywolf336"}, "_updatedAt": "2016-12-14T20:56:05.119Z"}

CASES: list[tuple[str, str, str, bool, str, str | bytes, str | None, list[str]]] = [
    # preset, method, url, websocket, direction, payload, content type, texts found
    ("matrix", "PUT", "/_matrix/client/v3/rooms/%21abc%3Aexample.org/send/m.room.message/txn1", False, "inbound",
     json.dumps({"msgtype": "m.text", "body": "hello", "format": "org.matrix.custom.html",
                 "formatted_body": "<b>hello</b>"}), "application/json", ["hello", "<b>hello</b>"]),
    ("matrix", "PUT", "/_matrix/client/r0/rooms/!abc:example.org/send/m.room.message/txn2", False, "inbound",
     json.dumps({"msgtype": "m.text", "body": "* fixed", "m.new_content": {"msgtype": "m.text", "body": "fixed"},
                 "m.relates_to": {"rel_type": "m.replace", "event_id": "$some_event_id"}}), "application/json",
     ["* fixed", "fixed"]),
    ("matrix", "PUT", "/_matrix/client/v3/rooms/!abc:example.org/state/m.room.topic/", False, "inbound",
     json.dumps({"topic": "A room topic"}), "application/json", ["A room topic"]),
    ("matrix", "GET", "/_matrix/client/v3/sync", False, "outbound", json.dumps(MATRIX_SYNC), "application/json",
     ["Support queue", "I am a fish", "see **this**", "see <b>this</b>", "My Room Name"]),
    ("matrix", "GET", "/_matrix/client/v3/rooms/!abc:example.org/messages", False, "outbound",
     json.dumps({"chunk": [_ts_event("older")], "start": "t47429", "end": "t47409"}), "application/json", ["older"]),
    ("matrix", "GET", "/_matrix/client/v3/rooms/!abc:example.org/event/$ev:example.org", False, "outbound",
     json.dumps(_ts_event("single")), "application/json", ["single"]),
    ("matrix", "POST", "/_matrix/client/v3/login", False, "outbound", b'{"access_token": "x"}', "application/json", []),
    ("mattermost", "POST", "/api/v4/posts", False, "inbound",
     json.dumps({"channel_id": "c1", "message": "my ssn 078-05-1120", "root_id": "", "file_ids": [], "props": {}}),
     "application/json", ["my ssn 078-05-1120"]),
    ("mattermost", "POST", "/api/v4/posts", False, "outbound", json.dumps(MM_POST), "application/json",
     ["card 4111 1111 1111 1111"]),
    ("mattermost", "GET", "/api/v4/channels/c1/posts", False, "outbound",
     json.dumps({"order": ["qyqx"], "posts": {"qyqx": MM_POST}, "next_post_id": "", "prev_post_id": ""}),
     "application/json", ["card 4111 1111 1111 1111"]),
    ("mattermost", "GET", "/api/v4/websocket", True, "outbound",
     json.dumps({"event": "posted", "data": {"channel_display_name": "Town Square", "channel_name": "town-square",
                                             "channel_type": "O", "post": json.dumps(MM_POST), "sender_name": "@ann",
                                             "team_id": "t1"},
                 "broadcast": {"omit_users": None, "user_id": "", "channel_id": "c1", "team_id": ""}, "seq": 4}),
     None, ["card 4111 1111 1111 1111"]),
    ("mattermost", "GET", "/api/v4/websocket", True, "outbound",
     json.dumps({"event": "hello", "data": {"server_version": "9.5.0"}, "broadcast": {}, "seq": 0}), None, []),
    ("rocketchat", "POST", "/api/v1/chat.sendMessage", False, "inbound",
     json.dumps({"message": {"rid": "GENERAL", "msg": "This is a test!"}}), "application/json", ["This is a test!"]),
    ("rocketchat", "POST", "/api/v1/chat.sendMessage", False, "outbound",
     json.dumps({"message": RC_MESSAGE, "success": True}), "application/json", ["This is a test!"]),
    ("rocketchat", "POST", "/api/v1/chat.postMessage", False, "inbound",
     json.dumps({"channel": "#general", "text": "This is a test!"}), "application/json", ["This is a test!"]),
    ("rocketchat", "GET", "/api/v1/channels.history", False, "outbound",
     json.dumps({"messages": [RC_MESSAGE], "success": True}), "application/json", ["This is a test!"]),
    ("rocketchat", "GET", "/websocket", True, "inbound", json.dumps(DDP_SEND), None, ["Hello World!"]),
    ("rocketchat", "GET", "/websocket", True, "outbound", json.dumps(DDP_CHANGED), None, ["Hello"]),
    ("rocketchat", "GET", "/sockjs/123/abcdefgh/websocket", True, "inbound", json.dumps([json.dumps(DDP_SEND)]),
     None, ["Hello World!"]),
    ("rocketchat", "GET", "/sockjs/123/abcdefgh/websocket", True, "outbound",
     "a" + json.dumps([json.dumps(DDP_CHANGED)]), None, ["Hello"]),
    ("rocketchat", "POST", "/sockjs/123/abcdefgh/xhr_send", False, "inbound",
     json.dumps([json.dumps(DDP_SEND)]).encode(), "text/plain", ["Hello World!"]),
    ("socketio", "GET", "/socket.io/?EIO=4&transport=websocket", True, "inbound", '42["chat message","hi there"]',
     None, ["hi there"]),
    ("socketio", "GET", "/socket.io/", True, "outbound", '42["message",{"text":"hello","ts":1700000000000}]',
     None, ["hello"]),
    ("socketio", "POST", "/socket.io/", False, "inbound", b'42["chat message","via polling"]', "text/plain",
     ["via polling"]),
    ("xmpp", "GET", "/xmpp-websocket", True, "inbound",
     "<message xmlns='jabber:client' to='romeo@example.net' type='chat'><body>Wherefore art thou?</body></message>",
     None, ["Wherefore art thou?"]),
    ("xmpp", "GET", "/xmpp-websocket", True, "outbound",
     "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' from='example.com' id='++TR84Sm6A3hnt3Q065SnAbbk3Y=' "
     "version='1.0' xml:lang='en'/>", None, []),
    ("xmpp", "POST", "/http-bind", False, "outbound",
     b"<body xmlns='http://jabber.org/protocol/httpbind'><message xmlns='jabber:client'><body>bosh</body>"
     b"</message></body>", "text/xml; charset=utf-8", ["bosh"]),
    ("generic_json", "POST", "/api/rooms/1/messages", False, "inbound", b'{"text": "plain api"}',
     "application/json", ["plain api"]),
    ("generic_json", "GET", "/ws", True, "outbound", '{"messages": [{"text": "a"}, {"text": "b", "id": 3}]}',
     None, ["a", "b"]),
]


@pytest.mark.parametrize(("preset", "method", "url", "websocket", "direction", "payload", "content_type",
                          "expected"), CASES)
def test_preset_payloads(preset: str, method: str, url: str, websocket: bool, direction: str,
                         payload: str | bytes, content_type: str | None, expected: list[str]) -> None:
    route = _route(preset, method, url.split("?")[0], websocket)
    codec = Codec.for_selector(getattr(route.messages, direction))
    if codec is None:
        assert expected == []
        return
    data = payload.encode() if isinstance(payload, str) and not websocket else payload

    def extract(value: str | bytes) -> Any:
        return codec.extract_frame(value) if websocket else codec.extract_http(
            value if isinstance(value, bytes) else value.encode(), content_type)

    extracted = extract(data)
    assert [f.text for f in extracted.fields] == expected
    assert extracted.render({}) is data
    masked = extracted.render({i: f"[{i}]" for i in range(len(expected))})
    assert type(masked) is type(data)
    assert [f.text for f in extract(masked).fields] == [f"[{i}]" for i in range(len(expected))]


@pytest.mark.parametrize("url", [
    "/_matrix/client/v3/rooms/!r:example.org/send/m.room.message/",
    "/_matrix/client/v3/rooms/!r:example.org/send/m.room.message",
    "/_matrix/client/v3/rooms/!r:example.org/send/m.room.message/txn/",
    "/_matrix/client/unstable/rooms/!r:example.org/send/m.room.message/txn",
    "/_matrix/client/v3/rooms/!r:example.org/state/m.room.topic/",
    "/_matrix/client/v3/rooms/!r:example.org/state/m.room.topic",
])
def test_matrix_send_spellings_are_all_inspected(url: str) -> None:
    route = _route("matrix", "PUT", url, False)
    assert route.name != "matrix.other"
    assert Codec.for_selector(route.messages.inbound) is not None


def test_numbers_in_preset_payloads_are_offered_only_where_text_is_read() -> None:
    route = _route("mattermost", "GET", "/api/v4/websocket", True)
    codec = Codec.for_selector(route.messages.outbound)
    assert codec is not None
    frame = json.dumps({"event": "posted", "data": {"post": json.dumps({**MM_POST, "message": 4111111111111111})},
                        "seq": 1700000000000})
    assert [f.text for f in codec.extract_frame(frame).fields] == ["4111111111111111"]


def test_socketio_custom_events_select_only_those() -> None:
    route = _route("socketio", "GET", "/socket.io/", True, {"events": ["say"], "fields": ["/0/words"]})
    codec = Codec.for_selector(route.messages.inbound)
    assert codec is not None
    assert [f.text for f in codec.extract_frame('42["say",{"words":"w"}]').fields] == ["w"]
    assert codec.extract_frame('42["chat message","not selected"]').fields == ()
