"""What every payload format produces: the text fields found and a way to put new text back.

Each format extracts into one shared `fields` list and returns a `Renderer`, a function that
gets `{field index: new text}` and returns the re-encoded payload, or None when nothing it owns
changed. Formats nest (a SockJS frame holds DDP messages, a string holds JSON), so renderers
compose: an outer renderer asks its inner ones and splices only what came back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

__all__ = ["CodecError", "Extracted", "FieldCaps", "LimitExceeded", "Renderer", "TextField", "UnsupportedPayload",
           "capped_fields", "chars_limit"]


class CodecError(Exception):
    """A payload that does not parse as the route declares: never forwarded unfiltered (400/502)."""


class UnsupportedPayload(CodecError):
    """A payload in a media type, charset or protocol version the route does not read (415/502)."""


class LimitExceeded(CodecError):
    """A payload holding more text than the route lets reach its filters (`kind`: fields or chars).

    Raised while extracting, as soon as the bound is passed, so an oversized payload costs
    no more than the part read up to there."""

    def __init__(self, kind: str, limit: int) -> None:
        what = "text fields" if kind == "fields" else "characters in one text field"
        super().__init__(f"more than {limit} {what}")
        self.kind = kind
        self.limit = limit


@dataclass(frozen=True, slots=True)
class FieldCaps:
    """What may reach the filters from one payload: text fields, and characters per field."""

    max_fields: int
    max_chars: int


@dataclass(frozen=True, slots=True)
class TextField:
    """One piece of chat text: where it was found (for audit and `Message.field`) and the text."""

    path: str
    text: str

    def __init__(self, path: str, text: str) -> None:
        """Set through the slots' own setters, as `filters.Message` is: the generated `__init__` of a frozen
        dataclass goes through `object.__setattr__`, twice the work (one field per text of every payload)."""
        _SET_PATH(self, path)
        _SET_TEXT(self, text)


_SET_PATH, _SET_TEXT = (getattr(TextField, name).__set__ for name in ("path", "text"))


Renderer = Callable[[Mapping[int, str]], str | None]


class _CappedFields(list[TextField]):
    """The `fields` list every format appends to, refusing past the caps."""

    __slots__ = ("caps",)

    def __init__(self, caps: FieldCaps) -> None:
        super().__init__()
        self.caps = caps

    def append(self, found: TextField) -> None:
        caps = self.caps
        if len(found.text) > caps.max_chars:
            raise LimitExceeded("chars", caps.max_chars)
        if len(self) >= caps.max_fields:
            raise LimitExceeded("fields", caps.max_fields)
        super().append(found)


def chars_limit(fields: list[TextField]) -> int | None:
    """The characters one field may hold in `fields` (a capped list's `max_chars`), or None."""
    return fields.caps.max_chars if isinstance(fields, _CappedFields) else None


def capped_fields(caps: FieldCaps | None) -> list[TextField]:
    """An empty list for a format to extract into; with `caps`, one that refuses past them."""
    return [] if caps is None else _CappedFields(caps)


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
        rendered = self._rendered(changes)
        if rendered is None:  # pragma: no cover - every field belongs to some renderer
            return self._original
        if isinstance(self._original, str):
            return rendered
        try:
            return rendered.encode(self._encoding)
        except UnicodeEncodeError:
            raise CodecError(f"replacement text cannot be encoded as {self._encoding}") from None

    def _rendered(self, changes: Mapping[int, str]) -> str | None:
        """The payload's text with `changes` (some differ from the field they replace) put back; a subclass
        that keeps what it needs to render may do it here instead of through a renderer made per payload."""
        return self._renderer(changes)
