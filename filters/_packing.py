"""A verdict across a pipe: plain values and arrays out of a worker process, findings built back in slices.

A verdict of tens of thousands of findings (a megabyte of `token: x` assignments masks some 15,000
secrets) would cost the event loop a pickle walk of as many objects. Packed, its findings are columns:
each type an index into a small table, spans and scores in arrays. Findings all of one class (the usual
case) name it once and carry the values of that class's own fields (`MaskFinding` names its detector)
as columns too, so they are built back by one `map` over the columns; findings of several classes also
give each one's class and its own fields' values one tuple each. They are built a slice at a time, the
event loop getting a turn between slices (`Turns`, shared by all the verdicts of one answer).
"""

from __future__ import annotations

import asyncio
import dataclasses
from array import array
from operator import attrgetter
from typing import Any

from filters._api import Action, Finding, Verdict

__all__ = ["FINDINGS_PER_SLICE", "Packed", "Turns", "pack", "unpack"]

FINDINGS_PER_SLICE = 512  # findings built between turns of the event loop when verdicts come back

# A verdict's fields, then its findings: type table, classes, type indexes, class indexes (several
# classes only), starts, ends, scores, and the values of the classes' own fields (`extras`).
type Packed = tuple[str, str | None, str, Any, str, tuple[str, ...], tuple[type[Finding], ...], array[int],
                    array[int], array[int], array[int], array[float], list[Any]]
_BASE = len(dataclasses.fields(Finding))


def pack(verdict: Verdict) -> Packed:
    """`verdict` (contract already checked) as plain values and arrays."""
    findings = verdict.findings
    types: dict[str, int] = {}
    kinds = array("I", [types.setdefault(f.type, len(types)) for f in findings])
    kinds_of = {type(f) for f in findings}
    extras: list[Any]
    if len(kinds_of) <= 1:
        cls = kinds_of.pop() if kinds_of else Finding
        classes: tuple[type[Finding], ...] = (cls,)
        class_of = array("I")
        extras = [list(map(attrgetter(f.name), findings)) for f in dataclasses.fields(cls)[_BASE:]]
    else:
        index: dict[type[Finding], int] = {Finding: 0}
        extras = []
        for finding in findings:
            cls = type(finding)
            if cls is not Finding:
                index.setdefault(cls, len(index))
                extras.append(tuple(getattr(finding, f.name) for f in dataclasses.fields(finding)[_BASE:]))
        classes = tuple(index)
        class_of = array("I", [index[type(f)] for f in findings])
    return (verdict.action.value, verdict.text, verdict.reason, verdict.hints, verdict.filter, tuple(types),
            classes, kinds, class_of, array("q", map(attrgetter("start"), findings)),
            array("q", map(attrgetter("end"), findings)), array("d", map(attrgetter("score"), findings)), extras)


class Turns:
    """Gives the event loop a turn after every FINDINGS_PER_SLICE findings built, over any number of verdicts."""

    __slots__ = ("built",)

    def __init__(self) -> None:
        self.built = 0

    async def after(self, count: int) -> None:
        self.built += count
        if self.built >= FINDINGS_PER_SLICE:
            self.built = 0
            await asyncio.sleep(0)


async def unpack(packed: Packed, turns: Turns | None = None) -> Verdict:
    """The verdict `pack` packed; many findings are built a slice at a time, the event loop running between."""
    action, text, reason, hints, name, types, classes, kinds, class_of, starts, ends, scores, extras = packed
    turns = turns if turns is not None else Turns()
    findings: list[Finding] = []
    more = iter(extras)
    for first in range(0, len(kinds), FINDINGS_PER_SLICE):
        last = first + FINDINGS_PER_SLICE
        slices = ([types[k] for k in kinds[first:last]], starts[first:last], ends[first:last], scores[first:last])
        if not class_of:
            findings += map(classes[0], *slices, *(column[first:last] for column in extras))
        else:
            for index, kind, start, end, score in zip(class_of[first:last], *slices, strict=True):
                cls = classes[index]
                findings.append(Finding(kind, start, end, score) if cls is Finding else cls(kind, start, end, score,
                                                                                              *next(more)))
        await turns.after(len(slices[1]))
    return Verdict(Action(action), text, reason, tuple(findings), hints, name)
