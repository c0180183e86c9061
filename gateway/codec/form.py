"""application/x-www-form-urlencoded bodies: fields by name, untouched fields kept byte for byte."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from urllib.parse import quote_plus, unquote_plus

from gateway.codec._base import CodecError, Renderer, TextField

__all__ = ["extract_form"]


def _decode(raw: str) -> str:
    try:
        return unquote_plus(raw, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise CodecError("form field is not valid UTF-8 once percent-decoded") from None


def extract_form(text: str, names: Collection[str], fields: list[TextField]) -> Renderer:
    """Offer the value of every field whose decoded name is in `names` (`*`: every field).

    A name given twice yields two fields (`msg`, `msg[1]`): backends differ in which copy they
    read, so both are inspected.
    """
    pairs = text.split("&")
    owned: dict[int, int] = {}  # field index -> pair index
    seen: dict[str, int] = {}
    every = "*" in names
    for position, pair in enumerate(pairs):
        if not pair:
            continue
        raw_name, _, raw_value = pair.partition("=")
        name = _decode(raw_name)
        if not (every or name in names):
            continue
        count = seen.get(name, 0)
        seen[name] = count + 1
        owned[len(fields)] = position
        fields.append(TextField(name if count == 0 else f"{name}[{count}]", _decode(raw_value)))

    def render(changes: Mapping[int, str]) -> str | None:
        rewritten = list(pairs)
        touched = False
        for index, position in owned.items():
            if index in changes:
                raw_name = pairs[position].partition("=")[0]
                rewritten[position] = f"{raw_name}={quote_plus(changes[index], safe='')}"
                touched = True
        return "&".join(rewritten) if touched else None

    return render
