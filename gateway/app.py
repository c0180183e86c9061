"""build_app(settings): wiring only (the request path itself is gateway/edge/dispatch.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web
from aiohttp.typedefs import Middleware

from gateway.audit import AuditWriter, install_handler, remove_handler
from gateway.auth import AUTH, AuthRoutes, AuthService, Identifier, auth_context
from gateway.auth.external import ExternalIssuers
from gateway.config.preflight import builtin_issuer
from gateway.config.settings import Settings
from gateway.config.status import ConfigStatus
from gateway.database import open_database
from gateway.e2ee.fields import FieldCrypto
from gateway.edge.client_address import client_address
from gateway.edge.dispatch import handle
from gateway.edge.expectations import answer_expectation
from gateway.edge.guard import ConnectionGuard
from gateway.edge.hop import hop_middleware
from gateway.enforce.alerts import AlertSender
from gateway.enforce.countermeasures import Responder
from gateway.enforce.transcribe import Transcriber
from gateway.event_metrics import event_counter_context
from gateway.keyring import build_key_service
from gateway.keys import (
    AUDIT,
    CONFIG_STATUS,
    FIELD_CRYPTO,
    GUARD,
    IDENTIFIER,
    METRICS,
    RESPONDER,
    RUNTIME,
    SERVER_TLS,
    STATE,
    TRANSCRIBER,
    TRANSCRIPTS,
    WS_CONNECTIONS,
)
from gateway.metrics import Metrics
from gateway.proxy import websocket
from gateway.proxy.connections import Connections
from gateway.proxy.live_checks import LiveChecks
from gateway.runtime.runtime import Runtime, RuntimeHolder
from gateway.state import StateStore, open_store
from gateway.tls.security_headers import hide_server_software, security_headers_hook
from gateway.tls.settings import HSTSSettings
from gateway.transcripts import mount as transcripts


def _mount_responder(app: web.Application, settings: Settings, store: StateStore) -> Responder:
    """Bans, throttles, quarantine and signed webhook alerts that filter verdicts can ask for."""
    alerts = AlertSender(settings.alerts, metrics=app[METRICS]) if settings.alerts.webhooks else None
    if alerts is not None:
        async def alerts_ctx(app: web.Application) -> AsyncIterator[None]:
            await alerts.start()
            yield
            await alerts.aclose()

        app.cleanup_ctx.append(alerts_ctx)
    return Responder(store, settings.responses, alerts)


def _mount_audit(app: web.Application, settings: Settings) -> AuditWriter | None:
    """The hash-chained audit file: every `chatguard.audit` log record goes to it. Off without `audit.path`."""
    if not settings.audit.enabled:
        return None
    failures = app[METRICS].audit_failures
    writer = AuditWriter(settings.audit, depth=app[METRICS].audit_queue.set,
                         failed=lambda kind: failures.labels(kind).inc())

    async def audit_ctx(app: web.Application) -> AsyncIterator[None]:
        await writer.start()  # a chain that cannot be opened stops startup
        handler = install_handler(writer)
        yield
        remove_handler(handler)
        await writer.aclose()

    app.cleanup_ctx.append(audit_ctx)
    return writer


def _mount_auth(app: web.Application, settings: Settings, store: StateStore) -> Identifier | None:
    """Who is calling: the built-in identity provider (`/auth/*`, the JWKS) and external issuers.

    External issuers alone (no signing keys, or `enabled: false`) need neither: their tokens are
    verified against their key sets, fetched before the listener opens. Off without `auth:`."""
    auth = settings.auth
    if auth is None or not auth.enabled and not auth.external:
        return None
    if not builtin_issuer(settings):
        identifier = Identifier(None, auth, ExternalIssuers(auth.external))

        async def external_ctx(app: web.Application) -> AsyncIterator[None]:
            await identifier.external.start(required=True)
            yield
            await identifier.external.aclose()

        app.cleanup_ctx.append(external_ctx)
        return identifier
    # Who one client is (`clients:`) as the config in service says: a reload changes it for the sign-in
    # limits, lockouts and bans as for the proxied routes and the connection caps.
    def client_key(address: str) -> str:
        return app[RUNTIME].current.settings.clients.key(address)

    service = AuthService.from_settings(auth, store, client_key=client_key)
    app[AUTH] = service
    app.cleanup_ctx.append(auth_context(service))
    # `trusted_proxies` of the config in service (a reload changes them), as the proxied routes read them.
    app.add_routes(AuthRoutes(service, client_of=lambda r: client_address(
        r.remote, r.headers, r.app[RUNTIME].current.trusted)).routes())
    return Identifier(service)


def _mount_transcripts(app: web.Application, settings: Settings) -> None:
    """The transcript sink and retention worker, after masking (`transcripts:`). Off without a database."""
    alerts = app[RESPONDER].alerts
    built = transcripts.build(settings, app[METRICS].registry, notify=alerts.submit if alerts is not None else None)
    if built is None:
        return
    app[TRANSCRIPTS] = built
    app[TRANSCRIBER] = Transcriber(built.sink)
    app.cleanup_ctx.append(built.context())


def _mount_field_crypto(app: web.Application, settings: Settings) -> None:
    """The key service for `encrypt_fields` (the transcripts' one when they run, else opened at start with its
    table migrated); only when a route seals fields."""
    if not any(route.encrypt_fields.declared for route in settings.routes):
        return
    shared = app.get(TRANSCRIPTS)
    if shared is not None and shared.parts.keys is not None:  # one key service: the transcripts' own
        app[FIELD_CRYPTO] = FieldCrypto(shared.parts.keys)
        return
    url = settings.keys.store or settings.transcripts.database  # validated: one of them is set
    db = open_database(url)
    keys = build_key_service(settings.keys, db)
    app[FIELD_CRYPTO] = FieldCrypto(keys)

    async def keys_ctx(app: web.Application) -> AsyncIterator[None]:
        await db.open()  # a key store that cannot be opened stops startup: never store plaintext
        await keys.setup()
        yield
        await db.aclose()

    app.cleanup_ctx.append(keys_ctx)


def build_app(settings: Settings, hop_secret: str | None = None) -> web.Application:
    """Assemble once: runtime (routes, pools, filter chains), metrics, cleanup of every resource."""
    limits = settings.limits
    hide_server_software()  # `Server: chatguard` on every answer of every listener, not Python's and aiohttp's
    metrics = Metrics(settings.attacksim_report)
    # Deadlines and connection caps; gateway.edge.listener puts it in front of every client connection.
    guard = ConnectionGuard(limits, settings.trusted_networks, metrics, client_key=settings.clients.key)
    # Intercepting mode: only this process's mitmproxy addon may use the loopback listener (gateway.edge.hop).
    middlewares: list[Middleware] = [guard.middleware]  # it checks every request's framing too, pages included
    if hop_secret is not None:
        middlewares.append(hop_middleware(hop_secret))
    app = web.Application(client_max_size=limits.max_body, middlewares=middlewares, handler_args={
        "max_field_size": limits.max_header_size,
        "max_line_size": limits.max_header_size,
        # Bodies are relayed as sent: inflating them here would forward bytes that no longer match
        # their Content-Encoding and Content-Length. Inspected routes refuse compressed bodies instead.
        "auto_decompress": False,
        # The guard closes idle connections at idle_timeout; aiohttp's own timer is the backstop.
        "keepalive_timeout": float(limits.idle_timeout) + float(limits.header_timeout),
        # After an early answer, the rest of an unread body is drained (then the connection closes).
        "lingering_time": min(float(limits.body_timeout), 5.0),
    })
    app[GUARD] = guard
    # Rate counters the memory backend evicts to stay within its bounds are counted.
    app[STATE] = store = open_store(settings.state, on_evict=lambda reason: metrics.state_evictions.labels(reason).inc(),
                                    on_error=metrics.state_errors.inc)
    app[RUNTIME] = RuntimeHolder(Runtime(settings, store, metrics.pool_watch, metrics.file_watch))
    app[METRICS] = metrics
    app[CONFIG_STATUS] = status = ConfigStatus.loaded(settings.source)
    metrics.config_loaded(status.hash)
    app.cleanup_ctx.append(event_counter_context(metrics))  # sign-in outcomes and threat responses, as audited
    app[WS_CONNECTIONS] = Connections()

    async def runtime_ctx(app: web.Application) -> AsyncIterator[None]:
        await app[RUNTIME].current.start()
        yield
        await app[RUNTIME].aclose()
        await app[STATE].aclose()

    app[SERVER_TLS] = None  # set by gateway.server when the listener terminates TLS
    app[AUDIT] = _mount_audit(app, settings)
    app[RESPONDER] = _mount_responder(app, settings, store)
    app.cleanup_ctx.append(runtime_ctx)
    _mount_transcripts(app, settings)
    _mount_field_crypto(app, settings)
    app[IDENTIFIER] = _mount_auth(app, settings, store)
    # Bans, logouts and expiry reach WebSockets that are already open, on every instance sharing the store.
    app.cleanup_ctx.append(LiveChecks(app[WS_CONNECTIONS], store, app.get(AUTH)).context())
    hsts = settings.listen.tls.hsts if settings.listen.tls is not None else HSTSSettings(enabled=False)
    app.on_response_prepare.append(security_headers_hook(hsts))
    app.on_shutdown.append(websocket.close_all)
    app.router.add_route("*", "/{tail:.*}", handle, expect_handler=answer_expectation)
    return app
