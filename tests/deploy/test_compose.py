"""deploy/compose: the compose file, checked without a Docker engine, and the pieces it runs."""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml

from filters.options import Duration
from tests.ports import free_port as _free_port

REPO = Path(__file__).resolve().parents[2]
COMPOSE = REPO / "deploy" / "compose"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((COMPOSE / "docker-compose.yml").read_text())
    return loaded


def test_services(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == {"keys", "redis", "postgres", "backend", "chatguard"}


def test_every_long_running_service_is_hardened_and_checked(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        assert service["read_only"] is True, name
        assert service["cap_drop"] == ["ALL"], name
        assert "no-new-privileges:true" in service["security_opt"], name
        image = service["image"]
        assert ":" in image and not image.endswith(":latest"), name
        if name != "keys":
            assert "healthcheck" in service, name
        if name not in ("redis", "postgres"):
            assert service["user"] == "10001:10001", name  # the image's unprivileged user
    assert "cap_add" not in compose["services"]["chatguard"]


def test_only_chatguard_publishes_ports_and_only_on_loopback(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        if name != "chatguard":
            assert "ports" not in service, name
    assert all(port.startswith("127.0.0.1:") for port in compose["services"]["chatguard"]["ports"])
    assert compose["networks"]["backend"]["internal"] is True
    assert compose["networks"]["state"]["internal"] is True
    assert "front" not in compose["services"]["backend"]["networks"]


def test_chatguard_starts_after_its_dependencies(compose: dict[str, Any]) -> None:
    depends = compose["services"]["chatguard"]["depends_on"]
    assert depends["keys"]["condition"] == "service_completed_successfully"
    assert {depends[name]["condition"] for name in ("redis", "postgres", "backend")} == {"service_healthy"}


def test_stop_grace_covers_the_drain(compose: dict[str, Any]) -> None:
    config = yaml.safe_load((COMPOSE / "chatguard.yaml").read_text())
    grace = float(Duration.parse(compose["services"]["chatguard"]["stop_grace_period"], "stop_grace_period"))
    assert grace > float(Duration.parse(config["shutdown_timeout"], "shutdown_timeout"))


def test_the_compiled_rule_cache_is_writable_by_the_gateway_alone(compose: dict[str, Any]) -> None:
    """The root is read-only: the image's cache directory gets a tmpfs the gateway's user owns, mode 0700
    (a directory others may write into is not used, and every start would compile the rules again)."""
    mounts = {entry.split(":", 1)[0]: entry for entry in compose["services"]["chatguard"]["tmpfs"]}
    entry = mounts["/var/cache/chatguard"]
    options = set(entry.split(":", 1)[1].split(","))
    assert {"uid=10001", "gid=10001", "mode=0700"} <= options


def test_mounted_files_exist(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (COMPOSE / source).exists(), (name, source)
            else:
                assert source in compose["volumes"], (name, source)
    build = compose["services"]["keys"]["build"]
    assert (COMPOSE / build["context"] / build["dockerfile"]).is_file()


def test_config_uses_the_services_by_name() -> None:
    config = yaml.safe_load((COMPOSE / "chatguard.yaml").read_text())
    assert config["upstreams"]["chat"]["url"] == "http://backend:8008"
    assert config["state"] == {"backend": "redis", "url": "redis://redis:6379/0", "on_error": "closed"}
    assert config["probes"]["port"] == 9902 and config["admin"]["host"] == "127.0.0.1"


def test_make_keys_creates_private_keys_once(tmp_path: Path) -> None:
    script = COMPOSE / "make_keys.py"
    subprocess.run([sys.executable, str(script), str(tmp_path)], check=True, capture_output=True, timeout=60)
    made = {path.name: path for path in tmp_path.iterdir()}
    assert set(made) == {"jwt.pem", "audit-signing.pem", "totp.key", "postgres-password", "postgres-dsn"}
    for name in ("jwt.pem", "audit-signing.pem", "totp.key", "postgres-dsn"):
        assert stat.S_IMODE(made[name].stat().st_mode) == 0o600, name
    before = {name: path.read_bytes() for name, path in made.items()}
    subprocess.run([sys.executable, str(script), str(tmp_path)], check=True, capture_output=True, timeout=60)
    assert {name: path.read_bytes() for name, path in made.items()} == before  # never rotated on restart
    password = before["postgres-password"].decode()
    assert before["postgres-dsn"].decode() == f"postgresql://chatguard:{password}@postgres:5432/chatguard"




async def test_demo_backend_runs_on_its_own() -> None:
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "examples.demo_chat.backend", "--host", "127.0.0.1", "--port", str(port),
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(200):
                try:
                    async with session.get(f"http://127.0.0.1:{port}/api/rooms/lobby/messages") as response:
                        assert response.status == 200
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
            else:
                pytest.fail("the demo backend did not start")
    finally:
        process.terminate()
        assert await asyncio.wait_for(process.wait(), 10) in (0, -15)
