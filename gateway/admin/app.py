"""The admin listener: probes and metrics, the ban and quarantine endpoints, the admin API and the console."""

from __future__ import annotations

import asyncio

from aiohttp import web

from gateway.admin import api, bans, console, transcripts
from gateway.admin.probes import add_probe_routes
from gateway.edge.framing import framing_middleware
from gateway.keys import STATE


def build_admin_app(gateway_app: web.Application, draining: asyncio.Event | None = None) -> web.Application:
    """Admin endpoints read the gateway app's runtime and metrics; they never proxy anything."""
    admin = web.Application(middlewares=[framing_middleware])
    add_probe_routes(admin, gateway_app, draining=draining)
    bans.bind_store(admin, gateway_app[STATE])
    bans.bind_gateway(admin, gateway_app)  # released quarantined messages go to their route's upstream
    api.mount(admin, gateway_app)  # /admin/*: behind the admin role and 2FA
    transcripts.mount(admin, gateway_app)  # /admin/transcripts/*: behind transcripts:* permissions and 2FA
    console.mount(admin, gateway_app)  # /admin/ui/*: the console, and the sign-in pages it needs
    return admin
