"""What may go into an entry: raw values never do, and the bytes are the same every time."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

import orjson
import pytest

from gateway.audit.entry import canonical, clean_fields, digest, seal, sensitive_key


@pytest.mark.parametrize("key", [
    "text", "password", "token", "code", "secret", "accessToken", "refresh_token", "totp_code", "client_secret",
    "new-password", "message_text", "TEXT", "tokens", "Authorization", "cookie", "otp", "body",
])
def test_sensitive_keys_are_dropped(key: str) -> None:
    assert sensitive_key(key)
    cleaned = clean_fields({key: "4111 1111 1111 1111", "subject": "alice"})
    assert key not in cleaned and cleaned["subject"] == "alice"
    assert cleaned["redacted"] == [key]
    assert b"4111" not in canonical(cleaned)


@pytest.mark.parametrize("key", ["subject", "route", "findings", "reasons", "client", "request_id", "context"])
def test_ordinary_keys_are_kept(key: str) -> None:
    assert not sensitive_key(key)
    assert clean_fields({key: "x"}) == {key: "x"}


def test_nested_values_are_cleaned_everywhere() -> None:
    hostile = {"request": {"headers": {"Authorization": "Bearer abc"}, "items": [{"text": "my ssn is 078-05-1120"}]}}
    cleaned = clean_fields(hostile)
    assert cleaned["request"] == {"headers": {}, "items": [{}]}
    assert cleaned["redacted"] == ["request.headers.Authorization", "request.items[0].text"]


def test_reserved_keys_cannot_overwrite_the_chain() -> None:
    cleaned = clean_fields({"seq": 1, "prev": "x", "hash": "y", "event": "z", "ts": "t", "redacted": "r"})
    assert set(cleaned) == {"seq_", "prev_", "hash_", "event_", "ts_", "redacted_"}


class Colour(enum.Enum):
    RED = "red"


def test_values_become_plain_json() -> None:
    cleaned = clean_fields({
        "n": 2**70, "nan": float("nan"), "when": datetime(2030, 1, 1, tzinfo=UTC), "colour": Colour.RED,
        "tags": {"b", "a"}, "pair": (1, 2), "long": "x" * 5000, 7: "int key",  # type: ignore[dict-item]
    })
    assert cleaned["n"] == str(2**70) and cleaned["nan"] is None
    assert cleaned["when"] == "2030-01-01T00:00:00.000000Z"
    assert cleaned["colour"] == "red" and cleaned["tags"] == ["a", "b"] and cleaned["pair"] == [1, 2]
    assert cleaned["long"].endswith("[truncated]") and len(cleaned["long"]) < 1100
    assert cleaned["7"] == "int key"
    orjson.dumps(cleaned)


def test_deep_nesting_is_cut() -> None:
    deep: dict[str, object] = {}
    node = deep
    for _ in range(50):
        node["k"] = {}
        node = node["k"]  # type: ignore[assignment]
    assert "[too deep]" in canonical(clean_fields(deep)).decode()


def test_canonical_bytes_round_trip() -> None:
    body = {"b": 1, "a": {"z": 1.5, "y": "é"}, "seq": 1}
    entry_hash, line = seal(body)
    parsed = orjson.loads(line)
    assert canonical(parsed) + b"\n" == line
    assert digest({k: v for k, v in parsed.items() if k != "hash"}) == entry_hash
