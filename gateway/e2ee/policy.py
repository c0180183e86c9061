"""`e2ee: allow | require | forbid` applied to one client message: what the recogniser found is
either fine, or a refusal for the one enforcement decision (`gateway.enforce.decide`) to carry out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from gateway.e2ee.recognise import Kind, Recogniser
from gateway.e2ee.settings import E2EEPolicy

__all__ = ["FORBIDDEN", "REQUIRED", "E2EERefusal", "E2EERule", "refusal_for"]

REQUIRED = "this room requires end-to-end encryption"
FORBIDDEN = "end-to-end encrypted messages are not accepted here"


@dataclass(frozen=True, slots=True)
class E2EERefusal:
    """A message the route's `e2ee` policy refuses, as input to `decide` (403 / refused frame)."""

    policy: E2EEPolicy
    kind: Kind
    errcode: str = ""      # the protocol's own error code, for clients that read it (Matrix: M_FORBIDDEN)

    @property
    def reason(self) -> str:
        return REQUIRED if self.policy == "require" else FORBIDDEN


@dataclass(frozen=True, slots=True)
class E2EERule:
    """A route's policy and recogniser, built once per route."""

    policy: E2EEPolicy
    recogniser: Recogniser

    def check(self, params: Mapping[str, str], payload: bytes | str) -> tuple[frozenset[Kind], E2EERefusal | None]:
        """The kinds found in `payload`, and the refusal when the policy does not let them pass."""
        kinds = self.recogniser.kinds(params, payload)
        refusal = refusal_for(self.policy, kinds)
        if refusal is not None and self.recogniser.event_type:   # Matrix clients show `error` with an errcode
            refusal = E2EERefusal(refusal.policy, refusal.kind, "M_FORBIDDEN")
        return kinds, refusal


def refusal_for(policy: E2EEPolicy, kinds: frozenset[Kind]) -> E2EERefusal | None:
    if policy == "require" and Kind.PLAINTEXT in kinds:
        return E2EERefusal(policy, Kind.PLAINTEXT)
    if policy == "forbid" and Kind.ENCRYPTED in kinds:
        return E2EERefusal(policy, Kind.ENCRYPTED)
    return None
