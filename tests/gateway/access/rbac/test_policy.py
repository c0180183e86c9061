"""Route decisions: allow, deny wins, methods, networks, step-up, shadow mode, and the explanation."""

from __future__ import annotations

from typing import Any

import pytest

from filters import ANONYMOUS, Principal
from filters.options import bind
from gateway.access.rbac import AccessRules, RoutePolicy, authorize, explain

AGENT = Principal("ann", frozenset({"agent", "visitor", "transcripts:read"}), mfa=True)
AGENT_NO_MFA = Principal("ann", frozenset({"agent", "visitor", "transcripts:read"}))
ADMIN = Principal("root", frozenset({"admin", "agent", "visitor", "admin:bans"}), mfa=True)
INTERN = Principal("ivy", frozenset({"agent", "intern", "visitor"}), mfa=True)


def policy(**rules: Any) -> RoutePolicy:
    rules.setdefault("allow", ["agent"])
    return RoutePolicy.build("r", bind(AccessRules, rules, "routes[0]"))


@pytest.mark.parametrize(("who", "rules", "method", "client", "status", "rule"), [
    (AGENT, {}, "GET", "10.0.0.1", 200, "allow"),
    (ANONYMOUS, {}, "GET", "10.0.0.1", 401, "allow"),
    (ANONYMOUS, {"allow": ["anonymous"]}, "GET", None, 200, "allow"),
    (AGENT, {"allow": ["transcripts:read"]}, "GET", None, 200, "allow"),
    (Principal("v", frozenset({"visitor"})), {}, "GET", None, 403, "allow"),
    (INTERN, {"deny": ["intern"]}, "GET", None, 403, "deny"),
    (AGENT, {"deny": ["transcripts:read"]}, "GET", None, 403, "deny"),
    (AGENT, {"methods_allow": {"PUT": ["admin"]}}, "GET", None, 200, "allow"),
    (AGENT, {"methods_allow": {"PUT": ["admin"]}}, "put", None, 403, "methods_allow.PUT"),
    (ADMIN, {"methods_allow": {"PUT": ["admin"]}}, "PUT", None, 200, "allow"),
    (AGENT, {"networks": ["10.0.0.0/8"]}, "GET", "10.1.2.3", 200, "allow"),
    (AGENT, {"networks": ["10.0.0.0/8"]}, "GET", "::ffff:10.1.2.3", 200, "allow"),
    (AGENT, {"networks": ["10.0.0.0/8"]}, "GET", "192.168.0.1", 403, "networks"),
    (AGENT, {"networks": ["10.0.0.0/8"]}, "GET", None, 403, "networks"),
    (AGENT, {"networks": ["10.0.0.0/8"]}, "GET", "not-an-ip", 403, "networks"),
    (AGENT, {"mfa": "required"}, "GET", None, 200, "allow"),
    (AGENT_NO_MFA, {"mfa": "required"}, "GET", None, 401, "mfa"),
])
def test_decisions(who: Principal, rules: dict[str, Any], method: str, client: str | None,
                   status: int, rule: str) -> None:
    decision = authorize(who, policy(**rules), method, client)
    assert (decision.status, decision.rule, decision.allowed) == (status, rule, status == 200)


def test_deny_wins_over_allow() -> None:
    both = Principal("x", frozenset({"agent", "suspended"}), mfa=True)
    assert authorize(both, policy(allow=["agent"], deny=["suspended"])).status == 403


def test_step_up_message_tells_the_client_to_do_2fa() -> None:
    decision = authorize(AGENT_NO_MFA, policy(mfa="required"))
    assert decision.error == "step-up required"
    assert authorize(INTERN, policy(deny=["intern"])).error == "forbidden"


@pytest.mark.parametrize(("who", "allowed", "shadow"), [
    (INTERN, True, True),             # denied by `deny`, logged only
    (AGENT, True, False),             # allowed anyway: nothing to log
    (ANONYMOUS, False, False),        # shadow never opens a non-public route to anonymous callers
])
def test_shadow_mode(who: Principal, allowed: bool, shadow: bool) -> None:
    decision = authorize(who, policy(deny=["intern"], mode="shadow"))
    assert (decision.allowed, decision.shadow) == (allowed, shadow)


def test_legacy_role_set_still_works() -> None:
    assert authorize(AGENT, frozenset({"agent"}))
    assert not authorize(ANONYMOUS, frozenset({"agent"}))


@pytest.mark.parametrize(("who", "rules", "text"), [
    (AGENT, {}, "ALLOW by rule allow: allowed by agent"),
    (INTERN, {"deny": ["intern"]}, "DENY 403 by rule deny: denied by intern"),
    (AGENT_NO_MFA, {"mfa": "required"}, "DENY 401 by rule mfa: step-up required"),
    (INTERN, {"deny": ["intern"], "mode": "shadow"}, "ALLOW (shadow mode; enforced it would DENY) by rule deny"),
])
def test_explain(who: Principal, rules: dict[str, Any], text: str) -> None:
    assert explain(authorize(who, policy(**rules))).startswith(text)
