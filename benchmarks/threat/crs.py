"""OWASP CRS at paranoia level 1 through libmodsecurity in nginx: the reference WAF.

Starts a private nginx (Debian's `libnginx-mod-http-modsecurity` and `modsecurity-crs`,
installed with apt-get when running as root and missing) on loopback with the CRS
rules, anomaly scoring at its defaults, JSON request bodies parsed, and a second server
block answering 200 behind it. Each message is posted as `{"text": ...}`; a 403 means
CRS blocked it. Returns the blocked flag per message and the CPU microseconds nginx
spent per message.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import aiohttp
import orjson

MODULE = Path("/usr/lib/nginx/modules/ngx_http_modsecurity_module.so")
CRS = Path("/usr/share/modsecurity-crs/owasp-crs.load")  # the package's marker; libmodsecurity reads the rules
RULES = Path("/usr/share/modsecurity-crs/rules")
PACKAGES = ("nginx", "libnginx-mod-http-modsecurity", "modsecurity-crs")


def available() -> str:
    """"" when CRS can run; otherwise why not (after trying to install as root)."""
    if not (MODULE.exists() and CRS.exists() and shutil.which("nginx")):
        if os.geteuid() != 0:
            return "needs " + " ".join(PACKAGES) + " (run as root to install them)"
        subprocess.run(["apt-get", "install", "-y", "-q", *PACKAGES], check=False, capture_output=True)
    if MODULE.exists() and CRS.exists() and shutil.which("nginx"):
        return ""
    return "apt-get could not install " + " ".join(PACKAGES)


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _config(folder: Path, port: int, backend: int) -> Path:
    (folder / "modsecurity.conf").write_text(f"""
SecRuleEngine On
SecRequestBodyAccess On
SecRequestBodyLimit 13107200
SecRequestBodyNoFilesLimit 131072
SecRequestBodyLimitAction Reject
SecRule REQUEST_HEADERS:Content-Type "^application/json" \\
    "id:200001,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON"
SecPcreMatchLimit 100000
SecPcreMatchLimitRecursion 100000
SecAuditEngine Off
SecDebugLogLevel 0
SecTmpDir {folder}
SecDataDir {folder}
Include /etc/modsecurity/crs/crs-setup.conf
Include /etc/modsecurity/crs/REQUEST-900-EXCLUSION-RULES-BEFORE-CRS.conf
Include {RULES}/*.conf
Include /etc/modsecurity/crs/RESPONSE-999-EXCLUSION-RULES-AFTER-CRS.conf
""")
    config = folder / "nginx.conf"
    config.write_text(f"""
load_module {MODULE};
daemon on;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log error;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {folder};
    proxy_temp_path {folder};
    fastcgi_temp_path {folder};
    uwsgi_temp_path {folder};
    scgi_temp_path {folder};
    server {{
        listen 127.0.0.1:{backend};
        location / {{ return 200 "ok"; }}
    }}
    server {{
        listen 127.0.0.1:{port};
        modsecurity on;
        modsecurity_rules_file {folder}/modsecurity.conf;
        location / {{ proxy_pass http://127.0.0.1:{backend}; }}
    }}
}}
""")
    return config


def _cpu(pid: int) -> float:
    """CPU seconds of a process and its children so far (nginx master + worker)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for child in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


async def _post_all(port: int, texts: Sequence[str]) -> list[bool]:
    blocked = [False] * len(texts)
    queue = list(enumerate(texts))

    async def worker(session: aiohttp.ClientSession) -> None:
        while queue:
            index, text = queue.pop()
            async with session.post(f"http://127.0.0.1:{port}/api/messages", data=orjson.dumps({"text": text}),
                                    headers={"Content-Type": "application/json"}) as response:
                blocked[index] = response.status == 403
                await response.read()

    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(worker(session) for _ in range(8)))
    return blocked


def run(texts: Sequence[str]) -> tuple[list[bool], float]:
    """(blocked per message, nginx CPU microseconds per message)."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        config = _config(folder, port := _port(), _port())
        subprocess.run(["nginx", "-c", str(config), "-p", str(folder)], check=True, capture_output=True)
        try:
            for _ in range(100):
                if (folder / "nginx.pid").exists():
                    break
                time.sleep(0.05)
            pid = int((folder / "nginx.pid").read_text())
            asyncio.run(_post_all(port, texts[:50]))  # warm up
            before = _cpu(pid)
            blocked = asyncio.run(_post_all(port, texts))
            spent = _cpu(pid) - before
        finally:
            subprocess.run(["nginx", "-c", str(config), "-p", str(folder), "-s", "stop"], check=False,
                           capture_output=True)
        return blocked, spent * 1e6 / max(len(texts), 1)
