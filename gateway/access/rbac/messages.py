"""Per-message rules: which Socket.IO events, Matrix event types and DDP methods a role may send.

The WebSocket bridge (Socket.IO, DDP) and the HTTP dispatch (Matrix `{type}` path variable) ask
`allow_message(rules, principal, kind, name)` for every client message that names an event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from filters import Principal
from gateway.access.rbac.config import MESSAGE_KINDS, MessageRules
from gateway.access.rbac.policy import Decision

WILDCARD = "*"


@dataclass(frozen=True, slots=True)
class MessagePolicy:
    """Compiled `messages_allow` of one route: kind -> name -> roles and permissions."""

    route: str
    tables: Mapping[str, Mapping[str, frozenset[str]]]
    shadow: bool = False

    @classmethod
    def build(cls, route: str, rules: MessageRules, shadow: bool = False) -> MessagePolicy:
        tables = {kind: MappingProxyType({n: frozenset(r) for n, r in rules.table(kind).items()})
                  for kind in MESSAGE_KINDS if rules.table(kind)}
        return cls(route, MappingProxyType(tables), shadow)

    @property
    def restricts(self) -> bool:
        return bool(self.tables)


def allow_message(rules: MessagePolicy, principal: Principal, kind: str, name: str) -> Decision:
    """Decide one client message. Unknown kinds are refused: a caller asking about a kind this
    module does not know is a wiring error, and the safe answer is no."""
    rule = f"messages_allow.{kind}"
    if kind not in MESSAGE_KINDS:
        return Decision(False, 403, rule, f"unknown message kind {kind!r}")
    table = rules.tables.get(kind)
    if table is None:
        return Decision(True, 200, rule, f"{kind} messages are not restricted on this route")
    needed = table.get(name)
    key = f"{rule}.{name}"
    if needed is None:
        needed = table.get(WILDCARD)
        key = f"{rule}.{WILDCARD}"
    if needed is None:
        refused = Decision(False, 403, rule, f"{kind} {name!r} is not listed")
    elif principal.roles.isdisjoint(needed):
        refused = Decision(False, 403, key, f"{kind} {name!r} needs one of {', '.join(sorted(needed))}")
    else:
        return Decision(True, 200, key, f"{kind} {name!r} allowed by {', '.join(sorted(principal.roles & needed))}")
    if rules.shadow:
        return Decision(True, 200, refused.rule, refused.reason, shadow=True)
    return refused
