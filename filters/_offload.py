"""Where the long texts of filters that only compute are inspected: never on the event loop.

The worst text shapes cost a millisecond or more of CPU per KB, so one call over a long text would
hold the event loop, and every client of the gateway worker, for all of it. A filter that only
computes (`Filter.offloadable`: masking without a vault, threat) has a text of `from_chars`
characters or more inspected elsewhere:

- `Offload(pool=WorkerPool)` (the gateway's default, `offload.mode: process`): in worker
  processes (`filters._isolated`). The event loop only writes the text and reads the verdict; the
  filter's CPU budget is enforced in the process, and a call not answered within twice its
  `timeout` of being handed over (waiting for a busy pool included) is abandoned: the process is
  killed and replaced, the message fails closed. At most `queue` long texts wait for a busy pool;
  more fail closed at once, so a flood of long texts costs memory and time that are bounded.
  Until the processes are ready (they start with the gateway, or at the first long text when
  started lazily) and if they cannot start, texts take the filter thread instead.
- `Offload()` (`offload.mode: thread`, and filters run outside a gateway): on one filter thread of
  this process (`filters._budget.offloaded`); the event loop takes the interpreter lock back at
  least every half millisecond, so it keeps serving, only slower.

A payload of many fields, each too short to be offloaded, can still add up to a long text: with worker
processes, a chain whose filters all only compute takes all of a payload's fields to one process in one
call once their characters add up to `from_chars` (`run_batch`, `filters._batch`). The deadline then
applies per field: the process says it is still at work while it goes through them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, Protocol

from filters._api import AnyFilter, Message, Verdict
from filters._budget import OFFLOAD_FROM, Expired, drive, offloaded
from filters._contract import verdict_problem

__all__ = ["HERE", "THREAD", "Offload"]

log = logging.getLogger("chatguard.filters")


class Pool(Protocol):
    """What an `Offload` asks of its worker processes (`filters._isolated.WorkerPool`)."""

    @property
    def ready(self) -> bool: ...

    async def start(self) -> None: ...

    def start_soon(self) -> None: ...

    async def call(self, name: str, message: Message, limit: float | None) -> tuple[Verdict | None, str, float]: ...

    async def call_chain(self, steps: tuple[tuple[str, float], ...], template: Message,
                         fields: list[tuple[str, str]], tick_every: float,
                         on_tick: Callable[[], None]) -> tuple[list[Any], list[tuple[int, str]]]: ...

    async def aclose(self) -> None: ...


class Offload:
    """How texts of `from_chars` characters or more reach offloadable filters (see the module text)."""

    __slots__ = ("eager", "from_chars", "pool")

    def __init__(self, from_chars: int = OFFLOAD_FROM, pool: Pool | None = None, *, eager: bool = False) -> None:
        self.from_chars = from_chars
        self.pool = pool
        self.eager = eager

    @property
    def mode(self) -> str:
        return "thread" if self.pool is None else "process"

    async def start(self) -> None:
        """Start the worker processes now (`eager`: before the gateway serves; a failure stops it)."""
        if self.pool is not None and self.eager:
            await self.pool.start()

    async def run(self, name: str, flt: AnyFilter, limit: float,
                  message: Message) -> tuple[Verdict | None, str, float]:
        """Filter `name`'s verdict on the long text of `message` under its budget: `(verdict, "", cpu)` or
        `(None, problem, cpu)` for a verdict that breaks the contract. Raises `OverBudget`, `Expired`
        and what the filter or the pool raise, as `filters._chain.inspect_step` expects."""
        pool = self.pool
        if pool is not None and pool.ready:
            try:
                async with asyncio.timeout(2 * limit):
                    return await pool.call(name, message, limit)
            except TimeoutError:
                raise Expired from None
        if pool is not None:
            pool.start_soon()
        (verdict, problem), cpu = await offloaded(_checked(flt, message), limit)
        return verdict, problem, cpu

    def batches(self) -> bool:
        """Whether a payload's fields may go to a worker process in one call now (`filters._batch`);
        starts the processes of a lazy pool."""
        pool = self.pool
        if pool is None:
            return False
        if not pool.ready:
            pool.start_soon()
        return pool.ready

    async def run_batch(self, steps: tuple[tuple[str, float], ...], template: Message,
                        fields: list[tuple[str, str]]) -> tuple[list[Any], list[tuple[int, str]]]:
        """The packed results of chain `steps` (`(name, limit)`) over `fields` (`(path, text)`) of the
        payload `template` stands for, from a worker process. Each field has twice the steps' limits
        together, from the process's last sign of work (or the hand-over); past that `Expired`."""
        assert self.pool is not None
        per_field = 2 * sum(limit for _, limit in steps)
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(per_field) as deadline:
                return await self.pool.call_chain(steps, template, fields, per_field / 4,
                                                  lambda: deadline.reschedule(loop.time() + per_field))
        except TimeoutError:
            raise Expired from None

    async def aclose(self) -> None:
        if self.pool is not None:
            await self.pool.aclose()


async def _checked(flt: AnyFilter, message: Message) -> tuple[Verdict | None, str]:
    """The verdict and its contract check together, both on the filter thread (a verdict may carry tens
    of thousands of findings to check)."""
    verdict = await flt.inspect(message)
    problem = verdict_problem(verdict, message.text)
    return (None if problem else verdict), problem


class _Here(Offload):
    """Every text inspected on this thread, by the CPU clock (`drive`): the worker processes' own steps."""

    __slots__ = ()

    async def run(self, name: str, flt: AnyFilter, limit: float,
                  message: Message) -> tuple[Verdict | None, str, float]:
        (verdict, problem), cpu = drive(_checked(flt, message), limit)
        return verdict, problem, cpu


THREAD = Offload()  # for chains built outside a gateway: the filter thread, from OFFLOAD_FROM characters
HERE = _Here(0)  # for chains run inside a worker process
