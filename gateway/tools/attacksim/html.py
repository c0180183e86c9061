"""The report as one self-contained HTML page: inline style, no scripts, no external assets."""

from __future__ import annotations

from html import escape
from typing import Any

_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1d2430;background:#fafbfc}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.1rem;margin:2rem 0 .5rem}
.meta{color:#5b6572;margin-bottom:1rem}
.cards{display:flex;gap:1rem;flex-wrap:wrap}
.card{background:#fff;border:1px solid #d9dee5;border-radius:8px;padding:.75rem 1.25rem;min-width:7rem}
.card b{display:block;font-size:1.8rem}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #d9dee5}
th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #eef1f4;vertical-align:top}
th{background:#f1f4f7;font-weight:600}
td.evidence{font-family:ui-monospace,monospace;font-size:12px;color:#3b4552;word-break:break-word;max-width:48rem}
.held{color:#0f7b3f;font-weight:600}.failed{color:#b42318;font-weight:700}.skipped{color:#8a6d00}
.badge{display:inline-block;border-radius:4px;padding:0 .4rem;font-size:12px;border:1px solid currentColor}
tr.row-failed td{background:#fff4f3}
.up{color:#b42318}.down{color:#0f7b3f}
"""


def _cell(value: Any) -> str:
    return escape("" if value is None else str(value))


def _trend(trend: dict[str, Any] | None) -> str:
    if not trend:
        return "<p class=meta>No previous report given (<code>--previous old.json</code>).</p>"
    delta = trend["delta"]

    def signed(name: str, bad_when_up: bool) -> str:
        value = int(delta.get(name, 0))
        css = "" if value == 0 else ("up" if (value > 0) == bad_when_up else "down")
        return f"<span class='{css}'>{value:+d} {name}</span>"

    lists = "".join(f"<li>{label}: {', '.join(_cell(i) for i in trend[key]) or 'none'}</li>"
                    for key, label in (("newly_failed", "Newly failed"), ("fixed", "Fixed"),
                                       ("new", "New probes"), ("gone", "Probes gone")))
    return (f"<p>Since {_cell(trend.get('previous_started_at'))}: {signed('failed', True)}, "
            f"{signed('held', False)}, {signed('skipped', True)}</p><ul>{lists}</ul>")


def render(report: dict[str, Any]) -> str:
    summary = report["summary"]
    cards = "".join(f"<div class='card'><span class='{k}'>{k}</span><b>{summary[k]}</b></div>"
                    for k in ("held", "failed", "skipped")) + f"<div class='card'>probes<b>{summary['total']}</b></div>"
    routes = "".join(f"<tr><td>{_cell(r['route'])}</td><td>{r['total']}</td><td class=held>{r['held']}</td>"
                     f"<td class=failed>{r['failed']}</td><td class=skipped>{r['skipped']}</td></tr>"
                     for r in report["routes"])
    order = {"failed": 0, "skipped": 1, "held": 2}
    rows = "".join(
        f"<tr class='row-{p['outcome']}'><td><span class='badge {p['outcome']}'>{p['outcome']}</span></td>"
        f"<td>{_cell(p['title'])}<br><small>{_cell(p['id'])}</small></td><td>{_cell(p['route'])}</td>"
        f"<td>{_cell(p['category'])}</td><td>{_cell(p['severity'])}</td>"
        f"<td class=evidence>{_cell(p['reason'] + (': ' if p['reason'] and p['evidence'] else '') + p['evidence'])}</td></tr>"
        for p in sorted(report["probes"], key=lambda p: order[p["outcome"]]))
    failures = summary["failed"]
    verdict = "No defence failed." if failures == 0 else f"{failures} defence{'s' if failures > 1 else ''} failed."
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>chatguard attack simulation: {_cell(report['target'])}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{_STYLE}</style></head><body>
<h1>chatguard attack simulation</h1>
<div class="meta">{_cell(report['target'])} &middot; config {_cell(report['config'])} &middot;
{_cell(report['started_at'])} &middot; {report['duration_s']} s &middot; at most {report['limits']['rate']:g} requests/s</div>
<p><b>{verdict}</b></p>
<div class="cards">{cards}</div>
<h2>Trend</h2>{_trend(report.get('trend'))}
<h2>Per route</h2>
<table><tr><th>route</th><th>probes</th><th>held</th><th>failed</th><th>skipped</th></tr>{routes}</table>
<h2>Probes</h2>
<table><tr><th>outcome</th><th>probe</th><th>route</th><th>category</th><th>severity</th><th>evidence</th></tr>{rows}</table>
</body></html>
"""
