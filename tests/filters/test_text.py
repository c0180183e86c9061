"""Folding: a per-distinct-character rewrite that gives what folding each character in turn gives."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from filters._text import CharMap, _fold_char, fold

# ASCII, accents, full-width forms, other scripts' digits, invisible and widening characters (ligatures,
# the "㎏" square), tag characters, mathematical letters and lone surrogates.
_CHARS = st.one_of(st.characters(max_codepoint=0x7F), st.sampled_from(
    "ÄéßİĲ４Ａａ١٢۳१２\u200b\u200d\u00ad\ufeff\u2060ﬁﬃ㎏½ⅷ\u3000\u2003𝐀𝟘\U000e0041\U000e007f\ud800Ωω"), st.characters())


def one_by_one(text: str, casefold: bool) -> tuple[str, tuple[int, ...] | None]:
    """Folding read character by character: what `fold` must equal."""
    pieces: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = char if char.isascii() and not (casefold and char.isupper()) else _fold_char(char, casefold)
        pieces.append(folded)
        origin.extend([index] * len(folded))
    rewritten = "".join(pieces)
    return rewritten, (None if rewritten == text else tuple(origin))


@given(st.text(_CHARS, max_size=40), st.booleans())
def test_folding_equals_folding_each_character_in_turn(text: str, casefold: bool) -> None:
    folded = fold(text, casefold=casefold)
    expected, origin = one_by_one(text, casefold)
    assert folded.original == text and folded.text == expected
    if text.isascii():
        assert folded.origin is None
    else:
        assert folded.origin == origin


@given(st.text(_CHARS, max_size=40), st.booleans())
def test_one_index_back_is_the_maps(text: str, casefold: bool) -> None:
    """`Folded.index` (one index, no map built) gives what the whole map gives, at every position."""
    folded = fold(text, casefold=casefold)
    indexes = [folded.index(at) for at in range(len(folded.text))]
    origin = folded.origin
    assert indexes == (list(range(len(folded.text))) if origin is None else list(origin))


def test_spans_map_back_over_dropped_and_widened_characters() -> None:
    folded = fold("a\u200bﬁ４x")
    assert folded.text == "afi4x"
    assert folded.span(1, 3) == (2, 3) and folded.span(3, 4) == (3, 4) and folded.span(0, 5) == (0, 5)


@given(st.text(st.sampled_from("ab'\u2018\u2019\u201cаеоxyz \u00e9\U0001f600"), max_size=30))
def test_a_char_map_rewrites_as_translate_does(text: str) -> None:
    table = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "а": "a", "е": "e", "о": "o"}
    assert CharMap(table)(text) == text.translate(str.maketrans(table))


def test_a_char_map_whose_replacements_would_chain_is_refused() -> None:
    with pytest.raises(ValueError, match="mapped"):
        CharMap({"a": "b", "b": "c"})


def test_a_rewritten_text_keeps_the_map_back() -> None:
    folded = fold("x\u200b\u2018y")
    quoted = folded.with_text(folded.text.replace("\u2018", "'"))
    assert quoted.text == "x'y" and quoted.span(1, 3) == (2, 4) and folded.span(1, 3) == (2, 4)


def test_a_chat_message_with_a_few_other_characters_folds_as_each_character_does() -> None:
    """Mostly ASCII with capitals, an accent, a typographic apostrophe, an emoji and a full-width digit."""
    for casefold in (False, True):
        text = "Hi Team, the Customer’s refund: café ÀÉ straße İstanbul 👍 ticket ４711, THANKS!"
        folded = fold(text, casefold=casefold)
        rewritten, origin = one_by_one(text, casefold)
        assert folded.text == rewritten
        assert folded.origin == origin


def test_the_turkish_dotted_capital_i_folds_to_a_plain_i() -> None:
    """`casefold` alone gives "i" and a combining dot, which no word list spells: "İGNORE" and "İstanbul" would
    never meet "ignore" and "istanbul"; the plain "i" also keeps the map back one for one."""
    folded = fold("İGNORE İstanbul", casefold=True)
    assert folded.text == "ignore istanbul"
    assert folded.span(0, 6) == (0, 6)
    assert fold("İ").text == "İ"
