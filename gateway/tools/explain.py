"""`chatguard explain`: what the gateway would decide for a caller, and which rule decides it.

It goes through the same steps as a request (canonical path, route match, role expansion,
`authorize`, and for Matrix routes the event-type rule), so the answer is the gateway's
answer, not a second implementation of it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from filters import ANONYMOUS, Principal
from filters.options import OptionsError
from gateway.access.rbac import AccessControl, check_access, explain
from gateway.config.settings import load_settings
from gateway.runtime.canonical_path import CanonicalPath, PathRejected, canonicalise
from gateway.runtime.routing import RouteTable


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chatguard explain", description="Explain an access decision.")
    parser.add_argument("--config", required=True, help="the gateway config file")
    parser.add_argument("--roles", default="", help="comma-separated roles of the caller (none: anonymous)")
    parser.add_argument("--method", default="GET")
    parser.add_argument("--path", required=True)
    parser.add_argument("--host", default=None)
    parser.add_argument("--mfa", action="store_true", help="the caller passed two-factor authentication")
    parser.add_argument("--client", default=None, help="client IP address (for `networks` rules)")
    parser.add_argument("--websocket", action="store_true", help="a WebSocket upgrade")
    return parser


def _principal(roles: str, mfa: bool) -> Principal:
    names = frozenset(r.strip() for r in roles.split(",") if r.strip())
    if not names or names == {"anonymous"}:
        return ANONYMOUS
    return Principal(subject="explain", roles=names, mfa=mfa)


def run(args: argparse.Namespace, out: TextIO) -> int:
    """0 when allowed, 1 when denied, 2 for a bad config or path."""
    try:
        settings = load_settings(args.config)
        check_access(settings)
        table = RouteTable.build(settings.routes)
        access = AccessControl.build(settings)
        path = canonicalise(args.path)
    except OptionsError as exc:
        print(f"config error: {exc}", file=out)
        return 2
    except PathRejected as rejected:
        print(f"DENY 400 by rule path: {rejected.reason}", file=out)
        return 1
    lines, allowed = decide(table, access, args.roles, args.mfa, args.method, path, args.host, args.client,
                            args.websocket)
    for line in lines:
        print(line, file=out)
    return 0 if allowed else 1


def decide(table: RouteTable, access: AccessControl, roles: str, mfa: bool, method: str, path: CanonicalPath,
           host: str | None = None, client: str | None = None, websocket: bool = False) -> tuple[list[str], bool]:
    """The explanation's lines (route, expanded roles, decision and rule) and whether it is allowed.
    Shared by this command and the console's explain form, so both give the gateway's answer."""
    matched = table.match(method, host, path, websocket)
    if matched is None:
        return ["DENY 404 by rule route: no route matches"], False
    name = matched.route.name
    principal = access.roles.principal(_principal(roles, mfa))
    decision = access.routes[name].authorize(principal, method, client, matched.params)
    return [f"route: {name}", f"roles: {', '.join(sorted(principal.roles))}{' (mfa)' if principal.mfa else ''}",
            explain(decision)], decision.allowed


def main(argv: Sequence[str] | None = None) -> int:
    return run(_parser().parse_args(argv), sys.stdout)
