"""Running the gateway: listeners, worker processes, signals, graceful drain and reload.

SIGTERM/SIGINT: stop accepting, close WebSockets with 1001, let in-flight requests finish
(up to `shutdown_timeout`), then exit. SIGHUP: re-read the config; a config that fails
validation is logged and the running one is kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import multiprocessing
import os
import signal
import tempfile
from pathlib import Path

from aiohttp import web

from filters.options import OptionsError
from gateway import logs
from gateway.admin.app import build_admin_app
from gateway.admin.probes import build_probe_app
from gateway.app import build_app
from gateway.config.settings import Settings, load_settings
from gateway.edge.listener import GuardedSite, ensure_descriptors
from gateway.keys import GUARD, RUNTIME, SERVER_TLS, STATE
from gateway.runtime.runtime import Runtime
from gateway.tls.security_headers import redirect_app
from gateway.tls.server import ServerTLS

log = logging.getLogger("chatguard.server")
audit = logging.getLogger("chatguard.audit")


async def reload(app: web.Application, path: str) -> bool:
    """Swap in a new runtime built from the file at `path`; keep the old one on any error.

    Both outcomes are audited; a rejection names the key path at fault but not the
    problem text, which may quote a configured (possibly secret) value."""
    try:
        settings = load_settings(path)
        runtime = Runtime(settings, app[STATE])
    except Exception as exc:  # whatever went wrong, the running config stays (fail closed)
        key = exc.path if isinstance(exc, OptionsError) else ""
        log.error("config reload rejected; keeping the running config",
                  extra={"error": str(exc) if isinstance(exc, OptionsError) else type(exc).__name__})
        audit.warning("config reload rejected", extra={"event": "config.reload", "outcome": "rejected",
                                                       "source": path, "key": key, "error": type(exc).__name__})
        return False
    old = app[RUNTIME].current.settings
    if (settings.listen, settings.admin, settings.probes, settings.state) != (
            old.listen, old.admin, old.probes, old.state):
        log.warning("listen, admin, probes and state settings take effect after a restart")
    logs.configure(settings.logging.level, settings.logging.format)
    await app[RUNTIME].swap(runtime, grace=float(settings.shutdown_timeout))
    log.info("config reloaded", extra={"source": path, "routes": len(runtime.plans)})
    audit.info("config reloaded", extra={"event": "config.reload", "outcome": "accepted", "source": path,
                                         "routes": len(runtime.plans)})
    return True


async def run(settings: Settings, config_path: str | None, *, reuse_port: bool = False,
              ready: asyncio.Event | None = None, stop: asyncio.Event | None = None) -> None:
    """Serve until SIGTERM/SIGINT (or `stop` is set), then drain."""
    app = build_app(settings)
    tls = ServerTLS.load(settings.listen.tls) if settings.listen.tls is not None else None
    app[SERVER_TLS] = tls  # client-certificate identities (mTLS) for authentication
    runner = web.AppRunner(app, access_log=None, handle_signals=False,
                           shutdown_timeout=float(settings.shutdown_timeout))
    await runner.setup()
    extra_runners: list[web.AppRunner] = []
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    tasks: set[asyncio.Task[object]] = set()
    if tls is not None:
        watcher: asyncio.Task[object] = loop.create_task(tls.watch(), name="chatguard-tls-watch")
        tasks.add(watcher)

    def on_hup() -> None:
        if config_path is None:
            return
        task: asyncio.Task[object] = loop.create_task(reload(app, config_path), name="chatguard-reload")
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        loop.add_signal_handler(signal.SIGHUP, on_hup)
    ensure_descriptors(2 * settings.limits.max_connections + 64
                       + sum(u.pool_size for u in settings.upstreams.values()))
    try:
        site = GuardedSite(runner, app[GUARD], settings.listen.host, settings.listen.port,
                           ssl_context=tls.context if tls else None, reuse_port=reuse_port, backlog=1024)
        await site.start()
        if settings.admin.enabled:
            await _start_extra(extra_runners, build_admin_app(app, draining=stop),
                               settings.admin.host, settings.admin.port,
                               reuse_port)
        if settings.probes.enabled:
            await _start_extra(extra_runners, build_probe_app(app, metrics=settings.probes.metrics, draining=stop),
                               settings.probes.host, settings.probes.port, reuse_port)
        if tls is not None and tls.cfg.redirect_http.enabled:
            redirect = tls.cfg.redirect_http
            await _start_extra(extra_runners, redirect_app(redirect, settings.listen.port), redirect.host,
                               redirect.port, reuse_port)
        log.info("listening", extra={"listen": f"{settings.listen.host}:{settings.listen.port}",
                                     "admin": f"{settings.admin.host}:{settings.admin.port}",
                                     "probes": (f"{settings.probes.host}:{settings.probes.port}"
                                                if settings.probes.enabled else "off"),
                                     "pid": os.getpid()})
        if ready is not None:
            ready.set()
        await stop.wait()
        log.info("shutting down: draining in-flight requests")
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(sig)
        for task in list(tasks):
            task.cancel()
        await runner.cleanup()
        for extra in extra_runners:
            await extra.cleanup()


async def _start_extra(runners: list[web.AppRunner], app: web.Application, host: str, port: int,
                       reuse_port: bool) -> None:
    """Start a side listener (admin, probes, HTTP redirect); it is cleaned up after the main one."""
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    runners.append(runner)
    await web.TCPSite(runner, host, port, reuse_port=reuse_port or None).start()


def _new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency; keep serving without it
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def serve_forever(settings: Settings, config_path: str | None, reuse_port: bool = False) -> None:
    loop = _new_loop()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(run(settings, config_path, reuse_port=reuse_port))
    finally:
        loop.close()


def _worker(config_path: str, index: int) -> None:
    settings = load_settings(config_path)
    # One audit chain per process: two writers must never append to one file.
    settings = dataclasses.replace(settings, audit=settings.audit.for_worker(index))
    logs.configure(settings.logging.level, settings.logging.format)
    serve_forever(settings, config_path, reuse_port=True)


def serve_workers(settings: Settings, config_path: str, workers: int) -> int:
    """N processes accept on the same port (SO_REUSEPORT); signals are passed on to them."""
    metrics_dir = tempfile.mkdtemp(prefix="chatguard-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    context = multiprocessing.get_context("spawn")
    children = [context.Process(target=_worker, args=(config_path, i), name=f"chatguard-worker-{i}")
                for i in range(workers)]
    for child in children:
        child.start()
    stopping = False

    def forward(signum: int, _frame: object) -> None:
        nonlocal stopping
        if signum in (signal.SIGTERM, signal.SIGINT):
            stopping = True
        for child in children:
            if child.pid is not None and child.is_alive():
                os.kill(child.pid, signum)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, forward)
    status = 0
    for child in children:
        child.join()
        if child.exitcode not in (0, None) and not stopping:
            status = 1
    for leftover in Path(metrics_dir).glob("*.db"):
        leftover.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        Path(metrics_dir).rmdir()
    return status
