"""The database connection's settings: PostgreSQL prepares the statements it runs again and again (the case reads
join nine tables, and planning them cost more than running them), and the switch that turns it off."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_postgres_prepares_a_statement_after_the_threshold() -> None:
    threshold = settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"]
    name = "prepared-statement-probe"

    def probe(n: int) -> list[str]:  # a statement of a shape no other code runs
        return list(Group.objects.filter(name__iendswith=f"{name}-{n}").values_list("name", flat=True))

    def prepared() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return [row[0] for row in cursor.fetchall() if '"auth_group"' in row[0] and "UPPER" in row[0]]

    assert prepared() == []
    for n in range(threshold):
        assert probe(n) == []
        assert prepared() == [], f"prepared after {n + 1} runs, the threshold is {threshold}"
    probe(threshold)  # one more run than the threshold: from now on a prepared statement
    statements = prepared()
    assert len(statements) == 1 and "$1" in statements[0], (
        statements
    )  # the value is a parameter, not in the text


def _options(**env: str) -> dict[str, object]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("GOVHALL_DB_")}
    environ.update(env, DJANGO_SETTINGS_MODULE="govhall.settings")
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, django; django.setup(); from django.conf import settings; "
            "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {}), default=str))",
        ],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_prepared_statements_are_on_by_default_on_postgres_and_can_be_turned_off() -> None:
    url = "postgres://govhall@db.example:5432/govhall"
    on = _options(DATABASE_URL=url)
    assert on["server_side_binding"] is True and on["prepare_threshold"] == 5
    assert _options(DATABASE_URL=url, GOVHALL_DB_PREPARE_THRESHOLD="20")["prepare_threshold"] == 20
    off = _options(DATABASE_URL=url, GOVHALL_DB_PREPARE_THRESHOLD="0")
    assert "server_side_binding" not in off and "prepare_threshold" not in off
    sqlite = _options(DATABASE_URL="sqlite:////tmp/govhall-settings-probe.sqlite3")
    assert "prepare_threshold" not in sqlite and sqlite["transaction_mode"] == "IMMEDIATE"
