import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from filters._patterns import byte_pattern, encodable
from filters._patterns import found as occurs
from filters._text import fold
from filters.masking import Masker, engine, secrets
from filters.masking.engine import BUILTIN, Gates, _gate, fold_fast, screen_for
from filters.masking.secrets import APART_RUN, APART_RUNS

MASKER = Masker(tuple(BUILTIN))


def found(text: str) -> list[tuple[str, str]]:
    return [(d.type, text[d.start:d.end]) for d in MASKER.scan(text)]


@pytest.mark.parametrize(("text", "value"), [
    ("card ４１１１ １１１１ １１１１ １１１１ ok", "４１１１ １１１１ １１１１ １１１１"),          # full-width digits
    ("card 4111\u200b1111\u200c1111\u200d1111 ok", "4111\u200b1111\u200c1111\u200d1111"),      # zero-width
    ("card 4111\u00ad1111\u00ad1111\u00ad1111 ok", "4111\u00ad1111\u00ad1111\u00ad1111"),      # soft hyphens
    ("card 4111\u00a01111\u00a01111\u00a01111 ok", "4111\u00a01111\u00a01111\u00a01111"),      # no-break spaces
    ("card 4111\u202f1111\u20091111\u30001111 ok", "4111\u202f1111\u20091111\u30001111"),      # other spaces
    ("卡号4111111111111111谢谢", "4111111111111111"),                                          # glued to CJK
    ("номер4111111111111111спасибо", "4111111111111111"),                                    # glued to Cyrillic
    ("رقم ٤١١١١١١١١١١١١١١١ شكرا", "٤١١١١١١١١١١١١١١١"),                                        # Arabic-Indic digits
    ("card 4111 1111-1111.1111 ok", "4111 1111-1111.1111"),                                   # mixed separators
    ("mail ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ now", "ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ"),                          # full-width email
    ("ssn １２３-４５-６７８９", "１２３-４５-６７８９"),
    ("key AKIA\u200bIOSFODNN7EXAMPLE", "AKIA\u200bIOSFODNN7EXAMPLE"),
])
def test_evasion_forms_map_back_exactly(text: str, value: str) -> None:
    [(_, span)] = found(text)
    assert span == value


@pytest.mark.parametrize("text", [
    "hi, can you help me with my order?",
    "order #48213977 arrives 2024-03-15 at 14:30",
    "tracking 1Z999AA10123456784, invoice INV-2024-000123",
    "order 4111 1111 1111 1112",                        # Luhn fails
    "price $1,299.99, was €1.499,00",
    "version 3.12.4, build 10.0.19045.3803",
    "uuid 123e4567-e89b-12d3-a456-426614174000",
    "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "see https://shop.example.com/p/987654321/reviews?page=2",
    "ZIP 94105-1234, ext 4412",
    "timestamp 1718000000000, created_at 1718000000",
    "meet 15/01/2024 or 2024.01.15 at 10:30",
    "call me at 3pm, room 1204",
])
def test_look_alikes_stay(text: str) -> None:
    assert found(text) == []


def test_longest_value_wins_overlaps() -> None:
    text = "IBAN DE89 3704 0044 0532 0130 00 and card 4111111111111111"
    assert found(text) == [("iban", "DE89 3704 0044 0532 0130 00"), ("card", "4111111111111111")]


def test_email_beats_phone_and_ip_inside_it() -> None:
    assert found("mail 4155552671@10.0.0.1.example.com") == [("email", "4155552671@10.0.0.1.example.com")]


def test_selected_detectors_only() -> None:
    masker = Masker(("email",))
    assert [d.type for d in masker.scan("a@b.io 4111111111111111")] == ["email"]
    assert masker.types == frozenset({"email"})


def test_clean_text_skips_detectors() -> None:
    assert MASKER.scan("") == [] and MASKER.scan("thanks!") == []


# --- the fast path: pre-screen and fold short-cut must never change what is found ---------------


_PIECES = st.sampled_from(["4111", "1111", " ", "-", "\u200b", "\u00a0", "１", "@", "ex.com", ":", "::", "a",
                           "key", "KEY", "ghp_", "AKIA", "eyJ", "+", "00", "(", ")", ".", "卡", "é", "\ud800",
                           "DE89", "3704", "0044", "password=", "x7Kq9!zR", "12", "2024", "10.0.0"])
_TEXTS = st.lists(_PIECES, max_size=14).map("".join)


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_fold_fast_equals_fold(text: str) -> None:
    fast, slow = fold_fast(text), fold(text)
    assert (fast.text, fast.origin) == (slow.text, slow.origin)


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_the_pre_screen_passes_whatever_any_gate_passes(text: str) -> None:
    view = encodable(fold(text).text)
    raw = view.encode()
    screen = screen_for(tuple(BUILTIN))
    assert screen is not None
    if any(_gate(name, raw) for name in BUILTIN if name not in ("iban",)):
        assert screen.search(raw) is not None


