"""Checks of the routes: who reaches what, and what passes unread."""

from __future__ import annotations

import re
from collections.abc import Iterator

from gateway.tools.audit.findings import RULES, Finding
from gateway.tools.audit.subject import Check, Subject

CATCH_ALL = re.compile(r"^(/[^/{}]+){0,2}/\{[^}:]+:path\}$")  # `/api/{rest:path}`: a whole API below a prefix
# Path segments that name what a backend keeps private: accounts, keys, administration.
SENSITIVE = frozenset({
    "admin", "account", "accounts", "keys", "room_keys", "devices", "users", "internal", "debug",
    "metrics", "config", "settings", "transcripts", "export", "management", "_synapse", "private"})


def _sensitive(template: str) -> str | None:
    if CATCH_ALL.match(template):
        return "a catch-all path"
    for segment in template.lower().split("/"):
        if segment in SENSITIVE:
            return f"the segment /{segment}"
    return None


def anonymous(s: Subject) -> Iterator[Finding]:
    for route, key in zip(s.settings.routes, s.route_keys, strict=True):
        if "anonymous" not in route.allow:
            continue
        reason = _sensitive(route.match.path)
        if reason:
            yield Finding(RULES["anonymous-nonpublic"], f"{key}.allow",
                          f"route {route.name} ({route.match.path}) allows anonymous on {reason}", "high")


def preset_catch_all(s: Subject) -> Iterator[Finding]:
    for route, key, preset in zip(s.settings.routes, s.route_keys, s.route_presets, strict=True):
        fields = route.messages
        declared = (fields.inbound.declared or fields.outbound.declared or fields.outbound.sse.declared
                    or bool(fields.inbound.query))
        if preset and CATCH_ALL.match(route.match.path) and not declared:
            yield Finding(RULES["preset-catchall-uninspected"], key,
                          f"route {route.name} ({route.match.path}) of preset {preset} streams unread", "medium")


def fail_open(s: Subject) -> Iterator[Finding]:
    for route, key in zip(s.settings.routes, s.route_keys, strict=True):
        if route.fail == "open" and route.filters:
            yield Finding(RULES["fail-open"], f"{key}.fail", f"route {route.name} has fail: open", "high")


def shadow(s: Subject) -> Iterator[Finding]:
    for route, key in zip(s.settings.routes, s.route_keys, strict=True):
        if route.mode == "shadow":
            yield Finding(RULES["shadow-mode"], f"{key}.mode", f"route {route.name} has mode: shadow", "medium")


def origins(s: Subject) -> Iterator[Finding]:
    for route, key in zip(s.settings.routes, s.route_keys, strict=True):
        if route.match.websocket and "*" in route.websocket.origins:
            yield Finding(RULES["websocket-any-origin"], f"{key}.websocket.origins",
                          f"route {route.name} accepts any Origin", "medium")


def sealed_unread(s: Subject) -> Iterator[Finding]:
    """Envelopes open only where a route reads answers: a backend nobody reads back from shows clients `cg1:`."""
    readers = {route.upstream for route in s.settings.routes
               if route.messages.outbound.declared or route.messages.outbound.sse.declared}
    for route, key in zip(s.settings.routes, s.route_keys, strict=True):
        if route.encrypt_fields.declared and route.upstream not in readers:
            yield Finding(RULES["sealed-fields-unread"], f"{key}.encrypt_fields",
                          f"route {route.name} seals fields for upstream {route.upstream}, and no route reads "
                          "its answers", "medium")


CHECKS: tuple[Check, ...] = (anonymous, preset_catch_all, fail_open, shadow, origins, sealed_unread)
