"""Role inheritance: expansion, unknown parents and cycles as config errors, token permissions dropped."""

from __future__ import annotations

from typing import Any

import pytest

from filters import ANONYMOUS, Principal
from filters.options import OptionsError, bind
from gateway.access.rbac import RoleMap, RoleSettings

ROLES: dict[str, Any] = {
    "visitor": {},
    "agent": {"inherits": ["visitor"], "permissions": ["transcripts:read"]},
    "billing": {"inherits": ["agent"], "permissions": ["unmask:card"]},
    "admin": {"inherits": ["billing"], "permissions": ["admin:bans"]},
}


def role_map(raw: dict[str, Any]) -> RoleMap:
    return RoleMap.build({name: bind(RoleSettings, body, f"roles.{name}") for name, body in raw.items()})


@pytest.mark.parametrize(("role", "expected"), [
    ("visitor", {"visitor"}),
    ("agent", {"agent", "visitor", "transcripts:read"}),
    ("admin", {"admin", "billing", "agent", "visitor", "transcripts:read", "unmask:card", "admin:bans"}),
    ("undeclared", {"undeclared"}),
])
def test_expansion(role: str, expected: set[str]) -> None:
    assert role_map(ROLES).expand({role}) == expected


@pytest.mark.parametrize(("raw", "key", "words"), [
    ({"a": {"inherits": ["ghost"]}}, "roles.a.inherits[0]", "unknown role 'ghost'"),
    ({"a": {"inherits": ["a"]}}, "roles.a.inherits[0]", "cycle: a -> a"),
    ({"a": {"inherits": ["b"]}, "b": {"inherits": ["c"]}, "c": {"inherits": ["a"]}},
     "roles.c.inherits[0]", "cycle: a -> b -> c -> a"),
])
def test_bad_inheritance_names_the_key(raw: dict[str, Any], key: str, words: str) -> None:
    with pytest.raises(OptionsError) as err:
        role_map(raw)
    assert err.value.path == key
    assert words in err.value.problem


@pytest.mark.parametrize("permission", ["cardread", ":read", "unmask:"])
def test_permission_names_need_area_and_action(permission: str) -> None:
    with pytest.raises(OptionsError, match=r"roles\.x\.permissions\[0\]"):
        role_map({"x": {"permissions": [permission]}})


def test_principal_carries_expanded_roles_for_filters() -> None:
    expanded = role_map(ROLES).principal(Principal("bo", frozenset({"billing"}), mfa=True))
    assert "unmask:card" in expanded.roles and expanded.subject == "bo" and expanded.mfa


def test_permissions_claimed_by_a_token_are_dropped() -> None:
    """An identity provider group called `unmask:card` must not grant the permission."""
    got = role_map(ROLES).principal(Principal("eve", frozenset({"visitor", "unmask:card", "admin:bans"})))
    assert got.roles == {"visitor", "anonymous"}


def test_everyone_holds_anonymous_so_public_routes_stay_open() -> None:
    assert "anonymous" in role_map(ROLES).principal(Principal("bo", frozenset({"billing"}))).roles


def test_anonymous_is_unchanged() -> None:
    assert role_map(ROLES).principal(ANONYMOUS) == ANONYMOUS
