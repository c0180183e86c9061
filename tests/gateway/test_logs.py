"""Both log formats carry every field: JSON for machines, `key=value` text for people; neither lets a
value forge a line."""

from __future__ import annotations

import json
import logging

import pytest

from gateway.logs import JSONFormatter, TextFormatter


def _record(msg: str = "request", **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("chatguard.access", logging.INFO, __file__, 1, msg, (), None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_text_format_prints_the_fields() -> None:
    line = TextFormatter().format(_record(request_id="r-1", route="widget", status=200, duration_ms=1.5,
                                          roles=["agent"]))
    head, _, fields = line.partition(": request ")
    assert head.endswith("info    chatguard.access")
    assert fields == 'request_id=r-1 route=widget status=200 duration_ms=1.5 roles="[\\"agent\\"]"'


@pytest.mark.parametrize("hostile", ["a b", "x=1", 'say "hi"', "line\nforged=1", "tab\there", "", "back\\slash"])
def test_text_values_are_quoted_so_they_cannot_forge_fields_or_lines(hostile: str) -> None:
    line = TextFormatter().format(_record(path=hostile))
    assert "\n" not in line
    assert json.loads(line.split(" path=", 1)[1]) == hostile


def test_a_record_without_fields_is_just_the_message() -> None:
    assert TextFormatter().format(_record("listening")).endswith("chatguard.access: listening")


def test_json_and_text_carry_the_same_fields() -> None:
    record = _record(route="widget", status=403, fields={"event": "policy.block"})
    entry = json.loads(JSONFormatter().format(record))
    text = TextFormatter().format(record)
    for key in ("route", "status", "event"):
        assert key in entry and f" {key}={entry[key]}" in text
