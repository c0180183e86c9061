"""The message names an HTTP request carries, for per-message access rules (`messages_allow`).

Socket.IO and DDP bodies name their events and methods themselves (`Codec.names`). Other
endpoints create a named event without saying so: Matrix's `/rooms/{room}/invite` makes an
`m.room.member` event, `/createRoom` an `m.room.create` (and an `m.room.name` when the body has
a `name`, an event per `initial_state` entry). A route lists them under `message_names`, per
kind, each entry one of:

    m.room.member              a fixed name
    "{type}"                   the value of a path variable
    /initial_state/*/type      every string the JSON body holds there
    m.room.name if /name       the name, when the JSON body holds something there
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from filters.options import OptionsError, join
from gateway.codec._base import TextField
from gateway.codec.jsonpath import Pointer, parse_document, select
from gateway.codec.media import decode_text, media_type
from gateway.codec.selection import Selection

__all__ = ["NameReader"]

_IF = " if "


@dataclass(frozen=True, slots=True)
class _Entry:
    kind: str
    literal: str = ""           # a fixed name (also the name of a conditional entry)
    variable: str = ""          # a path variable
    pointer: Selection | None = None
    conditional: bool = False   # the literal counts when the pointer holds something


class NameReader:
    """Compiled `message_names` of one route (built once at startup)."""

    __slots__ = ("_entries", "needs_body")

    def __init__(self, spec: Mapping[str, Sequence[str]], kinds: Sequence[str], path: str = "") -> None:
        entries: list[_Entry] = []
        for kind, values in spec.items():
            if kind not in kinds:
                raise OptionsError(join(path, kind), f"unknown message kind (known: {', '.join(kinds)})")
            for i, value in enumerate(values):
                entries.append(self._entry(kind, value, join(join(path, kind), i)))
        self._entries = tuple(entries)
        self.needs_body = any(entry.pointer is not None for entry in entries)

    @staticmethod
    def _entry(kind: str, value: str, path: str) -> _Entry:
        if value.startswith("{") and value.endswith("}"):
            return _Entry(kind, variable=value[1:-1])
        literal, _, pointer = value.partition(_IF) if _IF in value else ("", "", value)
        if not pointer.strip().startswith("/"):
            if _IF in value or not value.strip():
                raise OptionsError(path, f"expected a name, {{variable}}, /pointer or 'name if /pointer', got {value!r}")
            return _Entry(kind, literal=value)
        try:
            selection = select([Pointer.parse(pointer.strip())])
        except ValueError as exc:
            raise OptionsError(path, str(exc)) from None
        return _Entry(kind, literal=literal.strip(), pointer=selection, conditional=bool(literal))

    def read(self, params: Mapping[str, str], body: bytes | None, content_type: str | None) -> list[tuple[str, str]]:
        """(kind, name) for every name this request carries; CodecError when the body cannot be read."""
        found: list[tuple[str, str]] = []
        text: str | None = None
        for entry in self._entries:
            if entry.pointer is None:
                name = params.get(entry.variable, "") if entry.variable else entry.literal
                found.append((entry.kind, name))
                continue
            if not body:
                continue
            if text is None:
                charset = media_type(content_type).charset if content_type is not None else "utf-8"
                text = decode_text(body, charset)
            fields: list[TextField] = []
            parse_document(text, entry.pointer, fields)
            if entry.conditional:
                if fields:
                    found.append((entry.kind, entry.literal))
            else:
                found += [(entry.kind, field.text) for field in fields]
        return found
