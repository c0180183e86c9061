"""The Origin allow-list: same-host default, wildcard, exact lists, and hostile spellings."""

from __future__ import annotations

import pytest

from gateway.proxy.origin import allowed, normalise


@pytest.mark.parametrize(("origin", "host"), [
    ("http://chat.example", "chat.example"),
    ("https://chat.example", "chat.example"),
    ("HTTPS://Chat.Example", "chat.example"),
    ("http://chat.example:8080", "chat.example:8080"),
    ("https://chat.example", "chat.example:443"),
    ("http://127.0.0.1:8443", "127.0.0.1:8443"),
    ("http://[::1]:8443", "[::1]:8443"),
])
def test_same_host_browsers_pass_by_default(origin: str, host: str) -> None:
    assert allowed((), [origin], host)


@pytest.mark.parametrize(("origin", "host"), [
    ("http://evil.example", "chat.example"),
    ("http://chat.example.evil.example", "chat.example"),
    ("http://evilchat.example", "chat.example"),
    ("http://chat.example:8081", "chat.example:8080"),
    ("http://chat.example:8080", "chat.example"),
    ("null", "chat.example"),
    ("", "chat.example"),
    ("chat.example", "chat.example"),
    ("http://chat.example/path", "chat.example"),
    ("http://user@chat.example", "chat.example"),
    ("http://chat.example\x00.evil", "chat.example"),
    ("http://chat example", "chat example"),
    ("http://chat.example\n", "chat.example"),
    ("http://chat.example", "chat.example\n"),
    ("ftp://chat.example", "chat.example"),
    ("http://chat.example:99999", "chat.example:99999"),
    ("http://chat.example", ""),
])
def test_cross_site_or_malformed_origins_are_refused_by_default(origin: str, host: str) -> None:
    assert not allowed((), [origin], host)


def test_clients_without_origin_pass_by_default_and_with_wildcard() -> None:
    assert allowed((), [], "chat.example")
    assert allowed(("*",), [], "chat.example")


def test_wildcard_admits_any_origin() -> None:
    assert allowed(("*",), ["https://anything.example"], "chat.example")


@pytest.mark.parametrize(("origin", "ok"), [
    ("https://app.example", True),
    ("https://APP.example:443", True),
    ("https://app.example/", True),
    ("http://app.example", False),
    ("https://app.example:8443", False),
    ("https://app.example.evil", False),
    ("null", False),
])
def test_listed_origins_match_exactly(origin: str, ok: bool) -> None:
    assert allowed(("https://app.example",), [origin], "gateway.example") is ok


def test_a_list_refuses_handshakes_without_origin_and_can_name_null() -> None:
    assert not allowed(("https://app.example",), [], "gateway.example")
    assert allowed(("null",), ["null"], "gateway.example")


def test_more_than_one_origin_header_is_refused() -> None:
    assert not allowed(("*",), ["https://a.example", "https://b.example"], "a.example")


@pytest.mark.parametrize(("given", "expected"), [
    ("HTTPS://A.Example:443", "https://a.example"),
    ("http://a.example:8080", "http://a.example:8080"),
    ("http://a.example:0", None),
    ("javascript:alert(1)", None),
])
def test_normalise(given: str, expected: str | None) -> None:
    assert normalise(given) == expected
