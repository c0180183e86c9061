"""Access decisions to the `chatguard.audit` logger, with the rule that made them and never a token.

Denials always; allowed requests too on routes marked `audit_access: true` (records, PHI), so
the trail shows who read what, not only who was turned away. `access_record` is the entry as a
value (per-message decisions carry it in their `Enforcement`); `record` writes it at once.
"""

from __future__ import annotations

import logging

from filters import Principal
from gateway.access.rbac.policy import Decision
from gateway.audit.record import AuditRecord, write_audit


def access_record(decision: Decision, principal: Principal, route: str, method: str, *,
                  request_id: str = "", client: str = "", event_name: str = "", audit_access: bool = False,
                  path: str = "") -> AuditRecord | None:
    """A denial (`authz.deny`), a shadow-mode denial (`authz.shadow_deny`), or, with `audit_access`,
    an allowed request (`access.allow`); None for other allows, which stay quiet."""
    if decision.allowed and not decision.shadow:
        if not audit_access:
            return None
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
        return AuditRecord("access allowed", fields, logging.INFO, flat=True)
    message = "access denied" if not decision.shadow else "access would be denied"
    return AuditRecord(message, fields, logging.WARNING, flat=True)


def record(decision: Decision, principal: Principal, route: str, method: str, *,
           request_id: str = "", client: str = "", event_name: str = "", audit_access: bool = False,
           path: str = "") -> None:
    """Write `access_record` now (request-level decisions)."""
    entry = access_record(decision, principal, route, method, request_id=request_id, client=client,
                          event_name=event_name, audit_access=audit_access, path=path)
    if entry is not None:
        write_audit((entry,))
