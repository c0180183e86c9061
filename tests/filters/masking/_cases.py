"""Shared helpers for the masking tests."""

from __future__ import annotations

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
