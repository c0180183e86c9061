"""`keys:` settings through the real config binding: every mistake names its key, never the key's value."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from filters.options import OptionsError, bind
from gateway.keyring import KeySettings, LocalKek, wrappers

HEX = "ab" * 32


def settings(**data: Any) -> KeySettings:
    return bind(KeySettings, data, "keys")


def test_kek_file_in_hex_or_base64(tmp_path: Path) -> None:
    hex_file, b64_file = tmp_path / "kek.hex", tmp_path / "kek.b64"
    hex_file.write_text(HEX + "\n")
    b64_file.write_text(base64.urlsafe_b64encode(bytes.fromhex(HEX)).decode().rstrip("="))
    one, _ = wrappers(settings(kek_file=str(hex_file)))
    two, _ = wrappers(settings(kek_file=str(b64_file)))
    assert isinstance(one, LocalKek)
    assert one.kek_id == two.kek_id and one.kek_id.startswith("local:") and HEX[:8] not in one.kek_id


def test_kek_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CG_TEST_KEK", HEX)
    current, previous = wrappers(settings(kek_env="CG_TEST_KEK", previous=[{"kek": "cd" * 32}]))
    assert current.kek_id != previous[0].kek_id


@pytest.mark.parametrize(("data", "where", "what"), [
    ({"kek": "too-short"}, "keys.kek", "256-bit key"),
    ({"kek": HEX[:-2]}, "keys.kek", "256-bit key"),
    ({"kek_env": "CG_TEST_UNSET_KEK"}, "keys.kek_env", "is not set"),
    ({"kek_env": "not a name"}, "keys.kek_env", "environment variable name"),
    ({"kek": HEX, "kek_env": "X"}, "keys.kek_env", "give one of"),
    ({"previous": [{"kek": HEX}]}, "keys.kek", "need a current one"),
    ({"kek": HEX, "previous": [{}]}, "keys.previous[0]", "give one of"),
    ({"kek": HEX, "store": "mysql://x"}, "keys.store", "sqlite:/// or postgresql://"),
    ({"kms": {"factory": "no colon"}}, "keys.kms.factory", "package.module:callable"),
    ({"kek": HEX, "bogus": 1}, "keys.bogus", "unknown key"),
])
def test_mistakes_name_the_key(data: dict[str, Any], where: str, what: str) -> None:
    with pytest.raises(OptionsError) as caught:
        settings(**data)
    assert caught.value.path == where and what in caught.value.problem
    assert HEX not in str(caught.value)


@pytest.mark.parametrize(("factory", "options", "what"), [
    ("tests.gateway.keyring.kms_double:missing", {}, "cannot load"),
    ("tests.gateway.keyring.kms_double:make", {}, "refused its options"),
    ("tests.gateway.keyring.kms_double:not_a_wrapper", {}, "did not return a KeyWrapper"),
])
def test_kms_plug_point_is_checked_at_start(factory: str, options: dict[str, Any], what: str) -> None:
    with pytest.raises(OptionsError, match=what):
        wrappers(settings(kms={"factory": factory, "options": options}))


def test_kms_plug_point_builds_the_wrapper() -> None:
    current, _ = wrappers(settings(kms={"factory": "tests.gateway.keyring.kms_double:make",
                                       "options": {"key_name": "transcripts"}}))
    assert current.kek_id == "kms:transcripts"


def test_repr_never_shows_the_kek() -> None:
    assert HEX not in repr(settings(kek=HEX, previous=[{"kek": "cd" * 32}]))
