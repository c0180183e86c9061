"""The relay itself: filters on WebSocket messages (pass, modify, each block mode, unparseable)
and backpressure, through the real gateway with a filter plugin loaded from its entry point."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import WSMsgType

from filters import (
    PASS,
    Action,
    Chain,
    Channel,
    Direction,
    Filter,
    Message,
    Step,
    StreamChain,
    Verdict,
    block,
    modify,
)
from filters.builtin.keyword import Keyword, KeywordOptions
from filters.masking import MaskingFilter, MaskingOptions
from gateway.codec import Codec, CodecError, FieldSelector
from gateway.proxy.websocket import connections
from gateway.proxy.ws_bridge import Bridge, FrameStream, mirrored
from tests.helpers import (
    RawWebSocket,
    WsUpstream,
    gateway_config,
    install_filter_plugins,
    route,
    run_gateway,
    serve_ws_upstream,
)

OP_TEXT, OP_BINARY, OP_CONTINUATION, OP_CLOSE = 0x1, 0x2, 0x0, 0x8


class WordCheck(Filter):
    """Blocks messages containing "forbidden", masks "secret"."""

    name = "wordcheck"

    async def inspect(self, message: Message) -> Verdict:
        if "forbidden" in message.text:
            return block("forbidden word")
        if "secret" in message.text:
            return modify(message.text.replace("secret", "[masked]"))
        return PASS


@pytest.fixture(autouse=True)
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install_filter_plugins(tmp_path, monkeypatch, {"wordcheck": f"{__name__}:WordCheck"})


@pytest.fixture
async def upstream() -> AsyncIterator[tuple[WsUpstream, str]]:
    async with serve_ws_upstream() as running:
        yield running


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


def config(upstream_url: str, directions: tuple[str, ...] = ("inbound", "outbound"),
           **websocket: Any) -> dict[str, Any]:
    filtered = route("/ws/{tail:path}", websocket=True, filters=["words"],
                     messages={d: {"json": ["/text"]} for d in directions})
    filtered["websocket"] = websocket
    return gateway_config(upstream_url, [filtered], filters={"words": {"use": "wordcheck"}})


def chat(text: str) -> str:
    return json.dumps({"text": text, "room": "r1"})


async def test_a_passing_message_is_forwarded_byte_exact(upstream: tuple[WsUpstream, str],
                                                        session: aiohttp.ClientSession) -> None:
    up, url = upstream
    original = '{ "room" : "r1",  "text" : "hello"}'
    async with run_gateway(config(url)) as gw, session.ws_connect(f"{gw.url}/ws/echo") as ws:
        await ws.send_str(original)
        assert await ws.receive_str() == original
    assert up.received == [original]


async def test_a_modified_message_is_forwarded_rewritten(upstream: tuple[WsUpstream, str],
                                                        session: aiohttp.ClientSession) -> None:
    up, url = upstream
    async with run_gateway(config(url)) as gw, session.ws_connect(f"{gw.url}/ws/echo") as ws:
        await ws.send_str(chat("my secret plan"))
        assert json.loads(await ws.receive_str())["text"] == "my [masked] plan"
    assert json.loads(up.received[0]) == {"text": "my [masked] plan", "room": "r1"}


async def test_block_drop_forwards_nothing_and_keeps_the_connection(
        upstream: tuple[WsUpstream, str], session: aiohttp.ClientSession) -> None:
    up, url = upstream
    async with run_gateway(config(url, on_block="drop")) as gw, session.ws_connect(f"{gw.url}/ws/echo") as ws:
        await ws.send_str(chat("forbidden words"))
        await ws.send_str(chat("fine"))
        assert json.loads(await ws.receive_str())["text"] == "fine"
    assert [json.loads(m)["text"] for m in up.received] == ["fine"]


async def test_block_error_frame_tells_the_sender_only(upstream: tuple[WsUpstream, str],
                                                      session: aiohttp.ClientSession) -> None:
    up, url = upstream
    async with run_gateway(config(url, on_block="error_frame")) as gw, \
            session.ws_connect(f"{gw.url}/ws/echo", headers={"X-Request-Id": "rid-1"}) as ws:
        await ws.send_str(chat("forbidden words"))
        error = json.loads(await ws.receive_str())
        assert error == {"type": "chatguard.error", "error": "message blocked by policy", "request_id": "rid-1"}
        await ws.send_str(chat("fine"))
        assert json.loads(await ws.receive_str())["text"] == "fine"
    assert len(up.received) == 1


async def test_block_close_ends_both_sides_with_1008(upstream: tuple[WsUpstream, str],
                                                    session: aiohttp.ClientSession) -> None:
    up, url = upstream
    async with run_gateway(config(url, on_block="close")) as gw, session.ws_connect(f"{gw.url}/ws/echo") as ws:
        await ws.send_str(chat("forbidden words"))
        msg = await ws.receive()
        assert (msg.type, msg.data, msg.extra) == (WSMsgType.CLOSE, 1008, "message blocked by policy")
        await asyncio.wait_for(up.closed.wait(), 5)
    assert up.received == []
    assert up.closes == [(1008, "message blocked by policy")]


@pytest.mark.parametrize(("mode", "code"), [("close_1003", 1003), ("close_1008", 1008)])
async def test_an_unparseable_message_is_never_forwarded(upstream: tuple[WsUpstream, str],
                                                        session: aiohttp.ClientSession, mode: str, code: int) -> None:
    up, url = upstream
    async with run_gateway(config(url, on_parse_error=mode)) as gw, session.ws_connect(f"{gw.url}/ws/echo") as ws:
        await ws.send_str("forbidden, not json")
        msg = await ws.receive()
        assert (msg.type, msg.data) == (WSMsgType.CLOSE, code)
        await asyncio.wait_for(up.closed.wait(), 5)
    assert up.received == []
    assert up.closes == [(code, "message could not be parsed")]


async def test_binary_frames_are_inspected_too(upstream: tuple[WsUpstream, str],
                                              session: aiohttp.ClientSession) -> None:
    """A backend that parses binary JSON must not become a way around the text filters."""
    up, url = upstream
    async with run_gateway(config(url, on_block="drop")) as gw, session.ws_connect(f"{gw.url}/ws/echo") as ws:
        await ws.send_bytes(chat("forbidden words").encode())
        await ws.send_bytes(chat("a secret").encode())
        echoed = await ws.receive()
        assert echoed.type is WSMsgType.BINARY and json.loads(echoed.data)["text"] == "a [masked]"
    assert len(up.received) == 1


async def test_a_word_split_across_fragments_is_still_caught(upstream: tuple[WsUpstream, str]) -> None:
    up, url = upstream
    async with run_gateway(config(url, on_block="close")) as gw:
        raw = await RawWebSocket.connect(gw.url, "/ws/echo")
        payload = chat("forbidden").encode()
        raw.send_frame(OP_TEXT, payload[:12], fin=False)
        raw.send_frame(OP_CONTINUATION, payload[12:], fin=True)
        fin, opcode, body = await raw.read_frame()
        assert (opcode, int.from_bytes(body[:2])) == (OP_CLOSE, 1008)
        raw.close()
        await asyncio.wait_for(up.closed.wait(), 5)
    assert up.received == []


async def test_outbound_messages_are_filtered(upstream: tuple[WsUpstream, str],
                                             session: aiohttp.ClientSession) -> None:
    up, url = upstream
    async with run_gateway(config(url, ("outbound",), on_block="drop")) as gw, \
            session.ws_connect(f"{gw.url}/ws/echo") as ws:
        await ws.send_str(chat("forbidden words"))  # inbound is not inspected on this route
        await ws.send_str(chat("my secret"))
        assert json.loads(await ws.receive_str())["text"] == "my [masked]"
    assert len(up.received) == 2


async def test_an_outbound_block_with_close_ends_both_sides(upstream: tuple[WsUpstream, str],
                                                           session: aiohttp.ClientSession) -> None:
    up, url = upstream
    async with run_gateway(config(url, ("outbound",), on_block="close")) as gw, \
            session.ws_connect(f"{gw.url}/ws/echo") as ws:
        await ws.send_str(chat("forbidden words"))
        msg = await ws.receive()
        assert (msg.type, msg.data) == (WSMsgType.CLOSE, 1008)
        await asyncio.wait_for(up.closed.wait(), 5)
    assert up.closes == [(1008, "message blocked by policy")]


async def wait_until_stalled(up: WsUpstream) -> None:
    """Return once the upstream's sends stop making progress with data queued on its socket."""
    last = -1
    for _ in range(600):
        await asyncio.sleep(0.05)
        assert up.flood_sent < up.flood_limit, "the gateway kept reading from a sender nobody drains"
        queued = up.flood_transport.get_write_buffer_size() if up.flood_transport else 0
        if up.flood_sent == last and queued > 0:
            return
        last = up.flood_sent
    raise AssertionError("the upstream never stalled")


