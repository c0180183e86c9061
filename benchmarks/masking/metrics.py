"""Scoring shared by both engines: recall on labelled values, look-alike alteration."""

from __future__ import annotations

from collections.abc import Sequence

from corpus import Line


def score(lines: Sequence[Line], spans: Sequence[Sequence[tuple[int, int]]]) -> dict[str, float]:
    """`spans[i]`: what an engine replaced in line i. A value counts as found if fully covered."""
    found = total = altered = lookalikes = clean_altered = clean = 0
    for line, replaced in zip(lines, spans, strict=True):
        if line.kind == "sensitive":
            for _, start, end in line.values:
                total += 1
                covered = [False] * (end - start)
                for a, b in replaced:
                    for i in range(max(a, start), min(b, end)):
                        covered[i - start] = True
                found += all(covered)
        elif line.kind == "lookalike":
            lookalikes += 1
            altered += bool(replaced)
        else:
            clean += 1
            clean_altered += bool(replaced)
    return {"recall": found / max(total, 1), "lookalikes_altered": altered / max(lookalikes, 1),
            "clean_altered": clean_altered / max(clean, 1), "values": total}
