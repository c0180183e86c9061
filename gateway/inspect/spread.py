"""Which held piece of a stream carries which part of the text the filters let out for their batch.

A relay gathering small pieces' text (`limits.stream_batch`) holds the pieces until the chain has read
it, then sends them all. `spread` gives each piece its share of what the chain let out: its own text
when the chain changed nothing, so the client gets the events the backend sent, byte for byte. The
chain may keep back the end of what it read (the masker holds a value that may still be arriving):
pieces after that point go out with only the part let out (or none), and the text kept back, once let
out, goes in the first piece of the next batch (`carry`: read, not yet let out). Where a filter changed
the text, the piece it changed in takes the changed text; the pieces after it keep their own text when
the output ends with it (looked for a bounded number of times), otherwise that piece takes the rest
too and where the chain stopped is unknown (`carry` None) until a later batch ends with its own text.

Whatever the shares, joined they are exactly the text the chain let out: the split decides only
which event carries which characters, never what is sent.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["spread"]

_PROBE = 16  # characters of the following pieces' text looked for in the output
_TRIES = 4  # places looked at: the work stays linear in the batch


def spread(texts: Sequence[str], carry: str | None, out: str, bound: int) -> tuple[list[str], str | None, bool]:
    """(share of each piece, the new carry, whether the chain changed nothing).

    `texts`: the text each held piece had (at least one piece), `carry`: the text read before them and
    not let out (None: unknown), `out`: what the chain let out now; a carry longer than `bound` is
    forgotten (None), so a filter holding text without end does not make the relay hold a copy."""
    count = len(texts)
    outs = [""] * count
    pieces = list(texts)
    at = 0  # characters of `out` given to pieces[:index]
    index = 0
    if carry is not None:
        pieces[0] = carry + pieces[0]  # what was kept back goes out in the first piece of the batch
        while index < count:
            piece = pieces[index]
            if out.startswith(piece, at):
                outs[index] = piece
                at += len(piece)
                index += 1
                continue
            left = len(out) - at
            if left < len(piece) and piece.startswith(out[at:]):  # the chain stopped inside this piece
                outs[index] = out[at:]
                return outs, _bounded(piece[left:] + "".join(pieces[index + 1:]), bound), True
            break
        else:
            if at == len(out):
                return outs, "", True
            outs[-1] += out[at:]  # more text than was read: a filter added some
            return outs, None, False
    # Changed in pieces[index] (or what came before the batch is unknown): it takes the output up to the
    # longest start of the following pieces' own text that ends the output.
    lead = index if carry is None else index + 1
    rest = "".join(pieces[lead:])
    start = _realign(out, at, rest)
    position = start
    for number in range(lead, count):
        take = min(len(pieces[number]), len(out) - position)
        outs[number] = out[position:position + take]
        position += take
    outs[index] = out[at:start] + (outs[index] if lead == index else "")
    return outs, _bounded(rest[len(out) - start:], bound), lead == index and start == at


def _realign(out: str, at: int, rest: str) -> int:
    """The first place from `at` where the rest of `out` is a start of `rest` (len(out) when none is found
    within a few looks: everything after `at` is then the changed text)."""
    if not rest:
        return len(out)
    low = max(at, len(out) - len(rest))
    probe = rest[:_PROBE]
    place = low
    for _ in range(_TRIES):
        place = out.find(probe, place)
        if place < 0:
            break
        if rest.startswith(out[place:]):
            return place
        place += 1
    for place in range(max(low, len(out) - len(probe) + 1), len(out)):  # fewer characters left than the probe
        if rest.startswith(out[place:]):
            return place
    return len(out)


def _bounded(carry: str, bound: int) -> str | None:
    return carry if len(carry) <= bound else None
