"""What each fuzz target asserts: the documented refusal or a result that round-trips.

Shared by the hypothesis tests and by `test_corpus.py`, which replays the inputs kept under
`tests/fuzz/corpus/<target>/` (every one that once broke a parser, and a few that nearly did).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from gateway.codec import Codec, CodecError, Extracted, FieldSelector, SseFields
from gateway.runtime.canonical_path import PathRejected, canonicalise

JSON = Codec(FieldSelector(json=("/text", "/messages/*/text", "/**/body", "/data/@json/msg")))
FORM = Codec(FieldSelector(form=("text", "msg")))
TEXT = Codec(FieldSelector(json=("/text",), form=("text",), text=True))
SOCKETIO = Codec(FieldSelector(socketio={"chat message": ("/0", "/0/text"), "#ack": ("/0",)}))
DDP = Codec(FieldSelector(ddp={"sendMessage": ("/0/msg",), "stream-room-messages": ("/args/*/msg",)}))
DDP_ENVELOPED = Codec(FieldSelector(ddp={"sendMessage": ("/0/msg",)}, envelope="/message"))
XMPP = Codec(FieldSelector(xmpp=True))
SSE_DATA = Codec.for_events(SseFields(json=("/text", "/choices/*/delta/content")))
MARK = "\u2063"  # appended to a field to prove the rendered payload still parses the same way


def round_trip(extract: Callable[[bytes | str], Extracted], payload: bytes | str) -> None:
    """Refusal (CodecError) or: nothing changed -> the very same object; one field changed ->
    the rendered payload parses again, to the same fields with only that one changed (and a list it
    is an item of, or a form name's copies, which are also read joined, as JavaScript joins them: that reading
    holds the change)."""
    try:
        found = extract(payload)
    except CodecError:
        return
    assert found.render({}) is payload
    assert found.render({i: f.text for i, f in enumerate(found.fields)}) is payload
    if not found.fields:
        return
    changed = found.render({0: found.fields[0].text + MARK})
    again = extract(changed)
    assert [f.path for f in again.fields] == [f.path for f in found.fields], (payload, changed)
    first = found.fields[0].path
    for index, (before, after) in enumerate(zip(found.fields, again.fields, strict=True)):
        if index == 0:
            assert after.text == before.text + MARK, (payload, changed)
        elif first.startswith(before.path + "/") or before.path == first + "[*]":  # a list holding it, read joined
            # (or a field of another packet of a polling payload, whose path a packet before spells alike)
            assert after.text == before.text or (MARK in after.text and after.text.replace(MARK, "") == before.text), \
                (payload, changed)
        else:
            assert after.text == before.text, (payload, changed)


def http(codec: Codec, content_type: str | None) -> Callable[[bytes | str], Extracted]:
    def extract(body: bytes | str) -> Extracted:
        assert isinstance(body, bytes)
        return codec.extract_http(body, content_type)
    return extract


def frame(codec: Codec) -> Callable[[bytes | str], Extracted]:
    return codec.extract_frame


def path(raw: str) -> None:
    """An accepted path decodes to segments no backend can read as another path."""
    try:
        found = canonicalise(raw)
    except PathRejected:
        return
    assert found.raw == raw
    for segment in found.segments:
        assert segment not in (".", "..")
        assert not {"/", "\\", ";", "\x00"} & set(segment)
        assert unicodedata.normalize("NFKC", segment) == unicodedata.normalize("NFC", segment)
