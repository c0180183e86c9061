"""What a detector reports, and the finding that leaves the filter.

A `Detection` carries the detected value because placeholders need it (last digits,
keyed hash, vault); a `MaskFinding` is what goes into the verdict and never does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from filters import Finding


@dataclass(frozen=True, slots=True)
class Detection:
    """One sensitive value: `type` is the placeholder family, `detector` the rule that fired."""

    type: str
    start: int
    end: int
    detector: str
    score: float
    value: str = dataclasses.field(repr=False, default="")

    def overlaps(self, others: Iterable[Detection]) -> bool:
        """Whether any of `others` shares a character with this one (a value one reading reported already)."""
        return any(other.start < self.end and self.start < other.end for other in others)

    def moved(self, start: int, end: int) -> Detection:
        # Built directly: `dataclasses.replace` reads the fields anew on every call (a few µs, paid for
        # every value of every read of a stream of dense values).
        return Detection(self.type, start, end, self.detector, self.score, self.value)

    def finding(self) -> MaskFinding:
        return MaskFinding(self.type, self.start, self.end, self.score, self.detector)


@dataclass(frozen=True, slots=True)
class MaskFinding(Finding):
    """A `Finding` that also names the detector; it holds a span, never the value."""

    detector: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"type": self.type, "start": self.start, "end": self.end, "score": self.score,
                "detector": self.detector}


class Detector(Protocol):
    """A family of values (cards, IBANs, ...); `detect` sees folded text only."""

    @property
    def type(self) -> str: ...

    def detect(self, text: str) -> Iterable[Detection]: ...
