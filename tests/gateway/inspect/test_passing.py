"""A filter's synchronous answer (`Filter.inspect_now`) on the path that decides frames every filter passes
at once (`passed_at_once`, through `FrameInspector.relay`): one that computes past its budget or raises fails
closed on a fail-closed route (the frame is refused, the failure recorded) and is skipped with the failure
recorded on a fail-open one; a filter without its own `inspect_now` is awaited as before."""

from __future__ import annotations

import time
from typing import Any

import pytest

from filters import PASS, Action, Direction, Message, Verdict
from gateway.inspect.exchange import Exchange
from gateway.inspect.frames import FrameInspector
from gateway.inspect.inspection import Inspection
from tests.gateway.inspect._decided import socket_exchange

FRAME = '{"text": "see you at five"}'


def _exchange(fail: str) -> Exchange:
    filters = {"mask": {"use": "masking", "timeout": "20ms"}, "threat": {"use": "threat"}}
    return socket_exchange(filters, fail=fail, messages={"inbound": {"json": ["/text"]}, "outbound": {"json": ["/text"]}})


def _slow(message: Message) -> Verdict:
    until = time.thread_time() + 0.1
    while time.thread_time() < until:
        pass
    return PASS  # too late: five times the budget, computing (not waiting)


def _raises(message: Message) -> Verdict:
    raise ValueError(f"secret: {message.text}")


async def _relayed(fail: str, now: Any) -> bytes | object:
    exchange = _exchange(fail)
    step = exchange.plan.chain(Direction.INBOUND).steps_for(Direction.INBOUND)[0]
    assert step.name == "mask" and step.now is not None  # masking without a vault answers by inspect_now
    object.__setattr__(step, "now", now)  # this exchange's step only
    codec = exchange.plan.codec(Direction.INBOUND)
    assert codec is not None
    return await FrameInspector(exchange, Direction.INBOUND, codec).relay(FRAME)


@pytest.mark.parametrize(("now", "failure"), [(_slow, "filter mask exceeded its CPU budget"),
                                               (_raises, "filter mask failed: ValueError")])
async def test_an_inspect_now_over_its_budget_or_raising_fails_closed(now: Any, failure: str) -> None:
    relayed = await _relayed("closed", now)
    assert isinstance(relayed, Inspection) and relayed.action is Action.BLOCK
    assert [r.failures for r in relayed.results] == [(failure,)]
    assert "secret" not in repr(relayed)


@pytest.mark.parametrize(("now", "failure"), [(_slow, "filter mask exceeded its CPU budget"),
                                               (_raises, "filter mask failed: ValueError")])
async def test_an_inspect_now_over_its_budget_or_raising_is_skipped_and_recorded_when_open(now: Any,
                                                                                      failure: str) -> None:
    relayed = await _relayed("open", now)
    assert isinstance(relayed, Inspection) and relayed.action is Action.PASS  # the next filter still ran
    assert [r.failures for r in relayed.results] == [(failure,)]
    assert [v.filter for v in relayed.results[0].verdicts] == ["threat"]


async def test_a_filter_without_inspect_now_is_awaited_as_before() -> None:
    exchange = _exchange("closed")
    step = exchange.plan.chain(Direction.INBOUND).steps_for(Direction.INBOUND)[0]
    object.__setattr__(step, "now", None)  # as a plugin without its own: `inspect` awaited
    codec = exchange.plan.codec(Direction.INBOUND)
    assert codec is not None
    assert await FrameInspector(exchange, Direction.INBOUND, codec).relay(FRAME) == FRAME.encode()
    carded = await FrameInspector(exchange, Direction.INBOUND, codec).relay('{"text": "4111 1111 1111 1111"}')
    assert isinstance(carded, Inspection) and carded.action is Action.MODIFY
