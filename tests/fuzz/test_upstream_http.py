"""The upstream HTTP/1.1 reader: a backend's status line, headers and (chunked) bodies."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from gateway.proxy.h1parse import Head, ResponseParser, UpstreamProtocolError
from tests.fuzz.profiles import FUZZ
from tests.fuzz.strategies import damaged

HEADER_LINES = st.sampled_from([
    b"Content-Length: 5", b"Content-Length: 5, 5", b"Content-Length: +5", b"Transfer-Encoding: chunked",
    b"Transfer-Encoding: gzip, chunked", b"Transfer-Encoding: chunked\x0b", b" Folded: x", b"X: a\x00b",
    b"Connection: close", b"Content-Type: application/json", b"X:", b":", b"X : y", b"\xff: \xfe"])
STATUS = st.sampled_from([b"HTTP/1.1 200 OK", b"HTTP/1.1 204 No Content", b"HTTP/1.0 200 OK", b"HTTP/1.1 99 x",
                          b"HTTP/2 200", b"HTTP/1.1 200", b"HTTP/1.1 304 Not Modified", b"HTTP/1.1 101 Switching"])
CHUNKED = st.lists(st.binary(min_size=1, max_size=30), max_size=4).map(
    lambda chunks: b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n")
ANSWERS = st.one_of(
    st.builds(lambda status, lines, body: b"\r\n".join([status, *lines]) + b"\r\n\r\n" + body,
              STATUS, st.lists(HEADER_LINES, max_size=4), st.binary(max_size=20)),
    CHUNKED.map(lambda body: b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body))


class Collect:
    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []

    def on_head(self, head: Head) -> None:
        self.events.append(("head", (head.status, head.framing, head.length)))

    def on_data(self, data: bytes) -> None:
        if self.events and self.events[-1][0] == "data":
            self.events[-1] = ("data", self.events[-1][1] + data)  # type: ignore[operator]
        else:
            self.events.append(("data", data))

    def on_end(self) -> None:
        self.events.append(("end", None))


def parse(pieces: list[bytes], method: str) -> list[tuple[str, object]] | None:
    sink = Collect()
    parser = ResponseParser(sink)
    parser.expect(method)
    try:
        for piece in pieces:
            parser.feed(piece)
    except UpstreamProtocolError:
        return None
    return sink.events


@FUZZ
@given(st.one_of(ANSWERS, damaged(ANSWERS)), st.lists(st.integers(1, 20), max_size=6),
       st.sampled_from(["GET", "HEAD", "POST"]))
@example(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", [3], "GET")
@example(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n", [], "GET")
def test_answer_is_read_the_same_whatever_the_cuts(stream: bytes, cuts: list[int], method: str) -> None:
    """Refused (UpstreamProtocolError) or read into the same head and body however it arrives."""
    whole = parse([stream], method)
    pieces, at = [], 0
    for size in [*cuts, len(stream)]:
        pieces.append(stream[at:at + size])
        at += size
    if whole is not None:
        cut = parse(pieces, method)
        assert cut is None or cut == whole
