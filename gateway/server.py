"""Running the gateway in one process: listeners, signals, graceful drain and reload
(`gateway.supervisor` runs several of these as workers).

SIGTERM/SIGINT: stop accepting, close WebSockets with 1001, let in-flight requests finish
(up to `shutdown_timeout`), then exit. SIGHUP: re-read the config; a config that fails
validation is logged and the running one is kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import gc
import logging
import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

from aiohttp import web

from filters.options import OptionsError
from gateway import logs, signals
from gateway.admin.app import build_admin_app
from gateway.admin.probes import build_probe_app
from gateway.app import build_app
from gateway.config import handover
from gateway.config.settings import Settings, load_settings, loads_settings
from gateway.edge.listener import Dealt, GuardedSite, ensure_descriptors
from gateway.keys import CONFIG_STATUS, GUARD, METRICS, RUNTIME, SERVER_TLS, STATE, WS_SLOTS
from gateway.metrics import FLUSH_EVERY, Metrics
from gateway.runtime.runtime import Runtime
from gateway.tls.security_headers import redirect_app
from gateway.tls.server import ServerTLS

log = logging.getLogger("chatguard.server")
audit = logging.getLogger("chatguard.audit")


async def reload(app: web.Application, path: str, text: str | None = None) -> bool:
    """Swap in a new runtime built from the file at `path` (or from `text`, the file as a supervisor read
    it: `follow`); keep the old one on any error. The connection caps apply to new connections.

    Both outcomes are audited; a rejection names the key path at fault but not the
    problem text, which may quote a configured (possibly secret) value."""
    try:
        settings = load_settings(path) if text is None else loads_settings(text, source=path)
        # Filters whose entry is unchanged are carried over with what they hold: a feed file broken now
        # keeps its last good copy in force (one warning line), and the rest of the config is applied.
        runtime = Runtime(settings, app[STATE], app[METRICS].pool_watch, app[METRICS].file_watch,
                          previous=app[RUNTIME].current)
    except Exception as exc:  # whatever went wrong, the running config stays (fail closed)
        key = exc.path if isinstance(exc, OptionsError) else ""
        log.error("config reload rejected; keeping the running config",
                  extra={"error": str(exc) if isinstance(exc, OptionsError) else type(exc).__name__})
        rejected(app, path, key, type(exc).__name__, None if text is None else handover.text_hash(text))
        return False
    old = app[RUNTIME].current.settings
    if (settings.listen, settings.admin, settings.probes, settings.state) != (
            old.listen, old.admin, old.probes, old.state):
        log.warning("listen, admin, probes and state settings take effect after a restart")
    if _deadlines(settings) != _deadlines(old):
        log.warning("limits.header_timeout, body_timeout, idle_timeout and send_timeout take effect after a "
                    "restart")
    if settings.auth != old.auth:
        log.warning("auth settings take effect after a restart (clients: and trusted_proxies apply at once)")
    try:
        await app[RUNTIME].swap(runtime, grace=float(settings.shutdown_timeout))
    except Exception as exc:  # its worker processes could not build their filters: the running config stays
        await runtime.aclose()
        log.error("config reload rejected; keeping the running config", extra={"error": type(exc).__name__})
        rejected(app, path, "", type(exc).__name__, None if text is None else handover.text_hash(text))
        return False
    logs.configure(settings.logging.level, settings.logging.format)
    app[GUARD].apply(settings.limits, settings.trusted_networks, settings.clients.key)
    app[CONFIG_STATUS].accept(path, None if text is None else handover.text_hash(text))
    app[METRICS].config_reloads.labels("ok").inc()
    app[METRICS].config_loaded(app[CONFIG_STATUS].hash)
    log.info("config reloaded", extra={"source": path, "routes": len(runtime.plans), "pid": os.getpid()})
    audit.info("config reloaded", extra={"event": "config.reload", "outcome": "accepted", "source": path,
                                         "routes": len(runtime.plans)})
    return True


def _deadlines(settings: Settings) -> tuple[object, ...]:
    limits = settings.limits
    return limits.header_timeout, limits.body_timeout, limits.idle_timeout, limits.send_timeout


def rejected(app: web.Application, path: str, key: str, error: str, hashed: str | None = None) -> None:
    """A reload refused: audited, counted, and reported by /readyz until a reload succeeds."""
    audit.warning("config reload rejected", extra={"event": "config.reload", "outcome": "rejected",
                                                   "source": path, "key": key, "error": error})
    app[METRICS].config_reloads.labels("failed").inc()
    app[CONFIG_STATUS].reject(path, key, hashed)


async def follow(app: web.Application, path: str, folder: Path) -> None:
    """A worker's SIGHUP under `--workers N`: its supervisor read the file once and decided
    (`gateway.config.handover`); the worker reloads the text the supervisor accepted, then reports the
    newest file's rejection, if it was rejected, without judging the file itself (the supervisor logged it,
    once, naming the key)."""
    try:
        decision = handover.read(folder)
    except (OSError, ValueError, KeyError) as exc:  # the supervisor's folder gone or a torn file: fail closed
        log.error("config decision of the supervisor unreadable; keeping the running config",
                  extra={"error": type(exc).__name__, "pid": os.getpid()})
        rejected(app, path, "", type(exc).__name__)
        return
    if not decision.rejected or handover.text_hash(decision.accepted) != app[CONFIG_STATUS].hash:
        await reload(app, path, decision.accepted)
    if decision.rejected:
        rejected(app, path, decision.rejected_key, "rejected by the supervisor", decision.rejected_hash)


async def run(settings: Settings, config_path: str | None, *, reuse_port: bool = False,
              ready: asyncio.Event | None = None, stop: asyncio.Event | None = None,
              hop_secret: str | None = None, dealt: Dealt | None = None, decisions: Path | None = None) -> None:
    """Serve until SIGTERM/SIGINT (or `stop` is set), then drain. With `dealt` (a worker of `--workers N`)
    the client connections come from the supervisor (`gateway.dealer`); the side listeners bind as before,
    and SIGHUP follows the supervisor's decisions in `decisions` (`follow`) instead of reading the file.

    Signal handlers come first; only then are the signals held since the process started released
    (`gateway.signals`), so none of them is lost or kills a starting process. A SIGHUP that arrives
    before the listener is up reloads the config as soon as it is."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    tasks: set[asyncio.Task[object]] = set()
    serving = asyncio.Event()
    one_at_a_time = asyncio.Lock()  # two HUPs close together reload in turn, the newest file last

    async def reload_when_serving(path: str) -> None:
        await serving.wait()
        async with one_at_a_time:
            if decisions is not None:
                await follow(app, path, decisions)
            else:
                await reload(app, path)

    def on_hup() -> None:
        if config_path is None:
            return
        task: asyncio.Task[object] = loop.create_task(reload_when_serving(config_path), name="chatguard-reload")
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        loop.add_signal_handler(signal.SIGHUP, on_hup)
    signals.release()
    ensure_descriptors(2 * settings.limits.max_connections + 64
                       + sum(u.pool_size for u in settings.upstreams.values()))
    app = build_app(settings, hop_secret)
    if dealt is not None:
        app[WS_SLOTS] = dealt  # the supervisor holds the WebSocket caps for every worker
    tls = ServerTLS.load(settings.listen.tls) if settings.listen.tls is not None else None
    app[SERVER_TLS] = tls  # client-certificate identities (mTLS) for authentication
    if app[METRICS].multiprocess:  # other workers' scrapes read this one's counts from its files
        flusher: asyncio.Task[object] = loop.create_task(_flush_metrics(app[METRICS]), name="chatguard-metrics")
        tasks.add(flusher)
    runner = web.AppRunner(app, access_log=None, handle_signals=False,
                           shutdown_timeout=float(settings.shutdown_timeout))
    await runner.setup()
    extra_runners: list[web.AppRunner] = []
    if tls is not None:
        watcher: asyncio.Task[object] = loop.create_task(tls.watch(), name="chatguard-tls-watch")
        tasks.add(watcher)
    try:
        site = GuardedSite(runner, app[GUARD], settings.listen.host, settings.listen.port,
                           ssl_context=tls.context if tls else None, reuse_port=reuse_port, backlog=1024,
                           dealt=dealt)
        with _binding("listen", settings.listen.host, settings.listen.port):
            await site.start()
        if settings.admin.enabled:
            with _binding("admin", settings.admin.host, settings.admin.port):
                await _start_extra(extra_runners, build_admin_app(app, draining=stop),
                                   settings.admin.host, settings.admin.port, reuse_port)
        if settings.probes.enabled:
            with _binding("probes", settings.probes.host, settings.probes.port):
                await _start_extra(extra_runners,
                                   build_probe_app(app, metrics=settings.probes.metrics, draining=stop),
                                   settings.probes.host, settings.probes.port, reuse_port)
        if tls is not None and tls.cfg.redirect_http.enabled:
            redirect = tls.cfg.redirect_http
            with _binding("listen.tls.redirect_http", redirect.host, redirect.port):
                await _start_extra(extra_runners, redirect_app(redirect, settings.listen.port), redirect.host,
                                   redirect.port, reuse_port)
        log.info("listening", extra={"listen": f"{settings.listen.host}:{settings.listen.port}",
                                     "admin": f"{settings.admin.host}:{settings.admin.port}",
                                     "probes": (f"{settings.probes.host}:{settings.probes.port}"
                                                if settings.probes.enabled else "off"),
                                     "pid": os.getpid()})
        serving.set()
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
        app[METRICS].flush()  # the last requests' counts outlive this worker in the shared files


