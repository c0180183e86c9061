"""Numbers split over sibling fields of a JSON object, read joined as a backend that concatenates them reads them.

A form or an API may send one number in parts: `{"prefix": "4111", "number": "1111 1111 1111"}`, a card in
four fields of four digits, a phone's area and line. Read field by field, no part is a value; the backend, or
the page that shows them side by side, joins them into one. So the members of one object that the route reads
as text and that hold a number alone (digits and the marks between groups, at most 32 characters) are read
once more joined: each run of such members, consecutive in the document, is one more field, the parts
separated by a space, its path the object's. A run longer than six members is read in windows of six starting
every three members, so that any four consecutive parts stand together in one window.

What the filters change in that joined reading goes out only as the parts' own changes make it: every part
that the changed stretch touches must have been changed by its own reading (a field named for a card is masked
whole, see the masking filter), or the payload is refused, as a change only the joined reading made cannot be
written back into the parts. Words, long texts and lone numbers are not joined: ordinary numeric siblings
(sizes, prices, coordinates) are read as before and seldom make a value joined.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from gateway.codec._base import CodecError

__all__ = ["SIBLINGS", "check_siblings", "number_only", "sibling_runs"]

SIBLINGS = 6          # parts per joined reading
_STEP = 3             # a longer run is read in windows starting every this many parts
_MAX_CHARS = 32       # a part longer than this is no part of a number
_NUMBER = re.compile(r"[ \t]*\+?[ \t]*\(?[0-9][0-9 .\-/()\t]*")
_DECIMAL = re.compile(r"[ \t]*[0-9]+\.[0-9]+[ \t]*")

# The joined text, and per part: (its field index, where it starts and ends in the joined text).
Run = tuple[str, tuple[tuple[int, int, int], ...]]


def number_only(text: str) -> bool:
    """Whether `text` holds a number alone, or a part of one; a decimal ("19.99", "52.5200": one point between
    two runs of digits) is a quantity, not a part."""
    return len(text) <= _MAX_CHARS and _NUMBER.fullmatch(text) is not None and _DECIMAL.fullmatch(text) is None


def sibling_runs(members: Sequence[tuple[int, str]]) -> list[Run]:
    """The joined readings of an object's text members `(field index, text)`, in document order."""
    runs: list[list[tuple[int, str]]] = [[]]
    for index, text in members:
        if number_only(text):
            runs[-1].append((index, text))
        elif runs[-1]:
            runs.append([])
    out: list[Run] = []
    for run in runs:
        if len(run) < 2:
            continue
        for start in range(0, len(run), _STEP):
            window = run[start:start + SIBLINGS]
            out.append(_joined(window))
            if start + SIBLINGS >= len(run):
                break
    return out


def _joined(parts: Sequence[tuple[int, str]]) -> Run:
    spans = []
    at = 0
    for index, text in parts:
        spans.append((index, at, at + len(text)))
        at += len(text) + 1
    return " ".join(text for _, text in parts), tuple(spans)


def check_siblings(run: Run, after: str, changes: Mapping[int, str]) -> None:
    """Refuse a change to the joined reading `run` (now `after`) that its parts' own changes do not make: the
    stretch that changed (what the texts do not share at their start and end) must touch parts only, each
    changed in its own field."""
    before, parts = run
    if after == before:
        return
    head = 0
    limit = min(len(before), len(after))
    while head < limit and before[head] == after[head]:
        head += 1
    tail = 0
    while tail < limit - head and before[len(before) - 1 - tail] == after[len(after) - 1 - tail]:
        tail += 1
    start, end = head, len(before) - tail
    touched = [index for index, first, stop in parts if first < max(end, start + 1) and start < stop]
    if not touched or any(index not in changes for index in touched):
        raise CodecError("the filters changed what sibling fields make joined (a number split over them), and not "
                         "in the fields themselves")
