"""The `chatguard` command.

Exit status: 0 success, 1 runtime failure, 2 bad config or usage (nothing was started).
"""

from __future__ import annotations

import argparse
import sys
from importlib.metadata import PackageNotFoundError, version
from typing import TextIO

from filters.options import OptionsError
from gateway import logs
from gateway.config.load import load_or_report
from gateway.config.settings import Settings

EXIT_CONFIG = 2


def _version() -> str:
    try:
        return version("chatguard")
    except PackageNotFoundError:  # running from a source tree without installing
        return "0+unknown"


def _preflight(settings: Settings, err: TextIO) -> bool:
    """Open every file the config names (gateway.config.preflight); print each problem on one line."""
    from gateway.config.preflight import preflight

    problems = preflight(settings)
    for problem in problems:
        print(f"chatguard: config error: {problem}", file=err)
    return not problems


def cmd_serve(args: argparse.Namespace) -> int:
    settings = load_or_report(args.config, sys.stderr)
    if settings is None or not _preflight(settings, sys.stderr):
        return EXIT_CONFIG
    logs.configure(settings.logging.level, settings.logging.format)
    workers = args.workers or settings.workers
    if workers > 1:
        from gateway import supervisor
        from gateway.config.preflight import bindable

        taken = bindable(settings)  # before forking: a worker that cannot bind would only die at start
        for problem in taken:
            print(f"chatguard: cannot start: {problem}", file=sys.stderr)
        if taken:
            return EXIT_CONFIG

        return supervisor.serve_workers(args.config, workers, float(settings.shutdown_timeout))
    from gateway import server
    from gateway.database.base import DatabaseError

    try:
        server.serve_forever(settings, args.config)
    except OptionsError as exc:  # found only while starting: a port in use, a key set that cannot be fetched
        print(f"chatguard: cannot start: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except (OSError, DatabaseError) as exc:  # the environment: a database or a directory that fails at start
        print(f"chatguard: cannot start: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    return 0


def cmd_check_config(args: argparse.Namespace) -> int:
    settings = load_or_report(args.config, sys.stderr)
    if settings is None or not _preflight(settings, sys.stderr):
        return EXIT_CONFIG
    if args.connect and not _connect(settings):
        return EXIT_CONFIG
    for warning in _warnings(settings):
        print(f"chatguard: warning: {warning}", file=sys.stderr)
    from gateway.config.preflight import identity_sources

    print(f"{args.config}: ok ({len(settings.routes)} routes, {len(settings.upstreams)} upstreams, "
          f"{len(settings.filters)} filters)")
    from gateway.config.listeners import listeners

    print("listeners: " + ", ".join(f"{key.removesuffix('.port')} {host}:{port}"
                                    for key, host, port in listeners(settings)))
    print("identity: " + ("; ".join(identity_sources(settings)) or "none (every route must allow anonymous)"))
    return 0


def _connect(settings: Settings) -> bool:
    """`--connect`: Redis, PostgreSQL, upstreams and JWKS, each reached once; print what answered."""
    import asyncio

    from gateway.config.reachability import reach_all

    reached, failed = asyncio.run(reach_all(settings))
    for item in reached:
        print(f"reached: {item.key} ({item.what})")
    for problem in failed:
        print(f"chatguard: unreachable: {problem}", file=sys.stderr)
    return not failed


def _warnings(settings: Settings) -> list[str]:
    from gateway.config.listeners import is_loopback
    from gateway.tls import upstream as tls_upstream
    from gateway.tls.server import listener_warnings

    found: list[str] = []
    if settings.admin.enabled and not is_loopback(settings.admin.host):
        found.append(f"admin.host: {settings.admin.host} puts the admin API on the network; keep it on "
                     "loopback and give kubelet and Prometheus the probes: listener instead")
    if settings.listen.tls is not None:
        found.extend(listener_warnings(settings.listen.tls))
    for name, upstream in settings.upstreams.items():
        if upstream.url.startswith("https:"):
            found.extend(tls_upstream.warnings(upstream.tls, f"upstreams.{name}.tls"))
        elif upstream.tls.insecure_skip_verify or upstream.tls.ca_file:
            found.append(f"upstreams.{name}.tls: set, but the url is http:// so TLS is not used")
    return found


def cmd_filters(args: argparse.Namespace) -> int:
    from filters import describe_filters, format_filters

    print(format_filters(describe_filters()), end="")
    return 0


def cmd_scan(args: argparse.Namespace) -> int:
    settings = load_or_report(args.config, sys.stderr)
    if settings is None:
        return EXIT_CONFIG
    from gateway.tools.scan import run_scan

    try:
        return run_scan(settings, args.route, args.direction)
    except OptionsError as exc:
        print(f"chatguard: config error: {exc}", file=sys.stderr)
        return EXIT_CONFIG


def cmd_audit_config(args: argparse.Namespace) -> int:
    from gateway.tools.audit.command import run

    return run(args, sys.stdout, sys.stderr, _version())


USER_USAGE = "usage: chatguard user --config FILE {add,passwd,disable,enable,list,roles,totp-reset} ..."


def _split_config(argv: list[str]) -> tuple[str | None, list[str]]:
    """`--config F` (or `-c F`, `--config=F`) wherever it stands; the other arguments in order."""
    config: str | None = None
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("--config", "-c") and i + 1 < len(argv):
            config, i = argv[i + 1], i + 2
            continue
        if arg.startswith("--config="):
            config = arg.partition("=")[2]
        else:
            rest.append(arg)
        i += 1
    return config, rest


def cmd_attack_sim(args: argparse.Namespace) -> int:
    from gateway.tools.attacksim.command import run

    return run(args, sys.stdout, sys.stderr, _version())


def _user(argv: list[str]) -> int:
    """`chatguard user add|passwd|disable|enable|list|roles|totp-reset ... --config F` (either order)."""
    config, rest = _split_config(argv)
    if config is None:
        print("chatguard user: --config FILE is required (before or after the subcommand)", file=sys.stderr)
        print(USER_USAGE, file=sys.stderr)
        return EXIT_CONFIG
    settings = load_or_report(config, sys.stderr)
    if settings is None:
        return EXIT_CONFIG
    if settings.auth is None:
        print("chatguard: config error: auth: the config has no auth section", file=sys.stderr)
        return EXIT_CONFIG
    from gateway.auth import cli as user_cli
    from gateway.database.base import DatabaseError

    try:
        return user_cli.main(rest, settings.auth)
    except (DatabaseError, OSError) as exc:  # the user store cannot be opened: say why, no traceback
        print(f"chatguard: auth.store: {exc}", file=sys.stderr)
        return EXIT_CONFIG


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chatguard", description="Security gateway for chat backends.")
    parser.add_argument("--version", action="version", version=f"chatguard {_version()}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the gateway")
    serve.add_argument("--config", "-c", required=True, help="path to chatguard.yaml")
    serve.add_argument("--workers", "-w", type=int, default=0,
                       help="worker processes sharing the port (default: the config's `workers`)")
    serve.set_defaults(func=cmd_serve)

    check = commands.add_parser("check-config", help="validate a config file and exit")
    check.add_argument("config", help="path to chatguard.yaml")
    check.add_argument("--connect", action="store_true",
                       help="also reach Redis, PostgreSQL, every upstream and every JWKS URL")
    check.set_defaults(func=cmd_check_config)

    filters = commands.add_parser("filters", help="list installed filters and their options")
    filters.set_defaults(func=cmd_filters)

    commands.add_parser("explain", help="the access decision for a request: explain --config F --roles R "
                                        "--method M --path P [--mfa] [--client IP]")
    audit = commands.add_parser("audit", help="the audit trail")
    audit.add_subparsers(dest="audit_command", required=True).add_parser(
        "verify", help="check hash chain and signed checkpoints: audit verify [--key PEM] FILE...")
    commands.add_parser("transcripts", help="transcripts: transcripts {archive,purge,restore,rotate-key} --config F "
                                            "[--dry-run] [--json] (restore takes the archive's manifest)")
    commands.add_parser("fields", help="blind-backend field encryption: fields rotate --config F --conversation C "
                                       "[--json] (a new data key for one conversation)")
    commands.add_parser("user", help="manage built-in users: user --config F {add,passwd,disable,enable,list,"
                                     "roles,totp-reset} ...")

    commands.add_parser("keys", help="keys: keys generate --out DIR (every key a config names, 0600) | "
                                     "keys rotate jwt --config F [--out DIR]")
    commands.add_parser("feeds", help="feed files: feeds fetch --url URL --out FILE [--max-bytes N] [--timeout T] "
                                      "[--ca-file PEM] (HTTPS, validated, replaced by a rename; for cron)")
    certs = commands.add_parser("certs", help="certificates for demos and tests")
    certs_commands = certs.add_subparsers(dest="certs_command", required=True)
    certs_commands.add_parser("dev", help="create a local CA and a server certificate (--out DIR, --host NAME)")

    scan = commands.add_parser("scan", help="run a route's filter chain over messages read from stdin")
    scan.add_argument("--config", "-c", required=True)
    scan.add_argument("--route", "-r", required=True)
    scan.add_argument("--direction", "-d", choices=("inbound", "outbound"), default="inbound")
    scan.set_defaults(func=cmd_scan)

    from gateway.tools.audit.command import add_parser as add_audit_config

    add_audit_config(commands)
    commands.choices["audit-config"].set_defaults(func=cmd_audit_config)
    from gateway.tools.attacksim.command import add_parser as add_attack_sim

    add_attack_sim(commands)
    commands.choices["attack-sim"].set_defaults(func=cmd_attack_sim)

    from gateway.intercept.command import add_parser as add_intercept  # mitmproxy itself loads on use

    add_intercept(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:2] == ["certs", "dev"]:  # its own parser, so `--help` and every flag pass through
        from gateway.tls import certs

        return certs.main(argv[2:])
    if argv[:2] == ["audit", "verify"]:
        from gateway.audit import verify

        return verify.main(argv[2:])
    if argv[:1] == ["transcripts"]:
        from gateway.transcripts import cli as transcripts_cli

        return transcripts_cli.main(argv[1:])
    if argv[:1] == ["fields"]:
        from gateway.e2ee import cli as fields_cli

        return fields_cli.main(argv[1:])
    if argv[:1] == ["user"]:
        return _user(argv[1:])
    if argv[:1] == ["keys"]:
        from gateway.tools import keys

        return keys.main(argv[1:])
    if argv[:1] == ["feeds"]:
        from gateway.tools import feeds

        return feeds.main(argv[1:])
    if argv[:1] == ["explain"]:
        from gateway.tools import explain

        return explain.main(argv[1:])
    args = build_parser().parse_args(argv)
    if args.command == "serve" and args.workers < 0:
        print("chatguard: --workers must be >= 1", file=sys.stderr)
        return EXIT_CONFIG
    result: int = args.func(args)
    return result
