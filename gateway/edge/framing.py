"""Request bodies framed only by a lone `chunked` transfer coding, or by Content-Length.

llhttp takes `Transfer-Encoding: gzip, chunked` (or any coding before `chunked`) as chunked and hands
over the chunks' bytes still wrapped in the other coding. The gateway would read compressed bytes (or,
for a coding nobody knows, bytes a backend behind another hop might unwrap) as the message, so what it
read is not what the sender meant. RFC 9112 §6.1 lets a server answer 501 to a transfer coding it does
not implement, and says Transfer-Encoding in an HTTP/1.0 request is faulty framing: both are refused
before anything reads the body, and the connection is closed after the answer. The check runs for every
request of every listener (`framed`: the connection guard's middleware calls it on the main listener,
`framing_middleware` on the others): the proxied routes, the gateway's own sign-in and 2FA pages and
token API, and the admin and probe listeners, which read bodies too.

A request line of another version than HTTP/1.0 or 1.1 is answered 505: llhttp reads `GET / HTTP/2.0` as
text, and `GET /` alone as HTTP/0.9, which has no headers to frame or authorise a request by. A target that
is not a path (`OPTIONS *`, `CONNECT host:443`: the gateway is no forward proxy) is answered 400 in JSON,
where aiohttp's router would answer a plain-text 404.

A request asking to upgrade to another protocol than WebSocket (`Upgrade: h2c`, which curl sends over
plain HTTP) is answered in HTTP/1.1, and the connection then closed: aiohttp stops reading a connection
whose request asked for an upgrade, so requests pipelined after it would wait unread until a timeout.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.http import HttpVersion10, HttpVersion11

from gateway.edge.errors import error_response
from gateway.edge.headers import is_websocket_upgrade
from gateway.edge.request_id import request_id_from
from gateway.metrics import Metrics

UNKNOWN_CODING = "transfer coding not implemented"
OLD_VERSION = "Transfer-Encoding in an HTTP/1.0 request"
OTHER_VERSION = "HTTP version not supported"
_VERSIONS = frozenset({HttpVersion10, HttpVersion11})  # what the gateway frames and authorises
NOT_A_PATH = "request target is not a path"


def coding_refusal(request: web.BaseRequest) -> tuple[int, str] | None:
    """`(status, error)` when the request is not HTTP/1.0 or 1.1, its target not a path, or its transfer codings
    anything but one `chunked`; else None."""
    version = request.version
    if version not in _VERSIONS:
        return 505, OTHER_VERSION
    if not request.raw_path.startswith("/"):
        return 400, NOT_A_PATH
    values = request.headers.getall("Transfer-Encoding", ())
    if not values:
        return None
    if version < (1, 1):
        return 400, OLD_VERSION
    codings = [coding.strip(" \t").lower() for value in values for coding in value.split(",")]
    if codings != ["chunked"]:
        return 501, UNKNOWN_CODING
    return None


def framing_refusal(request: web.BaseRequest) -> web.Response | None:
    """The JSON answer (the connection then closed) to a request framed otherwise than `coding_refusal` allows;
    the request id is read only for a refusal (a WebSocket opening that passes needs none here)."""
    refused = coding_refusal(request)
    if refused is None:
        return None
    response = error_response(refused[0], refused[1], request_id_from(request.headers))
    response.force_close()
    return response


type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def plainly_framed(request: web.BaseRequest) -> bool:
    """Whether no check applies (HTTP/1.0 or 1.1, a path, no Transfer-Encoding, no Upgrade): most requests."""
    headers = request.headers
    return ("Transfer-Encoding" not in headers and "Upgrade" not in headers
            and request.version in _VERSIONS and request.raw_path.startswith("/"))


async def framed(request: web.Request, handler: Handler, metrics: Metrics | None = None) -> web.StreamResponse:
    """`handler`'s answer to a request whose framing passed, or the refusal; a connection that asked to
    upgrade to another protocol than WebSocket closed after the answer. The main listener's connection
    guard calls it (one middleware fewer per request) with the metrics a refusal is counted in, as dispatch
    counts a request no route took; other apps take `framing_middleware`."""
    headers = request.headers
    if (refused := framing_refusal(request)) is not None:
        if metrics is not None:
            metrics.observe_request("-", refused.status, 0.0)
        return refused
    if "Upgrade" not in headers or is_websocket_upgrade(request.method, headers):
        return await handler(request)
    response = await handler(request)
    response.force_close()
    return response


@web.middleware
async def framing_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """`framed` as a middleware, for the admin and probe listeners' apps."""
    return await handler(request) if plainly_framed(request) else await framed(request, handler)
