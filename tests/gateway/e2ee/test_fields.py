"""Blind-backend field encryption on a real key service (SQLite): sealing, opening, and every way an
envelope can fail to open (tampered, moved, unknown or unavailable key, another room), plus rotation."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import orjson
import pytest

from gateway.codec import Codec, FieldSelector, Pointer
from gateway.database import open_database
from gateway.e2ee.envelope import Envelope, EnvelopeError, open_text, scope, seal_text
from gateway.e2ee.fields import FieldCrypto, SealRefused, SealUnavailable, field_name, matches
from gateway.keyring import KeyService, LocalKek

KEK = LocalKek(bytes(range(32)))
ENVELOPE = re.compile(r"cg1:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22,}")
SEAL = Codec(FieldSelector(json=("/body", "/formatted_body", "/parts/*/text")))
SEAL_AT = tuple(Pointer.parse(p) for p in ("/body", "/formatted_body", "/parts/*/text"))
READ = Codec(FieldSelector(json=("/chunk/*/content/body", "/chunk/*/content/formatted_body")))


class Failures(list[str]):
    def __call__(self, reason: str) -> None:
        self.append(reason)


@pytest.fixture
async def keys(tmp_path: Path) -> AsyncIterator[KeyService]:
    db = open_database(f"sqlite:///{tmp_path}/keys.db")
    await db.open()
    service = KeyService(db, KEK)
    await service.setup()
    yield service
    await db.aclose()


async def seal(crypto: FieldCrypto, doc: object, room: str = "!room:x") -> dict[str, object]:
    sealed = await crypto.seal(SEAL, SEAL_AT, orjson.dumps(doc), room, content_type="application/json")
    assert isinstance(sealed, bytes)
    return orjson.loads(sealed)  # type: ignore[no-any-return]


def page(*contents: object) -> bytes:
    """A Matrix /messages answer holding these event contents."""
    return orjson.dumps({"chunk": [{"type": "m.room.message", "content": c} for c in contents]})


async def read(crypto: FieldCrypto, answer: bytes, room: str | None = "!room:x") -> tuple[list[object], Failures]:
    failures = Failures()
    opened = await crypto.open(READ, answer, room, failures, content_type="application/json")
    assert isinstance(opened, bytes)
    return [event["content"] for event in orjson.loads(opened)["chunk"]], failures


async def test_fields_are_sealed_and_open_again_for_readers(keys: KeyService) -> None:
    crypto = FieldCrypto(keys)
    content = await seal(crypto, {"msgtype": "m.text", "body": "card 4111", "formatted_body": "<b>x</b>",
                                  "parts": [{"text": "a"}, {"text": "b"}]})
    for value in (content["body"], content["formatted_body"]):
        assert isinstance(value, str) and ENVELOPE.fullmatch(value)
    assert "4111" not in orjson.dumps(content).decode() and content["msgtype"] == "m.text"
    again = await seal(crypto, {"body": "card 4111"})
    assert again["body"] != content["body"]        # a fresh nonce every time
    opened, failures = await read(crypto, page(content, again))
    assert opened[0] == {"msgtype": "m.text", "body": "card 4111", "formatted_body": "<b>x</b>",
                         "parts": content["parts"]}  # parts are not read on this route: they stay sealed
    assert opened[1] == {"body": "card 4111"} and failures == []


def flip(envelope: str, part: int) -> str:
    pieces = envelope.split(":")
    text = pieces[part]
    pieces[part] = text[:5] + ("A" if text[5] != "A" else "B") + text[6:]
    return ":".join(pieces)


async def test_tampered_moved_and_malformed_envelopes_stay_sealed_and_are_counted(keys: KeyService) -> None:
    crypto = FieldCrypto(keys)
    content = await seal(crypto, {"body": "secret", "formatted_body": "other"})
    body = str(content["body"])
    other = await seal(crypto, {"body": "x"}, room="!other:x")
    cases = [
        {"body": flip(body, 3)},                              # ciphertext changed
        {"body": flip(body, 2)},                              # nonce changed
        {"body": str(other["body"]).split(":")[0] + ":" + str(other["body"]).split(":")[1] + ":"
         + ":".join(body.split(":")[2:])},                    # relabelled with another key's id
        {"formatted_body": body},                             # moved into another field
        {"body": body[:-4]},                                  # cut short
        {"body": "cg1:not:an:envelope"},
        {"body": "cg1:" + "A" * 22 + ":" + "A" * 16},
    ]
    opened, failures = await read(crypto, page(*cases), room=None)
    assert opened == cases                                     # left exactly as stored
    assert failures == ["tampered", "tampered", "tampered", "tampered", "tampered", "malformed", "malformed"]


async def test_unknown_erased_and_unavailable_keys(keys: KeyService, tmp_path: Path) -> None:
    crypto = FieldCrypto(keys)
    content = await seal(crypto, {"body": "secret"})
    unknown = "cg1:" + "B" * 22 + ":" + str(content["body"]).split(":", 2)[2]
    opened, failures = await read(crypto, page({"body": unknown}))
    assert opened == [{"body": unknown}] and failures == ["unknown_key"]
    # another gateway whose KEK does not open the stored data key
    stranger = KeyService(keys.store.db, LocalKek(bytes(range(1, 33))))
    opened, failures = await read(FieldCrypto(stranger), page(content))
    assert opened == [content] and failures == ["key_unavailable"]
    # crypto-shredding the conversation: its envelopes never open again
    assert await keys.erase(scope("!room:x")) == 1
    opened, failures = await read(crypto, page(content))
    assert opened == [content] and failures == ["unknown_key"]


async def test_envelopes_of_another_room_stay_sealed_where_the_route_names_the_room(keys: KeyService) -> None:
    crypto = FieldCrypto(keys)
    content = await seal(crypto, {"body": "for room a"}, room="!a:x")
    opened, failures = await read(crypto, page(content), room="!b:x")
    assert opened == [content] and failures == ["other_conversation"]
    opened, failures = await read(crypto, page(content), room=None)  # e.g. /sync: no room in the path
    assert opened == [{"body": "for room a"}] and failures == []


async def test_rotation_new_messages_use_the_new_key_old_ones_still_open(keys: KeyService) -> None:
    crypto = FieldCrypto(keys)
    before = await seal(crypto, {"body": "before"})
    await keys.rotate(scope("!room:x"))
    after = await seal(crypto, {"body": "after"})
    assert Envelope.parse(str(before["body"])).key_id != Envelope.parse(str(after["body"])).key_id
    opened, failures = await read(crypto, page(before, after))
    assert opened == [{"body": "before"}, {"body": "after"}] and failures == []


@pytest.mark.parametrize("value", [42, 1.5, ["a", "b"], {"text": "x"}, [], {}])
async def test_a_value_that_is_not_a_string_is_refused(keys: KeyService, value: object) -> None:
    if value in ([], {}):   # nothing inside: no text reaches the codec, nothing to seal or refuse
        assert await seal(FieldCrypto(keys), {"body": value}) == {"body": value}
        return
    with pytest.raises(SealRefused):
        await seal(FieldCrypto(keys), {"body": value})


@pytest.mark.parametrize("value", [None, True, False])
async def test_values_without_text_are_left_alone(keys: KeyService, value: object) -> None:
    assert await seal(FieldCrypto(keys), {"body": value, "msgtype": "m.text"}) == {"body": value, "msgtype": "m.text"}


async def test_a_planted_envelope_is_sealed_again(keys: KeyService) -> None:
    crypto = FieldCrypto(keys)
    first = await seal(crypto, {"body": "real"})
    planted = await seal(crypto, {"body": first["body"]})
    assert planted["body"] != first["body"]
    opened, _ = await read(crypto, page(planted))
    assert opened == [{"body": first["body"]}]   # the reader sees what the client sent, not what it hid


async def test_envelope_binding_without_a_service(keys: KeyService) -> None:
    key = await keys.current(scope("c"))
    envelope = seal_text(key, "body", "hé ✓")
    assert open_text(key, "body", Envelope.parse(envelope)) == "hé ✓"
    with pytest.raises(EnvelopeError):
        open_text(key, "formatted_body", Envelope.parse(envelope))


@pytest.mark.parametrize(("pattern", "path", "expected"), [
    ("/body", "/body", True), ("/body", "/body/0", False), ("/*/text", "/a/text", True),
    ("/**/body", "/content/m.new_content/body", True), ("/**/body", "/body", True), ("/a", "/b", False),
])
def test_pointer_matches_concrete_paths(pattern: str, path: str, expected: bool) -> None:
    assert matches(Pointer.parse(pattern).segments, Pointer.parse(path).segments) is expected
    assert field_name(path) == Pointer.parse(path).segments[-1]


async def test_numbers_the_codec_accepts_do_not_break_sealing(keys: KeyService) -> None:
    sealed = await FieldCrypto(keys).seal(SEAL, SEAL_AT, b'{"body":"x","n":1e400,"m":123456789012345678901234567890}',
                                          "!room:x", content_type="application/json")
    assert isinstance(sealed, bytes) and b"1e400" in sealed and b'"body":"cg1:' in sealed


async def test_a_key_store_that_is_down_refuses_sealing_and_leaves_envelopes(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path}/keys.db")
    await db.open()
    keys = KeyService(db, KEK, cache_ttl=0.0)
    await keys.setup()
    crypto = FieldCrypto(keys)
    content = await seal(crypto, {"body": "x"})
    await db.aclose()                                   # the store goes away
    with pytest.raises(SealUnavailable):
        await seal(crypto, {"body": "y"}, room="!new:x")
    opened, failures = await read(crypto, page(content))
    assert opened == [content] and failures == ["key_store_unavailable"]
