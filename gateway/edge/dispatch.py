"""The request path: guard -> route -> authn -> shield -> authz -> forward, then metrics and access log."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping

from aiohttp import web

from gateway.access import shield
from gateway.access.rbac import record
from gateway.auth import AUTH, AuthError
from gateway.edge.authn import authenticate, backend_identity
from gateway.edge.client_address import client_address
from gateway.edge.errors import error_response
from gateway.edge.headers import is_websocket_upgrade
from gateway.edge.login_redirect import to_login_page, wants_a_page
from gateway.edge.request_id import request_id_from
from gateway.inspect.exchange import Exchange
from gateway.keys import AUDIT, METRICS, RUNTIME, STATE
from gateway.metrics import Metrics
from gateway.proxy import http as http_proxy
from gateway.proxy import websocket as ws_proxy
from gateway.runtime.canonical_path import PathRejected, canonicalise
from gateway.runtime.runtime import Runtime
from gateway.state import StateUnavailable

access_log = logging.getLogger("chatguard.access")


async def _dispatch(request: web.Request, runtime: Runtime, request_id: str) -> tuple[web.StreamResponse, str]:
    raw_path = request.raw_path.split("?", 1)[0]
    try:
        path = canonicalise(raw_path)
    except PathRejected as rejected:
        return error_response(400, rejected.reason, request_id), "-"
    websocket = is_websocket_upgrade(request.method, request.headers)
    matched = runtime.routes.match(request.method, request.host, path, websocket)
    if matched is None:
        return error_response(404, "no route", request_id), "-"
    plan = runtime.plans[matched.route.name]
    try:
        identity = await authenticate(request, runtime, plan)
    except AuthError as refused:
        request.app[METRICS].tokens_refused.labels(refusal_reason(refused.message)).inc()
        return error_response(refused.status, refused.message, request_id), plan.name
    except StateUnavailable:  # a revoked session cannot be told from a live one: refuse (fail closed)
        return error_response(503, "service unavailable", request_id), plan.name
    principal = runtime.access.roles.principal(identity.principal)  # roles expanded, permissions added
    client = client_address(request.remote, request.headers, runtime.trusted)
    client_key = runtime.settings.clients.key(client)  # an IPv6 client is its /64
    shield_settings = runtime.settings.shield
    if shield_settings.enabled:
        store = request.app[STATE]
        subject = None if principal.anonymous else principal.subject
        stopped = await shield.check(request, store, shield_settings, client_key, subject, websocket=websocket,
                                     request_id=request_id)
        if stopped is not None:
            return stopped, plan.name
    decision = plan.access.authorize(principal, request.method, client, matched.params)
    if not decision.allowed or decision.shadow or plan.settings.audit_access:
        record(decision, principal, plan.name, request.method, request_id=request_id, client=client,
               audit_access=plan.settings.audit_access, path=path.raw)
    if not decision.allowed:
        if plan.settings.login_redirect and principal.anonymous and decision.status == 401 \
                and wants_a_page(request, websocket) and AUTH in request.app:
            return to_login_page(request, request_id), plan.name
        return error_response(decision.status, decision.error, request_id), plan.name
    exchange = Exchange(
        request=request, runtime=runtime, plan=plan, request_id=request_id,
        client=client, principal=principal, conversation=_conversation(matched.params, plan.settings.conversation),
        session=identity.session_id, expires=identity.expires or None,
        carriage=identity.carriage, identity=backend_identity(request, principal, plan.upstream),
        websocket=websocket, client_key=client_key, params=matched.params,
    )
    runtime.acquire()
    try:
        if websocket:
            del raw_path, path, matched, identity, decision  # a WebSocket holds this frame for hours
            return await ws_proxy.forward(exchange), plan.name
        return await http_proxy.forward(exchange), plan.name
    finally:
        runtime.release()


def _conversation(params: Mapping[str, str], named: str = "") -> str:
    """The conversation a request belongs to (transcripts, per-room limits): the route's `conversation`
    variable, else a `room` variable, else the first one."""
    if not params:
        return ""
    if named:
        return params.get(named, "")
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
    metrics = request.app[METRICS]
    metrics.observe_request(route, response.status, elapsed)
    count_bytes(metrics, request, response)
    if runtime.settings.logging.access_log:
        access_log.info("request", extra={"fields": {
            "request_id": request_id, "method": request.method, "path": request.path, "route": route,
            "status": response.status, "ms": round(elapsed * 1000, 2), "client": request.remote,
        }})
    return response


def count_bytes(metrics: Metrics, request: web.Request, response: web.StreamResponse) -> None:
    """HTTP body bytes in `chatguard_bytes_total{direction}` (WebSocket frames are counted by the bridge):
    what the client sent that was read, and what it was sent back."""
    inbound = request.content.total_bytes
    if response.prepared:
        outbound = response.body_length
    else:  # a whole answer aiohttp writes after the handler returns
        body = response.body if isinstance(response, web.Response) else None
        outbound = len(body) if isinstance(body, bytes | bytearray) else 0
    metrics.count_bytes(inbound, outbound)


def refusal_reason(message: str) -> str:
    """A bounded label from an authentication refusal: `invalid token: token expired` -> `token_expired`."""
    reason = message.removeprefix("invalid token: ").lower()
    words = "".join(c if c.isalnum() else "_" for c in reason).strip("_")
    return "_".join(part for part in words.split("_") if part)[:40] or "refused"
