"""The answer when the backend could not be reached or did not answer in time (HTTP and WebSocket)."""

from __future__ import annotations

import logging

import aiohttp
from aiohttp import web

from gateway.edge.errors import error_response
from gateway.metrics import Metrics
from gateway.proxy.h1client import ConnectFailed
from gateway.tls.upstream import upstream_tls_error

log = logging.getLogger("chatguard.proxy")


def upstream_failure(exc: BaseException, request_id: str, upstream: str,
                     metrics: Metrics | None = None) -> web.Response:
    """The client learns only the kind of failure; TLS details (names, CA problems) go to the log.
    The kind is counted in `chatguard_upstream_errors_total{upstream, kind}`."""
    kind, status, message = _classify(exc)
    if kind == "tls":
        log.warning("upstream TLS failure", extra={"request_id": request_id, "upstream": upstream,
                                                   "detail": upstream_tls_error(exc)})
    if metrics is not None:
        metrics.upstream_errors.labels(upstream, kind).inc()
    return error_response(status, message, request_id)


def _classify(exc: BaseException) -> tuple[str, int, str]:
    if isinstance(exc, aiohttp.ClientConnectorError):
        if upstream_tls_error(exc) is not None:
            return "tls", 502, "upstream TLS verification failed"
        return "refused", 502, "upstream unavailable"
    if isinstance(exc, ConnectFailed):
        return "refused", 502, "upstream unavailable"
    if isinstance(exc, TimeoutError | aiohttp.ServerTimeoutError):
        return "timeout", 504, "upstream timed out"
    return "error", 502, "upstream error"
