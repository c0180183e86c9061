"""A payload's fields through a chain in one worker process: the process's side of `Chain.run_batch`.

A message may spread its text over many fields, each too short to be worth a call to a worker process
(`offload.from_chars`) and together as long as one long text: inspected on the gateway's event loop,
such a payload held it for all of its fields' CPU time, a turn between fields. So, when every filter
of a chain only computes, the gateway hands all of the payload's fields over in one call, and the
process runs the same chain loop the gateway would (`run_steps`: config order, a modify passes the new
text on, a block stops, a failure blocks), each filter under its CPU budget (`HERE`), field after field,
stopping after the first blocked field. The failures are the gateway's own words (`inspect_step`),
logged back in the gateway.

Answered: one packed result per field inspected, `(action, text or None when unchanged, packed verdicts,
failures, cpu)`, and the chain's log lines. While at work, the process sends a tick at least every
`tick_every` seconds (between fields), which starts the gateway's deadline for it again: a field's
deadline is the same as that of a long text, however many fields came before it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from filters._api import Action, AnyFilter, Message
from filters._chain import Step, run_steps
from filters._offload import HERE
from filters._packing import pack

__all__ = ["serve"]

_LOG = logging.getLogger("chatguard.filters")


def serve(built: Mapping[str, AnyFilter], loop: asyncio.AbstractEventLoop, steps: tuple[tuple[str, float], ...],
          template: Message, fields: list[tuple[str, str]], tick_every: float,
          tick: Callable[[], None]) -> tuple[str, list[Any], list[tuple[int, str]]]:
    """Run `steps` (`(name, limit)`) over `fields` (`(path, text)`) of the payload `template` stands for."""
    chain = [Step(name, built[name], limit, HERE) for name, limit in steps]
    results: list[Any] = []
    with _captured() as lines:
        last = time.monotonic()
        for path, text in fields:
            message = dataclasses.replace(template, text=text, field=path)
            result = loop.run_until_complete(run_steps(chain, message, False))
            results.append((result.action.value, None if result.text is text else result.text,
                            [pack(verdict) for verdict in result.verdicts], result.failures, result.cpu))
            if result.action is Action.BLOCK:
                break
            if time.monotonic() - last >= tick_every:
                tick()
                last = time.monotonic()
    return "chain", results, lines


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append((record.levelno, record.getMessage()))


@contextmanager
def _captured() -> Iterator[list[tuple[int, str]]]:
    """The chain's log lines while the block runs, to be logged by the gateway (never printed here)."""
    handler = _Lines()
    propagate = _LOG.propagate
    _LOG.addHandler(handler)
    _LOG.propagate = False
    try:
        yield handler.lines
    finally:
        _LOG.removeHandler(handler)
        _LOG.propagate = propagate
