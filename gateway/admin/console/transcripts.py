"""Transcripts: search conversations, read one with masking as the reader's permissions allow, export, erase.

The page drives the same `TranscriptAccess` as the transcript API, with the operator's expanded
roles as the reader's permissions: masked text stays masked without `unmask:<type>`. Opening the
page needs `transcripts:read`; the export link needs `transcripts:export` and erasing needs
`transcripts:erase` (and is refused under legal hold). Every search, read, export and erase writes a
`transcripts.access` entry naming the operator, like the API does, marked `via: console`.
"""

from __future__ import annotations

import logging
from string import Template
from typing import Any
from urllib.parse import quote, urlencode

import orjson
from aiohttp import web

from gateway.admin.console import templates as t
from gateway.admin.console.frame import ROOT, Console, Done, Operator, Refused
from gateway.admin.permissions import holds
from gateway.database import DatabaseError
from gateway.keyring import KeyUnavailable
from gateway.keys import TRANSCRIPTS
from gateway.transcripts.access import UnderHold
from gateway.transcripts.queries import BadQuery, Search

audit = logging.getLogger("chatguard.audit")

READ, EXPORT, ERASE = "transcripts:read", "transcripts:export", "transcripts:erase"
PAGE = 25
MESSAGES = 200
MAX_PARAM = 300

SEARCH = Template("""<form class="filters" method="get" action="$root/transcripts" role="search" aria-label="Search conversations">
<div class="field"><label for="t-subject">Subject</label><input id="t-subject" name="subject" value="$subject" maxlength="300"></div>
<div class="field"><label for="t-route">Route</label><input id="t-route" name="route" value="$route" maxlength="300"></div>
<div class="field"><label for="t-finding">Finding type</label><input id="t-finding" name="finding" value="$finding" maxlength="64" placeholder="card"></div>
<button type="submit">Search</button>
</form>
""")
LINK = Template('<a href="$href">$text</a>')
ERASE_FORM = Template("""<form method="post" action="$root/transcripts/erase" class="inline erase" aria-label="Erase this conversation">
<input type="hidden" name="csrf" value="$csrf"><input type="hidden" name="conversation" value="$conversation">
<label><input type="checkbox" name="confirm" value="yes" required> Erase every message of this conversation</label>
<button type="submit" class="danger">Erase</button></form>""")
HEAD = Template("""<p><a href="$root/transcripts">Back to the search</a></p>
<h2 id="conversation">Conversation <code>$conversation</code></h2>
<p class="muted">$messages messages ($blocked blocked) from $first to $last; subjects: $subjects; findings: $findings.</p>
<p>$export $erase</p>
""")


def _findings(found: object) -> str:
    if isinstance(found, dict) and found:
        return ", ".join(f"{k} x{v}" for k, v in sorted(found.items()))
    return "none"


def _note(operator: Operator, request: web.Request, action: str, outcome: str, **noted: Any) -> None:
    (audit.info if outcome == "ok" else audit.warning)("transcripts access", extra={
        "event": "transcripts.access", "action": action, "outcome": outcome, "subject": operator.name,
        "via": "console", "client": request.remote or "", "method": request.method, "path": request.path,
        **noted})


