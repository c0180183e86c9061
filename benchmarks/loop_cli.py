"""What the in-process loop benchmarks (`http_loop`, `ws_loop`) share: rounds that alternate between the
variants (each figure the best round), a cProfile of one round, or instructions under callgrind, behind
one command line. Each benchmark says what one operation is and how to run one round or a counted run.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

import uvloop

from benchmarks import callgrind
from benchmarks.payload import DEFAULT_SIZE
from filters import PASS, Message, Step, Verdict


@dataclass(frozen=True)
class Loop:
    module: str  # `python -m` name, run again under callgrind with `--counted`
    variants: tuple[str, ...]
    unit: str  # what one operation is: "req", "round trip"
    count_flag: str  # the option naming how many operations `--instructions` counts
    seconds: float  # default measured seconds per round
    one_round: Callable[..., Awaitable[float]]  # (variant, seconds, connections, size, profiler=None) -> µs
    counted: Callable[[str, int, int, int], Awaitable[None]]  # (variant, operations, connections, size)


async def _passes(message: Message) -> Verdict:
    return PASS


def _passes_now(message: Message) -> Verdict:
    return PASS


def pass_at_once(steps: Iterable[Step]) -> None:
    """The `noop` variants: each step's filter passes at once, by the path the real one answers by
    (`inspect_now` where the filter has its own, else `inspect`); the instances', not the classes'."""
    for step in steps:
        object.__setattr__(step.filter, "inspect", _passes)
        if step.now is not None:
            object.__setattr__(step, "now", _passes_now)


async def measure(loop: Loop, variants: list[str], rounds: int, seconds: float, connections: int,
                  size: int) -> dict[str, float]:
    """The best round's CPU µs per operation of each variant, rounds alternating between them."""
    best: dict[str, float] = {}
    for _ in range(rounds):
        for variant in variants:
            figure = await loop.one_round(variant, seconds, connections, size)
            best[variant] = min(best.get(variant, figure), figure)
    return best


def main(loop: Loop, description: str, argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog=f"python -m {loop.module}", description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variants", nargs="+", choices=loop.variants, default=list(loop.variants))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=loop.seconds)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE)
    parser.add_argument("--profile", choices=loop.variants[1:], help="cProfile one round of this variant")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--instructions", action="store_true",
                        help=f"instructions per {loop.unit} under callgrind instead of CPU time (needs valgrind)")
    parser.add_argument(loop.count_flag, dest="operations", type=int, default=1000,
                        help="operations counted with --instructions")
    parser.add_argument("--counted", choices=loop.variants, help=argparse.SUPPRESS)  # the child of --instructions
    args = parser.parse_args(argv)
    if args.counted:
        uvloop.run(loop.counted(args.counted, args.operations, args.connections, args.size))
        return
    if args.instructions:
        # The clients and the backend run in the counted process too: `direct` is their share, and each
        # variant's count less it is the gateway's own (the figure the server's CPU follows).
        counts: dict[str, float] = {}
        for variant in args.variants:
            child = ["--counted", variant, loop.count_flag, str(args.operations),
                     "--connections", str(args.connections), "--size", str(args.size)]
            counts[variant] = figure = callgrind.per_operation(loop.module, child, args.operations, variant)
            own = counts.get("direct")
            extra = f"   gateway {figure - own:10,.0f}" if own is not None and variant != "direct" else ""
            if extra and "pass" in counts and variant != "pass":
                extra += f" ({(figure - own) / (counts['pass'] - own):.2f}x pass)"
            print(f"{variant:8} {figure:12,.0f} instructions/{loop.unit}{extra}", flush=True)
        return
    from gateway.server import tune_gc
    tune_gc()
    if args.profile:
        profiler = cProfile.Profile()
        figure = uvloop.run(loop.one_round(args.profile, args.seconds, args.connections, args.size, profiler))
        print(f"{args.profile}: {figure:.1f} µs/{loop.unit} (under the profiler)")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(args.top)
        return
    best = uvloop.run(measure(loop, args.variants, args.rounds, args.seconds, args.connections, args.size))
    direct = best.get("direct")
    for variant in args.variants:
        extra = f"   gateway {best[variant] - direct:7.1f}" if direct is not None and variant != "direct" else ""
        print(f"{variant:8} {best[variant]:8.1f} µs/{loop.unit}{extra}")
