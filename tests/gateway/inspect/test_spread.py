"""Shares of a batch's filtered text among the pieces held for it: joined they are always exactly the
text the chain let out; a piece keeps its own text wherever the chain changed nothing there."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.inspect.spread import spread

BOUND = 1 << 20
TEXTS = st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=12)


@settings(max_examples=400, deadline=None)
@given(texts=TEXTS, carry=st.none() | st.text(max_size=8), out=st.text(max_size=80))
def test_shares_join_to_exactly_the_text_let_out(texts: list[str], carry: str | None, out: str) -> None:
    shares, _, _ = spread(texts, carry, out, BOUND)
    assert len(shares) == len(texts)
    assert "".join(shares) == out


@settings(max_examples=400, deadline=None)
@given(texts=TEXTS, carry=st.text(max_size=8), data=st.data())
def test_unchanged_text_goes_out_in_the_pieces_it_came_in(texts: list[str], carry: str, data: st.DataObject) -> None:
    """The chain let out a start of what it read (the rest kept back): each piece up to there has its own
    text (the first after what was kept back before), the one it stopped in a start of it, the rest none."""
    whole = carry + "".join(texts)
    cut = data.draw(st.integers(0, len(whole)))
    shares, kept, same = spread(texts, carry, whole[:cut], BOUND)
    assert same and kept == whole[cut:]
    edge = len(carry)
    for number, (text, share) in enumerate(zip(texts, shares, strict=True)):
        start = 0 if number == 0 else edge
        edge += len(text)
        own = carry + text if number == 0 else text
        if edge <= cut:
            assert share == own
        else:
            assert share == whole[start:max(start, cut)]


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(st.text(alphabet="abcdefghij", min_size=2, max_size=10), min_size=2, max_size=10,
                      unique=True), data=st.data())
def test_after_a_change_the_following_pieces_keep_their_own_text(texts: list[str], data: st.DataObject) -> None:
    changed = data.draw(st.integers(0, len(texts) - 1))
    masked = "[" + "X" * data.draw(st.integers(0, 5)) + "]"
    out = "".join(texts[:changed]) + masked + "".join(texts[changed + 1:])
    shares, kept, same = spread(texts, "", out, BOUND)
    assert not same and kept == ""
    assert shares[:changed] == texts[:changed]
    assert shares[changed] == masked
    assert shares[changed + 1:] == texts[changed + 1:]


def test_where_the_stream_stands_is_found_again_after_a_change() -> None:
    # the carry is unknown (a filter changed text before): the output ends with this batch's own text
    shares, kept, same = spread(["one ", "two ", "thr"], None, "[MASKED] one two ", BOUND)
    assert shares == ["[MASKED] one ", "two ", ""] and kept == "thr" and not same
    # found again: the next batch, unchanged, goes out piece by piece
    shares, kept, same = spread(["ee ", "four "], kept, "three four ", BOUND)
    assert shares == ["three ", "four "] and kept == "" and same


def test_output_it_cannot_place_goes_in_the_changed_piece() -> None:
    shares, kept, same = spread(["alpha ", "beta ", "gamma "], "", "alpha [REDACTED]", BOUND)
    assert shares == ["alpha ", "[REDACTED]", ""] and kept == "gamma " and not same
    shares, kept, _ = spread(["a", "b"], None, "zzz", BOUND)
    assert shares == ["zzz", ""] and kept == "ab"  # where the chain stands is a guess now: safe either way


def test_text_a_filter_added_goes_in_the_last_piece() -> None:
    shares, kept, same = spread(["a ", "b "], "", "a b !", BOUND)
    assert shares == ["a ", "b !"] and kept is None and not same


def test_a_carry_past_the_bound_is_forgotten() -> None:
    assert spread(["x" * 100], "", "", 64)[1] is None
    assert spread(["x" * 10], "", "", 64)[1] == "x" * 10


@pytest.mark.parametrize("unit", ["a", "ab", "abc ", "1 "])
def test_periodic_text_is_spread_in_linear_work(unit: str) -> None:
    """Text that repeats itself gives the output-search many places to look: it looks at a few and stops
    (a search at every place would take hours on a megabyte; no timing is asserted, only the answer)."""
    piece = unit * 256
    texts = [piece] * 1024
    out = "[X]" + "".join(texts[1:])[: -len(unit)]
    shares, _, _ = spread(texts, None, out, BOUND)
    assert "".join(shares) == out
