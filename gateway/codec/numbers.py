"""JSON numbers and arrays where text is read, as the page or the JavaScript backend shows them.

A number reaches text through JavaScript's `String(n)` (`${msg.text}`, `el.textContent = msg`), which
prints the double the literal stands for in its own shortest form: `4.111111111111111e15`,
`4111111111111111.0` and `41111111111111110e-1` all show as `4111111111111111`. Read as written, such a
literal hides from the filters the card number the page prints. So a literal with a fraction or an
exponent is read as `String(n)` prints it (ECMA-262, Number::toString: the shortest digits that give
the same double, plain from 1e-6 up to 1e21, an exponent outside). An integer literal is read as
written: that is what other backends print, and all of them, JavaScript too, print it so up to 2**53.

An array prints as its items joined by commas (`["4111","1111","1111","1111"]` is `4111,1111,1111,1111`,
a card to a masker), nested arrays flattened, null as nothing, an object as `[object Object]`:
`joined` gives that text, for the filters to read besides each item.

A route's `max_chars` bounds each text the filters get, and an array's items joined can pass it while
every item stays under it: refusing that refused ordinary lists of long items (a thread of messages),
and reading only the first `max_chars` would leave the rest unread as joined. So a joined text longer
than the bound is read in windows (`joined_windows`): slices of it at most `max_chars` long, each
starting half the bound after the one before. Any stretch of the joined text at most half the bound
long lies whole inside some window, wherever item boundaries fall, so a value split across items (a
card in four groups, a phrase in pieces, the end of one long item and the start of the next) is read as
one text just as in a short list; an item longer than the bound is refused on its own, as before. The
windows read each character about twice and count as fields towards `max_fields`. A window the filters
change goes out only as the items' own changes make it (`window_after`); where an item cut by the
window's edge changed, that cannot be told, and the payload is refused.
"""

from __future__ import annotations

import math

__all__ = ["joined", "joined_fields", "joined_windows", "shown", "window_after"]


def shown(literal: str) -> str:
    """The text of the JSON number `literal` (valid JSON) where it is read as text."""
    if "." not in literal and "e" not in literal and "E" not in literal:
        return literal
    return js_string(float(literal))


def js_string(value: float) -> str:
    """`String(value)` in JavaScript."""
    if value == 0:
        return "0"  # -0 too
    if math.isinf(value):
        return "-Infinity" if value < 0 else "Infinity"
    sign = "-" if value < 0 else ""
    mantissa, _, exponent = repr(abs(value)).partition("e")  # shortest round-trip digits, as ECMA-262 asks
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    scale = int(exponent or 0) - len(fraction)  # value = int(digits) * 10**scale
    stripped = digits.rstrip("0")
    scale += len(digits) - len(stripped)
    k = len(stripped)
    n = scale + k  # value = 0.<stripped> * 10**n
    if k <= n <= 21:
        return sign + stripped + "0" * (n - k)
    if 0 < n <= 21:
        return sign + stripped[:n] + "." + stripped[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * -n + stripped
    power = n - 1
    head = stripped if k == 1 else stripped[0] + "." + stripped[1:]
    return f"{sign}{head}e{'+' if power >= 0 else '-'}{abs(power)}"


def joined(items: list[object]) -> tuple[str, int]:
    """`String(items)` in JavaScript for a parsed JSON array, and how many strings and numbers it joins."""
    parts: list[str] = []
    count = 0
    for item in items:
        kind = type(item)
        if kind is str:
            parts.append(item)  # type: ignore[arg-type]
            count += 1
        elif kind is list:
            text, inner = joined(item)  # type: ignore[arg-type]
            parts.append(text)
            count += inner
        elif item is None:
            parts.append("")
        elif kind is bool:
            parts.append("true" if item else "false")
        elif kind is dict:
            parts.append("[object Object]")
        else:
            parts.append(js_string(item) if kind is float else str(item))  # type: ignore[arg-type]
            count += 1
    return ",".join(parts), count


def joined_windows(items: list[object], limit: int) -> list[tuple[str, int, int]]:
    """The array `items` read joined within `limit` characters (see the module text): `(text, start, end)`
    per window `text`, the slice `[start:end]` of the whole joined text; one window of it all when it fits,
    none when it joins fewer than two strings or numbers (as `joined` counts them)."""
    text, count = joined(items)
    if count < 2:
        return []
    if len(text) <= limit:
        return [(text, 0, len(text))]
    step = max(1, limit // 2)
    windows = []
    for start in range(0, len(text), step):
        end = min(start + limit, len(text))
        windows.append((text[start:end], start, end))
        if end == len(text):
            break
    return windows


def window_after(before: list[object], after: list[object], start: int, end: int) -> str | None:
    """The window `[start:end]` of the joined text of `before`, once its items are changed into `after` (the
    same number of items): None when an item the window's edge cuts changed (what it became there cannot
    be told)."""
    old = [joined([item])[0] for item in before]
    new = [joined([item])[0] for item in after]
    shift = 0  # how much the window's start moved
    grown = 0  # how much its inside grew
    at = 0
    for was, now in zip(old, new, strict=True):
        finish = at + len(was)
        if was != now:
            if (at < start < finish) or (at < end < finish):
                return None
            if finish <= start:
                shift += len(now) - len(was)
            elif at >= start and finish <= end:
                grown += len(now) - len(was)
        at = finish + 1
    whole = ",".join(new)
    return whole[start + shift:end + shift + grown]


def joined_fields(items: list[object], limit: int | None) -> list[tuple[str, int, int]]:
    """What of the array `items` is read joined: within `limit` characters (a route's `max_chars`) as
    `joined_windows` reads it, or all of it at once (None)."""
    if limit is not None:
        return joined_windows(items, limit)
    text, count = joined(items)
    return [(text, 0, len(text))] if count >= 2 else []
