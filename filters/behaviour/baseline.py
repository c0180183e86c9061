"""Each subject's own baseline: exponentially weighted mean and variance of rate and size,
and the routes it uses.

A fixed limit fits no one (a support agent types far more than a visitor); measuring a
subject against its own recent history catches the sudden change that marks a stolen
account or a script, and keeps adapting as the person's habits change. Both quantities
are taken in log space (log of the gap between messages, log of the size) so a burst
and a single huge paste stand out by the same number of deviations.

An outlier is learned only up to `clamp` deviations (winsorised): otherwise one burst
inflates the variance so much that a script's second and third message already look
normal. Lasting changes of habit are still learned, a little more slowly.

Routes are remembered by when they were last used: a stolen session that suddenly calls
routes its owner never touches (an export, an admin API) stands out even at a normal pace,
and a route left unused long enough is forgotten, so habits may change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import orjson

# A floor for the standard deviation, in log units: a subject that always sends the same
# size would otherwise be flagged for a single extra character.
MIN_STD = 0.25


@dataclass(frozen=True, slots=True)
class Baseline:
    samples: int = 0
    last: float = 0.0  # epoch seconds of the newest message
    rate_mean: float = 0.0  # of -log(gap): higher is faster
    rate_var: float = 0.0
    size_mean: float = 0.0  # of log(1 + characters)
    size_var: float = 0.0
    routes: tuple[tuple[str, float], ...] = ()  # (route, last used), most recent first

    def to_bytes(self) -> bytes:
        return orjson.dumps([self.samples, self.last, self.rate_mean, self.rate_var, self.size_mean,
                             self.size_var, [list(pair) for pair in self.routes]])

    def knows(self, route: str) -> bool:
        return any(name == route for name, _ in self.routes)

    def used(self, route: str, now: float, forget: float, keep: int) -> Baseline:
        """The same baseline with `route` used at `now`: routes unused for `forget` seconds drop out,
        and at most `keep` (the most recently used) are remembered, so the record stays small."""
        others = [(name, at) for name, at in self.routes if name != route and now - at < forget]
        return replace(self, routes=((route, now), *others)[:keep])

    @classmethod
    def from_bytes(cls, raw: bytes | None) -> Baseline:
        """A stored baseline; anything unreadable starts a fresh one (it only delays judgement)."""
        if not raw:
            return cls()
        try:
            n, last, rm, rv, sm, sv, *rest = orjson.loads(raw)
            values = [float(v) for v in (last, rm, rv, sm, sv)]
            routes = tuple((str(name), float(at)) for name, at in (rest[0] if rest else ()))
            if not all(math.isfinite(v) for v in values) or int(n) < 0:
                return cls()
            return cls(int(n), values[0], values[1], values[2], values[3], values[4], routes)
        except (ValueError, TypeError):
            return cls()


def rate_of(gap: float) -> float:
    return -math.log(max(gap, 0.05))


def size_of(chars: int) -> float:
    return math.log1p(max(chars, 0))


def deviations(value: float, mean: float, var: float) -> float:
    """How many standard deviations `value` lies above `mean` (never below zero)."""
    return max(0.0, (value - mean) / max(math.sqrt(var), MIN_STD))


def _update(mean: float, var: float, value: float, alpha: float,
            clamp: float | None = None) -> tuple[float, float]:
    if clamp is not None:
        value = min(value, mean + clamp * max(math.sqrt(var), MIN_STD))
    diff = value - mean
    step = alpha * diff
    return mean + step, (1 - alpha) * (var + diff * step)


def observe(base: Baseline, now: float, chars: int, alpha: float,
            clamp: float | None = None) -> tuple[Baseline, float, float]:
    """Fold one message into `base`; returns the new baseline and the rate and size deviations
    of this message measured against the baseline *before* it (0 while the baseline is empty).
    With `clamp`, values above mean + clamp deviations are learned as if they were at that bound."""
    size = size_of(chars)
    if base.samples == 0:
        return Baseline(1, now, 0.0, 0.0, size, 0.0, base.routes), 0.0, 0.0
    rate = rate_of(now - base.last)
    size_dev = deviations(size, base.size_mean, base.size_var)
    if base.samples == 1:  # the first gap seeds the rate
        sm, sv = _update(base.size_mean, base.size_var, size, alpha)
        return Baseline(2, max(now, base.last), rate, 0.0, sm, sv, base.routes), 0.0, size_dev
    rate_dev = deviations(rate, base.rate_mean, base.rate_var)
    rm, rv = _update(base.rate_mean, base.rate_var, rate, alpha, clamp)
    sm, sv = _update(base.size_mean, base.size_var, size, alpha, clamp)
    return Baseline(base.samples + 1, max(now, base.last), rm, rv, sm, sv, base.routes), rate_dev, size_dev
