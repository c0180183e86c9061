"""Gateway-generated error responses: always JSON `{error, request_id}`, never a stack trace."""

from __future__ import annotations

import logging

import aiohttp
import orjson
from aiohttp import web

from gateway.tls_upstream import upstream_tls_error

log = logging.getLogger("chatguard.proxy")

REQUEST_ID = "X-Request-Id"


def error_response(status: int, error: str, request_id: str,
                   headers: dict[str, str] | None = None) -> web.Response:
    """A JSON error; `error` is a short fixed phrase, never derived from message content."""
    body = orjson.dumps({"error": error, "request_id": request_id})
    response = web.Response(status=status, body=body, content_type="application/json", headers=headers)
    response.headers[REQUEST_ID] = request_id
    response.headers["Cache-Control"] = "no-store"
    return response


def upstream_failure(exc: BaseException, request_id: str, upstream: str) -> web.Response:
    """The answer when the backend could not be reached or did not answer in time.

    The client learns only the kind of failure; TLS details (names, CA problems) go to the log.
    """
    if isinstance(exc, aiohttp.ClientConnectorError):
        tls_problem = upstream_tls_error(exc)
        if tls_problem is not None:
            log.warning("upstream TLS failure", extra={"request_id": request_id, "upstream": upstream,
                                                       "detail": tls_problem})
            return error_response(502, "upstream TLS verification failed", request_id)
        return error_response(502, "upstream unavailable", request_id)
    if isinstance(exc, TimeoutError | aiohttp.ServerTimeoutError):
        return error_response(504, "upstream timed out", request_id)
    return error_response(502, "upstream error", request_id)
