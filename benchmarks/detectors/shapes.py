"""Worst-case message shapes for the detectors: the repeated units that make a careless
detector super-linear (long digit runs, dense candidates, nested prefixes, near-matches).

Each shape is a unit repeated to the wanted size; `text(shape, size)` builds it. The
benchmark feeds every shape to every detector; the linearity tests run them at moderate
sizes and compare the work done at one size and at twice that size.
"""

from __future__ import annotations

SHAPES: dict[str, str] = {
    # digit runs (cards, SSNs, phones, IBAN bodies)
    "spaced-ones": "1 ",
    "dashed-ones": "1-",
    "spaced-fours": "4 ",
    "card-groups": "4111 ",
    "visa-runs": "4111111111111111 ",
    "ssn-runs": "123-45-6789 ",
    "digits": "1",
    "pairs": "01 ",
    "plus-ones": "+1 ",
    "zeros": "00",
    "parens": "(555) ",
    "dotted-quads": "1.1.1.1.",
    "colons": "1:",
    "double-colons": "::",
    # IBAN anchors
    "iban-anchors": "DE89 ",
    "iban-letters": "GB82 WEST ",
    # e-mail and links
    "at-dots": "a@b.",
    "ats": "@",
    "emails": "x@y.com ",
    "domains": "abc.com ",
    "numbered-domains": "a1b.com ",
    "schemes": "http://",
    "label-dots": "a.",
    # secrets
    "token-assignments": "token: abcdefgh1234 ",
    "password-keys": "password=",
    "jwt-heads": "eyJ",
    "pem-headers": "-----BEGIN PRIVATE KEY-----",
    "bearers": "bearer ",
    # threat normaliser and rules
    "angles": "<",
    "tags": "<a ",
    "quote-or": "' OR ",
    "dot-dot-slash": "../",
    "percent-25": "%25",
    "js-escapes": "\\x41",
    "entities": "&#x41;",
    "ignore-words": "ignore ",
    "base64-words": "QUJDRGVmZ2g ",
    "mixed-script": "\u0430a",
    "leet": "a1a ",
    "zero-width": "\u200b",
    "cjk": "\u5361\u53f7",
}


def text(shape: str, size: int) -> str:
    """`size` characters of the repeated unit of `shape`."""
    unit = SHAPES[shape]
    return (unit * (size // len(unit) + 1))[:size]
