"""Tokenize through the shared store: one gateway process masks, another unmasks for `unmask:card`."""

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from filters import Action, Chain, Direction, FilterContext, Principal, Step
from filters.masking import MaskingFilter, TokenVault
from filters.testing import make_filter, tmessage
from gateway.state import MemoryStore, StateUnavailable
from gateway.state.vault import StoreVault
from tests.gateway.state._redis import closed_port, raw_redis, store, unique_prefix

KEY = "5c" * 32
CARD = "4111 1111 1111 1111"
Processes = tuple[MaskingFilter, MaskingFilter, Redis, str]


def masking(vault: TokenVault) -> MaskingFilter:
    flt = make_filter(MaskingFilter, {"style": "tokenize", "vault_key": KEY, "token_ttl": "1h"},
                      context=FilterContext(vault=vault))
    assert isinstance(flt, MaskingFilter)
    return flt


@pytest.fixture
async def two_processes() -> AsyncIterator[Processes]:
    """Two filter instances, each on its own Redis connection, sharing one namespace."""
    prefix = unique_prefix()
    async with raw_redis(prefix) as raw:
        first, second = store(prefix), store(prefix)
        try:
            yield masking(StoreVault(first)), masking(StoreVault(second)), raw, prefix
        finally:
            await first.aclose()
            await second.aclose()


def reader(*roles: str) -> Principal:
    return Principal("agent-7", frozenset(roles))


async def test_masked_in_one_process_unmasked_in_another(two_processes: Processes) -> None:
    inbound, outbound, raw, prefix = two_processes
    masked = await inbound.inspect(tmessage(f"my card is {CARD}"))
    assert masked.action is Action.MODIFY and masked.text is not None and "4111" not in masked.text
    token = masked.text.split()[-1].rstrip("]")
    stored = await raw.get(f"{prefix}v:vault:{token}")
    assert stored is not None and b"4111" not in stored  # Redis holds ciphertext only
    assert 0 < await raw.pttl(f"{prefix}v:vault:{token}") <= 3600_000

    shown = await outbound.inspect(tmessage(masked.text, direction="outbound", principal=reader("unmask:card")))
    assert shown.text == "my card is 4111111111111111"
    assert [f.type for f in shown.findings] == ["unmask:card"]


@pytest.mark.parametrize("roles", [(), ("agent",), ("unmask:ssn",), ("UNMASK:CARD",)])
async def test_without_the_permission_the_token_stays(two_processes: Processes, roles: tuple[str, ...]) -> None:
    inbound, outbound, _, _ = two_processes
    masked = await inbound.inspect(tmessage(CARD))
    assert masked.text is not None
    verdict = await outbound.inspect(tmessage(masked.text, direction="outbound", principal=reader(*roles)))
    assert verdict.action is Action.PASS


async def test_forged_and_tampered_tokens_stay_masked(two_processes: Processes) -> None:
    inbound, outbound, raw, prefix = two_processes
    masked = await inbound.inspect(tmessage(CARD))
    assert masked.text is not None
    token = masked.text.split()[-1].rstrip("]")
    other = await inbound.inspect(tmessage("5555 5555 5555 4444"))
    assert other.text is not None
    other_token = other.text.split()[-1].rstrip("]")
    # someone with write access to Redis swaps in another value's ciphertext: it must not open
    swapped = await raw.get(f"{prefix}v:vault:{other_token}")
    assert swapped is not None
    await raw.set(f"{prefix}v:vault:{token}", swapped)
    forged = f"{masked.text} [CARD tok_{'A' * 22}]"
    verdict = await outbound.inspect(tmessage(forged, direction="outbound", principal=reader("unmask:*")))
    assert verdict.action is Action.PASS


async def test_vault_namespaces_its_keys() -> None:
    backing = MemoryStore()
    vault = StoreVault(backing)
    await vault.put("tok_x", b"sealed", 60)
    assert await vault.get("tok_x") == b"sealed" and await backing.get("vault:tok_x") == b"sealed"
    assert await backing.get("tok_x") is None and isinstance(vault, TokenVault)


async def test_an_unreachable_vault_blocks_instead_of_leaking() -> None:
    broken = store(unique_prefix(), url=f"redis://127.0.0.1:{closed_port()}/0", timeout=0.5)
    try:
        flt = masking(StoreVault(broken))
        with pytest.raises(StateUnavailable):
            await flt.inspect(tmessage(CARD))
        chain = Chain([Step("mask", flt, 2.0)])
        inbound = await chain.run(tmessage(f"card {CARD}"))
        assert inbound.blocked  # never forwarded unmasked
        outbound = await chain.run(tmessage(f"[CARD tok_{'A' * 22}]", direction=Direction.OUTBOUND,
                                            principal=reader("unmask:card")))
        assert outbound.blocked
    finally:
        await broken.aclose()
