"""Public API of the filters package: import from here (or `filters.options`, `filters.testing`),
never from `filters._*`.

Plugin authors need the contract (`Filter`, `Message`, `Verdict`, ...) and the `FilterContext`
every filter is built with (`Store`, `Vault`: what the gateway provides). The gateway also uses
the chain (`Chain`, `Step`, `ChainResult`, `StreamChain`) and the registry (`build_filter`,
`load_filter`, ...); both sides bind YAML with `filters.options`.
"""

from filters._api import (
    ANONYMOUS,
    NO_HINTS,
    PASS,
    Action,
    AnyFilter,
    Channel,
    Direction,
    Filter,
    FilterStream,
    Finding,
    Hints,
    Message,
    NoOptions,
    Principal,
    Refreshed,
    Verdict,
    block,
    modify,
)
from filters._chain import Chain, ChainResult, Step
from filters._context import FilterContext, Store, Vault
from filters._isolated import (
    BadVerdict,
    FilterRaised,
    IsolatedFilter,
    IsolationFailed,
    PoolBusy,
    PoolWatch,
    WorkerPool,
)
from filters._offload import Offload
from filters._refresh import FileWatch, refresh_now, refreshing
from filters._registry import build as build_filter
from filters._registry import describe as describe_filters
from filters._registry import format_filters
from filters._registry import installed as installed_filters
from filters._registry import load as load_filter
from filters._stream import StreamChain
from filters.options import ByteSize, Duration, OptionsError

__all__ = [
    "ANONYMOUS", "NO_HINTS", "PASS", "Action", "AnyFilter", "Channel", "Direction", "Filter", "FilterStream", "Finding",
    "Hints", "Message", "NoOptions", "Principal", "Refreshed", "Verdict", "block", "modify",
    "FilterContext", "Store", "Vault",
    "ByteSize", "Duration", "OptionsError",
    "Chain", "ChainResult", "Step", "StreamChain",
    "BadVerdict", "FilterRaised", "IsolatedFilter", "IsolationFailed", "Offload", "PoolBusy", "PoolWatch",
    "WorkerPool", "FileWatch", "refresh_now", "refreshing",
    "build_filter", "describe_filters", "format_filters", "installed_filters", "load_filter",
]
