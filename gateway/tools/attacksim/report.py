"""The JSON report (shape `chatguard-attack-sim/1`, see README) and the trend against a previous one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from gateway.tools.attacksim.model import GATEWAY, Ran

FORMAT = "chatguard-attack-sim/1"
OUTCOMES = ("held", "failed", "skipped")


def _stamp(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _counts(runs: Sequence[Ran]) -> dict[str, int]:
    counts = {"total": len(runs)}
    counts.update({outcome: sum(r.result.outcome == outcome for r in runs) for outcome in OUTCOMES})
    return counts


def build(runs: Sequence[Ran], *, target: str, config: str, version: str, started: float, finished: float,
          rate: float, max_duration: float, previous: dict[str, Any] | None = None) -> dict[str, Any]:
    routes: dict[str, list[Ran]] = {}
    for ran in runs:
        routes.setdefault(ran.probe.route or GATEWAY, []).append(ran)
    report: dict[str, Any] = {
        "format": FORMAT,
        "tool": {"name": "chatguard attack-sim", "version": version},
        "target": target, "config": config,
        "started_at": _stamp(started), "finished_at": _stamp(finished),
        "duration_s": round(finished - started, 1),
        "limits": {"rate": rate, "max_duration_s": max_duration},
        "summary": _counts(runs),
        "routes": [{"route": name, **_counts(group)} for name, group in routes.items()],
        "probes": [{"id": r.probe.id, "category": r.probe.category, "route": r.probe.route,
                    "title": r.probe.title, "severity": r.probe.severity, "outcome": r.result.outcome,
                    "evidence": r.result.evidence, "reason": r.result.reason, "duration_ms": r.duration_ms}
                   for r in runs],
        "trend": None,
    }
    if previous is not None:
        report["trend"] = trend(report, previous)
    return report


def trend(now: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    """What changed since `before`: counts, and which probes newly failed, got fixed, appeared or went."""
    old = {p["id"]: p["outcome"] for p in before.get("probes", []) if isinstance(p, dict) and "id" in p}
    new = {p["id"]: p["outcome"] for p in now["probes"]}
    summary = before.get("summary", {}) if isinstance(before.get("summary"), dict) else {}
    return {
        "previous_started_at": before.get("started_at"),
        "delta": {o: now["summary"][o] - int(summary.get(o, 0)) for o in OUTCOMES},
        "newly_failed": sorted(i for i, o in new.items() if o == "failed" and i in old and old[i] != "failed"),
        "fixed": sorted(i for i, o in new.items() if o == "held" and old.get(i) == "failed"),
        "new": sorted(set(new) - set(old)),
        "gone": sorted(set(old) - set(new)),
    }
