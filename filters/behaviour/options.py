"""Options of the `behaviour` filter: one frozen section per check, each with its own switch."""

from __future__ import annotations

from dataclasses import dataclass, field

from filters.options import Duration, OptionsError, join


def _positive(path: str, **values: float) -> None:
    for name, value in values.items():
        if not value > 0:
            raise OptionsError(join(path, name), f"expected a number > 0, got {value!r}")


@dataclass(frozen=True)
class FloodOptions:
    """Messages per `window`: per subject in one room, per subject anywhere, per address (NAT backstop)."""

    enabled: bool = True
    window: Duration = Duration(10)
    per_room: int = 10
    per_subject: int = 30
    per_address: int = 200  # many people can share one address: keep this well above per_subject
    ban_factor: float = 3.0  # at `ban_factor` times a limit the verdict also asks for a ban

    def validate(self, path: str) -> None:
        _positive(path, window=self.window, per_room=self.per_room, per_subject=self.per_subject,
                  per_address=self.per_address)
        if self.ban_factor < 1:
            raise OptionsError(join(path, "ban_factor"), f"expected >= 1, got {self.ban_factor}")


@dataclass(frozen=True)
class SpamOptions:
    """Near-identical messages per `window` (near-duplicates by MinHash LSH)."""

    enabled: bool = True
    window: Duration = Duration(300)
    per_room: int = 4
    per_subject: int = 8  # the same text across rooms and addresses
    per_address: int = 30  # the same text from many subjects behind one address
    min_length: int = 12  # shorter texts ("ok", "thanks") repeat innocently; flooding covers them
    ban_factor: float = 3.0

    def validate(self, path: str) -> None:
        _positive(path, window=self.window, per_room=self.per_room, per_subject=self.per_subject,
                  per_address=self.per_address)
        if self.min_length < 0:
            raise OptionsError(join(path, "min_length"), f"expected >= 0, got {self.min_length}")
        if self.ban_factor < 1:
            raise OptionsError(join(path, "ban_factor"), f"expected >= 1, got {self.ban_factor}")


@dataclass(frozen=True)
class NetworkOptions:
    """A known subject acting from a network (/24, /48) or client it has not used for `remember`."""

    enabled: bool = True
    ipv4_prefix: int = 24
    ipv6_prefix: int = 48
    remember: Duration = Duration(30 * 86400)
    score: float = 0.5

    def validate(self, path: str) -> None:
        if not 8 <= self.ipv4_prefix <= 32:
            raise OptionsError(join(path, "ipv4_prefix"), f"expected 8-32, got {self.ipv4_prefix}")
        if not 16 <= self.ipv6_prefix <= 128:
            raise OptionsError(join(path, "ipv6_prefix"), f"expected 16-128, got {self.ipv6_prefix}")
        _positive(path, remember=self.remember)
        if not 0 < self.score <= 1:
            raise OptionsError(join(path, "score"), f"expected a number in (0, 1], got {self.score}")


@dataclass(frozen=True)
class AnomalyOptions:
    """Deviation from the subject's own exponentially weighted baseline of message rate and size, and
    first use of a route the subject never used."""

    enabled: bool = True
    alpha: float = 0.05  # weight of each new message: higher adapts faster (and is easier to drift)
    min_samples: int = 30  # no judgement before the baseline has seen this many messages
    deviations: float = 4.0  # flag at this many standard deviations above the subject's mean
    remember: Duration = Duration(30 * 86400)
    new_route: float = 0.5  # score of a trained subject's first message on a route it never used; 0: off
    max_routes: int = 64  # routes remembered per subject (least recently used dropped first)

    def validate(self, path: str) -> None:
        if not 0 < self.alpha < 1:
            raise OptionsError(join(path, "alpha"), f"expected a number in (0, 1), got {self.alpha}")
        if not 0 <= self.new_route <= 1:
            raise OptionsError(join(path, "new_route"), f"expected a number in [0, 1], got {self.new_route}")
        if self.max_routes < 1:
            raise OptionsError(join(path, "max_routes"), f"expected >= 1, got {self.max_routes}")
        _positive(path, min_samples=self.min_samples, deviations=self.deviations, remember=self.remember)


@dataclass(frozen=True)
class BehaviourOptions:
    """Options of the `behaviour` filter (see config/chatguard.example.yaml)."""

    flood: FloodOptions = field(default_factory=FloodOptions)  # messages per window by room, subject, address
    spam: SpamOptions = field(default_factory=SpamOptions)  # near-duplicate messages per window
    new_network: NetworkOptions = field(default_factory=NetworkOptions)  # a subject seen from a network it never used
    anomaly: AnomalyOptions = field(default_factory=AnomalyOptions)  # rates far from a subject's own baseline
    block_score: float = 1.0  # a finding at or above this score blocks the message
    alert_score: float = 0.5  # a finding at or above this score asks for an alert

    def validate(self, path: str) -> None:
        self.flood.validate(join(path, "flood"))
        self.spam.validate(join(path, "spam"))
        self.new_network.validate(join(path, "new_network"))
        self.anomaly.validate(join(path, "anomaly"))
        for name in ("block_score", "alert_score"):
            value = getattr(self, name)
            if not 0 < value <= 1:
                raise OptionsError(join(path, name), f"expected a number in (0, 1], got {value!r}")
