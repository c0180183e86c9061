"""Access decisions on routes. Pure functions: no I/O, so every decision is testable."""

from __future__ import annotations

from collections.abc import Set

from filters import Principal


def authorize(principal: Principal, allow: Set[str]) -> bool:
    """Deny by default: allowed only if the principal holds a role the route lists."""
    return not principal.roles.isdisjoint(allow)
