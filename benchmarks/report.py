"""The tables `make bench` prints, and the ratios issue targets are judged by (all from one run)."""

from __future__ import annotations

import statistics
from typing import Any

from benchmarks.scale import IDLE_FOR_P99
from benchmarks.suites import IDLE_COUNTS, ROUTE_COUNTS, SIZE_TARGETS, SIZES

# (name, numerator row, denominator row, figure, target): a ratio of CPU per op unless figure is "rate".
RATIOS = (
    ("pass-through HTTP / naive proxy", "http chatguard", "http naive", "cpu_us_per_op", 1.0),
    ("pass-through WS / naive proxy", "ws chatguard", "ws naive", "cpu_us_per_op", 1.2),
    ("full chain HTTP / nginx+ModSecurity+CRS", "http chain", "http modsec", "cpu_us_per_op", 0.25),
    ("full chain WS / pass-through WS", "ws chain", "ws chatguard", "cpu_us_per_op", 3.0),
    ("shield on (Redis) HTTP / pass-through", "http shield", "http chatguard", "cpu_us_per_op", None),
    ("pass-through HTTP / nginx", "http chatguard", "http nginx", "cpu_us_per_op", None),
)


SHARED_BELOW = 0.9  # of the cores kept busy by the 2-worker rows: less means other work took its share


def _fmt(value: float | None, pattern: str = "{:,.0f}") -> str:
    return "-" if value is None else pattern.format(value)


def _rows(results: dict[str, Any], suite: str) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = results.get(suite, {}).get("rows", {})
    return rows


