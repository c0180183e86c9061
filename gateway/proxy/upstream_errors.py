"""The answer when the backend could not be reached or did not answer in time (HTTP and WebSocket)."""

from __future__ import annotations

import logging

import aiohttp
from aiohttp import web

from gateway.edge.errors import error_response
from gateway.proxy.h1client import ConnectFailed
from gateway.tls.upstream import upstream_tls_error

log = logging.getLogger("chatguard.proxy")


def upstream_failure(exc: BaseException, request_id: str, upstream: str) -> web.Response:
    """The client learns only the kind of failure; TLS details (names, CA problems) go to the log."""
    if isinstance(exc, aiohttp.ClientConnectorError):
        tls_problem = upstream_tls_error(exc)
        if tls_problem is not None:
            log.warning("upstream TLS failure", extra={"request_id": request_id, "upstream": upstream,
                                                       "detail": tls_problem})
            return error_response(502, "upstream TLS verification failed", request_id)
        return error_response(502, "upstream unavailable", request_id)
    if isinstance(exc, ConnectFailed):
        return error_response(502, "upstream unavailable", request_id)
    if isinstance(exc, TimeoutError | aiohttp.ServerTimeoutError):
        return error_response(504, "upstream timed out", request_id)
    return error_response(502, "upstream error", request_id)
