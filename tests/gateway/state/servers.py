"""Real Redis servers started by the tests from Debian's redis-server, on free loopback ports.

`RedisServer` is one process (stop and start it again to test outages); `redis_sentinel` gives a master
with a Sentinel watching it; `redis_cluster` a three-master Cluster. Nothing is persisted: each server
lives in its own temporary directory and is stopped at the end of the test.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ports import free_port

START_TIMEOUT = 15.0




def _binary(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} not found: install Debian's redis-server package")
    return found


def cli(port: int, *args: str, check: bool = True) -> str:
    done = subprocess.run([_binary("redis-cli"), "-h", "127.0.0.1", "-p", str(port), *args],
                          capture_output=True, text=True, timeout=30, check=False)
    if check and done.returncode != 0:
        raise RuntimeError(f"redis-cli {' '.join(args)}: {done.stderr or done.stdout}")
    return done.stdout.strip()


def _wait(condition: str, probe: object, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if probe():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise RuntimeError(f"Redis test server: {condition} not reached within {timeout} s")


class RedisServer:
    """One redis-server process; `stop()` and `start()` again keep its port."""

    def __init__(self, directory: Path, *extra: str, port: int | None = None, sentinel: bool = False) -> None:
        self.port = port or free_port()
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.sentinel = sentinel
        self.extra = extra
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        args = [_binary("redis-server")]
        if self.sentinel:
            config = self.directory / "sentinel.conf"
            config.write_text("\n".join(self.extra) + "\n")  # Sentinel rewrites its own config file
            args += [str(config), "--sentinel"]
        args += ["--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--dir", str(self.directory), "--logfile", str(self.directory / "redis.log")]
        if not self.sentinel:
            args += list(self.extra)
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait(f"PING on {self.port}", lambda: cli(self.port, "PING", check=False) == "PONG")
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None


@pytest.fixture
def redis_process(tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis of the test's own, free to stop and restart."""
    server = RedisServer(tmp_path / "redis").start()
    try:
        yield server
    finally:
        server.stop()


class SentinelSetup:
    def __init__(self, master: RedisServer, replica: RedisServer, sentinel: RedisServer, name: str) -> None:
        self.master, self.replica, self.sentinel, self.name = master, replica, sentinel, name

    def master_port(self) -> int:
        """The master's port, as the Sentinel reports it now."""
        answer = cli(self.sentinel.port, "SENTINEL", "get-master-addr-by-name", self.name, check=False).split()
        return int(answer[-1]) if answer else 0

    @property
    def url(self) -> str:
        return f"redis+sentinel://127.0.0.1:{self.sentinel.port}/{self.name}/0"


@pytest.fixture
def redis_sentinel(tmp_path: Path) -> Iterator[SentinelSetup]:
    """A master, a replica of it and one Sentinel watching both (quorum 1) under the name `chatguard`."""
    master = RedisServer(tmp_path / "master", "--repl-diskless-sync-delay", "0").start()  # sync at once
    replica = RedisServer(tmp_path / "replica", "--replicaof", "127.0.0.1", str(master.port))
    sentinel = RedisServer(tmp_path / "sentinel", f"sentinel monitor chatguard 127.0.0.1 {master.port} 1",
                           "sentinel down-after-milliseconds chatguard 1000",
                           "sentinel failover-timeout chatguard 5000", sentinel=True)
    setup = SentinelSetup(master, replica, sentinel, "chatguard")
    try:
        replica.start()
        _wait("the replica in sync", lambda: "master_link_status:up" in cli(replica.port, "INFO", "replication",
                                                                           check=False))
        sentinel.start()  # after the replica: its first look at the master finds the replica too
        _wait("the Sentinel knowing master and replica",
              lambda: setup.master_port() == master.port
              and str(replica.port) in cli(sentinel.port, "SENTINEL", "replicas", "chatguard", check=False))
        yield setup
    finally:
        sentinel.stop()
        replica.stop()
        master.stop()


class ClusterSetup:
    def __init__(self, nodes: list[RedisServer]) -> None:
        self.nodes = nodes

    @property
    def url(self) -> str:
        return "redis+cluster://" + ",".join(f"127.0.0.1:{node.port}" for node in self.nodes[:2])


@pytest.fixture
def redis_cluster(tmp_path: Path) -> Iterator[ClusterSetup]:
    """Three masters sharing the 16384 slots, no replicas."""
    nodes = [RedisServer(tmp_path / f"node{i}", "--cluster-enabled", "yes", "--cluster-config-file",
                         f"nodes-{i}.conf", "--cluster-node-timeout", "2000",
                         "--cluster-port", str(free_port())) for i in range(3)]  # not port + 10000
    try:
        for node in nodes:
            node.start()
        cli(nodes[0].port, "--cluster", "create", *(f"127.0.0.1:{node.port}" for node in nodes),
            "--cluster-replicas", "0", "--cluster-yes")
        for node in nodes:
            _wait("cluster_state:ok", lambda node=node: "cluster_state:ok" in cli(node.port, "CLUSTER", "INFO",
                                                                                 check=False))
        yield ClusterSetup(nodes)
    finally:
        for node in nodes:
            node.stop()
