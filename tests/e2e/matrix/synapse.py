"""A real Synapse homeserver for the end-to-end tests: SQLite, loopback only, one per test module.

Synapse (PyPI `matrix-synapse`, installed by `make venv` with the `matrix` extra) runs as a child
process on a free loopback port with a config written here: no federation listener, no key
servers, open registration without verification (the tests register their own users), and rate
limits raised so a test's burst of requests is never throttled. `db` is its SQLite file, so a
test can look at what the backend really stored.
"""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

from tests.ports import free_port

START_TIMEOUT = 180.0   # seconds: Synapse imports a lot; a loaded 2-core machine takes its time
SERVER_NAME = "localhost"
_GENEROUS = {"per_second": 1000, "burst_count": 1000}


@dataclass(frozen=True)
class Synapse:
    url: str
    db: Path
    log: Path




def write_config(directory: Path, port: int) -> Path:
    key = directory / "signing.key"
    seed = base64.b64encode(os.urandom(32)).decode().rstrip("=")
    key.write_text(f"ed25519 a_test {seed}\n")
    config = {
        "server_name": SERVER_NAME,
        "pid_file": str(directory / "homeserver.pid"),
        "listeners": [{"port": port, "bind_addresses": ["127.0.0.1"], "type": "http", "tls": False,
                       "x_forwarded": False, "resources": [{"names": ["client"], "compress": False}]}],
        "database": {"name": "sqlite3", "args": {"database": str(directory / "homeserver.db")}},
        "media_store_path": str(directory / "media"),
        "signing_key_path": str(key),
        "macaroon_secret_key": secrets.token_hex(32),
        "form_secret": secrets.token_hex(32),
        "registration_shared_secret": secrets.token_hex(32),
        "enable_registration": True,
        "enable_registration_without_verification": True,
        "report_stats": False,
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "url_preview_enabled": False,
        "presence": {"enabled": False},
        "rc_message": _GENEROUS,
        "rc_registration": _GENEROUS,
        "rc_joins": {"local": _GENEROUS, "remote": _GENEROUS},
        "rc_login": {"address": _GENEROUS, "account": _GENEROUS, "failed_attempts": _GENEROUS},
        "rc_invites": {"per_room": _GENEROUS, "per_user": _GENEROUS},
    }
    path = directory / "homeserver.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def _ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"synapse exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_matrix/client/versions", timeout=5) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    raise RuntimeError(f"synapse did not answer within {START_TIMEOUT:.0f}s:\n{log.read_text()[-4000:]}")


@contextmanager
def run_synapse(directory: Path) -> Iterator[Synapse]:
    """Start Synapse in `directory`; stop it (and only it) when done."""
    port = free_port()
    config = write_config(directory, port)
    log = directory / "synapse.out"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "synapse.app.homeserver", "-c", str(config)],
                                   stdout=out, stderr=subprocess.STDOUT, cwd=directory)
    url = f"http://127.0.0.1:{port}"
    try:
        _ready(url, process, log)
        yield Synapse(url, directory / "homeserver.db", log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
