"""`check-config` opens every file `serve` will open: one missing and one broken file per key that takes a path.

A complete config names a file at every such key (all of them real and valid, so the base passes);
each case breaks exactly one and expects exit status 2 and one line naming that key.
"""

from __future__ import annotations

import base64
import copy
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from gateway.cli import main
from gateway.tls.certs import create_dev_certs

Config = dict[str, Any]


def _pem(key: ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every kind of file a config can name, valid, plus junk and a key of another pair."""
    root = tmp_path_factory.mktemp("preflight")
    certs = create_dev_certs(root / "tls")
    other = create_dev_certs(root / "other", client_name=None)
    made = {"ca": certs.ca_cert, "server.crt": certs.server_cert, "server.key": certs.server_key,
            "client.crt": certs.client_cert, "client.key": certs.client_key, "other.key": other.server_key}
    writes = {
        "jwt.pem": _pem(ed25519.Ed25519PrivateKey.generate()),
        "audit.pem": _pem(ed25519.Ed25519PrivateKey.generate()),
        "totp.key": base64.b64encode(os.urandom(32)),
        "short.key": base64.b64encode(os.urandom(16)),
        "kek": os.urandom(32).hex().encode(),
        "hash.key": b"a-hash-key-of-enough-length",
        "vault.key": base64.b64encode(os.urandom(32)),
        "blocklist": b"evil.example\n",
        "webhook.secret": b"a-webhook-secret-long-enough",
        "redis.url": b"redis://127.0.0.1:6379/0",
        "junk": b"this is not PEM, base64 or anything else\n",
        "rsa-ish.pem": _pem(ec.generate_private_key(ec.SECP521R1())),
    }
    for name, data in writes.items():
        (root / name).write_bytes(data)
        made[name] = root / name
    for name in ("data", "archive", "log"):
        (root / name).mkdir()
        made[name] = root / name
    return {key: Path(value) for key, value in made.items() if value is not None}


def complete(f: dict[str, Path]) -> Config:
    """A config that names a file at every key that takes one."""
    return {
        "listen": {"host": "127.0.0.1", "port": 18443, "tls": {
            "cert": str(f["server.crt"]), "key": str(f["server.key"]), "client_ca": str(f["ca"]),
            "client_cert": "optional", "sni": {"chat.example": {"cert": str(f["server.crt"]),
                                                                "key": str(f["server.key"])}}}},
        "admin": {"enabled": False},
        "upstreams": {"chat": {"url": "https://127.0.0.1:8443", "tls": {
            "ca_file": str(f["ca"]), "cert": str(f["client.crt"]), "key": str(f["client.key"])}}},
        "state": {"backend": "redis", "url_file": str(f["redis.url"])},
        "auth": {"store": f"sqlite:///{f['data']}/users.db",
                 "jwt": {"signing_keys": [str(f["jwt.pem"])]},
                 "totp": {"encryption_key_file": str(f["totp.key"])}},
        "audit": {"path": str(f["log"] / "audit.jsonl"), "signing_key_file": str(f["audit.pem"]),
                  "anchor": str(f["log"] / "anchor.jsonl")},
        "keys": {"kek_file": str(f["kek"]), "previous": [{"kek_file": str(f["kek"])}]},
        "transcripts": {"database": f"sqlite:///{f['data']}/transcripts.db", "archive_after": "90d",
                        "archive": {"dir": str(f["archive"])}},
        "alerts": {"webhooks": [{"url": "https://hooks.example/x", "secret_file": str(f["webhook.secret"])}]},
        "filters": {
            "mask": {"use": "masking", "options": {"style": "hash", "hash_key_file": str(f["hash.key"]),
                                                   "vault_key_file": str(f["vault.key"])}},
            "threat": {"use": "threat", "options": {"blocklists": [str(f["blocklist"])]}},
        },
        "routes": [{"name": "chat", "match": {"path": "/chat"}, "upstream": "chat", "allow": ["anonymous"],
                    "filters": ["mask", "threat"]}],
    }


def at(config: Config, dotted: str, value: Any) -> None:
    """Set `a.b.0.c` (list indices as numbers) in place."""
    *parents, last = dotted.split(".")
    node: Any = config
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


MISSING = "/nonexistent/chatguard-preflight/file"
# (where in the YAML, the replacement: a name from `files` or a literal, the key path the error names)
CASES: list[tuple[str, str, str]] = [
    ("listen.tls.cert", MISSING, "listen.tls.cert"),
    ("listen.tls.cert", "junk", "listen.tls.cert"),
    ("listen.tls.key", MISSING, "listen.tls.key"),
    ("listen.tls.key", "junk", "listen.tls.key"),
    ("listen.tls.key", "other.key", "listen.tls.key"),
    ("listen.tls.client_ca", MISSING, "listen.tls.client_ca"),
    ("listen.tls.client_ca", "junk", "listen.tls.client_ca"),
    ("upstreams.chat.tls.ca_file", MISSING, "upstreams.chat.tls.ca_file"),
    ("upstreams.chat.tls.ca_file", "junk", "upstreams.chat.tls.ca_file"),
    ("upstreams.chat.tls.cert", MISSING, "upstreams.chat.tls.cert"),
    ("upstreams.chat.tls.key", "junk", "upstreams.chat.tls.key"),
    ("upstreams.chat.tls.key", "other.key", "upstreams.chat.tls.key"),
    ("state.url_file", MISSING, "state.url_file"),
    ("state.url_file", "junk", "state.url"),
    ("auth.jwt.signing_keys.0", MISSING, "auth.jwt.signing_keys[0]"),
    ("auth.jwt.signing_keys.0", "junk", "auth.jwt.signing_keys[0]"),
    ("auth.jwt.signing_keys.0", "rsa-ish.pem", "auth.jwt.signing_keys[0]"),
    ("auth.totp.encryption_key_file", MISSING, "auth.totp.encryption_key_file"),
    ("auth.totp.encryption_key_file", "short.key", "auth.totp.encryption_key"),
    ("auth.store", "sqlite:////nonexistent/chatguard-preflight/users.db", "auth.store"),
    ("auth.store", "postgresql://", "auth.store"),
    ("audit.path", MISSING, "audit.path"),
    ("audit.signing_key_file", MISSING, "audit.signing_key_file"),
    ("audit.signing_key_file", "junk", "audit.signing_key"),
    ("audit.anchor", MISSING, "audit.anchor"),
    ("keys.kek_file", MISSING, "keys.kek_file"),
    ("keys.kek_file", "junk", "keys.kek"),
    ("keys.previous.0.kek_file", "short.key", "keys.previous[0].kek"),
    ("transcripts.database", "sqlite:////nonexistent/chatguard-preflight/t.db", "transcripts.database"),
    ("transcripts.database", "postgresql://:notaport/db", "transcripts.database"),
    ("transcripts.archive.dir", MISSING, "transcripts.archive.dir"),
    ("alerts.webhooks.0.secret_file", MISSING, "alerts.webhooks[0].secret_file"),
    ("filters.mask.options.hash_key_file", MISSING, "filters.mask.options.hash_key_file"),
    ("filters.mask.options.vault_key_file", "short.key", "filters.mask.options.vault_key"),
    ("filters.threat.options.blocklists.0", MISSING, "filters.threat.options.blocklists[0]"),
]


def _run(tmp_path: Path, config: Config, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    path = tmp_path / "chatguard.yaml"
    path.write_text(yaml.safe_dump(config))
    status = main(["check-config", *extra, str(path)])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_the_complete_config_passes(files: dict[str, Path], tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = _run(tmp_path, complete(files), capsys)
    assert status == 0, err
    assert "identity: built-in issuer 'chatguard'" in out and "client certificates (optional" in out


@pytest.mark.parametrize(("where", "replacement", "key"), CASES, ids=[f"{c[0]}={c[1].rsplit('/', 1)[-1]}" for c in CASES])
def test_one_bad_file_names_its_key(files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                    where: str, replacement: str, key: str) -> None:
    config = copy.deepcopy(complete(files))
    at(config, where, str(files[replacement]) if replacement in files else replacement)
    status, _, err = _run(tmp_path, config, capsys)
    assert status == 2
    lines = err.strip().splitlines()
    assert lines and all(line.startswith("chatguard: config error: ") for line in lines), err
    assert lines[0].removeprefix("chatguard: config error: ").startswith(f"{key}: "), err
    assert "Traceback" not in err


@pytest.mark.parametrize("part", ["cert", "key"])
def test_a_bad_sni_pair_names_its_server_name(files: dict[str, Path], tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str], part: str) -> None:
    config = complete(files)
    config["listen"]["tls"]["sni"]["chat.example"][part] = MISSING
    status, _, err = _run(tmp_path, config, capsys)
    assert status == 2 and f"listen.tls.sni.chat.example.{part}: cannot read" in err


def test_every_problem_is_reported_at_once(files: dict[str, Path], tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    config = complete(files)
    config["listen"]["tls"]["cert"] = MISSING
    config["auth"]["jwt"]["signing_keys"] = [MISSING]
    config["transcripts"]["archive"]["dir"] = MISSING
    status, _, err = _run(tmp_path, config, capsys)
    assert status == 2
    assert [line.split(": ")[2] for line in err.strip().splitlines()] == [
        "listen.tls.cert", "auth.jwt.signing_keys[0]", "transcripts.archive.dir"]


def _external_only(files: dict[str, Path], **auth: Any) -> Config:
    config = complete(files)
    config["auth"] = {"enabled": True, "external": [{"issuer": "https://idp.example", "audience": "chat",
                                                     "jwks_url": "https://idp.example/jwks"}], **auth}
    return config


def test_external_issuers_alone_need_no_signing_key(files: dict[str, Path], tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = _run(tmp_path, _external_only(files), capsys)
    assert status == 0, err
    identity = next(line for line in out.splitlines() if line.startswith("identity: "))
    assert "external issuer 'https://idp.example'" in identity and "built-in" not in identity


def test_external_issuers_with_auth_disabled_are_still_used(files: dict[str, Path], tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = _run(tmp_path, _external_only(files, enabled=False), capsys)
    assert status == 0 and "external issuer 'https://idp.example'" in out


def test_builtin_issuer_without_keys_or_external_issuers_is_an_error(
        files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = complete(files)
    config["auth"]["jwt"] = {}
    status, _, err = _run(tmp_path, config, capsys)
    assert status == 2 and "auth.jwt.signing_keys: at least one PEM key is required" in err


@pytest.mark.parametrize("extra", [{"visitors": {"enabled": True}},
                                   {"delegates": [{"routes": ["chat"], "path": "/whoami"}]}])
def test_what_needs_the_builtin_issuer_says_so(files: dict[str, Path], tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str], extra: Config) -> None:
    status, _, err = _run(tmp_path, _external_only(files, **extra), capsys)
    assert status == 2 and "needs the built-in issuer" in err


def test_no_problem_makes_a_traceback(files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file that exists but cannot be read (permissions) is a config error too, not an exception."""
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    unreadable = tmp_path / "unreadable.pem"
    unreadable.write_bytes(files["jwt.pem"].read_bytes())
    unreadable.chmod(0)
    config = complete(files)
    config["auth"]["jwt"]["signing_keys"] = [str(unreadable)]
    status, _, err = _run(tmp_path, config, capsys)
    assert status == 2 and "auth.jwt.signing_keys[0]: cannot read" in err and "Permission denied" in err

