"""An event's lines other than `data`, as the client reads them: `event` and `id` values through the chain,
a digits-only `retry` kept, anything a client ignores dropped, and a changed value kept on its one line."""

from __future__ import annotations

import pytest

from filters import Action, Chain, Filter, Message, Step, Verdict
from filters.builtin.keyword import Keyword, KeywordOptions
from gateway.codec import FieldCaps, LimitExceeded
from gateway.proxy.sse_fields import OtherFields


class Replacing(Filter):  # type: ignore[type-arg]
    """Counts what it reads; rewrites `bad` as text holding a line break (a filter's text is not trusted)."""

    def __init__(self) -> None:
        self.read: list[tuple[str, str]] = []

    async def inspect(self, message: Message) -> Verdict:
        self.read.append((message.field, message.text))
        if "bad" in message.text:
            return Verdict(Action.MODIFY, message.text.replace("bad", "x\r\ndata: injected\n"))
        return Verdict(Action.PASS)


def others(*filters: Filter, caps: FieldCaps | None = None) -> OtherFields:
    return OtherFields(Chain([Step(f"f{i}", f, 5.0) for i, f in enumerate(filters)]), Message(""), caps)


async def test_what_a_client_ignores_is_dropped_and_what_it_reads_is_read() -> None:
    seen = Replacing()
    lines, inspection = await others(seen).lines(
        (": note", "event: tok", "x-extra: y", "retry: 1x", "retry:250", "id: 7", "data: a", "id: 8\0", "data"))
    assert lines == ("event: tok", "retry: 250", "id: 7", "data: a", "data")
    assert seen.read == [("sse:event", "tok"), ("sse:id", "7")]
    assert inspection is not None and inspection.action is Action.PASS


async def test_an_event_of_nothing_read_goes_as_a_bare_comment() -> None:
    assert await others(Replacing()).lines((": ping", "foo: bar")) == ((":",), None)


async def test_values_that_passed_are_read_once_per_stream() -> None:
    seen = Replacing()
    fields = others(seen)
    for _ in range(3):
        await fields.lines(("event: delta", "data: x"))
    assert seen.read == [("sse:event", "delta")]


async def test_a_changed_value_stays_on_its_line() -> None:
    lines, inspection = await others(Replacing()).lines(("event: bad", "data: a"))
    assert lines == ("event: x  data: injected ", "data: a")
    assert inspection is not None and inspection.action is Action.MODIFY


async def test_a_blocked_value_and_an_overlong_one_are_refused() -> None:
    stop = Keyword(KeywordOptions(words=("banned",), action="block"))
    _, inspection = await others(stop).lines(("id: banned", "data: a"))
    assert inspection is not None and inspection.action is Action.BLOCK
    with pytest.raises(LimitExceeded):
        await others(stop, caps=FieldCaps(10, 8)).lines(("event: " + "e" * 9,))
