"""The probe listener: health, readiness and metrics for kubelet and Prometheus, and no admin API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from gateway.admin.app import build_admin_app
from gateway.admin.probes import build_probe_app
from tests.helpers import RunningGateway, run_gateway, serve_app

ADMIN_PATHS = ["/admin/bans", "/admin/sessions", "/admin/audit", "/admin/quarantine", "/admin/bans/1.2.3.4"]


def config(upstream: str) -> dict[str, Any]:
    return {"upstreams": {"up": {"url": upstream}}, "logging": {"access_log": False},
            "routes": [{"name": "all", "match": {"path": "/{rest:path}"}, "upstream": "up", "allow": ["anonymous"]}]}


@pytest.fixture
async def gateway() -> AsyncIterator[RunningGateway]:
    backend = web.Application()
    async with serve_app(backend) as upstream, run_gateway(config(upstream)) as gw:
        yield gw


async def _get(client: aiohttp.ClientSession, url: str, method: str = "GET") -> tuple[int, str]:
    async with client.request(method, url) as resp:
        return resp.status, await resp.text()


async def test_probes_answer(gateway: RunningGateway) -> None:
    async with serve_app(build_probe_app(gateway.app)) as url, aiohttp.ClientSession() as client:
        assert await _get(client, f"{url}/healthz") == (200, '{"status":"ok"}')
        status, body = await _get(client, f"{url}/readyz")
        assert status == 200 and '"upstreams":{"up":true}' in body
        status, body = await _get(client, f"{url}/metrics")
        assert status == 200 and "chatguard_requests_total" in body


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
async def test_no_admin_endpoint_on_the_probe_listener(gateway: RunningGateway, method: str) -> None:
    async with serve_app(build_probe_app(gateway.app)) as url, aiohttp.ClientSession() as client:
        for path in ADMIN_PATHS:
            status, _ = await _get(client, f"{url}{path}", method)
            assert status == 404, (method, path, status)


async def test_the_admin_listener_keeps_probes_and_its_api(gateway: RunningGateway) -> None:
    async with serve_app(build_admin_app(gateway.app)) as url, aiohttp.ClientSession() as client:
        assert (await _get(client, f"{url}/healthz"))[0] == 200
        assert (await _get(client, f"{url}/admin/sessions"))[0] == 401  # there, behind authentication


async def test_metrics_can_stay_off_the_probe_listener(gateway: RunningGateway) -> None:
    async with serve_app(build_probe_app(gateway.app, metrics=False)) as url, \
            aiohttp.ClientSession() as client:
        assert (await _get(client, f"{url}/metrics"))[0] == 404
        assert (await _get(client, f"{url}/healthz"))[0] == 200


async def test_draining_turns_readiness_off_but_not_liveness(gateway: RunningGateway) -> None:
    draining = asyncio.Event()
    async with serve_app(build_probe_app(gateway.app, draining=draining)) as url, \
            aiohttp.ClientSession() as client:
        assert (await _get(client, f"{url}/readyz"))[0] == 200
        draining.set()
        assert await _get(client, f"{url}/readyz") == (503, '{"status":"draining"}')
        assert (await _get(client, f"{url}/healthz"))[0] == 200
