"""A worker follows its supervisor's decision about the config file, never the file itself: whatever the file
holds when the worker's HUP arrives, it reloads what the supervisor accepted (with its caps) and reports a
rejection without judging the file again."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import yaml

from gateway.config import handover
from gateway.keys import CONFIG_STATUS, GUARD, RUNTIME
from gateway.server import follow
from tests.helpers import gateway_config, route, run_gateway


def test_a_decision_is_read_back_whole(tmp_path: Path) -> None:
    handover.write(tmp_path, handover.Decision("routes: []\r\n# é\n"))
    assert handover.read(tmp_path) == handover.Decision("routes: []\r\n# é\n")
    rejected = handover.Decision("a: 1\n", "0123456789abcdef", "limits.max_connections", rejected=True)
    handover.write(tmp_path, rejected)
    assert handover.read(tmp_path) == rejected
    assert [p.name for p in tmp_path.iterdir()] == [handover.FILE]  # no temporary file left behind


async def test_a_worker_reloads_the_accepted_text_and_reports_a_rejection_whatever_the_file_holds(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "chatguard.yaml"
    first = gateway_config("http://127.0.0.1:9", [route("/a")], limits={"max_connections_per_ip": 4})
    path.write_text(yaml.safe_dump(first))
    async with run_gateway(first, source=str(path)) as gateway:
        app = gateway.app
        accepted = yaml.safe_dump(gateway_config("http://127.0.0.1:9", [route("/a"), route("/b")],
                                                 limits={"max_connections_per_ip": 7}))
        handover.write(tmp_path, handover.Decision(accepted))
        path.write_text("limits: {max_connections_per_ip: 0}\n")  # edited since the supervisor read it
        await follow(app, str(path), tmp_path)
        assert len(app[RUNTIME].current.plans) == 2
        assert app[GUARD].count.max_per_client == 7
        assert app[CONFIG_STATUS].hash == handover.text_hash(accepted)

        handover.write(tmp_path, handover.Decision(accepted, "feedfacefeedface", "limits.max_connections_per_ip",
                                                   rejected=True))
        path.write_text(accepted)  # the file would pass now: the supervisor's decision stands
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="chatguard.server"):
            await follow(app, str(path), tmp_path)
        assert not [r for r in caplog.records if r.name == "chatguard.server"]  # the supervisor logged it, once
        assert app[GUARD].count.max_per_client == 7
        assert app[CONFIG_STATUS].report()["last_reload"] == {
            "outcome": "rejected", "hash": "feedfacefeedface", "key": "limits.max_connections_per_ip",
            "at": round(app[CONFIG_STATUS].rejected_at)}


def test_a_folder_removed_meanwhile_is_made_again(tmp_path: Path) -> None:
    folder = tmp_path / "decisions"
    handover.write(folder, handover.Decision("a: 1\n"))
    (folder / handover.FILE).unlink()
    folder.rmdir()  # a cleaner of old files in /tmp
    handover.write(folder, handover.Decision("a: 2\n"))
    assert handover.read(folder).accepted == "a: 2\n" and folder.stat().st_mode & 0o777 == 0o700


async def test_a_worker_without_a_readable_decision_keeps_its_config_and_reports_it(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "chatguard.yaml"
    config = gateway_config("http://127.0.0.1:9", [route("/a")], limits={"max_connections_per_ip": 4})
    path.write_text(yaml.safe_dump(config))
    async with run_gateway(config, source=str(path)) as gateway:
        (tmp_path / "decisions").mkdir()
        (tmp_path / "decisions" / handover.FILE).write_bytes(b'{"accepted": "torn')
        for folder in (tmp_path / "gone", tmp_path / "decisions"):
            caplog.clear()
            with caplog.at_level(logging.INFO, logger="chatguard.server"):
                await follow(gateway.app, str(path), folder)
            assert [r.getMessage() for r in caplog.records if r.name == "chatguard.server"] == [
                "config decision of the supervisor unreadable; keeping the running config"]
            assert gateway.app[GUARD].count.max_per_client == 4
            assert "last_reload" in gateway.app[CONFIG_STATUS].report()


def test_a_decision_the_supervisor_cannot_write_changes_nothing(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Written first: new caps apply only once the workers can follow them."""
    from gateway.edge.connection_count import ConnectionCount
    from gateway.supervisor import Supervisor

    path = tmp_path / "chatguard.yaml"
    text = yaml.safe_dump(gateway_config("http://127.0.0.1:9", [route("/a")], limits={"max_connections_per_ip": 4}))
    path.write_text(text)
    count = ConnectionCount(10, 4)
    folder = tmp_path / "decisions"
    supervisor = Supervisor(str(path), text, 0, 1.0, [], count=count, decisions=folder)
    path.write_text(yaml.safe_dump(gateway_config("http://127.0.0.1:9", [route("/a")],
                                                  limits={"max_connections_per_ip": 9})))
    (folder / handover.FILE).unlink()
    folder.rmdir()
    folder.write_text("not a folder")
    with caplog.at_level(logging.INFO, logger="chatguard.server"):
        supervisor._check_config()
    assert count.max_per_client == 4 and supervisor.config_text == text
    assert [r.getMessage() for r in caplog.records] == [
        "config decision could not be written for the workers; everything keeps the running config"]
    folder.unlink()
    supervisor._check_config()
    assert count.max_per_client == 9 and handover.read(folder).accepted == path.read_text()
