"""The parent process of `chatguard serve --workers N`: it starts the workers, replaces a worker that dies
and passes HUP/TERM/INT on to them. One place owns all of it (the shape of gunicorn's arbiter).

- Signal handlers are installed before the first worker starts. A handler does nothing itself: the
  signal number wakes the supervisor's loop through a pipe (`signal.set_wakeup_fd`) and the loop acts.
- Workers start with HUP, TERM and INT blocked (the mask survives the exec of a spawned process). Each
  worker unblocks them once its event loop handles them (`gateway.server.run`), so a signal sent while
  a worker is still importing or binding waits for it instead of killing it (SIGHUP's default action).
- A worker that dies while the gateway is not stopping (SIGKILL, the OOM killer, a crash) is logged,
  counted (`chatguard_worker_restarts_total`) and replaced. A worker that keeps dying soon after it
  starts is restarted with a growing delay (0.25 s doubling up to 30 s), so a crash loop cannot spin.
  A worker that fails during the gateway's first start stops the gateway (exit status 1): a config or
  environment that cannot serve fails loudly instead of looping.
- SIGHUP: the config file is read and validated here, once. Accepted, its connection caps (and
  `trusted_proxies` and `clients:`, which say who counts as one client) apply here at once to new
  connections, and every worker reloads the same text; rejected, one line names the key at fault, nothing
  changes, and every worker reports the rejection (/readyz) without reading the file
  (`gateway.config.handover` says why). A restarted worker starts from the last config accepted, whatever
  the file holds at that moment.
- SIGTERM/SIGINT: passed on; each worker drains (`shutdown_timeout`); a worker still running
  `shutdown_timeout` + 10 s later is killed. A worker whose supervisor was killed drains and exits.
- Each worker is a session of its own (`setsid`), so signals reach it from the supervisor only (not also
  from the terminal), and the scheduler counts it as a process of its own: see `_own_session`.

The supervisor also owns the client port: it accepts the connections and deals them to the ready workers
in turn (`gateway.dealer`, which says why), so connections queued while a worker is replaced go to the
others, and it holds the connection and WebSocket caps for all of them (the workers ask before they open a
WebSocket and report each close back). The admin, probe and redirect ports stay one socket per worker (SO_REUSEPORT).
"""

from __future__ import annotations

import contextlib
import logging
import math
import multiprocessing
import os
import select
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gateway.config import handover
from gateway.dealer import Dealer, Seat, WebSocketCaps, channel_pair, listen
from gateway.edge.connection_count import ConnectionCount
from gateway.signals import HANDLED, release

if TYPE_CHECKING:
    from gateway.config.settings import FilterRef

log = logging.getLogger("chatguard.server")

FIRST_DELAY = 0.25   # seconds before the first restart of a worker that died
MAX_DELAY = 30.0     # the longest wait between restarts of a worker that keeps dying
STABLE_AFTER = 30.0  # a worker that ran this long starts its slot's back-off afresh
KILL_AFTER = 10.0    # seconds past shutdown_timeout before a worker that will not stop is killed
READY = "ready"


def restart_delay(failures: int) -> float:
    """0.25 s, 0.5 s, 1 s ... up to 30 s for the n-th quick death in a row of one worker slot."""
    return min(MAX_DELAY, FIRST_DELAY * 2.0 ** max(0, failures - 1))


@dataclass
class Slot:
    """One worker position: the process filling it now and its restart history."""

    index: int
    process: BaseProcess | None = None
    ready: Connection | None = None  # the worker writes READY once it listens
    started: float = 0.0
    failures: int = 0                # quick deaths in a row
    restart_at: float | None = None
    served: bool = False             # a worker of this slot has listened (the first start is over)
    channel: socket.socket | None = None  # the supervisor's end of the connections dealt to it
    taken: Any = None                # the worker's shared count of the connections it took off its channel


def worker_main(config_path: str, config_text: str, index: int, ready: Connection, channel: socket.socket,
                taken: Any, decisions: Path | None = None) -> None:
    """A worker process: HUP/TERM/INT arrive blocked and stay pending until its loop handles them; client
    connections arrive on `channel`, dealt by the supervisor."""
    import dataclasses

    from gateway import logs, server
    from gateway.config.settings import loads_settings
    from gateway.edge.listener import Dealt

    _stop_with_parent()
    _own_session()
    settings = loads_settings(config_text, source=config_path)
    # One audit chain per process: two writers must never append to one file.
    settings = dataclasses.replace(settings, audit=settings.audit.for_worker(index))
    logs.configure(settings.logging.level, settings.logging.format)

    def listening() -> None:
        with contextlib.suppress(OSError):
            ready.send(READY)
            ready.close()

    server.serve_forever(settings, config_path, reuse_port=True, on_ready=listening, dealt=Dealt(channel, taken),
                         decisions=decisions)


