"""Everything access control needs at run time, built once from validated settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from filters import Principal
from filters.options import join
from gateway.access.rbac.config import AccessRules, RoleSettings, check_route
from gateway.access.rbac.messages import MessagePolicy, allow_message
from gateway.access.rbac.policy import Decision, RoutePolicy, authorize
from gateway.access.rbac.roles import RoleMap


def _roles_of(settings: Any) -> Mapping[str, RoleSettings]:
    return getattr(settings, "roles", MappingProxyType({}))


def check_access(settings: Any, path: str = "") -> None:
    """Config checks for `Settings.validate`: role inheritance, then every route's rules."""
    roles = RoleMap.build(_roles_of(settings), join(path, "roles"))
    known = roles.known if roles.configured else None
    for i, route in enumerate(settings.routes):
        check_route(AccessRules.of(route), join(join(path, "routes"), i), known)


@dataclass(frozen=True, slots=True)
class RouteAccess:
    """One route's compiled rules: the request policy and the per-message policy."""

    policy: RoutePolicy
    messages: MessagePolicy

    def authorize(self, principal: Principal, method: str, client: str | None,
                  params: Mapping[str, str]) -> Decision:
        """Decide one request: the route's policy, then, on a route with Matrix event rules, the event
        type its path names (`{type}`), so a PUT of `m.room.power_levels` is judged as that event."""
        decision = authorize(principal, self.policy, method, client)
        event_type = params.get("type")
        if decision.allowed and event_type is not None and "matrix" in self.messages.tables:
            return allow_message(self.messages, principal, "matrix", event_type)
        return decision


@dataclass(frozen=True, slots=True)
class AccessControl:
    roles: RoleMap
    routes: Mapping[str, RouteAccess]

    @classmethod
    def build(cls, settings: Any) -> AccessControl:
        roles = RoleMap.build(_roles_of(settings))
        routes = {}
        for route in settings.routes:
            rules = AccessRules.of(route)
            routes[route.name] = RouteAccess(RoutePolicy.build(route.name, rules),
                                             MessagePolicy.build(route.name, rules.messages_allow,
                                                                 shadow=rules.mode == "shadow"))
        return cls(roles, MappingProxyType(routes))