async def _flush_metrics(metrics: Metrics) -> None:
    """Every FLUSH_EVERY seconds, this worker's tallied counts go to the files every worker's /metrics reads."""
    while True:
        await asyncio.sleep(FLUSH_EVERY)
        try:
            metrics.flush()
        except Exception:  # a shared file that cannot be written (disk full): counts are lost, serving goes on
            log.exception("metrics could not be written to the shared files")


@contextlib.contextmanager
def _binding(section: str, host: str, port: int) -> Iterator[None]:
    """A listener that cannot bind (port in use, address not here, no permission) names its key."""
    try:
        yield
    except OSError as exc:
        cause = exc.strerror or str(exc)
        if exc.errno == errno.EADDRINUSE:
            cause = "address already in use"
        raise OptionsError(f"{section}.port", f"cannot listen on {host}:{port}: {cause}") from None


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


# Objects allocated (net) between the cycle collector's young-generation passes. Python's default, 700,
# made it run every few dozen requests of the inspected path, each pass about a millisecond of CPU here:
# some 15 µs per request. Garbage without cycles is freed at once either way; cyclic garbage waits for
# at most this many allocations more (a few MB at worst).
GC_YOUNG = 10_000


def tune_gc() -> None:
    """For a serving process: collect cycles less often (see GC_YOUNG); the older generations keep theirs."""
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG, middle, old)


def settle_heap() -> None:
    """Once the gateway listens: what startup built (routes, filters and their rule sets, some 90,000
    objects) is kept out of the cycle collector's later full collections, each of which walked all of it
    on the event loop (about 30 ms of CPU here); what the collector can free is freed first."""
    gc.collect()
    gc.freeze()


def serve_forever(settings: Settings, config_path: str | None, reuse_port: bool = False,
                  on_ready: Callable[[], None] | None = None, dealt: Dealt | None = None,
                  decisions: Path | None = None) -> None:
    """Run the gateway in this process until it is stopped; `on_ready` is called once it listens."""
    tune_gc()
    loop = _new_loop()
    asyncio.set_event_loop(loop)

    async def main() -> None:
        ready = asyncio.Event()
        serving = loop.create_task(run(settings, config_path, reuse_port=reuse_port, ready=ready, dealt=dealt,
                                          decisions=decisions))
        listening = loop.create_task(ready.wait())
        await asyncio.wait((serving, listening), return_when=asyncio.FIRST_COMPLETED)
        if ready.is_set():
            settle_heap()
            if on_ready is not None:
                on_ready()
        listening.cancel()
        await serving

    try:
        loop.run_until_complete(main())
    finally:
        loop.close()