def install(console: Console) -> None:
    def access() -> Any:
        transcripts = console.gateway_app.get(TRANSCRIPTS)
        return None if transcripts is None else transcripts.access

    def granted(operator: Operator, permission: str) -> bool:
        return holds(operator.principal.roles, permission, split=True)

    async def view(request: web.Request, operator: Operator) -> t.Safe:
        found = access()
        if found is None:
            return t.Safe('<p class="empty">Transcripts are off (set <code>transcripts.database</code>).</p>')
        q = {k: request.query.get(k, "")[:MAX_PARAM] for k in ("subject", "route", "finding")}
        cursor = request.query.get("cursor", "")[:MAX_PARAM] or None
        try:
            page = await found.search(Search(subject=q["subject"] or None, route=q["route"] or None,
                                              finding=q["finding"] or None, limit=PAGE, cursor=cursor))
        except BadQuery as bad:
            raise Refused(400, str(bad)) from None
        except (DatabaseError, KeyUnavailable, OSError):
            raise Refused(503, "The transcript store is unavailable.") from None
        listed = [c["conversation"] for c in page["conversations"]]
        _note(operator, request, "search", "ok", conversations=listed, query={k: v for k, v in q.items() if v})
        rows = [(t.render(LINK, href=f"{ROOT}/transcripts/read?{urlencode({'c': c['conversation']})}",
                          text=c["conversation"]),
                 c["first"][:19].replace("T", " "), c["last"][:19].replace("T", " "), c["messages"], c["blocked"],
                 ", ".join(c["subjects"]), ", ".join(c["routes"]), _findings(c["findings"]))
                for c in page["conversations"]]
        more = ""
        if page["next"]:
            more = t.render(LINK, href=f"{ROOT}/transcripts?{urlencode({**q, 'cursor': page['next']})}",
                            text="Older conversations")
        return t.Safe(t.render(SEARCH, root=ROOT, **q)
                      + t.table("Conversations, most recent first", ("Conversation", "First (UTC)", "Last (UTC)",
                                                                     "Messages", "Blocked", "Subjects", "Routes",
                                                                     "Findings"), rows, "conversations",
                                "No conversations match.") + more)

    async def read(request: web.Request, operator: Operator) -> t.Safe:
        found = access()
        conversation = request.query.get("c", "")[:MAX_PARAM]
        if found is None or not conversation:
            raise Refused(404, "No such conversation.")
        reader = found.reader(operator.principal.roles)
        try:
            page = await found.read(reader, conversation, request.query.get("cursor", "")[:MAX_PARAM] or None,
                                    MESSAGES)
        except BadQuery as bad:
            raise Refused(400, str(bad)) from None
        except (DatabaseError, KeyUnavailable, OSError):
            raise Refused(503, "The transcript store is unavailable.") from None
        if page is None:
            _note(operator, request, "read", "refused", conversations=[conversation], status=404)
            raise Refused(404, "No such conversation.")
        _note(operator, request, "read", "ok", conversations=[conversation], messages=len(page["messages"]),
              unmasked=reader.unmasked)
        summary = page["conversation"]
        export = (t.render(LINK, href=f"{ROOT}/transcripts/export?{urlencode({'c': conversation})}",
                           text="Export (JSON)") if granted(operator, EXPORT) else t.Safe(""))
        erase = (t.render(ERASE_FORM, root=ROOT, csrf=operator.csrf, conversation=conversation)
                 if granted(operator, ERASE) else t.Safe(""))
        head = t.render(HEAD, root=ROOT, conversation=conversation, messages=summary["messages"],
                        blocked=summary["blocked"], first=summary["first"][:19].replace("T", " "),
                        last=summary["last"][:19].replace("T", " "), subjects=", ".join(summary["subjects"]),
                        findings=_findings(summary["findings"]), export=export, erase=erase)
        rows = [(m["ts"][:19].replace("T", " "), m["direction"], m["subject"], m["verdict"],
                 ", ".join(m["findings"]) or "-", m["text"] if m["text"] is not None else f"({m['text_state']})",
                 m["text_state"]) for m in page["messages"]]
        return t.Safe(head + t.table("Messages, oldest first", ("Time (UTC)", "Direction", "Subject", "Verdict",
                                                                  "Findings", "Text", "Text is"), rows, "messages",
                                     "No messages kept."))

    async def export(request: web.Request) -> web.StreamResponse:
        operator = await console.allowed(request, "transcripts")
        if not isinstance(operator, Operator):
            return operator
        conversation = request.query.get("c", "")[:MAX_PARAM]
        found = access()
        if not granted(operator, EXPORT):
            _note(operator, request, "export", "refused", conversations=[conversation], missing=EXPORT)
            return console.refusal(Refused(403, f"Exporting needs {EXPORT}."), operator)
        if found is None or not conversation:
            return console.refusal(Refused(404, "No such conversation."), operator)
        reader = found.reader(operator.principal.roles)
        try:
            body = await found.export(reader, conversation)
        except (DatabaseError, KeyUnavailable, OSError):
            return console.refusal(Refused(503, "The transcript store is unavailable."), operator)
        if body is None:
            return console.refusal(Refused(404, "No such conversation."), operator)
        _note(operator, request, "export", "ok", conversations=[conversation], messages=len(body["messages"]),
              unmasked=reader.unmasked)
        name = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in conversation)[:80] or "conversation"
        return web.Response(body=orjson.dumps({**body, "exported_by": operator.name}), content_type="application/json",
                            headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
                                     "Content-Disposition": f'attachment; filename="transcript-{quote(name)}.json"'})

    async def erase(request: web.Request, operator: Operator, form: dict[str, str]) -> Done:
        conversation = form.get("conversation", "")[:MAX_PARAM]
        if not granted(operator, ERASE):
            raise Refused(403, f"Erasing needs {ERASE}.")
        if form.get("confirm") != "yes" or not conversation:
            raise Refused(400, "Tick the box to confirm the erasure.")
        found = access()
        if found is None:
            raise Refused(404, "Transcripts are off.")
        try:
            erased = await found.erase(conversation=conversation)
        except UnderHold as held:
            _note(operator, request, "erase", "refused", conversations=[conversation], held=held.held, status=409)
            return Done(f"Not erased: under legal hold ({', '.join(held.held)}).", 409, {"target": conversation})
        if not erased.conversations:
            return Done("No such conversation.", 404, {"target": conversation})
        _note(operator, request, "erase", "ok", conversations=list(erased.conversations), rows=erased.rows)
        return Done(f"Erased conversation {conversation} ({erased.rows} messages).",
                    fields={"target": conversation, "rows": erased.rows})

    console.view("transcripts", view)
    console.view("transcripts", read, sub="read")
    console.add_route(web.get(f"{ROOT}/transcripts/export", export))
    console.action("transcripts", "erase", erase)
