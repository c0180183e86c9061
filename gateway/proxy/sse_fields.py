"""The lines of a server-sent event other than `data`, read as the client reads them.

A client acts on more than an event's data (WHATWG HTML, "Interpreting an event stream"): `event`
names the listener an EventSource calls, and pages may show it; `id` becomes `lastEventId`, which
the page reads and the browser sends back as `Last-Event-ID` when it reconnects; `retry` sets the
reconnection delay when it is all digits. Comments and fields of other names are ignored by every
client. So the `event` and `id` values go through the route's outbound chain as fields of their own
(`sse:event`, `sse:id`): a change is written back on the line, a block ends the stream. `retry` goes
on only as the digits a client reads; an `id` holding U+0000 (which the client ignores), comments and
unknown fields are dropped, so no text goes out that the gateway did not read. An event left with
no line at all (a comment kept as a keep-alive) goes out as a bare `:` line, text-free.

Values seen to pass unchanged are remembered per stream (event names repeat on every event).
"""

from __future__ import annotations

from collections.abc import Mapping

from filters import Action, Chain, Message
from gateway.codec import Extracted, FieldCaps, LimitExceeded, TextField
from gateway.inspect.inspection import Inspection, run_fields

__all__ = ["READ", "OtherFields"]

READ = {"event": "sse:event", "id": "sse:id"}  # fields whose values go through the chain, and their paths
_KEEP_ALIVE = (":",)
_MEMO = 256  # values remembered as passing, per stream
_ONE_LINE = str.maketrans({"\r": " ", "\n": " ", "\0": " "})  # a changed value stays one line of its field


def _split(line: str) -> tuple[str, str]:
    """A line's field name and value, as the client splits them."""
    name, colon, value = line.partition(":")
    if colon and value.startswith(" "):
        value = value[1:]
    return name, value


class OtherFields:
    """One per stream: rewrites an event's lines other than `data` (see the module's docstring)."""

    def __init__(self, chain: Chain, template: Message, caps: FieldCaps | None) -> None:
        self._chain = chain
        self._template = template
        self._caps = caps
        self._reads = chain.active(template.direction)
        self._passed: set[tuple[str, str]] = set()

    async def lines(self, lines: tuple[str, ...]) -> tuple[tuple[str, ...], Inspection | None]:
        """`lines` as they go out, and the inspection of the values read (None when there was nothing to
        read or every value passed before); the stream ends at a BLOCK inspection. Raises LimitExceeded for
        a value longer than the route's `max_chars`."""
        out: list[str] = []
        read: list[tuple[int, str, str]] = []  # (index in `out`, name, value) of the values to read
        for line in lines:
            name, value = _split(line)
            if name == "data":
                out.append(line)
            elif name in READ:
                if name == "id" and "\0" in value:
                    continue  # the client ignores this id: so does the stream
                if value and self._reads and (name, value) not in self._passed:
                    if self._caps is not None and len(value) > self._caps.max_chars:
                        raise LimitExceeded("chars", self._caps.max_chars)
                    read.append((len(out), name, value))
                out.append(f"{name}: {value}" if value else name)
            elif name == "retry" and value.isascii() and value.isdigit():
                out.append("retry: " + value)
        if not read:
            return tuple(out) or _KEEP_ALIVE, None
        inspection = await self._inspect(out, read)
        if inspection.action is Action.PASS and len(self._passed) < _MEMO:
            self._passed.update((name, value) for _, name, value in read)
        payload = inspection.payload
        assert isinstance(payload, str)
        return tuple(payload.split("\n")), inspection

    async def _inspect(self, out: list[str], read: list[tuple[int, str, str]]) -> Inspection:
        fields = [TextField(READ[name], value) for _, name, value in read]

        def render(changes: Mapping[int, str]) -> str:
            lines = list(out)
            for index, text in changes.items():
                at, name, _ = read[index]
                lines[at] = f"{name}: {text.translate(_ONE_LINE)}"
            return "\n".join(lines)

        original = "\n".join(out)
        return await run_fields(Extracted(original, fields, render), original, self._chain, self._template)
