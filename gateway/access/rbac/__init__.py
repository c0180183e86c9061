"""Role-based access control: roles with inheritance, route rules, per-message rules.

Startup: `check_access(settings)` validates, `AccessControl.build(settings)` compiles.
Per request: `roles.principal(p)` expands roles, `authorize(p, policy, method, client)`
decides, `record(...)` audits denials. Per client message: `allow_message(...)`.
"""

from gateway.access.rbac.compiled import AccessControl, RouteAccess, check_access
from gateway.access.rbac.config import AccessRules, MessageRules, RoleSettings
from gateway.access.rbac.messages import MessagePolicy, allow_message
from gateway.access.rbac.policy import STEP_UP, Decision, RoutePolicy, authorize, explain
from gateway.access.rbac.record import record
from gateway.access.rbac.roles import RoleMap

__all__ = [
    "STEP_UP", "AccessControl", "AccessRules", "Decision", "MessagePolicy", "MessageRules", "RoleMap",
    "RoleSettings", "RouteAccess", "RoutePolicy", "allow_message", "authorize", "check_access", "explain",
    "record",
]
