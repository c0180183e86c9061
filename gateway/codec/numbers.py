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
"""

from __future__ import annotations

import math

__all__ = ["joined", "shown"]


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
