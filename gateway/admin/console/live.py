"""Live: recent blocks, alerts, bans and denials, filterable by route and type, updated by server-sent events.

The page is complete without script (the newest events, the filter form and two charts drawn by the
server); `console.js` then opens `live/events` with the same filters and adds rows as they come. The
stream re-checks the operator's session while it stays open, so a revoked session stops seeing it.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from string import Template
from urllib.parse import urlencode

import orjson
from aiohttp import web

from gateway.admin.console import templates as t
from gateway.admin.console.charts import bars
from gateway.admin.console.feed import KINDS, LiveEvent, LiveFeed
from gateway.admin.console.frame import ROOT, Console, Operator
from gateway.keys import RUNTIME

STREAM = f"{ROOT}/live/events"
KEEPALIVE = 15.0      # seconds between comments on a quiet stream (and session re-checks)
STREAM_FOR = 600.0    # then the stream ends and the browser reconnects (with Last-Event-ID)
MAX_STREAMS = 64      # open event streams per process; more are refused with 503

FILTERS = Template("""<form class="filters" method="get" action="$root/live" role="search" aria-label="Filter events">
$route $kind
<button type="submit">Filter</button>
</form>
""")
PAGE = Template("""<section class="charts" aria-label="Charts">
<figure><figcaption>Alerts per hour, last 24 hours (UTC)</figcaption>$hourly</figure>
<figure><figcaption>Blocks by type, since start</figcaption>$types</figure>
</section>
$filters
<p id="live-status" class="muted" role="status" aria-live="polite">Showing the newest $count events.</p>
<div class="scroll" data-stream="$stream">$table</div>
""")


def _time(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M:%S")


def _row(e: LiveEvent) -> tuple[object, ...]:
    badge = t.render(Template('<span class="badge $k">$k</span>'), k=e.kind)
    return _time(e.at), badge, e.route or "-", e.subject or "-", e.client or "-", e.detail


def _filters(request: web.Request, routes: list[str]) -> tuple[str, str]:
    route = request.query.get("route", "")
    kind = request.query.get("kind", "")
    return (route if route in routes else ""), (kind if kind in KINDS else "")


def install(console: Console, feed: LiveFeed) -> None:
    open_streams: set[web.StreamResponse] = set()
    def route_names() -> list[str]:
        return [r.name for r in console.gateway_app[RUNTIME].current.routes]

    async def view(request: web.Request, operator: Operator) -> t.Safe:
        routes = route_names()
        route, kind = _filters(request, routes)
        events = feed.recent(route, kind)
        hourly = feed.hourly()
        hour_chart = bars("chart-alerts", "Alerts per hour",
                          [(datetime.fromtimestamp(h, UTC).strftime("%H:00"), n) for h, n in hourly], label_every=3)
        top = feed.blocks_by_type.most_common(10)
        type_chart = bars("chart-blocks", "Blocks by type", top or [("none", 0)])
        filters = t.render(FILTERS, root=ROOT,
                           route=t.select("route", "Route", [("", "All routes"), *[(r, r) for r in routes]], route),
                           kind=t.select("kind", "Type", [("", "All types"), *[(k, k) for k in KINDS]], kind))
        query = urlencode({k: v for k, v in (("route", route), ("kind", kind),
                                             ("after", str(feed.seq))) if v})
        table = t.table("Recent events, newest first", ("Time (UTC)", "Type", "Route", "Subject", "Client",
                                                          "Detail"), [_row(e) for e in events], "live-events",
                        "No events yet.")
        return t.render(PAGE, hourly=hour_chart, types=type_chart, filters=filters, count=len(events),
                        stream=f"{STREAM}?{query}", table=table)

    async def stream(request: web.Request) -> web.StreamResponse:
        operator = await console.allowed(request, "live")
        if not isinstance(operator, Operator):
            return web.Response(status=403 if operator.status == 403 else 401, text="sign in again")
        if len(open_streams) >= MAX_STREAMS:
            return web.Response(status=503, text="too many open event streams", headers={"Retry-After": "30"})
        route, kind = _filters(request, route_names())
        try:
            last = int(request.headers.get("Last-Event-ID") or request.query.get("after") or feed.seq)
        except ValueError:
            last = feed.seq
        last = min(max(last, 0), feed.seq)
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store",
                                               "X-Accel-Buffering": "no"})
        await response.prepare(request)
        open_streams.add(response)
        try:
            await pump(request, response, route, kind, last)
        except ConnectionError:
            pass  # the browser went away
        finally:
            open_streams.discard(response)
        return response

    async def pump(request: web.Request, response: web.StreamResponse, route: str, kind: str, last: int) -> None:
        await response.write(b"retry: 3000\n\n")
        ends = time.monotonic() + STREAM_FOR
        while not feed.closed and time.monotonic() < ends:
            if not await feed.wait(last, patience=KEEPALIVE):
                if feed.closed:
                    break
                again = await console.allowed(request, "live")
                if not isinstance(again, Operator):
                    break
                await response.write(b": keepalive\n\n")
                continue
            fresh = [e for e in feed.recent(route, kind, after=last, limit=200)]
            last = feed.seq
            for event in reversed(fresh):
                payload = orjson.dumps({**event.as_json(), "time": _time(event.at)})
                await response.write(b"id: %d\nevent: live\ndata: %s\n\n" % (event.seq, payload))

    console.view("live", view)
    console.add_route(web.get(STREAM, stream))
