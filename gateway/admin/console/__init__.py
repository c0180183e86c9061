"""The admin console: server-rendered pages under `/admin/ui/` on the admin listener.

It needs the built-in sign-in (`auth:`): the sign-in pages are served on the admin listener too, so
an operator signs in (password, then TOTP) where the console lives. Pages: Live, Bans and throttles,
Quarantine, Sessions, Users, Policy, Audit, Transcripts, Reports; one module each, registered on a `Console` (`frame`). Each area checks its permission
(`gateway.admin.permissions`), every form carries a CSRF token and every action is audited.
"""

from __future__ import annotations

from aiohttp import web

from gateway.admin.console import audit, bans, live, people, policy, quarantine, reports, transcripts
from gateway.admin.console.feed import LiveFeed
from gateway.admin.console.frame import ROOT, Console
from gateway.auth import AUTH
from gateway.auth.pages import page_routes
from gateway.keys import IDENTIFIER, RUNTIME

__all__ = ["ROOT", "mount"]


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

    async def attach(_: web.Application) -> None:
        feed.attach()

    async def detach(_: web.Application) -> None:
        feed.detach()  # open event streams end now, so shutdown does not wait for them

    admin.on_startup.append(attach)
    admin.on_shutdown.append(detach)
    return console
