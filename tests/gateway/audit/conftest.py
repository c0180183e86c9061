"""Keys, settings and ready-made chains for the audit tests (real files under tmp_path)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from filters.options import bind
from gateway.audit.chain import AuditChain, archived_files
from gateway.audit.config import AuditSettings
from gateway.audit.entry import Event, clean_fields, iso


def private_pem(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def public_pem(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


@pytest.fixture(scope="session")
def signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def key_files(tmp_path: Path, signing_key: Ed25519PrivateKey) -> tuple[Path, Path]:
    """(private PEM, public PEM) written the way an operator keeps them."""
    private, public = tmp_path / "audit-key.pem", tmp_path / "audit-key.pub"
    private.write_text(private_pem(signing_key))
    public.write_bytes(public_pem(signing_key))
    return private, public


@pytest.fixture
def make_settings(tmp_path: Path, key_files: tuple[Path, Path]) -> Callable[..., AuditSettings]:
    """Settings through the real config binding (signing_key_file is read like in production)."""
    def build(**overrides: Any) -> AuditSettings:
        data: dict[str, Any] = {"path": str(tmp_path / "logs" / "audit.jsonl"),
                                "signing_key_file": str(key_files[0]), "fsync": False}
        data.update(overrides)
        (tmp_path / "logs").mkdir(exist_ok=True)
        return bind(AuditSettings, data, "audit")
    return build


class Clock:
    """A wall clock the test moves by hand (day rotation, checkpoint intervals)."""

    def __init__(self, start: datetime = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def events(count: int, start: int = 0) -> list[Event]:
    return [Event(iso(datetime(2030, 1, 1, tzinfo=UTC)), "login.success",
                  clean_fields({"subject": f"user{i}", "client": "192.0.2.7"}))
            for i in range(start, start + count)]


def write_all(chain: AuditChain, items: list[Event]) -> None:
    while items:
        items = items[chain.append(items):]


def chain_files(settings: AuditSettings) -> list[Path]:
    """Every file of a chain in order: rotated ones, then the active one if present."""
    active = Path(settings.path)
    return archived_files(active) + ([active] if active.exists() else [])


@pytest.fixture
def build_chain(make_settings: Callable[..., AuditSettings]) -> Callable[..., list[Path]]:
    """Write `count` events into a closed chain; returns its files in order."""
    def build(count: int = 12, **overrides: Any) -> list[Path]:
        settings = make_settings(**{"checkpoint_every": 5, **overrides})
        chain = AuditChain(replace(settings), clock=Clock())
        chain.open()
        write_all(chain, events(count))
        chain.close()
        return chain_files(settings)
    return build
