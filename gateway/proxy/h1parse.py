"""Reading a backend's HTTP/1.1 response: the head, strictly, and chunked bodies.

Strict on purpose: a response framed one way by the gateway and another way by the backend
would hand one client's bytes to the next request on the same kept-alive connection. So
anything ambiguous (both Content-Length and Transfer-Encoding, several different lengths,
a transfer coding other than chunked, folded or malformed header lines, bad chunk sizes)
is an `UpstreamProtocolError` (the client gets 502) and the connection is never reused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from aiohttp import ClientPayloadError
from multidict import CIMultiDict, CIMultiDictProxy

__all__ = ["ChunkedDecoder", "Head", "UpstreamProtocolError", "parse_head"]

MAX_HEAD = 64 * 1024  # bytes of status line and headers
MAX_HEADERS = 256
_MAX_CHUNK_LINE = 4096  # size, extensions and CRLF of one chunk header (or one trailer line)
_STATUS = re.compile(rb"HTTP/1\.([01]) ([1-9][0-9][0-9])(?: ([^\x00-\x08\x0a-\x1f\x7f]*))?")
_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_BAD_VALUE = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")
_HEX = re.compile(rb"[0-9A-Fa-f]{1,15}")

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


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")  # as aiohttp's own parser reads header bytes


def parse_head(raw: bytes, method: str) -> Head:
    """Parse the head (without its final CRLFCRLF) of an answer to `method`."""
    lines = raw.split(b"\r\n")
    status_line = _STATUS.fullmatch(lines[0])
    if status_line is None:
        raise UpstreamProtocolError("malformed status line")
    if len(lines) > MAX_HEADERS + 1:
        raise UpstreamProtocolError("too many header lines")
    headers: CIMultiDict[str] = CIMultiDict()
    lengths: set[bytes] = set()
    codings: list[bytes] = []
    connection = b""
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon or _TOKEN.fullmatch(name) is None:
            raise UpstreamProtocolError("malformed header line")  # also obs-fold and space before ':'
        value = value.strip(b" \t")
        if _BAD_VALUE.search(value) is not None:
            raise UpstreamProtocolError("control character in a header value")
        lower = name.lower()
        if lower == b"content-length":
            lengths.update(part.strip(b" \t") for part in value.split(b","))
        elif lower == b"transfer-encoding":
            codings += [part.strip(b" \t").lower() for part in value.split(b",") if part.strip(b" \t")]
        elif lower == b"connection":
            connection += b"," + value.lower()
        headers.add(_text(name), _text(value))
    version, status = status_line.group(1), int(status_line.group(2))
    keep_alive = b"close" not in connection.split(b",") if version == b"1" else \
        b"keep-alive" in connection.split(b",")
    if codings and lengths:
        raise UpstreamProtocolError("both Content-Length and Transfer-Encoding")
    if len(lengths) > 1 or any(not v.isdigit() or len(v) > 15 for v in lengths):
        raise UpstreamProtocolError("invalid Content-Length")
    if codings and codings != [b"chunked"]:
        raise UpstreamProtocolError("unsupported Transfer-Encoding")
    reason = _text(status_line.group(3) or b"")
    if method == "HEAD" or status < 200 or status in (204, 304):
        return Head(status, reason, CIMultiDictProxy(headers), "none", 0, keep_alive)
    if codings:
        return Head(status, reason, CIMultiDictProxy(headers), "chunked", 0, keep_alive)
    if lengths:
        return Head(status, reason, CIMultiDictProxy(headers), "length", int(next(iter(lengths))), keep_alive)
    return Head(status, reason, CIMultiDictProxy(headers), "close", 0, False)


class ChunkedDecoder:
    """Turns chunked transfer coding into body bytes; `feed` returns (data, done, bytes after the body)."""

    __slots__ = ("_buffer", "_left", "_state")

    def __init__(self) -> None:
        self._buffer = b""
        self._left = 0  # bytes of chunk data still to come
        self._state = "size"  # size | data | crlf | trailer

    def feed(self, data: bytes) -> tuple[bytes, bool, bytes]:
        buffer = self._buffer + data if self._buffer else data
        self._buffer = b""
        out: list[bytes] = []
        pos = 0
        while pos < len(buffer):
            if self._state == "data":
                take = min(self._left, len(buffer) - pos)
                out.append(buffer[pos:pos + take])
                pos += take
                self._left -= take
                if self._left == 0:
                    self._state = "crlf"
                continue
            end = buffer.find(b"\r\n", pos)
            if end < 0:
                if len(buffer) - pos > _MAX_CHUNK_LINE:
                    raise UpstreamProtocolError("chunk header too long")
                self._buffer = buffer[pos:]
                break
            line = buffer[pos:end]
            pos = end + 2
            if self._state == "crlf":
                if line:
                    raise UpstreamProtocolError("chunk data longer than its size")
                self._state = "size"
            elif self._state == "size":
                size = _HEX.fullmatch(line.split(b";", 1)[0].rstrip(b" \t"))
                if size is None:
                    raise UpstreamProtocolError("invalid chunk size")
                self._left = int(size.group(), 16)
                self._state = "data" if self._left else "trailer"
            elif not line:  # the empty line after the last chunk (and any trailers, dropped)
                return b"".join(out), True, buffer[pos:]
        return b"".join(out), False, b""
