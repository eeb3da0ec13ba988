"""core.cursors: the kept cursor of the hot path; on PostgreSQL it sends native placeholders, converted once."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.db import DataError, connection, transaction
from django.test.utils import CaptureQueriesContext

from govhall.core.cursors import kept_cursor, native_placeholders


def test_placeholders_are_numbered_and_doubled_percents_halved() -> None:
    assert native_placeholders("SELECT %s, %s FROM t WHERE a = %s") == "SELECT $1, $2 FROM t WHERE a = $3"
    assert native_placeholders("SELECT 'a%%b' LIKE %s, 100%%") == "SELECT 'a%b' LIKE $1, 100%"
    assert native_placeholders("SELECT %s%%s%s") == "SELECT $1%s$2"
    assert native_placeholders("SELECT 1") == "SELECT 1"
    sql = "UPDATE t SET n = n + 1 WHERE k = %s"
    assert native_placeholders(sql) is native_placeholders(sql)  # converted once, then remembered


@pytest.mark.parametrize("sql", ["SELECT %(name)s", "SELECT %d", "SELECT %b", "SELECT 1 %"])
def test_what_is_not_a_plain_placeholder_is_refused(sql: str) -> None:
    with pytest.raises(ValueError):
        native_placeholders(sql)


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_a_long_statement_runs_on_native_placeholders_and_is_logged_as_django_logs_it() -> None:
    from psycopg import RawCursor

    cursor = kept_cursor()
    assert isinstance(cursor.cursor, RawCursor)
    # Longer than 4096 bytes and more than 50 values: what psycopg would parse again on every call.
    n = 60
    sql = "SELECT " + ", ".join(f"%s::text || '%%' AS value_number_{i:03d}_{'x' * 50}" for i in range(n))
    assert len(sql) > 4096
    for run in range(8):  # past the prepare threshold: prepared on the server, the same rows
        values = [f"v{run}-{i}" for i in range(n)]
        with CaptureQueriesContext(connection) as queries:
            cursor = kept_cursor()
            cursor.execute(sql, values)
            row = cursor.fetchone()
        assert list(row) == [f"{v}%" for v in values]
        assert len(queries) == 1 and f"'v{run}-59'" in queries[0]["sql"]  # the log shows the values in place


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_the_native_cursor_reads_times_in_utc_and_its_errors_are_djangos() -> None:
    at = datetime(2026, 12, 7, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    cursor = kept_cursor()
    cursor.execute("SELECT %s::timestamptz", [at])
    (read,) = cursor.fetchone()
    assert read == at and read.utcoffset().total_seconds() == 0  # the connection's time zone, UTC
    with pytest.raises(DataError), transaction.atomic():
        kept_cursor().execute("SELECT %s::int", ["不是数字"])
    kept_cursor().execute("SELECT count(*) FROM auth_group WHERE name = %s", ["x"])
    assert kept_cursor().fetchone() == (Group.objects.filter(name="x").count(),)
