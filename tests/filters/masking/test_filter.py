import re

import pytest

from filters import Action, Direction, FilterContext, Principal, Verdict
from filters.masking import MaskingFilter, MemoryVault, permissions
from filters.testing import check_filter, make_filter, run_filter, tmessage

KEY = "ab" * 32
TEXT = "card 4111-1111-1111-1111, mail jo@example.com, ssn 123-45-6789"


async def test_conforms_with_defaults() -> None:
    await check_filter(MaskingFilter)


async def test_conforms_with_every_style() -> None:
    await check_filter(MaskingFilter, {
        "styles": {"card": "tokenize", "email": "hash", "ssn": "partial"}, "vault_key": KEY,
        "hash_key": "h" * 32, "rules": [{"name": "project", "keywords": ["falcon"]}],
    })


async def test_registered_under_its_entry_point() -> None:
    assert isinstance(make_filter("masking"), MaskingFilter)


@pytest.mark.parametrize(("style", "expected"), [
    ("redact", "card [CARD], mail [EMAIL], ssn [SSN]"),
    ("partial", "card [CARD ****1111], mail [EMAIL ***@example.com], ssn [SSN ***-**-6789]"),
])
async def test_styles(style: str, expected: str) -> None:
    verdict = await run_filter(MaskingFilter, TEXT, options={"style": style})
    assert verdict.action is Action.MODIFY and verdict.text == expected


async def test_hash_style_is_stable_per_value_and_keyed() -> None:
    options = {"style": "hash", "hash_key": "k" * 16}
    first = await run_filter(MaskingFilter, "4111 1111 1111 1111 and 4111-1111-1111-1111", options=options)
    other = await run_filter(MaskingFilter, "5555555555554444", options=options)
    rekeyed = await run_filter(MaskingFilter, "4111111111111111", options={**options, "hash_key": "j" * 16})
    assert first.text is not None and other.text is not None and rekeyed.text is not None
    a, b = re.findall(r"\[CARD#[0-9a-f]{8}\]", first.text)
    assert a == b != other.text and rekeyed.text != a


async def test_findings_carry_spans_and_detector_never_values() -> None:
    verdict = await run_filter(MaskingFilter, TEXT)
    assert [(f.type, TEXT[f.start:f.end]) for f in verdict.findings] == [
        ("card", "4111-1111-1111-1111"), ("email", "jo@example.com"), ("ssn", "123-45-6789")]
    dumped = repr(verdict.findings) + repr([f.as_dict() for f in verdict.findings]) + verdict.reason
    assert "4111" not in dumped and "jo@" not in dumped and "6789" not in dumped
    assert verdict.findings[0].as_dict()["detector"] == "visa"


async def test_clean_text_passes() -> None:
    verdict = await run_filter(MaskingFilter, "order 12345 arrives 2024-05-01")
    assert verdict.action is Action.PASS


async def test_directions_option() -> None:
    verdict = await run_filter(MaskingFilter, TEXT, options={"directions": ["inbound"]}, direction="outbound")
    assert verdict.action is Action.PASS


async def test_custom_rules_in_their_style() -> None:
    options = {"rules": [{"name": "employee_id", "pattern": "EMP-[0-9]{6}"},
                         {"name": "project", "keywords": ["falcon"], "style": "partial"}]}
    verdict = await run_filter(MaskingFilter, "EMP-123456 works on Falcon", options=options)
    assert verdict.text == "[EMPLOYEE_ID] works on [PROJECT]"


def tokenizing(vault: MemoryVault | None = None) -> MaskingFilter:
    flt = make_filter(MaskingFilter, {"style": "tokenize", "vault_key": KEY}, context=FilterContext(vault=vault))
    assert isinstance(flt, MaskingFilter)
    return flt


async def masked(flt: MaskingFilter, text: str = TEXT) -> str:
    verdict = await flt.inspect(tmessage(text))
    assert verdict.text is not None and "tok_" in verdict.text
    return verdict.text


