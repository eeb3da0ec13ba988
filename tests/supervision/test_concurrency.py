"""Two watcher processes against one PostgreSQL database: every alert exactly once, none missed."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from govhall.clocks.models import Clock
from govhall.supervision.models import Alert

DUE = 2_000


def _env() -> dict[str, str]:
    db = connection.settings_dict
    user = db["USER"] or ""
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "govhall.settings",
        "DATABASE_URL": f"postgres://{user}{password}@{host}:{port}/{db['NAME']}",
    }


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_watcher_processes_raise_each_alert_exactly_once(reference_data):
    now = timezone.now()
    start = now - dt.timedelta(days=10)
    rows = []
    for i in range(DUE):
        red = i % 2 == 0
        rows.append(
            Clock(
                kind="step",
                unit="workday",
                budget=5,
                started_at=start,
                start_day=start.date(),
                warn_at=now - dt.timedelta(days=2),
                due_at=now - dt.timedelta(hours=1) if red else now + dt.timedelta(days=5),
                next_check_at=now - dt.timedelta(hours=1) if red else now - dt.timedelta(days=2),
            )
        )
    # Open clocks not yet due must not be touched.
    rows += [
        Clock(
            kind="step",
            unit="workday",
            budget=5,
            started_at=now,
            start_day=now.date(),
            warn_at=now + dt.timedelta(days=4),
            due_at=now + dt.timedelta(days=5),
            next_check_at=now + dt.timedelta(days=4),
        )
        for _ in range(500)
    ]
    Clock.objects.bulk_create(rows, batch_size=1000)
    manage = [
        sys.executable,
        str(Path(settings.BASE_DIR) / "manage.py"),
        "supervise",
        "--once",
        "--batch",
        "50",
    ]
    procs = [
        subprocess.Popen(manage, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    for p, (_out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err
    raised = [json.loads(out.strip().splitlines()[-1])["alerts"] for out, _ in outputs]
    print("alerts per process", raised)
    assert sum(raised) == DUE
    assert Alert.objects.count() == DUE
    assert not Alert.objects.values("clock", "level").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert Alert.objects.filter(level="red").count() == DUE // 2
    assert Alert.objects.filter(level="yellow").count() == DUE // 2
    assert Clock.objects.filter(next_check_at__lte=now).count() == 0
    assert (
        Clock.objects.filter(alerts__isnull=True, next_check_at__gt=now + dt.timedelta(days=3)).count() == 500
    )


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_looping_watcher_stops_cleanly_on_sigterm():
    import signal
    import time

    now = timezone.now()
    Clock.objects.create(
        kind="step",
        unit="workday",
        budget=1,
        started_at=now - dt.timedelta(days=5),
        start_day=now.date(),
        warn_at=now - dt.timedelta(days=1),
        due_at=now + dt.timedelta(days=1),
        next_check_at=now - dt.timedelta(days=1),
    )
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "supervise", "--interval", "0.2"]
    proc = subprocess.Popen(manage, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not Alert.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "监察进程已停止" in out
    assert Alert.objects.count() == 1
