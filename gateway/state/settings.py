"""The `state:` section of the config: which shared state backend, and what to do when it fails.

```yaml
state:
  backend: memory            # memory (one process) | redis (shared by every instance and worker)
  url: "redis://127.0.0.1:6379/0"   # or url_file: /run/secrets/redis_url; may carry a password
  prefix: "chatguard:"       # namespace for every key, so several deployments can share one Redis
  on_error: closed           # closed: refuse while Redis is unreachable | local: fall back to memory
  timeout: 1s                # bound on every Redis operation
  max_entries: 100000        # memory backend: live keys other than bans; rate counters are evicted oldest first
  max_bans: 100000           # memory backend: bans in force, never evicted (a new one beyond is refused)
  max_bytes: 128MiB          # memory backend: approximate size of the entries other than bans
```
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from yarl import URL

from filters.options import ByteSize, Duration, OptionsError, join


def redacted(url: str) -> str:
    """`url` with any password replaced, fit for logs and error messages."""
    if "," in url.split("?", 1)[0]:  # several hosts (Sentinel, Cluster): yarl reads one host only
        return _redacted_multi(url)
    try:
        parsed = URL(url)
    except (ValueError, TypeError):
        return "(unparsable URL)"
    if parsed.password is None:
        return url if "@" not in url else "(URL hidden: it may hold a password)"
    return str(parsed.with_password("***"))


def _redacted_multi(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    rest, query_sep, query = rest.partition("?")
    if "password" in query:
        query = "(options hidden: they may hold a password)"
    if "@" not in rest:
        return f"{scheme}{sep}{rest}{query_sep}{query}"
    userinfo, _, hosts = rest.rpartition("@")
    if ":" not in userinfo:
        return "(URL hidden: it may hold a password)"
    return f"{scheme}{sep}{userinfo.split(':', 1)[0]}:***@{hosts}{query_sep}{query}"


@dataclass(frozen=True)
class StateSettings:
    backend: Literal["memory", "redis"] = "memory"
    url: str = "redis://127.0.0.1:6379/0"
    prefix: str = "chatguard:"
    on_error: Literal["closed", "local"] = "closed"
    timeout: Duration = Duration(1)
    max_entries: int = 100_000  # memory backend: live keys other than bans (rate counters evicted first)
    max_bans: int = 100_000  # memory backend: bans in force, never evicted (a ban beyond it is refused)
    max_bytes: ByteSize = ByteSize(128 * 2**20)  # memory backend: approximate bytes of entries other than bans

    def validate(self, path: str) -> None:
        if self.backend == "redis":
            self._check_url(join(path, "url"))
        if not self.prefix or len(self.prefix) > 64 or not self.prefix.isprintable() or " " in self.prefix:
            raise OptionsError(join(path, "prefix"), "expected 1-64 printable characters without spaces")
        if not 0 < self.timeout <= 60:
            raise OptionsError(join(path, "timeout"), f"expected a duration in (0, 60s], got {float(self.timeout)}")
        for name in ("max_entries", "max_bans"):
            if getattr(self, name) < 1:
                raise OptionsError(join(path, name), f"expected >= 1, got {getattr(self, name)}")
        if self.max_bytes < 2**20:
            raise OptionsError(join(path, "max_bytes"), f"expected at least 1MiB, got {int(self.max_bytes)}")

    def _check_url(self, path: str) -> None:
        from gateway.state.connect import parse_target  # local: connect imports redis-py

        shown = redacted(self.url)
        try:
            parse_target(self.url)
        except ValueError as exc:
            raise OptionsError(path, f"{exc}, got {shown!r}") from None
        if "://" not in self.url.split("?", 1)[0]:
            raise OptionsError(path, f"not a URL: {shown!r}")
        scheme = self.url.split("://", 1)[0].lower()
        if "+" in scheme:
            return  # multi-host URLs: parse_target checked hosts, ports, master name and database
        try:
            parsed = URL(self.url)
        except (ValueError, TypeError):
            raise OptionsError(path, "not a URL") from None
        if parsed.scheme != "unix" and not parsed.host:
            raise OptionsError(path, f"no host in {shown!r}")
        if parsed.scheme == "unix" and not parsed.path.strip("/"):
            raise OptionsError(path, f"no socket path in {shown!r}")
        if parsed.scheme != "unix" and parsed.path.strip("/") and not parsed.path.strip("/").isdigit():
            raise OptionsError(path, f"the path must be a database number, got {shown!r}")

    @property
    def safe_url(self) -> str:
        return redacted(self.url)
