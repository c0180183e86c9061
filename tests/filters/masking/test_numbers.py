"""Digit runs: the runs of 12 digits or more are the runs of 9 or more that hold 12, so a scan reads them once
for the card and the SSN detectors, each charged as if it had read them alone."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from filters._patterns import each_spans
from filters.masking._numbers import _RUNS, Run, runs, shared
from filters.masking._quota import Overflow, Quota, current

_PARTS = st.sampled_from(["1", "12", "123", "4111", "0", " ", "  ", "   ", "    ", "-", "--", ".", "/", "\n", "\u2013",
                          "a", "x9", "卡", "é", "+"])
_TEXT = st.lists(_PARTS, max_size=60).map("".join)


@settings(max_examples=400, deadline=None)
@given(text=_TEXT)
def test_the_runs_of_twelve_are_the_runs_of_nine_that_hold_twelve(text: str) -> None:
    nine = [spans[0] for spans in each_spans(_RUNS[9], text)]
    twelve = [spans[0] for spans in each_spans(_RUNS[12], text)]
    assert twelve == [(a, b) for a, b in nine if sum(c.isdigit() for c in text[a:b]) >= 12]


def _walk(text: str, at_least: int, left: int) -> tuple[list[Run], int | str]:
    """The runs one detector takes under a quota of `left`, and what it left (or where it ran out)."""
    quota = Quota(left)
    token = current.set(quota)
    taken: list[Run] = []
    try:
        for run in runs(text, at_least):
            taken.append(run)
    except Overflow as over:
        return taken, f"out at {over.at}"
    finally:
        current.reset(token)
    return taken, quota.left


@settings(max_examples=400, deadline=None)
@given(text=_TEXT, left=st.integers(0, 6))
def test_runs_read_once_per_scan_are_the_runs_each_detector_reads_alone(text: str, left: int) -> None:
    """Cards (12) then SSNs (9), as the engine runs them: the same runs, charges and quota run-outs with the
    runs shared within a scan as with each detector reading them alone."""
    alone = [_walk(text, 12, left), _walk(text, 9, left)]
    token = shared.set({})
    try:
        assert [_walk(text, 12, left), _walk(text, 9, left)] == alone
        assert [_walk(text, 9, left), _walk(text, 12, left)] == alone[::-1]  # read first by the other one
    finally:
        shared.reset(token)
