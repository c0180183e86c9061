import pytest

from filters.masking._model import Detection
from filters.masking.placeholders import TOKEN_PLACEHOLDER, canonical, hashed, partial, redact, tokenized


def det(kind: str, value: str, detector: str = "x") -> Detection:
    return Detection(kind, 0, len(value), detector, 1.0, value)


@pytest.mark.parametrize(("detection", "expected"), [
    (det("card", "4111111111111111"), "[CARD ****1111]"),
    (det("phone", "+44 20 7946 0958"), "[PHONE ****0958]"),
    (det("ssn", "123456789"), "[SSN ***-**-6789]"),
    (det("iban", "DE89370400440532013000"), "[IBAN DE****3000]"),
    (det("email", "Jo@Example.com"), "[EMAIL ***@example.com]"),
    (det("ip", "192.168.1.20"), "[IP 192.168.*.*]"),
    (det("ip", "2001:db8::1"), "[IP 2001:db8:*]"),
    (det("secret", "ghp_x", "github_token"), "[SECRET github_token]"),
    (det("employee_id", "EMP-1"), "[EMPLOYEE_ID]"),
    (det("phone", "12345"), "[PHONE]"),
])
def test_partial(detection: Detection, expected: str) -> None:
    assert partial(detection) == expected


def test_redact_hash_and_token_shapes() -> None:
    card = det("card", "4111 1111-1111 1111")
    assert redact(card) == "[CARD]"
    assert hashed(card, b"k") == hashed(det("card", "4111111111111111"), b"k") != hashed(card, b"j")
    assert TOKEN_PLACEHOLDER.fullmatch(tokenized(card, "tok_" + "A" * 22))
    assert canonical(det("email", "A@B.io")) == "a@b.io"
