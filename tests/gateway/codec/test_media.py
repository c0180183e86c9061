"""Content-Type values: read strictly, the same way every time they come back."""

from __future__ import annotations

import pytest

from gateway.codec import media
from gateway.codec._base import UnsupportedPayload
from gateway.codec.media import media_type


@pytest.mark.parametrize(("header", "kind", "charset"), [
    ("application/json", "json", "utf-8"),
    ("application/json; charset=UTF-8", "json", "utf-8"),
    ("application/vnd.api+json", "json", "utf-8"),
    ('multipart/form-data; boundary="a b"', "multipart", "utf-8"),
    ("text/plain; charset=us-ascii", "text", "us-ascii"),
])
def test_read_and_read_again(header: str, kind: str, charset: str) -> None:
    first = media_type(header)
    assert (first.kind, first.charset) == (kind, charset)
    assert media_type(header) == first


@pytest.mark.parametrize("header", ["application/json; charset=utf-16", "application/json; charset=utf-8; charset=x",
                                    "json", "text/plain; x"])
def test_a_refused_value_is_refused_every_time(header: str) -> None:
    for _ in range(2):
        with pytest.raises(UnsupportedPayload):
            media_type(header)


def test_the_table_of_values_read_stays_bounded() -> None:
    for i in range(3 * media._READ_MAX):
        media_type(f"application/x-{i}+json")
    media_type("text/plain; x-long=" + "a" * 1000)  # long values are read every time, never kept
    assert len(media._READ) <= media._READ_MAX
    assert not any(len(key) > media._READ_LENGTH for key in media._READ)


def test_a_shared_result_cannot_be_changed() -> None:
    parsed = media_type('multipart/form-data; boundary="xyz"')
    with pytest.raises(TypeError):
        parsed.params["boundary"] = "other"  # type: ignore[index]
    assert media_type('multipart/form-data; boundary="xyz"').params["boundary"] == "xyz"


# Backends that search the header for a type's name read these as another format than their own type says
# (Rocket.Chat: `includes('application/json')`, then `includes('application/x-www-form-urlencoded')`; Laravel's
# isJson: `/json` or `+json` anywhere): a value naming two formats is read one way only by refusing it.
@pytest.mark.parametrize("header", [
    "application/x-www-form-urlencoded+json",
    'application/vnd.x+json; profile="application/x-www-form-urlencoded"',
    'application/json; x="multipart/form-data"',
    "application/x-www-form-urlencoded; x=json",
    'application/x-www-form-urlencoded; x="a/json"',
    "multipart/form-data; boundary=json",
    'text/plain; x="application/json"',
    'application/json; x="text/plain"',
])
def test_a_value_naming_another_format_is_refused(header: str) -> None:
    with pytest.raises(UnsupportedPayload, match="another format"):
        media_type(header)


@pytest.mark.parametrize(("header", "kind"), [
    ("application/ld+json; charset=utf-8", "json"),
    ("application/problem+json", "json"),
    ("application/x-www-form-urlencoded;charset=UTF-8", "form"),
    ("multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW", "multipart"),
    ("text/plain;charset=UTF-8", "text"),
    ("application/octet-stream", "other"),
])
def test_a_value_naming_its_own_format_is_read(header: str, kind: str) -> None:
    assert media_type(header).kind == kind
