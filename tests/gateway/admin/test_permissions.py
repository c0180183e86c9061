"""Per-area permissions on the admin listener: opt-in, `admin` always needed, wildcards per area."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from gateway.access.rbac import RoleMap, RoleSettings
from gateway.admin.app import build_admin_app
from gateway.admin.permissions import api_permission, fine_grained, holds
from gateway.keys import STATE
from tests.gateway.admin.test_api import Admin, config
from tests.helpers import run_gateway, serve_app


def test_without_admin_permissions_in_the_config_the_admin_role_does_everything() -> None:
    roles = RoleMap.build({"admin": RoleSettings(), "agent": RoleSettings()})
    assert not fine_grained(roles)
    assert holds(frozenset({"admin"}), "admin:bans", split=False)
    assert not holds(frozenset({"admin"}), "transcripts:read", split=False)  # always explicit
    assert not holds(frozenset({"agent", "admin:bans"}), "admin:bans", split=False)


@pytest.mark.parametrize(("granted", "permission", "allowed"), [
    ({"admin", "admin:bans"}, "admin:bans", True),
    ({"admin", "admin:live"}, "admin:bans", False),
    ({"admin", "admin:*"}, "admin:users", True),
    ({"admin", "admin:*"}, "transcripts:read", False),
    ({"admin"}, "transcripts:read", False),
    ({"admin", "transcripts:*"}, "transcripts:read", True),  # as the transcript API grants it
    ({"admin", "transcripts:read"}, "transcripts:read", True),
    ({"admin:*"}, "admin:bans", False),  # the permission without the role is not enough
])
def test_split_permissions(granted: set[str], permission: str, allowed: bool) -> None:
    roles = RoleMap.build({"admin": RoleSettings(), "lead": RoleSettings(inherits=("admin",), permissions=("admin:*",))})
    assert fine_grained(roles)
    assert holds(frozenset(granted), permission, split=True) is allowed


def test_api_actions_map_to_areas() -> None:
    assert api_permission("bans.lift") == "admin:bans"
    assert api_permission("quarantine.release") == "admin:quarantine"
    assert api_permission("sessions.revoke") == "admin:sessions"
    assert api_permission("users.revoke_sessions") == "admin:users"
    assert api_permission("audit.query") == "admin:audit"


async def test_the_admin_api_checks_the_same_permissions(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    cfg["roles"] = {"admin": {}, "desk": {"inherits": ["admin"], "permissions": ["admin:quarantine"]},
                    "lead": {"inherits": ["admin"], "permissions": ["admin:*"]}}
    async with run_gateway(cfg) as gw, serve_app(build_admin_app(gw.app)) as url, \
            aiohttp.ClientSession() as client:
        admin = Admin(gw, url, client)
        desk, _ = await admin.token("dora", {"desk"}, mfa=True)
        lead, _ = await admin.token("lena", {"lead"}, mfa=True)
        plain, _ = await admin.token("pat", {"admin"}, mfa=True)
        await gw.app[STATE].ban("ip:192.0.2.7", 600, "test")
        assert await admin.call("GET", "/admin/quarantine", desk) == (200, {"held": []})
        assert await admin.call("DELETE", "/admin/bans/ip:192.0.2.7", desk) == (
            403, {"error": "forbidden: needs admin:bans"})
        assert (await admin.call("GET", "/admin/sessions", plain))[0] == 403  # split: the bare role is not enough
        assert await gw.app[STATE].banned("ip:192.0.2.7") is not None
        assert await admin.call("DELETE", "/admin/bans/ip:192.0.2.7", lead) == (200, {"lifted": "ip:192.0.2.7"})
