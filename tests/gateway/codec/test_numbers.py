"""JSON numbers read as JavaScript's `String(n)` prints them: the values below are what Node prints, and
every double reads back as itself."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.codec.numbers import js_string, shown


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
