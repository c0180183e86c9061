"""Per-message rules on a Socket.IO and a Matrix route, through `allow_message`."""

from __future__ import annotations

from typing import Any

import pytest

from filters import ANONYMOUS, Principal
from filters.options import bind
from gateway.access.rbac import MessagePolicy, MessageRules, allow_message

AGENT = Principal("ann", frozenset({"agent", "visitor"}))
VISITOR = Principal("vic", frozenset({"visitor"}))

SOCKETIO: dict[str, Any] = {"socketio": {"chat message": ["visitor"], "close ticket": ["agent"]}}
MATRIX: dict[str, Any] = {"matrix": {"m.room.message": ["visitor"], "m.room.power_levels": ["admin"],
                                     "*": ["agent"]}}


def rules(raw: dict[str, Any], shadow: bool = False) -> MessagePolicy:
    return MessagePolicy.build("r", bind(MessageRules, raw, "routes[0].messages_allow"), shadow)


@pytest.mark.parametrize(("who", "name", "allowed"), [
    (VISITOR, "chat message", True),
    (VISITOR, "close ticket", False),
    (AGENT, "close ticket", True),
    (AGENT, "unlisted event", False),    # a kind with a table refuses names it does not list
    (ANONYMOUS, "chat message", False),
])
def test_socketio_events(who: Principal, name: str, allowed: bool) -> None:
    assert allow_message(rules(SOCKETIO), who, "socketio", name).allowed is allowed


@pytest.mark.parametrize(("who", "name", "allowed", "rule"), [
    (VISITOR, "m.room.message", True, "messages_allow.matrix.m.room.message"),
    (AGENT, "m.room.power_levels", False, "messages_allow.matrix.m.room.power_levels"),
    (AGENT, "m.reaction", True, "messages_allow.matrix.*"),
    (VISITOR, "m.reaction", False, "messages_allow.matrix.*"),
])
def test_matrix_event_types(who: Principal, name: str, allowed: bool, rule: str) -> None:
    decision = allow_message(rules(MATRIX), who, "matrix", name)
    assert (decision.allowed, decision.rule) == (allowed, rule)


def test_unrestricted_kind_and_unknown_kind() -> None:
    assert allow_message(rules(SOCKETIO), VISITOR, "ddp", "sendMessage").allowed
    assert not allow_message(rules(SOCKETIO), AGENT, "xmpp", "message").allowed   # fail closed
    assert not rules({}).restricts


def test_shadow_lets_through_and_marks() -> None:
    decision = allow_message(rules(SOCKETIO, shadow=True), VISITOR, "socketio", "close ticket")
    assert decision.allowed and decision.shadow
