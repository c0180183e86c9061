"""The processes a benchmark run starts: configs for nginx and chatguard, pinned launch, clean stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from benchmarks.payload import chat_json

REPO = Path(__file__).resolve().parents[1]
HTTP_PATH = "/api/rooms/bench/messages"
WS_PATH = "/ws/bench"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A started process (and its children), pinned to one CPU."""

    name: str
    process: subprocess.Popen[bytes]
    port: int

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def cpu_seconds(self) -> float:
        """User + system CPU time of the process tree (nginx master + worker, for example)."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in _tree(self.process.pid):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / tick


def _tree(root: int) -> list[int]:
    pids, queue = [], [root]
    while queue:
        pid = queue.pop()
        pids.append(pid)
        for task in Path(f"/proc/{pid}/task").glob("*/children"):
            try:
                queue.extend(int(child) for child in task.read_text().split())
            except OSError:
                pass
    return pids


def start(name: str, command: list[str], cpu: str | None, log_dir: Path, port: int,
          env: dict[str, str] | None = None) -> Server:
    pinned = ["taskset", "-c", cpu, *command] if cpu is not None else command
    log = (log_dir / f"{name}.log").open("ab")
    process = subprocess.Popen(pinned, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               cwd=REPO, env=env, start_new_session=True)
    log.close()
    return Server(name, process, port)


def wait_ready(server: Server, url: str | None = None, within: float = 60.0) -> None:
    """Wait until the port accepts connections (and url answers 200, when given)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited with status {server.process.returncode} (see its log)")
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=1):
                pass
            if url is None:
                return
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{server.name} did not become ready within {within:.0f} s")


def nginx_conf(workdir: Path, name: str, port: int, server_block: str, upstreams: str = "") -> Path:
    """A self-contained nginx config: one worker, no access log, temp files under workdir."""
    base = workdir / name
    base.mkdir(parents=True, exist_ok=True)
    conf = base / "nginx.conf"
    conf.write_text(f"""
worker_processes 1;
daemon off;
pid {base}/nginx.pid;
error_log {base}/error.log warn;
events {{ worker_connections 4096; multi_accept on; }}
http {{
    access_log off;
    client_body_temp_path {base}/body;
    proxy_temp_path {base}/proxy;
    fastcgi_temp_path {base}/fastcgi;
    uwsgi_temp_path {base}/uwsgi;
    scgi_temp_path {base}/scgi;
    keepalive_requests 10000000;
    {upstreams}
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        {server_block}
    }}
}}
""")
    return conf


def upstream_nginx_conf(workdir: Path, port: int) -> Path:
    """The HTTP upstream: nginx answering every POST with a fixed chat JSON (cheap on purpose)."""
    body = chat_json().replace("'", "")
    block = f"location / {{ default_type application/json; return 200 '{body}'; }}"
    return nginx_conf(workdir, f"upstream-{port}", port, block)


def proxy_nginx_conf(workdir: Path, port: int, http_port: int, ws_port: int) -> Path:
    upstreams = (f"upstream http_up {{ server 127.0.0.1:{http_port}; keepalive 128; }} "
                 f"upstream ws_up {{ server 127.0.0.1:{ws_port}; }}")
    block = f"""
        location {WS_PATH} {{
            proxy_pass http://ws_up;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_read_timeout 3600s;
        }}
        location / {{
            proxy_pass http://http_up;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }}"""
    return nginx_conf(workdir, f"proxy-{port}", port, block, upstreams)


def chatguard_conf(workdir: Path, port: int, admin: int, http_port: int, ws_port: int) -> Path:
    """Pass-through routes (no message fields, no filters): the cost of the gateway itself."""
    conf = workdir / f"chatguard-{port}.yaml"
    conf.write_text(f"""
listen: {{host: 127.0.0.1, port: {port}}}
admin: {{host: 127.0.0.1, port: {admin}}}
logging: {{level: warning, access_log: false}}
shield: {{enabled: false}}  # one load generator address would trip the per-address limits
upstreams:
  api: {{url: "http://127.0.0.1:{http_port}"}}
  ws: {{url: "http://127.0.0.1:{ws_port}"}}
routes:
  - name: api
    match: {{path: "{HTTP_PATH}", methods: [POST]}}
    upstream: api
    allow: [anonymous]
  - name: ws
    match: {{path: "{WS_PATH}", websocket: true}}
    upstream: ws
    allow: [anonymous]
""")
    return conf