@pytest.mark.parametrize(("roles", "metadata", "revealed"), [
    ({"agent", "unmask:card"}, {}, {"card"}),
    ({"agent"}, {"permissions": ["unmask:card", "unmask:ssn"]}, {"card", "ssn"}),
    ({"agent"}, {"permissions": "unmask:email"}, {"email"}),
    ({"admin", "unmask:*"}, {}, {"card", "email", "ssn"}),
    ({"agent"}, {}, set()),
    ({"agent", "unmask:iban"}, {}, set()),
])
async def test_tokenize_and_unmask_by_permission(roles: set[str], metadata: dict, revealed: set[str]) -> None:  # type: ignore[type-arg]
    flt = tokenizing()
    text = await masked(flt)
    assert "4111" not in text and "jo@" not in text
    principal = Principal("bob", frozenset(roles))
    verdict = await flt.inspect(tmessage(text, direction="outbound", principal=principal, metadata=metadata))
    shown = verdict.text if verdict.action is Action.MODIFY else text
    assert shown is not None
    assert ("4111111111111111" in shown) == ("card" in revealed)
    assert ("jo@example.com" in shown) == ("email" in revealed)
    assert ("123456789" in shown) == ("ssn" in revealed)
    audited = {f.type for f in verdict.findings if f.type.startswith("unmask:")}
    assert audited == {f"unmask:{kind}" for kind in revealed}


async def test_unmask_never_on_inbound() -> None:
    flt = tokenizing()
    text = await masked(flt)
    principal = Principal("bob", frozenset({"unmask:*"}))
    verdict = await flt.inspect(tmessage(text, direction="inbound", principal=principal))
    assert verdict.action is Action.PASS


async def test_forged_or_expired_tokens_stay_masked() -> None:
    flt = tokenizing()
    text = await masked(flt, "4111111111111111")
    principal = Principal("bob", frozenset({"unmask:*"}))
    forged = "[CARD tok_AAAAAAAAAAAAAAAAAAAAAA]"
    verdict = await flt.inspect(tmessage(forged, direction="outbound", principal=principal))
    assert verdict.action is Action.PASS
    relabelled = text.replace("[CARD ", "[SSN ")  # a token of one type never opens as another
    verdict = await flt.inspect(tmessage(relabelled, direction="outbound", principal=principal))
    assert verdict.action is Action.PASS
    flt = tokenizing(MemoryVault())  # same keys, a vault that never saw the token
    verdict = await flt.inspect(tmessage(text, direction="outbound", principal=principal))
    assert verdict.action is Action.PASS


async def test_same_value_same_token_and_the_vault_holds_only_ciphertext() -> None:
    vault = MemoryVault()
    flt = tokenizing(vault)
    first, second = await masked(flt, "4111111111111111"), await masked(flt, "4111 1111 1111 1111")
    assert first == second and len(vault) == 1
    token = first.split()[1].rstrip("]")
    sealed = await vault.get(token)
    assert sealed is not None and b"4111" not in sealed


async def test_outbound_values_are_masked_even_for_unmaskers() -> None:
    principal = Principal("bob", frozenset({"unmask:*"}))
    verdict = await run_filter(MaskingFilter, tmessage("4111111111111111", direction="outbound",
                                                       principal=principal))
    assert verdict.text == "[CARD]"


def test_permissions_merge_roles_and_metadata() -> None:
    message = tmessage("x", principal=Principal("a", frozenset({"r"})), metadata={"permissions": ("p", 3)})
    assert permissions(message) == {"r", "p"}
    assert Direction.OUTBOUND in MaskingFilter.directions


def _same(verdict: Verdict | None) -> object:
    return None if verdict is None else (verdict.action, verdict.text, verdict.reason, verdict.findings, verdict.hints)


@pytest.mark.parametrize("options", [
    {}, {"style": "partial"}, {"style": "hash", "hash_key": "k" * 16}, {"styles": {"card": "partial", "email": "hash"}, "hash_key": "k" * 16},
    {"directions": ["inbound"]}, {"max_values": 16}, {"max_values": 16, "over_max_values": "block"},
    {"rules": [{"name": "project", "keywords": ["falcon"], "style": "partial"}]},
])
@pytest.mark.parametrize("text", [TEXT, "", "plain chat, nothing to mask", "[CARD] [TOKEN card:abc] falcon",
                                  "4111 1111 1111 1111 " * 20, "\ud800 jo@example.com \u202e"])
@pytest.mark.parametrize("direction", list(Direction))
async def test_inspect_now_answers_as_inspect_without_a_vault(options: dict, text: str,  # type: ignore[type-arg]
                                                              direction: Direction) -> None:
    flt = make_filter(MaskingFilter, options)
    message = tmessage(text, direction=direction)
    now = flt.inspect_now(message)
    assert now is not None
    assert _same(now) == _same(await flt.inspect(message))


@pytest.mark.parametrize("direction", list(Direction))
async def test_inspect_now_leaves_every_message_to_inspect_with_a_vault(direction: Direction) -> None:
    flt = tokenizing()
    assert flt.inspect_now(tmessage(TEXT, direction=direction)) is None
    assert flt.inspect_now(tmessage("plain", direction=direction)) is None
