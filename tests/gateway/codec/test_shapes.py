"""Shapes of a stream's JSON documents: a document read through a known shape gives exactly the fields the
codec gives and renders exactly as the walk renders, or is no match (read the usual way); never anything else."""

from __future__ import annotations

import json
import re

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.codec import Codec, CodecError, Extracted, FieldCaps, LimitExceeded, SseFields, TextField
from gateway.codec.jsonpath import parse_document
from gateway.codec.shapes import _KEPT_CHARS, _STRING, Shapes

# A JSON string as RFC 8259 writes it, one character at a time: what `shapes._STRING` must read alike.
GRAMMAR = re.compile(r'"(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"')

POINTERS = [("/choices/*/delta/content",), ("/t",), ("/a/b", "/c/*"), ("/**",), ("/x/@json/y", "/t")]
# Documents around the strings where text is read ({} marks one), with what the walk must also get right:
# escapes and unicode in keys, repeated keys away from the pointers, nesting, numbers, spacing.
TEMPLATES = [
    ('{"choices":[{"index":0,"delta":{"content":{}},"finish_reason":null}]}', 0),
    ('{"id":"c-1","choices":[{"delta":{"content":{}}},{"delta":{"content":{}}}],"n":1.5e3}', 0),
    ('{ "t" : {} , "u\\u00e9" : [true, false, null], "x": 1, "x": 2 }', 1),
    ('{"t":{},"k\\"ey":"v","\\ud83d\\ude00":"smile"}', 1),
    ('{"a":{"b":{},"z":"zz"},"c":[{},{},"x"],"d":{"d":{"d":[]}}}', 2),
    ('[{}, {"q": {}}, [[{}]]]', 3),
    ('{"t":{},"x":"{\\"y\\":\\"inner\\"}"}', 4),
]
STRING = st.text(st.characters(codec="utf-8", blacklist_categories=("Cs",)), max_size=12)
LITERAL = st.one_of(
    st.builds(lambda s, ascii_only: json.dumps(s, ensure_ascii=ascii_only), STRING, st.booleans()),
    st.sampled_from(['"a\\/b"', '"\\u0041\\u00e9"', '"\\ud83d\\ude00"', '"tab\\there"', '""', '"\\\\"', '"q\\"q"']))
HOSTILE = st.sampled_from([
    '"a","content":"b"', '"a"}],"x":[{"t":"b"', '"\\ud800"', '"\\udc00x"', '"raw\x01"', '"bad\\q"', '"\\u12"',
    '"open', 'x"', '1', 'null', '"a" ', '"\ud800"', '"a\\"', '"\\u0022"'])


def codec(pointers: tuple[str, ...], caps: FieldCaps | None = None) -> Codec:
    made = Codec.for_events(SseFields(json=pointers))
    return made.capped(caps) if caps is not None else made


def learnt(made: Codec, document: str) -> Shapes:
    shapes = made.shapes()
    assert shapes is not None
    shapes.learn(document, made.extract_frame(document))
    return shapes


def fill(template: str, literals: list[str]) -> str:
    parts = template.split("{}")
    return "".join(p + (literals[i] if i < len(literals) else "") for i, p in enumerate(parts))


def read(made: Codec, document: str) -> Extracted | CodecError:
    try:
        return made.extract_frame(document)
    except CodecError as exc:
        return exc


def assert_same(hit: Extracted, want: Extracted | CodecError, news: list[str]) -> None:
    assert isinstance(want, Extracted)
    assert hit.fields == want.fields
    for index in range(len(want.fields)):
        assert hit.render({index: news[index % len(news)]}) == want.render({index: news[index % len(news)]})
    every = {index: news[index % len(news)] for index in range(len(want.fields))}
    assert hit.render(every) == want.render(every)


@settings(max_examples=400, deadline=None)
@given(case=st.sampled_from(TEMPLATES), first=st.lists(LITERAL, min_size=6, max_size=6),
       then=st.lists(st.one_of(LITERAL, HOSTILE), min_size=6, max_size=6),
       news=st.lists(st.text(max_size=10), min_size=1, max_size=3))
