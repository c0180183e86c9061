"""Turning rule hits into one risk score per category and one for the message.

Hits are treated as independent evidence (noisy-OR: 1 - prod(1 - w)), so two weak
signs together outweigh either alone and no sum can pass 1. The message's risk is
its worst category after weighting by what the route's sink can be harmed by.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

# How much each category matters for each sink. Prompt injection only hurts a bot;
# markup is defused by escaping for an HTML sink, so there it never needs a block.
SINK_WEIGHTS: Mapping[str, Mapping[str, float]] = MappingProxyType({
    "bot": MappingProxyType({"prompt": 1.0}),
    "html": MappingProxyType({"prompt": 0.75}),
    "plain": MappingProxyType({"prompt": 0.75}),
})

# A message that looks like pasted code or a pasted query keeps this share of the
# weight of rules that are not marked strong.
CODE_DAMPING = 0.5


def combine(weights: Iterable[float]) -> float:
    """Noisy-OR of independent signals, each in [0, 1]."""
    miss = 1.0
    for weight in weights:
        miss *= 1.0 - min(max(weight, 0.0), 1.0)
    return round(1.0 - miss, 4)


def weigh(category: str, score: float, sink: str) -> float:
    """The category score as it counts for `sink`."""
    return round(score * SINK_WEIGHTS.get(sink, {}).get(category, 1.0), 4)
