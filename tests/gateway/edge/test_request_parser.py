"""The gateway refuses to serve on aiohttp's pure-Python request parser, which frames requests otherwise."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from aiohttp import http_parser, web_protocol

from gateway.cli import main
from gateway.edge.request_parser import compiled_parser_in_use

REPO = Path(__file__).resolve().parents[3]
CONFIG = {"upstreams": {"chat": {"url": "http://127.0.0.1:9"}},
          "routes": [{"match": {"path": "/"}, "upstream": "chat", "allow": ["anonymous"]}]}


def test_the_compiled_parser_is_what_the_tests_run_on() -> None:
    assert compiled_parser_in_use()


def test_check_config_names_the_listener_when_the_parser_is_pure_python(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(web_protocol, "HttpRequestParser", http_parser.HttpRequestParserPy)
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(CONFIG))
    assert main(["check-config", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("chatguard: config error: listen: aiohttp's compiled HTTP parser is not in use")
    assert len(err.strip().splitlines()) == 1


def test_serve_stops_with_one_line_under_aiohttp_no_extensions(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(CONFIG))
    done = subprocess.run([sys.executable, "-m", "gateway", "serve", "--config", str(path)], cwd=REPO,
                          env={**os.environ, "AIOHTTP_NO_EXTENSIONS": "1"}, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        "chatguard: config error: listen: aiohttp's compiled HTTP parser is not in use (AIOHTTP_NO_EXTENSIONS is set, "
        "or aiohttp has no compiled build here); the gateway frames requests only with it"]