async def test_a_client_that_never_reads_stops_the_gateway_reading_the_upstream(
        upstream: tuple[WsUpstream, str]) -> None:
    up, url = upstream
    async with run_gateway(gateway_config(url, [route("/ws/{tail:path}", websocket=True)])) as gw:
        raw = await RawWebSocket.connect(gw.url, "/ws/flood", receive_buffer=4096)
        assert raw.status == 101
        await wait_until_stalled(up)
        (bridge,) = connections(gw.app).live
        assert isinstance(bridge, Bridge)
        transport = bridge.exchange.request.transport
        assert transport is not None
        # Held toward the client: bounded by the writer's limits and a few messages (how much of it the
        # kernel has taken varies with load), far below the 64 MiB the upstream would push unthrottled.
        assert transport.get_write_buffer_size() <= 1024 * 1024
        stalled_at = up.flood_sent
        for _ in range(64):  # once the client reads, the flow resumes without loss or corruption
            fin, opcode, body = await raw.read_frame()
            assert (fin, opcode, body) == (True, OP_BINARY, up.flood_chunk)
        raw.close()
    assert up.flood_sent >= stalled_at


@pytest.mark.parametrize(("received", "passed_on"), [(0, 1000), (None, 1000), (1000, 1000), (1005, 1000),
                                                     (1006, 1000), (1015, 1000), (1008, 1008), (4999, 4999)])
