"""`chatguard feeds fetch` against a real HTTPS server on 127.0.0.1, with the test suite's development PKI."""

from __future__ import annotations

import asyncio
import gzip
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from aiohttp import web

from gateway.tls.certs import issue, write_pair
from gateway.tls.server import ServerTLS
from gateway.tls.settings import ListenerTLS
from gateway.tools.feeds import Fetched, FetchError, fetch
from tests.gateway.tls.conftest import PKI, make_pki, serve, serve_in_thread

ROOT = Path(__file__).resolve().parents[3]
LIST = b"# a test list\nevil.example\nhttps://bad.example/login\n"


@pytest.fixture
def pki(tmp_path: Path) -> PKI:
    return make_pki(tmp_path / "pki")


class Feed:
    """A feed server's answers: the body, its validators, and what each request asked."""

    def __init__(self) -> None:
        self.body = LIST
        self.etag = '"v1"'
        self.status = 200
        self.content_type = "text/plain"
        self.headers_seen: list[dict[str, str]] = []

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/list.txt", self.answer)
        app.router.add_get("/gz.txt", self.gzipped)
        app.router.add_get("/moved", self.moved)
        app.router.add_get("/slow", self.slow)
        return app

    async def slow(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})
        await response.prepare(request)
        await response.write(b"evil.example\n")
        await asyncio.sleep(3)  # the rest comes too late
        return response

    async def moved(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("/list.txt")

    async def answer(self, request: web.Request) -> web.StreamResponse:
        self.headers_seen.append(dict(request.headers))
        if request.headers.get("If-None-Match") == self.etag:
            return web.Response(status=304, headers={"ETag": self.etag})
        return web.Response(status=self.status, body=self.body, content_type=self.content_type,
                            headers={"ETag": self.etag, "Last-Modified": "Sun, 06 Dec 2026 10:00:00 GMT"})

    async def gzipped(self, request: web.Request) -> web.StreamResponse:
        return web.Response(body=gzip.compress(self.body), content_type="text/plain",
                            headers={"Content-Encoding": "gzip"})


@pytest.fixture
async def feed(pki: PKI) -> AsyncIterator[tuple[Feed, str]]:
    server = Feed()
    async with serve(server.app(), ServerTLS.load(pki.listener()).context) as port:
        yield server, f"https://localhost:{port}"


def _state(out: Path) -> tuple[bytes, bytes, int] | None:
    """The file, its validators and its inode; None when there is no file."""
    if not out.exists():
        return None
    return out.read_bytes(), out.with_name(out.name + ".http").read_bytes(), out.stat().st_ino


async def test_download_then_not_modified(feed: tuple[Feed, str], pki: PKI, tmp_path: Path) -> None:
    server, base = feed
    out = tmp_path / "list.txt"
    ca = str(pki.files.ca_cert)
    assert await fetch(f"{base}/list.txt", out, ca_file=ca) == Fetched(changed=True, entries=2)
    assert out.read_bytes() == LIST and oct(out.stat().st_mode & 0o777) == "0o644"
    before = _state(out)
    assert await fetch(f"{base}/list.txt", out, ca_file=ca) == Fetched(changed=False)
    assert server.headers_seen[-1]["If-None-Match"] == '"v1"'
    assert server.headers_seen[-1]["If-Modified-Since"] == "Sun, 06 Dec 2026 10:00:00 GMT"
    assert _state(out) == before
    server.body, server.etag = LIST + b"new.example\n", '"v2"'
    assert await fetch(f"{base}/list.txt", out, ca_file=ca) == Fetched(changed=True, entries=3)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


async def test_validators_are_sent_only_for_their_url_and_file(feed: tuple[Feed, str], pki: PKI,
                                                               tmp_path: Path) -> None:
    server, base = feed
    out = tmp_path / "list.txt"
    await fetch(f"{base}/list.txt", out, ca_file=str(pki.files.ca_cert))
    out.unlink()  # the file is gone: a 304 would leave nothing, so nothing conditional is asked
    assert await fetch(f"{base}/list.txt", out, ca_file=str(pki.files.ca_cert)) == Fetched(True, 2)
    assert "If-None-Match" not in server.headers_seen[-1]
    out.write_bytes(b"edited-by-hand.example\n")  # changed since: a 304 would keep what the server never sent
    assert await fetch(f"{base}/list.txt", out, ca_file=str(pki.files.ca_cert)) == Fetched(True, 2)
    assert "If-None-Match" not in server.headers_seen[-1] and out.read_bytes() == LIST
    assert await fetch(f"{base}/list.txt?v=2", out,
                       ca_file=str(pki.files.ca_cert)) == Fetched(True, 2)  # another URL: asked unconditionally
    assert "If-None-Match" not in server.headers_seen[-1]


Case = Callable[[Feed], None]


def _html(server: Feed) -> None:
    server.body = (b"<!DOCTYPE html>\n<html>\n<head><title>Service unavailable</title></head>\n"
                   b"<body>The list is being rebuilt, come back later.</body>\n</html>\n")
    server.content_type = "text/html"


def _empty(server: Feed) -> None:
    server.body = b"# nothing listed today\n"


def _error(server: Feed) -> None:
    server.status = 503


def _big(server: Feed) -> None:
    server.body = b"evil.example\n" * 1000


@pytest.mark.parametrize(("case", "why"), [
    (_html, "not a usable feed: 5 of its 5 lines are no URL or domain"),
    (_empty, "not a usable feed: it lists nothing"),
    (_error, "the server answered 503"),
    (_big, "larger than 4096 bytes"),
])
async def test_failures_leave_the_file_as_it_was(feed: tuple[Feed, str], pki: PKI, tmp_path: Path,
                                                 case: Case, why: str) -> None:
    server, base = feed
    out = tmp_path / "list.txt"
    ca = str(pki.files.ca_cert)
    await fetch(f"{base}/list.txt", out, ca_file=ca)
    before = _state(out)
    case(server)
    server.etag = '"v2"'
    with pytest.raises(FetchError, match=why) as raised:
        await fetch(f"{base}/list.txt", out, ca_file=ca, max_bytes=4096)
    assert "Service unavailable" not in str(raised.value)  # never the body
    assert _state(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["list.txt", "list.txt.http", "pki"]


async def test_decompressed_size_is_what_the_cap_counts(feed: tuple[Feed, str], pki: PKI, tmp_path: Path) -> None:
    server, base = feed
    _big(server)
    with pytest.raises(FetchError, match="larger than 4096 bytes"):
        await fetch(f"{base}/gz.txt", tmp_path / "list.txt", ca_file=str(pki.files.ca_cert), max_bytes=4096)
    assert not (tmp_path / "list.txt").exists()


async def test_a_certificate_from_another_ca_is_refused(feed: tuple[Feed, str], tmp_path: Path) -> None:
    _, base = feed
    other = make_pki(tmp_path / "other")
    out = tmp_path / "list.txt"
    for ca_file in (str(other.files.ca_cert), None):  # an unrelated CA, and the system's trust store
        with pytest.raises(FetchError, match="certificate was refused"):
            await fetch(f"{base}/list.txt", out, ca_file=ca_file)
    assert not out.exists()


async def test_the_certificate_must_name_the_host(pki: PKI, tmp_path: Path) -> None:
    """Signed by the trusted CA, but for another name than the URL's."""
    write_pair(issue(pki.ca, "feeds.internal", ["feeds.internal"]), tmp_path / "f.crt", tmp_path / "f.key")
    context = ServerTLS.load(ListenerTLS(cert=str(tmp_path / "f.crt"), key=str(tmp_path / "f.key"))).context
    async with serve(Feed().app(), context) as port:
        with pytest.raises(FetchError, match="certificate was refused"):
            await fetch(f"https://localhost:{port}/list.txt", tmp_path / "list.txt", ca_file=str(pki.files.ca_cert))
    assert not (tmp_path / "list.txt").exists()


async def test_redirects_are_followed_within_https(feed: tuple[Feed, str], pki: PKI, tmp_path: Path) -> None:
    _, base = feed
    assert (await fetch(f"{base}/moved", tmp_path / "list.txt", ca_file=str(pki.files.ca_cert))).entries == 2


async def test_the_timeout_covers_the_whole_download(feed: tuple[Feed, str], pki: PKI, tmp_path: Path) -> None:
    _, base = feed
    with pytest.raises(FetchError, match="no complete answer within 0.5s"):
        await fetch(f"{base}/slow", tmp_path / "list.txt", ca_file=str(pki.files.ca_cert), within=0.5)
    assert not (tmp_path / "list.txt").exists()


@pytest.mark.parametrize("url", ["http://localhost/list.txt", "ftp://localhost/x", "https:///x"])
async def test_only_https_urls(url: str, tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="must be https"):
        await fetch(url, tmp_path / "list.txt")


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "gateway", "feeds", "fetch", *args], capture_output=True,
                          text=True, timeout=60, env=env, check=False)


def test_the_command_exits_non_zero_and_leaves_the_file(pki: PKI, tmp_path: Path) -> None:
    server = Feed()
    out = tmp_path / "list.txt"
    ca = str(pki.files.ca_cert)
    with serve_in_thread(server.app, ServerTLS.load(pki.listener()).context) as port:
        url = f"https://localhost:{port}/list.txt"
        done = _cli("--url", url, "--out", str(out), "--ca-file", ca)
        assert (done.returncode, done.stdout) == (0, f"{out}: updated, 2 entries\n")
        assert _cli("--url", url, "--out", str(out), "--ca-file", ca).stdout == f"{out}: not modified\n"
        before = _state(out)
        _html(server)
        server.etag = '"v2"'
        failed = _cli("--url", url, "--out", str(out), "--ca-file", ca)
        assert failed.returncode == 1 and failed.stdout == ""
        assert failed.stderr.startswith(f"chatguard feeds: {out} left as it was: the body is not a usable feed")
        assert _state(out) == before
        assert _cli("--url", url, "--out", str(out), "--timeout", "soon").returncode == 2
