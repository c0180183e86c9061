"""`chatguard attack-sim --target URL --config F [--report report.html] [--json out.json] ...`.

Exit status: 0 every probe held (or was skipped), 1 at least one failed, 2 bad usage or config, or a
target outside loopback and private ranges without `--i-own-this-target`. The test user's password
and TOTP secret come from the environment (CHATGUARD_SIM_PASSWORD, CHATGUARD_SIM_TOTP_SECRET), never
from the command line, where other users of the machine can read them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from pathlib import Path
from typing import Any, TextIO

import orjson

from filters.options import OptionsError
from gateway.config.settings import load_settings
from gateway.tools.attacksim import html, report
from gateway.tools.attacksim.runner import plan, run_all
from gateway.tools.attacksim.safety import Pace, TargetRefused, check_target
from gateway.tools.attacksim.session import Options, Session


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sim = commands.add_parser("attack-sim", help="attack a running deployment with probes built from its config "
                                                 "(exit 0 all held, 1 some failed)")
    sim.add_argument("--target", required=True, help="base URL of the gateway, e.g. https://127.0.0.1:8443")
    sim.add_argument("--config", "-c", required=True, help="the config the target runs")
    sim.add_argument("--report", help="write the HTML report here")
    sim.add_argument("--json", help="write the JSON report here")
    sim.add_argument("--previous", help="an earlier JSON report: the report shows the trend")
    sim.add_argument("--upstream-log", help="URL of a recording backend's log (JSON list of requests)")
    sim.add_argument("--i-own-this-target", action="store_true",
                     help="allow a target outside loopback and private ranges (yours only)")
    sim.add_argument("--test-user", help="a test user for the 2FA probes (password: CHATGUARD_SIM_PASSWORD, "
                                         "TOTP secret: CHATGUARD_SIM_TOTP_SECRET)")
    sim.add_argument("--ca-file", help="CA to verify the target's certificate with")
    sim.add_argument("--rate", type=float, default=20.0, help="requests per second at most (default 20)")
    sim.add_argument("--max-duration", type=float, default=300.0, help="seconds for the whole run (default 300)")


def _previous(path: str | None, err: TextIO) -> dict[str, Any] | None | bool:
    if path is None:
        return None
    try:
        found = orjson.loads(Path(path).read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        print(f"chatguard: --previous {path}: {exc}", file=err)
        return False
    if not isinstance(found, dict) or found.get("format") != report.FORMAT:
        print(f"chatguard: --previous {path}: not a {report.FORMAT} report", file=err)
        return False
    return found


def run(args: argparse.Namespace, out: TextIO, err: TextIO, version: str = "0+unknown") -> int:
    if not (0 < args.rate <= 1000) or not (0 < args.max_duration <= 3600):
        print("chatguard: --rate must be in (0, 1000] and --max-duration in (0, 3600]", file=err)
        return 2
    try:
        target = check_target(args.target, args.i_own_this_target)
        settings = load_settings(args.config)
    except TargetRefused as exc:
        print(f"chatguard: attack-sim refused: {exc}", file=err)
        return 2
    except OptionsError as exc:
        print(f"chatguard: config error: {exc}", file=err)
        return 2
    previous = _previous(args.previous, err)
    if previous is False:
        return 2
    options = Options(upstream_log=args.upstream_log, test_user=args.test_user,
                      test_password=os.environ.get("CHATGUARD_SIM_PASSWORD"),
                      test_totp_secret=os.environ.get("CHATGUARD_SIM_TOTP_SECRET"), ca_file=args.ca_file)
    started = time.time()
    runs = asyncio.run(_simulate(target, settings, options, args.rate, args.max_duration))
    built = report.build(runs, target=str(target), config=args.config, version=version, started=started,
                         finished=time.time(), rate=args.rate, max_duration=args.max_duration,
                         previous=previous if isinstance(previous, dict) else None)
    if args.json:
        Path(args.json).write_bytes(orjson.dumps(built, option=orjson.OPT_INDENT_2) + b"\n")
    if args.report:
        Path(args.report).write_text(html.render(built), encoding="utf-8")
    for ran in runs:
        note = ran.result.reason or ran.result.evidence
        print(f"{ran.result.outcome.upper():8} {ran.probe.id}: {note[:160]}", file=out)
    summary = built["summary"]
    print(f"{summary['total']} probes: {summary['held']} held, {summary['failed']} failed, "
          f"{summary['skipped']} skipped", file=out)
    return 1 if summary["failed"] else 0


async def _simulate(target: Any, settings: Any, options: Options, rate: float, max_duration: float) -> list[Any]:
    async with Session(target, settings, Pace(rate, max_duration), options) as session:
        return await run_all(session, plan(settings))


