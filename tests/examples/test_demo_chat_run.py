"""`make demo` (examples/demo_chat/run.py): start-up, failure paths and, once the gateway exists, end to end."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import aiohttp
import pytest

from examples.demo_chat import run
from tests.ports import free_port

REPO = Path(__file__).resolve().parents[2]




def write_config(tmp_path: Path, backend: int, gateway: int, admin: int, redirect: int | None = None) -> Path:
    text = (REPO / "config" / "demo.yaml").read_text()
    text = (text.replace("port: 8443", f"port: {gateway}").replace("port: 9901", f"port: {admin}")
            .replace("port: 8080", f"port: {redirect or free_port()}")
            .replace("127.0.0.1:8008", f"127.0.0.1:{backend}").replace(":8443", f":{gateway}"))
    config = tmp_path / "demo.yaml"
    config.write_text(text)
    return config


def test_the_default_config_is_the_shipped_demo_config() -> None:
    assert run.DEFAULT_CONFIG == REPO / "config" / "demo.yaml"
    assert run.gateway_command(run.DEFAULT_CONFIG)[1:] == ["-m", "gateway", "serve", "--config",
                                                           str(run.DEFAULT_CONFIG)]


def test_demo_config_loads_and_names_installed_filters() -> None:
    from filters import installed_filters as installed
    from gateway.config.settings import load_settings

    settings = load_settings(run.DEFAULT_CONFIG, environ={})
    assert settings.listen.port == 8443 and settings.admin.port == 9901
    assert settings.listen.tls is not None and settings.listen.tls.cert == ".demo-certs/server.crt"
    assert settings.listen.tls.redirect_http.enabled and settings.listen.tls.redirect_http.port == 8080
    assert settings.upstreams["chat"].url == "http://127.0.0.1:8008"
    assert {ref.use for ref in settings.filters.values()} <= set(installed())
    assert all(route.allow == ("anonymous",) for route in settings.routes)
    assert settings.transcripts.database == "sqlite://.demo-data/transcripts.db"


def test_demo_config_takes_its_certificates_from_the_environment(tmp_path: Path) -> None:
    from gateway.config.settings import load_settings

    settings = load_settings(run.DEFAULT_CONFIG, environ={run.CERTS_ENV: str(tmp_path)})
    assert settings.listen.tls is not None
    assert (settings.listen.tls.cert, settings.listen.tls.key) == (str(tmp_path / "server.crt"),
                                                                   str(tmp_path / "server.key"))
    assert run.DEFAULT_CERTS == REPO / ".demo-certs"
    assert ".demo-certs/" in (REPO / ".gitignore").read_text().splitlines()


def test_demo_certificates_are_created_once_and_then_reused(tmp_path: Path) -> None:
    first = run.ensure_certs(tmp_path)
    pems = {p: p.read_bytes() for p in (first.ca_cert, first.ca_key, first.server_cert, first.server_key)}
    assert run.ensure_certs(tmp_path) == first
    assert {p: p.read_bytes() for p in pems} == pems
    assert first.client_cert is None and oct(first.server_key.stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize("damage", ["garbage server certificate", "server key of another pair", "no CA key"])
def test_unusable_demo_certificates_are_replaced(tmp_path: Path, damage: str) -> None:
    made = run.ensure_certs(tmp_path)
    ca = made.ca_cert.read_bytes()
    if damage == "garbage server certificate":
        made.server_cert.write_text("-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n")
    elif damage == "server key of another pair":
        made.server_key.write_bytes(run.ensure_certs(tmp_path / "other").server_key.read_bytes())
    else:
        made.ca_key.unlink()
    again = run.ensure_certs(tmp_path)
    assert (again.ca_cert.read_bytes() == ca) is (damage != "no CA key")   # a usable CA is never replaced
    context = ssl.create_default_context(cafile=str(again.ca_cert))
    context.load_cert_chain(again.server_cert, again.server_key)   # the pair matches and parses


def test_invalid_config_exits_2_before_starting_anything(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("upstreams: {chat: {url: 'ftp://x'}}\nroutes: []\n")
    assert run.main(["--config", str(config)]) == 2
    assert "upstreams.chat.url" in capsys.readouterr().err


def test_gateway_that_dies_at_start_fails_the_demo_and_frees_the_backend(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    backend = free_port()
    config = write_config(tmp_path, backend, free_port(), free_port())
    monkeypatch.setattr(run, "gateway_command", lambda _config: [sys.executable, "-c", "raise SystemExit(3)"])
    assert run.main(["--config", str(config), "--certs", str(tmp_path / "certs")]) == 1
    assert "exited with status 3" in capsys.readouterr().err
    with socket.socket() as sock:  # the in-process backend was shut down and its port released
        sock.bind(("127.0.0.1", backend))


async def test_demo_end_to_end_through_the_gateway(tmp_path: Path) -> None:
    gateway, admin, redirect = free_port(), free_port(), free_port()
    config = write_config(tmp_path, free_port(), gateway, admin, redirect)
    certs = tmp_path / "certs"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "examples.demo_chat.run", "--config", str(config), "--certs", str(certs),
        "--data", str(tmp_path / "data"), cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdout is not None and proc.stderr is not None
        line, printed = b"", b""
        while b"Demo chat is up" not in line:
            line = await asyncio.wait_for(proc.stdout.readline(), 60)
            printed += line
            if not line:
                errors = (await proc.stderr.read()).decode(errors="replace")
                pytest.fail(f"the demo exited before it was up:\n{errors}")
        assert f"https://127.0.0.1:{gateway}/".encode() in line
        assert f"--cacert {certs / 'ca.crt'}".encode() in printed   # how to trust the CA
        base = f"https://127.0.0.1:{gateway}"
        trusted = aiohttp.TCPConnector(ssl=ssl.create_default_context(cafile=str(certs / "ca.crt")))
        async with aiohttp.ClientSession(connector=trusted, timeout=aiohttp.ClientTimeout(total=10)) as http:
            async with http.get(f"{base}/") as resp:
                assert resp.status == 200 and "Demo chat" in await resp.text()
                assert "Strict-Transport-Security" in resp.headers
            async with http.get(f"http://127.0.0.1:{redirect}/?room=lobby", allow_redirects=False) as resp:
                assert resp.status == 308 and resp.headers["Location"] == f"{base}/?room=lobby"
            async with http.ws_connect(f"{base}/ws/lobby", origin=base) as ws:
                async with http.post(f"{base}/api/rooms/lobby/messages",
                                     json={"user": "ann", "text": "via the gateway"}) as resp:
                    assert resp.status == 201
                frame = await ws.receive_json(timeout=10)
                assert frame["text"] == "via the gateway"
                await ws.send_json({"type": "message", "user": "bob", "text": "over ws"})
                assert (await ws.receive_json(timeout=10))["text"] == "over ws"
            async with http.get(f"{base}/api/rooms/lobby/messages") as resp:
                texts = [m["text"] for m in (await resp.json())["messages"]]
            assert texts == ["via the gateway", "over ws"]
            card = "4111 1111 1111 1111"
            async with http.post(f"{base}/api/rooms/lobby/messages",
                                 json={"user": "ann", "text": f"my card is {card}"}) as resp:
                assert resp.status < 500
            async with http.get(f"{base}/api/rooms/lobby/messages") as resp:
                stored = [m["text"] for m in (await resp.json())["messages"]]
            assert not any(card in text for text in stored)  # the demo's filters never let it through
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 30) == 0
        with closing(sqlite3.connect(tmp_path / "data" / "transcripts.db")) as db:  # written before exit
            rows = db.execute("SELECT conversation, channel, direction, text FROM transcript_messages").fetchall()
        assert {r[0] for r in rows} == {"lobby"}
        assert {(r[1], r[2]) for r in rows} >= {("http", "inbound"), ("http", "outbound"), ("ws", "inbound")}
        assert not any(card.encode() in bytes(r[3] or b"") for r in rows)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
