"""The reliability suite's machinery, small enough for every `make test` on PostgreSQL (bench/reliability is the
full run): a cluster of gunicorn servers and workers on one database; a kill -9 of a worker and of a server during
an intake load loses and duplicates nothing; concurrent approvals of one task have exactly one winner."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.reliability import harness
from govhall.core.cluster import probe

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

# Ports of their own per xdist worker, away from the development server's 8000.
PORT = 18600 + 10 * int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)


@pytest.fixture
def hall(reference_data: None) -> harness.Hall:
    return harness.prepare_hall(contenders=3)


def test_kill_9_of_a_worker_and_a_server_loses_and_duplicates_nothing(
    hall: harness.Hall, tmp_path: Path
) -> None:
    cluster = harness.make_cluster(tmp_path, servers=2, workers=1, watchers=0, port=PORT, web_workers=1)
    cluster.start()
    try:
        figures = harness.intake_under_kills(
            cluster, hall, applications=30, kills=["jobs-1", "web-1"], clients=3
        )
    finally:
        cluster.stop()
    assert figures["client_errors"] == []
    assert [k["member"] for k in figures["kills"]] == ["jobs-1", "web-1"]
    assert cluster.member("web-1").restarts == 1 and cluster.member("jobs-1").restarts == 1
    assert figures["acknowledged"] == 30
    assert figures["lost"] == 0 and figures["duplicates"] == 0
    assert figures["cases_created"] == figures["keys_stored"] == 30
    assert figures["audit_intact"] is True


def test_twenty_races_on_one_task_have_exactly_one_winner_each(hall: harness.Hall, tmp_path: Path) -> None:
    tasks = harness.accepted_tasks(hall, 20)
    cluster = harness.make_cluster(tmp_path, servers=2, workers=0, watchers=0, port=PORT + 5, web_workers=2)
    cluster.start()
    try:
        figures = harness.task_races(cluster.urls(), hall, tasks)
    finally:
        cluster.stop()
    assert figures["failures"] == []
    assert figures["races"] == figures["exactly_one_winner"] == 20
    assert figures["contenders"] == 3


def test_cluster_command_serves_until_sigterm_and_stops_every_member(
    tmp_path: Path, transactional_db: None
) -> None:
    env = harness.cluster_env(tmp_path)
    command = [
        sys.executable,
        str(harness.ROOT / "manage.py"),
        "cluster",
        "--servers=2",
        "--web-workers=1",
        "--workers=1",
        "--watchers=1",
        f"--port={PORT + 8}",
        f"--log-dir={tmp_path / 'logs'}",
    ]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        ready = json.loads(proc.stdout.readline())
        assert ready["ready"] == [f"http://127.0.0.1:{PORT + 8}", f"http://127.0.0.1:{PORT + 9}"]
        members = ready["members"]
        assert sorted(members) == ["jobs-1", "link-1", "supervise-1", "web-1", "web-2"]
        for url in ready["ready"]:
            assert probe(url + "/healthz", "127.0.0.1")
        # A member that dies is started again by the command.
        os.kill(members["jobs-1"], signal.SIGKILL)
        time.sleep(3)
        assert proc.poll() is None
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "jobs-1 exited" in err
    assert json.loads(out.strip().splitlines()[-1]) == {"stopped": sorted(members)}
    for pid in members.values():
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    for url in ready["ready"]:
        assert not probe(url + "/healthz", "127.0.0.1", timeout=1)
