"""`chatguard` subcommands that do not serve: version, check-config, filters, scan, certs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from gateway.cli import main

REPO = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, data: object) -> str:
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(data))
    return str(path)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith("chatguard ")


def test_check_config_ok(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from gateway.tls.certs import create_dev_certs

    create_dev_certs(tmp_path, client_name=None)  # the demo's certificates, as its runner makes them
    monkeypatch.setenv("CHATGUARD_DEMO_CERTS", str(tmp_path))
    monkeypatch.setenv("CHATGUARD_DEMO_DATA", str(tmp_path))  # the transcript database's directory
    assert main(["check-config", str(REPO / "config" / "demo.yaml")]) == 0
    out = capsys.readouterr().out
    assert ": ok (" in out and "identity: " in out


def test_check_config_without_the_demo_certificates_names_the_key(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CHATGUARD_DEMO_CERTS", str(tmp_path / "none"))
    monkeypatch.setenv("CHATGUARD_DEMO_DATA", str(tmp_path))
    assert main(["check-config", str(REPO / "config" / "demo.yaml")]) == 2
    assert capsys.readouterr().err.startswith("chatguard: config error: listen.tls.cert: cannot read ")


def test_check_config_error_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, {"upstreams": {"chat": {"url": "http://x"}},
                            "filters": {"mask": {"use": "masking", "options": {"stlye": "partial"}}},
                            "routes": [{"match": {"path": "/"}, "upstream": "chat", "allow": ["anonymous"],
                                        "filters": ["mask"]}]})
    assert main(["check-config", path]) == 2
    assert "filters.mask.options.stlye: unknown option (known: " in capsys.readouterr().err


def test_check_config_bad_route_template_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, {"upstreams": {"chat": {"url": "http://x"}},
                            "routes": [{"match": {"path": "/{room"}, "upstream": "chat", "allow": ["anonymous"]}]})
    assert main(["check-config", path]) == 2
    assert "routes[0].match.path" in capsys.readouterr().err


def test_check_config_warns_about_skipped_verification(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, {"upstreams": {"chat": {"url": "https://chat.internal",
                                                   "tls": {"insecure_skip_verify": True}}},
                            "routes": [{"match": {"path": "/"}, "upstream": "chat", "allow": ["anonymous"]}]})
    assert main(["check-config", path]) == 0
    assert "insecure_skip_verify" in capsys.readouterr().err


def test_filters_lists_builtins_and_plugins(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["filters"]) == 0
    out = capsys.readouterr().out
    for name in ("size_limit", "keyword", "masking", "threat"):
        assert name in out


def test_scan_runs_a_route_chain_over_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, {
        "upstreams": {"chat": {"url": "http://x"}},
        "filters": {"mask": {"use": "masking"}, "words": {"use": "keyword", "options": {"words": ["forbidden"]}}},
        "routes": [{"name": "widget", "match": {"path": "/"}, "upstream": "chat", "allow": ["anonymous"],
                    "filters": ["mask", "words"]}],
    })
    lines = tmp_path / "in.txt"
    lines.write_bytes(b'"my card 4111 1111 1111 1111"\nhello there\nthis is FORBIDDEN\n')
    with lines.open("rb") as stdin:
        monkeypatch.setattr("sys.stdin", type("S", (), {"buffer": stdin})())
        assert main(["scan", "--config", path, "--route", "widget"]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o["action"] for o in out] == ["modify", "pass", "block"]
    assert "4111" not in out[0]["text"] and out[0]["findings"][0]["type"] == "card"


def test_scan_unknown_route_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, {"upstreams": {"chat": {"url": "http://x"}},
                            "routes": [{"name": "a", "match": {"path": "/"}, "upstream": "chat",
                                        "allow": ["anonymous"]}]})
    assert main(["scan", "--config", path, "--route", "zz"]) == 2
    assert "unknown route 'zz' (known: a)" in capsys.readouterr().err


def test_certs_dev_creates_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["certs", "dev", "--out", str(tmp_path / "certs")]) == 0
    assert (tmp_path / "certs" / "ca.crt").exists() and (tmp_path / "certs" / "server.key").exists()
    assert "To trust the CA" in capsys.readouterr().out


def test_user_commands_use_the_configured_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    from gateway.auth.tokens import generate_pem

    key = tmp_path / "jwt.pem"
    key.write_bytes(generate_pem("EdDSA"))
    path = write(tmp_path, {"upstreams": {"chat": {"url": "http://x"}},
                            "auth": {"store": f"sqlite://{tmp_path}/users.db", "jwt": {"signing_keys": [str(key)]},
                                     "argon2_time_cost": 1, "argon2_memory_kib": 1024},
                            "routes": [{"match": {"path": "/"}, "upstream": "chat", "allow": ["agent"]}]})
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("a long enough password\n"))
    assert main(["user", "--config", path, "add", "ann", "--roles", "agent", "--password-stdin"]) == 0
    assert main(["user", "--config", path, "list"]) == 0
    assert "ann\tagent" in capsys.readouterr().out
    # --config after the subcommand works the same, and so does --config=FILE
    assert main(["user", "list", "--config", path]) == 0
    assert main(["user", "list", f"--config={path}"]) == 0
    assert capsys.readouterr().out.count("ann\tagent") == 2


def test_user_without_config_says_what_is_missing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["user", "list"]) == 2
    err = capsys.readouterr().err
    assert "--config FILE is required (before or after the subcommand)" in err and "usage: chatguard user" in err


def test_user_with_a_store_it_cannot_open_prints_the_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    path = write(tmp_path, {"upstreams": {"chat": {"url": "http://x"}},
                            "auth": {"store": f"sqlite:///{tmp_path}/a-file/users.db"},
                            "routes": [{"match": {"path": "/"}, "upstream": "chat", "allow": ["anonymous"]}]})
    assert main(["user", "list", "--config", path]) == 2
    err = capsys.readouterr().err
    assert err.startswith("chatguard: auth.store: ") and "Traceback" not in err


def test_user_commands_need_an_auth_section(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, {"upstreams": {"chat": {"url": "http://x"}},
                            "routes": [{"match": {"path": "/"}, "upstream": "chat", "allow": ["anonymous"]}]})
    assert main(["user", "--config", path, "list"]) == 2
    assert "auth: the config has no auth section" in capsys.readouterr().err


def test_audit_verify_is_wired(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "verify", str(tmp_path / "missing.jsonl")]) != 0


def test_check_config_lists_listeners_and_warns_about_a_public_admin_api(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = {"upstreams": {"chat": {"url": "http://x"}},
            "routes": [{"match": {"path": "/"}, "upstream": "chat", "allow": ["anonymous"]}]}
    assert main(["check-config", write(tmp_path, {**base, "probes": {"enabled": True}})]) == 0
    captured = capsys.readouterr()
    assert "listeners: listen 0.0.0.0:8080, admin 127.0.0.1:9901, probes 0.0.0.0:9902" in captured.out
    assert "admin.host" not in captured.err
    assert main(["check-config", write(tmp_path, {**base, "admin": {"host": "0.0.0.0"}})]) == 0
    assert "admin.host: 0.0.0.0 puts the admin API on the network" in capsys.readouterr().err


def test_check_config_refuses_two_listeners_on_one_port(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, {"upstreams": {"chat": {"url": "http://x"}}, "probes": {"enabled": True, "port": 9901}})
    assert main(["check-config", path]) == 2
    assert "probes.port: port 9901 is already taken by admin.port" in capsys.readouterr().err

