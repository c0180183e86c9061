import pytest

from filters.masking.vault import MemoryVault, Sealer, TokenVault, parse_key
from filters.options import OptionsError

KEY = bytes(range(32))


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_memory_vault_expires_and_evicts() -> None:
    clock = Clock()
    vault = MemoryVault(max_items=2, clock=clock)
    assert isinstance(vault, TokenVault)
    await vault.put("a", b"1", ttl=10)
    await vault.put("b", b"2", ttl=10)
    assert await vault.get("a") == b"1"      # a is now the most recent
    await vault.put("c", b"3", ttl=10)       # evicts b
    assert await vault.get("b") is None and await vault.get("c") == b"3"
    clock.now = 10
    assert await vault.get("a") is None and len(vault) == 1


def test_seal_round_trip_is_bound_to_token_and_type() -> None:
    sealer = Sealer(KEY)
    token = sealer.token("card", "4111111111111111")
    assert token == sealer.token("card", "4111111111111111") != sealer.token("ssn", "4111111111111111")
    sealed = sealer.seal(token, "card", "4111111111111111")
    assert b"4111" not in sealed and sealed != sealer.seal(token, "card", "4111111111111111")
    assert sealer.open(token, "card", sealed) == "4111111111111111"
    assert sealer.open(token, "ssn", sealed) is None
    assert sealer.open(sealer.token("card", "x"), "card", sealed) is None
    assert sealer.open(token, "card", sealed[:-1] + bytes([sealed[-1] ^ 1])) is None
    assert sealer.open(token, "card", b"short") is None
    assert Sealer(bytes(32)).open(token, "card", sealed) is None


@pytest.mark.parametrize("text", ["00" * 32, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
                                  "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"])
def test_parse_key(text: str) -> None:
    assert len(parse_key(text, "k")) == 32


@pytest.mark.parametrize("text", ["", "00" * 31, "zz" * 32, "not base64!", "AAEC"])
def test_parse_key_rejects(text: str) -> None:
    with pytest.raises(OptionsError) as error:
        parse_key(text, "filters.mask.options.vault_key")
    assert error.value.path == "filters.mask.options.vault_key"
