"""Numbers split over sibling fields, read joined: which members join, in what windows, and which changes of the
joined reading may go out."""

from __future__ import annotations

import pytest

from gateway.codec import CodecError, TextField, fastjson
from gateway.codec.jsonpath import Pointer, parse_document, select
from gateway.codec.siblings import check_siblings, number_only, sibling_runs


@pytest.mark.parametrize("text", ["4111", "1111 1111 1111", "+49 (30) 901820", "078-05-1120", "4111.1111.1111", "7"])
def test_numbers_and_their_parts_are_number_only(text: str) -> None:
    assert number_only(text)


@pytest.mark.parametrize("text", ["", "visa", "4111 card", "DE89", "1" * 33, "abc 123", "19.99", "52.5200"])  # decimals: quantities
def test_words_and_long_texts_are_not(text: str) -> None:
    assert not number_only(text)


def test_runs_of_consecutive_numbers_join_and_a_word_breaks_them() -> None:
    runs = sibling_runs([(0, "4111"), (1, "1111 1111"), (2, "Jo"), (3, "12"), (4, "ok"), (5, "3"), (6, "4")])
    assert runs == [("4111 1111 1111", ((0, 0, 4), (1, 5, 14))), ("3 4", ((5, 0, 1), (6, 2, 3)))]


def test_a_long_run_is_read_in_windows_that_hold_any_four_consecutive_parts() -> None:
    members = [(i, str(1000 + i)) for i in range(11)]
    windows = [tuple(index for index, _, _ in parts) for _, parts in sibling_runs(members)]
    assert windows == [(0, 1, 2, 3, 4, 5), (3, 4, 5, 6, 7, 8), (6, 7, 8, 9, 10)]
    for first in range(len(members) - 3):
        assert any(set(range(first, first + 4)) <= set(window) for window in windows)


RUN = ("4111 1111 1111 1111", ((0, 0, 4), (1, 5, 19)))


@pytest.mark.parametrize(("after", "changes"), [
    ("4111 1111 1111 1111", {}),                    # unchanged
    ("[CARD]", {0: "[CARD]", 1: "[CARD]"}),          # every part it touches changed in its own field
    ("4111 [X]", {1: "[X]"}),                        # the change touches one part, which changed
])
def test_a_change_the_parts_make_goes_out(after: str, changes: dict[int, str]) -> None:
    check_siblings(RUN, after, {**changes, 2: after})


@pytest.mark.parametrize(("after", "changes"), [
    ("[CARD]", {}),                                  # only the joined reading changed
    ("[CARD]", {1: "[X]"}),                          # one part it touches did not change
    ("4111_1111 1111 1111", {0: "x", 1: "y"}),       # the space between the parts, which no field holds
])
def test_a_change_only_the_joined_reading_makes_is_refused(after: str, changes: dict[int, str]) -> None:
    with pytest.raises(CodecError):
        check_siblings(RUN, after, {**changes, 2: after})


DOC = '{"t": "pay", "c": {"prefix": "4111", "number": "1111 1111 1111", "note": "x", "a": 1, "b": "2"}}'


def test_the_walk_and_the_parsed_reading_agree_and_a_joined_change_is_refused() -> None:
    selection = select([Pointer.parse(p) for p in ("/t", "/c/*")])
    fields: list[TextField] = []
    doc = parse_document(DOC, selection, fields)
    assert [(f.path, f.text) for f in fields][-2:] == [("/c", "4111 1111 1111 1111"), ("/c", "1 2")]  # "x" parts them
    card = len(fields) - 2
    assert list(doc.siblings) == [card, card + 1]
    strings_only = DOC.replace('"a": 1', '"a": "1"')
    parsed = fastjson.fields_of(strings_only, selection)
    walked: list[TextField] = []
    parse_document(strings_only, selection, walked)
    assert parsed == walked  # the orjson reading finds the same joined fields where the walk does
    with pytest.raises(CodecError):
        doc.render({card: "[CARD]"})
    masked = doc.render({1: "[CARD]", 2: "[CARD]", card: "[CARD]"})
    assert masked is not None and '"prefix": "[CARD]"' in masked and '"number": "[CARD]"' in masked
