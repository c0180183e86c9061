"""Step 3 of the request path: who is calling.

A gateway token (or a trusted issuer's), a backend's own token on delegated routes, or a verified
client certificate; anyone else is anonymous. Also the identity headers the backend receives.
"""

from __future__ import annotations

from aiohttp import web

from filters import ANONYMOUS, Principal
from gateway.auth import AUTH, AuthError, Identifier, Identity
from gateway.auth.config import DelegateSettings
from gateway.auth.delegate import Backend as DelegateBackend
from gateway.edge.identity_headers import identity_headers
from gateway.keys import IDENTIFIER, SERVER_TLS
from gateway.runtime.runtime import RoutePlan, Runtime

_NOBODY = Identity(ANONYMOUS, None, 0.0)


async def authenticate(request: web.Request, runtime: Runtime, plan: RoutePlan) -> Identity:
    """Who is calling: a token's identity (the gateway's, a trusted issuer's, or on a delegated route
    the backend's own), else a verified client certificate's (mTLS services), else anonymous.
    Bad credentials raise `AuthError` (400/401; 503 when a delegating backend cannot answer)."""
    identifier = request.app[IDENTIFIER]
    identity = None
    if identifier is not None:
        service = request.app.get(AUTH)  # None when only external issuers are trusted
        delegate = service.delegates.for_route(plan.name) if service is not None else None
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


def backend_identity(request: web.Request, principal: Principal, upstream: str) -> dict[str, str]:
    service = request.app.get(AUTH)
    if service is None or not service.settings.assertion.enabled:
        return identity_headers(principal, upstream)
    return identity_headers(principal, upstream, service.issuer, float(service.settings.assertion.ttl))
