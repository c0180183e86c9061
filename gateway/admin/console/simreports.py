"""Attack-simulation reports on the Reports page: the JSON reports `chatguard attack-sim --json` wrote.

The report is the one `attacksim_report` names (what scheduled runs write, also exposed on /metrics);
the other reports in its directory are listed too (newest first, at most `MAX_LISTED` files, each
at most `MAX_REPORT` bytes), so earlier runs stay at hand. Only files of the `chatguard-attack-sim/1`
shape are shown. A report is chosen by its file name from that listing, never by a path, so the
page cannot be pointed anywhere else.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import urlencode

import orjson

from gateway.admin.console import templates as t
from gateway.admin.console.charts import bars
from gateway.admin.console.frame import ROOT

FORMAT = "chatguard-attack-sim/1"
MAX_LISTED = 20
MAX_REPORT = 5 * 1024 * 1024
SEVERITY_ORDER = ("critical", "high", "medium", "low")

HEAD = Template("""<h2 id="sim">Attack simulation</h2>
<p class="muted">$picker</p>
<p>Run against <code>$target</code> from <code>$config</code>, $started to $finished UTC ($duration s):
<strong>$held held</strong>, <strong>$failed failed</strong>, $skipped skipped of $total probes.$trend</p>
<figure class="chart-small"><figcaption>Probes by outcome</figcaption>$chart</figure>
""")
LINK = Template('<a href="$href"$current>$text</a>')


@dataclass(frozen=True)
class Listed:
    name: str
    report: dict[str, Any]


def listing(directory: str) -> list[Listed]:
    """Readable reports in `directory`, newest first (by modification time)."""
    try:
        files = sorted((p for p in Path(directory).iterdir() if p.suffix == ".json" and p.is_file()),
                       key=lambda p: p.stat().st_mtime, reverse=True)[:MAX_LISTED]
    except OSError:
        return []
    found = []
    for path in files:
        try:
            if path.stat().st_size > MAX_REPORT:
                continue
            report = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            continue
        if isinstance(report, dict) and report.get("format") == FORMAT and isinstance(report.get("probes"), list):
            found.append(Listed(path.name, report))
    return found


def _trend(report: dict[str, Any]) -> str:
    trend = report.get("trend")
    if not isinstance(trend, dict):
        return ""
    parts = []
    if trend.get("newly_failed"):
        parts.append("newly failed: " + ", ".join(map(str, trend["newly_failed"])))
    if trend.get("fixed"):
        parts.append("fixed: " + ", ".join(map(str, trend["fixed"])))
    return f" Since {trend.get('previous_started_at', 'the previous run')}: " + ("; ".join(parts) or "no change") + "."


def _probe_row(p: dict[str, Any]) -> tuple[object, ...]:
    badge = t.render(Template('<span class="badge out-$o">$o</span>'), o=str(p.get("outcome", "?")))
    return (badge, t.render(Template('<span class="badge sev-$s">$s</span>'), s=str(p.get("severity", "?"))),
            p.get("id", "-"), p.get("category", "-"), p.get("route") or "-", p.get("title", "-"),
            str(p.get("evidence") or p.get("reason") or "")[:300])


async def section(configured: str, chosen: str) -> t.Safe:
    """The report `chosen` (a listed file name), else the configured one, else the newest."""
    if not configured:
        return t.Safe('<h2 id="sim">Attack simulation</h2><p class="empty">No report is configured '
                      "(<code>attacksim_report</code>, where scheduled <code>chatguard attack-sim --json</code> "
                      "runs write).</p>")
    reports = await asyncio.to_thread(listing, str(Path(configured).parent))
    if not reports:
        return t.Safe('<h2 id="sim">Attack simulation</h2><p class="empty">No attack-simulation reports yet.</p>')
    default = next((r for r in reports if r.name == Path(configured).name), reports[0])
    shown = next((r for r in reports if r.name == chosen), default)
    report = shown.report
    picker = t.Safe("Reports: " + " | ".join(
        t.render(LINK, href=f"{ROOT}/reports?{urlencode({'report': r.name})}", text=r.name,
                 current=t.Safe(' aria-current="true"' if r is shown else "")) for r in reports))
    found = report.get("summary")
    summary: dict[str, Any] = found if isinstance(found, dict) else {}
    probes = [p for p in report["probes"] if isinstance(p, dict)]
    order = {"failed": 0, "skipped": 1, "held": 2}
    probes.sort(key=lambda p: (order.get(str(p.get("outcome")), 3),
                               SEVERITY_ORDER.index(p["severity"]) if p.get("severity") in SEVERITY_ORDER else 9))
    chart = bars("chart-sim", "Probes by outcome", [(o, int(summary.get(o, 0))) for o in ("held", "failed", "skipped")])
    head = t.render(HEAD, picker=picker, target=report.get("target", "?"), config=report.get("config", "?"),
                    started=str(report.get("started_at", "?")).replace("T", " ").rstrip("Z"),
                    finished=str(report.get("finished_at", "?")).replace("T", " ").rstrip("Z"),
                    duration=report.get("duration_s", "?"), held=summary.get("held", 0),
                    failed=summary.get("failed", 0), skipped=summary.get("skipped", 0),
                    total=summary.get("total", len(probes)), trend=_trend(report), chart=chart)
    routes = [(r.get("route", "-"), r.get("total", 0), r.get("held", 0), r.get("failed", 0), r.get("skipped", 0))
              for r in report.get("routes", []) if isinstance(r, dict)]
    return t.Safe(head + t.table("Per route", ("Route", "Probes", "Held", "Failed", "Skipped"), routes, "sim-routes")
                  + t.table("Probes, failures first", ("Outcome", "Severity", "Probe", "Category", "Route", "What",
                                                       "Evidence"), [_probe_row(p) for p in probes], "sim-probes"))
