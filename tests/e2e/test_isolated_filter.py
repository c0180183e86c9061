"""A filter stuck computing in its own process: the message fails closed at the deadline, and the same
gateway worker answers other requests meanwhile."""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.helpers import gateway_config, install_filter_plugins, recording_backend, route, run_gateway, until

PLUGINS = textwrap.dedent('''
    import os

    from filters import Filter, Message, Verdict, PASS


    class Spin(Filter):
        name = "spin"

        async def inspect(self, message: Message) -> Verdict:
            if "spin" in message.text:
                open(os.environ["CHATGUARD_TEST_SPINNING"], "w").close()  # tell the test it computes now
                while True:
                    pass
            return PASS
''')


@pytest.fixture
async def backend() -> AsyncIterator[tuple[list[str], str]]:
    async with recording_backend() as running:
        yield running


async def test_a_stuck_isolated_filter_blocks_its_message_and_stalls_nobody(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: tuple[list[str], str]) -> None:
    (tmp_path / "stuck_plugins.py").write_text(PLUGINS)
    spinning = tmp_path / "spinning"
    monkeypatch.setenv("CHATGUARD_TEST_SPINNING", str(spinning))  # the worker process inherits it
    install_filter_plugins(tmp_path, monkeypatch, {"spin": "stuck_plugins:Spin"})
    reached, url = backend
    config = gateway_config(url, [
        route("/chat", filters=["slow"], messages={"inbound": {"json": ["/text"]}}),
        route("/health"),
    ], filters={"slow": {"use": "spin", "isolate": "process", "timeout": "8s"}})
    async with run_gateway(config) as gw, aiohttp.ClientSession() as client:
        async with client.post(f"{gw.url}/chat", json={"text": "hello"}) as resp:
            assert resp.status == 200
        stuck = asyncio.ensure_future(client.post(f"{gw.url}/chat", json={"text": "please spin"}))
        await until(spinning.exists, "the filter to start computing")
        for _ in range(3):
            async with client.get(f"{gw.url}/health") as resp:
                assert resp.status == 200
        assert not stuck.done()  # answered while the filter computed in its own process
        async with await asyncio.wait_for(stuck, 120) as resp:
            assert resp.status in (403, 503)  # failed closed
            assert "spin" not in await resp.text()
        async with client.post(f"{gw.url}/chat", json={"text": "hello again"}) as resp:
            assert resp.status == 200  # a new process took over
    assert all("spin" not in body for body in reached)
