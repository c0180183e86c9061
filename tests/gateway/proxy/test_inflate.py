"""Inflating a backend's compressed answer: bounded by size and ratio, one coding, whole streams only."""

from __future__ import annotations

import gzip
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st
from multidict import CIMultiDict

from gateway.proxy.inflate import RATIO_FLOOR, InflateError, Inflater, content_coding, inflate

DATA = b'{"text":"hello"}' * 50
GZIP = gzip.compress(DATA, mtime=0)  # fixed bytes: test ids must be the same in every xdist worker


def _raw(data: bytes) -> bytes:
    obj = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return obj.compress(data) + obj.flush()


@pytest.mark.parametrize(("coding", "body"), [
    ("gzip", GZIP), ("x-gzip", GZIP), ("deflate", zlib.compress(DATA)), ("deflate", _raw(DATA)),
], ids=["gzip", "x-gzip", "deflate-zlib", "deflate-raw"])
def test_inflates_the_codings_browsers_read(coding: str, body: bytes) -> None:
    assert inflate(body, coding, 1 << 20, 100) == DATA


def test_brotli_when_installed() -> None:
    brotli = pytest.importorskip("brotli")
    assert inflate(brotli.compress(DATA), "br", 1 << 20, 100) == DATA
    with pytest.raises(InflateError, match="beyond the limit"):
        inflate(brotli.compress(b"a" * (8 << 20)), "br", 1 << 20, 1 << 20)


def test_size_bound_stops_a_bomb_early() -> None:
    with pytest.raises(InflateError, match="beyond the limit"):
        inflate(gzip.compress(b"\0" * (32 << 20)), "gzip", 1 << 20, 1 << 20)


def test_ratio_bound_applies_past_the_floor() -> None:
    small = gzip.compress(b" " * (RATIO_FLOOR // 2))  # compresses very well, but is small
    assert len(inflate(small, "gzip", 1 << 20, 2)) == RATIO_FLOOR // 2
    with pytest.raises(InflateError, match="more than 100 times"):
        inflate(gzip.compress(b" " * (4 << 20)), "gzip", 8 << 20, 100)


@pytest.mark.parametrize(("body", "coding"), [
    (GZIP[:-4], "gzip"), (GZIP + b"tail", "gzip"), (b"not gzip at all", "gzip"),
    (DATA, "zstd"), (DATA, "compress"), (zlib.compress(DATA)[:10], "deflate"),
], ids=["truncated", "trailing-data", "not-gzip", "zstd", "compress", "truncated-deflate"])
def test_unreadable_bodies_raise(body: bytes, coding: str) -> None:
    with pytest.raises(InflateError):
        inflate(body, coding, 1 << 20, 100)


def test_stream_is_bounded_per_piece_not_in_total() -> None:
    obj = zlib.compressobj(wbits=16 + zlib.MAX_WBITS)
    inflater = Inflater("gzip", 1024, 100, per_feed=True)
    out = b"".join(inflater.feed(obj.compress(b"x" * 1000) + obj.flush(zlib.Z_SYNC_FLUSH)) for _ in range(10))
    inflater.feed(obj.flush())
    inflater.close()
    assert out == b"x" * 10_000


@pytest.mark.parametrize(("values", "coding"), [
    ((), ""), (("identity",), ""), (("GZip",), "gzip"), (("identity, br",), "br"), (("", "deflate"), "deflate"),
])
def test_content_coding(values: tuple[str, ...], coding: str) -> None:

    assert content_coding(CIMultiDict(("Content-Encoding", v) for v in values)) == coding


@pytest.mark.parametrize("values", [("gzip, gzip",), ("gzip", "br")])
def test_stacked_codings_are_refused(values: tuple[str, ...]) -> None:

    with pytest.raises(InflateError, match="more than one"):
        content_coding(CIMultiDict(("Content-Encoding", v) for v in values))


@given(st.binary(max_size=512), st.sampled_from(["gzip", "deflate", "br"]))
def test_any_bytes_inflate_within_bounds_or_raise(body: bytes, coding: str) -> None:
    try:
        out = inflate(body, coding, 4096, 10)
    except InflateError:
        return
    assert len(out) <= 4096
