"""The hardened example config with its secrets made up in a temporary directory."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.auth.tokens import generate_pem
from gateway.tls.certs import create_dev_certs

HARDENED = Path(__file__).resolve().parents[4] / "examples" / "hardened" / "chatguard.yaml"


def make_secrets(directory: Path) -> Path:
    """What examples/hardened/chatguard.yaml reads from CHATGUARD_SECRETS."""
    directory.mkdir(parents=True, exist_ok=True)
    certs = create_dev_certs(directory)
    (directory / "tls.crt").write_bytes(certs.server_cert.read_bytes())
    (directory / "tls.key").write_bytes(certs.server_key.read_bytes())
    (directory / "jwt.pem").write_bytes(generate_pem())
    (directory / "audit.pem").write_bytes(generate_pem())
    (directory / "totp.key").write_text(base64.b64encode(os.urandom(32)).decode())
    return directory


@pytest.fixture
def hardened_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    secrets = make_secrets(tmp_path / "secrets")
    monkeypatch.setenv("CHATGUARD_SECRETS", str(secrets))
    monkeypatch.setenv("CHATGUARD_DATA", str(tmp_path))
    yield secrets
