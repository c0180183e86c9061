"""Route table: templates, specificity, methods, host, WebSocket flag and config errors."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from filters.options import OptionsError, bind, join
from gateway.config.settings import RouteSettings
from gateway.runtime.canonical_path import canonicalise
from gateway.runtime.routing import Matched, RouteTable


def route(path: str, name: str, **match: Any) -> dict[str, Any]:
    return {"name": name, "match": {"path": path, **match}, "upstream": "chat", "allow": ["anonymous"]}


def build(*routes: dict[str, Any]) -> RouteTable:
    """Through the real config binding, as the gateway does at startup."""
    return RouteTable.build([bind(RouteSettings, r, join("routes", i)) for i, r in enumerate(routes)])


def find(table: RouteTable, path: str, method: str = "GET", host: str | None = None,
         websocket: bool = False) -> Matched | None:
    return table.match(method, host, canonicalise(path), websocket)


def winner(table: RouteTable, path: str, **kwargs: Any) -> str | None:
    found = find(table, path, **kwargs)
    return found.route.name if found else None


SPECIFICITY = [
    route("/{rest:path}", "catch-all"),
    route("/rooms/{room}", "room"),
    route("/rooms/public", "public-room"),
    route("/rooms/{room}/{rest:path}", "room-sub"),
    route("/rooms/{room}/send/{type}/{txn}", "send"),
    route("/rooms/{room}/send/m.room.message/{txn}", "send-message"),
    route("/{a}/{b}/messages", "any-messages"),
    route("/files/{rest:path}", "files"),
    route("/files/{dir}/{rest:path}", "files-dir"),
    route("/", "root"),
    route("/socket.io/", "socketio"),
]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/rooms/public", "public-room"),
        ("/rooms/abc", "room"),
        ("/rooms/abc/", "room-sub"),
        ("/rooms/abc/send/m.reaction/1", "send"),
        ("/rooms/abc/send/m.room.message/1", "send-message"),
        ("/rooms/abc/send/m.room.message/1/extra", "room-sub"),
        ("/rooms/abc/messages", "room-sub"),
        ("/users/abc/messages", "any-messages"),
        ("/files/a", "files"),
        ("/files/a/b/c", "files-dir"),
        ("/", "root"),
        ("/socket.io/", "socketio"),
        ("/socket.io", "catch-all"),
        ("/rooms", "catch-all"),
        ("/other/x/y/z", "catch-all"),
    ],
)
@pytest.mark.parametrize("reverse", [False, True])
def test_most_specific_route_wins_whatever_the_config_order(path: str, expected: str, reverse: bool) -> None:
    table = build(*(reversed(SPECIFICITY) if reverse else SPECIFICITY))
    assert winner(table, path) == expected


def test_no_match_is_none() -> None:
    table = build(route("/api/{x}", "api"))
    assert find(table, "/api") is None
    assert find(table, "/api/") is None
    assert find(table, "/api/a/b") is None
    assert find(table, "/other") is None


def test_literals_match_case_insensitively_variables_keep_case() -> None:
    table = build(route("/Rooms/{Room}/SEND", "send"))
    found = find(table, "/rOOMS/!AbC:Server/send")
    assert found is not None and found.route.name == "send"
    assert found.params == {"Room": "!AbC:Server"}


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/_matrix/client/v3/rooms/%21abc%3Aserver/send/m.room.message/t%201",
         {"room": "!abc:server", "type": "m.room.message", "txn": "t 1"}),
        ("/_matrix/client/v3/rooms/!r:s/send/%E2%9C%93/1", {"room": "!r:s", "type": "✓", "txn": "1"}),
    ],
)
def test_params_are_decoded(path: str, params: dict[str, str]) -> None:
    table = build(route("/_matrix/client/{version}/rooms/{room}/send/{type}/{txn}", "send"))
    found = find(table, path)
    assert found is not None
    assert dict(found.params) == {"version": "v3", **params}


@pytest.mark.parametrize(
    ("path", "rest"),
    [("/media/a", "a"), ("/media/a/b%20c/d", "a/b c/d"), ("/media/a/", "a/"), ("/media/", "")],
)
def test_path_variable_joins_remaining_segments(path: str, rest: str) -> None:
    found = find(build(route("/media/{rest:path}", "media")), path)
    assert found is not None and found.params == {"rest": rest}


@pytest.mark.parametrize("template", ["/café/{x}", "/caf%C3%A9/{x}", "/CAF%C3%89/{x}", "/cafe\u0301/{x}"])
@pytest.mark.parametrize("path", ["/caf%C3%A9/1", "/CAF%C3%89/1", "/cafe%CC%81/1"])
def test_non_ascii_literals_match_in_any_encoding_form(template: str, path: str) -> None:
    assert winner(build(route(template, "cafe"), route("/{rest:path}", "other")), path) == "cafe"


def test_path_variable_needs_at_least_one_segment() -> None:
    assert find(build(route("/media/{rest:path}", "media")), "/media") is None


METHODS = [
    route("/msg", "any"),
    route("/msg", "read", methods=["get"]),
    route("/msg", "write", methods=["POST", "PUT"]),
    route("/only-post", "only-post", methods=["POST"]),
]


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/msg", "read"),
        ("get", "/msg", "read"),
        ("HEAD", "/msg", "read"),
        ("POST", "/msg", "write"),
        ("put", "/msg", "write"),
        ("DELETE", "/msg", "any"),
        ("OPTIONS", "/msg", "any"),
        ("POST", "/only-post", "only-post"),
        ("GET", "/only-post", None),
        ("HEAD", "/only-post", None),
    ],
)
def test_methods(method: str, path: str, expected: str | None) -> None:
    assert winner(build(*METHODS), path, method=method) == expected


def test_head_route_does_not_accept_get() -> None:
    assert winner(build(route("/x", "head", methods=["HEAD"])), "/x", method="GET") is None


HOSTS = [
    route("/chat", "no-host"),
    route("/chat", "wild", host="*.example.org"),
    route("/chat", "wild-deep", host="*.eu.example.org"),
    route("/chat", "exact", host="Chat.Example.org"),
    route("/admin", "admin-only", host="admin.example.org"),
]


@pytest.mark.parametrize(
    ("host", "path", "expected"),
    [
        ("chat.example.org", "/chat", "exact"),
        ("CHAT.EXAMPLE.ORG", "/chat", "exact"),
        ("chat.example.org:8443", "/chat", "exact"),
        ("chat.example.org.", "/chat", "exact"),
        ("chat.example.org.:443", "/chat", "exact"),
        ("other.example.org", "/chat", "wild"),
        ("a.b.example.org", "/chat", "wild"),
        ("x.eu.example.org", "/chat", "wild-deep"),
        ("example.org", "/chat", "no-host"),
        ("evilexample.org", "/chat", "no-host"),
        ("example.org.evil.com", "/chat", "no-host"),
        (None, "/chat", "no-host"),
        ("", "/chat", "no-host"),
        ("[::1]:8443", "/chat", "no-host"),
        ("admin.example.org", "/admin", "admin-only"),
        ("ADMIN.example.org:1", "/admin", "admin-only"),
        ("chat.example.org", "/admin", None),
        (None, "/admin", None),
    ],
)
def test_host(host: str | None, path: str, expected: str | None) -> None:
    assert winner(build(*HOSTS), path, host=host) == expected


def test_host_beats_methods_and_path_beats_host() -> None:
    table = build(
        route("/x/{y}", "host", host="a.example.org"),
        route("/x/{y}", "method", methods=["GET"]),
        route("/x/z", "literal"),
    )
    assert winner(table, "/x/y", host="a.example.org") == "host"
    assert winner(table, "/x/y", host="b.example.org") == "method"
    assert winner(table, "/x/z", host="a.example.org") == "literal"


def test_config_order_breaks_remaining_ties() -> None:
    table = build(route("/x", "first", methods=["GET", "POST"]), route("/x", "second", methods=["GET"]))
    assert winner(table, "/x") == "first"
    assert winner(table, "/x", method="POST") == "first"


@pytest.mark.parametrize(("websocket", "expected"), [(True, "ws"), (False, "http")])
def test_websocket_flag_separates_routes(websocket: bool, expected: str) -> None:
    table = build(route("/live", "http"), route("/live", "ws", websocket=True))
    assert winner(table, "/live", websocket=websocket) == expected


def test_websocket_never_falls_back_to_http_route() -> None:
    table = build(route("/{rest:path}", "http-catch-all"), route("/ws", "ws", websocket=True))
    assert winner(table, "/ws", websocket=True) == "ws"
    assert winner(table, "/other", websocket=True) is None
    assert winner(table, "/ws", websocket=False) == "http-catch-all"


def test_iteration_and_length_keep_config_order() -> None:
    table = build(*SPECIFICITY)
    assert len(table) == len(SPECIFICITY)
    assert [r.name for r in table] == [r["name"] for r in SPECIFICITY]
    assert [r.index for r in table] == list(range(len(SPECIFICITY)))


def test_route_exposes_compiled_match() -> None:
    (compiled,) = build(route("/A/{b}", "r", methods=["get", "Post"], host="X.Example.org.", websocket=True))
    assert compiled.methods == frozenset({"GET", "POST"})
    assert compiled.host == "x.example.org"
    assert compiled.websocket is True
    assert compiled.settings.match.path == "/A/{b}"


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("/a/{x", "unbalanced braces"),
        ("/a/x}", "unbalanced braces"),
        ("/a/{{x}}", "unbalanced braces"),
        ("/a/pre{x}", "partial variable"),
        ("/a/{x}{y}", "unbalanced braces"),
        ("/a/{}", "empty variable name"),
        ("/a/{:path}", "empty variable name"),
        ("/a/{1x}", "invalid variable name '1x'"),
        ("/a/{x-y}", "invalid variable name 'x-y'"),
        ("/{x}/{x}", "duplicate variable name 'x'"),
        ("/{x}/{x:path}", "duplicate variable name 'x'"),
        ("/{rest:path}/more", "{rest:path} must be the last segment"),
        ("/{x:int}", "unknown variable type 'int'"),
        ("/a//b", "empty path segment"),
        ("/a/../b", "dot segment in path"),
        ("/a%2fb", "encoded slash in path"),
        ("/a;b", "path parameter"),
    ],
)
def test_bad_template_names_its_key_path(template: str, problem: str) -> None:
    with pytest.raises(OptionsError) as caught:
        build(route("/ok", "ok"), route(template, "bad"))
    assert caught.value.path == "routes[1].match.path"
    assert problem in caught.value.problem


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (route("/a/{x}", "one"), route("/a/{y}", "two")),
        (route("/Admin", "one"), route("/admin", "two")),
        (route("/a", "one", methods=["GET", "POST"]), route("/a", "two", methods=["post", "get"])),
        (route("/a", "one", host="h.example.org"), route("/a", "two", host="H.example.org")),
        (route("/a", "one", websocket=True), route("/a", "two", websocket=True)),
    ],
)
def test_duplicate_route_names_its_key_path(first: dict[str, Any], second: dict[str, Any]) -> None:
    with pytest.raises(OptionsError) as caught:
        build(route("/other", "other"), first, second)
    assert caught.value.path == "routes[2].match"
    assert "routes[1]" in caught.value.problem


@pytest.mark.parametrize(
    "second",
    [
        route("/a/{x}", "two", methods=["GET"]),
        route("/a/{x}", "two", host="h.example.org"),
        route("/a/{x}", "two", websocket=True),
        route("/a/{x:path}", "two"),
        route("/a/b", "two"),
    ],
)
def test_near_duplicates_are_allowed(second: dict[str, Any]) -> None:
    assert len(build(route("/a/{x}", "one"), second)) == 2


@pytest.mark.parametrize("host", ["", "*", "*.", "a.*.org", "exa mple.org", "-a.org", "a..org", "http://a.org"])
def test_bad_host_names_its_key_path(host: str) -> None:
    with pytest.raises(OptionsError) as caught:
        build(route("/a", "a", host=host))
    assert caught.value.path == "routes[0].match.host"


def _by_rank(table: RouteTable, path: str, method: str, host: str | None) -> str | None:
    """The definition of "most specific" applied by brute force: every route, lowest rank first."""
    canonical = canonicalise(path)
    folded = [s.lower() for s in canonical.segments]
    for candidate in sorted(table, key=lambda r: r.rank):
        if candidate.websocket or not candidate.accepts_method(method) or not candidate.accepts_host(host):
            continue
        if candidate.bind(canonical.segments, folded) is not None:
            return candidate.name
    return None


OVERLAPPING = [
    *SPECIFICITY,
    route("/rooms/{room}", "room-post", methods=["POST"]),
    route("/rooms/public", "public-on-host", host="chat.example.org"),
    route("/rooms/{room}/send/{type}/{txn}", "send-wildcard-host", host="*.example.org"),
    route("/{a}/{b}/{c}/{d}", "four"),
    route("/{a}/public/{c:path}", "public-under-any"),
]
PATHS = ["/", "/rooms", "/rooms/", "/rooms/public", "/rooms/x", "/rooms/x/", "/rooms/public/messages",
         "/rooms/x/send/m.room.message/1", "/rooms/x/send/t/1", "/users/public/a/b", "/files/a/b/c",
         "/a/b/c/d", "/socket.io/", "/socket.io/x", "/ROOMS/PUBLIC"]


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
@pytest.mark.parametrize("host", [None, "chat.example.org", "eu.example.org", "other.test"])
def test_trie_picks_what_the_rank_order_defines(method: str, host: str | None) -> None:
    table = build(*OVERLAPPING)
    for path in PATHS:
        assert winner(table, path, method=method, host=host) == _by_rank(table, path, method, host), path


def test_many_routes_under_one_prefix_still_match_the_right_one() -> None:
    routes = [route(f"/api/team{i}/rooms/{{room}}/messages", f"team{i}") for i in range(500)]
    table = build(*routes, route("/api/rooms/{room}/messages", "api", methods=["POST"]))
    assert winner(table, "/api/rooms/r1/messages", method="POST") == "api"
    assert winner(table, "/api/team499/rooms/r1/messages") == "team499"
    assert winner(table, "/api/rooms/r1/messages") is None


_VARIANTS = [(method, host, websocket) for method in ("GET", "get", "POST", "HEAD")
             for host in (None, "chat.example.org", "CHAT.example.org", "eu.example.org") for websocket in (False, True)]


@settings(max_examples=40, deadline=None)
@given(paths=st.lists(st.sampled_from([*PATHS, "/rooms/X", "/rooms/%78", "/Rooms/x", "/ws/a", "/WS/a"]), min_size=1,
                      max_size=6),
       order=st.permutations(_VARIANTS))
def test_a_table_asked_again_answers_as_a_fresh_one(paths: list[str],
                                                    order: list[tuple[str, str | None, bool]]) -> None:
    """What a request matched is remembered per table: each path asked with every method, host (and its
    case) and upgrade, in any order, gets the route and variables a table that never saw it gives."""
    table = build(*OVERLAPPING, route("/ws/{room}", "socket", websocket=True))
    for path in paths:
        for method, host, websocket in order:
            fresh = RouteTable(list(table)).match(method, host, canonicalise(path), websocket)
            again = find(table, path, method=method, host=host, websocket=websocket)
            asked = (path, method, host, websocket)
            if fresh is None or again is None:
                assert again is fresh is None, asked
            else:
                assert (again.route.name, dict(again.params)) == (fresh.route.name, dict(fresh.params)), asked


def test_remembered_variables_are_read_only() -> None:
    table = build(route("/rooms/{room}", "room"))
    first = find(table, "/rooms/alpha")
    assert first is not None and find(table, "/rooms/alpha") is first
    with pytest.raises(TypeError):
        first.params["room"] = "beta"  # type: ignore[index]
