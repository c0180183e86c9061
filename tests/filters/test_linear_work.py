"""Every detector does work linear in its input on the worst shapes we know.

No timing: the Python lines a detector executes are counted (a line tracer) at one size
and at four times that size. Linear code runs about four times the lines; a quadratic
loop runs sixteen times as many. RE2 does the matching in linear time by construction,
so the lines around it are where super-linear work would show. Speed itself is measured
by `benchmarks/detectors/bench.py`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

import pytest

from benchmarks.detectors.shapes import ALL, text
from benchmarks.detectors.targets import targets

SMALL, LARGE = 2048, 8192
# Lines of Python below which the small text's work is not a base to grow from: a random shape may hold no value
# at all in 2 KiB and a few in 8 KiB (28 dotted candidates in random digits: 14 lines, then 816), a step no
# quadratic would explain; a quadratic reading still shows as tens of thousands of lines at 8 KiB.
FLOOR = 500
TARGETS = targets()


def lines_run(target: Callable[[str], object], message: str) -> int:
    count = 0

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        if event == "line":
            count += 1
        return tracer

    sys.settrace(tracer)
    try:
        target(message)
    finally:
        sys.settrace(None)
    return count


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_work_grows_linearly_on_every_worst_shape(name: str) -> None:
    target = TARGETS[name]
    worst = {}
    for shape in ALL:
        small = lines_run(target, text(shape, SMALL))
        large = lines_run(target, text(shape, LARGE))
        worst[shape] = large / max(small, FLOOR)
    shape = max(worst, key=lambda s: worst[s])
    assert worst[shape] <= 6.0, f"{name} on {shape}: {worst[shape]:.1f}x the work for 4x the text"
