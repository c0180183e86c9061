"""The benchmark harness imports and its pieces start; nothing here measures speed (that is `make bench`)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from benchmarks import chatguard_configs, report, servers, suites
from benchmarks.measure import Load
from benchmarks.naive_proxy import make_app
from benchmarks.payload import chat_json
from tests.helpers import serve_app


def test_payload_sizes() -> None:
    assert len(chat_json()) == 305
    for size in suites.SIZES[1:]:
        assert size * 0.98 <= len(chat_json(size)) <= size


def test_chatguard_configs_are_valid(tmp_path: Path) -> None:
    """Each variant, with the largest route count, passes the gateway's own config check in one call."""
    paths = [chatguard_configs.chatguard_conf(tmp_path, variant, 8080, 8081, 8082, 8083, routes=1000)
             for variant in chatguard_configs.VARIANTS]
    checks = [subprocess.Popen([sys.executable, "-m", "gateway", "check-config", str(path)], cwd=servers.REPO,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for path in paths]
    for check in checks:
        out, _ = check.communicate(timeout=60)
        assert check.returncode == 0, out


def test_nginx_configs_are_written(tmp_path: Path) -> None:
    conf = servers.proxy_nginx_conf(tmp_path, 8080, 8081, 8082, modsecurity=True).read_text()
    assert "modsecurity on;" in conf and "ngx_http_modsecurity_module.so" in conf
    rules = (tmp_path / "modsec-8080" / "modsecurity.conf").read_text()
    assert "SecRuleEngine On" in rules and "requestBodyProcessor=JSON" in rules


async def test_naive_proxy_relays_http_and_websocket() -> None:
    async def echo_http(request: web.Request) -> web.Response:
        return web.Response(body=await request.read(), content_type="application/json")

    async def echo_ws(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            await ws.send_str(msg.data)
        return ws

    upstream = web.Application()
    upstream.router.add_post("/api/rooms/r/messages", echo_http)
    upstream.router.add_get("/ws/bench", echo_ws)
    async with serve_app(upstream) as up, serve_app(make_app(up, up)) as proxy, aiohttp.ClientSession() as client:
        async with client.post(f"{proxy}/api/rooms/r/messages", data=chat_json()) as resp:
            assert resp.status == 200 and await resp.text() == chat_json()
        async with client.ws_connect(f"{proxy}/ws/bench") as ws:
            await ws.send_str("hello")
            assert (await ws.receive()).data == "hello"


def test_report_ratios() -> None:
    rows = {label: {"target": label.split()[1], "cpu_us_per_op": cpu} for label, cpu in (
        ("http chatguard", 100.0), ("http naive", 200.0), ("ws chatguard", 20.0), ("ws naive", 10.0))}
    found = {r["ratio"]: r for r in report.ratios({"main": {"rows": rows}})}
    assert found["pass-through HTTP / naive proxy"]["holds"] is True
    assert found["pass-through WS / naive proxy"]["holds"] is False
    report.print_report({"main": {"rows": rows}})


def test_workers_ratio_and_the_ceiling_the_load_side_leaves() -> None:
    one = {"target": "chatguard", "rate": 2500.0, "cpu_us_per_op": 380.0, "load_cpu_us_per_op": 80.0, "cores": 2}
    two = {"target": "chatguard", "rate": 4500.0, "cpu_us_per_op": 300.0, "load_cpu_us_per_op": 100.0, "cores": 2}
    results = {"workers": {"rows": {"http chatguard workers 1": one, "http chatguard workers 2": two}}}
    found = {r["ratio"].strip(): r for r in report.ratios(results)}
    assert found["2 workers / 1 worker req/s (pass-through)"]["value"] == 1.8
    assert found["2 workers / 1 worker CPU us per request"]["value"] == 0.79
    # Both cores at 300 + 100 us per request: 5,000 req/s at most, 2.0x the one worker's 2,500.
    assert found["ceiling: both cores at the run's CPU per request"]["value"] == 2.0
    assert found["cores busy with 2 workers + load side (of 2.0)"]["value"] == 1.8
    # Nothing else running: one worker at 1 / 380 us, two at 2 / (300 + 100) us: 1.9x.
    assert found["at these CPU costs on an idle machine: cores x C1 / (C2 + L)"]["value"] == 1.9
    report.print_report(results)


def test_the_workers_ratio_is_paired_round_by_round(capsys: pytest.CaptureFixture[str]) -> None:
    """A burst of other load in one round moves both rows of that round, not the ratio of the medians."""
    one = [{"round": 1, "rate": 1000.0}, {"round": 2, "rate": 3000.0}, {"round": 3, "rate": 2000.0}]
    two = [{"round": 1, "rate": 1900.0, "processes": [
               {"pid": 10, "connections": 0, "cpu_seconds": 0.01}, {"pid": 11, "connections": 30, "cpu_seconds": 4.0},
               {"pid": 12, "connections": 34, "cpu_seconds": 4.2}]},
           {"round": 3, "rate": 3800.0}, {"round": 2, "rate": 5700.0}]
    row = suites.paired(one, two)
    assert row["round_ratios"] == [1.9, 1.9, 1.9]
    assert row["connections_per_worker"] == [[30, 34]]
    assert row["cpu_seconds_per_worker"] == [[4.0, 4.2]]
    assert row["other_cpu_seconds"] == 0.01
    rows = {"http chatguard workers 1": {"target": "chatguard", "rate": 2000.0},
            "http chatguard workers 2": {"target": "chatguard", "rate": 3800.0, "cpu_us_per_op": 300.0,
                                         "load_cpu_us_per_op": 100.0, "cores": 2, **row}}
    found = {r["ratio"].strip(): r for r in report.ratios({"workers": {"rows": rows}})}
    assert found["2 workers / 1 worker req/s (pass-through)"]["value"] == 1.9
    report.print_report({"workers": {"rows": rows}})
    # 3,800 req/s at 400 us of the two cores each: 1.52 cores busy, under 90 % of 2: other work was there.
    assert "kept 1.52 of 2 cores busy: other work had the rest" in capsys.readouterr().out


def test_connections_are_counted_per_process(tmp_path: Path) -> None:
    """What the workers rows use to show how the kernel spread wrk's connections: real sockets, /proc."""
    port = servers.free_port()
    script = ("import socket, time\n"
              f"s = socket.create_server(('127.0.0.1', {port}))\n"
              "held = [s.accept()[0] for _ in range(3)]\n"
              "time.sleep(120)\n")
    server = servers.start("listener", [sys.executable, "-c", script], None, tmp_path, port)
    try:
        servers.wait_ready(server)  # this probe is the listener's first connection, closed at once
        clients = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(2)]
        try:
            deadline = time.monotonic() + 60
            while server.connections_by_process() != {server.process.pid: 2} and time.monotonic() < deadline:
                time.sleep(0.1)  # until the listener accepted both (queued ones belong to no process yet)
            # The probe's socket is held too, closed by the client: CLOSE_WAIT, not counted.
            assert server.connections_by_process() == {server.process.pid: 2}
            assert set(server.cpu_by_process()) == {server.process.pid}
            assert server.sleeps() > 0  # it waited in accept() for each client
        finally:
            for client in clients:
                client.close()
    finally:
        server.stop()


def test_the_workers_control_row_compares_with_separate_gateways() -> None:
    one = {"target": "chatguard", "rate": 1000.0, "cpu_us_per_op": 300.0, "load_cpu_us_per_op": 60.0, "cores": 2}
    two = {"target": "chatguard", "rate": 1500.0, "cpu_us_per_op": 310.0, "load_cpu_us_per_op": 60.0, "cores": 2}
    apart = {"target": "chatguard", "rate": 1600.0, "cpu_us_per_op": 305.0, "load_cpu_us_per_op": 55.0}
    rows = {"http chatguard workers 1": one, "http chatguard workers 2": two,
            "http chatguard 2 separate processes": apart}
    found = {r["ratio"].strip(): r for r in report.ratios({"workers": {"rows": rows}})}
    assert found["control: 2 separate gateways / 1 worker req/s"]["value"] == 1.6
    assert found["2 workers / 2 separate gateways req/s"]["value"] == 0.94
    report.print_report({"workers": {"rows": rows}})


def test_transcript_benchmark_configs_are_valid(tmp_path: Path) -> None:
    """Every config the transcript benchmark serves loads through the settings path and builds."""
    from benchmarks.transcripts import bench as transcripts_bench
    from gateway.config.settings import load_settings
    from gateway.runtime.runtime import Runtime

    for variant in ("off", "sqlite", "postgres"):  # slow and stuck serve the postgres config
        database = f"sqlite://{tmp_path}/t.db" if variant == "sqlite" else f"{transcripts_bench.PG_SERVER}?search_path=x"
        settings = load_settings(transcripts_bench.gateway_config(tmp_path, variant, 8080, 8081, 8082, database),
                                 environ={})
        assert Runtime(settings).plans["chat"].inbound_codec is not None
        assert settings.transcripts.enabled is (variant != "off")


def test_transcript_hot_path_benchmark_runs() -> None:
    """The in-process figure runs end to end (a few messages; the figure itself is not checked)."""
    import asyncio

    from benchmarks.transcripts import hot_path

    figures = asyncio.run(hot_path.run(50, 2))
    assert set(figures) == {"decide_us", "decide_record_us", "decide_record_full_queue_us"}


def test_alternate_rounds_run_the_cases_in_reverse_order() -> None:
    """The workers suite's rounds alternate the order, so drifting load favours neither row of a pair."""

    class Machine:  # what `interleaved` reads of a Bench: which targets can run, and where notes go
        notes: list[str] = []

        def available(self, target: str, workload: str) -> bool:
            return True

    order: list[str] = []

    def measure(target: str, load: Load) -> dict[str, object]:
        order.append(target)
        return {"target": target, "rate": 1.0}

    cases = [(name, name, Load("http")) for name in ("one", "two", "apart")]
    result = suites.interleaved(Machine(), cases, 3, measure, alternate=True)  # type: ignore[arg-type]
    assert order == ["one", "two", "apart", "apart", "two", "one", "one", "two", "apart"]
    assert [row["round"] for row in result["raw"]["two"]] == [1, 2, 3]
