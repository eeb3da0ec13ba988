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


TIMESTAMPS = [
    "2026-12-07 21:40:00+00",
    "2026-12-07 21:40:00.000001+00",
    "2026-03-01 23:59:59.999999+08",  # another offset: converted to the session's UTC
    "1900-01-01 00:00:00+00",
    "2099-12-31 23:59:59.5-05",
]


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_timestamps_are_parsed_by_psycopgs_c_loader_and_read_as_djangos_loader_reads_them() -> None:
    """govhall.core.pgtime: every connection reads timestamptz with a subclass of Django's loader that parses with
    psycopg's C loader; what it gives is what Django's own gives, value and tzinfo, for each value."""
    from django.db.backends.postgresql.psycopg_any import BaseTzLoader, register_tzloader
    from psycopg.pq import Format

    from govhall.core.pgtime import loader_for

    connection.ensure_connection()
    oid = connection.connection.adapters.types["timestamptz"].oid
    registered = connection.connection.adapters.get_loader(oid, Format.TEXT)
    assert registered is loader_for(connection.timezone) and registered is not None
    assert issubclass(registered, BaseTzLoader) and registered.timezone == connection.timezone
    sql = "SELECT " + ", ".join(f"%s::timestamptz AS t{n}" for n in range(len(TIMESTAMPS)))
    with connection.cursor() as cursor:
        cursor.execute(sql, TIMESTAMPS)
        ours = cursor.fetchone()
    with connection.cursor() as cursor:
        register_tzloader(connection.timezone, cursor.cursor)  # Django's own, pure-Python loader
        assert cursor.cursor.adapters.get_loader(oid, Format.TEXT) is not registered
        cursor.execute(sql, TIMESTAMPS)
        djangos = cursor.fetchone()
    assert ours == djangos
    assert [value.tzinfo for value in ours] == [value.tzinfo for value in djangos]
    assert [value.utcoffset() for value in ours] == [value.utcoffset() for value in djangos]
