"""Request path canonicalisation: one spelling per path, or a refusal.

The gateway forwards the path upstream byte-exact but chooses the route (and so the
access rules and filters) from the decoded segments. If the gateway and a backend
could read one path two ways, a client could pick the spelling that meets the laxer
rules here and the stricter resource there. So every construct whose meaning differs
between servers (dot segments, encoded separators, `;` parameters, control characters,
invalid or overlong UTF-8, double encoding, compatibility Unicode, stripped trailing
dots and spaces) is refused with a 400 instead of being interpreted.

Trailing slash: `/a/` is allowed and kept apart from `/a` as a final empty segment,
because backends often serve them differently (Socket.IO lives at `/socket.io/`).
Any other empty segment (`//`) is refused.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from gateway.memo import TextMemo

__all__ = ["MAX_PATH", "CanonicalPath", "PathRejected", "canonicalise", "fold_segment", "without_prefix"]

MAX_PATH = 8192

# Raw characters allowed in a request path: printable ASCII except space, those with
# path meaning somewhere (`\` is a separator on some servers, `;` starts parameters) and
# those that must never reach us unencoded (`?` once the query is cut off, `#`). Raw
# non-ASCII is refused because servers disagree on how to decode it (UTF-8 or Latin-1).
_RAW_REFUSED = (
    ("\\", "backslash in path"),
    (";", "path parameter (';') in path"),
    ("?", "invalid character in path"),
    ("#", "invalid character in path"),
)
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
# Unicode categories refused after decoding: controls, format characters (zero-width
# and bidi controls), surrogates, line and paragraph separators.
_BAD_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


class PathRejected(Exception):
    """A path the gateway refuses to interpret; `reason` is safe to show the client."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True, slots=True)
class CanonicalPath:
    """A checked path: `raw` goes upstream unchanged, `segments` decide the route."""

    raw: str
    segments: tuple[str, ...]


# Paths checked lately: chat clients post to a few paths over and over. Refusals are not kept, nor
# long paths; the table is emptied when full, so a client sending endless new paths costs each its
# check and the table stays under a megabyte.
_CHECKED_MAX = 1024
_CHECKED_LENGTH = 256
_CHECKED: TextMemo[CanonicalPath] = TextMemo(_CHECKED_MAX, _CHECKED_LENGTH)


def canonicalise(raw_path: str) -> CanonicalPath:
    """Check `raw_path` (the request path without its query) and decode its segments.

    Raises `PathRejected` for anything that could mean something else to a backend.
    """
    return _CHECKED.through(raw_path, _canonicalise)


def _canonicalise(raw_path: str) -> CanonicalPath:
    if len(raw_path) > MAX_PATH:
        raise PathRejected("path too long")
    if not raw_path.startswith("/"):
        raise PathRejected("path must start with '/'")
    if not raw_path.isascii():
        raise PathRejected("unencoded non-ASCII character in path")
    if not raw_path.isprintable() or " " in raw_path:
        raise PathRejected("invalid character in path")
    for char, reason in _RAW_REFUSED:
        if char in raw_path:
            raise PathRejected(reason)
    parts = raw_path[1:].split("/")
    last = len(parts) - 1
    segments: list[str] = []
    for i, part in enumerate(parts):
        if not part:
            if i != last:
                raise PathRejected("empty path segment")
            segments.append(part)
            continue
        segment = _decode(part) if "%" in part else part
        _check_segment(segment)
        segments.append(segment)
    return CanonicalPath(raw_path, tuple(segments))


def fold_segment(segment: str) -> str:
    """The form literal segments are compared in: case-folded, NFC for non-ASCII.

    `/ADMIN` must meet the rules of `/admin`, and a decomposed `é` those of a composed one.
    """
    if segment.isascii():
        return segment.lower()
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", segment).casefold())


def without_prefix(target: str, prefix: str) -> str:
    """`target` (a request path and query) without the leading segments that spell `prefix` (a route's
    `strip_prefix`) as routes read a path: decoded and case-folded, so `/CHAT/x` and `/%63hat/x` lose `/chat`
    as `/chat/x` does, since they matched the same route. Whole segments only (`/chatroom` keeps its name);
    a target that does not start with the prefix is unchanged."""
    path, mark, query = target.partition("?")
    if path.startswith(prefix) and path[len(prefix):len(prefix) + 1] in ("", "/"):  # spelled as configured
        rest = path[len(prefix):]
    else:
        wanted = tuple(fold_segment(part) for part in prefix.strip("/").split("/"))
        parts = path.split("/", len(wanted) + 1)
        try:
            found = canonicalise("/".join(parts[:len(wanted) + 1])).segments
        except PathRejected:
            return target
        if len(parts) <= len(wanted) or tuple(map(fold_segment, found)) != wanted:
            return target
        rest = "/" + parts[-1] if len(parts) > len(wanted) + 1 else ""
    if not rest.startswith("/"):
        rest = "/" + rest
    return rest + mark + query


def _decode(part: str) -> str:
    if _BAD_ESCAPE.search(part):
        raise PathRejected("malformed percent-encoding in path")
    try:
        decoded = unquote_to_bytes(part).decode("utf-8")  # strict: refuses overlong forms and surrogates
    except UnicodeDecodeError:
        raise PathRejected("invalid UTF-8 in path") from None
    if "/" in decoded:
        raise PathRejected("encoded slash in path")
    if "\\" in decoded:
        raise PathRejected("encoded backslash in path")
    if ";" in decoded:
        raise PathRejected("encoded path parameter (';') in path")
    if _ESCAPE.search(decoded):
        raise PathRejected("double percent-encoding in path")
    return decoded


def _check_segment(segment: str) -> None:
    if segment in (".", ".."):
        raise PathRejected("dot segment in path")
    if segment.endswith(".") or segment[0].isspace() or segment[-1].isspace():
        # Some servers strip trailing dots and surrounding spaces (`admin.` -> `admin`).
        raise PathRejected("path segment ending in '.' or with surrounding space")
    if segment.isascii():
        if not segment.isprintable():
            raise PathRejected("control character in path")
        return
    for char in segment:
        if unicodedata.category(char) in _BAD_CATEGORIES:
            raise PathRejected("control or format character in path")
    if unicodedata.normalize("NFKC", segment) != unicodedata.normalize("NFC", segment):
        # Compatibility forms (full-width letters, one-dot leader, full-width solidus...)
        # turn into other characters on any server that applies NFKC.
        raise PathRejected("compatibility Unicode character in path")
