"""Gateway-generated error responses: always JSON `{error, request_id}`, never a stack trace."""

from __future__ import annotations

import orjson
from aiohttp import web

from gateway.edge.request_id import REQUEST_ID


def error_response(status: int, error: str, request_id: str,
                   headers: dict[str, str] | None = None) -> web.Response:
    """A JSON error; `error` is a short fixed phrase, never derived from message content."""
    body = orjson.dumps({"error": error, "request_id": request_id})
    response = web.Response(status=status, body=body, content_type="application/json", headers=headers)
    response.headers[REQUEST_ID] = request_id
    response.headers["Cache-Control"] = "no-store"
    return response
