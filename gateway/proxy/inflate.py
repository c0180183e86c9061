"""Reading a backend's compressed answer on a route that inspects answers, within hard bounds.

Inspected routes ask the backend for `Accept-Encoding: identity`; a backend that compresses
regardless must not get its answer past the filters. Its body is inflated here, bounded twice:
no more than `limit` bytes come out (per body, or per chunk of a stream), and no more than
`ratio` bytes come out per byte that came in once the output passes `RATIO_FLOOR` (a small
body may compress very well; a bomb cannot stay small). One coding only: gzip, deflate (zlib
or raw, as browsers accept both) and br when the `brotli` library is installed. Anything else,
a stack of codings, or a corrupt or truncated stream raises `InflateError` and the gateway
answers 502: what it cannot read, it does not pass.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Any

from gateway.codec import CodecError

try:  # optional: installed with the sidecar extra; without it a `br` answer is refused
    import brotli as _brotli
except ImportError:  # pragma: no cover - depends on the environment
    _brotli = None

__all__ = ["RATIO_FLOOR", "Inflater", "InflateError", "content_coding", "inflate"]

RATIO_FLOOR = 64 * 1024  # below this much output the ratio is not judged
_STEP = 64 * 1024        # output produced per step, so a bomb never holds more than this beyond the limit
_GZIP = ("gzip", "x-gzip")


class InflateError(CodecError):
    """A compressed answer the gateway will not or cannot read within its bounds."""


def content_coding(headers: Mapping[str, str]) -> str:
    """The one content coding of a message ('' for none); InflateError for a stack of codings."""
    values = headers.getall("Content-Encoding", ()) if hasattr(headers, "getall") \
        else [headers.get("Content-Encoding", "")]
    codings = [token.strip().lower() for value in values for token in value.split(",")]
    codings = [coding for coding in codings if coding not in ("", "identity")]
    if len(codings) > 1:
        raise InflateError(f"more than one content coding ({', '.join(codings)})")
    return codings[0] if codings else ""


class _Zlib:
    """gzip or deflate through zlib, never more than `room` bytes out per step."""

    def __init__(self, wbits: int | None) -> None:
        self._obj: Any = None if wbits is None else zlib.decompressobj(wbits)

    def step(self, data: bytes, room: int) -> bytes:
        if self._obj is None:  # deflate: HTTP's is zlib-wrapped (RFC 9110 8.4.1.2); browsers take raw too
            if not data:
                return b""
            wrapped = len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
            self._obj = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        obj = self._obj
        out = [obj.decompress(data, room)]
        room -= len(out[0])
        while obj.unconsumed_tail and room > 0:
            piece = obj.decompress(obj.unconsumed_tail, room)
            out.append(piece)
            room -= len(piece)
        if obj.unconsumed_tail:
            raise InflateError("compressed answer inflates beyond the limit")
        if obj.eof and obj.unused_data.strip(b"\r\n"):
            raise InflateError("data after the end of a compressed answer")
        return b"".join(out)

    def finished(self) -> bool:
        return self._obj is not None and bool(self._obj.eof)


class _Brotli:
    """br through the brotli library's bounded output buffer."""

    def __init__(self) -> None:
        assert _brotli is not None
        self._obj = _brotli.Decompressor()

    def step(self, data: bytes, room: int) -> bytes:
        obj = self._obj
        out = [obj.process(data, output_buffer_limit=max(1, min(room, _STEP)))]
        room -= len(out[0])
        while room > 0:  # what the bounded buffer held back comes out on calls without input
            piece = obj.process(b"", output_buffer_limit=max(1, min(room, _STEP)))
            if not piece:
                break
            out.append(piece)
            room -= len(piece)
        return b"".join(out)

    def finished(self) -> bool:
        return bool(self._obj.is_finished())


class Inflater:
    """One compressed stream, inflated piece by piece within `limit` and `ratio`.

    `per_feed` bounds each `feed` on its own (event streams, whose total is unbounded);
    otherwise `limit` bounds the whole body.
    """

    __slots__ = ("_decoder", "_in", "_out", "_per_feed", "coding", "limit", "ratio")

    def __init__(self, coding: str, limit: int, ratio: int, *, per_feed: bool = False) -> None:
        self.coding = coding
        self.limit = limit
        self.ratio = ratio
        self._per_feed = per_feed
        self._in = self._out = 0
        self._decoder: _Zlib | _Brotli
        if coding in _GZIP:
            self._decoder = _Zlib(16 + zlib.MAX_WBITS)
        elif coding == "deflate":
            self._decoder = _Zlib(None)
        elif coding == "br" and _brotli is not None:
            self._decoder = _Brotli()
        else:
            raise InflateError(f"content coding {coding!r} is not understood here")

    def feed(self, data: bytes) -> bytes:
        """Inflate the next piece of the compressed body; InflateError past a bound or on bad data."""
        self._in += len(data)
        room = self.limit if self._per_feed else self.limit - self._out
        try:
            out = self._decoder.step(data, room + 1)
        except zlib.error as exc:
            raise InflateError(f"corrupt {self.coding} answer") from exc
        except InflateError:
            raise
        except Exception as exc:  # brotli.error
            if _brotli is not None and isinstance(exc, _brotli.error):
                raise InflateError(f"corrupt {self.coding} answer") from exc
            raise
        self._out += len(out)
        if len(out) > room:
            raise InflateError("compressed answer inflates beyond the limit")
        if self._out > RATIO_FLOOR and self._out > self.ratio * self._in:
            raise InflateError(f"compressed answer inflates more than {self.ratio} times")
        return out

    def close(self) -> None:
        """The compressed body ended: it must have ended as a whole stream."""
        if self._in and not self._decoder.finished():
            raise InflateError(f"truncated {self.coding} answer")


def inflate(body: bytes, coding: str, limit: int, ratio: int) -> bytes:
    """A whole compressed body, inflated within `limit` bytes and `ratio`."""
    inflater = Inflater(coding, limit, ratio)
    out = inflater.feed(body)
    inflater.close()
    return out
