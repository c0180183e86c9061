"""`check-config --connect`: real Redis, real PostgreSQL, a real upstream and a real JWKS server answer;
what does not answer is named by its key, with the cause, and exit status 2."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp import web

from gateway.cli import main
from tests.databases import PG_SERVER
from tests.helpers import serve_app
from tests.ports import closed_port as _closed_port


@pytest.fixture
async def services() -> AsyncIterator[tuple[str, str]]:
    """An upstream and a JWKS endpoint on loopback."""
    async def hello(_: web.Request) -> web.Response:
        return web.Response(text="hi")

    async def jwks(_: web.Request) -> web.Response:
        return web.json_response({"keys": [{"kid": "k1", "kty": "OKP", "crv": "Ed25519",
                                            "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]})

    async def empty(_: web.Request) -> web.Response:
        return web.json_response({"keys": []})

    app = web.Application()
    app.router.add_get("/", hello)
    app.router.add_get("/jwks", jwks)
    app.router.add_get("/empty", empty)
    async with serve_app(app) as url:
        yield url, f"{url}/jwks"


def _config(upstream: str, jwks: str, **top: Any) -> dict[str, Any]:
    return {"admin": {"enabled": False},
            "upstreams": {"chat": {"url": upstream}},
            "state": {"backend": "redis", "url": "redis://127.0.0.1:6379/0"},
            "auth": {"enabled": True, "external": [{"issuer": "https://idp.example", "audience": "chat",
                                                    "jwks_url": jwks}]},
            "transcripts": {"database": PG_SERVER},
            "routes": [{"match": {"path": "/"}, "upstream": "chat", "allow": ["anonymous"]}], **top}


def _check(tmp_path: Path, config: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(config))
    status = main(["check-config", "--connect", str(path)])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


async def test_everything_answers(services: tuple[str, str], tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    upstream, jwks = services
    status, out, err = await _in_thread(_check, tmp_path, _config(upstream, jwks), capsys)
    assert status == 0, err
    for key in ("state.url (Redis)", "transcripts.database (PostgreSQL)", "upstreams.chat.url",
                "auth.external[0].jwks_url"):
        assert f"reached: {key}" in out


async def test_what_does_not_answer_is_named(services: tuple[str, str], tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    upstream, jwks = services
    dead = f"127.0.0.1:{_closed_port()}"
    config = _config(f"http://{dead}", jwks.replace("/jwks", "/empty"),
                     state={"backend": "redis", "url": f"redis://:hunter2-secret@{dead}/0"})
    config["transcripts"] = {"database": f"postgresql://postgres@{dead}/test"}
    status, _, err = await _in_thread(_check, tmp_path, config, capsys)
    assert status == 2
    lines = err.strip().splitlines()
    keys = sorted(line.split(": ")[2] for line in lines)
    assert keys == ["auth.external[0].jwks_url", "state.url", "transcripts.database", "upstreams.chat.url"], err
    assert "the document holds no keys" in err and "hunter2" not in err


async def test_tls_upstream_with_a_wrong_ca_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import ssl

    from gateway.tls.certs import create_dev_certs

    served = create_dev_certs(tmp_path / "served", client_name=None)
    other = create_dev_certs(tmp_path / "other", client_name=None)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(served.server_cert, served.server_key)
    async with serve_app(web.Application(), ssl_context=context) as url:
        config: dict[str, Any] = {"admin": {"enabled": False},
                                  "upstreams": {"chat": {"url": url, "tls": {"ca_file": str(other.ca_cert)}}},
                                  "routes": [{"match": {"path": "/"}, "upstream": "chat", "allow": ["anonymous"]}]}
        status, _, err = await _in_thread(_check, tmp_path, config, capsys)
        assert status == 2 and "upstreams.chat.url: cannot reach upstream" in err and "certificate" in err
        config["upstreams"]["chat"]["tls"]["ca_file"] = str(served.ca_cert)
        status, out, err = await _in_thread(_check, tmp_path, config, capsys)
        assert status == 0, err


async def _in_thread(function: Any, *args: Any) -> Any:
    """`check-config` runs its own event loop (asyncio.run): keep it off the test's loop, which serves."""
    import asyncio

    return await asyncio.to_thread(function, *args)
