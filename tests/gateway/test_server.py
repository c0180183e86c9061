"""The real `chatguard` process: startup errors, signals, drain, reload, workers, admin listener."""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml
from aiohttp import web

from gateway import server
from tests.helpers import answers_health, serve_app
from tests.ports import free_port

pytestmark = pytest.mark.slow
START_WITHIN = 60.0  # seconds; a bound for a hung start, not a performance figure




class Backend:
    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.app = web.Application()
        self.app.router.add_get("/slow", self.slow)
        self.app.router.add_get("/{tail:.*}", self.fast)

    async def slow(self, request: web.Request) -> web.Response:
        self.started.set()
        await asyncio.sleep(1.0)
        return web.Response(text="finished")

    async def fast(self, request: web.Request) -> web.Response:
        return web.Response(text=f"ok {request.path}")


class Process:
    """`python -m gateway serve` as a child process with its own ports."""

    def __init__(self, tmp: Path, upstream: str, routes: list[dict[str, Any]] | None = None) -> None:
        self.port, self.admin = free_port(), free_port()
        self.config = tmp / "chatguard.yaml"
        self.write(upstream, routes or [{"name": "all", "match": {"path": "/{rest:path}"},
                                         "upstream": "up", "allow": ["anonymous"]}])
        self.proc: asyncio.subprocess.Process | None = None
        self.log = tmp / "gateway.log"

    def write(self, upstream: str, routes: list[dict[str, Any]], **extra: Any) -> None:
        self.config.write_text(yaml.safe_dump({
            "listen": {"host": "127.0.0.1", "port": self.port},
            "admin": {"host": "127.0.0.1", "port": self.admin},
            "upstreams": {"up": {"url": upstream}},
            "routes": routes, "shutdown_timeout": "10s", **extra,
        }))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, *args: str) -> None:
        await self.launch(*args)
        await self.answering()

    async def launch(self, *args: str) -> None:
        """Start the process without waiting for it to serve."""
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "gateway", "serve", "--config", str(self.config), *args,
            stdout=asyncio.subprocess.DEVNULL, stderr=self.log.open("wb"),
        )

    async def answering(self) -> None:
        """Wait until the admin listener answers; a gateway that does not start is stopped, then reported."""
        assert self.proc is not None
        try:
            await self._answering()
        except AssertionError:
            await self.stop()
            raise

    async def _answering(self) -> None:
        proc = self.proc
        assert proc is not None
        # Until it answers or exits: starting Python processes on a busy 2-core machine can take a while.
        if not await answers_health(self.admin, lambda: proc.returncode is not None, START_WITHIN):
            raise AssertionError(f"gateway did not start: {self.log.read_text()}")

    def signal(self, sig: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    async def wait(self) -> int:
        assert self.proc is not None
        return await asyncio.wait_for(self.proc.wait(), 30)

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            await self.wait()


@pytest.fixture
async def backend() -> AsyncIterator[tuple[Backend, str]]:
    app = Backend()
    async with serve_app(app.app) as url:
        yield app, url


async def test_config_error_exits_2_naming_the_key_before_listening(tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    port = free_port()
    config.write_text(yaml.safe_dump({
        "listen": {"port": port}, "upstreams": {"chat": {"url": "http://127.0.0.1:1"}},
        "routes": [{"match": {"path": "/"}, "upstream": "chta", "allow": ["anonymous"]}],
    }))
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "gateway", "serve", "--config", str(config),
                                                stderr=asyncio.subprocess.PIPE)
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 2
    assert "routes[0].upstream: unknown upstream 'chta' (known: chat)" in err.decode()


async def test_sigterm_drains_in_flight_requests(tmp_path: Path, backend: tuple[Backend, str]) -> None:
    app, url = backend
    gateway = Process(tmp_path, url)
    await gateway.start()
    try:
        async with aiohttp.ClientSession() as client:
            pending = asyncio.ensure_future(client.get(f"{gateway.url}/slow"))
            await asyncio.wait_for(app.started.wait(), 10)
            gateway.signal(signal.SIGTERM)
            response = await pending
            assert response.status == 200
            assert await response.text() == "finished"
        assert await gateway.wait() == 0
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", gateway.port), timeout=2).close()
    finally:
        await gateway.stop()


async def test_sighup_reloads_and_keeps_old_config_when_new_is_invalid(
        tmp_path: Path, backend: tuple[Backend, str]) -> None:
    _, url = backend
    only_a = [{"name": "a", "match": {"path": "/a"}, "upstream": "up", "allow": ["anonymous"]}]
    gateway = Process(tmp_path, url, only_a)
    await gateway.start()
    try:
        async with aiohttp.ClientSession() as client:
            async with client.get(f"{gateway.url}/b") as resp:
                assert resp.status == 404
            gateway.write(url, [*only_a, {"name": "b", "match": {"path": "/b"}, "upstream": "up",
                                          "allow": ["anonymous"]}])
            gateway.signal(signal.SIGHUP)
            assert await _eventually_status(client, f"{gateway.url}/b", 200)
            gateway.write(url, [{"name": "c", "match": {"path": "/c"}, "upstream": "nope", "allow": ["anonymous"]}])
            gateway.signal(signal.SIGHUP)
            for _ in range(100):
                if "config reload rejected" in gateway.log.read_text():
                    break
                await asyncio.sleep(0.05)
            log = gateway.log.read_text()
            assert "routes[0].upstream: unknown upstream 'nope'" in log
            async with client.get(f"{gateway.url}/b") as resp:
                assert resp.status == 200
    finally:
        await gateway.stop()


async def _eventually_status(client: aiohttp.ClientSession, url: str, status: int) -> bool:
    for _ in range(200):
        async with client.get(url) as resp:
            if resp.status == status:
                return True
        await asyncio.sleep(0.05)
    return False


async def _workers(parent: int, count: int) -> list[str]:
    """The parent's worker processes (children running multiprocessing's spawn_main), once there are
    `count` of them or START_WITHIN has passed."""
    found: list[str] = []
    for _ in range(int(START_WITHIN / 0.05)):
        found = []
        for pid in Path(f"/proc/{parent}/task/{parent}/children").read_text().split():
            try:
                if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    found.append(pid)
            except OSError:
                pass  # exited between the two reads
        if len(found) >= count:
            return found
        await asyncio.sleep(0.05)
    return found


@pytest.mark.skipif(not hasattr(socket, "SO_REUSEPORT"), reason="needs SO_REUSEPORT")
async def test_workers_share_the_port_and_stop_together(tmp_path: Path, backend: tuple[Backend, str]) -> None:
    _, url = backend
    gateway = Process(tmp_path, url)
    await gateway.start("--workers", "2")
    try:
        assert gateway.proc is not None
        # The admin port answers once one worker serves; the other may still be starting (and until
        # its exec a child's command line is still the parent's): wait for both, within bounds.
        children = await _workers(gateway.proc.pid, 2)
        assert len(children) == 2, children
        async with aiohttp.ClientSession() as client:
            for i in range(20):
                async with client.get(f"{gateway.url}/n{i}", headers={"Connection": "close"}) as resp:
                    assert await resp.text() == f"ok /n{i}"
            # A worker counts a request after its answer went out, so a scrape right after the last
            # answer may come first: scrape until the count stops short of 20, never past it.
            served = 0.0
            for _ in range(200):
                async with client.get(f"http://127.0.0.1:{gateway.admin}/metrics") as resp:
                    metrics = await resp.text()
                served = sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
                             if line.startswith("chatguard_requests_total{") and 'status="200"' in line)
                if served >= 20:
                    break
                await asyncio.sleep(0.05)
        assert served == 20  # the sum over both workers, whichever answered the scrape
        gateway.signal(signal.SIGTERM)
        assert await gateway.wait() == 0
        for child in children:
            assert not os.path.exists(f"/proc/{child}/status") or "zombie" in Path(
                f"/proc/{child}/status").read_text()
    finally:
        await gateway.stop()