def test_a_known_shape_reads_and_renders_as_the_codec_and_the_walk(
        case: tuple[str, int], first: list[str], then: list[str], news: list[str]) -> None:
    template, pointers = case
    made = codec(POINTERS[pointers])
    document = fill(template, first)
    if isinstance(read(made, document), CodecError):
        return
    shapes = learnt(made, document)
    other = fill(template, then)
    want = read(made, other)
    hit = shapes.extract(other)
    if hit is not None:
        assert_same(hit, want, news)


@settings(max_examples=300, deadline=None)
@given(first=st.lists(LITERAL, min_size=2, max_size=2), then=st.lists(LITERAL, min_size=2, max_size=2),
       news=st.lists(st.text(max_size=10), min_size=1, max_size=3))
def test_documents_of_a_known_shape_are_matched(first: list[str], then: list[str], news: list[str]) -> None:
    """Plain JSON strings (any escapes, unicode, surrogate pairs) where the text is: matched every time."""
    template = TEMPLATES[1][0]
    made = codec(POINTERS[0])
    shapes = learnt(made, fill(template, first))
    other = fill(template, then)
    hit = shapes.extract(other)
    assert hit is not None
    assert_same(hit, read(made, other), news)


def documents() -> st.SearchStrategy[object]:
    keys = st.sampled_from(["t", "a", "b", "c", "choices", "delta", "content", "x", "é", "k/1", "~"])
    leaves = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), STRING)
    return st.recursive(leaves, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                        st.dictionaries(keys, inner, max_size=3)), max_leaves=12)


@settings(max_examples=400, deadline=None)
@given(value=documents(), pointers=st.sampled_from(POINTERS[:4]), spacing=st.booleans(), ascii_only=st.booleans(),
       strings=st.lists(st.one_of(LITERAL, HOSTILE), min_size=1, max_size=4),
       news=st.lists(st.text(max_size=10), min_size=1, max_size=3))
def test_random_documents_with_their_strings_replaced(value: object, pointers: tuple[str, ...], spacing: bool,
                                                      ascii_only: bool, strings: list[str], news: list[str]) -> None:
    made = codec(pointers)
    document = json.dumps(value, ensure_ascii=ascii_only, separators=(", ", ": ") if spacing else (",", ":"))
    if isinstance(read(made, document), CodecError):
        return
    shapes = learnt(made, document)
    walked: list[TextField] = []
    doc = parse_document(document, made._selection, walked)  # noqa: SLF001  # where the walk found the strings
    spans = sorted((start, end) for start, (end, _) in doc.leaves.items())
    other, last = "", 0
    for number, (start, end) in enumerate(spans):
        other += document[last:start] + strings[number % len(strings)]
        last = end
    other += document[last:]
    hit = shapes.extract(other)
    if hit is not None:
        assert_same(hit, read(made, other), news)


@pytest.mark.parametrize("literal", ['"a","content":"b"', '"a"}}]}{"x":"', '"\\ud800"', '"\\udc00"', '"raw\x01"',
                                     '"bad\\q"', '"\\u12g4"', '"\ud800"', '"a" ', " \"a\""])
def test_what_is_not_a_plain_json_string_is_no_match(literal: str) -> None:
    template = TEMPLATES[0][0]
    made = codec(POINTERS[0])
    shapes = learnt(made, fill(template, ['"hello"']))
    assert shapes.extract(fill(template, [literal])) is None


_PIECES = st.sampled_from(['"', "\\", "u", "0", "d", "8", "c", "a", "n", "t", "/", "x", " ", "\x00", "\x1f", "\x7f",
                           "\u2028", "\u00e9", "\U0001f600", "}", ",", ":"])


