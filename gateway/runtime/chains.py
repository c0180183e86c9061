"""Filters and chains assembled once from the settings, looked up on the hot path.

Each configured filter is built exactly once (options checked, patterns compiled) and
shared by every route that names it; each route gets one chain per direction holding
only the filters that handle that direction. Nothing here runs per request except the
dictionary lookup in `chain()`. The filters that only compute share one `Offload` (`offload:`
in the config): their long texts are inspected in worker processes built from the same
config entries, so a reload gets new processes with the new options.

A reload keeps what it did not change (`previous`): a filter whose config entry is the same is not
built again but carried over, with what it holds (a feed's last good copy), and refreshed at once, so a
feed file that is broken at that moment keeps its last good list in force while the rest of the config
changes (one warning line names the file). So is the pool of offload processes when neither its
settings nor any offloaded filter's entry changed. A filter whose entry changed is built again and reads
its files whole: a broken one refuses the reload, as at startup. `isolate: process` filters are always
built again (their processes read the files). What is carried over counts the new config as a user once
it is in service (`take_over`), and the last config using it closes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType, TracebackType
from typing import Any

from filters import (
    PASS,
    AnyFilter,
    Chain,
    Direction,
    FileWatch,
    Filter,
    FilterContext,
    IsolatedFilter,
    Message,
    NoOptions,
    Offload,
    PoolWatch,
    Step,
    Verdict,
    WorkerPool,
    build_filter,
    refresh_now,
    refreshing,
)
from filters.options import OptionsError, join
from gateway.config.settings import FilterRef, OffloadSettings, Settings

__all__ = ["FilterChains"]

log = logging.getLogger("chatguard.pipeline")


class _Unchanged(Filter[NoOptions]):
    """Stands for a filter whose config entry a check found unchanged (`vouched`): it was built and
    checked when that entry was accepted, and the processes serving it keep their own copy."""

    name = "unchanged"
    Options = NoOptions

    async def inspect(self, message: Message) -> Verdict:
        return PASS


@dataclass(frozen=True)
class _Carried:
    """What a new config carries over from the one in service: filters by name, and maybe the offload."""

    filters: frozenset[str] = frozenset()
    offload: bool = False


class _Users:
    """How many configs in service or retiring use one filter instance (or offload pool): the last to
    close it closes it, so a WebSocket still on an older config never meets a closed filter."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 1


