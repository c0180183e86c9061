"""What the gateway answers instead of the backend: always JSON, never a stack trace.

`HttpAnswer` is the answer as data (status, JSON body, headers), so the decision that picks it
stays a pure function; `response()` turns it into the aiohttp response at the last moment.
Refusals are `{error, request_id}` with a short fixed phrase, never derived from message content.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import orjson
from aiohttp import web

from gateway.edge.request_id import REQUEST_ID

_NONE: Mapping[str, str] = MappingProxyType({})
BANNED = "banned"
TOO_MANY = "too many requests"


@dataclass(frozen=True, slots=True)
class HttpAnswer:
    """A status, a JSON body and headers: what the sender gets instead of the backend's answer."""

    status: int
    body: Mapping[str, object]
    headers: Mapping[str, str] = field(default=_NONE)

    def response(self) -> web.Response:
        return web.Response(status=self.status, body=orjson.dumps(dict(self.body)), content_type="application/json",
                            headers=dict(self.headers))


def refusal(status: int, error: str, request_id: str, headers: Mapping[str, str] | None = None) -> HttpAnswer:
    """A JSON error `{error, request_id}`; never cached, and the request id in a header too."""
    return HttpAnswer(status, {"error": error, "request_id": request_id},
                      {**(headers or {}), REQUEST_ID: request_id, "Cache-Control": "no-store"})


def error_response(status: int, error: str, request_id: str,
                   headers: dict[str, str] | None = None) -> web.Response:
    """`refusal` as an aiohttp response."""
    return refusal(status, error, request_id, headers).response()


def retry_after(seconds: float) -> dict[str, str]:
    """A Retry-After header for `seconds` from now: whole seconds, rounded up, at least 1."""
    return {"Retry-After": str(max(1, math.ceil(seconds)))}


def banned(until: float, now: float, request_id: str) -> HttpAnswer:
    """403 for a banned sender, with when the ban ends (the shield and the countermeasures say it alike)."""
    return refusal(403, BANNED, request_id, retry_after(until - now))


def too_many_requests(seconds: float, request_id: str) -> HttpAnswer:
    return refusal(429, TOO_MANY, request_id, retry_after(seconds))
