"""Find or install what the benchmark needs: nginx, its echo and ModSecurity modules, the OWASP CRS and
wrk (Debian packages), mitmdump (own venv), Redis (for the shield rows)."""

from __future__ import annotations

import os
import resource
import shutil
import socket
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MITM_VENV = HERE / ".venv-mitm"
APT_PACKAGES = {"nginx": "nginx-light", "wrk": "wrk", "taskset": "util-linux"}
# Files that are not commands: the nginx modules and the rule set, by the package that ships them.
APT_FILES = {
    "/usr/lib/nginx/modules/ngx_http_echo_module.so": "libnginx-mod-http-echo",
    "/usr/lib/nginx/modules/ngx_http_modsecurity_module.so": "libnginx-mod-http-modsecurity",
    "/usr/share/modsecurity-crs/rules": "modsecurity-crs",
}


def _apt_install(packages: list[str]) -> bool:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env, "check": False}
    if subprocess.run(["apt-get", "install", "-y", "-q", *packages], **quiet).returncode == 0:
        return True
    subprocess.run(["apt-get", "update", "-q"], **quiet)
    return subprocess.run(["apt-get", "install", "-y", "-q", *packages], **quiet).returncode == 0


def ensure_commands(notes: list[str]) -> dict[str, str | None]:
    """Path of each command, installing missing ones with apt-get when running as root."""
    missing = [APT_PACKAGES[name] for name in APT_PACKAGES if shutil.which(name) is None]
    missing += [package for path, package in APT_FILES.items() if not os.path.exists(path)]
    if missing and shutil.which("apt-get") and os.geteuid() == 0:
        print(f"installing {', '.join(missing)} with apt-get ...", flush=True)
        _apt_install(missing)
    found = {name: shutil.which(name) for name in APT_PACKAGES}
    for name, path in found.items():
        if path is None:
            notes.append(f"{name} not found: install the Debian package {APT_PACKAGES[name]} "
                         f"(sudo apt-get install {APT_PACKAGES[name]}) and run again")
    return found


def ensure_mitmdump(notes: list[str]) -> str | None:
    """mitmdump from benchmarks/.venv-mitm, created on first use so the project venv stays clean."""
    mitmdump = MITM_VENV / "bin" / "mitmdump"
    if not mitmdump.exists():
        print(f"creating {MITM_VENV} and installing mitmproxy (first run only) ...", flush=True)
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "check": False}
        if subprocess.run([sys.executable, "-m", "venv", str(MITM_VENV)], **quiet).returncode == 0:
            subprocess.run([str(MITM_VENV / "bin" / "pip"), "install", "-q", "mitmproxy"], **quiet)
    if not mitmdump.exists():
        notes.append(f"mitmdump unavailable: `pip install mitmproxy` into {MITM_VENV} failed")
        return None
    return str(mitmdump)


def chatguard_available(notes: list[str]) -> bool:
    probe = subprocess.run([sys.executable, "-m", "gateway", "--help"], capture_output=True, check=False)
    if probe.returncode != 0:
        notes.append("chatguard skipped: `python -m gateway` does not run yet")
        return False
    return True


def redis_available(host: str = "127.0.0.1", port: int = 6379) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def raise_fd_limit() -> int:
    """Lift this process's open-file limit to the hard limit (thousands of sockets); returns the new limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard
