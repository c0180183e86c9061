"""Route table: path templates, methods, host and WebSocket flag -> the route that applies.

Built once at startup from `RouteSettings`; every template is checked then, so a bad
one stops the gateway with its key path. Matching works on `CanonicalPath.segments`
(see gateway/runtime/canonical_path.py) and never on the raw path, so one path has one route.

Templates: literal segments compare case-insensitively, `{name}` takes one non-empty
segment, `{name:path}` (last only) takes one or more remaining segments joined by `/`.
When several routes match, the most specific wins, the same way every time: segment by
segment literal > variable > path variable, then more segments, then a route with a
host (exact before wildcard) over one without, then one with methods over any-method,
then config order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from types import MappingProxyType
from urllib.parse import quote

from filters.options import OptionsError, join
from gateway.config.settings import RouteSettings
from gateway.memo import Memo
from gateway.runtime.canonical_path import CanonicalPath, PathRejected, canonicalise, fold_segment

__all__ = ["Matched", "Route", "RouteTable", "Segment", "SegmentKind"]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_HOST_LABEL = re.compile(r"[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?")
_TEMPLATE_SAFE = "".join(chr(c) for c in range(0x21, 0x7F))  # config may write non-ASCII literals raw


class SegmentKind(IntEnum):
    """Ordered by specificity: a lower value beats a higher one."""

    LITERAL = 0
    VARIABLE = 1
    PATH = 2


_END = 3  # past the last segment: ranks below any segment, so longer templates win


@dataclass(frozen=True, slots=True)
class Segment:
    kind: SegmentKind
    value: str  # folded literal, or the variable name


@dataclass(frozen=True, slots=True)
class Route:
    """One configured route, compiled for matching."""

    name: str
    settings: RouteSettings
    index: int
    segments: tuple[Segment, ...]
    methods: frozenset[str]  # upper-case; empty means any method
    host: str | None  # lower-case; `*.example.org` for a wildcard
    websocket: bool
    rank: tuple[int, ...]  # sort key: lower is more specific

    def accepts_method(self, method: str) -> bool:
        return not self.methods or method in self.methods or (method == "HEAD" and "GET" in self.methods)

    def accepts_host(self, host: str | None) -> bool:
        if self.host is None:
            return True
        if host is None:
            return False
        if self.host.startswith("*."):
            return host.endswith(self.host[1:]) and len(host) > len(self.host) - 1
        return host == self.host

    def bind(self, segments: tuple[str, ...], folded: Sequence[str]) -> dict[str, str] | None:
        """The template variables if this route's template matches, else None."""
        template = self.segments
        if len(segments) < len(template) or (
            len(segments) > len(template) and template[-1].kind is not SegmentKind.PATH
        ):
            return None
        params: dict[str, str] = {}
        for i, part in enumerate(template):
            if part.kind is SegmentKind.LITERAL:
                if folded[i] != part.value:
                    return None
            elif part.kind is SegmentKind.VARIABLE:
                if not segments[i]:
                    return None
                params[part.value] = segments[i]
            else:
                params[part.value] = "/".join(segments[i:])
        return params


# Matches remembered per route table (`RouteTable.match`), and the longest path and host kept.
_MATCHED = 512
_MATCHED_LENGTH = 256


@dataclass(frozen=True, slots=True)
class Matched:
    route: Route
    params: Mapping[str, str]


class _Node:
    """One depth of the route trie: literal children by folded segment, one variable child, and the
    routes ending here (`ends`) or taking the rest as a path variable (`rest`), each most specific first."""

    __slots__ = ("ends", "literal", "rest", "variable")

    def __init__(self) -> None:
        self.literal: dict[str, _Node] = {}
        self.variable: _Node | None = None
        self.ends: tuple[Route, ...] = ()
        self.rest: tuple[Route, ...] = ()


def _insert(root: _Node, route: Route) -> None:
    node = root
    for segment in route.segments:
        if segment.kind is SegmentKind.LITERAL:
            node = node.literal.setdefault(segment.value, _Node())
        elif segment.kind is SegmentKind.VARIABLE:
            if node.variable is None:
                node.variable = _Node()
            node = node.variable
        else:
            node.rest = tuple(sorted((*node.rest, route), key=lambda r: r.rank))
            return
    node.ends = tuple(sorted((*node.ends, route), key=lambda r: r.rank))


