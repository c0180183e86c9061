"""A learned lexical score of a link: how much its spelling resembles phishing links rather than ordinary ones.

The hand-written signs of `links.py` name what a reader can point at (a brand on a stranger's name, a risky
TLD); they cannot weigh the many small habits of phishing kits and throwaway names together (`-verify-`,
`claims-`, `/app/login.php`, a digit tail on a word, `.top` beside a delivery word). This is a logistic
regression over hashed features a reader can list (`host_features`, `path_features`): letter triples of the
labels the host's owner chose (not the suffix a registry or platform hands out: the hand-written signs weigh
those), their words, a few counts, and the path's tokens, their letter fours, file type and query keys. Each feature string is hashed (CRC-32) to
one of `urlweights.SIZE` weights with a sign, so the model is a fixed table however much it learnt from.

Trained offline by `benchmarks/threat/urlmodel.py` on links no check of this project reads; the weights
live in `urlweights.py` (written by that script, loaded once at import). Pure Python, no fetching: a few
dozen hashes per link, the host's share cached with its other signs.
"""

from __future__ import annotations

import math
import re
from base64 import b85decode
from itertools import islice
from zlib import crc32

from filters.threat import urlweights
from filters.threat.hosts import Host

_WEIGHTS = b85decode(urlweights.WEIGHTS)  # one signed byte per bucket, times urlweights.SCALE
_MASK = urlweights.SIZE - 1
_TOKEN = re.compile(r"[a-z0-9]+")
_HEXISH = re.compile(r"[0-9a-f]{12,}|[0-9]{6,}")
MAX_LABELS = 4  # owner-chosen labels read, nearest the registered name first
MAX_LABEL = 32  # characters of a label read
MAX_PATH = 256  # characters of a path read
MAX_TOKENS = 24  # path tokens read
MAX_KEYS = 6  # query keys read


def _bucket(value: int, edges: tuple[int, ...]) -> int:
    return next((at for at, edge in enumerate(edges) if value <= edge), len(edges))


def host_features(host: Host) -> list[str]:
    """The features of a host name (`hosts.parse_host` of it): what its owner chose, and where it lives."""
    labels = [label for label in reversed((*host.subdomains, host.owner_label)) if label != "www"]
    labels = [label[:MAX_LABEL] for label in labels[:MAX_LABELS]]
    out = [f"n:{_bucket(len(labels), (0, 1, 2))}"]
    for label in labels:
        padded = f"<{label}>"
        out.extend(f"g:{padded[at : at + 3]}" for at in range(len(padded) - 2))
        out.extend(f"w:{word}" for word in label.split("-") if len(word) > 2)
    owner = host.owner_label
    out.append(f"l:{_bucket(len(owner), (5, 9, 14, 20))}")
    out.append(f"d:{_bucket(sum(char.isdigit() for char in owner), (0, 1, 3))}")
    return out


def path_features(path: str) -> list[str]:
    """The features of a link's path, query and fragment (lower case): its tokens, file type and query keys."""
    path = path[:MAX_PATH].lower()
    page, _, query = path.partition("?")
    page = page.split("#", 1)[0]
    segments = [segment for segment in page.split("/") if segment]
    if not segments and not query:
        return []
    out = [f"depth:{min(len(segments), 6)}"]
    for token in islice(_TOKEN.findall(page), MAX_TOKENS):
        if _HEXISH.fullmatch(token) or len(token) > 20:
            out.append("t:<id>")
            continue
        out.append(f"t:{token}")
        if len(token) > 5:
            padded = f"<{token}>"
            out.extend(f"tg:{padded[at : at + 4]}" for at in range(len(padded) - 3))
    last = segments[-1] if segments else ""
    if "." in last:
        out.append(f"e:{last.rsplit('.', 1)[1][:8]}")
    if query:
        keys = [pair.split("=", 1)[0][:20] for pair in query.split("&")]
        out.extend(f"q:{key}" for key in keys[:MAX_KEYS])
        out.append(f"qn:{min(len(keys), 4)}")
    if "@" in path:
        out.append("at")
    return out


def weigh(features: list[str]) -> int:
    """The integer sum of the features' signed weights (times `urlweights.SCALE` it is their share of the logit)."""
    total = 0
    for feature in features:
        hashed = crc32(feature.encode())
        weight = _WEIGHTS[hashed & _MASK]
        weight = weight - 256 if weight > 127 else weight
        total += -weight if hashed & 0x80000000 else weight
    return total


def probability(host_part: int, path_part: int) -> float:
    """The model's probability that a link is phishing, from the `weigh` sums of its host and path features."""
    logit = urlweights.BIAS + (host_part + path_part) * urlweights.SCALE
    return 1.0 / (1.0 + math.exp(-max(min(logit, 40.0), -40.0)))
