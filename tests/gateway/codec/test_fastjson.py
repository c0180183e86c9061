"""The orjson reading of a JSON document: the walk's fields exactly, or no answer (the walk then reads)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.codec import Codec, CodecError, FieldCaps, TextField
from gateway.codec.fastjson import fields_of, read
from gateway.codec.jsonpath import Pointer, parse_document, select
from gateway.codec.selectors import FieldSelector

POINTERS = ("/text", "/content/body", "/items/*/text", "/meta/**")


def selection(*pointers: str, fold: bool = False) -> Any:
    return select([Pointer.parse(p) for p in pointers or POINTERS], fold=fold)


def walked(text: str, *pointers: str) -> list[TextField]:
    fields: list[TextField] = []
    parse_document(text, selection(*pointers), fields)
    return fields


@pytest.mark.parametrize("doc", [
    '{"type":"message","user":"agent.smith","text":"Hi team: the refund, at 5 pm"}',
    '{"text": "a", "content": {"body": "b", "other": "c"}, "items": [{"text": "d"}, {"x": 1}]}',
    '{"meta": {"a": ["x", {"b": "y"}], "c": "z: colon"}, "text": "plain"}',
    '{"text": "escapes \\n \\" \\u00e9 \\u003a", "k\\u003ay": "v"}',
    '{"text": "x", "ts": {"$date": 1700000000000}, "n": [1, 2.5, true, null]}',
    '"a top-level string"',
    '[]',
    '{"a:b": "c:d", "text": "e"}',
])
def test_what_it_reads_is_what_the_walk_reads(doc: str) -> None:
    assert fields_of(doc, selection()) == walked(doc)


@pytest.mark.parametrize(("doc", "pointers"), [
    ('{"text": "first", "text": "second"}', ()),              # the walk refuses this repeat
    ('{"meta2": {"a": 1, "a": 2}, "text": "x"}', ()),         # a repeat off every pointer's way
    ('{"k:": "v", "k:": "v", "text": "x"}', ()),              # a repeat carrying colons
    ('{"k\\u003a": 1, "k:": 2, "text": "x"}', ()),            # the same key, once escaped
    ('{"a\\u003a": 1, "t": 1, "t": 2, "text": "x"}', ()),    # a repeat beside an escaped colon
    ('{"text": 4111111111111111}', ()),                       # a number read as text: its literal
    ('{"data": "{\\"message\\": \\"x\\"}"}', ("/data/@json/message",)),  # JSON inside a string
    ('{"text": NaN}', ()),                                    # the walk refuses what orjson refuses
    ('{"text": 1e400}', ()),
    ('{"text": "x"} trailing', ()),
    ('{"__proto__": {"text": "x"}}', ()),
    ('{"text\\u0000": "x"}', ()),
    ('{"text": {"$escape": {"body": "x"}}}', ()),
    ('{"text": "\\ud800"}', ()),
    ("[" * 70 + "]" * 70, ()),
])
def test_what_only_the_walk_can_tell_is_left_to_it(doc: str, pointers: tuple[str, ...]) -> None:
    assert fields_of(doc, selection(*pointers)) is None


def test_folded_keys_are_left_to_the_walk() -> None:
    assert fields_of('{"text": "x"}', selection("/text", fold=True)) is None


def test_a_repeated_key_is_still_refused_through_the_codec() -> None:
    codec = Codec(FieldSelector(json=("/text",)))
    with pytest.raises(CodecError, match="duplicate key"):
        codec.extract_frame('{"text": "evil", "text": "benign"}')


def test_a_change_is_spliced_by_the_walk_at_the_field_indices_of_the_shared_list() -> None:
    doc = '{"user": "u", "text": "card 4111", "content": {"body": "keep"}}'
    fields = [TextField("earlier", "from another part of the payload")]
    render = read(doc, selection(), fields)
    assert [f.path for f in fields] == ["earlier", "/text", "/content/body"]
    out = render({0: "ignored: not this document's", 1: "card ****"})
    assert out == '{"user": "u", "text": "card ****", "content": {"body": "keep"}}'
    assert render({}) is None


# -- property: on any document, the same answer as the walk, or none -----------------------------

_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.text(max_size=8),
                     st.sampled_from(["a:b", ":", "\\", '"', "\u00e9", "\x7f"]))
_keys = st.one_of(st.sampled_from(["text", "content", "body", "items", "meta", "a:b", "$date", "$escape"]),
                  st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=4))
_values = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(_keys, inner, max_size=4)), max_leaves=16)


def _dump(value: Any, style: int) -> str:
    return json.dumps(value, ensure_ascii=style == 0, separators=(",", ":") if style == 1 else None)


@settings(max_examples=300, deadline=None)
@given(value=_values, style=st.integers(0, 2), repeat=st.booleans())
def test_property_same_fields_as_the_walk_or_no_answer(value: Any, style: int, repeat: bool) -> None:
    doc = _dump(value, style)
    if repeat and isinstance(value, dict) and value:
        key, item = next(iter(value.items()))
        doc = doc[:-1] + ", " + json.dumps(key) + ": " + json.dumps(item) + "}"
    fast = fields_of(doc, selection())
    try:
        expected = walked(doc)
    except CodecError:
        assert fast is None
        return
    assert fast is None or fast == expected
    if repeat and isinstance(value, dict) and value:
        assert fast is None


# -- property: a frame read through orjson is read as the general path reads it ------------------

_CAPS = (None, FieldCaps(max_fields=2, max_chars=6))


def _reading(codec: Codec, read: Any) -> Any:
    """What a reading gives: its fields and its rendering of a change to the first one, or its refusal."""
    try:
        extracted = read()
    except CodecError as exc:
        return "refused", type(exc).__name__, str(exc)
    rendered = extracted.render({0: "changed"}) if extracted.fields else None
    return "read", list(extracted.fields), rendered


@settings(max_examples=300, deadline=None)
@given(value=_values, style=st.integers(0, 2), repeat=st.booleans(), caps=st.sampled_from(_CAPS),
       text_too=st.booleans())
def test_property_a_frame_reads_as_a_body_without_content_type(value: Any, style: int, repeat: bool,
                                                               caps: FieldCaps | None, text_too: bool) -> None:
    doc = _dump(value, style)
    if repeat and isinstance(value, dict) and value:
        key, item = next(iter(value.items()))
        doc = doc[:-1] + ", " + json.dumps(key) + ": " + json.dumps(item) + "}"
    codec = Codec(FieldSelector(json=POINTERS, text=text_too))
    if caps is not None:
        codec = codec.capped(caps)
    # A body without a Content-Type takes the first declared format that parses, the walk reading JSON.
    general = _reading(codec, lambda: codec.extract_http(doc.encode(), None))
    assert _reading(codec, lambda: codec.extract_frame(doc.encode())) == general  # a binary frame: bytes out
    if general[0] == "read" and isinstance(general[2], bytes):
        general = (*general[:2], general[2].decode())
    assert _reading(codec, lambda: codec.extract_frame(doc)) == general


# -- property: a JSON body read through orjson is read as the walk reads it -----------------------

_JSON_TYPES = ("application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8")


@settings(max_examples=300, deadline=None)
@given(value=_values, style=st.integers(0, 2), repeat=st.booleans(), caps=st.sampled_from(_CAPS),
       content_type=st.sampled_from(_JSON_TYPES))
def test_property_a_json_body_reads_as_the_walk_reads_it(value: Any, style: int, repeat: bool,
                                                         caps: FieldCaps | None, content_type: str) -> None:
    doc = _dump(value, style)
    if repeat and isinstance(value, dict) and value:
        key, item = next(iter(value.items()))
        doc = doc[:-1] + ", " + json.dumps(key) + ": " + json.dumps(item) + "}"
    codec = Codec(FieldSelector(json=POINTERS))
    if caps is not None:
        codec = codec.capped(caps)
    body = doc.encode()
    walk: list[TextField] = []
    try:
        parse_document(doc, selection(), walk)
    except CodecError:
        walk = []
        assert _reading(codec, lambda: codec.extract_http(body, content_type))[0] == "refused"
    # The body without a Content-Type: the general reader of the declared format.
    general = _reading(codec, lambda: codec.extract_http(body, None))
    typed = _reading(codec, lambda: codec.extract_http(body, content_type))
    assert typed == general
    if typed[0] == "read":
        assert typed[1] == walk
        if typed[1]:
            assert isinstance(typed[2], bytes)  # a body renders as bytes, the original's type


@pytest.mark.parametrize("doc", [
    '{"text": "first", "text": "second"}', '{"text": 4111111111111111}', '{"text": NaN}',
    '{"__proto__": {"text": "x"}}', '{"text\\u0000": "x"}', '{"text": "\\ud800"}', "[" * 70 + "]" * 70,
    '{"text": "x"} trailing', '{"text": {"$escape": {"body": "x"}}}',
])
def test_hostile_json_bodies_are_refused_as_the_walk_refuses_them(doc: str) -> None:
    codec = Codec(FieldSelector(json=POINTERS))
    walk = _reading(codec, lambda: codec.extract_http(doc.encode(), None))
    assert _reading(codec, lambda: codec.extract_http(doc.encode(), "application/json")) == walk


def test_unchanged_json_body_is_forwarded_as_the_same_bytes() -> None:
    body = b'{"type": "message",   "text": "caf\\u00e9 at 5 pm", "user": "a"}'
    extracted = Codec(FieldSelector(json=POINTERS)).extract_http(body, "application/json")
    assert [f.text for f in extracted.fields] == ["café at 5 pm"]
    assert extracted.render({0: "café at 5 pm"}) is body
    assert extracted.render({0: "changed"}) == b'{"type": "message",   "text": "changed", "user": "a"}'


@pytest.mark.parametrize("pointers", [POINTERS, ("/text",), ("/*",), ("/**",), ("/a/*/b", "/a/x/**", "/*/y"),
                                      ("/a/@json/b", "/a")])
def test_a_branch_table_gives_what_its_step_gives(pointers: tuple[str, ...]) -> None:
    """`Branch.table` answers for every key as `Branch.step` does, down every level a key leads to."""
    keys = ["text", "content", "body", "items", "meta", "a", "b", "x", "y", "0", "", "other", "\x00"]
    pending, seen = [selection(*pointers)], set()
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        for array in (False, True):
            branch = current.branch(array)
            if branch is None:
                continue
            table, other = branch.table()
            for key in keys:
                assert table.get(key, other) is branch.step(key)
                pending.append(branch.step(key))
