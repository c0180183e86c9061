"""Content-Type headers read strictly: which format a body claims, and that it is UTF-8.

The gateway reads text as UTF-8; a backend told `charset=utf-16` (or `cp500`, `iso-8859-1`)
reads other characters out of the same bytes. So an inspected body may only declare UTF-8 or
US-ASCII (or nothing), and a parameter given twice is refused, since parsers keep different
copies. Many backends do not parse the value but search it for a format's name (Rocket.Chat reads
JSON when it `includes('application/json')`, else a form when it includes the form type; Laravel
reads JSON for `/json` or `+json` anywhere): a value naming another format than its own type's
(`application/x-www-form-urlencoded+json`, `application/json; x="text/plain"`) is refused. The kinds: `json` (`application/json`, `*+json`), `form` (urlencoded), `multipart`
(`multipart/form-data`), `text` (`text/*`), `other`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from gateway.codec._base import CodecError, UnsupportedPayload
from gateway.memo import TextMemo

__all__ = ["ASCII", "MediaType", "UTF8", "decode_text", "media_type"]

UTF8 = frozenset({"utf-8", "utf8"})
ASCII = frozenset({"us-ascii", "ascii"})
_TCHARS = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_MIME = re.compile(rf"[ \t]*({_TCHARS}/{_TCHARS})[ \t]*")
_PARAM = re.compile(rf';[ \t]*({_TCHARS})=(?:"((?:[^"\\]|\\.)*)"|({_TCHARS}))[ \t]*')


@dataclass(frozen=True, slots=True)
class MediaType:
    kind: str                     # json | form | multipart | text | other
    mime: str
    charset: str = "utf-8"        # utf-8 or us-ascii: anything else was refused
    params: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # read-only: results are shared


# The words a search of the header finds each format by, and the format each names.
_NAMES = (("json", "json"), ("x-www-form-urlencoded", "form"), ("form-data", "multipart"), ("text/", "text"))


def _kind(mime: str) -> str:
    if mime == "application/json" or mime.endswith("+json"):
        return "json"
    if mime == "application/x-www-form-urlencoded":
        return "form"
    if mime == "multipart/form-data":
        return "multipart"
    if mime.startswith("text/"):
        return "text"
    return "other"


# Content-Types read lately (a chat API sends one or two, on every request and answer): parsed once.
# Refusals are not kept, nor long values; the table is emptied when full. Callers never change a result.
_READ_MAX = 256
_READ_LENGTH = 256
_READ: TextMemo[MediaType] = TextMemo(_READ_MAX, _READ_LENGTH)


def media_type(header: str) -> MediaType:
    """Parse a Content-Type value; UnsupportedPayload when it cannot be read one way only."""
    return _READ.through(header, _parse)


def _parse(header: str) -> MediaType:
    found = _MIME.match(header)
    if found is None:
        raise UnsupportedPayload("unreadable Content-Type")
    mime = found.group(1).lower()
    params: dict[str, str] = {}
    pos = found.end()
    while pos < len(header):
        param = _PARAM.match(header, pos)
        if param is None:
            raise UnsupportedPayload("unreadable Content-Type parameters")
        key = param.group(1).lower()
        if key in params:
            raise UnsupportedPayload(f"Content-Type gives {key} twice")
        quoted = param.group(2)
        params[key] = re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else param.group(3)
        pos = param.end()
    kind = _kind(mime)
    if kind != "other":
        lowered = header.lower()
        for word, named in _NAMES:
            if named != kind and word in lowered:
                raise UnsupportedPayload(f"a {mime} Content-Type that names another format ({word}): "
                                         "backends that search the value would read that one")
    charset = params.get("charset", "utf-8").lower()
    if charset not in UTF8 and charset not in ASCII:
        raise UnsupportedPayload(f"charset {charset} (only UTF-8 is read here)")
    return MediaType(kind, mime, "us-ascii" if charset in ASCII else "utf-8", MappingProxyType(params))


def decode_text(data: bytes, charset: str = "utf-8") -> str:
    """`data` as text, refusing bytes that are not valid in `charset` (utf-8 or us-ascii)."""
    try:
        return data.decode("ascii" if charset in ASCII else "utf-8")
    except UnicodeDecodeError:
        raise CodecError(f"payload is not valid {charset}") from None
