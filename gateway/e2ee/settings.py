"""A route's end-to-end encryption keys: policy, how encrypted messages are recognised, fields to seal.

```yaml
e2ee: allow                       # allow | require (plaintext message events refused) | forbid
encrypted:                        # how this route's client messages are recognised as E2EE
  event_type: type                #   Matrix: the path variable holding the event type (m.room.encrypted)
  omemo: true                     #   XMPP: OMEMO (eu.siacs.conversations.axolotl, urn:xmpp:omemo:2)
  json: [/ciphertext]             #   custom apps: a JSON pointer whose (string) value is ciphertext
  messages: true                  #   false: the route carries no message events (the policy never applies)
encrypt_fields: {json: [/body]}   # sealed into cg1: envelopes after the filters ran (blind backend)
encrypt_fields: {xmpp: true}      #   XMPP over WebSocket: message bodies (see gateway/e2ee/xmpp_fields.py)
```
A route with a policy other than `allow` must say how it recognises encryption (or that it carries
no message events), so a policy is never silently without effect. Preset routes that carry no
message events say so themselves; the presets' message routes declare their recognition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from filters.options import OptionsError, join
from gateway.codec import Codec, FieldSelector, Pointer

__all__ = ["E2EEPolicy", "Recognition", "SealedFields", "check_e2ee"]

E2EEPolicy = Literal["allow", "require", "forbid"]
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Recognition:
    """Where a route's messages say they are end-to-end encrypted (see the module docstring)."""

    event_type: str = ""
    json: tuple[str, ...] = ()
    omemo: bool = False
    messages: bool = True

    @property
    def declared(self) -> bool:
        return bool(self.event_type or self.json or self.omemo)

    def validate(self, path: str) -> None:
        if self.event_type and not _VARIABLE.fullmatch(self.event_type):
            raise OptionsError(join(path, "event_type"), f"expected a path variable name, got {self.event_type!r}")
        for i, pointer in enumerate(self.json):
            try:
                Pointer.parse(pointer)
            except ValueError as exc:
                raise OptionsError(join(join(path, "json"), i), str(exc)) from None

    def pointers(self) -> tuple[Pointer, ...]:
        return tuple(Pointer.parse(p) for p in self.json)


@dataclass(frozen=True)
class SealedFields:
    """`encrypt_fields`: JSON pointers (as in `messages`) whose string values are sealed for the backend,
    or `xmpp: true`, the bodies of XMPP messages (as `messages.inbound.xmpp` reads them)."""

    json: tuple[str, ...] = ()
    xmpp: bool = False

    @property
    def declared(self) -> bool:
        return bool(self.json or self.xmpp)

    def validate(self, path: str) -> None:
        if self.json and self.xmpp:
            raise OptionsError(join(path, "xmpp"), "a route seals either JSON fields or XMPP bodies, not both")
        for i, text in enumerate(self.json):
            if "@json" in text.split("/"):
                raise OptionsError(join(join(path, "json"), i), "@json cannot be sealed (the envelope would "
                                                                  "replace the whole nested document)")
        self.codec(path)

    def codec(self, path: str = "") -> Codec | None:
        """The codec finding the fields to seal, or None when none are declared."""
        return Codec.for_selector(FieldSelector(json=self.json, xmpp=self.xmpp), path)

    def pointers(self) -> tuple[Pointer, ...]:
        return tuple(Pointer.parse(p) for p in self.json)


def check_e2ee(policy: str, recognition: Recognition, inbound: FieldSelector, path: str) -> None:
    """A policy must be able to act; recognition needs what it reads (errors name the key)."""
    where = join(path, "encrypted")
    if recognition.omemo and not inbound.xmpp:
        raise OptionsError(join(where, "omemo"), "needs XMPP messages (messages.inbound.xmpp: true)")
    if recognition.json and not inbound.json:
        raise OptionsError(join(where, "json"), "needs a JSON body read on this route (messages.inbound.json)")
    if policy != "allow" and recognition.messages and not recognition.declared:
        raise OptionsError(where, f"e2ee: {policy} needs to know how messages are recognised as encrypted: "
                                  "event_type, omemo or json (or messages: false)")
