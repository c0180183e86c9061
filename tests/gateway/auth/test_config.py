from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

import pytest

from filters.options import OptionsError, bind
from gateway.auth.config import AuthSettings


def test_defaults_and_durations_bind() -> None:
    settings = bind(AuthSettings, {"jwt": {"ttl": "10m", "signing_keys": ["/k.pem"]},
                                   "totp": {"required_roles": ["admin"]}}, "auth")
    assert settings.jwt.ttl == 600 and settings.jwt.leeway == 60
    assert settings.totp.required_roles == frozenset({"admin"})


def test_encryption_key_from_file(tmp_path: Path) -> None:
    key = os.urandom(32)
    (tmp_path / "totp.key").write_text(base64.b64encode(key).decode())
    settings = bind(AuthSettings, {"totp": {"encryption_key_file": str(tmp_path / "totp.key")}}, "auth")
    assert settings.totp.key_bytes() == key


@pytest.mark.parametrize("data,path", [
    ({"totp": {"encryption_key": "c2hvcnQ="}}, "auth.totp.encryption_key"),
    ({"totp": {"encryption_key": "!!!"}}, "auth.totp.encryption_key"),
    ({"store": "mysql://x"}, "auth.store"),
    ({"query_credentials": "always"}, "auth.query_credentials"),
    ({"external": [{"issuer": "i", "jwks_url": "https://i/jwks", "audience": "a",
                    "algorithms": ["HS256"]}]}, "auth.external[0].algorithms"),
    ({"external": [{"issuer": "i", "jwks_url": "file:///etc/passwd", "audience": "a"}]},
     "auth.external[0].jwks_url"),
    ({"lockout": {"pair_failures": 0}}, "auth.lockout.pair_failures"),
    ({"jwt": {"alg": "none"}}, "auth.jwt.alg"),
])
def test_bad_config_names_the_key(data: dict[str, Any], path: str) -> None:
    with pytest.raises(OptionsError) as caught:
        bind(AuthSettings, data, "auth")
    assert caught.value.path == path
