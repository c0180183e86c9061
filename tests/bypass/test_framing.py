"""Content-bypass suite, HTTP framing: request bodies a backend could frame otherwise than the gateway.

Each case writes raw bytes to the gateway's socket. Ambiguous framing (both Content-Length and
Transfer-Encoding, two lengths, unknown codings, folded headers) is refused before anything
reaches the backend; unambiguous framing (chunks splitting the watched word, pipelined requests)
is read whole and every request inspected.
"""

from __future__ import annotations

import gzip
import logging

import orjson
import pytest

from gateway.keys import METRICS
from tests.bypass.conftest import CODEC_HOST, Suite
from tests.e2e.conftest import REPLACED, WAIT, WORD
from tests.helpers import exchange_raw

pytestmark = pytest.mark.asyncio(loop_scope="package")


async def _exchange(suite: Suite, raw: bytes) -> bytes:
    """Write `raw` and read until the gateway closes the connection (every request asks it to)."""
    return await exchange_raw(suite.gateway.url, raw, WAIT)


def _head(extra: str, *, close: bool = True) -> str:
    return (f"POST /json HTTP/1.1\r\nHost: {CODEC_HOST}\r\nContent-Type: application/json\r\n{extra}"
            + ("Connection: close\r\n" if close else "") + "\r\n")


BODY = f'{{"text":"{WORD}"}}'
FORMISH = f'{{"note":"&text={WORD}&"}}'  # JSON without the field, a form with it


@pytest.mark.parametrize("raw", [
    _head(f"Content-Length: {len(BODY)}\r\nTransfer-Encoding: chunked\r\n") + f"{len(BODY):x}\r\n{BODY}\r\n0\r\n\r\n",
    _head(f"Content-Length: {len(BODY)}\r\nContent-Length: {len(BODY) + 1}\r\n") + BODY + " ",
    _head("Transfer-Encoding: xchunked\r\n") + f"{len(BODY):x}\r\n{BODY}\r\n0\r\n\r\n",
    _head("Transfer-Encoding: chunked, identity\r\n") + f"{len(BODY):x}\r\n{BODY}\r\n0\r\n\r\n",
    _head(f"Content-Length: +{len(BODY)}\r\n") + BODY,
    _head(f"X-Note: a\r\n folded\r\nContent-Length: {len(BODY)}\r\n") + BODY,
    _head(f"Content-Length : {len(BODY)}\r\n") + BODY,
    # a WSGI server under gunicorn reads the last type: this JSON is then a form with `text=forbidden`
    _head(f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(FORMISH)}\r\n") + FORMISH,
    # what llhttp (aiohttp's parser) refuses itself, kept here so that a parser change shows
    _head(f"Content-Length: {len(BODY)}\r\nContent-Length: {len(BODY)}\r\n") + BODY,
    _head(f"Content-Length: {len(BODY)}, {len(BODY)}\r\n") + BODY,
    _head(f"Content-Length: {len(BODY)}\r\n").replace("\r\n", "\n") + BODY,
    _head(f"X-Note: a\rContent-Length: 0\r\nContent-Length: {len(BODY)}\r\n") + BODY,
    _head(f"X-Note: a\x00b\r\nContent-Length: {len(BODY)}\r\n") + BODY,
    _head(f"X Note: a\r\nContent-Length: {len(BODY)}\r\n") + BODY,
    _head(f"Host: other.test\r\nContent-Length: {len(BODY)}\r\n") + BODY,
    _head(f"Content-Length: {len(BODY)}\r\n").replace(f"Host: {CODEC_HOST}\r\n", "") + BODY,
    _head("").replace("HTTP/1.1", "HTTP/1.0", 1) + BODY,  # a body with no length in HTTP/1.0 (read to the close)
    _head("Transfer-Encoding: chunked\r\n") + f"{len(BODY):x}\n{BODY}\n0\n\n",
    _head("Transfer-Encoding: chunked\r\n") + f"0x{len(BODY):x}\r\n{BODY}\r\n0\r\n\r\n",
    _head("Transfer-Encoding: chunked\r\n") + f"{len(BODY):x}\r\n{BODY}\r\n0\r\nContent-Length: 5\r\n\r\n",
    _head(f"Content-Length: {len(BODY)}\r\n").replace("POST ", "POST\t", 1) + BODY,
    _head(f"Content-Length: {len(BODY)}\r\n").replace("HTTP/1.1", "HTTP/1.2", 1) + BODY,
    # absolute-form: the gateway routes the Host header's name, a backend behind another hop the target's
    _head(f"Content-Length: {len(BODY)}\r\n").replace("POST /json", "POST http://other.test/json", 1) + BODY,
    _head(f"Content-Length: {len(BODY)}\r\n").replace("POST /json", f"POST http://{CODEC_HOST}/json", 1) + BODY,
], ids=["cl-and-te", "two-lengths", "unknown-coding", "chunked-not-last", "signed-length", "obs-fold",
        "space-before-colon", "two-types", "same-length-twice", "length-list", "bare-lf", "bare-cr", "nul-in-value",
        "space-in-name", "two-hosts", "no-host", "http-1-0-body-to-close",
        "chunk-size-bare-lf", "chunk-size-0x", "length-in-trailer", "tab-in-request-line", "http-1-2",
        "absolute-form-other-host", "absolute-form-same-host"])
