"""What an operator may do on the admin listener: the `admin` role, then a permission per area.

Every console page and admin API call needs the `admin` role and 2FA. Finer permissions split the
work between people (`admin:bans` for whoever lifts bans, `transcripts:read` for whoever reads
chats). They are opt-in: while no role in the config grants any `admin:` permission, the `admin`
role may open every `admin:` area (one kind of administrator, as before). Once one does, every area
checks its permission, in the console and the API alike, so the API is no side door around a page.
Transcript permissions are always explicit, as the transcript API checks them (`transcripts:*` grants
them all); `admin:*` grants every `admin:` area.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from gateway.access.rbac import RoleMap

ADMIN_ROLE = "admin"

# Console areas and the permission each needs.
AREAS: Mapping[str, str] = MappingProxyType({
    "live": "admin:live",
    "bans": "admin:bans",
    "quarantine": "admin:quarantine",
    "sessions": "admin:sessions",
    "users": "admin:users",
    "policy": "admin:policy",
    "audit": "admin:audit",
    "transcripts": "transcripts:read",
    "reports": "admin:reports",
})


def fine_grained(roles: RoleMap) -> bool:
    """Whether the config splits admin work by permission (some role grants an `admin:` permission)."""
    return any(name.startswith("admin:") for name in roles.known)


def holds(granted: frozenset[str], permission: str, split: bool) -> bool:
    """Whether expanded roles `granted` allow `permission` (`split`: see `fine_grained`)."""
    if ADMIN_ROLE not in granted:
        return False
    area = permission.partition(":")[0]
    if area != "admin":
        return permission in granted or f"{area}:*" in granted  # as the transcript API checks them
    return not split or permission in granted or "admin:*" in granted


def api_permission(action: str) -> str:
    """The permission an admin API action (`bans.lift`, `sessions.list`, ...) needs."""
    return AREAS.get(action.partition(".")[0], "admin:" + action.partition(".")[0])
