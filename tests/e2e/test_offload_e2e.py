"""Long messages through the running gateway are inspected in its offload worker processes: masked and
blocked as on the event loop, the processes started with the gateway (`start: eager`) and ended with it."""

from __future__ import annotations

import json
import os
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from filters import Offload, WorkerPool
from gateway.admin.probes import build_probe_app
from gateway.config.settings import parse_settings
from gateway.keys import RUNTIME
from gateway.runtime.chains import FilterChains
from tests.helpers import (
    gateway_config,
    install_filter_plugins,
    recording_backend,
    route,
    run_gateway,
    serve_app,
)

FILLER = "the parcel is late again, please check the tracking page and call me back. " * 40  # > 2,048 chars
FILTERS = {"mask": {"use": "masking"}, "threat": {"use": "threat"}}


@pytest.fixture
async def backend() -> AsyncIterator[tuple[list[str], str]]:
    async with recording_backend() as running:
        yield running


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a killed child not yet reaped is a zombie: not alive
        return stat.read().rsplit(")", 1)[1].split()[0] != "Z"


async def test_long_messages_are_inspected_in_worker_processes_started_with_the_gateway(
        backend: tuple[list[str], str]) -> None:
    reached, url = backend
    config = gateway_config(url, [route("/chat", filters=["mask", "threat"], messages={"inbound": {"json": ["/text"]}})],
                            filters=FILTERS, offload={"start": "eager", "processes": 2})
    async with run_gateway(config) as gw, aiohttp.ClientSession() as client:
        offload = gw.app[RUNTIME].current.chains.offload
        assert isinstance(offload, Offload) and isinstance(offload.pool, WorkerPool) and offload.pool.ready
        pids = offload.pool.pids()
        assert len(pids) == 2 and all(alive(pid) and pid != os.getpid() for pid in pids)
        async with client.post(f"{gw.url}/chat", json={"text": f"{FILLER} card 4111 1111 1111 1111"}) as resp:
            assert resp.status == 200
        async with client.post(f"{gw.url}/chat", json={
                "text": f"{FILLER} <script>alert(document.cookie)</script>"}) as resp:
            assert resp.status == 403
        async with client.post(f"{gw.url}/chat", json={"text": "short card 4111 1111 1111 1111"}) as resp:
            assert resp.status == 200
    assert len(reached) == 2
    assert "4111" not in reached[0] and "[CARD]" in reached[0] and "4111" not in reached[1]
    assert not any(alive(pid) for pid in pids)  # the processes ended with the gateway


def test_the_thread_mode_starts_no_process() -> None:
    settings = parse_settings(gateway_config("http://127.0.0.1:9", [route("/chat", filters=["mask"])],
                                             filters=FILTERS, offload={"mode": "thread", "from_chars": 4096}),
                              environ={})
    chains = FilterChains.build(settings)
    assert chains.offload.pool is None and chains.offload.from_chars == 4096


async def test_a_message_of_many_short_fields_goes_to_a_worker_process_in_one_call(
        backend: tuple[list[str], str]) -> None:
    reached, url = backend
    config = gateway_config(url, [route("/chat", filters=["mask", "threat"],
                                        messages={"inbound": {"json": ["/parts/*"]}})],
                            filters=FILTERS, offload={"start": "eager"})
    pieces = [FILLER[:1000]] * 5  # each short of 2,048 characters, together past it
    async with run_gateway(config) as gw, aiohttp.ClientSession() as client:
        pool = gw.app[RUNTIME].current.chains.offload.pool
        assert isinstance(pool, WorkerPool)
        calls: list[int] = []
        call_chain = pool.call_chain

        async def counted(*args: Any) -> Any:
            calls.append(len(args[2]))
            return await call_chain(*args)
        pool.call_chain = counted  # type: ignore[method-assign,assignment]
        async with client.post(f"{gw.url}/chat", json={"parts": [*pieces, "card 4111 1111 1111 1111"]}) as resp:
            assert resp.status == 200
        async with client.post(f"{gw.url}/chat", json={
                "parts": [*pieces, "<script>alert(document.cookie)</script>", "card 4111 1111 1111 1111"]}) as resp:
            assert resp.status == 403
        async with client.post(f"{gw.url}/chat", json={"parts": ["short", "card 4111 1111 1111 1111"]}) as resp:
            assert resp.status == 200
    assert calls == [6, 7]  # the short message stayed on the event loop
    assert len(reached) == 2 and "4111" not in reached[0] and "[CARD]" in reached[0] and "4111" not in reached[1]
    assert json.loads(reached[0])["parts"][:5] == pieces



