import asyncio
from pathlib import Path
from typing import Any

import pytest

from filters import Action, Direction, FileWatch, OptionsError, Refreshed
from filters.testing import tmessage
from gateway.config.settings import parse_settings
from gateway.runtime.chains import FilterChains
from tests.helpers import wait_until


def settings(filters: dict[str, Any], routes: list[dict[str, Any]]) -> Any:
    base = {"match": {"path": "/x"}, "upstream": "chat", "allow": ["anonymous"]}
    return parse_settings({
        "upstreams": {"chat": {"url": "http://127.0.0.1:9"}},
        "filters": filters,
        "routes": [{**base, **route} for route in routes],
    })


FILTERS: dict[str, dict[str, Any]] = {
    "words": {"use": "keyword", "options": {"words": ["bad"], "action": "replace", "replacement": "#"}},
    "size": {"use": "size_limit", "options": {"max_chars": 8}},
    "tickets": {"use": "ticket_mask"},
}


async def test_routes_get_a_chain_per_direction_in_config_order() -> None:
    pipeline = FilterChains.build(settings(FILTERS, [
        {"name": "both", "filters": ["words", "size", "tickets"]},
        {"name": "plain"},
    ]))
    async with pipeline:
        inbound = pipeline.chain("both", Direction.INBOUND)
        outbound = pipeline.chain("both", Direction.OUTBOUND)
        assert [s.name for s in inbound.steps] == ["words", "size"]
        assert [s.name for s in outbound.steps] == ["words", "size", "tickets"]
        result = await outbound.run(tmessage("bad OPS-1", direction="outbound"))
        assert (result.action, result.text) == (Action.MODIFY, "# [ticket]")
        assert (await inbound.run(tmessage("a long message"))).action is Action.BLOCK
        assert not pipeline.chain("plain", Direction.INBOUND).active(Direction.INBOUND)
        assert pipeline.routes == ("both", "plain")


async def test_each_filter_is_built_once_and_shared() -> None:
    pipeline = FilterChains.build(settings(FILTERS, [{"name": "a", "filters": ["words"]}, {"name": "b", "filters": ["words"]}]))
    first = pipeline.chain("a", Direction.INBOUND).steps[0].filter
    assert first is pipeline.chain("b", Direction.OUTBOUND).steps[0].filter is pipeline.filters["words"]
    await pipeline.aclose()


async def test_timeout_and_fail_mode_come_from_the_config() -> None:
    config: dict[str, Any] = {"words": {**FILTERS["words"], "timeout": "250ms"}}
    pipeline = FilterChains.build(settings(config, [{"name": "r", "filters": ["words"], "fail": "open"}]))
    chain = pipeline.chain("r", Direction.INBOUND)
    assert chain.fail_open
    assert chain.steps[0].timeout == 0.25
    await pipeline.aclose()


def test_unknown_route_is_a_key_error() -> None:
    pipeline = FilterChains.build(settings({}, [{"name": "r"}]))
    with pytest.raises(KeyError):
        pipeline.chain("nope", Direction.INBOUND)


@pytest.mark.parametrize(("filters", "message"), [
    ({"w": {"use": "keyword", "options": {"wrods": ["x"]}}},
     "filters.w.options.wrods: unknown option (known: action, replacement, words)"),
    ({"w": {"use": "nope"}}, "filters.w.use: unknown filter plugin 'nope' (installed: "),
    ({"w": {"use": "size_limit", "timeout": 0}}, "filters.w.timeout: expected a duration > 0, got 0.0"),
])
def test_errors_name_the_key_path(filters: dict[str, Any], message: str) -> None:
    with pytest.raises(OptionsError) as err:
        FilterChains.build(settings(filters, [{"name": "r"}]))
    assert str(err.value).startswith(message)


