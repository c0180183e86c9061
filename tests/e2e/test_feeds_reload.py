"""Feed files changed while `serve --workers 2` runs, as real processes: every gateway worker and every
offload worker process (long texts) picks up a new list without a restart, and a broken version keeps
the previous list in all of them, logged once per gateway worker and shown on the metrics."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import yaml

from gateway.keys import CONFIG_STATUS
from gateway.server import reload
from tests.gateway.test_server import Process
from tests.gateway.test_supervisor import ready_pids
from tests.helpers import gateway_config, recording_backend, route, run_gateway, until

pytestmark = pytest.mark.slow

FILLER = "the parcel is late again, please check the tracking page and call me back. " * 40  # > 2,048 chars
SHORT = "please log in at https://fresh-site.example/verify today"
LONG = f"{FILLER} {SHORT}"
REFUSED = "filter threat: file refused, previous version kept"


@pytest.fixture
async def backend() -> AsyncIterator[str]:
    async with recording_backend() as (_, url):
        yield url


def replace(feed: Path, text: str) -> None:
    """What `chatguard feeds fetch` does: a new file renamed over the old one."""
    part = feed.with_name(feed.name + ".part")
    part.write_text(text)
    part.replace(feed)


async def statuses(gateway: Process, text: str, times: int = 6, path: str = "/chat") -> set[int]:
    """The statuses of `times` posts of `text`, each on a new connection (dealt to the workers in turn)."""
    found = set()
    async with aiohttp.ClientSession() as client:
        for _ in range(times):
            async with client.post(f"{gateway.url}{path}", json={"text": text},
                                   headers={"Connection": "close"}) as resp:
                found.add(resp.status)
    return found


async def metric(gateway: Process, name: str) -> str:
    async with aiohttp.ClientSession() as client, client.get(f"http://127.0.0.1:{gateway.admin}/metrics") as resp:
        return next((line for line in (await resp.text()).splitlines() if line.startswith(name)), "")


async def eventually(check: object, what: str, within: float = 30.0) -> None:
    """Poll the coroutine function `check` until it is true."""
    deadline = asyncio.get_running_loop().time() + within
    while not await check():  # type: ignore[operator]
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.2)


async def test_a_feed_changed_while_serving_is_used_by_every_process(tmp_path: Path, backend: str) -> None:
    feed = tmp_path / "phishing.txt"
    feed.write_text("# test feed\nalready-listed.example\n")
    gateway = Process(tmp_path, backend)
    config = gateway_config(backend, [route("/chat", filters=["threat"], messages={"inbound": {"json": ["/text"]}})],
                            filters={"threat": {"use": "threat", "options": {"blocklists": [str(feed)],
                                                                             "reload_interval": "1s"}}},
                            offload={"start": "eager"})
    config.update(listen={"host": "127.0.0.1", "port": gateway.port}, admin={"host": "127.0.0.1", "port": gateway.admin},
                  shutdown_timeout="10s")
    gateway.config.write_text(yaml.safe_dump(config))
    await gateway.start("--workers", "2")
    try:
        await until(lambda: len(ready_pids(gateway)) == 2, "two workers ready")
        assert await statuses(gateway, SHORT) == {200} and await statuses(gateway, LONG) == {200}

        replace(feed, "# test feed\nalready-listed.example\nfresh-site.example\n")

        async def blocked() -> bool:
            return await statuses(gateway, SHORT) == {403} and await statuses(gateway, LONG) == {403}

        await eventually(blocked, "the new entry blocked by every worker, short and long texts")
        assert await metric(gateway, 'chatguard_filter_files_stale{filter="threat"}') == \
            'chatguard_filter_files_stale{filter="threat"} 0.0'

        # An error page, then an empty file: each version refused by each of the two workers.
        for expected, broken in ((2, "<html><body><h1>502 Bad Gateway</h1></body></html>\n"), (4, "")):
            replace(feed, broken)
            await until(lambda n=expected: len(_records(gateway)) >= n, "one line per worker")  # type: ignore[misc]
            await asyncio.sleep(2.5)  # more rounds: the same version is not reported again
            lines = _records(gateway)
            assert len(lines) == expected
            assert all(str(feed) in line and "502" not in line for line in lines)  # the file named, never its text
            assert await metric(gateway, 'chatguard_filter_files_stale{filter="threat"}') == \
                'chatguard_filter_files_stale{filter="threat"} 1.0'
            assert await statuses(gateway, SHORT) == {403} and await statuses(gateway, LONG) == {403}

        replace(feed, "other.example\n")  # a good version again: taken, the stale mark gone

        async def cleared() -> bool:
            return (await statuses(gateway, SHORT) == {200} and await statuses(gateway, LONG) == {200}
                    and (await metric(gateway, 'chatguard_filter_files_stale{filter="threat"}')).endswith(" 0.0"))

        await eventually(cleared, "the good version taken everywhere")
        assert (await metric(gateway, 'chatguard_filter_file_reloads_total{filter="threat",outcome="refused"}')
                ).endswith(" 4.0")
    finally:
        await gateway.stop()


def _feed_config(backend: str, feeds: list[Path], paths: tuple[str, ...] = ("/chat",)) -> dict[str, object]:
    """Routes at `paths` judged by a threat filter reading `feeds` (read at load only) in this process."""
    return gateway_config(backend, [route(path, filters=["threat"], messages={"inbound": {"json": ["/text"]}})
                                    for path in paths],
                          filters={"threat": {"use": "threat", "options": {"blocklists": [str(f) for f in feeds],
                                                                           "reload_interval": 0}}},
                          offload={"mode": "thread"})


async def test_a_reload_while_a_feed_is_broken_applies_the_rest_and_keeps_the_last_good_list(
        tmp_path: Path, backend: str, caplog: pytest.LogCaptureFixture) -> None:
    """A feed file is read whole when its filter is built: at start (a broken one stops it) and on SIGHUP.
    A reload that leaves the filter's entry as it was carries the filter over: its last good list stays in
    force, one warning line names the file, and the rest of the config is applied. A reload that names a
    broken feed the config did not name is refused, naming the key (the behaviour README's "Feed files"
    describes)."""
    feed, other = tmp_path / "phishing.txt", tmp_path / "more.txt"
    feed.write_text("fresh-site.example\n")
    path = tmp_path / "chatguard.yaml"
    path.write_text(yaml.safe_dump(_feed_config(backend, [feed])))
    async with run_gateway(_feed_config(backend, [feed]), source=str(path)) as gw, aiohttp.ClientSession() as client:
        replace(feed, "<html><body><h1>502 Bad Gateway</h1></body></html>\n")
        path.write_text(yaml.safe_dump(_feed_config(backend, [feed], ("/chat", "/second"))))
        assert await reload(gw.app, str(path))
        warnings = [r.getMessage() for r in caplog.records if "last good copy" in r.getMessage()]
        assert warnings == [f"filter threat: file {feed} cannot be used (1 of its 1 lines are no URL or domain); "
                            "the reload keeps its last good copy in force"]
        for route_path in ("/chat", "/second"):  # the new route served, with the list read at start
            async with client.post(f"{gw.url}{route_path}", json={"text": SHORT}) as resp:
                assert resp.status == 403

        other.write_text("<html>not a list</html>\n")
        path.write_text(yaml.safe_dump(_feed_config(backend, [feed, other], ("/chat", "/second", "/third"))))
        assert not await reload(gw.app, str(path))
        assert gw.app[CONFIG_STATUS].rejected_key == "filters.threat.options.blocklists[0]"
        async with client.post(f"{gw.url}/third", json={"text": "hello"}) as resp:
            assert resp.status == 404  # nothing of the refused config applies

        replace(feed, "fresh-site.example\nother-site.example\n")  # fixed: the next reload reads it
        path.write_text(yaml.safe_dump(_feed_config(backend, [feed], ("/chat",))))
        assert await reload(gw.app, str(path))
        async with client.post(f"{gw.url}/chat", json={"text": "see https://other-site.example/x"}) as resp:
            assert resp.status == 403


async def test_sighup_with_a_broken_feed_applies_other_keys_in_every_worker(tmp_path: Path, backend: str) -> None:
    """The same through real processes: `serve --workers 2` and SIGHUP. The supervisor does not build the
    unchanged filter (each worker carries its own over), the new route is served by both workers with the
    list read at start, and each worker logs one line naming the file; a feed newly named and broken is
    refused by the supervisor for all of them."""
    feed = tmp_path / "phishing.txt"
    feed.write_text("fresh-site.example\n")
    gateway = Process(tmp_path, backend)

    def write(config: dict[str, object]) -> None:
        config.update(listen={"host": "127.0.0.1", "port": gateway.port},
                      admin={"host": "127.0.0.1", "port": gateway.admin}, shutdown_timeout="10s")
        gateway.config.write_text(yaml.safe_dump(config))

    write(_feed_config(backend, [feed]))
    await gateway.start("--workers", "2")
    try:
        await until(lambda: len(ready_pids(gateway)) == 2, "two workers ready")
        replace(feed, "")
        write(_feed_config(backend, [feed], ("/chat", "/second")))
        gateway.signal(signal.SIGHUP)

        async def second_route_guarded() -> bool:
            return await statuses(gateway, SHORT, path="/second") == {403}

        await eventually(second_route_guarded, "the new route served by every worker with the last good list")
        kept = [line for line in gateway.log.read_text().splitlines() if "keeps its last good copy" in line]
        assert len(kept) == 2 and all(str(feed) in line for line in kept)

        broken = tmp_path / "new.txt"
        broken.write_text("<html></html>\n")
        write(_feed_config(backend, [feed, broken], ("/chat", "/second", "/third")))
        gateway.signal(signal.SIGHUP)
        await until(lambda: "config reload rejected" in gateway.log.read_text(), "the supervisor refusing it")
        assert "filters.threat.options.blocklists" in gateway.log.read_text()
        assert await statuses(gateway, "hello", path="/third") == {404}
    finally:
        await gateway.stop()


def _records(gateway: Process) -> list[str]:
    """Every log line of the gateway that names a refused file (JSON lines: the message is in `msg`)."""
    return [line for line in gateway.log.read_text().splitlines() if REFUSED in line]
