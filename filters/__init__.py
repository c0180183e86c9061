"""Public API for filter authors: import from here, never from `filters._*`."""

from filters._api import (
    ANONYMOUS,
    NO_HINTS,
    PASS,
    Action,
    Channel,
    Direction,
    Filter,
    FilterStream,
    Finding,
    Hints,
    Message,
    NoOptions,
    Principal,
    Verdict,
    block,
    modify,
)
from filters._options import ByteSize, Duration, OptionsError

__all__ = [
    "ANONYMOUS", "NO_HINTS", "PASS", "Action", "Channel", "Direction", "Filter", "FilterStream", "Finding",
    "Hints", "Message", "NoOptions", "Principal", "Verdict", "block", "modify",
    "ByteSize", "Duration", "OptionsError",
]
