"""Quarantine: held messages with what was found, released to their backend or discarded, with a reason.

A release takes the message out of quarantine first (at most once, even with two reviewers) and then
delivers it the way the admin API does (`gateway.admin.bans.deliver`). Both actions need a reason,
which goes into the audit entry with the operator, the message id and what the backend answered.
"""

from __future__ import annotations

import time
from string import Template

from aiohttp import web

from gateway.admin.bans import GATEWAY, STORE, deliver
from gateway.admin.console import templates as t
from gateway.admin.console.bans import when
from gateway.admin.console.frame import ROOT, Console, Done, Operator, Refused
from gateway.enforce import countermeasures

PREVIEW = 2000
MAX_REASON = 500

DECIDE = Template("""<form method="post" class="decide" aria-label="Decide on message $id">
<input type="hidden" name="csrf" value="$csrf"><input type="hidden" name="id" value="$id">
<label for="reason-$n">Reason</label>
<input id="reason-$n" name="reason" required maxlength="500" autocomplete="off">
<button type="submit" formaction="$root/quarantine/release">Release</button>
<button type="submit" class="danger" formaction="$root/quarantine/discard">Discard</button>
</form>""")
ITEM = Template("""<article class="held" id="held-$id" aria-labelledby="held-$id-h">
<h2 id="held-$id-h">Message $id</h2>
<dl>
<dt>Held</dt><dd>$at UTC</dd><dt>Route</dt><dd>$route</dd><dt>From</dt><dd>$subject ($client)</dd>
<dt>Channel</dt><dd>$channel, $direction $method $target</dd><dt>Findings</dt><dd>$reason</dd>
</dl>
<pre class="payload" tabindex="0" aria-label="Held text">$payload</pre>
$decide
</article>
""")


def _form(form: dict[str, str]) -> tuple[str, str]:
    item_id, reason = form.get("id", ""), form.get("reason", "").strip()
    if not item_id or len(item_id) > 64:
        raise Refused(400, "Say which message.")
    if not reason or len(reason) > MAX_REASON:
        raise Refused(400, "Give a reason (up to 500 characters).")
    return item_id, reason


def install(console: Console) -> None:
    async def view(request: web.Request, operator: Operator) -> t.Safe:
        held = await countermeasures.held(console.admin_app[STORE])
        if not held:
            return t.Safe('<p class="empty" id="no-held">No messages are held.</p>')
        parts = []
        for n, r in enumerate(held):
            payload = str(r.get("payload", ""))
            parts.append(t.render(
                ITEM, id=str(r.get("id")), at=when(float(str(r.get("at") or 0))), route=r.get("route") or "-",
                subject=r.get("subject") or "-", client=r.get("client") or "-", channel=r.get("channel") or "-",
                direction=r.get("direction") or "-", method=r.get("method") or "", target=r.get("target") or "",
                reason=r.get("reason") or "-",
                payload=payload[:PREVIEW] + (" [...]" if len(payload) > PREVIEW else ""),
                decide=t.render(DECIDE, root=ROOT, csrf=operator.csrf, id=str(r.get("id")), n=n)))
        return t.Safe(f'<p class="muted">{len(held)} held, newest first.</p>' + "".join(parts))

    async def release(request: web.Request, operator: Operator, form: dict[str, str]) -> Done:
        item_id, reason = _form(form)
        record = await countermeasures.release(console.admin_app[STORE], item_id)
        if record is None:
            return Done(f"Message {item_id} is no longer held.", 404, {"target": item_id, "reason": reason})
        outcome = await deliver(console.admin_app.get(GATEWAY), record, operator.name)
        fields = {"target": item_id, "route": record.get("route"), "reason": reason,
                  "delivered": outcome.get("delivered"), "upstream_status": outcome.get("upstream_status"),
                  "held_for": round(time.time() - float(str(record.get("at") or time.time())), 1)}
        if outcome.get("delivered"):
            return Done(f"Released message {item_id}; the backend answered {outcome.get('upstream_status')}.",
                        fields=fields)
        return Done(f"Released message {item_id}, but it was not delivered: {outcome.get('reason')}", 200, fields)

    async def discard(request: web.Request, operator: Operator, form: dict[str, str]) -> Done:
        item_id, reason = _form(form)
        record = await countermeasures.release(console.admin_app[STORE], item_id)
        if record is None:
            return Done(f"Message {item_id} is no longer held.", 404, {"target": item_id, "reason": reason})
        return Done(f"Discarded message {item_id}.", fields={"target": item_id, "route": record.get("route"),
                                                             "reason": reason})

    console.view("quarantine", view)
    console.action("quarantine", "release", release)
    console.action("quarantine", "discard", discard)