class RouteTable:
    """All routes in a trie of segments per WebSocket flag: matching costs the path's depth, not the
    number of routes.

    The walk tries, at each depth, the literal child, then the variable child, then routes taking
    the rest as `{name:path}`: that is the order of `Route.rank`, so the first route found that
    accepts the method and host is the most specific one. A chat client asks for the same few paths
    again and again: what a request's method, host, path and upgrade matched is remembered (`_MATCHED`
    answers at most, emptied when full; long paths are not kept), with its variables read-only.
    """

    __slots__ = ("_matched", "_roots", "_routes")

    def __init__(self, routes: Sequence[Route]) -> None:
        self._routes = tuple(routes)
        self._matched: Memo[tuple[str, str | None, tuple[str, ...], bool], Matched] = Memo(_MATCHED)
        self._roots = {False: _Node(), True: _Node()}
        for route in self._routes:
            _insert(self._roots[route.websocket], route)

    @classmethod
    def build(cls, routes: Sequence[RouteSettings]) -> RouteTable:
        """Compile every route; raises OptionsError naming `routes[i].match...`."""
        compiled: list[Route] = []
        seen: dict[tuple[object, ...], int] = {}
        for i, settings in enumerate(routes):
            match_path = join(join("routes", i), "match")
            route = _compile(i, settings, match_path)
            identity = (
                tuple((s.kind, s.value if s.kind is SegmentKind.LITERAL else "") for s in route.segments),
                route.methods, route.host, route.websocket,
            )
            if identity in seen:
                raise OptionsError(match_path, f"same path template, methods and host as routes[{seen[identity]}]")
            seen[identity] = i
            compiled.append(route)
        return cls(compiled)

    def match(self, method: str, host: str | None, path: CanonicalPath, websocket: bool) -> Matched | None:
        """The most specific route for this request, or None (the gateway answers 404)."""
        segments = path.segments
        key = (method, host, segments, websocket)
        matched = self._matched.get(key)
        if matched is not None:
            return matched
        folded = tuple(fold_segment(s) for s in segments)
        found = _walk(self._roots[websocket], segments, folded, 0, method.upper(), _request_host(host))
        if found is None:
            return None
        matched = Matched(found, MappingProxyType(found.bind(segments, folded) or {}))
        if len(path.raw) + len(host or "") <= _MATCHED_LENGTH:
            self._matched.keep(key, matched)
        return matched

    def __iter__(self) -> Iterator[Route]:
        return iter(self._routes)

    def __len__(self) -> int:
        return len(self._routes)


def _first(routes: tuple[Route, ...], method: str, host: str | None) -> Route | None:
    for route in routes:
        if route.accepts_method(method) and route.accepts_host(host):
            return route
    return None


def _walk(node: _Node, segments: tuple[str, ...], folded: tuple[str, ...], depth: int, method: str,
          host: str | None) -> Route | None:
    """Depth-first in rank order: literal, then variable, then a path variable taking the rest."""
    if depth == len(segments):
        return _first(node.ends, method, host)
    child = node.literal.get(folded[depth])
    if child is not None and (found := _walk(child, segments, folded, depth + 1, method, host)) is not None:
        return found
    if node.variable is not None and segments[depth]:
        found = _walk(node.variable, segments, folded, depth + 1, method, host)
        if found is not None:
            return found
    if node.rest:
        return _first(node.rest, method, host)
    return None


def _compile(index: int, settings: RouteSettings, match_path: str) -> Route:
    match = settings.match
    segments = _parse_template(match.path, join(match_path, "path"))
    host = _parse_host(match.host, join(match_path, "host")) if match.host is not None else None
    methods = frozenset(m.upper() for m in match.methods)
    if host is None:
        host_rank = (2, 0)
    elif host.startswith("*."):
        host_rank = (1, -len(host))
    else:
        host_rank = (0, 0)
    rank = (*(s.kind for s in segments), _END, *host_rank, 0 if methods else 1, index)
    return Route(
        name=settings.name or f"route-{index}", settings=settings, index=index, segments=segments,
        methods=methods, host=host, websocket=match.websocket, rank=rank,
    )


def _parse_template(template: str, path: str) -> tuple[Segment, ...]:
    """Split a template into segments, using the request-path rules for its literal parts."""
    try:
        parts = canonicalise(quote(template, safe=_TEMPLATE_SAFE)).segments
    except PathRejected as exc:
        raise OptionsError(path, f"invalid path template {template!r}: {exc.reason}") from None
    segments: list[Segment] = []
    names: set[str] = set()
    for i, part in enumerate(parts):
        if "{" not in part and "}" not in part:
            segments.append(Segment(SegmentKind.LITERAL, fold_segment(part)))
            continue
        if not (part.startswith("{") and part.endswith("}")) or part.count("{") != 1 or part.count("}") != 1:
            raise OptionsError(path, f"unbalanced braces or partial variable in segment {part!r} "
                                     "(a variable must be a whole segment: {name} or {name:path})")
        name, _, kind = part[1:-1].partition(":")
        if not name:
            raise OptionsError(path, f"empty variable name in segment {part!r}")
        if not _NAME.fullmatch(name):
            raise OptionsError(path, f"invalid variable name {name!r} (letters, digits and _ only)")
        if name in names:
            raise OptionsError(path, f"duplicate variable name {name!r}")
        names.add(name)
        if kind == "path":
            if i != len(parts) - 1:
                raise OptionsError(path, f"{{{name}:path}} must be the last segment")
            segments.append(Segment(SegmentKind.PATH, name))
        elif kind:
            raise OptionsError(path, f"unknown variable type {kind!r} in {part!r} (known: path)")
        else:
            segments.append(Segment(SegmentKind.VARIABLE, name))
    return tuple(segments)


def _parse_host(host: str, path: str) -> str:
    name = host.strip().lower().rstrip(".")
    labels = name[2:].split(".") if name.startswith("*.") else name.split(".")
    if not name or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        raise OptionsError(path, f"expected a host name such as chat.example.org or *.example.org, got {host!r}")
    return name


def _request_host(host: str | None) -> str | None:
    """Host header -> lower-case name without port or trailing dot (`Chat.Example.org.:443`)."""
    if not host:
        return None
    host = host.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        return host[: end + 1] if end > 0 else host
    name, _, _ = host.partition(":")
    return name.rstrip(".") or None
