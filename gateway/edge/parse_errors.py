"""Requests aiohttp's parser refuses (two lengths, bare LF, a NUL in a value, no Host...) answered as the
gateway answers every refusal: the status, a JSON body naming what was wrong, the connection closed.

aiohttp answers them in plain text quoting the request's bytes back, and logs each at ERROR with a
traceback, so a client sending malformed requests fills the log. Here each is one INFO line with the
reason; a handler's own failure (500) keeps aiohttp's answer and its traceback, which are about a bug.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

from gateway.edge.errors import error_response
from gateway.edge.request_id import request_id_from

__all__ = ["handlers_of"]

log = logging.getLogger("chatguard.edge")


class _JsonRefusals(RequestHandler):
    """aiohttp's connection protocol with parse errors answered in JSON."""

    __slots__ = ()

    def handle_error(self, request: web.BaseRequest, status: int = 500, exc: BaseException | None = None,
                     message: str | None = None) -> web.StreamResponse:
        if status >= 500 or request.writer.output_size > 0:
            return super().handle_error(request, status, exc, message)
        reason = _reason(message or (str(exc) if exc is not None else ""), status)
        request_id = request_id_from(request.headers)
        log.info("request refused by the HTTP parser", extra={"status": status, "reason": reason,
                                                               "request_id": request_id, "client": request.remote})
        response = error_response(status, reason, request_id)
        response.force_close()
        return response


def _reason(text: str, status: int) -> str:
    """aiohttp's message without the request bytes it quotes: `Bad status line: Expected CRLF after version`."""
    said: list[str] = []
    for line in text.removeprefix(f"{status}, message:").splitlines():
        line = line.strip().rstrip(":").strip()
        if line.startswith(("b'", 'b"', "^")):
            break
        if line:
            said.append(line)
    return ": ".join(said)[:200] or "malformed request"


def handlers_of(server: web.Server) -> Callable[[], RequestHandler]:
    """A factory of connection protocols for `server` (as `server()` makes them, with its settings) that
    answer parse errors in JSON."""
    loop: Any = server._loop  # noqa: SLF001  aiohttp keeps the loop and handler settings on the server only
    kwargs: dict[str, Any] = server._kwargs  # noqa: SLF001
    return lambda: _JsonRefusals(server, loop=loop, **kwargs)
