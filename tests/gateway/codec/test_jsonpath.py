"""JSON pointers, the walk, and byte-exact splicing (property tests included)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.codec import CodecError, Extracted, TextField, fastjson
from gateway.codec.jsonpath import MAX_DEPTH, Pointer, parse_document, select
from gateway.codec.numbers import joined, shown
from gateway.codec.siblings import sibling_runs


def extract(text: str, *pointers: str) -> tuple[list[TextField], Extracted]:
    fields: list[TextField] = []
    doc = parse_document(text, select([Pointer.parse(p) for p in pointers]), fields)
    return fields, Extracted(text, fields, doc.render)


@pytest.mark.parametrize(("text", "segments"), [
    ("", ()),
    ("/", ("",)),
    ("/content/body", ("content", "body")),
    ("/a~1b/m~0n", ("a/b", "m~n")),
    ("/~01", ("~1",)),
    ("/rooms/join/*/timeline", ("rooms", "join", "*", "timeline")),
    ("/data/post/@json/message", ("data", "post", "@json", "message")),
])
def test_pointer_parse(text: str, segments: tuple[str, ...]) -> None:
    assert Pointer.parse(text).segments == segments


@pytest.mark.parametrize("text", ["content/body", "/a~2b", "/a~", "#/a"])
def test_pointer_parse_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="pointer"):
        Pointer.parse(text)


@pytest.mark.parametrize(("doc", "pointer", "expected"), [
    ('{"content": {"body": "hi"}}', "/content/body", [("/content/body", "hi")]),
    ('{"a/b": {"m~n": "x"}}', "/a~1b/m~0n", [("/a~1b/m~0n", "x")]),
    ('{"l": ["a", "b", 3]}', "/l/*", [("/l/0", "a"), ("/l/1", "b"), ("/l/2", "3")]),
    ('{"l": ["a", "b"]}', "/l/1", [("/l/1", "b")]),
    ('{"l": ["a", "b"]}', "/l/01", []),
    ('{"l": ["a", "b"]}', "/l/-", []),
    ('{"x": {"p": "1", "q": "2"}}', "/x/*", [("/x/p", "1"), ("/x/q", "2"), ("/x", "1 2")]),  # numbers: joined too
    ('"whole"', "", [("", "whole")]),
    ('{"s": "{\\"m\\": \\"inner\\"}"}', "/s/@json/m", [("/s/@json/m", "inner")]),
    ('{"s": {"m": "already an object"}}', "/s/@json/m", [("/s/m", "already an object")]),
    ('{"e": "caf\\u00e9 \\ud83d\\ude00"}', "/e", [("/e", "café 😀")]),
    ('{"nothing": "here"}', "/missing/path", []),
    ('{"body": {"not": "a string", "n": 4111111111111111}}', "/body",
     [("/body/not", "a string"), ("/body/n", "4111111111111111")]),
    ('{"body": ["card", ["4111", 1111], true, null]}', "/body",  # and each array's items joined, as JavaScript does
     [("/body/0", "card"), ("/body/1/0", "4111"), ("/body/1/1", "1111"), ("/body/1", "4111,1111"),
      ("/body", "card,4111,1111,true,")]),
    ('{"body": -1.5e3}', "/body", [("/body", "-1500")]),  # as JavaScript prints it
    ('{"a": {"b": {"c": "deep"}, "d": "x"}}', "/**/c", [("/a/b/c", "deep")]),
    ('{"c": "top", "a": [{"c": "in list"}]}', "/**/c", [("/c", "top"), ("/a/0/c", "in list")]),
    ('{"rooms": {"r": {"unsigned": {"m.relations": {"content": {"body": "t"}}}}}}', "/rooms/**/content/body",
     [("/rooms/r/unsigned/m.relations/content/body", "t")]),
    ('{"a": "b"}', "/a/deeper", []),
])
def test_extract(doc: str, pointer: str, expected: list[tuple[str, str]]) -> None:
    fields, _ = extract(doc, pointer)
    assert [(f.path, f.text) for f in fields] == expected


@pytest.mark.parametrize("doc", [
    '{"ts": 1700000000000, "card": 4111111111111111, "ok": true, "n": null, "f": 1.5e3}',
    '[1700000000000, 4111111111111111, false, -0.0]',
])
def test_numbers_at_a_text_pointer_are_text_literals_are_not(doc: str) -> None:
    fields, extracted = extract(doc, "/ts", "/card", "/ok", "/n", "/f", "/0", "/1", "/2", "/3")
    assert [f.text for f in fields if f.path] == [shown(f) for f in ("1700000000000", "4111111111111111", "1.5e3",
                                                                     "-0.0") if f in doc]
    if doc.startswith("{"):  # the object's number-only members, read joined (`gateway.codec.siblings`)
        assert fields[-1] == TextField("", "1700000000000 4111111111111111 1500")
    out = extracted.render({1: "4111 **** **** 1111"})
    assert isinstance(out, str) and '"4111 **** **** 1111"' in out and "1700000000000" in out
    assert "false" in out or "true" in out


def test_numbers_off_the_pointers_are_untouched() -> None:
    fields, _ = extract('{"ts": 1700000000000, "text": "x"}', "/text")
    assert [f.text for f in fields] == ["x"]


def test_an_object_other_pointers_read_into_is_not_descended() -> None:
    fields, _ = extract('{"m": {"text": "hi", "room": "general", "ts": 1}}', "/m", "/m/text")
    assert [(f.path, f.text) for f in fields] == [("/m/text", "hi")]
    fields, _ = extract('{"m": ["a", {"text": "b", "id": 2}]}', "/m", "/m/text")
    assert [(f.path, f.text) for f in fields] == [("/m/0", "a"), ("/m/1/text", "b"), ("/m/1/id", "2")]


def test_same_string_selected_twice_is_one_field() -> None:
    fields, _ = extract('{"a": {"b": "x"}}', "/a/b", "/*/b", "/a/*")
    assert [f.path for f in fields] == ["/a/b"]


def test_render_splices_only_the_changed_literal() -> None:
    doc = '{ "id" : "$ev",\n  "content": {"body":"my card 4111 1111 1111 1111", "n": 1.0e0},"ts":1700000000000 }'
    fields, extracted = extract(doc, "/content/body", "/id")
    assert extracted.render({}) is doc
    assert extracted.render({1: "my card 4111 1111 1111 1111"}) is doc
    out = extracted.render({1: "my card ****"})
    assert out == doc.replace("my card 4111 1111 1111 1111", "my card ****")


def test_render_keeps_escape_style() -> None:
    fields, extracted = extract('{"t": "caf\\u00e9"}', "/t")
    assert extracted.render({0: "thé ☕"}) == '{"t": "th\\u00e9 \\u2615"}'
    fields, extracted = extract('{"t": "café"}', "/t")
    assert extracted.render({0: "thé"}) == '{"t": "thé"}'


def test_render_into_json_in_string_reencodes_the_outer_string() -> None:
    inner = json.dumps({"id": "p1", "message": "call 555-0100", "create_at": 1700000000000})
    doc = json.dumps({"event": "posted", "data": {"post": inner}, "seq": 7})
    fields, extracted = extract(doc, "/data/post/@json/message")
    assert fields == [TextField("/data/post/@json/message", "call 555-0100")]
    out = extracted.render({0: "call [phone]"})
    assert isinstance(out, str)
    parsed = json.loads(out)
    assert json.loads(parsed["data"]["post"]) == {"id": "p1", "message": "call [phone]", "create_at": 1700000000000}
    assert parsed["seq"] == 7 and parsed["event"] == "posted"
    assert out.startswith('{"event": "posted", "data": {"post": ') and out.endswith(', "seq": 7}')


def test_whole_string_field_wins_over_its_json_content() -> None:
    fields, extracted = extract('{"s": "{\\"m\\": \\"x\\"}"}', "/s", "/s/@json/m")
    assert [f.path for f in fields] == ["/s", "/s/@json/m"]
    assert json.loads(extracted.render({0: "replaced", 1: "ignored"})) == {"s": "replaced"}


@pytest.mark.parametrize(("doc", "message"), [
    ('{"text": "a", "text": "b"}', "duplicate key"),
    ('{"content": {"body": "x", "body": "card"}}', "duplicate key"),
    ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "nested deeper"),
    ('{"a":' * 100_000, "nested deeper"),
    ('{"text": "\\ud800"}', "lone surrogate"),
    ('{"text": "\\udc00x"}', "lone surrogate"),
    ('{"text": "\\ud800\\u0041"}', "lone surrogate"),
    ('{"other": "\\ud83d", "text": "ok"}', "lone surrogate"),
    ('{"text": NaN}', "not JSON"),
    ('{"text": "x", "n": Infinity}', "not JSON"),
    ('{"text": "x"} trailing', "unexpected data"),
    ('{"text": "x"', "ends too early"),
    ('{"text" "x"}', "expected ':'"),
    ('{"text": "x",}', "expected a JSON string"),
    ("{'text': 'x'}", "expected a JSON string"),
    ('{"text": "line\nbreak"}', "invalid JSON"),
    ('{"text": 01}', "expected ','"),
    ('{"x": [1 2], "text": "y"}', "invalid JSON"),
    ('{"n": 1' + "0" * 5000 + ', "text": "y"}', "invalid JSON"),
    ("", "ends too early"),
    ('\ufeff{"text": "x"}', "expected a JSON value"),
])
def test_hostile_documents_are_refused(doc: str, message: str) -> None:
    with pytest.raises(CodecError, match=message):
        extract(doc, "/text", "/content/body")


def test_escaped_backslash_before_u_is_not_a_surrogate() -> None:
    fields, _ = extract('{"text": "C:\\\\ud800"}', "/text")
    assert fields[0].text == "C:\\ud800"


def test_surrogate_pair_is_accepted() -> None:
    fields, _ = extract('{"text": "\\ud83d\\ude00"}', "/text")
    assert fields[0].text == "😀"


@pytest.mark.parametrize(("literal", "read"), [
    (r"\ud83d\ude00\uD83D\uDE00", True),
    (r"\\ud83d\\ude00", True),          # backslashes and letters, no escape
    (r"\\\ud83d\ude00", True),          # a backslash, then a pair
    (r"\\\\ude00", True),
    (r"\\ud83d\ude00", False),          # letters, then a lone low surrogate escape
    (r"\ud83d\\ude00", False),          # a lone high one, then a backslash and letters
    (r"\\\ude00", False),
    (r"\ud83d\ud83d\ude00", False),
    (r"\ud83dx\ude00", False),
    (r"\ud83d\ude00\ud83d", False),
])
def test_only_paired_surrogate_escapes_are_read(literal: str, read: bool) -> None:
    doc = '{"text": "' + literal + '"}'
    if read:
        assert extract(doc, "/text")[0][0].text == json.loads(doc)["text"]
    else:
        with pytest.raises(CodecError, match="lone surrogate"):
            extract(doc, "/text")


def test_duplicate_keys_off_the_pointer_path_are_not_inspected() -> None:
    fields, _ = extract('{"meta": {"k": 1, "k": 2}, "text": "x"}', "/text")
    assert [f.text for f in fields] == ["x"]


def test_json_in_string_that_is_not_json_is_refused() -> None:
    with pytest.raises(CodecError):
        extract('{"data": {"post": "not json"}}', "/data/post/@json/message")


# -- properties ------------------------------------------------------------------------------

_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                     st.text(max_size=12))
# Keys without control characters (those are refused, see below) and without `__proto__`.
_keys = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=6).filter(lambda key: key != "__proto__")
_values = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(_keys, inner, max_size=4)), max_leaves=20)
_EVERY_STRING = ["", *("/*" * depth for depth in range(1, 12))]


def _dump(value: Any, style: int) -> str:
    if style == 0:
        return json.dumps(value)
    if style == 1:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return json.dumps(value, indent=style - 1)


def _resolve(value: Any, path: str) -> tuple[Any, Any]:
    """(container, key) that a concrete pointer names."""
    tokens = Pointer.parse(path).segments
    for token in tokens[:-1]:
        value = value[int(token)] if isinstance(value, list) else value[token]
    last = tokens[-1]
    return value, int(last) if isinstance(value, list) else last


@settings(max_examples=150, deadline=None)
@given(value=_values, style=st.integers(0, 4))
def test_property_unchanged_is_identical(value: Any, style: int) -> None:
    doc = _dump(value, style)
    fields, extracted = extract(doc, *_EVERY_STRING)
    assert extracted.render({}) is doc
    assert extracted.render({i: f.text for i, f in enumerate(fields)}) is doc
    assert sorted(f.text for f in fields) == sorted(_strings(value))


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [shown(json.dumps(value))]
    if isinstance(value, list):
        text, count = joined(value)
        return [s for item in value for s in _strings(item)] + ([text] if count >= 2 else [])
    if isinstance(value, dict):
        leaves = [(0, s) for item in value.values() if not isinstance(item, dict | list | bool) and item is not None
                  for s in _strings(item)]
        return [s for item in value.values() for s in _strings(item)] + [text for text, _ in sibling_runs(leaves)]
    return []


@settings(max_examples=150, deadline=None)
@given(value=_values, style=st.integers(0, 4), pick=st.integers(0, 1000), new=st.text(max_size=12))
def test_property_one_replacement_changes_only_that_value(value: Any, style: int, pick: int, new: str) -> None:
    doc = _dump(value, style)
    fields, extracted = extract(doc, *_EVERY_STRING)
    if not fields or fields[pick % len(fields)].text == new:
        return
    index = pick % len(fields)
    walked = parse_document(doc, select([Pointer.parse(p) for p in _EVERY_STRING]), [])
    if index in walked.joined or index in walked.siblings:
        with pytest.raises(CodecError):  # items or members joined: only their own changes may change it
            extracted.render({index: new})
        return
    out = extracted.render({index: new})
    assert isinstance(out, str)
    expected = json.loads(doc)
    if fields[index].path == "":
        expected = new
    else:
        container, key = _resolve(expected, fields[index].path)
        container[key] = new
    assert json.loads(out) == expected
    # Bytes outside the changed literal are untouched: the output is the input with exactly
    # that one string literal swapped.
    spans = parse_document(doc, select([Pointer.parse(p) for p in _EVERY_STRING]), []).leaves
    start, end = next((start, end) for start, (end, i) in spans.items() if i == index)
    literal = doc[start:end]
    assert json.loads(literal) == fields[index].text if literal.startswith('"') else shown(literal) == fields[index].text
    assert out[:start] == doc[:start] and out[len(out) - (len(doc) - end):] == doc[end:]
    assert json.loads(out[start:len(out) - (len(doc) - end)]) == new


# -- keys read the way backends read them -----------------------------------------------------

def extract_folded(text: str, *pointers: str) -> list[tuple[str, str]]:
    fields: list[TextField] = []
    parse_document(text, select([Pointer.parse(p) for p in pointers], fold=True), fields)
    return [(f.path, f.text) for f in fields]


@pytest.mark.parametrize(("doc", "expected"), [
    ('{"Message": "a"}', [("/Message", "a")]),
    ('{"MESSAGE": "a"}', [("/MESSAGE", "a")]),
    ('{"me\\u017f\\u017fage": "long s"}', [("/meſſage", "long s")]),
    ('{"props": {"attachments": [{"T\\u0131tle": "dotless i", "\\u212aey": "kelvin"}]}}',
     [("/props/attachments/0/Tıtle", "dotless i")]),
    ('{"message": "a", "other": "b"}', [("/message", "a")]),
])
def test_folded_keys_match_like_go(doc: str, expected: list[tuple[str, str]]) -> None:
    assert extract_folded(doc, "/message", "/props/attachments/*/title") == expected


@pytest.mark.parametrize("doc", [
    '{"message": "a", "Message": "b"}',
    '{"message": "a", "me\\u017f\\u017fage": "b"}',
    '{"props": {"attachments": [{"title": "a", "TITLE": "b"}]}}',
])
def test_keys_colliding_after_folding_are_refused(doc: str) -> None:
    with pytest.raises(CodecError, match="case-folded"):
        extract_folded(doc, "/message", "/props/attachments/*/title")


def test_without_folding_case_variants_are_other_keys() -> None:
    fields, _ = extract('{"message": "a", "Message": "b"}', "/message")
    assert [f.text for f in fields] == ["a"]


@pytest.mark.parametrize("doc", [
    '{"__proto__": {"text": "inherited"}}',
    '{"meta": {"__proto__": {"text": "polluted"}}, "other": 1}',
    '{"meta": [{"\\u005f_proto__": 1}], "text": "x"}',
    '{"meta": {"__pr\\u006fto__": 1}}',
    '{"text": {"$escape": {"body": "unwrapped by EJSON"}}}',
    '{"content": {"$escape": {"body": "unwrapped by EJSON"}}}',
    '{"content": {"body": {"$binary": "c2VjcmV0"}}}',
    '{"content": {"body": {"$type": "x", "$value": "y"}}}',
])
def test_keys_some_backends_read_specially_are_refused(doc: str) -> None:
    with pytest.raises(CodecError, match="__proto__|EJSON"):
        extract(doc, "/text", "/content/body")


@pytest.mark.parametrize("doc", [
    '{"text\\u0000": "a C-string backend reads this as text"}',
    '{"te\\u0000xt": "cut short at NUL"}',
    '{"meta": {"k\\u0001": 1}, "text": "x"}',  # off the pointers' way too
    '{"meta": [{"a\\nb": 1}]}',
    '{"te\\txt": "x"}',
    '{"text\\u007f": "x"}',
    '{"text\\u0085": "x"}',
    '{"text\u0085": "x"}',  # C1 written as itself
    '{"text\x7f": "x"}',  # DEL written as itself, in an otherwise ASCII text
    '{"text": "x", "\\u001f": 1}',
])
def test_keys_holding_control_characters_are_refused(doc: str) -> None:
    with pytest.raises(CodecError, match="control character"):
        extract(doc, "/text", "/content/body")


@pytest.mark.parametrize("doc", [
    '{"text": "what does \\"__proto__\\": mean"}',
    '{"text": "line one\\nline two\\u0000\\t", "note": "a\\\\nb"}',  # controls in values
    '{"text": "x", "a\\\\nb": 1}',  # an escaped backslash then n: no control
    '{"text": "x", "ts": {"$date": 1700000000000}}',
    '{"text": "x", "content": {"$date": 1700000000000}}',
    '{"text": "\\u003cb\\u003e \\u0026 escaped by Go"}',
])
def test_the_same_words_as_values_or_off_the_path_pass(doc: str) -> None:
    fields, _ = extract(doc, "/text", "/content/body")
    assert len(fields) == 1


def test_an_object_at_an_any_depth_text_pointer_is_descended() -> None:
    fields, _ = extract('{"content": {"body": {"hidden": "card", "n": 4111}}}', "/**/body")
    assert [(f.path, f.text) for f in fields] == [("/content/body/hidden", "card"), ("/content/body/n", "4111")]


@pytest.mark.parametrize("doc", ['{"Text": "x"}', '{"a": {"TEXT": "x"}}', '{"a": {"text": "x", "tExt": "y"}}'])
def test_a_guarded_selection_refuses_a_read_key_in_another_case(doc: str) -> None:
    pointers = [Pointer.parse("/text"), Pointer.parse("/a/text")]
    assert parse_document(doc, select(pointers), []) is not None  # unguarded (answers): read as sent
    with pytest.raises(CodecError, match="another case"):
        parse_document(doc, select(pointers, guard=True), [])
    assert fastjson.fields_of(doc, select(pointers, guard=True)) is None  # orjson's reading defers to the walk


def test_a_guard_leaves_other_keys_and_folding_routes_alone() -> None:
    pointers = [Pointer.parse("/text"), Pointer.parse("/*/body")]
    fields: list[TextField] = []
    parse_document('{"text": "a", "ID": 1, "Id": 2, "x": {"body": "b", "Other": "c"}}', select(pointers, guard=True),
                   fields)
    assert [f.text for f in fields] == ["a", "b"]
    folded: list[TextField] = []
    parse_document('{"Text": "a"}', select(pointers, fold=True, guard=True), folded)
    assert [f.text for f in folded] == ["a"]