async def test_unused_filters_are_still_checked() -> None:
    with pytest.raises(OptionsError, match=r"^filters.spare.options.max_chars: expected >= 1"):
        FilterChains.build(settings({"spare": {"use": "size_limit", "options": {"max_chars": 0}}}, [{"name": "r"}]))


async def test_aclose_closes_every_filter_once_and_survives_errors(caplog: pytest.LogCaptureFixture) -> None:
    pipeline = FilterChains.build(settings(FILTERS, [{"name": "r", "filters": ["words"]}]))
    closed: list[str] = []

    async def close_words() -> None:
        closed.append("words")
        raise RuntimeError("secret detail")

    async def close_size() -> None:
        closed.append("size")

    pipeline.filters["words"].aclose = close_words  # type: ignore[method-assign]
    pipeline.filters["size"].aclose = close_size  # type: ignore[method-assign]
    await pipeline.aclose()
    await pipeline.aclose()
    assert closed == ["words", "size"]
    assert "filter words failed to close: RuntimeError" in caplog.text
    assert "secret detail" not in caplog.text


class _Recorded(FileWatch):
    def __init__(self) -> None:
        self.reports: list[Refreshed] = []

    def refreshed(self, report: Refreshed) -> None:
        self.reports.append(report)


_FRESH_LINK = "log in at https://fresh-site.example/verify now"


def _feed_pipeline(tmp_path: Path) -> tuple[Path, dict[str, _Recorded], FilterChains]:
    """A route whose threat filter reads one feed file (evil.example), checked every second."""
    feed = tmp_path / "feed.txt"
    feed.write_text("evil.example\n")
    watches: dict[str, _Recorded] = {}
    config = settings({"threat": {"use": "threat", "options": {"blocklists": [str(feed)], "reload_interval": "1s"}}},
                      [{"name": "r", "filters": ["threat"]}])
    return feed, watches, FilterChains.build(config, files=lambda name: watches.setdefault(name, _Recorded()))


def _replace(feed: Path, text: str) -> None:
    """Replace the feed the way a download does: a new file renamed over the old one."""
    part = feed.with_suffix(".part")
    part.write_text(text)
    part.replace(feed)


