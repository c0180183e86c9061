"""Route decisions: pure functions over rules compiled once per route.

`authorize()` runs on every request, so everything it needs (expanded name sets, parsed
networks, upper-cased methods) is prepared by `RoutePolicy.build` at startup. The returned
`Decision` names the rule that made it; `explain()` turns it into one line for operators,
the audit entry and `chatguard explain`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Set
from dataclasses import dataclass, field
from types import MappingProxyType

from filters import Principal
from gateway.access.rbac.config import AccessRules
from gateway.access.rbac.roles import ANONYMOUS_ROLE

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
STEP_UP = "step-up required"
_ALLOWED_CACHE = 1024  # role sets remembered per route


@dataclass(frozen=True, slots=True)
class Decision:
    """Outcome of one access check. `allowed` is what the gateway does; `shadow` marks a denial
    that was only logged because the route runs in shadow mode."""

    allowed: bool
    status: int
    rule: str
    reason: str
    shadow: bool = False

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def error(self) -> str:
        """The client-facing message (no rule details: those go to the audit log)."""
        if self.status == 401 and self.reason == STEP_UP:
            return STEP_UP
        return {401: "authentication required", 403: "forbidden"}.get(self.status, "")


@dataclass(frozen=True, slots=True)
class RoutePolicy:
    route: str
    allow: frozenset[str]
    deny: frozenset[str]
    methods: Mapping[str, frozenset[str]]
    networks: tuple[Network, ...]
    mfa: bool
    shadow: bool
    # Allow decisions by the caller's roles, made once (a reason string sorted and joined per request
    # otherwise); bounded, since role sets come from tokens.
    _allowed: dict[frozenset[str], Decision] = field(default_factory=dict, compare=False, repr=False)

    def allowed(self, roles: frozenset[str]) -> Decision:
        """The decision for `roles` that passed every rule."""
        decision = self._allowed.get(roles)
        if decision is None:
            decision = Decision(True, 200, "allow", f"allowed by {_names(roles & self.allow)}")
            if len(self._allowed) >= _ALLOWED_CACHE:
                self._allowed.clear()
            self._allowed[roles] = decision
        return decision

    @classmethod
    def build(cls, route: str, rules: AccessRules) -> RoutePolicy:
        return cls(
            route=route,
            allow=frozenset(rules.allow),
            deny=frozenset(rules.deny),
            methods=MappingProxyType({m.upper(): frozenset(n) for m, n in rules.methods_allow.items()}),
            networks=tuple(ipaddress.ip_network(c, strict=False) for c in rules.networks),
            mfa=rules.mfa == "required",
            shadow=rules.mode == "shadow",
        )


def _names(found: Set[str]) -> str:
    return ", ".join(sorted(found))


def _in_networks(client: str | None, networks: tuple[Network, ...]) -> bool:
    if client is None:
        return False
    try:
        address = ipaddress.ip_address(client.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in networks)


def _evaluate(policy: RoutePolicy, principal: Principal, method: str, client: str | None) -> Decision | None:
    """The first rule that refuses, in a fixed order; None when every rule passes."""
    roles = principal.roles
    anonymous = principal.anonymous
    if policy.networks and not _in_networks(client, policy.networks):
        return Decision(False, 403, "networks", f"client {client or 'unknown'} is outside the route's networks")
    hit = roles & policy.deny
    if hit:
        return Decision(False, 403, "deny", f"denied by {_names(hit)}")
    if roles.isdisjoint(policy.allow):
        return Decision(False, 401 if anonymous else 403, "allow",
                        f"none of the roles ({_names(roles)}) is in allow ({_names(policy.allow)})")
    needed = policy.methods.get(method.upper())
    if needed is not None and roles.isdisjoint(needed):
        return Decision(False, 401 if anonymous else 403, f"methods_allow.{method.upper()}",
                        f"{method.upper()} needs one of {_names(needed)}")
    if policy.mfa and not principal.mfa:
        return Decision(False, 401, "mfa", STEP_UP)
    return None


def authorize(principal: Principal, policy: RoutePolicy | Set[str], method: str = "GET",
              client: str | None = None) -> Decision:
    """Decide one request. `principal.roles` must already be expanded (see `RoleMap.principal`).

    Shadow mode logs what would be refused and lets it through, except that it never opens a
    non-public route to callers without credentials.
    """
    if not isinstance(policy, RoutePolicy):
        policy = RoutePolicy("", frozenset(policy), frozenset(), MappingProxyType({}), (), False, False)
    refused = _evaluate(policy, principal, method, client)
    if refused is None:
        return policy.allowed(principal.roles)
    opens_to_anonymous = principal.anonymous and ANONYMOUS_ROLE not in policy.allow
    if policy.shadow and not opens_to_anonymous:
        return Decision(True, 200, refused.rule, refused.reason, shadow=True)
    return refused


def explain(decision: Decision) -> str:
    """One line: the outcome and the rule that made it."""
    if decision.shadow:
        outcome = "ALLOW (shadow mode; enforced it would DENY)"
    elif decision.allowed:
        outcome = "ALLOW"
    else:
        outcome = f"DENY {decision.status}"
    return f"{outcome} by rule {decision.rule}: {decision.reason}"
