"""`Expect` on proxied routes: answered by the gateway, never passed on.

The gateway reads a body before the backend sees any of it, so the client's expectation is the
gateway's to meet: `100-continue` gets its interim answer once the request is routed, and any other
expectation a JSON 417 (aiohttp's own answer is plain text that echoes the header). The header is
then dropped from what is forwarded (`gateway.proxy.http`).
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.http import HttpVersion11

from gateway.edge.errors import error_response
from gateway.edge.request_id import request_id_from

CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


async def answer_expectation(request: web.Request) -> web.StreamResponse | None:
    """The route's `expect_handler`: None to go on to the handler, or the answer that ends the request."""
    if request.version != HttpVersion11:
        return None  # HTTP/1.0 has no interim answers: the client sends its body anyway
    if request.headers.get("Expect", "").strip().lower() != "100-continue":
        return error_response(417, "unsupported expectation", request_id_from(request.headers))
    await request.writer.write(CONTINUE)
    request.writer.output_size = 0  # the interim answer is not the answer's size (as aiohttp's own handler)
    return None
