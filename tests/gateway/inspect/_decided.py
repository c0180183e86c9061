"""What a decision depends on, for tests that compare a fast path with the general one."""

from __future__ import annotations

import asyncio
from typing import Any

from filters import Direction, Message, Verdict
from gateway.codec import CodecError
from gateway.inspect.exchange import Exchange
from gateway.inspect.inspection import Inspection


def shown(result: object) -> object:
    """Refusals by type and message, inspections by their parts."""
    if isinstance(result, CodecError):
        return type(result).__name__, str(result)
    assert isinstance(result, Inspection)
    return (result.action, result.payload, result.original, result.sources,
            [(r.action, r.text, r.verdicts, r.failures) for r in result.results])


def count_calls(exchange: Exchange, *, waits: bool) -> list[tuple[str, str]]:
    """Every inbound filter call of `exchange` from now on, as (step, field), in order; with `waits` each
    call yields once before it answers (a call that does not end in its first step: `inspect_now`, where
    the step has one, then leaves every message to `inspect`)."""
    calls: list[tuple[str, str]] = []
    for step in exchange.plan.chain(Direction.INBOUND).steps_for(Direction.INBOUND):
        inspect, now = step.filter.inspect, step.now

        async def counted(message: Message, inspect: Any = inspect, name: str = step.name) -> Verdict:
            calls.append((name, message.field))
            if waits:
                await asyncio.sleep(0)
            return await inspect(message)  # type: ignore[no-any-return]

        def counted_now(message: Message, now: Any = now, name: str = step.name) -> Verdict | None:
            answer = None if waits else now(message)
            if answer is not None:
                calls.append((name, message.field))
            return answer  # type: ignore[no-any-return]
        object.__setattr__(step.filter, "inspect", counted)  # this exchange's filters only
        if now is not None:
            object.__setattr__(step, "now", counted_now)
    return calls
