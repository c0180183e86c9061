"""Who calls an admin endpoint: the one place the admin listener identifies its caller.

The admin API and the transcript API each decide what the caller may do; both first ask here who it
is (the gateway token or session cookie, roles expanded as the route table expands them) and answer
a refusal with the status given here.
"""

from __future__ import annotations

from typing import NamedTuple

from aiohttp import web

from filters import Principal
from gateway.access.rbac import AccessControl, RoleMap
from gateway.auth import AuthError
from gateway.keys import IDENTIFIER, RUNTIME


class Refused(NamedTuple):
    """The caller is not identified: answer `status` with `{"error": error}`."""

    status: int
    error: str


def role_map(gateway_app: web.Application) -> RoleMap:
    """The roles of the configuration serving now (reloads swap it)."""
    runtime = gateway_app[RUNTIME].current
    access = getattr(runtime, "access", None)
    if isinstance(access, AccessControl):
        return access.roles
    return AccessControl.build(runtime.settings).roles


async def admin_caller(gateway_app: web.Application, request: web.Request) -> Principal | Refused:
    """The caller's principal with its roles expanded, or why it is refused (401, or the token's own
    refusal status)."""
    identifier = gateway_app[IDENTIFIER]
    if identifier is None:
        return Refused(401, "authentication is not configured")
    try:
        identity = await identifier.identify(request)
    except AuthError as refused:
        return Refused(refused.status, refused.message)
    if identity is None:
        return Refused(401, "authentication required")
    return role_map(gateway_app).principal(identity.principal)
