"""The mitmproxy addon: every intercepted flow goes to the gateway's own listener, on loopback.

The flow keeps its Host header, so the gateway's route table matches the host the app called and its
path; the gateway then connects to the route's upstream itself, verifying its certificate. The client's
address travels in X-Forwarded-For, which the gateway believes from loopback only; whatever the client
sent in forwarding headers is dropped first, so it cannot choose its own address. Each flow also carries
this process's hop secret (`X-Chatguard-Hop`, see `gateway.edge.hop`): the gateway refuses requests
without it, so no other local process can reach the loopback listener and claim an address, and a
client's own `X-Chatguard-*` headers are replaced, never passed on. WebSocket upgrades take the same
way, and the gateway's bridge inspects every frame in both directions.
"""

from __future__ import annotations

import logging

from mitmproxy import http

from gateway.edge.headers import GATEWAY_OWNED_PREFIX
from gateway.edge.hop import HOP_HEADER

log = logging.getLogger("chatguard.intercept")

FORWARDING_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Real-IP")


class GatewayAddon:
    """Routes flows to the gateway listening on `host:port` (plain HTTP, loopback), with the hop secret."""

    def __init__(self, host: str, port: int, secret: str) -> None:
        self.host = host
        self.port = port
        self.secret = secret

    def request(self, flow: http.HTTPFlow) -> None:
        request = flow.request
        authority = request.host_header or request.pretty_host
        secure = request.scheme == "https"
        for name in FORWARDING_HEADERS:
            request.headers.pop(name, None)
        for name in {n for n in request.headers if n.lower().startswith(GATEWAY_OWNED_PREFIX)}:
            request.headers.pop(name, None)  # the client's own X-Chatguard-*, a forged hop secret among them
        request.headers[HOP_HEADER] = self.secret
        peer = flow.client_conn.peername[0] if flow.client_conn.peername else ""
        request.headers["X-Forwarded-For"] = peer
        request.headers["X-Forwarded-Proto"] = "https" if secure else "http"
        request.scheme = "http"
        request.host = self.host
        request.port = self.port
        request.host_header = authority  # the host the app called: the gateway routes on it
        log.debug("flow to gateway", extra={"authority": authority, "secure": secure})
