"""HTTP bodies read through one client connection's shapes (`ConnectionShapes`, `Codec.extract_http`): the same
fields, the same bytes rendered and the same refusals as without them, whatever the body, its charset or the
order bodies come in; and a connection that sends one body learns nothing."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.codec import Codec, CodecError, Extracted, FieldCaps, FieldSelector
from gateway.codec.shapes import ConnectionShapes, Shapes
from tests.gateway.codec.test_shapes import HOSTILE, LITERAL, TEMPLATES, documents, fill

POINTERS = [("/choices/*/delta/content",), ("/t",), ("/a/b", "/c/*"), ("/**",), ("/x/@json/y", "/t")]
CONTENT_TYPES = ["application/json", "application/json; charset=us-ascii", "application/vnd.chat+json; charset=utf-8"]
CAPS = FieldCaps(max_fields=3, max_chars=8)


def codec(pointers: tuple[str, ...], caps: FieldCaps | None = None) -> Codec:
    made = Codec.for_selector(FieldSelector(json=pointers, form=("t",), text=True))
    assert made is not None
    return made.capped(caps) if caps is not None else made


def read(made: Codec, body: bytes, content_type: str, shapes: Shapes | None = None) -> Extracted | CodecError:
    try:
        return made.extract_http(body, content_type, shapes)
    except CodecError as exc:
        return exc


def assert_same(got: Extracted | CodecError, want: Extracted | CodecError, news: list[str]) -> None:
    if isinstance(want, CodecError):
        assert type(got) is type(want) and str(got) == str(want)
        return
    assert isinstance(got, Extracted)
    assert got.fields == want.fields
    assert got.render({}) is want.render({})  # nothing changed: the body itself
    for changes in [{i: news[i % len(news)]} for i in range(len(want.fields))] + \
            [{i: news[i % len(news)] for i in range(len(want.fields))}]:
        rendered: list[bytes | str | CodecError] = []
        for extracted in (got, want):
            try:
                rendered.append(extracted.render(changes))
            except CodecError as exc:  # a new text the declared charset cannot carry: refused either way
                rendered.append(str(exc))  # type: ignore[arg-type]
        assert rendered[0] == rendered[1]


def _through(made: Codec, bodies: list[bytes], content_type: str, news: list[str]) -> None:
    """Every body read on one connection (shapes learnt as they come) as without shapes."""
    shapes = ConnectionShapes()
    for body in bodies:
        assert_same(read(made, body, content_type, shapes.of(made)), read(made, body, content_type), news)


@settings(max_examples=300, deadline=None)
@given(case=st.sampled_from(TEMPLATES), fills=st.lists(st.lists(st.one_of(LITERAL, HOSTILE), min_size=6, max_size=6),
                                                       min_size=2, max_size=5),
       content_type=st.sampled_from(CONTENT_TYPES), capped=st.booleans(),
       news=st.lists(st.text(max_size=10), min_size=1, max_size=3))
def test_bodies_of_one_shape_read_as_without_shapes(case: tuple[str, int], fills: list[list[str]], content_type: str,
                                                   capped: bool, news: list[str]) -> None:
    template, pointers = case
    made = codec(POINTERS[pointers], CAPS if capped else None)
    # a raw lone surrogate goes out as the bytes a careless encoder writes (not UTF-8: refused)
    _through(made, [fill(template, literals).encode("utf-8", "surrogatepass") for literals in fills], content_type, news)


@settings(max_examples=300, deadline=None)
@given(values=st.lists(documents(), min_size=1, max_size=3), pointers=st.sampled_from(POINTERS[:4]),
       repeats=st.integers(1, 3), ascii_only=st.booleans(), content_type=st.sampled_from(CONTENT_TYPES),
       news=st.lists(st.text(max_size=10), min_size=1, max_size=3))
def test_random_bodies_on_one_connection_read_as_without_shapes(values: list[object], pointers: tuple[str, ...],
                                                               repeats: int, ascii_only: bool, content_type: str,
                                                               news: list[str]) -> None:
    made = codec(pointers)
    bodies = [json.dumps(value, ensure_ascii=ascii_only).encode() for value in values for _ in range(repeats)]
    _through(made, bodies, content_type, news)


@pytest.mark.parametrize("then", [
    b'{"t": "plain"}',
    b'{"t": "caf\xc3\xa9"}',                 # UTF-8: refused on a us-ascii body, read on a utf-8 one
    b'{"t": "\xff"}',                       # not UTF-8 at all
    b'{"t": "\\ud800"}',                    # a lone surrogate escape
    b'{"t": "a", "t": "b"}',                # another shape: a repeated key
    b'{"t": "123456789"}',                  # past max_chars
    b'{"t": "tab\tin it"}',                 # a raw control character
    b'{"t": 5}',
    b'{"t": "a"} ',
    b'',
])
@pytest.mark.parametrize("content_type", CONTENT_TYPES)
def test_hostile_bodies_after_a_shape_was_learnt(then: bytes, content_type: str) -> None:
    made = codec(("/t",), CAPS)
    _through(made, [b'{"t": "first"}', b'{"t": "again"}', then, then], content_type, ["x", "\u00e9"])


def test_a_connection_that_sends_one_body_learns_nothing() -> None:
    made = codec(("/t",))
    shapes = ConnectionShapes()
    assert shapes.of(made) is None  # the first body: read without shapes
    kept = shapes.of(made)
    assert isinstance(kept, Shapes) and shapes.of(made) is kept  # from the second on: kept
    assert ConnectionShapes().of(codec(("/t",))) is None


def test_codecs_without_json_keep_no_shapes_and_the_codecs_kept_are_bounded() -> None:
    form = Codec.for_selector(FieldSelector(form=("t",)))
    assert form is not None and form.http_shapes() is None
    shapes = ConnectionShapes()
    made = [codec(("/t",)) for _ in range(20)]
    for each in made:
        shapes.of(each)
        shapes.of(each)
    assert len(shapes._by_codec) <= 8  # noqa: SLF001  # a connection cycling through routes keeps a few
