import pytest

from filters.masking import MaskingOptions
from filters.options import OptionsError, bind

KEY = "11" * 32
PATH = "filters.mask.options"


def load(data: dict) -> MaskingOptions:  # type: ignore[type-arg]
    return bind(MaskingOptions, data, PATH, label="option")


def test_defaults() -> None:
    options = load({})
    assert options.style == "redact" and "card" in options.detect and options.rules == ()


def test_full_config() -> None:
    options = load({
        "detect": ["card", "email"], "style": "partial", "styles": {"card": "tokenize", "project": "hash"},
        "vault_key": KEY, "hash_key": "k" * 16, "token_ttl": "7d",
        "rules": [{"name": "project", "keywords": ["falcon"]}, {"name": "emp", "pattern": "EMP-[0-9]+"}],
    })
    assert options.style_of("card") == "tokenize" and options.style_of("project") == "hash"
    assert options.style_of("emp") == "partial" and options.token_ttl == 7 * 86400


@pytest.mark.parametrize(("data", "path"), [
    ({"detect": ["card", "passport"]}, "detect[1]"),
    ({"style": "blur"}, "style"),
    ({"styles": {"cards": "redact"}}, "styles.cards"),
    ({"styles": {"card": "hash"}}, "hash_key"),
    ({"style": "hash", "hash_key": "short"}, "hash_key"),
    ({"style": "tokenize"}, "vault_key"),
    ({"style": "tokenize", "vault_key": "not a key"}, "vault_key"),
    ({"style": "tokenize", "vault_key": "22" * 16}, "vault_key"),
    ({"rules": [{"name": "x", "pattern": "(a)\\1"}]}, "rules[0].pattern"),
    ({"rules": [{"name": "x", "pattern": "(?<=a)b"}]}, "rules[0].pattern"),
    ({"rules": [{"name": "x"}]}, "rules[0]"),
    ({"rules": [{"name": "Bad Name", "keywords": ["a"]}]}, "rules[0].name"),
    ({"rules": [{"name": "card", "keywords": ["a"]}]}, "rules[0].name"),
    ({"rules": [{"name": "x", "keywords": ["a"]}, {"name": "x", "keywords": ["b"]}]}, "rules[1].name"),
    ({"rules": [{"pattern": "a"}]}, "rules[0].name"),
    ({"rules": [{"name": "x", "pattern": "a", "colour": 1}]}, "rules[0].colour"),
    ({"stream_hold": 10}, "stream_hold"),
    ({"max_values": 3}, "max_values"),
    ({"over_max_values": "ignore"}, "over_max_values"),
    ({"token_ttl": "soon"}, "token_ttl"),
    ({"directions": ["sideways"]}, "directions[0]"),
])
def test_errors_name_the_key_path(data: dict, path: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(OptionsError) as error:
        load(data)
    assert error.value.path == f"{PATH}.{path}"


def test_base64_vault_key() -> None:
    import base64
    assert load({"style": "tokenize", "vault_key": base64.b64encode(b"k" * 32).decode()}).style == "tokenize"
