"""build_app(settings): wiring only. The request path is guard -> route -> authz -> forward."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Mapping

from aiohttp import web

from filters import ANONYMOUS, Principal
from gateway import http_proxy, shield, ws_proxy
from gateway.audit import AuditWriter, install_handler, remove_handler
from gateway.auth import AUTH, AuthError, AuthRoutes, AuthService, Identifier, Identity, auth_context
from gateway.auth.config import DelegateSettings
from gateway.auth.delegate import Backend as DelegateBackend
from gateway.errors import error_response
from gateway.exchange import Exchange
from gateway.forwarding import client_address, request_id_from
from gateway.identity_headers import identity_headers
from gateway.keys import AUDIT, IDENTIFIER, METRICS, RESPONDER, RUNTIME, SERVER_TLS, STATE, WS_CONNECTIONS
from gateway.metrics import Metrics
from gateway.pathnorm import PathRejected, canonicalise
from gateway.rbac import allow_message, authorize, record
from gateway.responses import AlertSender, Responder
from gateway.runtime import RoutePlan, Runtime, RuntimeHolder
from gateway.security_headers import security_headers_hook
from gateway.settings import Settings
from gateway.state import StateStore, open_store
from gateway.tls_config import HSTSSettings
from gateway.ws.registry import Connections, end_revoked_sessions

access_log = logging.getLogger("chatguard.access")


def _is_websocket(request: web.Request) -> bool:
    return (request.method == "GET" and request.headers.get("Upgrade", "").lower() == "websocket"
            and "upgrade" in request.headers.get("Connection", "").lower())


_NOBODY = Identity(ANONYMOUS, None, 0.0)


async def _authenticate(request: web.Request, runtime: Runtime, plan: RoutePlan) -> Identity:
    """Who is calling: a token's identity (the gateway's, a trusted issuer's, or on a delegated route
    the backend's own), else a verified client certificate's (mTLS services), else anonymous.
    Bad credentials raise `AuthError` (400/401; 503 when a delegating backend cannot answer)."""
    identifier = request.app[IDENTIFIER]
    identity = None
    if identifier is not None:
        service = request.app[AUTH]
        delegate = service.delegates.for_route(plan.name)
        identity = await identifier.identify(request, delegate=delegate is not None)
        if identity is None and delegate is not None:
            identity = await _delegated(identifier, request, runtime, plan, delegate)
    if identity is not None:
        return identity
    server_tls = request.app[SERVER_TLS]
    if server_tls is not None and (service_name := server_tls.peer_principal(request)) is not None:
        # Routes admit every certificate holder with `allow: [service]`, or one by its name as a role.
        return Identity(Principal(subject=service_name, roles=frozenset({"service", service_name})), None, 0.0)
    return _NOBODY


async def _delegated(identifier: Identifier, request: web.Request, runtime: Runtime, plan: RoutePlan,
                     delegate: DelegateSettings) -> Identity | None:
    """The backend vouches for its own bearer token (one token only; the token stays in the request)."""
    tokens = identifier.offered(request, delegate=True).backend
    if not tokens:
        return None
    if len(tokens) > 1:
        raise AuthError(400, "more than one credential in the request")
    upstreams = runtime.upstreams
    backend = DelegateBackend(plan.upstream, upstreams.session(plan.upstream), upstreams.origin(plan.upstream),
                              upstreams.server_name(plan.upstream))
    principal = await request.app[AUTH].delegates.verify(delegate, next(iter(tokens)), backend)
    return Identity(principal, None, 0.0)


def _identity_headers(request: web.Request, principal: Principal, upstream: str) -> dict[str, str]:
    service = request.app.get(AUTH)
    if service is None or not service.settings.assertion.enabled:
        return identity_headers(principal, upstream)
    return identity_headers(principal, upstream, service.issuer, float(service.settings.assertion.ttl))


async def _dispatch(request: web.Request, runtime: Runtime, request_id: str) -> tuple[web.StreamResponse, str]:
    raw_path = request.raw_path.split("?", 1)[0]
    try:
        path = canonicalise(raw_path)
    except PathRejected as rejected:
        return error_response(400, rejected.reason, request_id), "-"
    websocket = _is_websocket(request)
    matched = runtime.routes.match(request.method, request.host, path, websocket)
    if matched is None:
        return error_response(404, "no route", request_id), "-"
    plan = runtime.plans[matched.route.name]
    try:
        identity = await _authenticate(request, runtime, plan)
    except AuthError as refused:
        return error_response(refused.status, refused.message, request_id), plan.name
    principal = runtime.access.roles.principal(identity.principal)  # roles expanded, permissions added
    client = client_address(request.remote, request.headers, runtime.trusted)
    shield_settings = runtime.settings.shield
    if shield_settings.enabled:
        store = request.app[STATE]
        subject = None if principal.anonymous else principal.subject
        stopped = await shield.check(request, store, shield_settings, client, subject, request_id=request_id)
        if stopped is None and websocket:
            stopped = await shield.check_connect(request, store, shield_settings, client, request_id=request_id)
        if stopped is not None:
            return stopped, plan.name
    decision = authorize(principal, plan.access.policy, request.method, client)
    if decision.allowed and "type" in matched.params and "matrix" in plan.access.messages.tables:
        decision = allow_message(plan.access.messages, principal, "matrix", matched.params["type"])
    if not decision.allowed or decision.shadow:
        record(decision, principal, plan.name, request.method, request_id=request_id, client=client)
    if not decision.allowed:
        return error_response(decision.status, decision.error, request_id), plan.name
    exchange = Exchange(
        request=request, runtime=runtime, plan=plan, request_id=request_id,
        client=client, principal=principal, conversation=_conversation(matched.params),
        session=identity.session_id, expires=identity.expires or None,
        carriage=identity.carriage, identity=_identity_headers(request, principal, plan.upstream),
    )
    runtime.acquire()
    try:
        if websocket:
            return await ws_proxy.forward(exchange), plan.name
        return await http_proxy.forward(exchange), plan.name
    finally:
        runtime.release()


def _conversation(params: Mapping[str, str]) -> str:
    """The room a request belongs to: a `room` path variable, else the first one (for per-room limits)."""
    if not params:
        return ""
    return params.get("room") or next(iter(params.values()))


async def handle(request: web.Request) -> web.StreamResponse:
    """Every proxied request enters here."""
    started = time.perf_counter()
    runtime = request.app[RUNTIME].current
    request_id = request_id_from(request.headers)
    audit = request.app[AUDIT]
    response: web.StreamResponse
    if audit is not None and not audit.healthy:
        # Compliance mode: traffic that cannot be recorded is not served.
        response, route = error_response(503, "audit trail unavailable", request_id), "-"
    else:
        response, route = await _dispatch(request, runtime, request_id)
    elapsed = time.perf_counter() - started
    request.app[METRICS].observe_request(route, response.status, elapsed)
    if runtime.settings.logging.access_log:
        access_log.info("request", extra={"fields": {
            "request_id": request_id, "method": request.method, "path": request.path, "route": route,
            "status": response.status, "ms": round(elapsed * 1000, 2), "client": request.remote,
        }})
    return response


def _mount_responder(app: web.Application, settings: Settings, store: StateStore) -> Responder:
    """Bans, throttles, quarantine and signed webhook alerts that filter verdicts can ask for."""
    alerts = AlertSender(settings.alerts) if settings.alerts.webhooks else None
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
    writer = AuditWriter(settings.audit)

    async def audit_ctx(app: web.Application) -> AsyncIterator[None]:
        await writer.start()  # a chain that cannot be opened stops startup
        handler = install_handler(writer)
        yield
        remove_handler(handler)
        await writer.aclose()

    app.cleanup_ctx.append(audit_ctx)
    return writer


def _mount_auth(app: web.Application, settings: Settings, store: StateStore) -> Identifier | None:
    """The built-in identity provider: `/auth/*`, the JWKS, and who is calling. Off without `auth:`."""
    if settings.auth is None or not settings.auth.enabled:
        return None
    service = AuthService.from_settings(settings.auth, store)
    app[AUTH] = service
    app.cleanup_ctx.append(auth_context(service))
    app.cleanup_ctx.append(end_revoked_sessions(service, app[WS_CONNECTIONS]))
    trusted = settings.trusted_networks
    app.add_routes(AuthRoutes(service, client_of=lambda r: client_address(r.remote, r.headers, trusted)).routes())
    return Identifier(service)


def build_app(settings: Settings) -> web.Application:
    """Assemble once: runtime (routes, pools, filter chains), metrics, cleanup of every resource."""
    app = web.Application(client_max_size=settings.limits.max_body, handler_args={
        "max_field_size": settings.limits.max_header_size,
        "max_line_size": settings.limits.max_header_size,
        # Bodies are relayed as sent: inflating them here would forward bytes that no longer match
        # their Content-Encoding and Content-Length. Inspected routes refuse compressed bodies instead.
        "auto_decompress": False,
    })
    app[STATE] = store = open_store(settings.state)
    app[RUNTIME] = RuntimeHolder(Runtime(settings, store))
    app[METRICS] = Metrics()
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
    app[IDENTIFIER] = _mount_auth(app, settings, store)
    hsts = settings.listen.tls.hsts if settings.listen.tls is not None else HSTSSettings(enabled=False)
    app.on_response_prepare.append(security_headers_hook(hsts))
    app.on_shutdown.append(ws_proxy.close_all)
    app.router.add_route("*", "/{tail:.*}", handle)
    return app
