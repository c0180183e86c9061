"""`isolate: process`: a filter that computes without end is cut off at its deadline while the event loop
goes on serving, its process is replaced, and the next message is answered as usual."""

from __future__ import annotations

import asyncio
import os
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from filters import Action, Chain, Direction, FilterRaised, IsolatedFilter, Message, Step, build_filter
from gateway.config.settings import ConfigError, parse_settings
from tests.helpers import LoopTicks, install_filter_plugins, until

PLUGINS = textwrap.dedent('''
    import os

    from filters import Filter, Message, Verdict, modify, PASS


    class Spin(Filter):
        """Computes for ever on 'spin'; answers with its process id otherwise; raises on 'boom'."""

        name = "spin"

        async def inspect(self, message: Message) -> Verdict:
            if "spin" in message.text:
                while True:
                    pass
            if "boom" in message.text:
                raise ValueError("the message said " + message.text)
            return modify(f"{message.text} from {os.getpid()}")
''')


@pytest.fixture
async def spin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[IsolatedFilter]:
    (tmp_path / "isolated_plugins.py").write_text(PLUGINS)
    install_filter_plugins(tmp_path, monkeypatch, {"spin": "isolated_plugins:Spin"})
    inner = build_filter("slow", "spin", {}, "filters.slow")
    isolated = IsolatedFilter(inner, "slow", "spin", {}, "filters.slow", processes=1)
    await isolated.start()
    try:
        yield isolated
    finally:
        await isolated.aclose()


def message(text: str) -> Message:
    return Message(text, direction=Direction.INBOUND, route="chat", metadata={"request_id": "r1"})


async def test_answers_come_from_another_process(spin: IsolatedFilter) -> None:
    verdict = await spin.inspect(message("hello"))
    assert verdict.action is Action.MODIFY and verdict.text is not None
    assert verdict.text.startswith("hello from ") and verdict.text != f"hello from {os.getpid()}"


async def test_a_call_past_its_deadline_fails_closed_without_stalling_the_loop(spin: IsolatedFilter) -> None:
    chain = Chain([Step("slow", spin, 2.0)])
    first = await chain.run(message("hello"))
    assert first.action is Action.MODIFY and first.text is not None
    before = first.text.rsplit(" ", 1)[1]
    async with LoopTicks() as ticks:
        stuck = await asyncio.wait_for(chain.run(message("please spin")), 120)
    assert stuck.action is Action.BLOCK and stuck.failures == ("filter slow timed out",)
    assert ticks.count > 0  # the event loop kept turning while the filter computed elsewhere
    # The replacement starts in the background (seconds on a busy machine); a message sent before it is
    # ready waits for it within its own deadline. Wait for it here, so that the deadline measures the call.
    await until(lambda: spin.pool.idle == 1, "the replacement process", 120)
    after = await asyncio.wait_for(chain.run(message("hello")), 120)
    assert after.action is Action.MODIFY and after.text is not None
    assert after.text.rsplit(" ", 1)[1] != before  # the stuck process was replaced


async def test_a_filter_that_raises_keeps_its_process_and_the_text_stays_out_of_the_error(
        spin: IsolatedFilter) -> None:
    first = await spin.inspect(message("hello"))
    with pytest.raises(FilterRaised) as raised:
        await spin.inspect(message("boom secret words"))
    assert "secret" not in str(raised.value) and "ValueError" in str(raised.value)
    again = await spin.inspect(message("hello"))
    assert first.text == again.text  # the same process answered


async def test_closing_ends_the_processes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "isolated_plugins.py").write_text(PLUGINS)
    install_filter_plugins(tmp_path, monkeypatch, {"spin": "isolated_plugins:Spin"})
    isolated = IsolatedFilter(build_filter("slow", "spin", {}, "filters.slow"), "slow", "spin", {},
                              "filters.slow", processes=2)
    await isolated.start()
    processes = [worker.process for worker in isolated.pool._all]
    assert len(processes) == 2 and all(p.is_alive() for p in processes)
    await isolated.aclose()
    assert not any(p.is_alive() for p in processes)


@pytest.mark.parametrize(("entry", "key"), [
    ({"use": "limit", "isolate": "thread"}, "filters.x.isolate"),
    ({"use": "limit", "isolate": "process", "processes": 0}, "filters.x.processes"),
])
def test_bad_isolation_settings_name_their_key(entry: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError) as refused:
        parse_settings({"upstreams": {"up": {"url": "http://127.0.0.1:9"}}, "routes": [],
                        "filters": {"x": entry}}, environ={})
    assert str(refused.value).startswith(key)