def _stop_with_parent(every: float = 1.0) -> None:
    """A worker whose supervisor is gone (killed with SIGKILL) drains and exits instead of serving on
    unsupervised: a thread notices the new parent id and sends this process SIGTERM."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        log.error("supervisor gone; stopping this worker", extra={"pid": os.getpid()})
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="chatguard-parent-watch", daemon=True).start()


def _own_session() -> None:
    """Linux's autogroup (on by default for processes outside a CPU cgroup) divides a busy machine's CPU
    between sessions first: N workers left in the supervisor's session shared one session's share, each
    preempted more often the more there were. On the 2-core benchmark machine under other load, two
    workers served fewer requests than one, at 20 % more CPU per request, where two separate gateways
    served 1.8x (benchmarks/README.md). In sessions of their own they are scheduled as N processes, which
    is what `--workers N` stands for."""
    with contextlib.suppress(OSError):  # already a session leader: nothing to do
        os.setsid()


class Supervisor:
    """Runs N workers until TERM/INT; see the module docstring for what it does on each event."""

    def __init__(self, config_path: str, config_text: str, workers: int, shutdown_timeout: float,
                 listeners: list[socket.socket], clock: Callable[[], float] = time.monotonic,
                 count: ConnectionCount | None = None, decisions: Path | None = None,
                 websockets: WebSocketCaps | None = None) -> None:
        self.config_path = config_path
        self.config_text = config_text
        self.decisions = decisions  # where the workers read what this process decided on SIGHUP
        if decisions is not None:
            handover.write(decisions, handover.Decision(config_text))
        self.shutdown_timeout = shutdown_timeout
        self.slots = [Slot(i) for i in range(workers)]
        self._clock = clock
        self._context = multiprocessing.get_context("spawn")
        self._stopping_since: float | None = None
        self._failed = False
        self._restarts = _restart_counter()
        self.dealer = Dealer(listeners, count, websockets)  # the caps, held here for every worker at once

    # -- the loop ----------------------------------------------------------------------------------

    def run(self) -> int:
        """Start the workers and supervise them until they all stopped; 0 after an orderly stop."""
        wake_read, wake_write = os.pipe()
        os.set_blocking(wake_read, False)
        os.set_blocking(wake_write, False)
        previous_fd = signal.set_wakeup_fd(wake_write)
        previous = {sig: signal.signal(sig, _queued) for sig in HANDLED}
        release()  # what arrived while the gateway loaded is handled now
        try:
            for slot in self.slots:
                self._start(slot)
            while self._step(wake_read):
                pass
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            signal.set_wakeup_fd(previous_fd)
            os.close(wake_read)
            os.close(wake_write)
        return 1 if self._failed else 0

    def _step(self, wake: int) -> bool:
        """Wait for a signal, a worker's readiness or death, or a due restart; act; False when done."""
        watched: list[Any] = [wake]
        if self.dealer.seats and self.dealer.accepting(self._clock()):
            watched.extend(self.dealer.listeners)  # until a worker listens, connections wait in the kernel's queue
        seats = {seat.channel: index for index, seat in self.dealer.seats.items() if seat.open}
        watched.extend(seats)  # the workers report closed connections on their channels
        for slot in self.slots:
            if slot.process is not None:
                watched.append(slot.process.sentinel)
            if slot.ready is not None:
                watched.append(slot.ready)
        woke = _ready(watched, self._timeout())
        if wake in woke:
            for signum in _drain(wake):
                self._on_signal(signum)
        for channel, index in seats.items():  # closes first: they make room under the caps
            if channel in woke:
                self.dealer.settle(index)
        for listener in self.dealer.listeners:
            if listener in woke:
                self.dealer.deal(listener, self._clock())
        for slot in self.slots:
            if slot.ready is not None and slot.ready in woke:
                self._on_ready(slot)
            if slot.process is not None and slot.process.sentinel in woke and not slot.process.is_alive():
                self._on_exit(slot)
        now = self._clock()
        if self._stopping_since is None:
            for slot in self.slots:
                if slot.restart_at is not None and slot.restart_at <= now:
                    self._start(slot)
            return True
        alive = [slot.process for slot in self.slots if slot.process is not None]
        if alive and now >= self._stopping_since + self.shutdown_timeout + KILL_AFTER:
            for process in alive:
                log.error("worker did not stop in time; killing it", extra={"pid": process.pid})
                process.kill()
        return bool(alive)

    def _timeout(self) -> float | None:
        now = self._clock()
        if self._stopping_since is not None:
            return max(0.0, self._stopping_since + self.shutdown_timeout + KILL_AFTER - now)
        due = [slot.restart_at for slot in self.slots if slot.restart_at is not None]
        if self.dealer.resume_at is not None:
            due.append(self.dealer.resume_at)
        return max(0.0, min(due) - now) if due else None

    # -- events ------------------------------------------------------------------------------------

    def _on_signal(self, signum: int) -> None:
        if signum == signal.SIGHUP:
            if self._stopping_since is None:
                self._check_config()
        elif self._stopping_since is None:
            log.info("stopping workers", extra={"signal": signal.Signals(signum).name})
            self._stop()
        for slot in self.slots:
            if slot.process is not None and slot.process.pid is not None and slot.process.is_alive():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(slot.process.pid, signum)

    def _stop(self) -> None:
        self._stopping_since = self._clock()
        self.dealer.close()  # no new connections; the workers drain the ones they hold
        for slot in self.slots:
            slot.restart_at = None

    def _check_config(self) -> None:
        """Read and validate the file once; accepted, apply its caps here and keep its text for restarted
        workers; either way write the decision the workers follow once HUP reaches them."""
        from filters.options import OptionsError
        from gateway.config.settings import loads_settings
        from gateway.runtime.runtime import Runtime

        text = None
        try:
            text = Path(self.config_path).read_bytes().decode("utf-8")
            settings = loads_settings(text, source=self.config_path)
            # Filters whose entry is unchanged are not built here: each worker carries its own over, with
            # its feeds' last good copies (a feed file broken now does not refuse the rest of the config).
            Runtime(settings, vouched=self._running_filters())
        except Exception as exc:  # whatever is wrong, the running config stays, here and in every worker
            key = exc.path if isinstance(exc, OptionsError) else ""
            log.error("config reload rejected; the supervisor and every worker keep the running config",
                      extra={"key": key, "error": type(exc).__name__})
            self._hand_over(handover.Decision(self.config_text, handover.text_hash(text) if text is not None else "",
                                              key, rejected=True))
            return
        if not self._hand_over(handover.Decision(text)):
            return  # nothing changes: the workers could not follow
        self.config_text = text
        if self.dealer.count is not None:
            limits = settings.limits
            self.dealer.count.apply(limits.max_connections, limits.max_connections_per_ip,
                                    settings.trusted_networks, settings.clients.key)
        if self.dealer.websockets is not None:
            self.dealer.websockets.apply(settings.websocket)
        log.info("config accepted by the supervisor; connection caps applied",
                 extra={"max_connections": settings.limits.max_connections,
                        "max_connections_per_ip": settings.limits.max_connections_per_ip})

    def _running_filters(self) -> Mapping[str, FilterRef] | None:
        """The filter entries of the config in service (None when it cannot be read again)."""
        from gateway.config.settings import loads_settings

        try:
            return loads_settings(self.config_text, source=self.config_path).filters
        except Exception:  # whatever is wrong with it now, nothing is vouched for: every filter is built
            return None

    def _hand_over(self, decision: handover.Decision) -> bool:
        """Write the decision the workers follow; False (logged) when it cannot be written (the disk full)."""
        if self.decisions is None:
            return True
        try:
            handover.write(self.decisions, decision)
        except OSError as exc:
            log.error("config decision could not be written for the workers; everything keeps the running config",
                      extra={"error": exc.strerror or type(exc).__name__})
            return False
        return True

    def _on_ready(self, slot: Slot) -> None:
        assert slot.ready is not None
        with contextlib.suppress(EOFError, OSError):
            if slot.ready.recv() == READY:
                slot.served = True
                if slot.channel is not None and self._stopping_since is None:
                    self.dealer.sit(slot.index, Seat(slot.channel, slot.taken))
                log.info("worker ready", extra={"worker": slot.index,
                                                "pid": slot.process.pid if slot.process else None})
        slot.ready.close()
        slot.ready = None

    def _on_exit(self, slot: Slot) -> None:
        process = slot.process
        assert process is not None
        process.join()
        code = process.exitcode
        slot.process = None
        if slot.ready is not None:
            slot.ready.close()
            slot.ready = None
        self.dealer.leave(slot.index)
        if slot.channel is not None:
            slot.channel.close()
            slot.channel = None
        if process.pid is not None:
            _forget(process.pid)
        if self._stopping_since is not None:
            return
        how = f"signal {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit status {code}"
        if not slot.served:
            log.error("worker failed during the first start; stopping the gateway",
                      extra={"worker": slot.index, "pid": process.pid, "how": how})
            self._failed = True
            self._stop()
            for other in self.slots:
                if other.process is not None and other.process.pid is not None:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(other.process.pid, signal.SIGTERM)
            return
        now = self._clock()
        slot.failures = slot.failures + 1 if now - slot.started < STABLE_AFTER else 1
        delay = restart_delay(slot.failures)
        slot.restart_at = now + delay
        self._restarts.inc(1)
        log.error("worker died; restarting it", extra={"worker": slot.index, "pid": process.pid, "how": how,
                                                       "restart_in": delay})

    def _start(self, slot: Slot) -> None:
        reader, writer = self._context.Pipe(duplex=False)
        ours, theirs = channel_pair()
        taken = self._context.RawValue("Q", 0)
        process = self._context.Process(target=worker_main, name=f"chatguard-worker-{slot.index}",
                                        args=(self.config_path, self.config_text, slot.index, writer, theirs, taken,
                                              self.decisions))
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, HANDLED)  # inherited: pending in the worker
        try:
            process.start()
        except BaseException:
            ours.close()
            raise
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
            writer.close()
            theirs.close()
        slot.process, slot.ready, slot.channel, slot.taken = process, reader, ours, taken
        slot.started = self._clock()
        slot.restart_at = None
        log.info("worker started", extra={"worker": slot.index, "pid": process.pid})


