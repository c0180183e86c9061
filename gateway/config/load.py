"""Loading a config for a command: the settings, or the one-line error every command prints."""

from __future__ import annotations

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