async def test_admin_listener_health_readiness_metrics(tmp_path: Path, backend: tuple[Backend, str]) -> None:
    _, url = backend
    gateway = Process(tmp_path, url)
    await gateway.start()
    admin = f"http://127.0.0.1:{gateway.admin}"
    try:
        async with aiohttp.ClientSession() as client:
            async with client.get(f"{admin}/healthz") as resp:
                assert await resp.json() == {"status": "ok"}
            async with client.get(f"{admin}/readyz") as resp:
                assert resp.status == 200
                assert (await resp.json())["upstreams"] == {"up": True}
            async with client.get(f"{gateway.url}/hello?access_token=SECRET-TOKEN") as resp:
                assert resp.status == 200
            async with client.get(f"{admin}/metrics") as resp:
                text = await resp.text()
            assert 'chatguard_requests_total{route="all",status="200"} 1.0' in text
            assert "chatguard_request_duration_seconds_bucket" in text
            assert "chatguard_websockets_open" in text
            async with client.get(f"{gateway.url}/hello") as resp:
                assert resp.status == 200
    finally:
        await gateway.stop()
    log = gateway.log.read_text()
    assert '"route":"all"' in log and '"request_id"' in log
    assert "SECRET-TOKEN" not in log  # query strings (tokens) never reach the logs