def _ready(objects: list[Any], timeout: float | None) -> list[Any]:
    """`multiprocessing.connection.wait` for descriptors and objects with `fileno()`, at a quarter of its
    cost (it builds a selector per call): the supervisor waits once per connection it deals."""
    poll = select.poll()
    by_fd: dict[int, Any] = {}
    for obj in objects:
        fd = obj if isinstance(obj, int) else obj.fileno()
        by_fd[fd] = obj
        poll.register(fd, select.POLLIN)
    return [by_fd[fd] for fd, _ in poll.poll(None if timeout is None else math.ceil(timeout * 1000))]


def _queued(signum: int, frame: object) -> None:
    """The handler proper: nothing. The wake-up pipe carries the signal number to the loop."""


def _drain(fd: int) -> list[int]:
    signals: list[int] = []
    with contextlib.suppress(BlockingIOError):
        while chunk := os.read(fd, 64):
            signals.extend(chunk)
    return signals


class _Counter:
    def __init__(self, value: Any) -> None:
        self._value = value

    def inc(self, amount: float) -> None:
        if self._value is not None:
            self._value.inc(amount)


def _restart_counter() -> _Counter:
    """`chatguard_worker_restarts_total`, written to the multiprocess directory every worker's /metrics reads."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return _Counter(None)
    from prometheus_client import values

    value_class = values.MultiProcessValue()  # type: ignore[no-untyped-call]
    return _Counter(value_class("counter", "chatguard_worker_restarts", "chatguard_worker_restarts_total",
                                (), (), "Worker processes replaced after they died"))


def _forget(pid: int) -> None:
    """A dead worker's live gauges (open WebSockets) leave the sums; its counters stay in the totals."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]


