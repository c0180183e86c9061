"""IP addresses (v4 and v6), validated by the standard library's parser.

Dotted version numbers look like IPv4 addresses; a "v", "version" or "release" just
before the value marks a version, and so does a letter glued to it ("v1.2.3.4").
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from filters._patterns import each_spans, found, text_pattern
from filters.masking._context import ascii_alnum, before
from filters.masking._model import Detection
from filters.masking._quota import charge

_IPV4 = text_pattern(r"\d{1,3}(?:\.\d{1,3}){3}")
_IPV6 = text_pattern(r"[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\.\d{1,3}){0,3}(?:%[0-9A-Za-z]{1,16})?")
_VERSION_WORDS = text_pattern(
    r"(?:\bv|version|\bver\.?|release|build|firmware|update|upgrade|patch|versi[oó]n|vers[aã]o)\s*:?\s*$")


def _valid_v4(value: str) -> bool:
    parts = value.split(".")
    return all(p == "0" or (not p.startswith("0") and int(p) <= 255) for p in parts)


class IPDetector:
    type = "ip"

    def detect(self, text: str) -> Iterator[Detection]:
        yield from self._v4(text)
        if ":" in text:
            yield from self._v6(text)

    @staticmethod
    def _v4(text: str) -> Iterator[Detection]:
        for (start, end), *_ in each_spans(_IPV4, text):
            charge(start)
            value = text[start:end]
            if start > 0 and (ascii_alnum(text[start - 1]) or text[start - 1] in ".:"):
                continue
            if end < len(text) and (ascii_alnum(text[end]) or text[end:end + 2][:1] == "."
                                    and text[end + 1:end + 2].isdigit()):
                continue
            if not _valid_v4(value) or found(_VERSION_WORDS, before(text, start, 20)):
                continue
            yield Detection("ip", start, end, "ipv4", 0.9, value)

    @staticmethod
    def _v6(text: str) -> Iterator[Detection]:
        for (start, end), *_ in each_spans(_IPV6, text):
            charge(start)
            value = text[start:end].rstrip(".")
            if ":::" in value or value.count("::") > 1:
                continue
            if value.endswith(":") and not value.endswith("::"):
                value = value[:-1]
            if value.count(":") < 2:
                continue
            end = start + len(value)
            if start > 0 and (ascii_alnum(text[start - 1]) or text[start - 1] in ":."):
                continue
            if end < len(text) and ascii_alnum(text[end]):
                continue
            groups = [g for g in value.split("%")[0].replace(".", ":").split(":") if g]
            if len(groups) < 3:
                continue
            try:
                ipaddress.IPv6Address(value)
            except ValueError:
                continue
            yield Detection("ip", start, end, "ipv6", 0.9, value.lower())