async def test_feed_files_are_refreshed_while_serving_and_a_bad_version_is_logged_once(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    feed, watches, pipeline = _feed_pipeline(tmp_path)
    chain = pipeline.chain("r", Direction.INBOUND)
    await pipeline.start()
    try:
        assert (await chain.run(tmessage(_FRESH_LINK))).action is Action.PASS
        _replace(feed, "evil.example\nfresh-site.example\n")
        await wait_until(lambda: bool(watches["threat"].reports))
        assert watches["threat"].reports == [Refreshed(loaded=(str(feed),))]
        assert (await chain.run(tmessage(_FRESH_LINK))).action is Action.BLOCK
        caplog.clear()
        _replace(feed, "<html><body>the list moved</body></html>\n")
        await wait_until(lambda: len(watches["threat"].reports) == 2)
        await asyncio.sleep(2.2)  # two more rounds: the refused version is not reported again
        assert watches["threat"].reports[1].stale == (str(feed),) and len(watches["threat"].reports) == 2
        lines = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
        assert lines == [f"filter threat: file refused, previous version kept: {feed}: 1 of its 1 lines are no "
                         "URL or domain"]
        assert (await chain.run(tmessage(_FRESH_LINK))).action is Action.BLOCK
    finally:
        await pipeline.aclose()
    assert all(task.done() for task in pipeline._refreshing.values())


async def test_a_retired_config_keeps_its_feeds_current_without_reporting(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """After a reload, WebSockets still on the old config are judged with current feeds; only the config in
    service logs and counts, so a refused version is one line per process however many configs linger."""
    feed, watches, pipeline = _feed_pipeline(tmp_path)
    chain = pipeline.chain("r", Direction.INBOUND)
    await pipeline.start()
    try:
        pipeline.retire()
        _replace(feed, "evil.example\nfresh-site.example\n")

        async def blocked() -> bool:
            return (await chain.run(tmessage(_FRESH_LINK))).action is Action.BLOCK

        for _ in range(200):
            if await blocked():
                break
            await asyncio.sleep(0.05)
        assert await blocked()
        _replace(feed, "<html></html>\n")
        await asyncio.sleep(2.2)
        assert watches["threat"].reports == [] and "refused" not in caplog.text and "reloaded" not in caplog.text
    finally:
        await pipeline.aclose()


async def test_a_reload_carries_over_the_filters_it_did_not_change(monkeypatch: pytest.MonkeyPatch) -> None:
    """An unchanged entry keeps its instance (and what it holds); a changed one is built again. A carried
    instance is closed by the last config using it, whichever closes last."""
    closed: list[object] = []
    old = FilterChains.build(settings(FILTERS, [{"name": "r", "filters": ["words", "size"]}]))
    changed = {**FILTERS, "size": {"use": "size_limit", "options": {"max_chars": 9}}}
    new = FilterChains.build(settings(changed, [{"name": "r", "filters": ["words", "size"]}]), previous=old)
    assert new.filters["words"] is old.filters["words"] and new.filters["size"] is not old.filters["size"]
    for pipeline in (old, new):
        for flt in pipeline.filters.values():
            monkeypatch.setattr(flt, "aclose", lambda flt=flt: _note(closed, flt))
    new.take_over(old)
    await old.aclose()
    assert closed == [old.filters["size"]]  # not the carried `words` and `tickets`
    await new.aclose()
    assert closed[1:] == [new.filters["words"], new.filters["size"], new.filters["tickets"]]


async def test_a_config_retiring_after_a_newer_one_closes_what_they_shared(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two reloads: the second changes `words`, which the first carried over. The first config's successor
    closes before it (its WebSockets ended sooner): the instance the first config still uses stays open."""
    closed: list[object] = []
    first = FilterChains.build(settings(FILTERS, [{"name": "r", "filters": ["words"]}]))
    second = FilterChains.build(settings(FILTERS, [{"name": "r", "filters": ["words"]}]), previous=first)
    second.take_over(first)
    changed = {**FILTERS, "words": {"use": "keyword", "options": {"words": ["other"]}}}
    third = FilterChains.build(settings(changed, [{"name": "r", "filters": ["words"]}]), previous=second)
    third.take_over(second)
    words = first.filters["words"]
    monkeypatch.setattr(words, "aclose", lambda: _note(closed, words))
    await second.aclose()
    assert closed == []  # `first` still uses it
    await first.aclose()
    assert closed == [words]
    await third.aclose()


async def test_a_config_that_never_took_over_leaves_what_it_carried_to_the_old_one() -> None:
    old = FilterChains.build(settings(FILTERS, [{"name": "r", "filters": ["words"]}]))
    new = FilterChains.build(settings(FILTERS, [{"name": "r", "filters": ["words"]}]), previous=old)
    assert set(new.filters) == set(old.filters) and all(new.filters[n] is old.filters[n] for n in old.filters)
    await new.aclose()  # it failed to start: nothing it carried is closed
    assert old.unchanged("words", settings(FILTERS, []).filters["words"]) is old.filters["words"]
    await old.aclose()


def test_a_check_vouches_for_unchanged_entries_without_building_them() -> None:
    running = settings(FILTERS, []).filters
    broken = {**FILTERS, "size": {"use": "size_limit", "options": {"max_chars": 0}}}
    with pytest.raises(OptionsError):
        FilterChains.build(settings(broken, []), vouched=running)  # a changed entry is built and checked
    vouched = FilterChains.build(settings(FILTERS, [{"name": "r", "filters": ["words"]}]), vouched=running)
    assert {type(flt).__name__ for flt in vouched.filters.values()} == {"_Unchanged"}


async def _note(closed: list[object], flt: object) -> None:
    closed.append(flt)
