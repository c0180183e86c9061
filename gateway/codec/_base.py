"""What every payload format produces: the text fields found and a way to put new text back.

Each format extracts into one shared `fields` list and returns a `Renderer`, a function that
gets `{field index: new text}` and returns the re-encoded payload, or None when nothing it owns
changed. Formats nest (a SockJS frame holds DDP messages, a string holds JSON), so renderers
compose: an outer renderer asks its inner ones and splices only what came back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

__all__ = ["CodecError", "Extracted", "Renderer", "TextField"]


class CodecError(Exception):
    """A payload that does not parse as the route declares: never forwarded unfiltered."""


@dataclass(frozen=True, slots=True)
class TextField:
    """One piece of chat text: where it was found (for audit and `Message.field`) and the text."""

    path: str
    text: str


Renderer = Callable[[Mapping[int, str]], str | None]


def _unchanged(changes: Mapping[int, str]) -> str | None:
    return None


class Extracted:
    """The text fields of one payload; `render` rebuilds the payload with some of them replaced."""

    __slots__ = ("_encoding", "_original", "_renderer", "fields")

    def __init__(self, original: bytes | str, fields: Sequence[TextField] = (),
                 renderer: Renderer = _unchanged, encoding: str = "utf-8") -> None:
        self.fields: Sequence[TextField] = tuple(fields)
        self._original = original
        self._renderer = renderer
        self._encoding = encoding

    def render(self, replacements: Mapping[int, str]) -> bytes | str:
        """The payload with `replacements` (field index -> new text) applied.

        Returns the original object itself when no replacement differs from the text it replaces,
        so an unchanged payload is forwarded byte for byte.
        """
        changes: dict[int, str] = {}
        for index, text in replacements.items():
            if not 0 <= index < len(self.fields):
                raise IndexError(f"no text field {index} (payload has {len(self.fields)})")
            if text != self.fields[index].text:
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError:
                    raise CodecError("replacement text is not valid Unicode (lone surrogate)") from None
                changes[index] = text
        if not changes:
            return self._original
        rendered = self._renderer(changes)
        if rendered is None:  # pragma: no cover - every field belongs to some renderer
            return self._original
        if isinstance(self._original, str):
            return rendered
        try:
            return rendered.encode(self._encoding)
        except UnicodeEncodeError:
            raise CodecError(f"replacement text cannot be encoded as {self._encoding}") from None
