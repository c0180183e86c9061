import pytest

from filters.behaviour.fingerprint import bands, normalise

SPAM = "Win a FREE iPhone now, click the link in my profile to claim your prize today"


@pytest.mark.parametrize("variant", [
    SPAM,
    SPAM.upper(),
    SPAM.replace(" ", "  "),
    SPAM.replace("i", "\u200bi"),  # zero-width spaces inside words
    "\uff37in a FREE iPhone now, click the link in my profile to claim your prize today",  # full-width W
    SPAM + "!!!",
    SPAM.replace("today", "tonight"),
    SPAM.replace("iPhone", "iPad"),
])
def test_near_duplicates_share_a_band(variant: str) -> None:
    assert set(bands(SPAM)) & set(bands(variant))


@pytest.mark.parametrize("other", [
    "Could you check why my invoice from March was charged twice please",
    "the deployment failed again with a timeout on the database migration step",
    "Win a trip? No, just asking whether the profile page link is broken for you too",
])
def test_different_texts_share_no_band(other: str) -> None:
    assert not set(bands(SPAM)) & set(bands(other))


def test_normalise_folds_case_width_and_invisibles() -> None:
    assert normalise("He\u200bLLo,   \uff37orld!") == "hello world"


def test_text_without_words_has_no_bands() -> None:
    assert bands("!!! ...") == ()
