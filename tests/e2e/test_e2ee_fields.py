"""`encrypt_fields` through the running gateway: the backend only ever receives envelopes, clients
through the gateway read the text (HTTP answers and WebSocket frames), failures stay sealed and counted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest

from gateway.e2ee.envelope import looks_sealed
from gateway.keys import FIELD_CRYPTO, METRICS, TRANSCRIPTS
from tests.e2e.conftest import REPLACED, WORD, Backend, gateway, next_message
from tests.helpers import route

KEK = "5f" * 32
FIELDS = {"inbound": {"json": ["/text"]}, "outbound": {"json": ["/messages/*/text", "/text"]}}


def routes() -> list[dict[str, Any]]:
    return [
        route("/api/{room}/messages", messages=FIELDS, encrypt_fields={"json": ["/text"]}, filters=["words"]),
        route("/ws/{room}", websocket=True, messages=FIELDS, encrypt_fields={"json": ["/text"]}, filters=["words"]),
    ]


def keys(tmp_path: Path) -> dict[str, Any]:
    return {"keys": {"kek": KEK, "store": f"sqlite:///{tmp_path}/keys.db"}}


def failures(app: Any, reason: str) -> float:
    value = app[METRICS].registry.get_sample_value("chatguard_field_envelope_failures_total",
                                                   {"route": "route-0", "reason": reason})
    return float(value or 0.0)


async def test_backend_holds_envelopes_clients_read_text(backend: tuple[Backend, str], client: aiohttp.ClientSession,
                                                         tmp_path: Path) -> None:
    chat, url = backend
    async with gateway(url, routes(), **keys(tmp_path)) as gw:
        async with client.post(f"{gw.url}/api/room-1/messages", json={"text": f"a {WORD} word", "n": 1}) as sent:
            assert sent.status == 200
        stored = orjson.loads(chat.hits[-1].body)
        assert looks_sealed(stored["text"]) and WORD not in stored["text"] and stored["n"] == 1
        # the backend answers with what it stored, plus one envelope someone changed in its database
        tampered = stored["text"][:-6] + ("AAAAAA" if not stored["text"].endswith("AAAAAA") else "BBBBBB")
        chat.reply("/api/room-1/messages", orjson.dumps({"messages": [{"text": stored["text"]}, {"text": tampered}]}))
        async with client.get(f"{gw.url}/api/room-1/messages") as answer:
            body = await answer.json()
        assert body["messages"][0]["text"] == f"a {REPLACED} word"   # filtered before it was sealed
        assert body["messages"][1]["text"] == tampered                # left sealed, never a crash
        assert failures(gw.app, "tampered") == 1
        # the same envelope read through the route of another room stays sealed
        chat.reply("/api/room-2/messages", orjson.dumps({"messages": [{"text": stored["text"]}]}))
        async with client.get(f"{gw.url}/api/room-2/messages") as answer:
            assert (await answer.json())["messages"][0]["text"] == stored["text"]
        assert failures(gw.app, "other_conversation") == 1


async def test_a_value_that_is_not_a_string_is_refused(backend: tuple[Backend, str], client: aiohttp.ClientSession,
                                                       tmp_path: Path) -> None:
    chat, url = backend
    async with gateway(url, routes(), **keys(tmp_path)) as gw:
        for value in (12345, ["a", "b"], {"nested": "text"}):
            async with client.post(f"{gw.url}/api/r/messages", json={"text": value}) as sent:
                assert sent.status == 422
                assert (await sent.json())["error"] == "an encrypted field must hold a string"
        async with client.post(f"{gw.url}/api/r/messages", json={"text": None}) as sent:
            assert sent.status == 200
    assert [orjson.loads(hit.body) for hit in chat.hits] == [{"text": None}]


async def test_websocket_frames_are_sealed_and_opened(backend: tuple[Backend, str], client: aiohttp.ClientSession,
                                                      tmp_path: Path) -> None:
    chat, url = backend
    async with gateway(url, routes(), **keys(tmp_path)) as gw, client.ws_connect(f"{gw.url}/ws/room-9") as ws:
        peer = await chat.peer()
        await ws.send_str('{"text":"hello over ws"}')
        stored = orjson.loads(await peer.receive_str())
        assert looks_sealed(stored["text"])
        await peer.ws.send_str(orjson.dumps(stored).decode())      # the backend pushes what it stored
        assert orjson.loads((await next_message(ws)).data) == {"text": "hello over ws"}


@pytest.mark.parametrize("store", ["keys", "transcripts"])
async def test_the_key_service_is_the_transcripts_one_when_they_run(backend: tuple[Backend, str], tmp_path: Path,
                                                                  store: str) -> None:
    _, url = backend
    top: dict[str, Any] = {"keys": {"kek": KEK}}
    if store == "keys":
        top["keys"]["store"] = f"sqlite:///{tmp_path}/keys.db"
    else:
        top["transcripts"] = {"database": f"sqlite:///{tmp_path}/t.db"}
    async with gateway(url, routes(), **top) as gw:
        shared = gw.app.get(TRANSCRIPTS)
        if store == "keys":
            assert shared is None               # a key service of its own, on keys.store
        else:
            assert shared is not None and gw.app[FIELD_CRYPTO].keys is shared.parts.keys


STREAM_FILTERS = {"mask": {"use": "masking", "options": {"style": "redact", "websocket_streams": True}},
                  "words": {"use": "keyword", "options": {"words": [WORD], "action": "replace",
                                                          "replacement": REPLACED}}}


@pytest.mark.parametrize("filters", [[], ["mask"]], ids=["unfiltered", "masked"])
async def test_server_sent_events_are_opened(backend: tuple[Backend, str], client: aiohttp.ClientSession,
                                             tmp_path: Path, filters: list[str]) -> None:
    chat, url = backend
    fields = {"inbound": {"json": ["/text"]}, "outbound": {"sse": {"json": ["/text"]}}}
    async with gateway(url, [route("/api/{room}/events", messages=fields, encrypt_fields={"json": ["/text"]},
                                   filters=filters)], filters=STREAM_FILTERS, **keys(tmp_path)) as gw:
        async with client.post(f"{gw.url}/api/r1/events", json={"text": "mail ann@example.org today"}) as sent:
            assert sent.status == 200
        stored = orjson.loads(chat.hits[-1].body)["text"]
        assert looks_sealed(stored)
        chat.reply("/api/r1/events", f'id: 1\ndata: {{"text":"{stored}"}}\n\ndata: {{"text":"plain"}}\n\n',
                   content_type="text/event-stream")
        async with client.get(f"{gw.url}/api/r1/events") as answer:
            text = (await answer.read()).decode()
    # the masking filter reads events as one token stream (it may hold a word back for the next event)
    texts = [orjson.loads(line[len("data: "):])["text"] for line in text.splitlines() if line.startswith("data: ")]
    opened = "ann@example.org" if not filters else "[EMAIL]"   # masked on its way in, before it was sealed
    assert stored not in text and "".join(texts) == f"mail {opened} today" + "plain"


async def test_token_streamed_websocket_frames_are_opened(backend: tuple[Backend, str],
                                                          client: aiohttp.ClientSession, tmp_path: Path) -> None:
    chat, url = backend
    fields = {"inbound": {"json": ["/text"]}, "outbound": {"json": ["/text"]}}
    async with gateway(url, [route("/ws/{room}", websocket=True, messages=fields, encrypt_fields={"json": ["/text"]},
                                   filters=["mask"])], filters=STREAM_FILTERS, **keys(tmp_path)) as gw, \
            client.ws_connect(f"{gw.url}/ws/room-3") as ws:
        peer = await chat.peer()
        await ws.send_str('{"text":"see you at noon"}')
        stored = orjson.loads(await peer.receive_str())
        assert looks_sealed(stored["text"])
        await peer.ws.send_str(orjson.dumps(stored).decode())
        first = ""
        while not first:  # a token stream: frames may go on emptied while their text is gathered
            first = orjson.loads((await next_message(ws)).data)["text"]
        assert first and "see you at noon".startswith(first) and not looks_sealed(first)