async def test_ambiguous_framing_is_refused(suite: Suite, raw: str) -> None:
    suite.backend.hits.clear()
    answer = await _exchange(suite, raw.encode())
    assert answer[:12] in (b"HTTP/1.0 400", b"HTTP/1.1 400", b"HTTP/1.1 501") or answer == b"", answer[:80]
    assert suite.backend.hits == []


@pytest.mark.parametrize("raw", [
    _head(f"Content-Length: {len(BODY)}\r\n").replace("HTTP/1.1", "HTTP/2.0", 1) + BODY,
    _head(f"Content-Length: {len(BODY)}\r\n").replace("HTTP/1.1", "HTTP/0.9", 1) + BODY,
    "GET /json\r\n\r\n",  # a request line with no version: HTTP/0.9, no headers
    f"GET /json HTTP/2.0\r\nHost: {CODEC_HOST}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
], ids=["http-2-0-as-text", "http-0-9-with-headers", "http-0-9-bare", "http-2-0-websocket"])
async def test_other_versions_than_http_1_are_505(suite: Suite, raw: str) -> None:
    """llhttp reads these request lines; the gateway frames and authorises HTTP/1.0 and 1.1 only."""
    suite.backend.hits.clear()
    answer = await _exchange(suite, raw.encode())
    assert answer[8:12] == b" 505", answer[:80]
    assert orjson.loads(answer.split(b"\r\n\r\n", 1)[1])["error"] == "HTTP version not supported"
    assert suite.backend.hits == []


@pytest.mark.parametrize("raw", [
    f"OPTIONS * HTTP/1.1\r\nHost: {CODEC_HOST}\r\nConnection: close\r\n\r\n",
    f"CONNECT {CODEC_HOST}:443 HTTP/1.1\r\nHost: {CODEC_HOST}:443\r\nConnection: close\r\n\r\n",
], ids=["asterisk-form", "authority-form"])
async def test_a_target_that_is_not_a_path_is_400_in_json(suite: Suite, raw: str) -> None:
    suite.backend.hits.clear()
    answer = await _exchange(suite, raw.encode())
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:80]
    assert orjson.loads(answer.split(b"\r\n\r\n", 1)[1])["error"] == "request target is not a path"
    assert suite.backend.hits == []


async def test_chunks_splitting_the_word_are_read_whole(suite: Suite) -> None:
    suite.backend.hits.clear()
    suite.backend.reply("/json", "{}")
    half = len(BODY) // 2 + 3
    chunks = "".join(f"{len(part):x}\r\n{part}\r\n" for part in (BODY[:half], BODY[half:])) + "0\r\n\r\n"
    answer = await _exchange(suite, (_head("Transfer-Encoding: chunked\r\n") + chunks).encode())
    assert answer.startswith(b"HTTP/1.1 200"), answer[:80]
    assert [hit.body for hit in suite.backend.hits] == [BODY.replace(WORD, REPLACED).encode()]


async def test_pipelined_requests_are_each_inspected(suite: Suite) -> None:
    suite.backend.hits.clear()
    suite.backend.reply("/json", "{}")
    first = _head(f"Content-Length: {len(BODY)}\r\n", close=False) + BODY
    second = _head(f"Content-Length: {len(BODY)}\r\n") + BODY
    answer = await _exchange(suite, (first + second).encode())
    assert answer.count(b"HTTP/1.1 200") == 2, answer
    assert [hit.body for hit in suite.backend.hits] == [BODY.replace(WORD, REPLACED).encode()] * 2


async def test_http_1_0_kept_alive_requests_are_each_inspected(suite: Suite) -> None:
    suite.backend.hits.clear()
    suite.backend.reply("/json", "{}")
    first = _head(f"Connection: keep-alive\r\nContent-Length: {len(BODY)}\r\n", close=False) + BODY
    second = _head(f"Content-Length: {len(BODY)}\r\n") + BODY
    answer = await _exchange(suite, (first + second).replace("HTTP/1.1", "HTTP/1.0").encode())
    assert answer.count(b"HTTP/1.0 200") + answer.count(b"HTTP/1.1 200") == 2, answer
    assert [hit.body for hit in suite.backend.hits] == [BODY.replace(WORD, REPLACED).encode()] * 2


async def test_expect_100_continue_is_answered_and_the_body_read_once(suite: Suite) -> None:
    suite.backend.hits.clear()
    suite.backend.reply("/json", "{}")
    answer = await _exchange(suite, (_head(f"Expect: 100-continue\r\nContent-Length: {len(BODY)}\r\n") + BODY).encode())
    assert answer.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200"), answer[:80]
    assert [hit.body for hit in suite.backend.hits] == [BODY.replace(WORD, REPLACED).encode()]


