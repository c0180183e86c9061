"""The framing rules of the proxied routes hold on the gateway's own pages too: its sign-in and 2FA pages, its
token API and the admin listener read request bodies, so a transfer coding other than one `chunked` gets 501
(Transfer-Encoding in HTTP/1.0: 400) with a JSON body, and the connection closes, before any handler reads."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
import pytest

from gateway.admin.app import build_admin_app
from tests.e2e.conftest import WAIT
from tests.e2e.test_auth_gateway import add_user, backend, config
from tests.helpers import exchange_raw, run_gateway, serve_app

__all__ = ["backend"]  # the fixture, imported for the gateway's upstream

PASSWORD = "correct horse battery"  # noqa: S105
FORM = b"username=ann&password=correct+horse+battery"
LOGIN_JSON = orjson.dumps({"username": "ann", "password": PASSWORD})


async def _raw(url: str, raw: bytes) -> bytes:
    return await exchange_raw(url, raw, WAIT)


def _post(path: str, content_type: str, codings: str, body: bytes, version: str = "1.1") -> bytes:
    head = (f"POST {path} HTTP/{version}\r\nHost: chat.test\r\nContent-Type: {content_type}\r\n"
            f"Transfer-Encoding: {codings}\r\nConnection: close\r\n\r\n").encode()
    return head + f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"


CASES = [
    ("/auth/login", "application/json", "gzip, chunked", gzip.compress(LOGIN_JSON), 501),
    ("/auth/login", "application/json", "identity, chunked", LOGIN_JSON, 501),
    ("/auth/page/login", "application/x-www-form-urlencoded", "x-private, chunked", FORM, 501),
    ("/auth/page/mfa", "application/x-www-form-urlencoded", "deflate,chunked", b"code=123456", 501),
    ("/auth/login", "application/json", "chunked", LOGIN_JSON, 400),  # in HTTP/1.0
]


@pytest.mark.parametrize(("path", "content_type", "codings", "body", "status"), CASES,
                         ids=["token-gzip", "token-identity", "login-page-unknown", "mfa-page-deflate", "http-1-0"])
async def test_sign_in_pages_refuse_other_transfer_codings(tmp_path: Path, backend: str, path: str, content_type: str,
                                                           codings: str, body: bytes, status: int) -> None:
    async with run_gateway(config(tmp_path, backend)) as gw:
        await add_user(gw, "ann", PASSWORD, {"agent"})
        raw = _post(path, content_type, codings, body, version="1.0" if status == 400 else "1.1")
        answer = await _raw(gw.url, raw)
    head, _, rest = answer.partition(b"\r\n\r\n")
    assert head.split(b" ", 2)[1] == str(status).encode(), answer[:120]
    assert b"\r\nConnection: close" in head or head.startswith(b"HTTP/1.0")
    assert "error" in orjson.loads(rest)
    assert b"access_token" not in answer


async def test_a_lone_chunked_still_signs_in(tmp_path: Path, backend: str) -> None:
    async with run_gateway(config(tmp_path, backend)) as gw:
        await add_user(gw, "ann", PASSWORD, {"agent"})
        answer = await _raw(gw.url, _post("/auth/login", "application/json", "chunked", LOGIN_JSON))
    assert answer.startswith(b"HTTP/1.1 200"), answer[:120]
    assert b"access_token" in answer


async def test_the_admin_listener_refuses_other_transfer_codings(tmp_path: Path, backend: str) -> None:
    async with run_gateway(config(tmp_path, backend)) as gw, serve_app(build_admin_app(gw.app)) as admin:
        answer = await _raw(admin, _post("/admin/quarantine/q1/release", "application/json", "gzip, chunked",
                                         gzip.compress(b"{}")))
    head, _, rest = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 501"), answer[:120]
    assert orjson.loads(rest)["error"] == "transfer coding not implemented"
