"""The README's transcript example is a config that loads: the settings path, with its secrets
and paths pointed at throw-away files."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from gateway.auth.tokens import generate_pem
from gateway.config.settings import parse_settings

README = Path(__file__).resolve().parents[2] / "README.md"


def _example() -> str:
    section = README.read_text(encoding="utf-8").split("## Transcripts and retention", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```yaml\n(.*?)```", section, re.S)
    assert len(blocks) == 1
    return str(blocks[0])


def test_the_hipaa_minded_example_loads(tmp_path: Path) -> None:
    kek, signing = tmp_path / "kek", tmp_path / "audit.pem"
    kek.write_text(bytes(range(32)).hex())
    signing.write_bytes(generate_pem("EdDSA"))
    text = (_example().replace("/run/secrets/chatguard-kek", str(kek))
            .replace("/run/secrets/audit-signing.pem", str(signing)))
    config = yaml.safe_load(text)
    config["upstreams"] = {"chat": {"url": "http://127.0.0.1:8008"}}
    config["filters"] = {"mask": {"use": "masking"}}
    config["auth"]["jwt"] = {"signing_keys": [str(signing)]}
    settings = parse_settings(config, environ={})
    route = settings.routes[0]
    assert route.conversation == "consult" and route.audit_access
    assert route.transcripts is not None and route.transcripts.store == "full"
    assert settings.transcripts.retention == 2190 * 86400 and settings.keys.enabled
