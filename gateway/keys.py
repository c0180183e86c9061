"""Typed keys for what the gateway stores on its aiohttp application (no module globals)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from gateway.audit import AuditWriter
    from gateway.auth import Identifier
    from gateway.config.status import ConfigStatus
    from gateway.e2ee.fields import FieldCrypto
    from gateway.edge.guard import ConnectionGuard
    from gateway.enforce.countermeasures import Responder
    from gateway.enforce.transcribe import Transcriber
    from gateway.metrics import Metrics
    from gateway.proxy.connections import Connections, GatewaySlots
    from gateway.runtime.runtime import RuntimeHolder
    from gateway.state import StateStore
    from gateway.tls.server import ServerTLS
    from gateway.transcripts.mount import Transcripts

RUNTIME: web.AppKey[RuntimeHolder] = web.AppKey("chatguard.runtime")
METRICS: web.AppKey[Metrics] = web.AppKey("chatguard.metrics")
WS_CONNECTIONS: web.AppKey[Connections] = web.AppKey("chatguard.ws_connections")
# Under --workers N: the supervisor, asked for a WebSocket slot of the gateway as a whole (caps across workers).
WS_SLOTS: web.AppKey[GatewaySlots] = web.AppKey("chatguard.ws_slots")
STATE: web.AppKey[StateStore] = web.AppKey("chatguard.state")
IDENTIFIER: web.AppKey[Identifier | None] = web.AppKey("chatguard.identifier")
AUDIT: web.AppKey[AuditWriter | None] = web.AppKey("chatguard.audit")
RESPONDER: web.AppKey[Responder] = web.AppKey("chatguard.responder")
SERVER_TLS: web.AppKey[ServerTLS | None] = web.AppKey("chatguard.server_tls")
GUARD: web.AppKey[ConnectionGuard] = web.AppKey("chatguard.guard")
TRANSCRIBER: web.AppKey[Transcriber] = web.AppKey("chatguard.transcriber")
TRANSCRIPTS: web.AppKey[Transcripts] = web.AppKey("chatguard.transcripts")
FIELD_CRYPTO: web.AppKey[FieldCrypto] = web.AppKey("chatguard.field_crypto")  # only when a route seals fields
CONFIG_STATUS: web.AppKey[ConfigStatus] = web.AppKey("chatguard.config_status")  # hash in service, rejected reloads
