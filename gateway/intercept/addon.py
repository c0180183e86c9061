"""The mitmproxy addon: every intercepted flow goes to the gateway's own listener, on loopback.

The flow keeps its Host header, so the gateway's route table matches the host the app called and its
path; the gateway then connects to the route's upstream itself, verifying its certificate. The client's
address travels in X-Forwarded-For, which the gateway believes from loopback only; whatever the client
sent in forwarding headers is dropped first, so it cannot choose its own address. WebSocket upgrades take
the same way, and the gateway's bridge inspects every frame in both directions.
"""

from __future__ import annotations

import logging

from mitmproxy import http

log = logging.getLogger("chatguard.intercept")

FORWARDING_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Real-IP")


class GatewayAddon:
    """Routes flows to the gateway listening on `host:port` (plain HTTP, loopback)."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port

    def request(self, flow: http.HTTPFlow) -> None:
        request = flow.request
        authority = request.host_header or request.pretty_host
        secure = request.scheme == "https"
        for name in FORWARDING_HEADERS:
            request.headers.pop(name, None)
        peer = flow.client_conn.peername[0] if flow.client_conn.peername else ""
        request.headers["X-Forwarded-For"] = peer
        request.headers["X-Forwarded-Proto"] = "https" if secure else "http"
        request.scheme = "http"
        request.host = self.host
        request.port = self.port
        request.host_header = authority  # the host the app called: the gateway routes on it
        log.debug("flow to gateway", extra={"authority": authority, "secure": secure})
