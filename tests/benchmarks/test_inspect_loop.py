"""The in-process inspection loop runs the relay's path both ways; nothing here judges its speed."""

from __future__ import annotations

import pytest

from benchmarks.inspect_loop import measure


@pytest.mark.parametrize("noop", [False, True])
async def test_the_loop_relays_the_frame_both_ways_and_reports_its_figures(noop: bool) -> None:
    figures = await measure(count=3, rounds=1, size=300, noop=noop, profile=False)
    assert set(figures) == {"round trip", "filters alone", "gateway"}
    assert figures["round trip"] > 0 and figures["filters alone"] > 0
