"""A chatguard filter plugin: hide internal ticket references in replies to customers.

Support agents paste links and ids of internal tickets (`OPS-1234`, `sec-77`) into chats;
customers should not see them. The filter handles outbound messages only (backend ->
client) and replaces each reference with a placeholder.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import re2

from filters import PASS, Direction, Filter, FilterContext, Finding, Message, OptionsError, Verdict, modify

__all__ = ["TicketMask", "TicketMaskOptions"]


@dataclass(frozen=True)
class TicketMaskOptions:
    prefixes: tuple[str, ...] = field(default=("OPS", "SEC", "INC"),
                                      metadata={"doc": "ticket key prefixes, matched in any case"})
    placeholder: str = field(default="[ticket]", metadata={"doc": "text shown instead of a reference"})

    def validate(self, path: str) -> None:
        for i, prefix in enumerate(self.prefixes):
            if not prefix.isascii() or not prefix.isalnum():
                raise OptionsError(f"{path}.prefixes[{i}]", f"expected letters and digits, got {prefix!r}")
        if not self.prefixes:
            raise OptionsError(f"{path}.prefixes", "list at least one prefix")


class TicketMask(Filter[TicketMaskOptions]):
    """Replace internal ticket references such as OPS-1234 in outbound messages."""

    name = "ticket_mask"
    Options = TicketMaskOptions
    directions = frozenset({Direction.OUTBOUND})
    description = "Replace internal ticket references (OPS-1234) in replies with a placeholder."

    def __init__(self, options: TicketMaskOptions | None = None, context: FilterContext | None = None) -> None:
        super().__init__(options, context)
        keys = "|".join(re2.escape(p) for p in self.options.prefixes)
        # Compiled once; re2 keeps matching linear whatever the prefixes are.
        self._pattern = re2.compile(rf"(?i)\b(?:{keys})-[0-9]{{1,9}}\b")

    async def inspect(self, message: Message) -> Verdict:
        text = message.text
        if "-" not in text:
            return PASS
        pieces: list[str] = []
        findings: list[Finding] = []
        last = 0
        for found in self._pattern.finditer(text.encode("utf-8", "replace").decode("utf-8")):
            start, end = found.span()
            findings.append(Finding("ticket", start, end))
            pieces += [text[last:start], self.options.placeholder]
            last = end
        if not findings:
            return PASS
        pieces.append(text[last:])
        return modify("".join(pieces), "internal ticket reference", findings)
