"""Every chatguard config the deploy material ships loads through `chatguard check-config`.

The configs name files under /run/secrets/... and /run/chatguard-keys/ that the cluster or the compose
`keys` service provides; here they are made in a temporary directory (keys by the compose key maker,
certificates by `chatguard certs dev`) and the paths rewritten to point at them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from gateway.cli import main
from gateway.tls.certs import create_dev_certs
from tests.deploy.manifests import Doc, chatguard_config

REPO = Path(__file__).resolve().parents[2]
SECRET_ROOTS = ("/run/secrets/chatguard-keys/", "/run/secrets/chatguard-tls/", "/run/chatguard-keys/")


@pytest.fixture(scope="module")
def secrets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The files a deployment mounts: keys, URLs and a TLS pair, all in one directory."""
    directory = tmp_path_factory.mktemp("secrets")
    subprocess.run([sys.executable, str(REPO / "deploy" / "compose" / "make_keys.py"), str(directory)],
                   check=True, capture_output=True, timeout=60)
    (directory / "redis-url").write_text("redis://127.0.0.1:6379/0")
    certs = create_dev_certs(directory / "tls", client_name=None)
    (directory / "tls.crt").write_bytes(certs.server_cert.read_bytes())
    (directory / "tls.key").write_bytes(certs.server_key.read_bytes())
    return directory


def _relocate(node: Any, secrets: Path, writable: Path) -> Any:
    if isinstance(node, dict):
        return {key: _relocate(value, secrets, writable) for key, value in node.items()}
    if isinstance(node, list):
        return [_relocate(value, secrets, writable) for value in node]
    if isinstance(node, str):
        for root in SECRET_ROOTS:
            if node.startswith(root):
                return str(secrets / node.removeprefix(root))
        if node.startswith("/var/log/chatguard/"):
            return str(writable / node.removeprefix("/var/log/chatguard/"))
    return node


def shipped_configs(all_manifests: dict[str, list[Doc]]) -> dict[str, dict[str, Any]]:
    found = {source: chatguard_config(docs) for source, docs in all_manifests.items()}
    found["compose"] = yaml.safe_load((REPO / "deploy" / "compose" / "chatguard.yaml").read_text())
    return found


def test_every_shipped_config_passes_check_config(all_manifests: dict[str, list[Doc]], secrets: Path,
                                                  tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    configs = shipped_configs(all_manifests)
    assert len(configs) >= 6
    for source, config in configs.items():
        path = tmp_path / f"{source.replace(':', '-')}.yaml"
        path.write_text(yaml.safe_dump(_relocate(config, secrets, tmp_path)))
        status = main(["check-config", str(path)])
        captured = capsys.readouterr()
        assert status == 0, f"{source}: {captured.err}"
        assert "warning" not in captured.err, f"{source}: {captured.err}"
        assert "probes 0.0.0.0:" in captured.out and "admin 127.0.0.1:" in captured.out, source
