"""The access-control parts of the config: roles with inheritance and per-route rules.

`Settings.roles` maps role names to `RoleSettings`; each route carries `deny`, `methods_allow`,
`networks`, `mfa`, `mode` and `messages_allow` next to its `allow`. `AccessRules.of(route)`
collects them so the policy can be compiled without knowing the rest of the route.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from filters.options import OptionsError, join

MESSAGE_KINDS = ("socketio", "matrix", "ddp")
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def _empty() -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType({})


@dataclass(frozen=True)
class RoleSettings:
    """One role: the roles it includes and the permission names it grants."""

    inherits: tuple[str, ...] = ()
    permissions: tuple[str, ...] = ()

    def validate(self, path: str) -> None:
        for i, permission in enumerate(self.permissions):
            if ":" not in permission or permission.startswith(":") or permission.endswith(":"):
                raise OptionsError(join(join(path, "permissions"), i),
                                   f"a permission is 'area:action' (like transcripts:read), got {permission!r}")


@dataclass(frozen=True)
class MessageRules:
    """Which roles or permissions may send each Socket.IO event, Matrix event type or DDP method.

    A kind without a table is not restricted; once a kind has a table, a name it does not list is
    refused unless the table has a `"*"` entry (deny by default, like routes).
    """

    socketio: Mapping[str, tuple[str, ...]] = field(default_factory=_empty)
    matrix: Mapping[str, tuple[str, ...]] = field(default_factory=_empty)
    ddp: Mapping[str, tuple[str, ...]] = field(default_factory=_empty)

    def table(self, kind: str) -> Mapping[str, tuple[str, ...]]:
        return getattr(self, kind) if kind in MESSAGE_KINDS else MappingProxyType({})


@dataclass(frozen=True)
class AccessRules:
    """Everything a route says about who may use it."""

    allow: tuple[str, ...]
    deny: tuple[str, ...] = ()
    methods_allow: Mapping[str, tuple[str, ...]] = field(default_factory=_empty)
    networks: tuple[str, ...] = ()
    mfa: Literal["required", "optional"] = "optional"
    mode: Literal["enforce", "shadow"] = "enforce"
    messages_allow: MessageRules = field(default_factory=MessageRules)

    @classmethod
    def of(cls, route: Any) -> AccessRules:
        """The rules of a `RouteSettings` (fields it does not have yet keep their defaults)."""
        base = cls(allow=tuple(route.allow))
        values = {name: getattr(route, name) for name in
                  ("deny", "methods_allow", "networks", "mfa", "mode", "messages_allow") if hasattr(route, name)}
        return cls(allow=base.allow, **values)


def check_route(rules: AccessRules, path: str, known: frozenset[str] | None) -> None:
    """Route rules that cannot be right; `known` (roles and permissions) when `roles:` is configured."""
    if not rules.allow:
        raise OptionsError(join(path, "allow"),
                           "must list at least one role (deny by default; public routes say [anonymous])")
    named: list[tuple[str, tuple[str, ...]]] = [("allow", rules.allow), ("deny", rules.deny)]
    for method, names in rules.methods_allow.items():
        if method.upper() not in HTTP_METHODS:
            raise OptionsError(join(join(path, "methods_allow"), method), f"unknown method {method!r}")
        if not names:
            raise OptionsError(join(join(path, "methods_allow"), method), "must list at least one role")
        named.append((f"methods_allow.{method}", names))
    for kind in MESSAGE_KINDS:
        for name, names in rules.messages_allow.table(kind).items():
            named.append((f"messages_allow.{kind}.{name}", names))
    for key, names in named:
        for i, name in enumerate(names):
            if known is not None and name not in known:
                raise OptionsError(join(join(path, key), i),
                                   f"unknown role or permission {name!r} (not defined under roles)")
    for i, cidr in enumerate(rules.networks):
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            raise OptionsError(join(join(path, "networks"), i), f"not an IP network: {cidr!r}") from None
