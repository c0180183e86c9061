"""Role inheritance, expanded once at startup into a frozen map role -> every role and permission.

A principal's token names its direct roles; the gateway replaces them with the expansion,
so `authorize()` and the filters (masking unmasks on `unmask:<type>`) only test set membership.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from filters import Principal
from filters.options import OptionsError, join
from gateway.access.rbac.config import RoleSettings

ANONYMOUS_ROLE = "anonymous"


_EVERYONE = frozenset({"anonymous"})


class RoleMap:
    """Frozen expansion of the `roles:` section; roles it does not define expand to themselves."""

    __slots__ = ("_expanded", "known")

    def __init__(self, expanded: Mapping[str, frozenset[str]]) -> None:
        self._expanded = MappingProxyType(dict(expanded))
        names: set[str] = set()
        for values in expanded.values():
            names |= values
        self.known: frozenset[str] = frozenset(names | {ANONYMOUS_ROLE})

    @classmethod
    def build(cls, roles: Mapping[str, RoleSettings], path: str = "roles") -> RoleMap:
        """Expand inheritance; unknown parents and cycles are config errors naming the key."""
        expanded: dict[str, frozenset[str]] = {}

        def expand(name: str, trail: tuple[str, ...]) -> frozenset[str]:
            if name in expanded:
                return expanded[name]
            role = roles[name]
            found = {name, *role.permissions}
            for i, parent in enumerate(role.inherits):
                key = join(join(join(path, name), "inherits"), i)
                if parent not in roles:
                    raise OptionsError(key, f"unknown role {parent!r} (known: {', '.join(sorted(roles))})")
                if parent in trail:
                    cycle = " -> ".join((*trail[trail.index(parent):], parent))
                    raise OptionsError(key, f"inheritance cycle: {cycle}")
                found |= expand(parent, (*trail, parent))
            expanded[name] = frozenset(found)
            return expanded[name]

        for name in roles:
            expand(name, (name,))
        return cls(expanded)

    @property
    def configured(self) -> bool:
        return bool(self._expanded)

    def expand(self, roles: Iterable[str]) -> frozenset[str]:
        """Direct roles -> roles and permissions. Permission names in a token are dropped: permissions
        come only from this config, never straight from an identity provider's claims."""
        out: set[str] = set()
        for role in roles:
            if ":" in role:
                continue
            out |= self._expanded.get(role, frozenset((role,)))
        return frozenset(out)

    def principal(self, principal: Principal) -> Principal:
        """The same principal with its roles replaced by their expansion (what filters see).

        Everyone also holds `anonymous`: a public route (`allow: [anonymous]`) is open to signed-in
        callers too; to keep them out, say `deny: [some role]`.
        """
        roles = self.expand(principal.roles) | _EVERYONE
        return principal if roles == principal.roles else dataclasses.replace(principal, roles=roles)
