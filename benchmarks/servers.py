"""The processes a benchmark run starts: nginx configs (plain, ModSecurity, upstreams), pinned launch, clean stop."""

from __future__ import annotations

import contextlib
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
HTTP_PATH = "/api/rooms/bench/messages"  # the upstream answers a fixed chat JSON
ECHO_PATH = "/api/rooms/echo/messages"  # the upstream answers the request body (message-size rows)
WS_PATH = "/ws/bench"
MODULES = Path("/usr/lib/nginx/modules")


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

    def descriptors(self) -> int:
        """Open file descriptors of the process tree (each client or upstream socket holds one)."""
        total = 0
        for pid in _tree(self.process.pid):
            try:
                total += len(os.listdir(f"/proc/{pid}/fd"))
            except OSError:
                continue
        return total

    def cpu_by_process(self) -> dict[int, float]:
        """User + system CPU seconds of each process of the tree (the supervisor and each worker apart)."""
        tick = os.sysconf("SC_CLK_TCK")
        seconds = {}
        for pid in _tree(self.process.pid):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            seconds[pid] = (int(fields[11]) + int(fields[12])) / tick
        return seconds

    def sleeps(self) -> int:
        """Voluntary context switches of every thread of the tree: how often it waited for work (an event
        loop blocking in epoll_wait). Per request, it tells a saturated server from one that idles between
        requests and pays a wake-up for each."""
        total = 0
        for pid in _tree(self.process.pid):
            for status in Path(f"/proc/{pid}/task").glob("*/status"):
                with contextlib.suppress(OSError):
                    total += next((int(line.split()[1]) for line in status.read_text().splitlines()
                                   if line.startswith("voluntary_ctxt_switches:")), 0)
        return total

    def connections_by_process(self) -> dict[int, int]:
        """Established client connections on the server's port held by each process of the tree: how the
        kernel spread them between workers (SO_REUSEPORT hashes each connection to one listening socket)."""
        return {pid: len(inodes & _port_sockets(self.port)) for pid, inodes in
                ((pid, _socket_inodes(pid)) for pid in _tree(self.process.pid))}

    def listening_processes(self, port: int) -> int:
        """Processes of the tree holding a listening socket on `port`: with `--workers N` each worker binds
        the admin port once it serves, so N of them means every worker is up."""
        listening = _port_sockets(port, state="0A")  # 0A: LISTEN
        return sum(1 for pid in _tree(self.process.pid) if _socket_inodes(pid) & listening)

    def rss_bytes(self) -> int:
        """Resident memory of the process tree (nginx master + worker, chatguard and its workers)."""
        total = 0
        for pid in _tree(self.process.pid):
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        return total


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    try:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
    except OSError:
        pass
    return inodes


def _port_sockets(port: int, state: str = "01") -> set[str]:
    """Inodes of the TCP sockets in `state` (01: ESTABLISHED) whose local port is `port` (/proc/net/tcp and tcp6)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == state:
                    inodes.add(fields[9])
    return inodes


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
          env: dict[str, str] | None = None, cwd: Path = REPO) -> Server:
    pinned = ["taskset", "-c", cpu, *command] if cpu is not None else command
    log = (log_dir / f"{name}.log").open("ab")
    process = subprocess.Popen(pinned, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               cwd=cwd, env=env, start_new_session=True)
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


def nginx_conf(workdir: Path, name: str, port: int, server_block: str, upstreams: str = "",
               modules: tuple[str, ...] = ()) -> Path:
    """A self-contained nginx config: one worker, no access log, temp files under workdir."""
    base = workdir / name
    base.mkdir(parents=True, exist_ok=True)
    conf = base / "nginx.conf"
    loads = "".join(f"load_module {MODULES / module};\n" for module in modules)
    conf.write_text(f"""{loads}
worker_processes 1;
worker_rlimit_nofile 20000;
daemon off;
pid {base}/nginx.pid;
error_log {base}/error.log warn;
events {{ worker_connections 16384; multi_accept on; }}
http {{
    access_log off;
    client_body_temp_path {base}/body;
    proxy_temp_path {base}/proxy;
    fastcgi_temp_path {base}/fastcgi;
    uwsgi_temp_path {base}/uwsgi;
    scgi_temp_path {base}/scgi;
    keepalive_requests 10000000;
    client_body_buffer_size 128k;
    client_max_body_size 1m;
    {upstreams}
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        {server_block}
    }}
}}
""")
    return conf


def echo_available() -> bool:
    return (MODULES / "ngx_http_echo_module.so").exists()


def upstream_nginx_conf(workdir: Path, port: int) -> Path:
    """The HTTP upstream: nginx answering a fixed chat JSON, or echoing the body on ECHO_PATH (cheap on purpose)."""
    body = chat_json().replace("'", "")
    block = f"location / {{ default_type application/json; return 200 '{body}'; }}"
    modules: tuple[str, ...] = ()
    if echo_available():
        modules = ("ngx_http_echo_module.so",)
        block += (f" location = {ECHO_PATH} {{ default_type application/json; echo_read_request_body; "
                  "echo_request_body; }")
    return nginx_conf(workdir, f"upstream-{port}", port, block, modules=modules)


def proxy_nginx_conf(workdir: Path, port: int, http_port: int, ws_port: int, modsecurity: bool = False) -> Path:
    """nginx as reverse proxy; with `modsecurity`, ModSecurity 3 and the OWASP CRS (PL1) in blocking mode."""
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
    if not modsecurity:
        return nginx_conf(workdir, f"proxy-{port}", port, block, upstreams)
    rules = modsecurity_rules(workdir / f"modsec-{port}")
    upstreams += f" modsecurity on; modsecurity_rules_file {rules};"
    return nginx_conf(workdir, f"modsec-{port}", port, block, upstreams,
                      modules=("ngx_http_modsecurity_module.so",))


CRS_SETUP = Path("/etc/modsecurity/crs/crs-setup.conf")
CRS_RULES = Path("/usr/share/modsecurity-crs/rules")


def modsecurity_available() -> bool:
    return (MODULES / "ngx_http_modsecurity_module.so").exists() and CRS_SETUP.exists() and CRS_RULES.is_dir()


def modsecurity_rules(base: Path) -> Path:
    """ModSecurity's recommended engine settings with blocking on, JSON bodies parsed, then the CRS at PL1.

    Response bodies are not inspected (the CRS response rules only look at text/html-like types), nor
    does anything get audit-logged: the WAF does the least it can for a clean request, so ratios
    against it are not flattered.
    """
    base.mkdir(parents=True, exist_ok=True)
    conf = base / "modsecurity.conf"
    conf.write_text(f"""
SecRuleEngine On
SecRequestBodyAccess On
SecRule REQUEST_HEADERS:Content-Type "^application/json" \\
    "id:200001,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON"
SecRequestBodyLimit 13107200
SecRequestBodyNoFilesLimit 1048576
SecRequestBodyLimitAction Reject
SecRequestBodyJsonDepthLimit 512
SecRule REQBODY_ERROR "!@eq 0" "id:200002,phase:2,t:none,log,deny,status:400,msg:'Failed to parse request body.'"
SecPcreMatchLimit 1000
SecPcreMatchLimitRecursion 1000
SecResponseBodyAccess Off
SecTmpDir {base}
SecDataDir {base}
SecAuditEngine Off
SecArgumentSeparator &
SecCookieFormat 0
SecUnicodeMapFile /etc/nginx/unicode.mapping 20127
Include {CRS_SETUP}
Include {CRS_RULES}/*.conf
""")
    return conf
