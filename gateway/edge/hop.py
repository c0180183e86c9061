"""The loopback hop of the intercepting mode: only the mitmproxy addon of this process may use it.

`chatguard intercept` runs the gateway on a loopback port and believes the client address the addon
puts in `X-Forwarded-For` (loopback is a trusted proxy there). Any other local process could connect to
that port directly and claim any address, or skip mitmproxy altogether. So the addon adds a secret made
fresh for each process (`X-Chatguard-Hop`), and this middleware refuses every request without it before
anything reads the forwarding headers. The header is gateway-owned (`X-Chatguard-*`): it is dropped
before anything is forwarded, so the backend never sees it.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware

HOP_HEADER = "X-Chatguard-Hop"

log = logging.getLogger("chatguard.edge")

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def hop_middleware(secret: str) -> Middleware:
    """Refuse (403, JSON) any request that does not carry `secret` in `X-Chatguard-Hop` exactly once."""
    expected = secret.encode()
    if len(expected) < 32:
        raise ValueError("the hop secret must be at least 32 characters")

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        offered = request.headers.getall(HOP_HEADER, [])
        if len(offered) != 1 or not hmac.compare_digest(offered[0].encode(), expected):
            log.warning("request on the intercept hop without the hop secret refused",
                        extra={"peer": request.remote or ""})
            return web.json_response({"error": "forbidden",
                                      "detail": "this listener serves the intercepting proxy only"}, status=403)
        return await handler(request)

    return middleware
