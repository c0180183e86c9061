"""A probe, its outcome and its evidence: what the runner executes and the reports show."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from gateway.tools.attacksim.session import Session

Outcome = Literal["held", "failed", "skipped"]
Severity = Literal["critical", "high", "medium", "low"]
GATEWAY = "(gateway)"  # the route column of probes aimed at the listener, not one route


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    evidence: str
    reason: str = ""


def held(evidence: str) -> Result:
    return Result("held", evidence)


def failed(evidence: str) -> Result:
    return Result("failed", evidence)


def skipped(reason: str, evidence: str = "") -> Result:
    return Result("skipped", evidence, reason)


@dataclass(frozen=True)
class Probe:
    """One attack: `run` sends it and judges what came back (and, with an upstream log, what arrived)."""

    id: str
    category: str
    title: str
    severity: Severity
    run: Callable[[Session], Awaitable[Result]] = field(compare=False, repr=False)
    route: str | None = None


@dataclass(frozen=True)
class Ran:
    probe: Probe
    result: Result
    duration_ms: int