async def test_readiness_fails_when_upstream_is_down(tmp_path: Path) -> None:
    gateway = Process(tmp_path, f"http://127.0.0.1:{free_port()}")
    await gateway.start()
    try:
        async with aiohttp.ClientSession() as client:
            async with client.get(f"http://127.0.0.1:{gateway.admin}/readyz") as resp:
                assert resp.status == 503
                assert (await resp.json())["upstreams"] == {"up": False}
    finally:
        await gateway.stop()


async def test_probe_listener_serves_probes_not_the_admin_api_and_reports_the_drain(
        tmp_path: Path, backend: tuple[Backend, str]) -> None:
    app, url = backend
    gateway = Process(tmp_path, url)
    probes = free_port()
    gateway.write(url, [{"name": "all", "match": {"path": "/{rest:path}"}, "upstream": "up", "allow": ["anonymous"]}],
                  probes={"enabled": True, "host": "127.0.0.1", "port": probes})
    await gateway.start()
    probe_url = f"http://127.0.0.1:{probes}"
    try:
        async with aiohttp.ClientSession() as client:
            for path, status in (("/healthz", 200), ("/readyz", 200), ("/metrics", 200), ("/admin/sessions", 404),
                                 ("/admin/bans", 404)):
                async with client.get(f"{probe_url}{path}") as resp:
                    assert resp.status == status, path
            async with client.get(f"http://127.0.0.1:{gateway.admin}/admin/sessions") as resp:
                assert resp.status == 401  # the admin API stays on its own listener
            pending = asyncio.ensure_future(client.get(f"{gateway.url}/slow"))
            await asyncio.wait_for(app.started.wait(), 10)
            gateway.signal(signal.SIGTERM)
            assert await _eventually_status(client, f"{probe_url}/readyz", 503)  # draining: take me out
            async with client.get(f"{probe_url}/healthz") as resp:
                assert resp.status == 200  # but do not kill me mid-drain
            response = await pending
            assert await response.text() == "finished"
        assert await gateway.wait() == 0
    finally:
        await gateway.stop()


def test_a_serving_process_collects_cycles_less_often_and_keeps_the_older_generations() -> None:
    before = gc.get_threshold()
    try:
        server.tune_gc()
        assert gc.get_threshold() == (server.GC_YOUNG, before[1], before[2])
    finally:
        gc.set_threshold(*before)


def test_once_serving_what_startup_built_stays_out_of_full_collections() -> None:
    kept = [[index] for index in range(1000)]  # objects the collector tracks, built before serving
    try:
        server.settle_heap()
        assert gc.get_freeze_count() >= len(kept)
        oldest = {id(item) for item in gc.get_objects(2)}  # what a full collection walks
        assert not any(id(item) in oldest for item in kept)
    finally:
        gc.unfreeze()
