"""Train the learned link score (`filters/threat/urlscore.py`) and write its weights (`urlweights.py`).

    .venv/bin/python benchmarks/threat/urlmodel.py [--write] [--epochs 3] [--l2 1e-2] [--inner] [--cost]

Reads `data/url_training_full.jsonl` (`urltrain.py` builds it) and fits a logistic regression by AdaGrad on
its tuning part only, in plain Python with a fixed seed: the same data and arguments give the same bytes.
Phishing lines are weighted so both classes count alike. Prints, for the tuning and validation parts and
the held-out ordinary source, the share of phishing links scored at or above each threshold and of ordinary
links (per source); `--write` writes `filters/threat/urlweights.py` (weights quantised to one signed byte).
`--inner` leaves the validation part unread and cuts the tuning part in two by site, to choose the arguments.
`--cost` prints the CPU time per link of the link judgement with and without the score, in the same run.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from base64 import b85encode
from collections import defaultdict
from pathlib import Path
from zlib import crc32

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[2])]

from fresh import owner  # noqa: E402

from filters.threat import links  # noqa: E402
from filters.threat.feeds import DomainList, normalise_host  # noqa: E402
from filters.threat.hosts import parse_host  # noqa: E402
from filters.threat.linkdata import FREE_HOSTING  # noqa: E402
from filters.threat.links import _split  # noqa: E402
from filters.threat.urlscore import host_features, path_features  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data" / "url_training_full.jsonl"
OUT = ROOT / "filters" / "threat" / "urlweights.py"
SIZE = 1 << 16  # hashed weights
SEED = 27
THRESHOLDS = (0.5, 0.7, 0.8, 0.9, 0.95, 0.98)
Hashed = list[tuple[int, int]]


def features(url: str) -> list[str]:
    """The features of one link as the filter reads it (`links._split`, `feeds.normalise_host`)."""
    _, raw_host, _, path = _split(url.strip().lower())
    name = normalise_host(raw_host)
    if not name:
        return []
    return host_features(parse_host(name, FREE_HOSTING)) + path_features(path)


def hashed(names: list[str]) -> Hashed:
    """(bucket, sign) of each feature, as `urlscore.weigh` reads them."""
    out = []
    for name in names:
        value = crc32(name.encode())
        out.append((value & (SIZE - 1), -1 if value & 0x80000000 else 1))
    return out


def train(
    rows: list[tuple[Hashed, int]], epochs: int, l2: float, positive: float
) -> tuple[list[float], float]:
    """Weights and bias of a logistic regression fitted by AdaGrad (rate 0.5) with a fixed seed."""
    weights, squares = [0.0] * SIZE, [1e-8] * SIZE
    bias, bias_square = 0.0, 1e-8
    order = list(range(len(rows)))
    chooser = random.Random(SEED)
    for _ in range(epochs):
        chooser.shuffle(order)
        for at in order:
            feats, label = rows[at]
            logit = bias + sum(weights[i] * s for i, s in feats)
            p = 1.0 / (1.0 + math.exp(-max(min(logit, 30.0), -30.0)))
            grad = (p - label) * (positive if label else 1.0)
            for i, s in feats:
                g = grad * s + l2 * weights[i]
                squares[i] += g * g
                weights[i] -= 0.5 * g / math.sqrt(squares[i])
            bias_square += grad * grad
            bias -= 0.5 * grad / math.sqrt(bias_square)
    return weights, bias


def quantised(weights: list[float]) -> tuple[bytes, float]:
    scale = max(abs(w) for w in weights) / 127 or 1.0
    return bytes((round(w / scale) & 0xFF) for w in weights), scale


def score(feats: Hashed, table: bytes, scale: float, bias: float) -> float:
    total = 0
    for i, s in feats:
        w = table[i] - 256 if table[i] > 127 else table[i]
        total += w * s
    logit = bias + total * scale
    return 1.0 / (1.0 + math.exp(-max(min(logit, 40.0), -40.0)))


def report(rows: list[dict[str, str]], scores: list[float]) -> None:
    groups: dict[tuple[str, str], list[float]] = defaultdict(list)
    for row, p in zip(rows, scores, strict=True):
        groups[(row["part"], f"{row['label']}:{row['source']}")].append(p)
    print(f"  {'part':10} {'label:source':28} {'n':>5} " + " ".join(f">={t:<5}" for t in THRESHOLDS))
    for (part, name), values in sorted(groups.items()):
        shares = " ".join(f"{sum(v >= t for v in values) / len(values):6.1%}" for t in THRESHOLDS)
        print(f"  {part:10} {name:28} {len(values):5d} {shares}")


def write(table: bytes, scale: float, bias: float, trained: int) -> None:
    text = b85encode(table).decode("ascii")
    lines = [text[at : at + 100] for at in range(0, len(text), 100)]
    OUT.write_text(
        '"""Weights of the learned link score (`urlscore.py`): a logistic regression over hashed lexical features,\n'
        f"fitted on {trained} links (the tuning part of `benchmarks/threat/data/url_training_full.jsonl`). One signed\n"
        "byte per bucket, base85. Written by `benchmarks/threat/urlmodel.py --write`; do not edit.\n"
        '"""\n\n'
        f"SIZE = {SIZE}\nSCALE = {scale!r}\nBIAS = {bias!r}\n"
        'WEIGHTS = "".join("""\n' + "\n".join(lines) + '\n""".split())\n',
        encoding="utf-8",
    )


