"""The direct RE2 walks (`found`, `each_spans`) agree with the wrapper's `search` and `finditer`."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from filters._patterns import (
    byte_cased,
    byte_pattern,
    each_spans,
    encodable,
    found,
    spans,
    text_pattern,
    whole,
)

PATTERNS = [text_pattern(source) for source in (
    r"\d+", r"(a)|(b)", r"x*", r"(é+)(\d)?", r"\b\w+@\w+\.\w+", r"(?i:ab)(c)?", r"\b",
)]
_TEXT = st.text(alphabet=st.sampled_from("ab xé1@.卡\U0001f600\ud800Cc"), max_size=40)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_each_spans_is_finditer_and_found_is_search(text: str) -> None:
    view = encodable(text)
    for pattern in PATTERNS:
        assert [list(s) for s in each_spans(pattern, view)] == [spans(m) for m in pattern.finditer(view)]
        assert found(pattern, view) is (pattern.search(view) is not None)


@pytest.mark.parametrize(("raw", "hit"), [(b"abc 1", True), (b"abc", False), (b"\xff9", True)])
def test_found_on_bytes(raw: bytes, hit: bool) -> None:
    assert found(byte_pattern(r"\d"), raw) is hit


@settings(max_examples=200, deadline=None)
@given(_TEXT)
def test_whole_is_fullmatch(text: str) -> None:
    view = encodable(text)
    for pattern in PATTERNS:
        assert whole(pattern, view) is (pattern.fullmatch(view) is not None)


# Heads and counted tails, as token formats are written; the screen is the heads alone.
_HEADS = (r"ab_", r"k-", r"\d{2}:x", r"é[a-c]")
_TOKENS = text_pattern("|".join(f"({head}[a-c1é]{{3,5}})" for head in _HEADS))
_SCREEN = text_pattern("|".join(f"(?:{head})" for head in _HEADS))
_TOKEN_TEXT = st.lists(st.sampled_from(["ab_", "k-", "12:x", "é", "a", "b", "c", "1", " ", "卡", "\U0001f600", "_"]),
                       max_size=30).map("".join)


@settings(max_examples=400, deadline=None)
@given(_TOKEN_TEXT)
def test_each_spans_through_a_screen_is_the_plain_walk(text: str) -> None:
    assert [list(s) for s in each_spans(_TOKENS, text, _SCREEN)] == [spans(m) for m in _TOKENS.finditer(text)]


@pytest.mark.parametrize("text", ["my ключ is", "My Ключ is", "MY КЛЮЧ IS"])
def test_a_word_of_other_letters_is_found_in_each_usual_case_through_its_listed_spellings(text: str) -> None:
    gate = byte_pattern("(?i:" + "|".join(byte_cased("ключ")) + ")")
    assert found(gate, text.encode())
    assert not found(byte_pattern("(?i:ключ)"), text.encode()) or text == "my ключ is"  # why they are listed


def test_an_ascii_word_is_listed_once_the_gate_folds_its_case() -> None:
    assert byte_cased("token") == ["token"]
