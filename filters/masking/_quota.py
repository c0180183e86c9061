"""A bound per field on the candidate values the detectors examine.

Every candidate (a digit group a card, SSN or phone could start at, an address, an IBAN
anchor, a key-like string...) costs the detectors a few microseconds of Python, and
walking past a digit group that starts nothing a fraction of that (`WALK` groups count as
one candidate), so a field made of nothing
but candidates ("4111111111111111 " or "x@y.com " repeated) would cost milliseconds per
KB. The engine gives each field a quota of candidates, the same for each detector (so the
bound is a small multiple of it, and one detector's dense values do not use up another's); a
detector that would go past it raises `Overflow` with the offset of the first candidate
it did not examine, and the engine withholds the field from there on (fail closed: a
value is never let through unexamined). The quota lives in a context variable, so
detectors keep their one-argument `detect(text)` and concurrent scans on other threads
or tasks each see their own.
"""

from __future__ import annotations

from contextvars import ContextVar

WALK = 16  # digit groups walked past (a cheap step) per candidate of the quota


class Overflow(Exception):
    """The field's quota ran out; `at` is where the first unexamined candidate starts."""

    def __init__(self, at: int) -> None:
        super().__init__(at)
        self.at = at


class Quota:
    """The candidates one field may still have examined."""

    __slots__ = ("left",)

    def __init__(self, left: int) -> None:
        self.left = left


current: ContextVar[Quota | None] = ContextVar("masking_quota", default=None)


def charge(at: int, count: int = 1) -> None:
    """Take `count` candidates, starting at text offset `at`, from the running field's quota.

    Raises `Overflow(at)` when they do not fit; a no-op when no quota is set (a detector
    called on its own)."""
    quota = current.get()
    if quota is None:
        return
    quota.left -= count
    if quota.left < 0:
        raise Overflow(at)
