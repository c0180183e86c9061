"""`chatguard audit-config --config F [--format text|json|sarif]`.

Exit status: 0 no findings (or only info), 1 worst is low or medium, 2 worst is high or critical,
or the config does not load (one line naming the key, as `check-config` prints it).
"""

from __future__ import annotations

import argparse
from typing import TextIO

from filters.options import OptionsError
from gateway.tools.audit.findings import exit_status
from gateway.tools.audit.formats import as_json, as_sarif, as_text
from gateway.tools.audit.review import review_file


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = commands.add_parser("audit-config", help="review a config for security problems "
                                                     "(exit 0 clean, 1 low/medium, 2 high/critical)")
    audit.add_argument("--config", "-c", required=True, help="path to chatguard.yaml")
    audit.add_argument("--format", "-f", choices=("text", "json", "sarif"), default="text")


def run(args: argparse.Namespace, out: TextIO, err: TextIO, version: str = "0+unknown") -> int:
    try:
        findings = review_file(args.config)
    except OptionsError as exc:
        print(f"chatguard: config error: {exc}", file=err)
        return 2
    if args.format == "json":
        out.write(as_json(findings, args.config))
    elif args.format == "sarif":
        out.write(as_sarif(findings, args.config, version))
    else:
        out.write(as_text(findings, args.config))
    return exit_status(findings)
