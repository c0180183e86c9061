"""Reading a backend's HTTP/1.1 answers with llhttp (Node's parser, through httptools), strictly.

Response splitting and smuggling live in the corners of HTTP/1 framing, so the framing is read
by a parser made and fuzzed for exactly that, in its strict mode: duplicate or malformed
Content-Length, Content-Length beside Transfer-Encoding, obs-fold, bare CR or LF, control
characters and chunk-size overflow are its errors. On top of it the gateway refuses what it will
not relay either: a protocol other than HTTP/1.0 and 1.1, transfer codings other than plain
`chunked`, an unasked 101, heads over `MAX_HEAD` bytes or `MAX_HEADERS` fields, and any byte the
backend sends that no request asked for. Each is an `UpstreamProtocolError` (the client gets 502)
and the connection is never reused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

import httptools
from aiohttp import ClientPayloadError
from multidict import CIMultiDict, CIMultiDictProxy

__all__ = ["Head", "ResponseParser", "Sink", "UpstreamProtocolError"]

MAX_HEAD = 64 * 1024  # bytes of status line and headers; also of chunk lines and trailers in a row
MAX_HEADERS = 256
_VERSIONS = frozenset({"1.1", "1.0"})

Framing = Literal["none", "length", "chunked", "close"]


class UpstreamProtocolError(ClientPayloadError):
    """The backend's answer is not HTTP/1.1 the gateway can frame without doubt."""


@dataclass(frozen=True, slots=True)
class Head:
    status: int
    reason: str
    headers: CIMultiDictProxy[str]
    framing: Framing
    length: int  # bytes of body for "length"
    keep_alive: bool


class Sink(Protocol):
    """Where one answer goes: its head, then its body bytes, then its end."""

    def on_head(self, head: Head) -> None: ...
    def on_data(self, data: bytes) -> None: ...
    def on_end(self) -> None: ...


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")  # as aiohttp's own parser reads header bytes


class ResponseParser:
    """One connection's answers, in order; `expect(method)` before each request is sent.

    The callbacks below are llhttp's (httptools calls them while `feed` runs); they collect the
    head, apply the gateway's own refusals and pass the framed body to the sink.
    """

    __slots__ = ("_codings", "_expecting", "_headers", "_in_head", "_lengths", "_method", "_parser",
                 "_reason", "_sink", "_stall", "_body_seen", "_field_bytes")

    def __init__(self, sink: Sink) -> None:
        self._sink = sink
        self._parser = httptools.HttpResponseParser(self)
        self._method = "GET"
        self._expecting = False  # an answer is due
        self._in_head = False
        self._headers: list[tuple[bytes, bytes]] = []
        self._reason = b""
        self._lengths = 0
        self._codings: list[bytes] = []
        self._stall = 0  # bytes fed in a row that were neither head nor body (chunk lines, trailers)
        self._body_seen = 0
        self._field_bytes = 0  # of this answer's header and trailer fields

    def expect(self, method: str) -> None:
        """The next bytes answer a request with this method."""
        self._method = method
        self._expecting = True
        self._in_head = True
        self._stall = 0

    def feed(self, data: bytes) -> None:
        """Parse bytes from the backend; raises `UpstreamProtocolError` on anything the gateway refuses."""
        self._body_seen = 0
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            cause = exc.__context__ if isinstance(exc, httptools.HttpParserCallbackError) else None
            if isinstance(cause, UpstreamProtocolError):
                raise cause from None
            raise UpstreamProtocolError(f"malformed answer ({exc})") from None
        if self._in_head:
            self._stall += len(data)
            if self._stall > MAX_HEAD:
                raise UpstreamProtocolError("response head too large")
        elif self._expecting:
            self._stall = 0 if self._body_seen else self._stall + len(data)
            if self._stall > MAX_HEAD:
                raise UpstreamProtocolError("chunk lines or trailers too large")

    # -- llhttp's callbacks ----------------------------------------------------------------------
    def on_message_begin(self) -> None:
        if not self._expecting:
            raise UpstreamProtocolError("the backend sent an answer nothing asked for")
        self._headers = []
        self._reason = b""
        self._lengths = 0
        self._codings = []
        self._field_bytes = 0

    def on_status(self, part: bytes) -> None:
        self._reason += part

    def on_header(self, name: bytes, value: bytes) -> None:
        self._field_bytes += len(name) + len(value) + 4
        if self._field_bytes > MAX_HEAD:
            raise UpstreamProtocolError("response head or trailers too large")
        if not self._in_head:
            return  # trailers are not relayed
        if len(self._headers) >= MAX_HEADERS:
            raise UpstreamProtocolError("too many header fields")
        value = value.rstrip(b" \t")  # llhttp drops the whitespace before a value, not after it
        lower = name.lower()
        if lower == b"content-length":
            self._lengths += 1
        elif lower == b"transfer-encoding":
            self._codings += [part.strip(b" \t").lower() for part in value.split(b",") if part.strip(b" \t")]
        self._headers.append((name, value))

    def on_headers_complete(self) -> None:
        parser = self._parser
        status = parser.get_status_code()
        if parser.get_http_version() not in _VERSIONS:
            raise UpstreamProtocolError("not an HTTP/1.x answer")
        if status == 101:
            raise UpstreamProtocolError("switching protocols that nothing asked for")
        if status < 200:
            self._headers = []  # an interim answer (103 Early Hints) is not relayed
            return
        if self._codings and self._codings != [b"chunked"]:
            raise UpstreamProtocolError("unsupported Transfer-Encoding")
        headers: CIMultiDict[str] = CIMultiDict()
        add = headers.add
        lengths = self._lengths
        length = 0
        for name, value in self._headers:  # `_text`, inline: two calls fewer per header of every answer
            add(name.decode("utf-8", "surrogateescape"), value.decode("utf-8", "surrogateescape"))
            if lengths and name.lower() == b"content-length":
                length = int(value)  # llhttp allowed one, of digits only
        keep_alive = parser.should_keep_alive()
        framing: Framing
        if self._method == "HEAD" or status in (204, 304):
            framing = "none"
            if self._method == "HEAD" and status not in (204, 304) and (self._codings or length):
                keep_alive = False  # llhttp would wait for the body a HEAD answer announces but never has
        elif self._codings:
            framing = "chunked"
        elif self._lengths:
            framing = "length"
        else:
            framing, keep_alive = "close", False
        self._in_head = False
        self._stall = 0
        self._sink.on_head(Head(status, _text(self._reason), CIMultiDictProxy(headers), framing, length, keep_alive))
        if framing == "none" and self._method == "HEAD":
            self._end()

    def on_body(self, data: bytes) -> None:
        if self._expecting and not self._in_head:
            self._body_seen += len(data)
            self._sink.on_data(data)

    def on_message_complete(self) -> None:
        if self._in_head:  # the end of an interim answer: the final one follows
            return
        if self._expecting:
            self._end()

    def _end(self) -> None:
        self._expecting = False
        self._sink.on_end()
