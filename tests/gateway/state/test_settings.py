from pathlib import Path
from typing import Any

import pytest

from filters.options import OptionsError, bind
from gateway.state import StateSettings
from gateway.state.settings import redacted


def load(data: Any) -> StateSettings:
    return bind(StateSettings, data, "state")


def test_defaults_are_memory_and_fail_closed() -> None:
    settings = load(None)
    assert (settings.backend, settings.on_error, settings.prefix) == ("memory", "closed", "chatguard:")
    assert settings.timeout == 1.0


def test_a_full_redis_section() -> None:
    settings = load({"backend": "redis", "url": "rediss://:pw@redis.internal:6380/2", "prefix": "cg:",
                     "on_error": "local", "timeout": "250ms", "max_entries": 10})
    assert settings.timeout == 0.25 and settings.safe_url == "rediss://:***@redis.internal:6380/2"


def test_url_may_come_from_a_secret_file(tmp_path: Path) -> None:
    secret = tmp_path / "redis_url"
    secret.write_text("redis://:from-file@127.0.0.1:6379/0\n")
    assert load({"backend": "redis", "url_file": str(secret)}).url == "redis://:from-file@127.0.0.1:6379/0"


@pytest.mark.parametrize(("data", "key"), [
    ({"backend": "mysql"}, "state.backend"),
    ({"on_error": "open"}, "state.on_error"),
    ({"backend": "redis", "url": "http://127.0.0.1:6379"}, "state.url"),
    ({"backend": "redis", "url": "redis://"}, "state.url"),
    ({"backend": "redis", "url": "redis://127.0.0.1/not-a-db"}, "state.url"),
    ({"backend": "redis", "url": "unix://"}, "state.url"),
    ({"prefix": ""}, "state.prefix"),
    ({"prefix": "has space:"}, "state.prefix"),
    ({"prefix": "x" * 65}, "state.prefix"),
    ({"timeout": 0}, "state.timeout"),
    ({"timeout": "2m"}, "state.timeout"),
    ({"max_entries": 0}, "state.max_entries"),
    ({"bakend": "redis"}, "state.bakend"),
])
def test_errors_name_the_key(data: dict[str, Any], key: str) -> None:
    with pytest.raises(OptionsError) as raised:
        load(data)
    assert raised.value.path == key


def test_errors_never_show_the_password() -> None:
    with pytest.raises(OptionsError) as raised:
        load({"backend": "redis", "url": "http://admin:hunter2@127.0.0.1:6379"})
    assert "hunter2" not in str(raised.value) and "***" in str(raised.value)


@pytest.mark.parametrize(("url", "shown"), [
    ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
    ("redis://u:p%40ss@h:1/0", "redis://u:***@h:1/0"),
    ("unix:///run/redis.sock", "unix:///run/redis.sock"),
    ("redis//admin:pw@host", "(URL hidden: it may hold a password)"),  # malformed, still hidden
])
def test_redacted(url: str, shown: str) -> None:
    assert redacted(url) == shown


def test_memory_backend_ignores_the_url() -> None:
    assert load({"url": "not checked"}).backend == "memory"
