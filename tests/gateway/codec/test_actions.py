"""WebSocket requests named by `action` (Mattermost), read as Go's encoding/json reads them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from gateway.codec import CodecError, FieldSelector
from gateway.codec._codec import Codec
from gateway.codec.actions import prefixes


def codec(actions: Mapping[str, Sequence[str]]) -> Codec:
    return Codec(FieldSelector(actions={name: tuple(pointers) for name, pointers in actions.items()}))


PLUGINS = codec({"custom_*": ["/data/**"], "custom_com.example.notes_*": ["/data/text"]})


def texts(frame: str | bytes, read: Codec = PLUGINS) -> list[tuple[str, str]]:
    return [(field.path, field.text) for field in read.extract_frame(frame).fields]


def test_the_longest_declared_beginning_selects() -> None:
    assert prefixes(["*", "custom_*", "custom_com.example.notes_*", "exact"]) == ("custom_com.example.notes_", "custom_")
    assert texts('{"action":"custom_com.example.notes_add","data":{"text":"a","tag":"b"}}') == [
        ("[custom_com.example.notes_add]/data/text", "a")]
    assert texts('{"action":"custom_other_x","data":{"title":"t","n":[1,"two"]}}') == [
        ("[custom_other_x]/data/title", "t"), ("[custom_other_x]/data/n/0", "1"), ("[custom_other_x]/data/n/1", "two"),
        ("[custom_other_x]/data/n", "1,two")]


def test_other_actions_are_checked_not_read() -> None:
    assert texts('{"seq":1,"action":"authentication_challenge","data":{"token":"secret"}}') == []


def test_an_exact_name_and_the_wildcard() -> None:
    read = codec({"user_typing": ["/data/text"], "*": ["/data/note"]})
    assert texts('{"action":"user_typing","data":{"text":"a","note":"b"}}', read) == [
        ("[user_typing]/data/text", "a"), ("[user_typing]/data/note", "b")]
    assert texts('{"action":"anything","data":{"text":"a","note":"b"}}', read) == [("[anything]/data/note", "b")]


def test_keys_are_matched_whatever_their_case() -> None:
    assert texts('{"Action":"custom_x","DATA":{"Title":"t"}}') == [("[custom_x]/DATA/Title", "t")]


@pytest.mark.parametrize("frame", [
    '[{"action":"custom_x"}]', '"custom_x"', '{"data":{"text":"a"}}', '{"action":7}',
    '{"action":"user_typing","action":"custom_x"}', '{"action":"user_typing","ACTION":"custom_x"}',
    '{"action":"custom_x","data":{"text":"a","Text":"b"}}', '{"action":"custom_x","data":{}} {}', "{",
    b'\x81\xa6action\xa8custom_', b'\x91\xa8custom_x',  # binary (MessagePack): see test_packed.py
])
def test_requests_the_server_reads_otherwise_are_refused(frame: str | bytes) -> None:
    with pytest.raises(CodecError):
        PLUGINS.extract_frame(frame)


def test_a_change_is_written_in_place() -> None:
    frame = '{"seq":4,"action":"custom_x","data":{"title":"old"}}'
    extracted = PLUGINS.extract_frame(frame)
    assert extracted.render({0: "new"}) == frame.replace("old", "new")
