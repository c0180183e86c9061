"""The `masking` filter: replaces sensitive values, and unmasks tokens for permitted readers.

Permissions: a principal may read the original of a tokenized value of type T on the
outbound side when `unmask:T` (or `unmask:*`) is among its roles, or among the
permissions the gateway puts in `Message.metadata["permissions"]` (an iterable of
strings, e.g. the permissions its RBAC grants the principal's roles). Each unmask is
reported as a finding of type `unmask:T`, so the audit records it; nobody else ever
receives the original.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from filters import PASS, Channel, Direction, Filter, FilterContext, Finding, Message, Verdict, block, modify
from filters._patterns import encodable, spans
from filters.masking import custom, placeholders
from filters.masking._model import Detection, Detector, MaskFinding
from filters.masking.engine import WITHHELD, Masker
from filters.masking.fields import named_kind, named_value
from filters.masking.national_ids import SSNDetector
from filters.masking.options import MaskingOptions
from filters.masking.stream import StreamMasker, Unmask
from filters.masking.vault import MemoryVault, Sealer, TokenVault, parse_key

UNMASK = "unmask:"


class MaskingFilter(Filter[MaskingOptions]):
    name: ClassVar[str] = "masking"
    Options: ClassVar[type] = MaskingOptions
    description: ClassVar[str] = "detect and replace cards, IDs, IBANs, contacts, IPs and secrets"

    def __init__(self, options: MaskingOptions | None = None, context: FilterContext | None = None) -> None:
        super().__init__(options, context)
        opts = self.options
        rules: list[Detector] = []
        for i, rule in enumerate(opts.rules):
            rules.extend(custom.build(rule.name, rule.pattern, rule.keywords, rule.case_sensitive, f"rules[{i}]"))
        self.masker = Masker(opts.detect, rules, {"ssn": SSNDetector(mask_samples=opts.mask_sample_ssns)},
                             max_values=opts.max_values)
        self._directions = frozenset(Direction(d) for d in opts.directions)
        self._styles = {kind: opts.style_of(kind) for kind in opts.types}
        self._hash_key = opts.hash_key.encode()
        self._sealer = Sealer(parse_key(opts.vault_key, "vault_key")) if opts.vault_key else None
        # The gateway's vault lives in its shared state store, so every instance can unmask a token.
        self.vault: TokenVault = self.context.vault if self.context.vault is not None else MemoryVault()

    @property
    def offloadable(self) -> bool:
        """Pure computation unless tokens are sealed into (or read from) the vault, which is I/O."""
        return self._sealer is None

    def inspect_now(self, message: Message) -> Verdict | None:
        """`inspect` without its coroutine, where it awaits nothing: without a vault (`vault_key` unset),
        no token is stored or read."""
        if message.direction not in self._directions:
            return PASS
        return self._masked(message.text, message.field) if self._sealer is None else None

    def _scan(self, text: str, field: str) -> list[Detection]:
        """The values of one field: a field named for a value that holds a number alone is that value, or
        a part of it (see `filters.masking.fields`); otherwise what the masker finds."""
        if field:
            kind = named_kind(field)
            if kind and kind in self.masker.types:
                whole = named_value(kind, text)
                if whole is not None:
                    return [whole]
        return self.masker.scan(text)

    def _masked(self, text: str, field: str = "") -> Verdict:
        """`inspect` for a filter without a vault (`vault_key` unset): every placeholder computed."""
        detections = self._scan(text, field)
        if not detections:
            return PASS  # most chat
        refused = self._refused(detections)
        if refused is not None:
            return refused
        edits = [(detection.start, detection.end, self._replacement(detection)) for detection in detections]
        return modify(apply(text, edits), self._reason(detections), [detection.finding() for detection in detections])

    def _refused(self, detections: list[Detection]) -> Verdict | None:
        """The block `over_max_values: block` asks for when the scan withheld the rest of the field."""
        if detections and detections[-1].type == WITHHELD and self.options.over_max_values == "block":
            return block(f"more than {self.options.max_values} candidate values in one field (max_values)",
                         [detections[-1].finding()])
        return None

    def _reason(self, detections: list[Detection], unmasked: int = 0) -> str:
        """The verdict's reason: how many values were masked (and unmasked), and whether some were withheld."""
        reason = f"masked {len(detections)} value(s)" + (f", unmasked {unmasked}" if unmasked else "")
        if detections and detections[-1].type == WITHHELD:
            reason += f"; the rest of the field withheld past {self.options.max_values} candidates (max_values)"
        return reason

    async def inspect(self, message: Message) -> Verdict:
        if message.direction not in self._directions:
            return PASS
        text = message.text
        if self._sealer is None:
            return self._masked(text, message.field)
        detections = self._scan(text, message.field)
        if not detections and (message.direction is not Direction.OUTBOUND or "[" not in text):
            return PASS  # most chat: nothing to mask and no token to unmask
        refused = self._refused(detections)
        if refused is not None:
            return refused
        edits: list[tuple[int, int, str]] = []
        findings: list[Finding] = []
        for detection in detections:
            edits.append((detection.start, detection.end, await self.placeholder(detection)))
            findings.append(detection.finding())
        unmasked = 0
        if message.direction is Direction.OUTBOUND and "[" in text:  # a vault: tokens may come back
            allowed = permissions(message)
            if any(p.startswith(UNMASK) for p in allowed):
                for start, end, original, kind in await self._unmask(text, allowed):
                    if all(end <= a or start >= b for a, b, _ in edits):
                        edits.append((start, end, original))
                        findings.append(MaskFinding(UNMASK + kind, start, end, 1.0, "vault"))
                        unmasked += 1
        if not edits:
            return PASS
        return modify(apply(text, edits), self._reason(detections, unmasked), findings)

    async def placeholder(self, detection: Detection) -> str:
        """The replacement for one detection in its type's style (stores it when tokenizing)."""
        style = self._styles.get(detection.type, "redact")
        if style == "tokenize" and self._sealer is not None:
            token = self._sealer.token(detection.type, placeholders.canonical(detection))
            sealed = self._sealer.seal(token, detection.type, detection.value)
            await self.vault.put(token, sealed, float(self.options.token_ttl))
            return placeholders.tokenized(detection, token)
        return self._replacement(detection)

    def _replacement(self, detection: Detection) -> str:
        """The replacement for one detection in its type's style, tokenizing aside (a vault is needed)."""
        style = self._styles.get(detection.type, "redact")
        if style == "partial":
            return placeholders.partial(detection)
        if style == "hash":
            return placeholders.hashed(detection, self._hash_key)
        return placeholders.redact(detection)

    async def _unmask(self, text: str, allowed: frozenset[str]) -> list[tuple[int, int, str, str]]:
        assert self._sealer is not None
        found = []
        for match in placeholders.TOKEN_PLACEHOLDER.finditer(encodable(text)):
            (start, end), (kind_start, kind_end), (token_start, token_end) = spans(match)[:3]
            kind = text[kind_start:kind_end].lower()
            if UNMASK + kind not in allowed and UNMASK + "*" not in allowed:
                continue
            token = text[token_start:token_end]
            sealed = await self.vault.get(token)
            original = self._sealer.open(token, kind, sealed) if sealed is not None else None
            if original is not None:
                found.append((start, end, original, kind))
        return found

    def stream(self, message: Message | None = None) -> StreamMasker | None:
        """A masker for one stream (SSE response, WebSocket token stream); not shared.

        None when `message` goes a direction this filter does not mask, and for WebSocket
        connections unless `websocket_streams` is set (each frame is then a whole message).
        On an outbound stream whose reader holds `unmask:<type>`, tokens of that type are
        unmasked as `inspect` does, each reported as an `unmask:<type>` finding."""
        if message is not None and message.direction not in self._directions:
            return None
        if message is not None and message.channel is Channel.WS and not self.options.websocket_streams:
            return None
        return StreamMasker(self.masker, self.placeholder, self.options.stream_hold, self._stream_unmask(message))

    def _stream_unmask(self, message: Message | None) -> Unmask | None:
        """Token lookups for the reader of an outbound stream, or None when it may unmask nothing."""
        if message is None or message.direction is not Direction.OUTBOUND or self._sealer is None:
            return None
        allowed = permissions(message)
        if not any(p.startswith(UNMASK) for p in allowed):
            return None

        async def unmask(text: str) -> list[tuple[int, int, str, str]]:
            return await self._unmask(text, allowed)
        return unmask


def permissions(message: Message) -> frozenset[str]:
    """Roles plus `metadata["permissions"]`: where the filter learns `unmask:<type>` grants."""
    extra = message.metadata.get("permissions", ())
    granted: Iterable[str] = (extra,) if isinstance(extra, str) else extra
    return message.principal.roles | frozenset(p for p in granted if isinstance(p, str))


def apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    """Replace non-overlapping spans of `text`, given in any order."""
    pieces = []
    position = 0
    for start, end, replacement in sorted(edits):
        pieces.append(text[position:start])
        pieces.append(replacement)
        position = end
    pieces.append(text[position:])
    return "".join(pieces)

