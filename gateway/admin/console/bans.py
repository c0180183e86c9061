"""Bans and throttles: what is in force now, lift it, or make it last longer.

Bans come from the state store itself. Throttles have no index in the store, so they are found in
the `threat.response` entries that set them (the Live feed, then the audit file) and shown while the
store still holds them. Every change is an audited action naming the operator and the key.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from string import Template

from aiohttp import web

from gateway.access.shield import throttle_key
from gateway.admin.bans import STORE
from gateway.admin.console import templates as t
from gateway.admin.console.feed import LiveFeed
from gateway.admin.console.frame import ROOT, Console, Done, Operator, Refused
from gateway.admin.console.history import audit_entries
from gateway.state import StateStore

EXTEND = {"1h": 3600, "1d": 86400, "7d": 7 * 86400, "30d": 30 * 86400}
MAX_KEY = 300

LIFT = Template("""<form method="post" action="$root/bans/$verb" class="inline">
<input type="hidden" name="csrf" value="$csrf"><input type="hidden" name="key" value="$key">
<button type="submit" aria-label="Lift $what on $key">Lift</button></form>""")
LONGER = Template("""<form method="post" action="$root/bans/$verb" class="inline">
<input type="hidden" name="csrf" value="$csrf"><input type="hidden" name="key" value="$key">
<label class="sr" for="$id">Extend $what on $key by</label>
<select id="$id" name="by"><option value="1h">1 hour</option><option value="1d">1 day</option>
<option value="7d">7 days</option><option value="30d">30 days</option></select>
<button type="submit">Extend</button></form>""")


def when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S") if epoch > 0 else "-"


def left(until: float) -> str:
    seconds = max(0, int(until - time.time()))
    days, rest = divmod(seconds, 86400)
    return (f"{days}d " if days else "") + f"{rest // 3600}h {rest % 3600 // 60:02d}m"


def _controls(operator: Operator, key: str, what: str, n: int) -> t.Safe:
    verb = "lift" if what == "ban" else "unthrottle"
    extend = "extend" if what == "ban" else "extend-throttle"
    return t.Safe(t.render(LIFT, root=ROOT, verb=verb, csrf=operator.csrf, key=key, what=what)
                  + t.render(LONGER, root=ROOT, verb=extend, csrf=operator.csrf, key=key, what=what,
                             id=f"by-{what}-{n}"))


async def throttles(store: StateStore, feed: LiveFeed, audit_path: str) -> dict[str, float]:
    """Throttles still in force: key -> until, from the recorded responses that set them."""
    found: dict[str, float] = {}
    for entry in await audit_entries(audit_path, "threat.response", 1000):
        throttle = entry.get("throttle")
        if isinstance(throttle, dict) and isinstance(throttle.get("key"), str):
            found[throttle["key"]] = max(found.get(throttle["key"], 0.0), float(throttle.get("until") or 0))
    for key, until in feed.throttle_until.items():
        found[key] = max(found.get(key, 0.0), until)
    if not found:
        return {}
    keys = list(found)
    marks = await store.get_many([throttle_key(k) for k in keys])
    return {k: found[k] for k, mark in zip(keys, marks, strict=True) if mark}


def _key(form: dict[str, str]) -> str:
    key = form.get("key", "")
    if not key or len(key) > MAX_KEY:
        raise Refused(400, "Say which key.")
    return key


def install(console: Console, feed: LiveFeed, audit_path: str) -> None:
    def store() -> StateStore:
        return console.admin_app[STORE]

    async def view(request: web.Request, operator: Operator) -> t.Safe:
        bans = await store().bans()
        ban_rows = [(b.key, b.reason or "-", when(b.since), when(b.until), left(b.until),
                     _controls(operator, b.key, "ban", i)) for i, b in enumerate(bans)]
        held = await throttles(store(), feed, audit_path)
        throttle_rows = [(k, when(u), left(u), _controls(operator, k, "throttle", i))
                         for i, (k, u) in enumerate(sorted(held.items()))]
        return t.Safe(t.table("Bans in force", ("Key", "Reason", "Since (UTC)", "Until (UTC)", "Left", "Actions"),
                              ban_rows, "bans", "No bans in force.")
                      + t.table("Throttles in force", ("Key", "Until (UTC)", "Left", "Actions"), throttle_rows,
                                "throttles", "No throttles in force."))

    async def lift(request: web.Request, operator: Operator, form: dict[str, str]) -> Done:
        key = _key(form)
        if not await store().unban(key):
            return Done(f"No ban on {key} (it may have ended).", 404, {"target": key})
        return Done(f"Lifted the ban on {key}.", fields={"target": key})

    async def extend(request: web.Request, operator: Operator, form: dict[str, str]) -> Done:
        key, by = _key(form), EXTEND.get(form.get("by", ""))
        if by is None:
            raise Refused(400, "Choose how much longer.")
        current = await store().banned(key)
        if current is None:
            return Done(f"No ban on {key} (it may have ended).", 404, {"target": key})
        ban = await store().ban(key, max(current.until - time.time(), 0) + by, current.reason)
        return Done(f"The ban on {key} now ends {when(ban.until)} UTC.",
                    fields={"target": key, "until": ban.until})

    async def unthrottle(request: web.Request, operator: Operator, form: dict[str, str]) -> Done:
        key = _key(form)
        if not await store().get(throttle_key(key)):
            return Done(f"No throttle on {key} (it may have ended).", 404, {"target": key})
        await store().put(throttle_key(key), b"", 0.001)  # no delete in the store: expire it at once
        return Done(f"Lifted the throttle on {key}.", fields={"target": key})

    async def extend_throttle(request: web.Request, operator: Operator, form: dict[str, str]) -> Done:
        key, by = _key(form), EXTEND.get(form.get("by", ""))
        if by is None:
            raise Refused(400, "Choose how much longer.")
        current = (await throttles(store(), feed, audit_path)).get(key)
        if current is None:
            return Done(f"No throttle on {key} (it may have ended).", 404, {"target": key})
        until = max(current, time.time()) + by
        await store().put(throttle_key(key), b"1", until - time.time())
        feed.note_throttle(key, until)
        return Done(f"The throttle on {key} now ends {when(until)} UTC.", fields={"target": key, "until": until})

    console.view("bans", view)
    console.action("bans", "lift", lift)
    console.action("bans", "extend", extend)
    console.action("bans", "unthrottle", unthrottle)
    console.action("bans", "extend-throttle", extend_throttle)
