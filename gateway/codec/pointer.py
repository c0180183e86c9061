"""Field pointers: RFC 6901 (`/content/body`, `~0` for `~`, `~1` for `/`) plus `*`, `**` and `@json`."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Pointer", "escape"]


@dataclass(frozen=True, slots=True)
class Pointer:
    """A parsed field pointer; `parse` raises ValueError with a message fit for a config error."""

    text: str
    segments: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> Pointer:
        if text == "":
            return cls(text, ())
        if not text.startswith("/"):
            raise ValueError(f"a JSON pointer starts with '/', got {text!r}")
        segments = []
        for token in text[1:].split("/"):
            if re.search(r"~(?![01])", token):
                raise ValueError(f"bad escape in JSON pointer {text!r} ('~' must be followed by 0 or 1)")
            segments.append(token.replace("~1", "/").replace("~0", "~"))
        return cls(text, tuple(segments))


def escape(token: str) -> str:
    """A key as an RFC 6901 pointer token."""
    return token.replace("~", "~0").replace("/", "~1")