async def test_an_expectation_other_than_100_continue_is_refused(suite: Suite) -> None:
    suite.backend.hits.clear()
    answer = await _exchange(suite, (_head(f"Expect: 100-continue, x\r\nContent-Length: {len(BODY)}\r\n") + BODY).encode())
    assert answer.startswith(b"HTTP/1.1 417"), answer[:80]
    assert suite.backend.hits == []


def _coded(codings: str, body: bytes, version: str = "1.1") -> bytes:
    head = _head(f"Transfer-Encoding: {codings}\r\n").replace("HTTP/1.1", f"HTTP/{version}", 1)
    return head.encode() + f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"


@pytest.mark.parametrize(("codings", "body"), [
    ("gzip, chunked", gzip.compress(BODY.encode())),  # llhttp frames it as chunked and leaves the gzip inside
    ("deflate,chunked", BODY.encode()),  # the gateway would read as text what the sender marked compressed
    ("identity, chunked", BODY.encode()),
    ("x-private, chunked", BODY.encode()),
], ids=["gzip", "deflate", "identity", "unknown"])
async def test_transfer_codings_before_chunked_are_refused_at_once(suite: Suite, codings: str, body: bytes) -> None:
    suite.backend.hits.clear()
    suite.backend.reply("/json", "{}")
    answer = await _exchange(suite, _coded(codings, body))
    head, _, rest = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 501"), answer[:80]
    assert b"\r\nConnection: close" in head
    assert orjson.loads(rest)["error"] == "transfer coding not implemented"
    assert suite.backend.hits == []
    refused = suite.gateway.app[METRICS].registry.get_sample_value("chatguard_requests_total",
                                                                   {"route": "-", "status": "501"})
    assert refused is not None and refused >= 1


async def test_transfer_encoding_in_http_1_0_is_refused(suite: Suite) -> None:
    suite.backend.hits.clear()
    suite.backend.reply("/json", "{}")
    answer = await _exchange(suite, _coded("chunked", BODY.encode(), version="1.0"))
    assert answer[:12] in (b"HTTP/1.0 400", b"HTTP/1.1 400"), answer[:80]
    assert suite.backend.hits == []


@pytest.mark.parametrize("codings", ["chunked", "Chunked", "chunked "])
async def test_a_lone_chunked_in_any_case_is_read(suite: Suite, codings: str) -> None:
    suite.backend.hits.clear()
    suite.backend.reply("/json", "{}")
    answer = await _exchange(suite, _coded(codings, BODY.encode()))
    assert answer.startswith(b"HTTP/1.1 200"), answer[:80]
    assert [hit.body for hit in suite.backend.hits] == [BODY.replace(WORD, REPLACED).encode()]


async def test_an_upgrade_to_another_protocol_is_answered_then_the_connection_closed(suite: Suite) -> None:
    """aiohttp stops reading a connection whose request asked to upgrade (curl's `Upgrade: h2c`): the answer
    says `Connection: close` and the connection closes, instead of a request pipelined after it waiting unread."""
    suite.backend.hits.clear()
    suite.backend.reply("/json", "{}")
    first = _head(f"Upgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n"
                  f"Content-Length: {len(BODY)}\r\n", close=False) + BODY
    second = _head(f"Content-Length: {len(BODY)}\r\n") + BODY
    answer = await _exchange(suite, (first + second).encode())
    assert answer.count(b"HTTP/1.1 200") == 1, answer
    assert b"\r\nConnection: close" in answer
    assert [hit.body for hit in suite.backend.hits] == [BODY.replace(WORD, REPLACED).encode()]
    assert all(b"h2c" not in value.encode() for hit in suite.backend.hits for value in hit.headers.values())


@pytest.mark.parametrize(("raw", "reason"), [
    (_head(f"Content-Length: {len(BODY)}\r\nContent-Length: {len(BODY)}\r\n") + BODY, "Duplicate Content-Length"),
    (_head(f"Content-Length: {len(BODY)}\r\n").replace("\r\n", "\n") + BODY,
     "Bad status line: Expected CRLF after version"),
    (_head(f"X-Note: a\x00b\r\nContent-Length: {len(BODY)}\r\n") + BODY, "Invalid header value char"),
], ids=["same-length-twice", "bare-lf", "nul-in-value"])
async def test_what_the_parser_refuses_is_answered_in_json_and_logged_once(
        suite: Suite, raw: str, reason: str, caplog: pytest.LogCaptureFixture) -> None:
    suite.backend.hits.clear()
    caplog.set_level(logging.INFO)
    answer = await _exchange(suite, raw.encode())
    head, _, rest = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 400"), answer[:80]
    assert b"\r\nContent-Type: application/json" in head
    assert orjson.loads(rest)["error"] == reason
    assert WORD.encode() not in answer  # the request's bytes are not quoted back
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.INFO
            and record.name in ("chatguard.edge", "aiohttp.server")] == ["request refused by the HTTP parser"]
    assert suite.backend.hits == []
