"""Instructions per operation of a benchmark's own process, counted by valgrind's callgrind.

The loop benchmarks (`http_loop`, `ws_loop`, `inspect_loop`) run a child of themselves (`--counted ...`)
under callgrind with counting off; the child warms up, prints `warm`, and waits; counting is switched on,
the child is told (SIGUSR1) to run its counted operations and exits at once. The count does not depend on
how busy the machine is (it does not see cache misses or system calls), so it is the A/B figure here.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path


def per_operation(module: str, counted: list[str], operations: int, what: str) -> float:
    """Instructions per operation of `python -m module *counted` over its `operations` counted ones."""
    valgrind, control = shutil.which("valgrind"), shutil.which("callgrind_control")
    if valgrind is None or control is None:
        raise SystemExit("valgrind not found: apt-get install valgrind")
    with tempfile.TemporaryDirectory(prefix="chatguard-callgrind-") as tmp:
        out = Path(tmp) / "callgrind.out"
        child = subprocess.Popen(
            [valgrind, "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}", sys.executable,
             "-m", module, *counted],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert child.stdout is not None
        if child.stdout.readline().strip() != "warm":
            child.kill()
            raise SystemExit(f"{what}: the counted run did not start")
        subprocess.run([control, "-i", "on", str(child.pid)], check=True, capture_output=True, timeout=600)
        child.send_signal(signal.SIGUSR1)
        child.wait(timeout=1200)
        totals = [line for line in out.read_text().splitlines() if line.startswith(("totals:", "summary:"))]
    return int(totals[0].split()[1]) / operations
