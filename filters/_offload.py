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
"""

from __future__ import annotations

import asyncio
import logging

from filters._api import AnyFilter, Message, Verdict
from filters._budget import OFFLOAD_FROM, Expired, offloaded
from filters._contract import verdict_problem
from filters._isolated import WorkerPool

__all__ = ["THREAD", "Offload"]

log = logging.getLogger("chatguard.filters")


class Offload:
    """How texts of `from_chars` characters or more reach offloadable filters (see the module text)."""

    __slots__ = ("eager", "from_chars", "pool")

    def __init__(self, from_chars: int = OFFLOAD_FROM, pool: WorkerPool | None = None, *, eager: bool = False) -> None:
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

    async def aclose(self) -> None:
        if self.pool is not None:
            await self.pool.aclose()


async def _checked(flt: AnyFilter, message: Message) -> tuple[Verdict | None, str]:
    """The verdict and its contract check together, both on the filter thread (a verdict may carry tens
    of thousands of findings to check)."""
    verdict = await flt.inspect(message)
    problem = verdict_problem(verdict, message.text)
    return (None if problem else verdict), problem


THREAD = Offload()  # for chains built outside a gateway: the filter thread, from OFFLOAD_FROM characters
