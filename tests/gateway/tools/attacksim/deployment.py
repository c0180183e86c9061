"""A real deployment to attack: the gateway as a process (`chatguard serve`) in front of a
recording backend whose log (`GET /log` on its own port) tells the simulation what arrived."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import yaml
from aiohttp import WSMsgType, web

from tests.helpers import serve_app
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[4]
HARDENED = ROOT / "examples" / "hardened" / "chatguard.yaml"




class Recorder:
    """The backend: answers every request, keeps every request and WebSocket frame it received."""

    def __init__(self) -> None:
        self.log: list[dict[str, Any]] = []
        self.app = web.Application()
        self.app.router.add_route("*", "/{tail:.*}", self.handle)
        self.log_app = web.Application()
        self.log_app.router.add_get("/log", self.show)

    async def show(self, request: web.Request) -> web.Response:
        return web.json_response(self.log)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            ws = web.WebSocketResponse()
            await ws.prepare(request)
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    self.log.append({"ws": request.path, "frame": msg.data})
            return ws
        body = await request.read()
        self.log.append({"method": request.method, "path": request.raw_path, "headers": dict(request.headers),
                         "body": body.decode("utf-8", "replace")})
        return web.json_response({"messages": [{"text": "ok"}]})


@dataclass
class Deployment:
    url: str
    config: Path
    log_url: str
    env: dict[str, str]
    ca_file: str


def configure(base: dict[str, Any], upstream: str, port: int, admin_port: int) -> dict[str, Any]:
    config = dict(base)
    config["listen"] = {**config["listen"], "host": "127.0.0.1", "port": port}
    config["admin"] = {**config["admin"], "port": admin_port}
    config["upstreams"] = {"chat": {"url": upstream}}
    return config


_STARTS = 3  # tries to start the gateway when a port it was given was taken meanwhile
_PORT_TAKEN = "address already in use"


async def _wait_listening(port: int, process: asyncio.subprocess.Process, within: float = 90.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if process.returncode is not None:
            raise AssertionError(f"gateway exited with {process.returncode}")  # its stderr: gateway.log
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.2)
    raise AssertionError("gateway did not start listening")


@asynccontextmanager
async def deployed(tmp: Path, secrets: Path, change: Any = None,
                   pythonpath: str = "") -> AsyncIterator[Deployment]:
    """The hardened example (changed by `change(config)`) served by a `chatguard serve` process."""
    recorder = Recorder()
    async with serve_app(recorder.app, shutdown_timeout=0.1) as upstream, \
            serve_app(recorder.log_app, shutdown_timeout=0.1) as log_base:
        file = tmp / "chatguard.yaml"

        def write_config() -> int:
            """The config with fresh ports; returns the listening one."""
            port = free_port()
            config = configure(yaml.safe_load(HARDENED.read_text()), upstream, port, free_port())
            if change is not None:
                change(config)
            file.write_text(yaml.safe_dump(config, sort_keys=False))
            return port

        port = write_config()
        env = {**os.environ, "CHATGUARD_SECRETS": str(secrets), "CHATGUARD_DATA": str(tmp),
               "PYTHONPATH": os.pathsep.join(p for p in (pythonpath, str(ROOT)) if p)}
        add = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "gateway", "user", "--config", str(file), "add", "ann", "--roles", "agent",
            "--password-stdin", env=env, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL)
        await add.communicate(b"correct horse battery staple\n")
        assert add.returncode == 0
        log = tmp / "gateway.log"
        for attempt in range(_STARTS):
            with log.open("wb") as stderr:  # the child holds its own copy
                process = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "gateway", "serve", "--config", str(file), env=env,
                    stdout=asyncio.subprocess.DEVNULL, stderr=stderr)
            try:
                await _wait_listening(port, process)
                break
            except AssertionError:
                if process.returncode is None:
                    process.terminate()
                    await process.wait()
                # Another test's server took a port between `free_port` and the bind: draw new ones.
                if attempt + 1 == _STARTS or _PORT_TAKEN not in log.read_text(errors="replace"):
                    raise
                port = write_config()
        try:
            yield Deployment(f"https://127.0.0.1:{port}", file, f"{log_base}/log", env, str(secrets / "ca.crt"))
        finally:
            if process.returncode is None:
                process.terminate()
            await process.wait()


async def enrol_totp(deployment: Deployment) -> str:
    """Sign ann in, enrol her authenticator, and return its secret (for the simulation's 2FA probes)."""
    import ssl
    from urllib.parse import parse_qs, urlparse

    import pyotp

    context = ssl.create_default_context(cafile=deployment.ca_file)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=context)) as http:
        login = await (await http.post(f"{deployment.url}/auth/login",
                                       json={"username": "ann", "password": "correct horse battery staple"})).json()
        ticket = login["ticket"]
        enrol = await (await http.post(f"{deployment.url}/auth/totp/enrol", json={"ticket": ticket})).json()
        secret: str = parse_qs(urlparse(enrol["otpauth_uri"]).query)["secret"][0]
        previous_step = pyotp.TOTP(secret).at(time.time() - 30)  # leaves the current step's code unused
        answer = await http.post(f"{deployment.url}/auth/totp/confirm", json={"ticket": ticket, "code": previous_step})
        assert answer.status == 200, await answer.text()
    return secret


async def attack(deployment: Deployment, tmp: Path, *extra: str, secret: str = "") -> tuple[int, str]:
    env = {**deployment.env, "CHATGUARD_SIM_PASSWORD": "correct horse battery staple",
           "CHATGUARD_SIM_TOTP_SECRET": secret}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "gateway", "attack-sim", "--target", deployment.url, "--config",
        str(deployment.config), "--ca-file", deployment.ca_file, "--upstream-log", deployment.log_url,
        "--test-user", "ann", "--rate", "200", "--json", str(tmp / "report.json"),
        "--report", str(tmp / "report.html"), *extra, env=env, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode() + err.decode()
