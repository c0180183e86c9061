"""`chatguard serve` never shows a traceback for a problem in the config or the machine: one line, exit 2.

Each case starts the real command in a child process: a missing file, a port in use, an external
identity provider whose key set cannot be fetched at start. And external issuers alone are enough
to serve: a token of theirs is accepted without any signing key of the gateway's.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
import yaml
from aiohttp import ClientSession, web
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from tests.helpers import serve_app
from tests.ports import free_port as _free_port


def _config(tmp_path: Path, port: int, **top: Any) -> Path:
    data = {"listen": {"host": "127.0.0.1", "port": port}, "admin": {"enabled": False},
            "upstreams": {"chat": {"url": "http://127.0.0.1:9"}},
            "routes": [{"match": {"path": "/"}, "upstream": "chat", "allow": ["anonymous"]}], **top}
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def _serve(path: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gateway", "serve", "--config", str(path)],
                          capture_output=True, text=True, timeout=timeout, env={**os.environ, "PYTHONUNBUFFERED": "1"})


def _one_line(err: str) -> str:
    lines = [line for line in err.strip().splitlines() if not line.startswith("{")]  # JSON logs aside
    assert "Traceback" not in err and len(lines) == 1, err
    return lines[0]


def test_missing_file(tmp_path: Path) -> None:
    path = _config(tmp_path, _free_port(), listen={"host": "127.0.0.1", "port": _free_port(),
                                                   "tls": {"cert": "/nonexistent/c.crt", "key": "/nonexistent/c.key"}})
    done = _serve(path)
    assert done.returncode == 2
    assert _one_line(done.stderr).startswith("chatguard: config error: listen.tls.cert: cannot read '/nonexistent/c.crt'")


def test_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = _serve(_config(tmp_path, port))
    assert done.returncode == 2
    assert _one_line(done.stderr) == f"chatguard: cannot start: listen.port: cannot listen on 127.0.0.1:{port}: " \
                                     "address already in use"


def test_port_in_use_with_workers(tmp_path: Path) -> None:
    """The supervisor never forks when a listener's port is held by another program."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "gateway", "serve", "--config", str(_config(tmp_path, port)),
                               "--workers", "2"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert _one_line(done.stderr) == f"chatguard: cannot start: listen.port: cannot listen on 127.0.0.1:{port}: " \
                                     "address already in use"


def test_unreachable_jwks_at_start(tmp_path: Path) -> None:
    jwks = f"http://127.0.0.1:{_free_port()}/jwks"
    path = _config(tmp_path, _free_port(), auth={"enabled": False, "external": [
        {"issuer": "https://idp.example", "audience": "chat", "jwks_url": jwks}]})
    done = _serve(path)
    assert done.returncode == 2
    line = _one_line(done.stderr)
    assert line.startswith(f"chatguard: cannot start: auth.external[0].jwks_url: cannot fetch the key set from {jwks}")


async def test_external_issuer_alone_serves(tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    entry = json.loads(ECAlgorithm.to_jwk(key.public_key()))
    entry.update(kid="k1", use="sig")

    async def jwks(_: web.Request) -> web.Response:
        return web.json_response({"keys": [entry]})

    async def whoami(request: web.Request) -> web.Response:
        return web.json_response({"subject": request.headers.get("X-Chatguard-Subject")})

    app = web.Application()
    app.router.add_get("/jwks", jwks)
    app.router.add_get("/whoami", whoami)
    async with serve_app(app) as backend:
        port = _free_port()
        path = _config(tmp_path, port, upstreams={"chat": {"url": backend}},
                       roles={"agent": {}},
                       routes=[{"match": {"path": "/whoami"}, "upstream": "chat", "allow": ["agent"]}],
                       auth={"enabled": True, "external": [{"issuer": "https://idp.example", "audience": "chat",
                                                            "jwks_url": f"{backend}/jwks", "algorithms": ["ES256"]}]})
        process = await asyncio.create_subprocess_exec(sys.executable, "-m", "gateway", "serve", "--config", str(path),
                                                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            now = int(time.time())
            token = jwt.encode({"iss": "https://idp.example", "aud": "chat", "sub": "ann", "roles": ["agent"],
                                "iat": now, "exp": now + 300}, key, algorithm="ES256", headers={"kid": "k1"})
            async with ClientSession() as session:
                for _ in range(300):
                    try:
                        async with session.get(f"http://127.0.0.1:{port}/whoami",
                                               headers={"Authorization": f"Bearer {token}"}) as answer:
                            status, body = answer.status, await answer.read()
                        break
                    except OSError:
                        assert process.returncode is None, "the gateway stopped"
                        await asyncio.sleep(0.1)
                else:
                    pytest.fail("the gateway did not start")
                assert status == 200 and json.loads(body) == {"subject": "ann"}
                async with session.get(f"http://127.0.0.1:{port}/whoami") as answer:
                    assert answer.status == 401
                async with session.get(f"http://127.0.0.1:{port}/auth/login") as answer:
                    assert answer.status == 404  # no built-in issuer: no /auth/* pages
        finally:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 30)
