"""Check digits of national identity numbers: python-stdnum's validators, loaded on first use.

The schemes themselves are in `_ids_europe` and `_ids_world`. Every scheme's check takes the number compacted
(separators taken out, letters in capitals) and says whether it is one its scheme could have issued: length, layout,
a date where the number holds one, and the check digits. They are read only after a word that names the scheme
(`id_schemes`): a checksum alone passes one random number in ten or eleven, too many to mask on.

python-stdnum is the reference for every scheme it knows; its modules are imported when a scheme's name is first
read, so a process that sees no name never loads them (and a fresh `chatguard scan` starts as fast as before).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from functools import cache

Check = Callable[[str], bool]


@cache
def _is_valid(module: str) -> Callable[[str], bool]:
    validator: Callable[[str], bool] = importlib.import_module("stdnum." + module).is_valid
    return validator


def _valid(module: str, number: str) -> bool:
    """stdnum's answer; a number its module fails on is masked (fails closed). stdnum 2.2's `cn.ric` raises
    KeyError for a region its table lists without counties ("460284199001016798"), some 3 % of 18 digits with a
    date in them."""
    try:
        return _is_valid(module)(number) is True
    except Exception:  # noqa: BLE001 - any failure inside the library, not only the one known
        return True


def stdnum(*modules: str, accept: Callable[[str], bool] | None = None) -> Check:
    """A check passing what any of python-stdnum's `modules` ("pl.pesel") deems valid; `accept`, when given, is a
    layout the scheme's number must also have (stdnum's module may know more kinds than the scheme's name)."""
    def check(number: str) -> bool:
        if accept is not None and not accept(number):
            return False
        return any(_valid(module, number) for module in modules)
    check.__name__ = "+".join(modules)
    check.__doc__ = "python-stdnum's " + " or ".join(f"stdnum.{m}.is_valid" for m in modules)
    return check


def weighted(digits: str, weights: Sequence[int]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False))


def digits_of(number: str, *sizes: int) -> bool:
    return number.isdigit() and number.isascii() and len(number) in sizes
