"""Access decisions to the `chatguard.audit` logger, with the rule that made them and never a token.

Denials always; allowed requests too on routes marked `audit_access: true` (records, PHI), so
the trail shows who read what, not only who was turned away.
"""

from __future__ import annotations

import logging

from filters import Principal
from gateway.access.rbac.policy import Decision

audit = logging.getLogger("chatguard.audit")


def record(decision: Decision, principal: Principal, route: str, method: str, *,
           request_id: str = "", client: str = "", event_name: str = "", audit_access: bool = False,
           path: str = "") -> None:
    """Log a denial (`authz.deny`), a shadow-mode denial (`authz.shadow_deny`), or, with
    `audit_access`, an allowed request (`access.allow`); other allows stay quiet."""
    if decision.allowed and not decision.shadow:
        if not audit_access:
            return
        event = "access.allow"
    else:
        event = "authz.shadow_deny" if decision.shadow else "authz.deny"
    fields: dict[str, object] = {
        "event": event, "rule": decision.rule, "reason": decision.reason, "status": decision.status,
        "subject": principal.subject, "roles": sorted(principal.roles), "mfa": principal.mfa,
        "route": route, "method": method,
    }
    if request_id:
        fields["request_id"] = request_id
    if client:
        fields["client"] = client
    if event_name:
        fields["event_name"] = event_name  # the Socket.IO event / Matrix type / DDP method refused
    if path:
        fields["path"] = path
    if event == "access.allow":
        audit.info("access allowed", extra=fields)
        return
    audit.warning("access denied" if not decision.shadow else "access would be denied", extra=fields)
