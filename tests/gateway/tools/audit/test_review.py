"""audit-config: each bad config gives its finding ids; the hardened example gives none."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from gateway.tools.audit import exit_status, review
from tests.gateway.tools.audit.conftest import HARDENED

BASE: dict[str, Any] = {
    "listen": {"host": "127.0.0.1", "port": 8080},
    "audit": {"path": ""},
    "upstreams": {"up": {"url": "http://127.0.0.1:9"}},
    "filters": {"words": {"use": "keyword", "options": {"words": ["x"]}}},
    "routes": [{"name": "chat", "match": {"path": "/chat/{room}"}, "upstream": "up", "allow": ["agent"],
                "filters": ["words"], "messages": {"inbound": {"json": ["/text"]}}}],
}
WS_ROUTE = {"name": "live", "match": {"path": "/ws", "websocket": True}, "upstream": "up", "allow": ["agent"]}


def ids(config: dict[str, Any]) -> set[str]:
    return {f.id for f in review(yaml.safe_dump(config))} - {"audit-disabled"}


def changed(**changes: Any) -> dict[str, Any]:
    config = copy.deepcopy(BASE)
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        node = config
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node.setdefault(key, {})
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return config


BAD: list[tuple[str, dict[str, Any], set[str]]] = [
    ("anonymous catch-all", changed(routes__0__allow=["anonymous"], routes__0__match={"path": "/api/{rest:path}"}),
     {"anonymous-nonpublic"}),
    ("anonymous admin path", changed(routes__0__allow=["anonymous"], routes__0__match={"path": "/admin/{x}"}),
     {"anonymous-nonpublic"}),
    ("preset catch-all", changed(routes=[{"preset": "mattermost", "upstream": "up", "allow": ["agent"]}]),
     {"preset-catchall-uninspected"}),
    ("fail open", changed(routes__0__fail="open"), {"fail-open"}),
    ("plain HTTP on the network", changed(listen={"host": "0.0.0.0", "port": 8080}), {"tls-off"}),
    ("TLS 1.2", changed(listen={"host": "0.0.0.0", "port": 8443,
                                "tls": {"cert": "/x.crt", "key": "/x.key", "min_version": "1.2"}}),
     {"tls12-allowed"}),
    ("HSTS off", changed(listen={"host": "0.0.0.0", "port": 8443, "tls": {
        "cert": "/x.crt", "key": "/x.key", "min_version": "1.3", "hsts": {"enabled": False}}}), {"hsts-off"}),
    ("skip verify", changed(upstreams={"up": {"url": "https://10.0.0.5",
                                              "tls": {"insecure_skip_verify": True, "min_version": "1.3"}}}),
     {"upstream-skip-verify"}),
    ("admin on the network", changed(admin={"host": "0.0.0.0"}), {"admin-exposed"}),
    ("inline webhook secret", changed(alerts={"webhooks": [{"url": "https://h.example/x",
                                                             "secret": "Zq8vN2rX5tLw9pK3mB7cY4hJ6dF1sG0a"}]}),
     {"inline-secret"}),
    ("env default secret", changed(alerts={"webhooks": [{"url": "https://h.example/x",
                                                          "secret": "${NOPE_UNSET_X:-Zq8vN2rX5tLw9pK3mB7cY4hJ6dF1sG0a}"}]}),
     {"inline-secret"}),
    ("password in a URL", changed(state={"backend": "redis", "url": "redis://:hunter2hunter2@10.0.0.9:6379/0"}),
     {"inline-secret"}),
    ("short hash key", changed(filters={"words": {"use": "keyword", "options": {"words": ["x"]}},
                                        "mask": {"use": "masking", "options": {"style": "hash",
                                                                               "hash_key": "${HASH_SHORT}"}}}),
     {"short-key"}),
    ("short webhook secret", changed(alerts={"webhooks": [{"url": "https://h.example/x",
                                                            "secret": "${WEBHOOK_SECRET_SHORT}"}]}),
     {"short-key"}),
    ("2FA missing", changed(roles={"agent": {"permissions": ["transcripts:read"]},
                                   "billing": {"inherits": ["agent"], "permissions": ["unmask:card"]}},
                            auth={"totp": {"required_roles": ["agent"]}}), {"mfa-not-required"}),
    ("shadow mode", changed(routes__0__mode="shadow"), {"shadow-mode"}),
    ("memory state, two workers", changed(workers=2), {"memory-state-workers"}),
    ("transcripts kept forever", changed(transcripts={"database": "sqlite:///tmp/audits-t.db"}),
     {"transcripts-no-retention"}),
    ("route keeps forever", changed(transcripts={"database": "sqlite:///tmp/audits-t.db", "retention": "30d"},
                                    routes__0__transcripts={"retention": "0s"}), {"transcripts-no-retention"}),
    ("trusted proxies public", changed(trusted_proxies=["10.0.0.0/8", "203.0.113.0/24"]),
     {"trusted-proxies-wide"}),
    ("WebSocket any origin", changed(routes=[WS_ROUTE | {"websocket": {"origins": ["*"]}}]),
     {"websocket-any-origin"}),
    ("sealed, never read back", changed(keys={"kek": "${AUDIT_KEK}", "store": "sqlite:///:memory:"},
                                        routes__0__encrypt_fields={"json": ["/text"]}), {"sealed-fields-unread"}),
    ("JWKS over http", changed(auth={"external": [{"issuer": "https://idp", "audience": "chat",
                                                   "jwks_url": "http://idp/jwks"}]}), {"jwks-plain-http"}),
]


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOK_SECRET_SHORT", "abcdefghijklmnopq")
    monkeypatch.setenv("HASH_SHORT", "0123456789abcdef")
    monkeypatch.setenv("AUDIT_KEK", "ab" * 32)


@pytest.mark.parametrize(("config", "expected"), [(c, e) for _, c, e in BAD], ids=[n for n, _, _ in BAD])
def test_bad_config_gives_its_finding(config: dict[str, Any], expected: set[str]) -> None:
    assert ids(config) == expected


def test_base_config_is_clean_but_for_the_audit_trail() -> None:
    assert ids(BASE) == set()
    assert [f.id for f in review(yaml.safe_dump(BASE))] == ["audit-disabled"]


def test_hardened_example_has_no_findings(hardened_env: Path) -> None:
    findings = review(HARDENED.read_text(), str(HARDENED))
    assert [(f.id, f.path) for f in findings] == []
    assert exit_status(findings) == 0


def test_findings_carry_key_path_line_and_advice() -> None:
    text = yaml.safe_dump(changed(routes__0__fail="open"), sort_keys=False)
    (finding,) = [f for f in review(text) if f.id == "fail-open"]
    assert finding.path == "routes[0].fail"
    assert finding.line == next(i for i, line in enumerate(text.splitlines(), 1) if "fail: open" in line)
    assert finding.severity == "high" and finding.rule.why and finding.rule.fix


def test_trusted_everything_is_critical() -> None:
    (finding,) = review(yaml.safe_dump(changed(trusted_proxies=["0.0.0.0/0"], audit={"path": ""})))[:1]
    assert (finding.id, finding.severity) == ("trusted-proxies-wide", "critical")


def test_guessable_long_key_is_weak(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOK", "change-me-to-a-long-secret-value-please")
    config = changed(alerts={"webhooks": [{"url": "https://h.example/x", "secret": "${HOOK}"}]})
    assert ids(config) == {"short-key"}


def test_hash_key_file_is_read_for_its_length(tmp_path: Path) -> None:
    key = tmp_path / "hash.key"
    key.write_text("tooshort-0123456")
    config = changed(filters={"mask": {"use": "masking", "options": {"style": "hash", "hash_key_file": str(key)}}},
                     routes__0__filters=["mask"])
    assert ids(config) == {"short-key"}


@pytest.mark.parametrize(("severities", "status"), [
    ([], 0), (["info"], 0), (["low"], 1), (["medium", "info"], 1), (["low", "high"], 2), (["critical"], 2)])
def test_exit_status_by_worst_severity(severities: list[str], status: int) -> None:
    from gateway.tools.audit import RULES, Finding

    rule = next(iter(RULES.values()))
    assert exit_status([Finding(rule, "x", "y", s) for s in severities]) == status  # type: ignore[arg-type]


def test_sealed_fields_read_back_by_another_route_are_fine() -> None:
    history = {"name": "history", "match": {"path": "/history/{room}"}, "upstream": "up", "allow": ["agent"],
               "messages": {"outbound": {"json": ["/messages/*/text"]}}}
    config = changed(keys={"kek": "${AUDIT_KEK}", "store": "sqlite:///:memory:"},
                     routes__0__encrypt_fields={"json": ["/text"]})
    config["routes"].append(history)
    assert ids(config) == set()