def serve_workers(config_path: str, workers: int, shutdown_timeout: float) -> int:
    """N worker processes under a `Supervisor`, which listens on the client port and deals the connections;
    returns the exit status."""
    from filters.options import OptionsError
    from gateway.config.settings import loads_settings

    try:  # the text the workers start from, checked once more: the file may have changed meanwhile
        config_text = Path(config_path).read_bytes().decode("utf-8")  # as on SIGHUP: hashed as the file is
        settings = loads_settings(config_text, source=config_path)
    except (OSError, UnicodeDecodeError, OptionsError) as exc:
        print(f"chatguard: config error: {exc}", file=sys.stderr)
        return 2
    try:
        listeners = listen(settings.listen.host, settings.listen.port)
    except OptionsError as exc:  # taken since the check before (or by a program binding with SO_REUSEPORT)
        print(f"chatguard: cannot start: {exc}", file=sys.stderr)
        return 2
    metrics_dir = tempfile.mkdtemp(prefix="chatguard-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    decisions = Path(tempfile.mkdtemp(prefix="chatguard-config-"))  # mode 0700: the config may hold secrets
    try:
        # The caps of the config the gateway starts with; SIGHUP applies those of a new one (`_check_config`).
        count = ConnectionCount(settings.limits.max_connections, settings.limits.max_connections_per_ip,
                                settings.trusted_networks, settings.clients.key)
        websockets = WebSocketCaps(0, 0, 0)
        websockets.apply(settings.websocket)
        return Supervisor(config_path, config_text, workers, shutdown_timeout, listeners, count=count,
                          decisions=decisions, websockets=websockets).run()
    finally:
        shutil.rmtree(decisions, ignore_errors=True)
        for listener in listeners:
            listener.close()
        for leftover in Path(metrics_dir).glob("*.db"):
            leftover.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            Path(metrics_dir).rmdir()
