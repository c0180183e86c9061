"""Loading a config for a command: the settings, or the one-line error every command prints."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TextIO

from filters.options import OptionsError
from gateway.config.settings import Settings, load_settings


def load_or_report(path: str, err: TextIO) -> Settings | None:
    """The settings at `path`, or None after printing `chatguard: config error: key: cause` to `err`."""
    try:
        return load_settings(path)
    except OptionsError as exc:
        print(f"chatguard: config error: {exc}", file=err)
        return None


def command_settings(parser: argparse.ArgumentParser, argv: Sequence[str],
                     err: TextIO) -> tuple[argparse.Namespace, Settings] | int:
    """A subcommand's arguments and the settings of its `--config`, or the exit status once argparse or
    `load_or_report` has spoken: 0 after `--help`, 2 for bad arguments or a config that does not load."""
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2
    settings = load_or_report(args.config, err)
    return 2 if settings is None else (args, settings)
