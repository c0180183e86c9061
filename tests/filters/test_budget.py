"""A filter call under its budget: its own CPU time is measured, its waits are bounded."""

from __future__ import annotations

import asyncio
import time

import pytest

import filters._budget
from filters._budget import REFERENCE_AGE, Expired, OverBudget, called, cpu_reference, metered


def spin(seconds: float) -> None:
    """Compute (not sleep) for `seconds` of this thread's CPU time."""
    until = time.thread_time() + seconds
    while time.thread_time() < until:
        pass


async def computes(seconds: float) -> str:
    spin(seconds)
    return "done"


async def test_a_call_that_only_computes_is_one_step_and_its_cpu_is_measured() -> None:
    value, cpu = await metered(computes(0.02), limit=1.0)
    assert value == "done"
    assert 0.02 <= cpu < 1.0


async def test_computing_past_the_limit_is_over_budget_even_though_it_answered() -> None:
    with pytest.raises(OverBudget) as over:
        await metered(computes(0.2), limit=0.05)
    assert over.value.cpu >= 0.2


async def test_cpu_spent_by_other_tasks_while_the_filter_waits_is_not_charged_to_it() -> None:
    async def waits_a_lot() -> int:
        for _ in range(5):
            await asyncio.sleep(0.02)
        return 5

    async def busy_neighbour() -> None:
        for _ in range(8):
            spin(0.05)
            await asyncio.sleep(0)

    neighbour = asyncio.create_task(busy_neighbour(), name="neighbour")
    value, cpu = await metered(waits_a_lot(), limit=5.0)  # while it waits, the neighbour computes 0.4 s
    await neighbour
    assert value == 5
    assert cpu < 0.05


async def test_a_call_still_waiting_at_its_limit_is_cancelled() -> None:
    cleaned = asyncio.Event()

    async def hangs() -> None:
        try:
            await asyncio.sleep(3600)
        finally:
            cleaned.set()

    with pytest.raises(Expired):
        await metered(hangs(), limit=0.05)
    assert cleaned.is_set()


async def test_a_call_that_swallows_its_cancellation_is_still_expired() -> None:
    async def stubborn() -> str:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            pass
        return "late"

    with pytest.raises(Expired):
        await metered(stubborn(), limit=0.05)


async def test_results_and_errors_of_awaited_futures_reach_the_filter() -> None:
    loop = asyncio.get_running_loop()

    async def uses_futures() -> tuple[int, str]:
        done: asyncio.Future[int] = loop.create_future()
        loop.call_soon(done.set_result, 7)
        failed: asyncio.Future[int] = loop.create_future()
        loop.call_soon(failed.set_exception, KeyError("k"))
        try:
            await failed
        except KeyError:
            caught = "caught"
        await asyncio.sleep(0)
        return await done, caught

    assert (await metered(uses_futures(), limit=1.0))[0] == (7, "caught")


async def test_what_the_filter_raises_is_raised() -> None:
    async def raises() -> None:
        raise ValueError("bad")

    with pytest.raises(ValueError):
        await metered(raises(), limit=1.0)


async def test_something_not_awaitable_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        await metered("verdict", limit=1.0)  # type: ignore[arg-type]


async def test_cancelling_the_caller_cancels_the_filter_and_is_not_swallowed() -> None:
    started, cleaned = asyncio.Event(), asyncio.Event()

    async def waits() -> None:
        started.set()
        try:
            await asyncio.sleep(3600)
        finally:
            cleaned.set()

    task = asyncio.create_task(metered(waits(), limit=3600), name="caller")
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert cleaned.is_set()


async def test_a_step_held_up_without_computing_is_charged_its_cpu_time_not_its_wall_time() -> None:
    """As a step preempted on a loaded machine: its wall time does not fit the limit, so it is
    charged exactly, by the CPU clock, and stays within budget."""
    async def blocked_in_a_system_call() -> str:
        time.sleep(0.2)  # the thread is off the CPU, as when the scheduler runs someone else
        return "done"

    value, cpu = await metered(blocked_in_a_system_call(), limit=0.05)
    assert value == "done" and cpu < 0.05


async def test_an_exact_charge_counts_from_a_recent_reading_of_the_cpu_clock() -> None:
    """Steps share a reading of the CPU clock for a few milliseconds: an exactly charged step may be
    charged what ran just before it (at most that age), never less than its own CPU time."""
    async def computes_then_blocks() -> str:
        spin(0.04)
        time.sleep(0.1)  # its wall time does not fit the limit: charged by the CPU clock
        return "done"

    cpu_reference()  # a reading from before the call, as another filter's step leaves it
    with pytest.raises(OverBudget) as over:
        await metered(computes_then_blocks(), limit=0.035)
    assert over.value.cpu >= 0.04


async def test_a_shared_reading_is_at_most_its_age_old() -> None:
    reference = cpu_reference()
    spin(2 * REFERENCE_AGE)  # CPU time passes, and wall time at least as much
    assert cpu_reference() > reference
    assert cpu_reference() - reference >= REFERENCE_AGE


async def test_steps_in_a_row_read_the_cpu_clock_once_per_age(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CPU clock is a system call: a burst of messages through a few filters reads it once."""
    reads = 0

    def counted() -> float:
        nonlocal reads
        reads += 1
        return time.thread_time()

    monkeypatch.setattr(filters._budget, "cpu_clock", counted)
    monkeypatch.setattr(filters._budget, "wall_clock", lambda: 1000.0)  # no wall time passes
    for _ in range(20):
        assert (await metered(computes(0.0), limit=1.0))[0] == "done"
    assert reads <= 1


def test_a_synchronous_call_is_charged_as_a_call_that_awaits_nothing() -> None:
    def computes_then_answers(seconds: float) -> str:
        spin(seconds)
        return "done"
    value, cpu = called(computes_then_answers, 0.02, 1.0)
    assert value == "done"
    assert 0.02 <= cpu < 1.0
    with pytest.raises(OverBudget) as over:
        called(spin, 0.2, 0.05)
    assert over.value.cpu >= 0.2
    with pytest.raises(ZeroDivisionError):
        called(lambda x: 1 / x, 0, 1.0)


def test_a_synchronous_call_held_up_without_computing_is_charged_its_cpu_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wall time past the limit (the thread was preempted) is no overrun when the CPU time fits."""
    walls = iter([0.0, 10.0])
    monkeypatch.setattr(filters._budget, "wall_clock", lambda: next(walls))
    filters._budget._reference.reading = (-1e9, 0.0)  # the CPU clock is read before the call
    value, cpu = called(str, 5, 1.0)
    assert value == "5" and cpu < 1.0
