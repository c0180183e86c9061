"""Which parser frames the requests the gateway reads: aiohttp's compiled one (llhttp), or nothing.

The framing checks (`gateway.edge.framing`, the refusals in `parse_errors`) are written and tested
against llhttp. aiohttp's pure-Python parser, which it falls back to when `AIOHTTP_NO_EXTENSIONS` is
set or no compiled build exists for the platform, accepts what llhttp refuses (an `HTTP/1.2` request
line, a body read to the close under HTTP/1.0, a Content-Length in a chunked body's trailer), so a
backend could frame those requests otherwise than the gateway did. `serve` and `check-config` refuse
to run on it.
"""

from __future__ import annotations

from aiohttp import web_protocol

COMPILED_MODULE = "aiohttp._http_parser"
PROBLEM = ("aiohttp's compiled HTTP parser is not in use (AIOHTTP_NO_EXTENSIONS is set, or aiohttp has no "
           "compiled build here); the gateway frames requests only with it")


def compiled_parser_in_use() -> bool:
    """Whether aiohttp's server reads requests with its compiled parser."""
    parser: type = getattr(web_protocol, "HttpRequestParser")  # noqa: B009  imported there, not exported
    return parser.__module__ == COMPILED_MODULE
