"""`size_limit`: refuse (or cut) chat text longer than a limit.

Cheap and placed first in a chain, it keeps every later filter's cost bounded: no
detector ever sees more than `max_chars` characters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from filters._api import PASS, Filter, Finding, Message, Verdict, block, modify
from filters._context import FilterContext
from filters.options import ByteSize, OptionsError, join


@dataclass(frozen=True)
class SizeLimitOptions:
    max_chars: int | None = field(default=16384, metadata={"doc": "most characters (code points); null: no limit"})
    max_bytes: ByteSize | None = field(default=None, metadata={"doc": "most UTF-8 bytes; null: no limit"})
    action: Literal["block", "truncate"] = field(default="block", metadata={"doc": "what to do with longer text"})

    def validate(self, path: str) -> None:
        for key in ("max_chars", "max_bytes"):
            value = getattr(self, key)
            if value is not None and value < 1:
                raise OptionsError(join(path, key), f"expected >= 1 or null, got {value}")
        if self.max_chars is None and self.max_bytes is None:
            raise OptionsError(path, "set max_chars or max_bytes (or both)")


def utf8_length(text: str) -> int:
    """Bytes `text` takes as UTF-8; lone surrogates count as the 3 bytes they would take."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-8", "surrogatepass"))


def cut_utf8(text: str, max_bytes: int) -> str:
    """The longest prefix of `text` that fits in `max_bytes` UTF-8 bytes, never splitting a character."""
    data = text.encode("utf-8", "surrogatepass")[:max_bytes]
    for trim in range(4):  # a character is at most 4 bytes: drop a partial one at the end
        try:
            return data[: len(data) - trim].decode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            continue
    raise AssertionError("unreachable: a valid prefix is at most 3 bytes shorter")


class SizeLimit(Filter[SizeLimitOptions]):
    """Block or truncate messages longer than a character or byte limit."""

    name = "size_limit"
    Options = SizeLimitOptions
    description = "Block or truncate messages longer than max_chars characters or max_bytes UTF-8 bytes."

    def __init__(self, options: SizeLimitOptions | None = None, context: FilterContext | None = None) -> None:
        super().__init__(options, context)
        self._max_chars = self.options.max_chars
        self._max_bytes = self.options.max_bytes

    async def inspect(self, message: Message) -> Verdict:
        text = message.text
        limit = len(text)
        if self._max_chars is not None and len(text) > self._max_chars:
            limit = self._max_chars
        kept = text[:limit]
        # A character takes at most 4 bytes: skip encoding when the byte limit cannot be reached.
        if self._max_bytes is not None and len(kept) * 4 > self._max_bytes and utf8_length(kept) > self._max_bytes:
            kept = cut_utf8(kept, self._max_bytes)
        if len(kept) == len(text):
            return PASS
        finding = (Finding("oversize", len(kept), len(text)),)
        if self.options.action == "block":
            return block("message exceeds size limit", finding)
        return modify(kept, "message truncated to size limit", finding)
