"""Config checks and compilation through the real settings path; denials in the audit log."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

import pytest

from filters import Principal
from filters.options import OptionsError, bind
from gateway.access.rbac import AccessControl, AccessRules, RoleSettings, authorize, check_access, record

ROLES = {"visitor": {}, "agent": {"inherits": ["visitor"], "permissions": ["transcripts:read"]}}


def settings(routes: list[dict[str, Any]], roles: dict[str, Any] | None = None) -> SimpleNamespace:
    """A stand-in for `Settings` holding only what access control reads (roles, routes)."""
    bound = [SimpleNamespace(name=f"route-{i}", **vars(bind(AccessRules, r, f"routes[{i}]")))
             for i, r in enumerate(routes)]
    return SimpleNamespace(routes=bound, roles={n: bind(RoleSettings, b) for n, b in (roles or {}).items()})


@pytest.mark.parametrize(("route", "key"), [
    ({"allow": []}, "routes[0].allow"),
    ({"allow": ["ghost"]}, "routes[0].allow[0]"),
    ({"allow": ["agent"], "deny": ["transcripts:write"]}, "routes[0].deny[0]"),
    ({"allow": ["agent"], "networks": ["10.0.0.0/33"]}, "routes[0].networks[0]"),
    ({"allow": ["agent"], "methods_allow": {"FETCH": ["agent"]}}, "routes[0].methods_allow.FETCH"),
    ({"allow": ["agent"], "messages_allow": {"socketio": {"msg": ["ghost"]}}},
     "routes[0].messages_allow.socketio.msg[0]"),
])
def test_config_errors_name_the_key(route: dict[str, Any], key: str) -> None:
    with pytest.raises(OptionsError) as err:
        check_access(settings([route], ROLES))
    assert err.value.path == key


def test_roles_may_be_unconfigured() -> None:
    check_access(settings([{"allow": ["anything"]}]))


def test_compiled_per_route() -> None:
    access = AccessControl.build(settings([{"allow": ["transcripts:read"], "mfa": "required"}], ROLES))
    agent = access.roles.principal(Principal("ann", frozenset({"agent"}), mfa=True))
    assert authorize(agent, access.routes["route-0"].policy).allowed


def test_denials_are_audited_without_tokens(caplog: pytest.LogCaptureFixture) -> None:
    access = AccessControl.build(settings([{"allow": ["agent"]}, {"allow": ["agent"], "deny": ["visitor"],
                                                                   "mode": "shadow"}], ROLES))
    who = Principal("vic", frozenset({"visitor"}))
    with caplog.at_level(logging.INFO, logger="chatguard.audit"):
        record(authorize(who, access.routes["route-0"].policy, "PUT"), who, "route-0", "PUT", request_id="r1")
        agent = access.roles.principal(Principal("ann", frozenset({"agent"})))
        record(authorize(agent, access.routes["route-1"].policy), agent, "route-1", "GET")
        record(authorize(agent, access.routes["route-0"].policy), agent, "route-0", "GET")
    events = [(r.event, r.rule, r.route, r.method) for r in caplog.records]  # type: ignore[attr-defined]
    assert events == [("authz.deny", "allow", "route-0", "PUT"), ("authz.shadow_deny", "deny", "route-1", "GET")]
    assert caplog.records[0].roles == ["visitor"]  # type: ignore[attr-defined]


def test_allowed_requests_are_audited_on_audit_access_routes(caplog: pytest.LogCaptureFixture) -> None:
    access = AccessControl.build(settings([{"allow": ["agent"]}], ROLES))
    agent = access.roles.principal(Principal("ann", frozenset({"agent"}), mfa=True))
    with caplog.at_level(logging.INFO, logger="chatguard.audit"):
        record(authorize(agent, access.routes["route-0"].policy), agent, "route-0", "GET", request_id="r9",
               audit_access=True, path="/records/patient-7")
        record(authorize(agent, access.routes["route-0"].policy), agent, "route-0", "GET")   # not marked: quiet
    [entry] = caplog.records
    assert (entry.event, entry.subject, entry.path, entry.request_id) == (  # type: ignore[attr-defined]
        "access.allow", "ann", "/records/patient-7", "r9")
