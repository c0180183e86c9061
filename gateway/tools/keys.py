"""`chatguard keys`: make every key a config can name, and rotate the token signing key.

```
chatguard keys generate --out DIR          # every key, mode 0600, and the config lines that use them
chatguard keys rotate jwt --config F [--out DIR]   # a new signing key in front of the old ones
```
Files that exist are never overwritten (exit 2): a key in use replaced by mistake locks users out or
makes stored data unreadable. Keys are written with `O_EXCL` and mode 0600 in a directory made 0700.
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import sys
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

EXIT_CONFIG = 2


class KeyFileError(Exception):
    """One line on stderr, exit status 2."""


def _ed25519() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def _private_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _public_pem(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def write_secret(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Create `path` with `mode`; never replace an existing file."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        raise KeyFileError(f"{path} exists; keys are never overwritten (move it away first)") from None
    except OSError as exc:
        raise KeyFileError(f"cannot create {path}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def _directory(out: Path) -> Path:
    try:
        out.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise KeyFileError(f"--out: cannot create {str(out)!r}: {exc.strerror or exc}") from None
    return out.resolve()


# file name -> (what makes its content, mode): the order is the order the config lines come in
def _key_files() -> dict[str, tuple[Callable[[], bytes], int]]:
    audit = _ed25519()
    return {
        "jwt.pem": (lambda: _private_pem(_ed25519()), 0o600),
        "totp.key": (lambda: base64.b64encode(secrets.token_bytes(32)) + b"\n", 0o600),
        "audit.pem": (lambda: _private_pem(audit), 0o600),
        "audit.pub.pem": (lambda: _public_pem(audit), 0o644),
        "kek": (lambda: secrets.token_bytes(32).hex().encode() + b"\n", 0o600),
        "mask-vault.key": (lambda: base64.b64encode(secrets.token_bytes(32)) + b"\n", 0o600),
        "mask-hash.key": (lambda: secrets.token_urlsafe(32).encode() + b"\n", 0o600),
        "webhook.secret": (lambda: secrets.token_urlsafe(32).encode() + b"\n", 0o600),
    }


CONFIG_LINES = """\
# Keys made by `chatguard keys generate` in {d}
auth:
  jwt:
    signing_keys: [{d}/jwt.pem]              # Ed25519; rotate with `chatguard keys rotate jwt`
  totp:
    encryption_key_file: {d}/totp.key        # encrypts TOTP secrets at rest
audit:
  path: /var/log/chatguard/audit.jsonl
  signing_key_file: {d}/audit.pem            # verify: chatguard audit verify --key {d}/audit.pub.pem FILE
keys:
  kek_file: {d}/kek                          # wraps the data keys of transcripts and sealed fields
filters:
  mask:
    use: masking
    options:
      vault_key_file: {d}/mask-vault.key     # style tokenize
      hash_key_file: {d}/mask-hash.key       # style hash
alerts:
  webhooks:
    - url: https://alerts.example.org/chatguard
      secret_file: {d}/webhook.secret        # HMAC key signing each alert
"""


def generate(out: Path) -> str:
    """Write every key into `out`; the config lines that use them."""
    directory = _directory(out)
    files = _key_files()
    clashes = [name for name in files if (directory / name).exists()]
    if clashes:
        raise KeyFileError(f"{directory / clashes[0]} exists; keys are never overwritten (move it away first)")
    for name, (make, mode) in files.items():
        write_secret(directory / name, make(), mode)
    return CONFIG_LINES.format(d=directory)


def rotate_jwt(config: str, out: str | None) -> str:
    """A new signing key in front of the configured ones; the `signing_keys:` line to put in the config."""
    from filters.options import OptionsError
    from gateway.config.settings import load_settings

    try:
        settings = load_settings(config)
    except OptionsError as exc:
        raise KeyFileError(f"config error: {exc}") from None
    current = settings.auth.jwt.signing_keys if settings.auth is not None else ()
    if not current and out is None:
        raise KeyFileError("auth.jwt.signing_keys: no key configured; give --out DIR for the new one")
    directory = _directory(Path(out) if out is not None else Path(current[0]).parent)
    new = directory / f"jwt-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.pem"
    write_secret(new, _private_pem(_ed25519()))
    keys = ", ".join([str(new), *current])
    return (f"# {new} signs from now on; the old keys still verify tokens issued before (keep them for at\n"
            f"# least auth.jwt.ttl and auth.refresh_ttl, then drop them). Restart or roll the instances.\n"
            f"auth:\n  jwt:\n    signing_keys: [{keys}]\n")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="chatguard keys", description="Make and rotate the keys a config names.")
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("generate", help="write every key (mode 0600) and print the config lines")
    make.add_argument("--out", "-o", required=True, help="directory for the keys (created 0700)")
    rotate = commands.add_parser("rotate", help="rotate a key: rotate jwt --config F [--out DIR]")
    rotate.add_argument("kind", choices=("jwt",))
    rotate.add_argument("--config", "-c", required=True, help="path to chatguard.yaml")
    rotate.add_argument("--out", "-o", help="directory for the new key (default: the current key's)")
    args = parser.parse_args(argv)
    try:
        text = generate(Path(args.out)) if args.command == "generate" else rotate_jwt(args.config, args.out)
    except KeyFileError as exc:
        print(f"chatguard: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    print(text, end="")
    return 0