def test_close_codes_that_cannot_travel_are_passed_on_as_1000(received: int | None, passed_on: int) -> None:
    assert mirrored(received) == passed_on


# --- outbound token streams: FrameStream on its own ---------------------------------------------

CARD = "4111 1111 1111 1111"


def frame_stream(*filters: Filter, pointers: tuple[str, ...] = ("/text",)) -> FrameStream:
    chain = Chain([Step(f"f{i}", f, 5.0) for i, f in enumerate(filters)])
    codec = Codec(FieldSelector(json=pointers))
    return FrameStream(codec, StreamChain(chain, WS_OUT), 1 << 20)


WS_OUT = Message("", direction=Direction.OUTBOUND, channel=Channel.WS)


def masking() -> MaskingFilter:
    return MaskingFilter(MaskingOptions(style="redact", websocket_streams=True))


async def streamed(stream: FrameStream, pieces: list[str]) -> tuple[list[str], str]:
    """Every piece as one frame; the texts sent on, and the whole text the client reads."""
    texts = []
    for piece in pieces:
        result = await stream.feed(chat(piece), binary=False)
        payload = result.payload
        texts.append(json.loads(payload)["text"])
    for tail in await stream.close():
        assert not tail.last  # not binary
        texts.append(json.loads(tail.inspection.payload)["text"])
    return texts, "".join(texts)


@pytest.mark.parametrize("pieces", [
    ["Your card ", "4111 11", "11 1111 ", "1111", " is on file."],
    ["Your card ", *CARD, " is on file."],                                  # one character per frame
    ["Your card 4111\u200b11", "11\u200b1111\u200b1111 is on file."],       # zero-width joins
    ["Your card ４１１１ １１", "１１ １１１１ １１１１ is on file."],      # full-width digits
])
async def test_a_card_split_across_frames_is_masked(pieces: list[str]) -> None:
    texts, whole = await streamed(frame_stream(masking()), pieces)
    assert whole.startswith("Your card [CARD]") and whole.endswith(" is on file.")
    assert not any(d in text for text in texts for d in ("1111", "１１１１"))


async def test_a_value_at_the_end_of_the_stream_is_masked_in_the_final_frame() -> None:
    stream = frame_stream(masking())
    sent = [json.loads((await stream.feed(chat(p), binary=False)).payload)["text"]
            for p in ["card ", "4111 1111 ", "1111 1111"]]
    assert "1111" not in "".join(sent)
    [tail] = await stream.close()
    final = json.loads(tail.inspection.payload)
    assert (final, tail.last) == ({"text": "[CARD]", "room": "r1"}, False)


async def test_plain_chat_reads_the_same_and_words_go_out_whole() -> None:
    pieces = ["hello ", "there, how ", "can I help?"]
    texts, whole = await streamed(frame_stream(masking()), pieces)
    assert whole == "".join(pieces)
    assert texts[:2] == pieces[:2]  # nothing that could start a value is held back


async def test_too_many_field_paths_on_one_connection_fail_closed() -> None:
    stream = frame_stream(masking(), pointers=("/items/*/text",))
    frame = json.dumps({"items": [{"text": f"t{i}"} for i in range(StreamChain.MAX_PATHS + 1)]})
    result = await stream.feed(frame, binary=False)
    assert result.action is Action.BLOCK


async def test_a_block_from_another_filter_stops_the_frame() -> None:
    words = Keyword(KeywordOptions(words=("banned",), action="block"))
    result = await frame_stream(masking(), words).feed(chat("a banned word"), binary=False)
    assert result.action is Action.BLOCK


async def test_unparseable_frames_raise() -> None:
    with pytest.raises(CodecError):
        await frame_stream(masking()).feed("{not json", binary=False)


def test_only_stream_capable_chains_take_the_stream_path() -> None:
    assert StreamChain.offered(Chain([Step("m", masking(), 5.0)]), WS_OUT)
    assert not StreamChain.offered(Chain([Step("w", WordCheck(), 5.0)]), WS_OUT)
    inbound_only = MaskingFilter(MaskingOptions(directions=("inbound",), websocket_streams=True))
    assert not StreamChain.offered(Chain([Step("m", inbound_only, 5.0)]), WS_OUT)
    chat = MaskingFilter(MaskingOptions())  # whole messages per frame: no stream unless asked for
    assert not StreamChain.offered(Chain([Step("m", chat, 5.0)]), WS_OUT)
