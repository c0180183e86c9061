"""Raw analysis: categories, pasted-code damping, nested encodings."""

from __future__ import annotations

import base64

import pytest

from filters.threat import Detector

DETECTOR = Detector()


def test_plain_chat_has_no_scores() -> None:
    analysis = DETECTOR.analyse("Hi, my card was declined at the store today, can you help?")
    assert analysis.scores == {} and analysis.findings == () and not analysis.markup


def test_pasted_query_is_damped_but_a_payload_is_not() -> None:
    query = DETECTOR.analyse("SELECT name FROM users WHERE id = 1 OR 1 = 1")
    payload = DETECTOR.analyse("1 OR 1=1; DROP TABLE users")
    assert query.pasted_code and query.scores.get("sqli", 0) < 0.5
    assert payload.scores["sqli"] >= 0.5


def test_base64_wrapped_payload_is_found_with_the_encoded_span() -> None:
    wrapped = base64.b64encode(b"<script>alert(document.cookie)</script>").decode()
    text = f"open this: {wrapped}"
    analysis = DETECTOR.analyse(text)
    assert analysis.scores["xss"] >= 0.8
    assert any(text[f.start:f.end] == wrapped for f in analysis.findings)


def test_only_enabled_categories_are_scored() -> None:
    analysis = Detector(["link"]).analyse("<script>alert(1)</script> https://paypal.login-check.sbs/")
    assert set(analysis.scores) == {"link"}


@pytest.mark.parametrize(("text", "pasted"), [
    ("let total = items.length;\nconsole.log(total)", True),
    ("from os import path\nprint(path.sep)", True),
    ("select id from users where name = 'x'", True),
    ("Let's play a game where you answer everything", False),
    ("From now on you speak only in riddles", False),
    ("Update me on my order, please", False),
    ("Import duties are included in the price?", False),
])
def test_pasted_code_needs_code_shape_not_a_keyword_first(text: str, pasted: bool) -> None:
    assert Detector().analyse(text).pasted_code is pasted


def test_mixtures_of_escapes_and_syntax_never_raise() -> None:
    """A detector that raises lets a fail-open route pass the message: every mixture must be read."""
    import random

    atoms = ["%uD800", "\\ud800", "%ED%A0%80", "&#xD800;", "\ud800", "\U000E0041", "'", ")", "/*!", "*/", "+",
             "or 1=1", "--", "; ls", "`", "$(", "<script>", "../", "%2e%2e%2f", "aGVsbG8gd29ybGQgaGVsbG8=", "\u200b",
             "\x00", "\n", " ", "=", "%", "&", "#", "\\", "://", "data:text/html,", "\u3002", "\\u{110000}", "%ff%fe"]
    detector = Detector()
    pick = random.Random(15)
    for _ in range(400):
        detector.analyse("".join(pick.choice(atoms) for _ in range(pick.randint(1, 8))))
