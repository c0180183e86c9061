"""The signals `chatguard serve` acts on, held pending until it can act on them.

SIGHUP's default action ends a process, and loading the config and starting a worker takes seconds.
So `serve` blocks HUP, TERM and INT first thing (`hold`); the event loop installs its handlers and
only then releases them (`release`): a signal sent while the gateway starts waits instead of killing it.
The mask is inherited by the worker processes the supervisor starts, which do the same.
"""

from __future__ import annotations

import signal
from collections.abc import Sequence

HANDLED = frozenset({signal.SIGHUP, signal.SIGTERM, signal.SIGINT})


def hold() -> None:
    """Keep HUP/TERM/INT pending (for this thread and processes started from it) until `release`."""
    signal.pthread_sigmask(signal.SIG_BLOCK, HANDLED)


def release() -> None:
    """Deliver what was held; call once handlers for HUP/TERM/INT are installed."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, HANDLED)


def hold_for_serve(argv: Sequence[str]) -> None:
    """`hold` when the command line asks to serve (other commands keep the default signals)."""
    if argv[:1] == ["serve"]:
        hold()
