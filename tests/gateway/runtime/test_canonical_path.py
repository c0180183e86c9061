"""Path canonicalisation: accepted spellings decode for matching, ambiguous ones are refused."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from gateway.runtime.canonical_path import (
    MAX_PATH,
    CanonicalPath,
    PathRejected,
    canonicalise,
    fold_segment,
    without_prefix,
)


@pytest.mark.parametrize(
    ("raw", "segments"),
    [
        ("/", ("",)),
        ("/health", ("health",)),
        ("/a/b/c", ("a", "b", "c")),
        ("/socket.io/", ("socket.io", "")),
        ("/_matrix/client/v3/rooms/%21abc%3Aserver/send/m.room.message/txn1",
         ("_matrix", "client", "v3", "rooms", "!abc:server", "send", "m.room.message", "txn1")),
        ("/_matrix/client/v3/rooms/!abc:server/state", ("_matrix", "client", "v3", "rooms", "!abc:server", "state")),
        ("/directory/room/%23alias%3Aexample.org", ("directory", "room", "#alias:example.org")),
        ("/%61dmin", ("admin",)),
        ("/files/caf%C3%A9", ("files", "café")),
        ("/files/cafe%CC%81", ("files", "cafe\u0301")),  # decomposed form: NFKC adds nothing over NFC
        ("/users/%E5%B1%B1%E7%94%B0", ("users", "山田")),
        ("/emoji/%F0%9F%98%80", ("emoji", "😀")),
        ("/a%20b", ("a b",)),
        ("/100%25", ("100%",)),
        ("/100%25zz", ("100%zz",)),
        ("/v1/.well-known", ("v1", ".well-known")),
        ("/a..b/c.d", ("a..b", "c.d")),
        ("/~user/x-y_z", ("~user", "x-y_z")),
        ("/a'b(c)*+,=$&@:!", ("a'b(c)*+,=$&@:!",)),
        ("/%3F%23", ("?#",)),
    ],
)
def test_accepted_paths_decode_for_matching(raw: str, segments: tuple[str, ...]) -> None:
    assert canonicalise(raw) == CanonicalPath(raw, segments)


def test_raw_path_is_kept_byte_exact() -> None:
    raw = "/_matrix/client/v3/rooms/%21abc%3aserver/send"
    assert canonicalise(raw).raw == raw


def test_longest_allowed_path() -> None:
    raw = "/" + "a" * (MAX_PATH - 1)
    assert canonicalise(raw).segments == ("a" * (MAX_PATH - 1),)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "path must start with '/'"),
        ("admin/x", "path must start with '/'"),
        ("*", "path must start with '/'"),
        ("http://evil/admin", "path must start with '/'"),
        ("/" + "a" * MAX_PATH, "path too long"),
        ("/a/../b", "dot segment in path"),
        ("/a/./b", "dot segment in path"),
        ("/..", "dot segment in path"),
        ("/a/%2e%2e/b", "dot segment in path"),
        ("/a/%2E%2e/b", "dot segment in path"),
        ("/a/.%2e/b", "dot segment in path"),
        ("/a/%2e/b", "dot segment in path"),
        ("/a/.../b", "path segment ending in '.' or with surrounding space"),
        ("/admin./x", "path segment ending in '.' or with surrounding space"),
        ("/admin%2e/x", "path segment ending in '.' or with surrounding space"),
        ("/admin%20/x", "path segment ending in '.' or with surrounding space"),
        ("/%20admin", "path segment ending in '.' or with surrounding space"),
        ("/a%2fb", "encoded slash in path"),
        ("/a%2Fb", "encoded slash in path"),
        ("/a\\b", "backslash in path"),
        ("/a%5cb", "encoded backslash in path"),
        ("/a%5Cb", "encoded backslash in path"),
        ("//a", "empty path segment"),
        ("/a//b", "empty path segment"),
        ("/a//", "empty path segment"),
        ("/a;b=c/d", "path parameter (';') in path"),
        ("/a%3bb", "encoded path parameter (';') in path"),
        ("/a%3Bb", "encoded path parameter (';') in path"),
        ("/a\x00b", "invalid character in path"),
        ("/a\tb", "invalid character in path"),
        ("/a b", "invalid character in path"),
        ("/a\x7fb", "invalid character in path"),
        ("/a?x=1", "invalid character in path"),
        ("/a#frag", "invalid character in path"),
        ("/caf\u00e9", "unencoded non-ASCII character in path"),
        ("/a%00b", "control character in path"),
        ("/a%09b", "control character in path"),
        ("/a%0d%0ab", "control character in path"),
        ("/a%7fb", "control character in path"),
        ("/a%c2%85b", "control or format character in path"),  # C1 NEL
        ("/a%e2%80%8bb", "control or format character in path"),  # zero-width space
        ("/a%e2%80%aeb", "control or format character in path"),  # right-to-left override
        ("/a%e2%80%a8b", "control or format character in path"),  # line separator
        ("/a%ef%bb%bfb", "control or format character in path"),  # byte order mark
        ("/%c0%ae%c0%ae/a", "invalid UTF-8 in path"),
        ("/%e0%80%ae/a", "invalid UTF-8 in path"),
        ("/%c0%af", "invalid UTF-8 in path"),
        ("/a%c0%80", "invalid UTF-8 in path"),
        ("/a%ff", "invalid UTF-8 in path"),
        ("/a%ed%a0%80", "invalid UTF-8 in path"),  # encoded surrogate
        ("/a%", "malformed percent-encoding in path"),
        ("/a%2", "malformed percent-encoding in path"),
        ("/a%zz", "malformed percent-encoding in path"),
        ("/a%u002e", "malformed percent-encoding in path"),
        ("/a/%252e%252e/b", "double percent-encoding in path"),
        ("/a%252fb", "double percent-encoding in path"),
        ("/%2561dmin", "double percent-encoding in path"),
        ("/%25%32%65", "double percent-encoding in path"),
        ("/%ef%bc%8e%ef%bc%8e/a", "compatibility Unicode character in path"),  # full-width full stop
        ("/a%ef%bc%8fb", "compatibility Unicode character in path"),  # full-width solidus
        ("/a%ef%bc%bcb", "compatibility Unicode character in path"),  # full-width reverse solidus
        ("/%e2%80%a4/a", "compatibility Unicode character in path"),  # one dot leader
        ("/%e2%80%a5/a", "compatibility Unicode character in path"),  # two dot leader
        ("/a%ef%b9%92", "compatibility Unicode character in path"),  # small full stop
        ("/%ef%bd%81dmin", "compatibility Unicode character in path"),  # full-width a
        ("/a%c2%a0b", "compatibility Unicode character in path"),  # no-break space
    ],
)
def test_rejected_paths(raw: str, reason: str) -> None:
    with pytest.raises(PathRejected) as caught:
        canonicalise(raw)
    assert caught.value.reason == reason


@pytest.mark.parametrize(
    ("segment", "folded"),
    [("ADMIN", "admin"), ("Admin", "admin"), ("STRASSE", "strasse"), ("Straße", "strasse"),
     ("CAFE\u0301", "café"), ("café", "café"), ("!AbC:Server", "!abc:server")],
)
def test_fold_segment(segment: str, folded: str) -> None:
    assert fold_segment(segment) == folded


@given(st.lists(st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=12), min_size=1, max_size=6))
def test_encoded_words_round_trip(words: list[str]) -> None:
    assume(all(unicodedata.normalize("NFKC", w) == unicodedata.normalize("NFC", w) for w in words))
    raw = "/" + "/".join(quote(w, safe="") for w in words)
    assert canonicalise(raw).segments == tuple(words)


def _check_invariants(raw: str) -> None:
    """Whatever is accepted carries none of the constructs that read differently elsewhere."""
    try:
        path = canonicalise(raw)
    except PathRejected:
        return
    assert path.raw == raw
    assert all(path.segments[:-1])
    for segment in path.segments:
        assert segment not in (".", "..")
        assert not any(c in segment for c in "/\\;")
        assert all(unicodedata.category(c) not in ("Cc", "Cf", "Cs") for c in segment)
        assert unicodedata.normalize("NFKC", segment) == unicodedata.normalize("NFC", segment)
        assert "%2e" not in segment.lower() and "%2f" not in segment.lower()


@given(st.text(max_size=40))
def test_arbitrary_text_is_refused_or_safe(tail: str) -> None:
    _check_invariants("/" + tail)


@given(st.binary(max_size=40))
def test_arbitrary_encoded_bytes_are_refused_or_safe(data: bytes) -> None:
    _check_invariants("/" + quote(data, safe="/.%;\\"))


def test_a_path_checked_again_gives_the_same_answer_and_a_refusal_stays_one() -> None:
    first = canonicalise("/rooms/%21abc%3Aserver/send")
    assert canonicalise("/rooms/%21abc%3Aserver/send") == first
    for _ in range(2):
        with pytest.raises(PathRejected):
            canonicalise("/rooms/../admin")


def test_the_table_of_checked_paths_stays_bounded() -> None:
    from gateway.runtime import canonical_path

    for i in range(3 * canonical_path._CHECKED_MAX):
        canonicalise(f"/rooms/r{i}/messages")
    canonicalise("/" + "a" * 1000)  # long paths are checked every time, never kept
    assert len(canonical_path._CHECKED) <= canonical_path._CHECKED_MAX
    assert "/" + "a" * 1000 not in canonical_path._CHECKED


@pytest.mark.parametrize(("target", "prefix", "expected"), [
    ("/chat/api/x?q=/chat", "/chat", "/api/x?q=/chat"),
    ("/chat", "/chat", "/"),
    ("/chat/", "/chat", "/"),
    ("/chat?q=1", "/chat", "/?q=1"),
    ("/CHAT/api", "/chat", "/api"),
    ("/%63h%41t/api", "/chat", "/api"),
    ("/chat/api", "/chat/", "/api"),
    ("/Chat/Room/api", "/chat/room", "/api"),
    ("/chatroom/api", "/chat", "/chatroom/api"),
    ("/api/chat", "/chat", "/api/chat"),
    ("/cha", "/chat", "/cha"),
    ("/x", "/", "/x"),
])
def test_without_prefix_reads_the_prefix_as_routes_read_a_path(target: str, prefix: str, expected: str) -> None:
    assert without_prefix(target, prefix) == expected


@given(st.lists(st.sampled_from(["chat", "CHAT", "%63hat", "room", "chatroom", "%2e", ""]), max_size=4),
       st.sampled_from(["/chat", "/chat/room", "/chat/"]))
def test_without_prefix_strips_exactly_when_the_route_literals_would_match(parts: list[str], prefix: str) -> None:
    target = "/" + "/".join(parts)
    wanted = [fold_segment(p) for p in prefix.strip("/").split("/")]
    try:
        segments = canonicalise(target).segments
    except PathRejected:
        return  # refused before any route is chosen
    matches = [fold_segment(s) for s in segments[:len(wanted)]] == wanted
    stripped = without_prefix(target, prefix)
    if not matches:
        assert stripped == target
    else:
        assert canonicalise(stripped).segments in (segments[len(wanted):], ("",))
