"""Where a target's CPU goes under load: py-spy samples the running server, this prints the top frames.

    .venv/bin/pip install py-spy    # once (a sampling profiler from PyPI; needs root or ptrace rights)
    .venv/bin/python -m benchmarks.profile --target chatguard --workload http --seconds 10

The target and the load start exactly as in `make bench` (server on CPU 0, load on CPU 1); py-spy
runs on the load core too and samples the server without changing it. Prints the functions with
the most samples on their own (self) and under them (total); with --out, keeps the collapsed
stacks (for flame graph tools) and the table.
"""

from __future__ import annotations

import argparse
import collections
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from benchmarks.measure import Bench, Load
from benchmarks.payload import DEFAULT_SIZE

_LINE = re.compile(r":\d+\)$")
_NOISE = re.compile(r"^(<module>|_run_module_as_main|_run_code|run_forever|run_until_complete|run|main) ")


def _function(frame: str) -> str:
    """`name (path/file.py:123)` -> `name (file.py)`: one row per function, not per line."""
    frame = _LINE.sub(")", frame.strip())
    name, _, where = frame.partition(" (")
    return f"{name} ({Path(where.rstrip(')')).as_posix().split('site-packages/')[-1].split('/wt/')[-1]})"


def top_frames(collapsed: str, limit: int = 25) -> tuple[int, list[tuple[str, int, int]]]:
    """(samples, [(function, self samples, total samples)]) from py-spy's raw (collapsed) output."""
    own: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    samples = 0
    for line in collapsed.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        samples += count
        frames = [_function(f) for f in stack.split(";") if f and not f.startswith("process ")]
        frames = [f for f in frames if not _NOISE.match(f)] or frames
        if not frames:
            continue
        own[frames[-1]] += count
        for name in set(frames):
            total[name] += count
    rows = [(name, own[name], total[name]) for name, _ in (own + total).most_common()]
    rows.sort(key=lambda r: (-r[1], -r[2]))
    return samples, rows[:limit]


def format_table(samples: int, rows: list[tuple[str, int, int]]) -> str:
    lines = [f"{'self %':>7} {'total %':>8}  function ({samples} samples)"]
    for name, own, total in rows:
        lines.append(f"{100 * own / max(samples, 1):>7.1f} {100 * total / max(samples, 1):>8.1f}  {name}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", default="chatguard", choices=("naive", "chatguard", "shield", "chain"))
    parser.add_argument("--workload", default="http", choices=("http", "ws"))
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE)
    parser.add_argument("--routes", type=int, default=2)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--out", type=Path, help="write the collapsed stacks and the table under this prefix")
    args = parser.parse_args(argv)
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(spy).exists():
        print("py-spy not found: .venv/bin/pip install py-spy", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="chatguard-profile-") as tmp:
        log_dir = Path(tmp) / "logs"
        log_dir.mkdir()
        bench = Bench(args.seconds + 4, 1.0, 64, Path(tmp), log_dir, [args.target])
        load = Load(args.workload, size=args.size, routes=args.routes,
                    extra={"echo": args.size != DEFAULT_SIZE})
        try:
            server = bench.start_target(args.target, load)
            runner = threading.Thread(target=lambda: bench.wsload(server.port, bench.seconds, load, lambda: None)
                                      if args.workload == "ws" else bench.wrk(server.port, bench.seconds, load),
                                      daemon=True)
            runner.start()
            raw = Path(tmp) / "stacks.txt"
            command = bench.pinned([spy, "record", "--pid", str(server.process.pid), "--duration",
                                    str(round(args.seconds)), "--rate", "250", "--format", "raw", "--nonblocking",
                                    "--output", str(raw), "--subprocesses"], True)
            threading.Event().wait(2.0)  # past connection set-up and warm-up
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            runner.join()
            if not raw.exists():
                print(done.stderr.strip(), file=sys.stderr)
                return 1
            collapsed = raw.read_text()
        finally:
            bench.stop_all()
    samples, rows = top_frames(collapsed, args.top)
    table = format_table(samples, rows)
    print(f"{args.target} {args.workload} {args.size} B, {args.seconds:.0f} s\n{table}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        Path(f"{args.out}.stacks.txt").write_text(collapsed)
        Path(f"{args.out}.top.txt").write_text(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
