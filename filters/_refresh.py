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

A reload that keeps a filter whose config entry did not change refreshes it at once (`refresh_now`),
while the task of the config it replaces may be refreshing it on a thread: one lock per filter makes
the two take turns, as `Filter.refresh` expects.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import weakref
from collections.abc import Callable, Iterable

from filters._api import AnyFilter, Refreshed

__all__ = ["FileWatch", "Refresher", "refresh_now", "refreshing"]

log = logging.getLogger("chatguard.filters")
_LOCKS: weakref.WeakKeyDictionary[AnyFilter, threading.Lock] = weakref.WeakKeyDictionary()
_LOCKS_LOCK = threading.Lock()
_SHARED = threading.Lock()


def refresh_now(flt: AnyFilter) -> Refreshed:
    """`flt.refresh()`, never at the same time as another refresh of the same filter."""
    with _LOCKS_LOCK:
        try:
            lock = _LOCKS.setdefault(flt, threading.Lock())
        except TypeError:  # a filter that cannot be weakly referred to (slots): one lock for all of those
            lock = _SHARED
    with lock:
        return flt.refresh()


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
            report = await asyncio.to_thread(refresh_now, flt)
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
