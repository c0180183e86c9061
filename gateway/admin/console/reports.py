"""Reports: attack-simulation reports (`simreports`) and the config review (`chatguard audit-config`)
of the config this gateway runs, on demand.

The review reads the file the running config came from (`Settings.source`), exactly as the command
does, so the findings match what `chatguard audit-config --config <that file>` prints. It runs off
the event loop; a file that changed on disk since the last reload is reviewed as it is now, which
the page says.
"""

from __future__ import annotations

import asyncio
from string import Template

from aiohttp import web

from gateway.admin.console import simreports
from gateway.admin.console import templates as t
from gateway.admin.console.charts import bars
from gateway.admin.console.frame import Console, Operator
from gateway.config.settings import ConfigError
from gateway.keys import RUNTIME
from gateway.tools.audit.findings import SEVERITIES, Finding
from gateway.tools.audit.review import review_file

SUMMARY = Template("""<h2>Config review</h2>
<p class="muted">Reviewed <code>$source</code> as it is on disk now: $count findings.</p>
<figure class="chart-small"><figcaption>Findings by severity</figcaption>$chart</figure>
$table""")
BADGE = Template('<span class="badge sev-$s">$s</span>')


def _row(f: Finding) -> tuple[object, ...]:
    where = f"{f.path}" + (f" (line {f.line})" if f.line else "")
    return (t.render(BADGE, s=f.severity), f.id, where or "-", f.rule.title, f.detail, f.rule.fix)


def install(console: Console) -> None:
    async def view(request: web.Request, operator: Operator) -> t.Safe:
        settings = console.gateway_app[RUNTIME].current.settings
        sim = await simreports.section(settings.attacksim_report, request.query.get("report", "")[:255])
        return t.Safe(sim + await review(settings.source))

    async def review(source: str) -> t.Safe:
        if not source:
            return t.Safe('<p class="empty">This gateway was not started from a config file, so there is '
                          "nothing to review here; run <code>chatguard audit-config --config FILE</code>.</p>")
        try:
            findings = await asyncio.to_thread(review_file, source)
        except ConfigError as bad:
            return t.render(Template('<p class="notice bad" role="alert">The config file cannot be reviewed: $e</p>'),
                            e=str(bad))
        chart = bars("chart-severity", "Findings by severity",
                     [(s, sum(f.severity == s for f in findings)) for s in SEVERITIES])
        table = t.table("Findings, worst first", ("Severity", "Rule", "Where", "What", "Detail", "Fix"),
                        [_row(f) for f in findings], "findings", "No findings: the config passes every check.")
        return t.render(SUMMARY, source=source, count=len(findings), chart=chart, table=table)

    console.view("reports", view)
