"""A route's request decision: its policy, then the Matrix event type its path names (one rule, used twice)."""

from __future__ import annotations

from typing import Any

import pytest

from filters import Principal
from gateway.access.rbac import AccessControl
from gateway.config.settings import parse_settings

SETTINGS = parse_settings({
    "upstreams": {"chat": {"url": "http://127.0.0.1:9"}},
    "roles": {"agent": {}, "admin": {"inherits": ["agent"]}},
    "routes": [{"name": "send", "match": {"path": "/rooms/{room}/send/{type}/{txn}", "methods": ["PUT"]},
                "upstream": "chat", "allow": ["agent"],
                "messages_allow": {"matrix": {"m.room.message": ["agent"], "m.room.power_levels": ["admin"]}}}],
})
ACCESS = AccessControl.build(SETTINGS)


def who(*roles: str) -> Principal:
    return ACCESS.roles.principal(Principal("p", frozenset(roles)))


@pytest.mark.parametrize(("roles", "params", "allowed"), [
    (("agent",), {"type": "m.room.message"}, True),
    (("agent",), {"type": "m.room.create"}, False),  # a type the rules do not list
    (("agent",), {"type": "m.room.power_levels"}, False),
    (("admin",), {"type": "m.room.power_levels"}, True),
    ((), {"type": "m.room.message"}, False),  # the route policy decides first
    (("agent",), {}, True),                   # no event type in the path: the policy alone
])
def test_matrix_event_types_are_judged_after_the_route(roles: tuple[str, ...], params: dict[str, Any],
                                                       allowed: bool) -> None:
    decision = ACCESS.routes["send"].authorize(who(*roles), "PUT", "198.51.100.1", params)
    assert decision.allowed is allowed