class FilterChains:
    """Every route's chains plus the filter instances they share; close with `aclose()`."""

    def __init__(self, filters: Mapping[str, AnyFilter], chains: Mapping[tuple[str, Direction], Chain],
                 offload: Offload | None = None, files: Callable[[str], FileWatch] | None = None,
                 refs: Mapping[str, FilterRef] | None = None, offload_key: object = None,
                 carried: _Carried = _Carried(), previous: FilterChains | None = None) -> None:
        self.filters: Mapping[str, AnyFilter] = MappingProxyType(dict(filters))
        self.offload = offload if offload is not None else Offload()
        self._chains = dict(chains)
        self.routes: tuple[str, ...] = tuple(dict.fromkeys(route for route, _ in self._chains))
        self._closed = False
        self._files = files
        self._refreshing: dict[str, asyncio.Task[None]] = {}
        self._retired = False
        self._refs: Mapping[str, FilterRef] = refs or {}
        self._offload_key = offload_key
        self._carried = carried          # not counted as ours until `take_over`
        self._users: dict[str, _Users] = {
            name: previous._users[name] if previous is not None and name in carried.filters else _Users()
            for name in self.filters}
        self._offload_users: _Users = \
            previous._offload_users if previous is not None and carried.offload else _Users()

    @classmethod
    def build(cls, settings: Settings, context: FilterContext | None = None,
              watch: Callable[[str], PoolWatch] | None = None,
              files: Callable[[str], FileWatch] | None = None, *,
              previous: FilterChains | None = None,
              vouched: Mapping[str, FilterRef] | None = None) -> FilterChains:
        """Build every filter in `settings.filters` and the chains of `settings.routes`; `watch` gives
        what counts the work of a pool of worker processes by its name (offload, or a filter's name),
        `files` what counts the refreshes of a filter's files (feeds) by the filter's name.
        `previous`: the chains in service, whose filters with an unchanged entry are carried over (see
        the module text); `vouched`: the entries of the config in service, for a check that builds no
        filter whose entry is unchanged (a supervisor's: its workers carry theirs over).

        A configured filter that no route uses is still built, so its options are
        checked at startup. An error raises OptionsError naming the key path; filters
        built before it are dropped unclosed, which is why a filter's constructor must
        not acquire resources (open them lazily, release them in `aclose`).
        """
        refs = settings.filters
        filters: dict[str, AnyFilter] = {}
        carried: set[str] = set()
        for name, ref in refs.items():
            path = join("filters", name)
            kept = previous.unchanged(name, ref) if previous is not None else None
            if kept is not None:
                _report_kept(name, kept, files(name) if files is not None else FileWatch())
                filters[name] = kept
                carried.add(name)
                continue
            if vouched is not None and vouched.get(name) == ref:
                filters[name] = _Unchanged()
                continue
            flt = build_filter(name, ref.use, ref.options, path, context)
            if ref.isolate == "process":
                flt = IsolatedFilter(flt, name, ref.use, ref.options, path, ref.processes,
                                     watch(name) if watch is not None else PoolWatch())
            filters[name] = flt
        offload_key = _offload_key(settings, filters)
        if previous is not None and offload_key is not None and previous._offload_key == offload_key \
                and previous.offload.pool is not None:
            offload, carried_offload = previous.offload, True
        else:
            offload, carried_offload = _offload(settings.offload, settings, filters,
                                                watch("offload") if watch is not None else PoolWatch()), False
        steps = {name: Step(name, flt, float(refs[name].timeout), offload) for name, flt in filters.items()}
        chains: dict[tuple[str, Direction], Chain] = {}
        for i, route in enumerate(settings.routes):
            route_steps = []
            for j, name in enumerate(route.filters):
                if name not in steps:
                    known = ", ".join(sorted(steps)) or "none configured"
                    raise OptionsError(join(join(join("routes", i), "filters"), j),
                                       f"unknown filter {name!r} (known: {known})")
                route_steps.append(steps[name])
            for direction in Direction:
                chosen = [s for s in route_steps if s.filter.handles(direction)]
                chains[(route.name, direction)] = Chain(chosen, fail_open=route.fail == "open")
        return cls(filters, chains, offload, files, refs, offload_key,
                   _Carried(frozenset(carried), carried_offload), previous)

    def unchanged(self, name: str, ref: FilterRef) -> AnyFilter | None:
        """The filter `name` in service when `ref` is its very entry (not a process-isolated one), else None."""
        flt = self.filters.get(name)
        if flt is None or self._refs.get(name) != ref or isinstance(flt, IsolatedFilter | _Unchanged) \
                or self._closed:
            return None
        return flt

    def take_over(self, old: FilterChains) -> None:
        """This config is in service now: what it carried over from `old` counts it as one more user (the
        last of them to close closes it), and `old` stops refreshing it (this config does)."""
        for name in self._carried.filters:
            self._users[name].count += 1
            task = old._refreshing.pop(name, None)
            if task is not None:
                task.cancel()
        if self._carried.offload:
            self._offload_users.count += 1
        self._carried = _Carried()

    async def start(self) -> None:
        """Start what filters run outside this process (`isolate: process`) before traffic arrives, so
        that no message waits for a worker process to import and build its filter; then the tasks that
        re-read the files filters read (`filters.refreshing`), one per filter that asks for it."""
        for flt in self.filters.values():
            if isinstance(flt, IsolatedFilter):
                await flt.start()
        if not self._carried.offload:
            await self.offload.start()
        loop = asyncio.get_running_loop()
        for name, flt in self.filters.items():
            if flt.refresh_every > 0 and not self._closed:
                watch = self._files(name) if self._files is not None else FileWatch()
                self._refreshing[name] = loop.create_task(refreshing(name, flt, watch, self._reports),
                                                          name=f"chatguard-refresh-{name}")

    def _reports(self) -> bool:
        return not self._retired

    def retire(self) -> None:
        """A reload replaced this config: its filters stay current for what still uses them (open
        WebSockets), and only the config in service logs and counts their refreshes."""
        self._retired = True

    def chain(self, route: str, direction: Direction) -> Chain:
        """The chain for `route` and `direction`; KeyError for a route that was not configured."""
        return self._chains[(route, direction)]

    async def aclose(self) -> None:
        """Close every filter once; one filter failing to close does not keep others open."""
        if self._closed:
            return
        self._closed = True
        for task in self._refreshing.values():
            task.cancel()
        for task in self._refreshing.values():
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if not self._carried.offload and _last(self._offload_users):
            await self.offload.aclose()
        for name, flt in self.filters.items():
            if name in self._carried.filters or not _last(self._users[name]):
                continue  # never counted (this config did not start), or a newer config still uses it
            try:
                await flt.aclose()
            except Exception as exc:
                log.warning("filter %s failed to close: %s", name, type(exc).__name__)

    async def __aenter__(self) -> FilterChains:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()


def _last(users: _Users) -> bool:
    """One user fewer; whether that was the last."""
    users.count -= 1
    return users.count == 0


def _report_kept(name: str, flt: AnyFilter, watch: FileWatch) -> None:
    """Refresh a filter carried over by a reload (its files may have changed: a SIGHUP is when feeds
    read only at load are read again) and name, in one warning line each, the files whose last good copy
    stays in force because the newest version cannot be used."""
    report = refresh_now(flt)
    if report.loaded or report.refused:
        watch.refreshed(report)
    for loaded in report.loaded:
        log.info("filter %s: file reloaded: %s", name, loaded)
    why = {problem.partition(": ")[0]: problem.partition(": ")[2] for problem in report.refused}
    for stale in report.stale:
        reason = f" ({why[stale]})" if stale in why else ""
        log.warning("filter %s: file %s cannot be used%s; the reload keeps its last good copy in force",
                    name, stale, reason)


def _offload_key(settings: Settings, filters: Mapping[str, AnyFilter]) -> object:
    """What the offload processes are built from: equal keys, equal processes (None: no processes)."""
    if settings.offload.mode == "thread":
        return None
    entries: list[tuple[str, Any]] = [(name, settings.filters[name]) for name, flt in filters.items()
                                      if flt.offloadable and not isinstance(flt, _Unchanged)]
    return settings.offload, tuple(entries)


def _offload(config: OffloadSettings, settings: Settings, filters: Mapping[str, AnyFilter], watch: PoolWatch) -> Offload:
    """The filter thread, or a pool of worker processes building every filter that only computes from
    its config entry (with the processes' own context: such a filter uses no store or vault)."""
    offloadable = {name: settings.filters[name] for name, flt in filters.items() if flt.offloadable}
    if config.mode == "thread" or not offloadable:
        return Offload(config.from_chars)
    specs = {name: (ref.use, ref.options, join("filters", name)) for name, ref in offloadable.items()}
    pool = WorkerPool(specs, config.processes, config.queue, "chatguard-offload", watch, nice=config.nice)
    return Offload(config.from_chars, pool, eager=config.start == "eager")
