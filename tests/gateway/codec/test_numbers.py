"""JSON numbers read as JavaScript's `String(n)` prints them: the values below are what Node prints, and
every double reads back as itself."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.codec.numbers import joined, joined_windows, js_string, shown, window_after


@pytest.mark.parametrize(("literal", "printed"), [
    ("4.111111111111111e15", "4111111111111111"), ("4111111111111111.0", "4111111111111111"),
    ("41111111111111110E-1", "4111111111111111"), ("12.50", "12.5"), ("1e21", "1e+21"), ("1E20", "100000000000000000000"),
    ("1e-7", "1e-7"), ("0.000001", "0.000001"), ("-0.0", "0"), ("123e-2", "1.23"), ("1e400", "Infinity"),
    ("-1e400", "-Infinity"), ("5e-324", "5e-324"), ("1.7976931348623157e308", "1.7976931348623157e+308"),
    ("0.1", "0.1"), ("-2.5e-10", "-2.5e-10"), ("123456789012345678901.5", "123456789012345680000"),
])
def test_fractions_and_exponents_read_as_javascript_prints_them(literal: str, printed: str) -> None:
    assert shown(literal) == printed


@pytest.mark.parametrize("literal", ["0", "-0", "20", "4111111111111111", "41111111111111111111", "-7"])
def test_integers_read_as_written(literal: str) -> None:
    assert shown(literal) == literal


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_the_text_is_the_same_double_and_a_valid_json_number(value: float) -> None:
    text = js_string(value)
    assert float(text) == value
    assert float(json.loads(text)) == value


def test_a_list_fitting_the_limit_is_read_joined_at_once() -> None:
    assert joined_windows(["4111", "1111", 7], 100) == [("4111,1111,7", 0, 11)]
    assert joined_windows(["only"], 100) == [] and joined_windows([None, True], 100) == []


def test_a_longer_list_is_read_in_windows_overlapping_by_half() -> None:
    items: list[object] = ["a" * 40, "b" * 40, "c" * 40]
    text = joined(items)[0]
    assert joined_windows(items, 60) == [(text[0:60], 0, 60), (text[30:90], 30, 90), (text[60:120], 60, 120),
                                         (text[90:], 90, 122)]


@pytest.mark.parametrize("seed", range(40))
def test_every_stretch_half_the_limit_long_lies_in_one_window(seed: int) -> None:
    rng = random.Random(seed)
    limit = rng.randint(4, 80)
    items: list[object] = ["x" * rng.randint(0, limit) for _ in range(rng.randint(2, 30))]
    text = joined(items)[0]
    windows = joined_windows(items, limit)
    assert all(len(part) <= limit and part == text[a:b] for part, a, b in windows)
    if len(text) > limit:
        for start in range(len(text) - limit // 2 + 1):
            assert any(a <= start and start + limit // 2 <= b for _, a, b in windows), (limit, start)


def test_a_window_after_the_items_changed() -> None:
    before: list[object] = ["card 4111", "1111 1111 1111 x", "tail"]
    after: list[object] = ["card ****", "1111 1111 1111 x", "tail"]
    assert window_after(before, after, 0, 26) == "card ****,1111 1111 1111 x"
    assert window_after(before, ["a", "1111 1111 1111 x", "tail"], 10, 31) == "1111 1111 1111 x,tail"
    assert window_after(before, after, 5, 20) is None  # the edge cuts a changed item
