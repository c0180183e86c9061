"""The `responses:` and `alerts:` sections: score bands, ban escalation, throttle, quarantine, webhooks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from filters.options import Duration, OptionsError, join

ActionName = Literal["log", "alert", "sanitize", "block", "throttle", "ban", "step_up", "quarantine"]


@dataclass(frozen=True)
class Band:
    """Actions for verdicts whose score is at least `min_score`."""

    min_score: float
    actions: tuple[ActionName, ...]

    def validate(self, path: str) -> None:
        if not 0 <= self.min_score <= 1:
            raise OptionsError(join(path, "min_score"), f"expected a number in [0, 1], got {self.min_score}")


@dataclass(frozen=True)
class BanPolicy:
    """Ban length doubles (by `factor`) with each offence remembered for `memory`, up to `cap`."""

    base: Duration = Duration(300)
    factor: float = 2.0
    cap: Duration = Duration(86400)
    memory: Duration = Duration(7 * 86400)

    def validate(self, path: str) -> None:
        for name in ("base", "memory"):
            if not getattr(self, name) > 0:
                raise OptionsError(join(path, name), f"expected a duration > 0, got {float(getattr(self, name))}")
        if self.cap < self.base:
            raise OptionsError(join(path, "cap"), f"expected at least base ({float(self.base)}), got {float(self.cap)}")
        if self.factor < 1:
            raise OptionsError(join(path, "factor"), f"expected >= 1, got {self.factor}")

    def length(self, offences: int) -> float:
        return float(min(self.cap, self.base * self.factor ** max(0, offences - 1)))


@dataclass(frozen=True)
class ResponseSettings:
    """The `responses:` section (global, or a route's own): score bands, ban escalation, throttle, quarantine."""

    bands: tuple[Band, ...] = (Band(0.5, ("alert",)), Band(0.8, ("block",)))
    ban: BanPolicy = field(default_factory=BanPolicy)
    throttle_for: Duration = Duration(600)
    quarantine_for: Duration = Duration(7 * 86400)

    def validate(self, path: str) -> None:
        for i, band in enumerate(self.bands):
            band.validate(join(join(path, "bands"), i))
        for name in ("throttle_for", "quarantine_for"):
            if not getattr(self, name) > 0:
                raise OptionsError(join(path, name), f"expected a duration > 0, got {float(getattr(self, name))}")


@dataclass(frozen=True)
class Webhook:
    url: str
    secret: str  # or secret_file: PATH

    def validate(self, path: str) -> None:
        if not self.url.startswith(("https://", "http://")):
            raise OptionsError(join(path, "url"), "expected an http(s) URL")
        if len(self.secret) < 16:
            raise OptionsError(join(path, "secret"), "expected at least 16 characters")


@dataclass(frozen=True)
class AlertSettings:
    """The `alerts:` section: webhooks, queue bound and retry schedule."""

    webhooks: tuple[Webhook, ...] = ()
    queue: int = 1000  # alerts waiting; when full, new ones are dropped (and logged), never awaited
    attempts: int = 5
    backoff: Duration = Duration(0.5)  # first retry delay; doubles per attempt
    max_backoff: Duration = Duration(30)
    timeout: Duration = Duration(5)

    def validate(self, path: str) -> None:
        for name in ("queue", "attempts"):
            if getattr(self, name) < 1:
                raise OptionsError(join(path, name), f"expected >= 1, got {getattr(self, name)}")
        for name in ("backoff", "timeout"):
            if not getattr(self, name) > 0:
                raise OptionsError(join(path, name), f"expected a duration > 0, got {float(getattr(self, name))}")
        if self.max_backoff < self.backoff:
            raise OptionsError(join(path, "max_backoff"),
                               f"expected at least backoff ({float(self.backoff)}), got {float(self.max_backoff)}")
