"""Redis URLs -> redis-py clients: one server, a Sentinel-watched master, or a Cluster.

```
redis://[[user]:password@]host[:port][/db]          one server (rediss:// with TLS, unix:///path.sock)
redis+sentinel://[[user]:password@]h1[:26379][,h2[:26379]...]/master-name[/db]
redis+cluster://[[user]:password@]h1[:6379][,h2[:6379]...]
```
`rediss+sentinel://` and `rediss+cluster://` use TLS. The user and password are the data nodes' (the
master's, the cluster's); Sentinels that want their own take `?sentinel_username=` and
`?sentinel_password=`. A Sentinel client asks the Sentinels for the master on every (re)connect, so it
follows a failover; a Cluster client learns the slots from any node it is given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qs, unquote

from redis.asyncio import Redis
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.asyncio.retry import Retry
from redis.asyncio.sentinel import Sentinel
from redis.backoff import NoBackoff

Topology = Literal["server", "sentinel", "cluster"]
_TOPOLOGY: dict[str, tuple[Topology, bool]] = {
    "redis": ("server", False), "rediss": ("server", True), "unix": ("server", False),
    "redis+sentinel": ("sentinel", False), "rediss+sentinel": ("sentinel", True),
    "redis+cluster": ("cluster", False), "rediss+cluster": ("cluster", True),
}
SCHEMES = frozenset(_TOPOLOGY)
_DEFAULT_PORT: dict[Topology, int] = {"server": 6379, "sentinel": 26379, "cluster": 6379}
_SENTINEL_QUERY = frozenset({"sentinel_username", "sentinel_password"})


@dataclass(frozen=True)
class RedisTarget:
    """What a multi-host URL names (single servers keep their URL for redis-py to read)."""

    topology: Topology
    tls: bool
    nodes: tuple[tuple[str, int], ...] = ()
    master: str = ""
    db: int = 0
    username: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    sentinel_username: str | None = field(default=None, repr=False)
    sentinel_password: str | None = field(default=None, repr=False)


def _nodes(hosts: str, default_port: int) -> tuple[tuple[str, int], ...]:
    found: list[tuple[str, int]] = []
    for part in hosts.split(","):
        host, port = part.strip(), default_port
        if host.startswith("["):  # [IPv6]:port
            end = host.find("]")
            if end < 0:
                raise ValueError(f"unclosed '[' in host {part!r}")
            rest, host = host[end + 1:], host[1:end]
            if rest:
                if not rest.startswith(":"):
                    raise ValueError(f"bad host {part!r}")
                port = _port(rest[1:], part)
        elif host.count(":") == 1:
            host, raw = host.split(":")
            port = _port(raw, part)
        if not host:
            raise ValueError("a host is missing in the host list")
        found.append((host, port))
    return tuple(found)


def _port(raw: str, part: str) -> int:
    if not raw.isdigit() or not 0 < int(raw) <= 65535:
        raise ValueError(f"bad port in {part!r}")
    return int(raw)


def parse_target(url: str) -> RedisTarget:
    """Read `url`; ValueError (never quoting a password) when it cannot be used."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in _TOPOLOGY:
        raise ValueError("expected redis://, rediss://, unix://, redis+sentinel:// or redis+cluster://")
    topology, tls = _TOPOLOGY[scheme]
    if topology == "server":
        return RedisTarget(topology, tls)
    rest, _, raw_query = url.split("://", 1)[1].partition("?")
    netloc, slash, path = rest.partition("/")
    userinfo, _, hosts = netloc.rpartition("@")
    username, _, password = userinfo.partition(":") if userinfo else ("", "", "")
    query = {key: values[-1] for key, values in parse_qs(raw_query).items()}
    unknown = set(query) - (_SENTINEL_QUERY if topology == "sentinel" else set())
    if unknown:
        raise ValueError(f"unknown URL option(s): {', '.join(sorted(unknown))}")
    segments = [unquote(s) for s in (slash + path).split("/") if s]
    master, db = "", 0
    if topology == "sentinel":
        if not segments:
            raise ValueError("name the master after the hosts: redis+sentinel://host:26379/mymaster")
        master, segments = segments[0], segments[1:]
    if len(segments) > 1 or (segments and not segments[0].isdigit()):
        raise ValueError("the path must be a database number")
    db = int(segments[0]) if segments else 0
    if topology == "cluster" and db:
        raise ValueError("a Redis Cluster has only database 0")
    return RedisTarget(topology, tls, _nodes(hosts, _DEFAULT_PORT[topology]), master, db,
                       unquote(username) or None, unquote(password) or None,
                       query.get("sentinel_username"), query.get("sentinel_password"))


def client(url: str, timeout: float) -> Redis | RedisCluster:
    """A redis-py asyncio client for `url`; it connects lazily, so an outage never stops startup.

    Every call is bounded by `timeout` and retried at most once, at once: the state store decides what
    an outage means (`state.on_error`), the client does not wait it out."""
    target = parse_target(url)
    if target.topology == "server":
        return Redis.from_url(url, retry=Retry(NoBackoff(), 1), decode_responses=False,
                              socket_timeout=timeout, socket_connect_timeout=timeout)
    if target.topology == "cluster":
        return RedisCluster(startup_nodes=[ClusterNode(host, port) for host, port in target.nodes],
                            username=target.username, password=target.password, ssl=target.tls,
                            retry=Retry(NoBackoff(), 1), decode_responses=False,
                            socket_timeout=timeout, socket_connect_timeout=timeout)
    sentinels = Sentinel(list(target.nodes), socket_timeout=timeout, sentinel_kwargs={
        "socket_timeout": timeout, "socket_connect_timeout": timeout, "ssl": target.tls,
        "username": target.sentinel_username, "password": target.sentinel_password})
    master: Redis = sentinels.master_for(
        target.master, redis_class=Redis, db=target.db, username=target.username, password=target.password,
        ssl=target.tls, retry=Retry(NoBackoff(), 1), decode_responses=False,
        socket_timeout=timeout, socket_connect_timeout=timeout)
    return master


def key_prefix(url: str, prefix: str) -> str:
    """The prefix as stored: on a Cluster, in a hash tag, so every key of one deployment shares a slot
    (the store's scripts touch several keys at once, which a Cluster allows only within one slot)."""
    if parse_target(url).topology != "cluster" or ("{" in prefix and "}" in prefix.split("{", 1)[1]):
        return prefix
    return "{" + prefix + "}"