async def test_a_card_split_over_sibling_fields_is_refused_when_the_fields_go_to_a_worker_in_one_call(
        backend: tuple[list[str], str]) -> None:
    reached, url = backend
    config = gateway_config(url, [route("/chat", filters=["mask"], messages={"inbound": {"json": ["/form/*"]}})],
                            filters=FILTERS, offload={"start": "eager"})
    async with run_gateway(config) as gw, aiohttp.ClientSession() as client:
        pool = gw.app[RUNTIME].current.chains.offload.pool
        assert isinstance(pool, WorkerPool)
        calls: list[int] = []
        call_chain = pool.call_chain

        async def counted(*args: Any) -> Any:
            calls.append(len(args[2]))
            return await call_chain(*args)
        pool.call_chain = counted  # type: ignore[method-assign,assignment]
        split = {"note": FILLER, "prefix": "4111", "number": "1111 1111 1111"}
        async with client.post(f"{gw.url}/chat", json={"form": split}) as resp:
            assert resp.status == 400  # the joined reading is a card no field holds alone
        ordinary = {"note": FILLER, "w": "1920", "h": "1080", "year": "2026"}
        async with client.post(f"{gw.url}/chat", json={"form": ordinary}) as resp:
            assert resp.status == 200
    assert calls == [4, 5]  # every field and the joined reading, in one call each
    assert len(reached) == 1 and json.loads(reached[0]) == {"form": ordinary}


SPIN = textwrap.dedent('''
    from filters import PASS, Filter, Message, Verdict


    class Spin(Filter):
        """Only computes; for ever on a text that starts with 'spin'."""

        name = "spin"

        @property
        def offloadable(self) -> bool:
            return True

        async def inspect(self, message: Message) -> Verdict:
            while message.text.startswith("spin"):
                pass
            return PASS
''')


async def test_the_pools_work_is_on_metrics(backend: tuple[list[str], str], tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "offload_metrics_plugins.py").write_text(SPIN)
    install_filter_plugins(tmp_path, monkeypatch, {"spin": "offload_metrics_plugins:Spin"})
    _, url = backend
    config = gateway_config(url, [route("/chat", filters=["spin"], messages={"inbound": {"json": ["/text"]}})],
                            filters={"spin": {"use": "spin", "timeout": "500ms"}}, offload={"start": "eager"})
    async with run_gateway(config) as gw, serve_app(build_probe_app(gw.app)) as probes, \
            aiohttp.ClientSession() as client:
        async with client.post(f"{gw.url}/chat", json={"text": FILLER}) as resp:
            assert resp.status == 200
        async with client.post(f"{gw.url}/chat", json={"text": f"spin {FILLER}"}) as resp:
            assert resp.status == 403  # cut off at twice the filter's timeout: its process killed
        async with client.get(f"{probes}/metrics") as resp:
            scraped = await resp.text()
    pool = '{pool="offload"}'
    assert f"chatguard_offload_call_duration_seconds_count{pool} 1.0" in scraped
    assert f"chatguard_offload_deadline_kills_total{pool} 1.0" in scraped
    assert 'chatguard_offload_replacements_total{pool="offload",reason="killed"} 1.0' in scraped
    assert f"chatguard_offload_in_flight{pool} 0.0" in scraped
    assert f"chatguard_offload_queue_depth{pool} 0.0" in scraped
    assert "# TYPE chatguard_offload_refused_total counter" in scraped
