"""`chatguard keys`: every key a config names, private to its owner, usable as printed; rotation puts a new
signing key in front and keeps the old ones verifying."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import yaml

from filters import Principal
from gateway.auth.tokens import TokenIssuer, load_keys
from gateway.cli import main


def _generate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    out = tmp_path / "keys"
    assert main(["keys", "generate", "--out", str(out)]) == 0
    return out, capsys.readouterr().out


def test_generate_writes_every_key_owner_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = _generate(tmp_path, capsys)
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    names = {p.name for p in out.iterdir()}
    assert names == {"jwt.pem", "totp.key", "audit.pem", "audit.pub.pem", "kek", "mask-vault.key",
                     "mask-hash.key", "webhook.secret"}
    for path in out.iterdir():
        expected = 0o644 if path.name == "audit.pub.pem" else 0o600
        assert stat.S_IMODE(path.stat().st_mode) == expected, path.name


def test_the_printed_lines_make_a_config_that_passes_check_config(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    out, printed = _generate(tmp_path, capsys)
    config = yaml.safe_load(printed)
    config["audit"]["path"] = str(tmp_path / "audit.jsonl")
    config["auth"]["store"] = f"sqlite:///{tmp_path}/users.db"
    config["upstreams"] = {"chat": {"url": "http://127.0.0.1:8008"}}
    config["routes"] = [{"match": {"path": "/"}, "upstream": "chat", "allow": ["anonymous"], "filters": ["mask"]}]
    path = tmp_path / "chatguard.yaml"
    path.write_text(yaml.safe_dump(config))
    assert main(["check-config", str(path)]) == 0, capsys.readouterr().err
    assert str(out) in printed and "audit verify --key" in printed


def test_existing_keys_are_never_overwritten(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = _generate(tmp_path, capsys)
    before = (out / "jwt.pem").read_bytes()
    assert main(["keys", "generate", "--out", str(out)]) == 2
    assert "exists; keys are never overwritten" in capsys.readouterr().err
    assert (out / "jwt.pem").read_bytes() == before


def test_rotate_jwt_puts_a_new_key_in_front_and_the_old_one_still_verifies(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = _generate(tmp_path, capsys)
    old = str(out / "jwt.pem")
    path = tmp_path / "chatguard.yaml"
    path.write_text(yaml.safe_dump({"upstreams": {"chat": {"url": "http://127.0.0.1:8008"}},
                                    "auth": {"jwt": {"signing_keys": [old]}, "store": f"sqlite:///{tmp_path}/u.db"},
                                    "routes": [{"match": {"path": "/"}, "upstream": "chat", "allow": ["anonymous"]}]}))
    assert main(["keys", "rotate", "jwt", "--config", str(path)]) == 0
    printed = yaml.safe_load(capsys.readouterr().out)
    keys = printed["auth"]["jwt"]["signing_keys"]
    assert len(keys) == 2 and keys[1] == old and Path(keys[0]).parent == out and keys[0] != old
    assert stat.S_IMODE(Path(keys[0]).stat().st_mode) == 0o600
    before = TokenIssuer(load_keys((old,)), "chatguard", "chatguard", 900)
    after = TokenIssuer(load_keys(tuple(keys)), "chatguard", "chatguard", 900)
    token = before.issue(Principal(subject="ann", roles=frozenset({"agent"})), "s1", {})
    assert after.verify(token)["sub"] == "ann"  # issued before the rotation, still good
    assert after.current.kid != before.current.kid


def test_rotate_without_a_config_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keys", "rotate", "jwt", "--config", str(tmp_path / "missing.yaml")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("chatguard: config error: ") and len(err.splitlines()) == 1
