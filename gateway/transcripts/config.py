"""The `transcripts:` section and each route's `transcripts:` policy.

```yaml
transcripts:
  database: "sqlite:///var/lib/chatguard/transcripts.db"   # "" records nothing
  store: masked            # default policy: disabled | masked | full (full needs `keys:`)
  retention: 730d          # delete after this (0: keep forever)
  archive_after: 90d       # move to encrypted archives after this (0: never; needs `keys:`)
  legal_hold: {conversations: [], subjects: []}            # never deleted or erased
  on_backlog: drop         # queue full: drop (counted, alerted) | refuse (503)
routes:
  - ...
    transcripts: {store: full, retention: 2555d}            # a route overrides any of the five
```
A route's policy is the default with the route's keys laid over it (`Policy`), resolved
once at start. Legal holds are joined across all policies: a hold anywhere protects the
conversation or subject everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from filters.options import Duration, OptionsError, join

StoreMode = Literal["disabled", "masked", "full"]
Backlog = Literal["drop", "refuse"]
_URL_PREFIXES = ("sqlite://", "postgresql://", "postgres://")


@dataclass(frozen=True)
class LegalHold:
    """Conversations and subjects exempt from retention, purge and erasure."""

    conversations: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.conversations or self.subjects)

    def joined(self, other: LegalHold) -> LegalHold:
        return LegalHold(tuple(dict.fromkeys(self.conversations + other.conversations)),
                         tuple(dict.fromkeys(self.subjects + other.subjects)))


@dataclass(frozen=True)
class Policy:
    """What is kept for one route, and for how long (all keys resolved)."""

    store: StoreMode = "masked"
    retention: Duration = Duration(0)
    archive_after: Duration = Duration(0)
    legal_hold: LegalHold = field(default_factory=LegalHold)
    on_backlog: Backlog = "drop"

    @property
    def records(self) -> bool:
        return self.store != "disabled"


@dataclass(frozen=True)
class RoutePolicy:
    """A route's `transcripts:`: only the keys it sets differ from the default."""

    store: StoreMode | None = None
    retention: Duration | None = None
    archive_after: Duration | None = None
    legal_hold: LegalHold | None = None
    on_backlog: Backlog | None = None

    def over(self, default: Policy) -> Policy:
        given = {k: v for k, v in vars(self).items() if v is not None}
        return replace(default, **given)

    def validate(self, path: str) -> None:
        if self.retention is not None and self.archive_after is not None:
            check_durations(self.retention, self.archive_after, path)


@dataclass(frozen=True)
class ArchiveSettings:
    """Where archives go (a directory today; the writer sits behind an interface for object stores)."""

    dir: str = ""
    batch: int = 5000            # rows per archive file (at most)


@dataclass(frozen=True)
class WorkerSettings:
    """The retention worker inside the gateway (one across instances, by a lease in the database)."""

    enabled: bool = True
    interval: Duration = Duration(3600)
    batch: int = 1000            # rows deleted or archived per statement
    lease: Duration = Duration(300)

    def validate(self, path: str) -> None:
        if self.interval < 1:
            raise OptionsError(join(path, "interval"), "expected a duration >= 1s")
        if self.batch < 1:
            raise OptionsError(join(path, "batch"), f"expected >= 1, got {self.batch}")
        if self.lease < 10:
            raise OptionsError(join(path, "lease"), "expected a duration >= 10s")


@dataclass(frozen=True)
class TranscriptSettings:
    database: str = field(default="", repr=False)
    store: str = "masked"        # the default policy's mode (a StoreMode; checked in validate)
    retention: Duration = Duration(0)
    archive_after: Duration = Duration(0)
    legal_hold: LegalHold = field(default_factory=LegalHold)
    on_backlog: Backlog = "drop"
    queue: int = 10_000          # records waiting to be written; then on_backlog decides
    batch: int = 200             # records written per transaction
    max_text: int = 65_536       # characters kept per message (the rest is cut, and marked)
    archive: ArchiveSettings = field(default_factory=ArchiveSettings)
    worker: WorkerSettings = field(default_factory=WorkerSettings)

    @property
    def enabled(self) -> bool:
        return bool(self.database)

    @property
    def default(self) -> Policy:
        mode: StoreMode = "full" if self.store == "full" else "disabled" if self.store == "disabled" else "masked"
        return Policy(mode, self.retention, self.archive_after, self.legal_hold, self.on_backlog)

    def validate(self, path: str) -> None:
        if self.database and not self.database.startswith(_URL_PREFIXES):
            raise OptionsError(join(path, "database"), "expected a sqlite:/// or postgresql:// URL")
        if self.store.startswith(_URL_PREFIXES):
            raise OptionsError(join(path, "store"), "is the policy (disabled | masked | full); "
                                                    "the database URL goes in transcripts.database")
        if self.store not in ("disabled", "masked", "full"):
            raise OptionsError(join(path, "store"), f"expected 'disabled' | 'masked' | 'full', got {self.store!r}")
        for name in ("queue", "batch", "max_text"):
            if getattr(self, name) < 1:
                raise OptionsError(join(path, name), f"expected >= 1, got {getattr(self, name)}")
        if self.archive.batch < 1:
            raise OptionsError(join(join(path, "archive"), "batch"), f"expected >= 1, got {self.archive.batch}")
        check_durations(self.retention, self.archive_after, path)


def check_durations(retention: float, archive_after: float, path: str) -> None:
    if retention and archive_after and archive_after >= retention:
        raise OptionsError(join(path, "archive_after"),
                           "must be shorter than retention (rows are archived, then deleted at retention)")


def check_transcripts(settings: Any, path: str) -> None:
    """Rules across sections: `full` and archives need keys; archives need a directory."""
    transcripts: TranscriptSettings = settings.transcripts
    encrypted = settings.keys.enabled
    where: list[tuple[str, Policy]] = [(join(path, "transcripts"), transcripts.default)]
    for i, route in enumerate(settings.routes):
        if route.transcripts is not None:
            where.append((join(join(join(path, "routes"), i), "transcripts"), route.transcripts.over(transcripts.default)))
    for at, policy in where:
        check_durations(policy.retention, policy.archive_after, at)
        if not transcripts.enabled:
            continue
        if policy.store == "full" and not encrypted:
            raise OptionsError(join(at, "store"), "full keeps unmasked text, which is only stored encrypted: "
                                                  "configure keys (kek_file, kek_env or kms)")
        if policy.archive_after and policy.store != "disabled":
            if not encrypted:
                raise OptionsError(join(at, "archive_after"), "archives are encrypted: configure keys "
                                                              "(kek_file, kek_env or kms)")
            if not transcripts.archive.dir:
                raise OptionsError(join(join(join(path, "transcripts"), "archive"), "dir"),
                                   "required when a policy sets archive_after")


def policies(settings: Any) -> tuple[Policy, dict[str, Policy]]:
    """The default policy and each route's resolved policy, by route name."""
    default: Policy = settings.transcripts.default
    by_route = {route.name: (route.transcripts.over(default) if route.transcripts is not None else default)
                for route in settings.routes}
    return default, by_route