@settings(max_examples=600, deadline=None)
@given(pieces=st.lists(_PIECES, max_size=10), quoted=st.booleans())
def test_a_single_field_is_matched_exactly_when_it_is_one_json_string(pieces: list[str], quoted: bool) -> None:
    """One field's shape: what stands between the segments is read when, and only when, it is one JSON string
    by the grammar (RFC 8259, `GRAMMAR`) holding no lone surrogate escape."""
    literal = ('"' + "".join(pieces) + '"') if quoted else "".join(pieces)
    made = codec(POINTERS[1])
    shapes = learnt(made, '{"t":"hello"}')
    hit = shapes.extract('{"t":' + literal + "}")
    lone = False
    if GRAMMAR.fullmatch(literal) is not None:
        try:
            orjson.loads(literal)
        except orjson.JSONDecodeError:
            lone = True  # a lone surrogate escape: the codec refuses it, so no match
    if GRAMMAR.fullmatch(literal) is None or lone:
        assert hit is None
    else:
        assert hit is not None and [f.text for f in hit.fields] == [json.loads(literal)]


@settings(max_examples=600, deadline=None)
@given(pieces=st.lists(_PIECES, max_size=14), at=st.integers(0, 3))
def test_the_string_scan_reads_as_the_grammar(pieces: list[str], at: int) -> None:
    """Where a field string of a shape of several fields ends: the same as the grammar read character by
    character, wherever the scan starts."""
    text = '"' + "".join(pieces)
    mine, grammar = _STRING.match(text, at), GRAMMAR.match(text, at)
    assert (mine and mine.end()) == (grammar and grammar.end())


def test_the_string_scan_gives_up_at_once_on_an_unclosed_string() -> None:
    text = '"' + "a\\n" * 50_000  # no closing quote: the scan ends, it does not try every split of the runs
    assert _STRING.match(text) is None and _STRING.fullmatch(text + '"') is not None


def test_a_field_past_max_chars_is_refused_as_the_codec_refuses_it() -> None:
    made = codec(POINTERS[0], FieldCaps(max_fields=8, max_chars=5))
    template = TEMPLATES[0][0]
    shapes = learnt(made, fill(template, ['"short"']))
    with pytest.raises(LimitExceeded):
        made.extract_frame(fill(template, ['"longer"']))
    with pytest.raises(LimitExceeded):
        shapes.extract(fill(template, ['"longer"']))


def test_no_shape_from_numbers_strings_read_as_json_or_other_codecs() -> None:
    made = codec(POINTERS[1])
    shapes = learnt(made, '{"t": 12}')  # a number where text is read
    assert shapes.extract('{"t": 13}') is None
    nested = codec(POINTERS[4])
    shapes = learnt(nested, '{"t":"a","x":"{\\"y\\":\\"b\\"}"}')
    assert shapes.extract('{"t":"a","x":"{\\"y\\":\\"c\\"}"}') is None
    assert Codec.for_events(SseFields(text=True)).shapes() is None


def test_learning_stops_while_shapes_are_not_reused() -> None:
    made = codec(POINTERS[1])
    shapes = made.shapes()
    assert shapes is not None
    for number in range(40):
        document = f'{{"t":"x","n{number}":1}}'
        shapes.learn(document, made.extract_frame(document))
    assert shapes.extract('{"t":"y","n39":1}') is None  # only the first few shapes were learnt
    assert shapes.extract('{"t":"y","n0":1}') is None  # and only the last few are kept
    assert shapes.extract('{"t":"y","n7":1}') is not None


def test_a_shape_keeps_a_bounded_text_around_its_fields() -> None:
    """A client sending large documents pins at most `_KEPT` x `_KEPT_CHARS` characters per stream or socket."""
    made = codec(POINTERS[1])
    around = _KEPT_CHARS - len('{"t":,"pad":""}')  # what is kept: all but the field's string
    fits, over = (f'{{"t":"x","pad":"{"p" * size}"}}' for size in (around, around + 1))
    assert learnt(made, fits).extract(fits.replace('"x"', '"y"')) is not None
    assert learnt(made, over).extract(over.replace('"x"', '"y"')) is None
    long_field = f'{{"t":"{"x" * 10 * _KEPT_CHARS}","pad":""}}'  # a long text where text is read is not kept
    assert learnt(made, long_field).extract('{"t":"short","pad":""}') is not None
