"""Audit: search the trail and verify its chain with one click.

Search reads the newest entries (across rotated files, bounded by `gateway.audit.reader`). Verify
checks the whole kept trail as `chatguard audit verify --partial --open` would, with the public half
of the configured signing key, after the writer has flushed what it holds; the result (intact, or the
first break with its file, line and kind) is shown and the check itself is audited.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from string import Template
from typing import Any

import orjson
from aiohttp import web

from gateway.admin.console import templates as t
from gateway.admin.console.frame import ROOT, Console, Done, Operator, Refused
from gateway.admin.console.history import audit_entries
from gateway.audit.reader import chain_newest_first
from gateway.audit.signing import load_private_key
from gateway.audit.verify import Report, verify_files
from gateway.keys import AUDIT, RUNTIME

LIMITS = ("50", "100", "500", "1000")
SHOWN_FIELDS = 6
SEARCH = Template("""<form class="filters" method="get" action="$root/audit" role="search" aria-label="Search the audit trail">
<div class="field"><label for="q-event">Event (prefix)</label>
<input id="q-event" name="event" value="$event" maxlength="64" placeholder="admin.action"></div>
<div class="field"><label for="q-subject">Subject or user</label>
<input id="q-subject" name="subject" value="$subject" maxlength="128"></div>
$limit
<button type="submit">Search</button>
</form>
<form method="post" action="$root/audit/verify" class="inline verify">
<input type="hidden" name="csrf" value="$csrf">
<button type="submit" id="verify">Verify the chain</button>
</form>
$result""")
RESULT = Template('<div class="result $style" id="verify-result" role="status">$text</div>\n')
VERIFIED: web.RequestKey[t.Safe] = web.RequestKey("chatguard.console.verified", t.Safe)


FIRST = ("action", "outcome", "target", "route", "reason")
HIDDEN = frozenset({"seq", "ts", "event", "prev", "hash", "subject", "user", "method", "path", "client"})


def _summary(entry: dict[str, Any]) -> str:
    """The fields people look for first (what, how it ended, on what), then the rest, cut short."""
    keys = [k for k in FIRST if k in entry] + [k for k in entry if k not in FIRST and k not in HIDDEN]
    text = ", ".join(f"{k}={orjson.dumps(entry[k]).decode()}" for k in keys[:SHOWN_FIELDS])
    return text[:300]


def _ts(value: object) -> str:
    text = str(value or "-")
    return text[:19].replace("T", " ") if len(text) >= 19 else text


def verify_trail(active: Path, signing_key: str) -> Report:
    """The kept trail, oldest file first, checked as one chain that may begin after pruned files."""
    files = list(reversed(chain_newest_first(active)))
    public = load_private_key(signing_key).public_key()
    return verify_files(files, [public], partial=True)


def install(console: Console) -> None:
    def settings() -> Any:
        return console.gateway_app[RUNTIME].current.settings.audit

    async def view(request: web.Request, operator: Operator) -> t.Safe:
        path = settings().path
        if not path:
            return t.Safe('<p class="empty">The audit trail is off (set <code>audit.path</code>).</p>')
        event = request.query.get("event", "")[:64]
        subject = request.query.get("subject", "")[:128]
        limit = request.query.get("limit", "100")
        limit = limit if limit in LIMITS else "100"
        entries = await audit_entries(path, event or None, int(limit), subject or None)
        rows = [(e.get("seq", "-"), _ts(e.get("ts")), e.get("event", "-"), e.get("subject") or e.get("user") or "-",
                 _summary(e)) for e in reversed(entries)]
        shown = request.get(VERIFIED)
        form = t.render(SEARCH, root=ROOT, event=event, subject=subject, csrf=operator.csrf,
                        limit=t.select("limit", "Show", [(n, f"newest {n}") for n in LIMITS], limit),
                        result=shown if isinstance(shown, t.Safe) else t.Safe(""))
        return t.Safe(form + t.table(f"{len(rows)} entries, newest first", ("Seq", "Time (UTC)", "Event", "Subject",
                                                                             "Details"), rows, "audit",
                                     "No entries match."))

    async def verify(request: web.Request, operator: Operator, form: dict[str, str]) -> Done:
        audit = settings()
        if not audit.path:
            raise Refused(404, "The audit trail is off.")
        writer = console.gateway_app.get(AUDIT)
        if writer is not None:
            await writer.flush(within=5.0)
        report = await asyncio.to_thread(verify_trail, Path(audit.path), audit.signing_key)
        if report.problem is None:
            tail = f"; {report.unsigned_tail} entries after the last signed checkpoint" if report.unsigned_tail else ""
            text = (f"Intact: {report.entries} entries in {report.files} files (seq {report.first_seq} to "
                    f"{report.last['seq'] if report.last else 0}), {report.checkpoints} signed checkpoints{tail}.")
        else:
            text = f"Broken: {report.problem}"
        request[VERIFIED] = t.render(RESULT, style="ok" if report.ok else "bad", text=text)
        return Done("Verified the audit chain." if report.ok else "The audit chain is broken.",
                    200 if report.ok else 409,
                    {"intact": report.ok, "entries": report.entries,
                     "problem": str(report.problem) if report.problem else None})

    console.view("audit", view)
    console.action("audit", "verify", verify)
