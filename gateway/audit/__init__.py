"""Tamper-evident audit trail: hash-chained JSON lines with signed checkpoints.

`AuditWriter` takes events without blocking the request path; `install_handler`
routes the `chatguard.audit` logger into it; `verify.main` is `chatguard audit verify`.
"""

from gateway.audit.chain import AuditChain, ChainError
from gateway.audit.config import AuditSettings, PostgresAuditSettings
from gateway.audit.handler import AuditLogHandler, install_handler, remove_handler
from gateway.audit.writer import AuditWriter

__all__ = [
    "AuditChain", "AuditLogHandler", "AuditSettings", "AuditWriter", "ChainError",
    "PostgresAuditSettings", "install_handler", "remove_handler",
]