def cost(rounds: int = 5) -> None:
    """CPU µs per link of `links.judge` with the score and with it taken out, rounds alternating in one process,
    each with an empty host cache (a host's share of the score is cached with its other signs)."""
    texts = [
        json.loads(line)["text"]
        for path in sorted(DATA.parent.glob("fresh*_phishing*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    texts += [
        line
        for line in (DATA.parent / "real_urls.txt").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    found = [links.Link(0, len(text), text.lower()) for text in texts]
    none = DomainList()
    real = (links.host_features, links.path_features, links.weigh, links.LEXICAL_LEVELS)
    off = (lambda host: [], lambda path: [], lambda features: 0, ())
    best = {"with the score": math.inf, "without it": math.inf}
    for _ in range(rounds):
        for name, parts in (("with the score", real), ("without it", off)):
            links.host_features, links.path_features, links.weigh, links.LEXICAL_LEVELS = parts  # type: ignore[assignment]
            links.host_signs.cache_clear()
            began = time.process_time()
            for link in found:
                links.judge(link, none, none)
            best[name] = min(best[name], (time.process_time() - began) / len(found) * 1e6)
    links.host_features, links.path_features, links.weigh, links.LEXICAL_LEVELS = real  # type: ignore[assignment]
    ratio = best["with the score"] / best["without it"]
    print(
        f"{len(found)} links, best of {rounds} rounds: "
        + ", ".join(f"{k} {v:.1f} µs" for k, v in best.items())
        + f" per link (x{ratio:.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--l2", type=float, default=1e-5)
    parser.add_argument("--write", action="store_true", help=f"write {OUT.relative_to(ROOT)}")
    parser.add_argument(
        "--inner",
        action="store_true",
        help="choose arguments on the tuning part alone: fit on half its campaigns, report the other",
    )
    parser.add_argument(
        "--cost", action="store_true", help="CPU per link with and without the score, then exit"
    )
    args = parser.parse_args()
    if args.cost:
        cost()
        return
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    if args.inner:  # the validation part is left unread; the tuning part is cut in two by site
        rows = [
            {**row, "part": "tuning" if crc32(owner(row["text"])[0].encode()) % 2 else "inner"}
            for row in rows
            if row["part"] == "tuning"
        ]
    encoded = [hashed(features(row["text"])) for row in rows]
    tuning = [
        (feats, int(row["label"] == "attack"))
        for row, feats in zip(rows, encoded, strict=True)
        if row["part"] == "tuning"
    ]
    attacks = sum(label for _, label in tuning)
    weights, bias = train(tuning, args.epochs, args.l2, (len(tuning) - attacks) / max(attacks, 1))
    table, scale = quantised(weights)
    report(rows, [score(feats, table, scale, bias) for feats in encoded])
    if args.write:
        write(table, scale, bias, len(tuning))
        print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
