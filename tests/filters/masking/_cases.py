"""Shared helpers for the masking tests."""

from __future__ import annotations

import re._constants as _sre
import re._parser as _parser

from filters.masking._numbers import luhn


def with_check_digit(body: str) -> str:
    """`body` plus the digit that makes it pass Luhn."""
    for digit in "0123456789":
        if luhn(body + digit):
            return body + digit
    raise AssertionError("unreachable")


def failing_check_digit(body: str) -> str:
    valid = with_check_digit(body)
    return valid[:-1] + str((int(valid[-1]) + 1) % 10)


def card(prefix: str, length: int) -> str:
    return with_check_digit(prefix + "3" * (length - len(prefix) - 1))


def spellings(pattern: str) -> list[str]:
    """Every text a pattern of literals, classes, groups, alternatives and optional parts matches (`.` as an
    apostrophe, a counted repeat at its least), so a test can walk a detector's word list through the gates."""
    def walk(items: list[tuple[object, object]]) -> list[str]:
        texts = [""]
        for op, arg in items:
            if op is _sre.LITERAL:
                options = [chr(arg)]  # type: ignore[arg-type]
            elif op is _sre.ANY:
                options = ["'"]
            elif op is _sre.IN:
                options = [chr(a) for kind, a in arg if kind is _sre.LITERAL]  # type: ignore[attr-defined]
            elif op is _sre.SUBPATTERN:
                options = walk(list(arg[-1]))  # type: ignore[index]
            elif op is _sre.BRANCH:
                options = [text for branch in arg[1] for text in walk(list(branch))]  # type: ignore[index]
            elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
                least: int = arg[0]  # type: ignore[index]
                once = walk(list(arg[2]))  # type: ignore[index]
                options = [""] + once if least == 0 else ["".join(parts) for parts in _repeat(once, least)]
            elif op is _sre.AT:
                continue
            else:
                raise AssertionError(f"unexpected {op} in {pattern!r}")
            texts = [text + option for text in texts for option in options]
        return texts
    return walk(list(_parser.parse(pattern)))


def _repeat(options: list[str], times: int) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = [()]
    for _ in range(times):
        out = [(*parts, option) for parts in out for option in options]
    return out
