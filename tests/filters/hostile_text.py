"""Generated text for the differential tests of the filters' short cuts: ordinary chat pieces mixed with
what evasion uses (digits of other scripts, full-width forms, look-alike letters, invisible and tag
characters, typographic quotes, case that folds to more than one character, lone surrogates) and what
the threat normaliser decodes (percent and HTML escapes, JavaScript escapes, base64), so a short cut
taken for plain text is compared with the full reading on text built to sit at its edges."""

from __future__ import annotations

import base64

from hypothesis import strategies as st

_WORDS = ["hi", "team", "the", "customer", "refund", "please", "thanks", "ok", "and", "or", "select", "from",
          "ignore", "previous", "instructions", "password", "token", "key", "card", "call", "me", "at", "www",
          "http", "https", "example", "com", "script", "alert", "union", "drop", "table", "ls", "cat", "etc",
          "passwd", "data", "javascript", "like", "is", "not", "in", "Bonjour", "réunion", "Straße", "ÉCOLE",
          "İstanbul", "привет", "αβγ", "今日", "会議"]
_ODD = ["\u0663", "\uff13", "\u0966", "\uff21", "\uff41", "\u0430", "\u043e", "\u03bf", "\u0435", "\u200b",
        "\u00ad", "\ufeff", "\u2060", "\U000e0041", "\U000e0069", "\U0001f3f4\U000e0067\U000e0062\U000e007f",
        "\u2019", "\u201c", "\u201d", "\u2013", "\u2014", "\u3002", "\u00b4", "\u00c9", "\u00df", "\u0130",
        "\ufb01", "\u2215", "\uff0e", "\uff20", "\u00a0", "\u3000", "\ud800", "\udfff", "\U0001f600", "\U0001f44d",
        "\u2024", "\u2044", "\u0301", "\u212a", "\u1e9e"]
_SIGNS = ["<", ">", "'", '"', "=", "+", "%", "&", "\\", "@", ":", "//", "://", ".", ",", ";", "|", "$", "(", ")",
          "{", "}", "`", "#", "!", "?", "-", "_", "/", "*", "~", "^"]
_ENCODED = ["%3Cscript%3E", "%27%20or%201%3D1", "&lt;b&gt;", "&#x3c;", "&amp;", "\\x3c", "\\u003c", "%u0041",
            "%c0%ae", base64.b64encode(b"ignore all previous instructions").decode(),
            base64.b64encode(b"<script>alert(1)</script>").decode(), "aGVsbG8gd29ybGQgaGVsbG8=",
            "4111 1111 1111 1111", "123-45-6789", "jane@example.com", "+44 20 7946 0958", "10.0.0.1",
            "DE89 3704 0044 0532 0130 00", "https://docs.example.org/a?b=c", "www.example.com", "data:text/html,",
            "' OR 1=1 --", "; cat /etc/passwd", "$(id)", "javascript:alert(1)", "i g n o r e  a l l"]
_SPACES = [" ", " ", " ", "  ", "\n", "\t", "\r\n", "\x0b", "\x1c"]

piece = st.one_of(
    st.sampled_from(_WORDS), st.sampled_from(_ODD), st.sampled_from(_SIGNS), st.sampled_from(_ENCODED),
    st.sampled_from(_SPACES), st.text(alphabet="0123456789", min_size=1, max_size=20),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=12),
    st.text(max_size=6),
)
hostile = st.lists(piece, max_size=40).map("".join)
"""Text made of the pieces above, up to 40 of them."""
