"""The `audit:` section of the config: where the chain is written and how it must behave.

Audit is off while `path` is empty. Once a path is given, a signing key is required:
an unsigned hash chain can be rewritten end to end by anyone who can write the file,
so it would only look tamper-evident.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import Literal

from filters.options import ByteSize, Duration, OptionsError, join

_IDENT = r"[A-Za-z_][A-Za-z0-9_]{0,62}"
_TABLE = re.compile(rf"^{_IDENT}(\.{_IDENT})?$")


@dataclass(frozen=True)
class PostgresAuditSettings:
    """A copy of every entry in PostgreSQL, for querying; the file stays the record of truth."""

    dsn: str = field(repr=False)
    table: str = "chatguard_audit"
    timeout: Duration = Duration(5)
    pending: int = 100_000

    def validate(self, path: str) -> None:
        if not self.dsn.startswith(("postgres://", "postgresql://")):
            raise OptionsError(join(path, "dsn"), "expected a postgresql:// URL")
        if not _TABLE.match(self.table):
            raise OptionsError(join(path, "table"), f"expected a table name like audit or schema.audit, got {self.table!r}")
        if self.timeout <= 0:
            raise OptionsError(join(path, "timeout"), "expected a duration > 0")
        if self.pending < 1:
            raise OptionsError(join(path, "pending"), f"expected >= 1, got {self.pending}")


@dataclass(frozen=True)
class AuditSettings:
    path: str = ""
    signing_key: str = field(default="", repr=False)   # Ed25519 private key, PEM (usually signing_key_file)
    on_failure: Literal["refuse", "continue"] = "refuse"
    checkpoint_every: int = 1000
    checkpoint_interval: Duration = Duration(300)
    rotate_size: ByteSize = ByteSize(100 * 1024 * 1024)
    rotate_daily: bool = True
    queue_size: int = 10_000
    batch: int = 256
    fsync: bool = True
    postgres: PostgresAuditSettings | None = None
    anchor: str = ""   # witness file for checkpoints, on another volume (verify --anchor)

    @property
    def enabled(self) -> bool:
        return bool(self.path)

    def validate(self, path: str) -> None:
        for name in ("checkpoint_every", "queue_size", "batch"):
            if getattr(self, name) < 1:
                raise OptionsError(join(path, name), f"expected >= 1, got {getattr(self, name)}")
        if self.checkpoint_interval <= 0:
            raise OptionsError(join(path, "checkpoint_interval"), "expected a duration > 0")
        if 0 < self.rotate_size < 4096:
            raise OptionsError(join(path, "rotate_size"), "expected 0 (no size limit) or at least 4KiB")
        if not self.enabled:
            if self.postgres is not None:
                raise OptionsError(join(path, "path"), "required when audit.postgres is set (the file is the record)")
            if self.anchor:
                raise OptionsError(join(path, "path"), "required when audit.anchor is set")
            return
        if self.anchor and PurePath(self.anchor) == PurePath(self.path):
            raise OptionsError(join(path, "anchor"), "must be another file than the trail (ideally another volume)")
        if not self.signing_key:
            raise OptionsError(join(path, "signing_key"),
                               "required when audit.path is set (give signing_key_file: an Ed25519 PEM key)")
        from gateway.audit.signing import load_private_key  # local: keeps config import light

        try:
            load_private_key(self.signing_key)
        except ValueError as exc:
            raise OptionsError(join(path, "signing_key"), str(exc)) from None

    def for_worker(self, index: int) -> AuditSettings:
        """Each worker process keeps its own chain (`audit.jsonl` -> `audit.w2.jsonl`): one writer per file."""
        if not self.enabled or index == 0:
            return self
        pure = PurePath(self.path)
        anchor = PurePath(self.anchor) if self.anchor else None
        return replace(self, path=str(pure.with_name(f"{pure.stem}.w{index}{pure.suffix}")),
                       anchor=str(anchor.with_name(f"{anchor.stem}.w{index}{anchor.suffix}")) if anchor else "")
