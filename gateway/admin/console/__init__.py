"""The admin console: server-rendered pages under `/admin/ui/` on the admin listener.

It needs the built-in sign-in (`auth:`): the sign-in pages are served on the admin listener too, so
an operator signs in (password, then TOTP) where the console lives. Pages: Live, Bans and throttles,
Quarantine, Sessions, Users, Policy, Audit, Transcripts, Reports; one module each, registered on a
`Console` (`frame`). Each area checks its permission (`gateway.admin.permissions`), every form
carries a CSRF token and every action is audited.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiohttp import web

from gateway.admin.console import audit, bans, live, people, policy, quarantine, reports, transcripts
from gateway.admin.console.feed import LiveFeed
from gateway.admin.console.frame import ROOT, Console
from gateway.admin.console.history import audit_entries
from gateway.admin.console.siblings import Follower, sibling_files
from gateway.auth import AUTH
from gateway.auth.pages import page_routes
from gateway.keys import IDENTIFIER, RUNTIME

__all__ = ["ROOT", "mount"]

SEED = 2000  # audit entries read at start for the Live page and its charts


async def follow(follower: Follower, feed: LiveFeed, every: float = 1.0) -> None:
    """Add the other workers' new audit entries to this worker's feed, once a second."""
    while True:
        await asyncio.sleep(every)
        for entry in await asyncio.to_thread(follower.poll):
            feed.seed([entry])


def mount(admin: web.Application, gateway_app: web.Application) -> Console | None:
    """Add the console and the sign-in pages to the admin listener's app; None without built-in sign-in."""
    service = gateway_app.get(AUTH)
    identifier = gateway_app.get(IDENTIFIER)
    if service is None or identifier is None:
        return None
    audit_path = gateway_app[RUNTIME].current.settings.audit.path
    console = Console(admin, gateway_app, service, identifier)
    feed = LiveFeed()
    live.install(console, feed)
    bans.install(console, feed, audit_path)
    quarantine.install(console)
    people.install(console)
    policy.install(console)
    audit.install(console)
    transcripts.install(console)
    reports.install(console)
    admin.add_routes(page_routes(service, identifier))
    admin.add_routes(console.routes)

    workers = gateway_app[RUNTIME].current.settings.workers
    follower = Follower(Path(audit_path)) if audit_path and workers > 1 else None
    tasks: list[asyncio.Task[None]] = []

    async def attach(_: web.Application) -> None:
        siblings = await asyncio.to_thread(sibling_files, Path(audit_path)) if follower else []
        files = [audit_path, *(str(p) for p in siblings)]
        seeded = [e for path in files for e in await audit_entries(path, None, SEED)]
        feed.seed(sorted(seeded, key=lambda e: str(e.get("ts", ""))))
        feed.attach()
        if follower is not None:
            await asyncio.to_thread(follower.skip_to_end)
            tasks.append(asyncio.get_running_loop().create_task(follow(follower, feed), name="chatguard-live-follow"))

    async def detach(_: web.Application) -> None:
        for task in tasks:
            task.cancel()
        feed.detach()  # open event streams end now, so shutdown does not wait for them

    admin.on_startup.append(attach)
    admin.on_shutdown.append(detach)
    return console
