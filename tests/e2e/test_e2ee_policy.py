"""End-to-end encrypted payloads through the running gateway: untouched both ways, and `e2ee:
require | forbid` enforced per route, audited (XMPP over WebSocket, Matrix over HTTP)."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
import orjson
import pytest
from aiohttp import WSMsgType

from tests.e2e.conftest import BANNED, WORD, Backend, gateway, next_message, preset
from tests.gateway.e2ee.test_recognise import OMEMO_2, OMEMO_LEGACY

XMPP = "/xmpp-websocket"
# A Megolm event as matrix-js-sdk sends it: ciphertext and routing data, no text for the filters.
MEGOLM = (b'{"algorithm":"m.megolm.v1.aes-sha2","sender_key":"c5bLPRD6dAG/7Rg9wAgxm6yBPuQyNyY3FxdfLCcnXhA",'
          b'"ciphertext":"AwgAEpAB+forbidden+' + BANNED.encode() + b'+Q5Ww","session_id":"X3lUlvLELLYxeTx4yOVu6UDpasGEVO0Jbu+QFnm0cKQ",'
          b'"device_id":"RJYKSTBOIE"}')
PLAIN_EVENT = b'{"msgtype":"m.text","body":"hello"}'


def audited(caplog: pytest.LogCaptureFixture, event: str) -> list[dict[str, Any]]:
    return [r.fields for r in caplog.records if r.name == "chatguard.audit"  # type: ignore[attr-defined]
            and getattr(r, "fields", {}).get("event") == event]


@pytest.mark.parametrize("policy", ["allow", "require"])
@pytest.mark.parametrize("stanza", [OMEMO_LEGACY, OMEMO_2], ids=["axolotl", "omemo2"])
async def test_omemo_stanza_passes_byte_identical(policy: str, stanza: str, backend: tuple[Backend, str],
                                                  client: aiohttp.ClientSession) -> None:
    chat, url = backend
    async with gateway(url, [preset("xmpp", e2ee=policy)]) as gw, \
            client.ws_connect(f"{gw.url}{XMPP}", protocols=("xmpp",)) as ws:
        peer = await chat.peer()
        await ws.send_str(stanza)
        assert await peer.receive_str() == stanza
        await peer.ws.send_str(stanza)            # and the other way, as a contact's client sent it
        assert (await next_message(ws)).data == stanza


async def test_plaintext_body_refused_under_require(backend: tuple[Backend, str], client: aiohttp.ClientSession,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    chat, url = backend
    caplog.set_level(logging.INFO, "chatguard.audit")
    async with gateway(url, [preset("xmpp", e2ee="require")]) as gw, \
            client.ws_connect(f"{gw.url}{XMPP}", protocols=("xmpp",), headers={"X-Request-Id": "rid-e2ee-1"}) as ws:
        peer = await chat.peer()
        await ws.send_str("<message xmlns='jabber:client' to='j@example.com'><body>hello there</body></message>")
        refused = await next_message(ws)
        assert refused.type is WSMsgType.TEXT
        assert orjson.loads(refused.data) == {"type": "chatguard.error", "request_id": "rid-e2ee-1",
                                              "error": "this room requires end-to-end encryption"}
        presence = "<presence xmlns='jabber:client'><status>around</status></presence>"
        await ws.send_str(presence)               # not a message event: the policy does not apply
        assert await peer.receive_str() == presence  # and the refused body never arrived before it
    [entry] = audited(caplog, "e2ee.refuse")
    assert entry["policy"] == "require" and entry["message_kind"] == "plaintext" and entry["channel"] == "ws"


async def test_omemo_refused_under_forbid(backend: tuple[Backend, str], client: aiohttp.ClientSession) -> None:
    chat, url = backend
    async with gateway(url, [preset("xmpp", e2ee="forbid", websocket={"on_block": "close"})]) as gw, \
            client.ws_connect(f"{gw.url}{XMPP}", protocols=("xmpp",)) as ws:
        peer = await chat.peer()
        await ws.send_str(OMEMO_2)
        closed = await next_message(ws)
        assert closed.type is WSMsgType.CLOSE and closed.data == 1008
        assert (await peer.closed()).type is WSMsgType.CLOSE


SEND = "/_matrix/client/v3/rooms/!room:example.org/send/{type}/txn{n}"


async def test_matrix_encrypted_event_passes_byte_identical_and_plaintext_is_refused(
        backend: tuple[Backend, str], client: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture) -> None:
    chat, url = backend
    caplog.set_level(logging.INFO, "chatguard.audit")
    async with gateway(url, [preset("matrix", e2ee="require")]) as gw:
        async with client.put(gw.url + SEND.format(type="m.room.encrypted", n=1), data=MEGOLM,
                              headers={"Content-Type": "application/json"}) as answer:
            assert answer.status == 200
        assert chat.hits[-1].body == MEGOLM      # the keyword filters never touched the ciphertext
        async with client.put(gw.url + SEND.format(type="m.room.message", n=2), data=PLAIN_EVENT,
                              headers={"Content-Type": "application/json"}) as answer:
            assert answer.status == 403
            assert await answer.json() == {"errcode": "M_FORBIDDEN", "request_id": answer.headers["X-Request-Id"],
                                           "error": "this room requires end-to-end encryption"}
        async with client.put(gw.url + SEND.format(type="m.room%2Emessage", n=3), data=PLAIN_EVENT,
                              headers={"Content-Type": "application/json"}) as answer:
            assert answer.status == 403          # the event type is read as the backend decodes it
        # state events (room names) are never encrypted in Matrix: not message events
        async with client.put(gw.url + "/_matrix/client/v3/rooms/!room:example.org/state/m.room.name/",
                              data=b'{"name":"Support"}', headers={"Content-Type": "application/json"}) as answer:
            assert answer.status == 200
    assert len(chat.hits) == 2
    assert [e["route"] for e in audited(caplog, "e2ee.refuse")] == ["matrix.send", "matrix.send"]


async def test_matrix_forbid_refuses_encrypted_events(backend: tuple[Backend, str],
                                                      client: aiohttp.ClientSession) -> None:
    chat, url = backend
    async with gateway(url, [preset("matrix", e2ee="forbid")]) as gw:
        async with client.put(gw.url + SEND.format(type="m.room.encrypted", n=1), data=MEGOLM,
                              headers={"Content-Type": "application/json"}) as answer:
            assert answer.status == 403
        async with client.put(gw.url + SEND.format(type="m.room.message", n=2), data=PLAIN_EVENT,
                              headers={"Content-Type": "application/json"}) as answer:
            assert answer.status == 200
    assert [hit.body for hit in chat.hits] == [PLAIN_EVENT]


async def test_encrypted_events_in_answers_pass_byte_identical(backend: tuple[Backend, str],
                                                               client: aiohttp.ClientSession) -> None:
    chat, url = backend
    sync = (b'{"next_batch":"s1","rooms":{"join":{"!room:example.org":{"timeline":{"events":[{"type":'
            b'"m.room.encrypted","sender":"@a:example.org","event_id":"$e1","origin_server_ts":1,"content":'
            + MEGOLM + b'},{"type":"m.room.message","content":{"msgtype":"m.text","body":"a ' + WORD.encode()
            + b'"}}]}}}}}')
    chat.reply("/_matrix/client/v3/sync", sync)
    async with gateway(url, [preset("matrix")]) as gw, client.get(gw.url + "/_matrix/client/v3/sync") as answer:
        body = await answer.read()
    assert MEGOLM in body                        # the ciphertext (words and all) untouched
    assert b'"body":"a [redacted]"' in body    # the plaintext event filtered as ever


async def test_encrypted_events_still_count_for_behaviour_checks(backend: tuple[Backend, str],
                                                                 client: aiohttp.ClientSession) -> None:
    """Ciphertext is not read, but who sends how much to which room is: a Megolm flood is stopped."""
    chat, url = backend
    filters = {"behaviour": {"use": "behaviour", "options": {
        "flood": {"window": "60s", "per_room": 3, "per_subject": 100},
        "spam": {"enabled": False}, "new_network": {"enabled": False}, "anomaly": {"enabled": False}}}}
    statuses = []
    async with gateway(url, [preset("matrix", filters=("behaviour",))], filters=filters) as gw:
        for n in range(5):
            async with client.put(gw.url + SEND.format(type="m.room.encrypted", n=n), data=MEGOLM,
                                  headers={"Content-Type": "application/json"}) as answer:
                statuses.append(answer.status)
    assert statuses[:3] == [200, 200, 200] and 403 in statuses[3:]
    assert all(hit.body == MEGOLM for hit in chat.hits) and len(chat.hits) == statuses.count(200)


async def test_plaintext_hidden_beside_ciphertext_is_still_filtered(backend: tuple[Backend, str],
                                                                     client: aiohttp.ClientSession) -> None:
    """An event that says it is encrypted passes `require`, but a plaintext `body` slipped into it is read
    and filtered like any other: only ciphertext is left alone."""
    chat, url = backend
    smuggled = MEGOLM[:-1] + b',"body":"a ' + WORD.encode() + b' in the clear"}'
    blocked = MEGOLM[:-1] + b',"body":"' + BANNED.encode() + b'"}'
    async with gateway(url, [preset("matrix", e2ee="require")]) as gw:
        async with client.put(gw.url + SEND.format(type="m.room.encrypted", n=1), data=smuggled,
                              headers={"Content-Type": "application/json"}) as answer:
            assert answer.status == 200
        async with client.put(gw.url + SEND.format(type="m.room.encrypted", n=2), data=blocked,
                              headers={"Content-Type": "application/json"}) as answer:
            assert answer.status == 403
    assert [hit.body for hit in chat.hits] == [smuggled.replace(WORD.encode() + b" in", b"[redacted] in")]
