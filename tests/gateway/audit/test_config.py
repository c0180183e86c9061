"""The audit section binds through the real config path and names the key that is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from filters.options import OptionsError, bind
from gateway.audit.config import AuditSettings


def test_disabled_by_default() -> None:
    assert not bind(AuditSettings, {}, "audit").enabled


def test_key_from_file(key_files: tuple[Path, Path]) -> None:
    settings = bind(AuditSettings, {"path": "/var/log/a.jsonl", "signing_key_file": str(key_files[0])}, "audit")
    assert settings.enabled and settings.on_failure == "refuse"
    assert "PRIVATE" not in repr(settings)


def _ec_pem() -> str:
    return ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()


@pytest.mark.parametrize(("data", "where", "says"), [
    ({"path": "/a.jsonl"}, "audit.signing_key", "required"),
    ({"path": "/a.jsonl", "signing_key": "not a key"}, "audit.signing_key", "PEM"),
    ({"path": "/a.jsonl", "signing_key": "EC"}, "audit.signing_key", "Ed25519"),
    ({"postgres": {"dsn": "postgresql://db/x"}}, "audit.path", "required"),
    ({"on_failure": "ignore"}, "audit.on_failure", "refuse"),
    ({"checkpoint_every": 0}, "audit.checkpoint_every", ">= 1"),
    ({"queue_size": 0}, "audit.queue_size", ">= 1"),
    ({"checkpoint_interval": 0}, "audit.checkpoint_interval", "> 0"),
    ({"rotate_size": "1KiB"}, "audit.rotate_size", "4KiB"),
    ({"sign_key": "x"}, "audit.sign_key", "unknown key"),
])
def test_errors_name_the_key(data: dict[str, object], where: str, says: str) -> None:
    if data.get("signing_key") == "EC":
        data = {**data, "signing_key": _ec_pem()}
    with pytest.raises(OptionsError) as raised:
        bind(AuditSettings, data, "audit")
    assert raised.value.path == where and says in raised.value.problem


@pytest.mark.parametrize(("postgres", "where"), [
    ({"dsn": "mysql://db/x"}, "audit.postgres.dsn"),
    ({"dsn": "postgresql://db/x", "table": "audit; drop table users"}, "audit.postgres.table"),
    ({"dsn": "postgresql://db/x", "table": 'a"b'}, "audit.postgres.table"),
])
def test_postgres_errors(key_files: tuple[Path, Path], postgres: dict[str, str], where: str) -> None:
    data = {"path": "/a.jsonl", "signing_key_file": str(key_files[0]), "postgres": postgres}
    with pytest.raises(OptionsError) as raised:
        bind(AuditSettings, data, "audit")
    assert raised.value.path == where


def test_each_worker_gets_its_own_chain(key_files: tuple[Path, Path]) -> None:
    settings = bind(AuditSettings, {"path": "/var/log/audit.jsonl", "signing_key_file": str(key_files[0])})
    assert settings.for_worker(0).path == "/var/log/audit.jsonl"
    assert settings.for_worker(2).path == "/var/log/audit.w2.jsonl"