def ratios(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target ratio that both of its rows were measured for, with whether it holds."""
    main = _rows(results, "main")
    out = []
    for name, top, bottom, figure, target in RATIOS:
        if top in main and bottom in main and main[bottom].get(figure):
            value = main[top][figure] / main[bottom][figure]
            out.append({"ratio": name, "value": round(value, 2), "target": target,
                        "holds": None if target is None else value <= target})
    scale = _rows(results, "scale")
    p99 = scale.get("http p99 with idle websockets", {}).get("p99_ratio")
    if p99 is not None:
        out.append({"ratio": "HTTP p99 beside 5,000 idle WS / beside 50", "value": p99, "target": 2.0,
                    "holds": p99 <= 2.0})
    growth = scale.get("rss cycles", {}).get("growth_percent")
    if growth is not None:
        out.append({"ratio": "RSS growth % after 10 open/close cycles of 3,000 WS", "value": growth, "target": 5.0,
                    "holds": growth <= 5.0})
    workers = _rows(results, "workers")
    one, two = workers.get("http chatguard workers 1"), workers.get("http chatguard workers 2")
    if one and two and one.get("rate"):
        rounds = two.get("round_ratios")
        value = statistics.median(rounds) if rounds else two["rate"] / one["rate"]
        out.append({"ratio": "2 workers / 1 worker req/s (pass-through)", "value": round(value, 2),
                    "target": 1.7, "holds": value >= 1.7, "at_least": True})
        if rounds:
            out.append({"ratio": "  median of the rounds' req/s (not paired)", "value":
                        round(two["rate"] / one["rate"], 2), "target": None, "holds": None})
        if one.get("cpu_us_per_op") and two.get("cpu_us_per_op"):
            out.append({"ratio": "2 workers / 1 worker CPU us per request", "value":
                        round(two["cpu_us_per_op"] / one["cpu_us_per_op"], 2), "target": None, "holds": None})
        if (ceiling := workers_ceiling(one, two)) is not None:
            out.append({"ratio": "  ceiling: both cores at the run's CPU per request", "value": ceiling,
                        "target": None, "holds": None})
        if (bound := quiet_bound(one, two)) is not None:
            out.append({"ratio": "  at these CPU costs on an idle machine: cores x C1 / (C2 + L)", "value": bound,
                        "target": None, "holds": None})
        if (busy := cores_busy(two)) is not None:
            out.append({"ratio": "  cores busy with 2 workers + load side (of 2.0)", "value": busy, "target": None,
                        "holds": None})
        apart = workers.get("http chatguard 2 separate processes")
        if apart and apart.get("rate"):
            out.append({"ratio": "  control: 2 separate gateways / 1 worker req/s", "value":
                        round(apart["rate"] / one["rate"], 2), "target": None, "holds": None})
            out.append({"ratio": "  2 workers / 2 separate gateways req/s", "value": round(two["rate"] / apart["rate"], 2),
                        "target": None, "holds": None})
    return out


def workers_ceiling(one: dict[str, Any], two: dict[str, Any]) -> float | None:
    """The highest `two["rate"] / one["rate"]` the machine allows at the run's CPU per request.

    Two workers, wrk and the upstream share all the cores: at most cores / (C2 + L2) requests per second
    (C2: the gateway's CPU per request with 2 workers, L2: wrk's and the upstream's). Divided by the rate
    one worker reached, that is the ratio had nothing else run on the machine; a measured ratio below it
    by the share of the cores that went elsewhere (other work, or idle time the workers left).
    (C2 is lower than one worker's C1 on this machine: a busier event loop handles more ready sockets per
    turn, so the ratio can pass what 2 C1 / (C1 + L) would suggest.)
    """
    cpu, spent, cores = two.get("cpu_us_per_op"), two.get("load_cpu_us_per_op"), two.get("cores")
    if not cpu or spent is None or not cores or not one.get("rate"):
        return None
    return round(cores * 1e6 / (cpu + spent) / one["rate"], 2)


def quiet_bound(one: dict[str, Any], two: dict[str, Any]) -> float | None:
    """The ratio the run's CPU costs give when nothing else runs: one worker bounded by its core (1 / C1
    requests per second), two workers sharing all the cores with the load side (cores / (C2 + L)). Unlike
    the ceiling above it needs no req/s, so other work on the machine does not move it; it shows what the
    load side's own L of the same cores leaves: at C2 = C1 it is 2 C1 / (C1 + L) on two cores."""
    c1, c2, spent, cores = one.get("cpu_us_per_op"), two.get("cpu_us_per_op"), two.get("load_cpu_us_per_op"), \
        two.get("cores")
    if not c1 or not c2 or spent is None or not cores:
        return None
    return round(cores * c1 / (c2 + spent), 2)


def cores_busy(two: dict[str, Any]) -> float | None:
    """Cores kept busy by the 2-worker gateway and its load side together: rate x (C2 + L2)."""
    cpu, spent = two.get("cpu_us_per_op"), two.get("load_cpu_us_per_op")
    if not cpu or spent is None or not two.get("rate"):
        return None
    return round(two["rate"] * (cpu + spent) / 1e6, 2)


def print_report(results: dict[str, Any]) -> None:
    main = _rows(results, "main")
    if main:
        print("\nMain table (medians; CPU us per request or message of the server's process tree)")
        print(f"  {'target':10} {'HTTP req/s':>11} {'CPU us/req':>11} {'p99 ms':>7} {'WS msg/s':>9} "
              f"{'CPU us/msg':>11} {'p99 ms':>7} {'srv/load core':>14} {'errors':>7}")
        targets = dict.fromkeys(row["target"] for row in main.values())
        for target in targets:
            http, ws = main.get(f"http {target}", {}), main.get(f"ws {target}", {})
            cores = http or ws
            print(f"  {target:10} {_fmt(http.get('rate')):>11} {_fmt(http.get('cpu_us_per_op'), '{:,.1f}'):>11} "
                  f"{_fmt(http.get('p99_us', 0) / 1000 if http else None, '{:.1f}'):>7} "
                  f"{_fmt(ws.get('rate')):>9} {_fmt(ws.get('cpu_us_per_op'), '{:,.1f}'):>11} "
                  f"{_fmt(ws.get('p99_us', 0) / 1000 if ws else None, '{:.1f}'):>7} "
                  f"{cores.get('server_core_busy', 0):>6.0f}%/{cores.get('load_core_busy', 0):>3.0f}% "
                  f"{http.get('errors', 0) + ws.get('errors', 0):>7}")
    sizes = _rows(results, "sizes")
    if sizes:
        print("\nMessage size (CPU us per request / message; the HTTP upstream echoes the body)")
        print(f"  {'target':10} " + " ".join(f"{w + ' ' + str(s) + ' B':>14}" for w in ("HTTP", "WS") for s in SIZES))
        for target in SIZE_TARGETS:
            cells = [sizes.get(f"{w} {target} {s}", {}).get("cpu_us_per_op") for w in ("http", "ws") for s in SIZES]
            print(f"  {target:10} " + " ".join(f"{_fmt(c, '{:,.1f}'):>14}" for c in cells))
    routes = _rows(results, "routes")
    if routes:
        print("\nRoute count (pass-through HTTP, CPU us per request)")
        for count in ROUTE_COUNTS:
            row = routes.get(f"http chatguard {count} routes", {})
            print(f"  {count:>5} routes  {_fmt(row.get('cpu_us_per_op'), '{:,.1f}'):>8} us/req  "
                  f"{_fmt(row.get('rate')):>8} req/s")
    idle = _rows(results, "idle")
    if idle:
        print("\nIdle WebSockets (resident memory added per open socket)")
        print(f"  {'target':14} {'base MB':>8} " + " ".join(f"{str(c) + ' open':>12}" for c in IDLE_COUNTS))
        for row in idle.values():
            cells = [f"{_fmt(row.get(f'kb_per_socket_{c}'), '{:,.1f}')} KB" for c in IDLE_COUNTS]
            print(f"  {row['target']:14} {_fmt(row.get('base_rss_mb'), '{:,.1f}'):>8} "
                  + " ".join(f"{cell:>12}" for cell in cells))
    scale = _rows(results, "scale")
    if scale:
        print("\nLong-lived connections (one worker, pass-through, heartbeat 30 s)")
        p99 = scale.get("http p99 with idle websockets")
        if p99:
            for count in IDLE_FOR_P99:
                print(f"  HTTP beside {count:>5} idle WS: p99 {_fmt(p99.get(f'p99_us_{count}', 0) / 1000, '{:.1f}')} ms, "
                      f"p50 {_fmt(p99.get(f'p50_us_{count}', 0) / 1000, '{:.2f}')} ms, "
                      f"{_fmt(p99.get(f'rate_{count}'))} req/s, errors {p99.get(f'errors_{count}', 0)}")
        for label in ("rss cycles", "rss cycles (base)"):
            cycles = scale.get(label)
            if cycles:
                print(f"  {cycles['target']}: RSS after each open/close cycle (MB): "
                      f"{', '.join(str(v) for v in cycles['rss_mb'])}  ({cycles['growth_percent']:+.1f} %)")
    workers = _rows(results, "workers")
    if workers:
        print("\nWorkers (pass-through HTTP, nothing pinned; CPU us per request of chatguard, of wrk + upstream)")
        for label, row in workers.items():
            print(f"  {label:38} {_fmt(row.get('rate')):>8} req/s  {_fmt(row.get('cpu_us_per_op'), '{:,.1f}')} us/req"
                  f"  load side {_fmt(row.get('load_cpu_us_per_op'), '{:,.1f}')} us/req"
                  f" (wrk {_fmt(row.get('wrk_cpu_us_per_op'), '{:,.1f}')})"
                  f"  sleeps {_fmt(row.get('sleeps_per_op'), '{:.2f}')}/req")
            if row.get("round_ratios"):
                print(f"    req/s / 1 worker's, round by round: {', '.join(f'{v:.2f}' for v in row['round_ratios'])}")
            if row.get("connections_per_worker"):
                per_round = zip(row["connections_per_worker"], row["cpu_seconds_per_worker"], strict=True)
                print("    per worker, round by round (connections half-way / CPU s): " + ", ".join(
                    " + ".join(f"{n}/{cpu:.1f}" for n, cpu in zip(conns, cpus, strict=True)) for conns, cpus in per_round)
                    + f"; supervisor {row['other_cpu_seconds']:.2f} CPU s at most")
            busy, cores = cores_busy(row), row.get("cores")
            if label.endswith("workers 2") and busy is not None and cores and busy < SHARED_BELOW * cores:
                print(f"    the 2 workers and their load side kept {busy:.2f} of {cores} cores busy: other work had the"
                      " rest, so the ratio to 1 worker measures how the machine was shared, not the workers")
    found = ratios(results)
    if found:
        print("\nRatios (same run)")
        for r in found:
            sign = ">=" if r.get("at_least") else "<="
            verdict = "" if r["holds"] is None else ("  holds" if r["holds"] else "  DOES NOT HOLD")
            target = f"  (target {sign} {r['target']})" if r["target"] is not None else ""
            print(f"  {r['ratio']:50} {r['value']:>6.2f}{target}{verdict}")
