"""Filters and chains assembled once from the settings, looked up on the hot path.

Each configured filter is built exactly once (options checked, patterns compiled) and
shared by every route that names it; each route gets one chain per direction holding
only the filters that handle that direction. Nothing here runs per request except the
dictionary lookup in `chain()`. The filters that only compute share one `Offload` (`offload:`
in the config): their long texts are inspected in worker processes built from the same
config entries, so a reload gets new processes with the new options.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from types import MappingProxyType, TracebackType

from filters import (
    AnyFilter,
    Chain,
    Direction,
    FileWatch,
    FilterContext,
    IsolatedFilter,
    Offload,
    PoolWatch,
    Step,
    WorkerPool,
    build_filter,
    refreshing,
)
from filters.options import OptionsError, join
from gateway.config.settings import OffloadSettings, Settings

__all__ = ["FilterChains"]

log = logging.getLogger("chatguard.pipeline")


class FilterChains:
    """Every route's chains plus the filter instances they share; close with `aclose()`."""

    def __init__(self, filters: Mapping[str, AnyFilter], chains: Mapping[tuple[str, Direction], Chain],
                 offload: Offload | None = None, files: Callable[[str], FileWatch] | None = None) -> None:
        self.filters: Mapping[str, AnyFilter] = MappingProxyType(dict(filters))
        self.offload = offload if offload is not None else Offload()
        self._chains = dict(chains)
        self.routes: tuple[str, ...] = tuple(dict.fromkeys(route for route, _ in self._chains))
        self._closed = False
        self._files = files
        self._refreshing: list[asyncio.Task[None]] = []
        self._retired = False

    @classmethod
    def build(cls, settings: Settings, context: FilterContext | None = None,
              watch: Callable[[str], PoolWatch] | None = None,
              files: Callable[[str], FileWatch] | None = None) -> FilterChains:
        """Build every filter in `settings.filters` and the chains of `settings.routes`; `watch` gives
        what counts the work of a pool of worker processes by its name (offload, or a filter's name),
        `files` what counts the refreshes of a filter's files (feeds) by the filter's name.

        A configured filter that no route uses is still built, so its options are
        checked at startup. An error raises OptionsError naming the key path; filters
        built before it are dropped unclosed, which is why a filter's constructor must
        not acquire resources (open them lazily, release them in `aclose`).
        """
        refs = settings.filters
        filters: dict[str, AnyFilter] = {}
        for name, ref in refs.items():
            path = join("filters", name)
            flt = build_filter(name, ref.use, ref.options, path, context)
            if ref.isolate == "process":
                flt = IsolatedFilter(flt, name, ref.use, ref.options, path, ref.processes,
                                     watch(name) if watch is not None else PoolWatch())
            filters[name] = flt
        offload = _offload(settings.offload, settings, filters, watch("offload") if watch is not None else PoolWatch())
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
        return cls(filters, chains, offload, files)

    async def start(self) -> None:
        """Start what filters run outside this process (`isolate: process`) before traffic arrives, so
        that no message waits for a worker process to import and build its filter; then the tasks that
        re-read the files filters read (`filters.refreshing`), one per filter that asks for it."""
        for flt in self.filters.values():
            if isinstance(flt, IsolatedFilter):
                await flt.start()
        await self.offload.start()
        loop = asyncio.get_running_loop()
        for name, flt in self.filters.items():
            if flt.refresh_every > 0 and not self._closed:
                watch = self._files(name) if self._files is not None else FileWatch()
                self._refreshing.append(loop.create_task(refreshing(name, flt, watch, self._reports),
                                                         name=f"chatguard-refresh-{name}"))

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
        for task in self._refreshing:
            task.cancel()
        for task in self._refreshing:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.offload.aclose()
        for name, flt in self.filters.items():
            try:
                await flt.aclose()
            except Exception as exc:
                log.warning("filter %s failed to close: %s", name, type(exc).__name__)

    async def __aenter__(self) -> FilterChains:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()


def _offload(config: OffloadSettings, settings: Settings, filters: Mapping[str, AnyFilter], watch: PoolWatch) -> Offload:
    """The filter thread, or a pool of worker processes building every filter that only computes from
    its config entry (with the processes' own context: such a filter uses no store or vault)."""
    offloadable = {name: settings.filters[name] for name, flt in filters.items() if flt.offloadable}
    if config.mode == "thread" or not offloadable:
        return Offload(config.from_chars)
    specs = {name: (ref.use, ref.options, join("filters", name)) for name, ref in offloadable.items()}
    pool = WorkerPool(specs, config.processes, config.queue, "chatguard-offload", watch, nice=config.nice)
    return Offload(config.from_chars, pool, eager=config.start == "eager")
