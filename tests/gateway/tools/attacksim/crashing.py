"""A filter that always raises: with `fail: open` it stands for any filter an attacker can make fail."""

from __future__ import annotations

from filters import Filter, Message, Verdict


class Crash(Filter):
    name = "crash"

    async def inspect(self, message: Message) -> Verdict:
        raise RuntimeError("this filter always fails")
