"""Loading a command's arguments and config: the exit statuses and the one-line error."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

from gateway.config.load import command_settings


def parser() -> argparse.ArgumentParser:
    made = argparse.ArgumentParser(prog="chatguard test")
    made.add_argument("--config", required=True)
    return made


def test_help_is_0_and_bad_arguments_are_2() -> None:
    assert command_settings(parser(), ["--help"], io.StringIO()) == 0
    assert command_settings(parser(), ["--nope"], io.StringIO()) == 2


def test_a_config_that_does_not_load_is_one_line_and_2(tmp_path: Path) -> None:
    broken = tmp_path / "c.yaml"
    broken.write_text("listen: {port: nope}\n")
    err = io.StringIO()
    assert command_settings(parser(), ["--config", str(broken)], err) == 2
    assert err.getvalue().startswith("chatguard: config error: listen.port") and err.getvalue().count("\n") == 1


def test_arguments_and_settings_when_both_are_good(tmp_path: Path) -> None:
    good = tmp_path / "c.yaml"
    good.write_text("upstreams: {up: {url: 'http://127.0.0.1:9'}}\n"
                    "routes: [{match: {path: /x}, upstream: up, allow: [anonymous]}]\n")
    parsed = command_settings(parser(), ["--config", str(good)], io.StringIO())
    assert not isinstance(parsed, int)
    args, settings = parsed
    assert args.config == str(good) and settings.routes[0].match.path == "/x"
