"""Large payloads are read and written back on the codec thread, small ones on the event loop; the answer
and any refusal are the codec's own either way."""

from __future__ import annotations

import json
import threading
from typing import cast

import pytest

from gateway.codec import Codec, CodecError, Extracted, FieldSelector
from gateway.inspect import bulk

CODEC = Codec(FieldSelector(json=("/text", "/more/*")))


class Recording:
    """A codec that says which thread read each payload."""

    def __init__(self) -> None:
        self.threads: list[str] = []

    def extract_http(self, body: bytes, content_type: str | None) -> Extracted:
        self.threads.append(threading.current_thread().name)
        return CODEC.extract_http(body, content_type)

    def extract_frame(self, frame: str | bytes) -> Extracted:
        self.threads.append(threading.current_thread().name)
        return CODEC.extract_frame(frame)


def body(size: int) -> bytes:
    return json.dumps({"text": "a" * size, "more": ["card 4111 1111 1111 1111", "b" * 10]}).encode()


@pytest.mark.parametrize(("size", "thread"), [(100, "MainThread"), (bulk.THREAD_FROM, "chatguard-codec")])
async def test_where_a_payload_is_read_and_written_back(size: int, thread: str) -> None:
    recording = Recording()
    payload = body(size)
    for frame in (False, True):
        extracted = await bulk.extract(cast(Codec, recording), payload, "application/json", frame=frame)
        assert [f.text for f in extracted.fields] == [f.text for f in CODEC.extract_http(payload, None).fields]
    assert [name.rsplit("_", 1)[0] for name in recording.threads] == [thread, thread]
    rendered = await bulk.render(extracted, payload, {1: "card [CARD]"})
    assert rendered == CODEC.extract_http(payload, None).render({1: "card [CARD]"})
    assert json.loads(rendered)["more"] == ["card [CARD]", "b" * 10]


@pytest.mark.parametrize("size", [100, bulk.THREAD_FROM])
async def test_a_payload_the_codec_refuses_is_refused_on_either_thread(size: int) -> None:
    payload = body(size).replace(b'"more"', b'"text"')  # a repeated key on a pointer's way
    with pytest.raises(CodecError) as here:
        CODEC.extract_http(payload, "application/json")
    with pytest.raises(CodecError) as there:
        await bulk.extract(CODEC, payload, "application/json")
    assert str(there.value) == str(here.value)