@settings(max_examples=200, deadline=None)
@given(_TEXTS)
def test_the_fast_path_finds_what_every_detector_finds_unscreened(text: str) -> None:
    view = encodable(fold(text).text)
    everything = [d for detector in BUILTIN.values() for d in detector.detect(view)]
    if everything:
        assert MASKER.scan(text), f"missed in {text!r}"


@pytest.mark.parametrize("text", ["a\ud800b\udfffc 4111 1111 1111 1111", "\udc00" * 50, "é" * 5000])
def test_hostile_unicode_does_not_break_the_screen(text: str) -> None:
    MASKER.scan(text)


def test_detectors_only_the_route_enables_are_screened_for() -> None:
    email_only = Masker(("email",))
    assert email_only.scan("card 4111 1111 1111 1111") == []
    assert [d.type for d in email_only.scan("mail a@example.com")] == ["email"]
    assert screen_for(()) is None


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_the_gate_set_agrees_with_the_gates_one_by_one(text: str) -> None:
    raw = encodable(fold(text).text).encode()
    gates = Gates(tuple(BUILTIN))
    assert gates.passing(raw) == gates._one_by_one(raw)
    some = Gates(("iban", "email"))
    assert some.passing(raw) == some._one_by_one(raw)


def test_a_long_text_the_gate_set_passes_nothing_is_confirmed_one_by_one() -> None:
    gates = Gates(tuple(BUILTIN))
    assert gates.passing(b"x " * 5_000) == frozenset()
    assert gates.passing(b"x " * 5_000 + b"mail a@b.example") == frozenset({"email"})
    # a run of 32 letters and digits may be a generated token (`secrets._LONG`): the secret detector judges it
    assert gates.passing(b"x" * 10_000) == frozenset({"secret"})


@pytest.mark.parametrize("raw", [
    b"aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3", b"use aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3 now", b"(0123456789012345678901234567890123)",
    b"aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1x", b"x-aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3", b"4111 1111 1111 1111 " + b"Q" * 40,
    b"x " * 2_100 + b"aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3", b"hello " * 10, b"x " * 2_100 + b"4111 1111 1111 1111",
    b"x " * 2_100 + b"aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1x", b"x-" * 2_100 + b"aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3 mail a@b.example",
])
def test_the_long_run_searched_after_the_set_passes_as_its_gate_does(raw: bytes) -> None:
    # The secret gate's runs standing apart (a long run of 32 letters and digits among them) are read by the set in
    # a weaker form and searched on their own where only that form passes (see `engine._APART`); the answers are the
    # one-by-one gates' all the same, in short texts and long ones.
    gates = Gates(tuple(BUILTIN))
    assert gates.passing(raw) == gates._one_by_one(raw)
    assert ("secret" in gates.passing(raw)) == _gate("secret", raw)


_APART_FORM = byte_pattern(APART_RUN)


@settings(max_examples=30, deadline=None)
@given(st.data())
@pytest.mark.parametrize("run", APART_RUNS)
def test_the_weaker_form_of_the_runs_standing_apart_passes_wherever_they_do(run: str, data: st.DataObject) -> None:
    # The gate set reads the runs in their weaker form only: a run it missed would never reach the secret detector.
    tail = run.removeprefix(secrets._APART)
    raw = data.draw(st.from_regex(tail, fullmatch=True).map(str.encode))
    for text in (raw, b"key " + raw, b"x=" + raw):
        assert occurs(_APART_FORM, text) or not occurs(byte_pattern(run), text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(st.characters(codec=None, exclude_categories=()), max_size=24), min_size=1, max_size=6),
       st.integers(0, 40))
def test_fold_fast_past_its_learnt_bound_equals_fold(texts: list[str], room: int) -> None:
    """With the characters learnt up to their bound (a few places left, or none), texts that bring new ones
    fold as `fold` folds them, each text in turn."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine, "_INERT_MAX", len(engine._INERT) + room)
        patch.setattr(engine, "_FOLDS_MAX", len(engine._FOLDS) + room)
        for text in texts:
            fast, slow = fold_fast(text), fold(text)
            assert (fast.text, fast.origin) == (slow.text, slow.origin)
            assert [fast.index(at) for at in range(len(fast.text))] == [slow.index(at) for at in range(len(slow.text))]


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(codec=None, exclude_categories=()), max_size=24))
def test_fold_fast_equals_fold_on_any_characters(text: str) -> None:
    """Every character folded by `fold_char` (cached) as `fold` folds it: compatibility forms, digits of
    every script, invisible and format characters, lone surrogates."""
    fast, slow = fold_fast(text), fold(text)
    assert (fast.text, fast.origin) == (slow.text, slow.origin)
