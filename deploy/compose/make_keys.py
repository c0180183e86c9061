"""Create the keys the compose demo needs, once, in the directory given (a named volume).

Runs as the compose `keys` service before anything else; files that exist are kept, so a restart
never rotates keys under a running deployment. Private keys are mode 0600 (read by chatguard, uid
10001, who writes them); the PostgreSQL password is also readable by the postgres container.
"""

from __future__ import annotations

import base64
import os
import secrets
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def _write(path: Path, data: bytes, mode: int) -> None:
    if path.exists():
        return
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    print(f"created {path}")


def _ed25519() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def main(directory: str) -> None:
    out = Path(directory)
    _write(out / "jwt.pem", _ed25519(), 0o600)
    _write(out / "audit-signing.pem", _ed25519(), 0o600)
    _write(out / "totp.key", base64.b64encode(secrets.token_bytes(32)), 0o600)
    _write(out / "postgres-password", secrets.token_urlsafe(24).encode(), 0o444)
    password = (out / "postgres-password").read_text().strip()
    _write(out / "postgres-dsn", f"postgresql://chatguard:{password}@postgres:5432/chatguard".encode(), 0o600)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/var/lib/chatguard")
