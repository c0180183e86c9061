"""Files a filter reads (the threat filter's feeds) re-read while the gateway serves.

A filter that reads files which change on their own schedule (a phishing feed updated hourly)
says how often to look (`Filter.refresh_every`) and re-reads in `Filter.refresh`: it checks each
file's identity, reads only those that changed, and swaps in a complete new version or keeps the
previous one. Every process that holds a copy of the filter refreshes its own, so nothing is shared:

- each gateway process (one, or every worker of `--workers`): one named task per filter
  (`refreshing`), the reading on a thread so the event loop keeps serving;
- each worker process of a pool (offload, `isolate: process`) while it waits for its next call
  (`Refresher`); its reports are dropped there, since the gateway process's copy reads the same
  files and reports them once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable

from filters._api import AnyFilter, Refreshed

__all__ = ["FileWatch", "Refresher", "refreshing"]

log = logging.getLogger("chatguard.filters")


class FileWatch:
    """What counts a filter's refreshes (the gateway's metrics implement it); the default counts nothing."""

    def refreshed(self, report: Refreshed) -> None:
        """One refresh that found something changed."""


async def refreshing(name: str, flt: AnyFilter, watch: FileWatch,
                     reports: Callable[[], bool] = lambda: True) -> None:
    """Refresh `flt` (configured as `name`) every `refresh_every` seconds until cancelled; each refused
    version is logged once, as one line naming the filter and the file, while `reports()` says so (a
    config replaced by a reload keeps its filters current for the WebSockets still using them, silently:
    the config in service reports the same files)."""
    every = flt.refresh_every
    while True:
        await asyncio.sleep(every)
        try:
            report = await asyncio.to_thread(flt.refresh)
        except Exception as exc:  # the previous version stays in use; the next round tries again
            if reports():
                log.error("filter %s: refreshing its files failed (%s); keeping what it had", name,
                          type(exc).__name__)
            continue
        if not reports():
            continue
        for problem in report.refused:
            log.error("filter %s: file refused, previous version kept: %s", name, problem)
        for loaded in report.loaded:
            log.info("filter %s: file reloaded: %s", name, loaded)
        if report.loaded or report.refused:
            watch.refreshed(report)


class Refresher:
    """The refreshing of a worker process's filters, between calls (the process has no loop of its own
    running): `wait` says how long until one is due, `run` refreshes those that are."""

    def __init__(self, filters: Iterable[AnyFilter]) -> None:
        self._clock = time.monotonic
        now = self._clock()
        self._due = [(flt, flt.refresh_every, now + flt.refresh_every) for flt in filters if flt.refresh_every > 0]

    def wait(self) -> float | None:
        """Seconds until the next refresh is due (0: now), or None when no filter refreshes."""
        if not self._due:
            return None
        return max(0.0, min(due for _, _, due in self._due) - self._clock())

    def run(self) -> None:
        now = self._clock()
        for index, (flt, every, due) in enumerate(self._due):
            if due <= now:
                try:
                    flt.refresh()
                except Exception as exc:
                    log.debug("refresh failed in a worker process: %s", type(exc).__name__)
                self._due[index] = (flt, every, self._clock() + every)
