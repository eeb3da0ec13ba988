"""core.keys: keys drawn ahead from the table's own sequence, a block per statement, on PostgreSQL only."""

from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from govhall.clocks import actions as clocks
from govhall.clocks.models import Clock
from govhall.core import deferred, keys
from govhall.core.compiled import insert_objects

SHANGHAI = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 9, 25, 10, 30, tzinfo=SHANGHAI)


def _postgresql() -> bool:
    return connection.vendor == "postgresql"


@pytest.mark.django_db
def test_a_block_of_keys_costs_one_statement_and_the_keys_are_the_sequences_own() -> None:
    if not _postgresql():
        groups = [Group(name="无序列")]
        with CaptureQueriesContext(connection) as queries:
            assert keys.draw_into(groups) is False
        assert len(queries) == 0 and groups[0].pk is None  # SQLite: nothing drawn, the INSERT returns the key
        return
    before = Group.objects.create(name="先建")
    first = [Group(name=f"甲{n}") for n in range(keys.BLOCK - keys.drawn(Group))]
    with CaptureQueriesContext(connection) as queries:
        assert keys.draw_into(first) is True
    assert len(queries) <= 1  # a refill only if the connection held fewer than asked
    drawn = [group.pk for group in first]
    assert drawn == sorted(drawn) and len(set(drawn)) == len(drawn) and drawn[0] > before.pk
    assert keys.drawn(Group) == 0
    second = [Group(name=f"乙{n}") for n in range(3)]
    with CaptureQueriesContext(connection) as queries:
        keys.draw_into(second)
    assert (
        len(queries) == 1 and keys.drawn(Group) == keys.BLOCK - 3
    )  # the block ran out: one statement, 64 keys
    with CaptureQueriesContext(connection) as queries:
        keys.draw_into([Group(name="丙")])
    assert len(queries) == 0  # from the block in hand
    # Rows inserted with their drawn keys, then one the usual way: the sequence never gives a drawn key again.
    with transaction.atomic():
        rows = [Group(name=f"丁{n}") for n in range(2)]
        insert_objects(rows, draw_keys=True)
        usual = Group.objects.create(name="常规")
    assert usual.pk > max(row.pk for row in rows)
    assert set(Group.objects.filter(name__startswith="丁").values_list("pk", flat=True)) == {
        r.pk for r in rows
    }


@pytest.mark.django_db
def test_drawn_keys_let_a_pointed_at_row_wait_with_the_trailing_writes() -> None:
    """A clock started inside a deferring() block: its key is known at once, its INSERT waits (PostgreSQL)."""
    keys.reserve(Clock, 1)
    with transaction.atomic(), deferred.deferring():
        with CaptureQueriesContext(connection) as queries:
            (clock,) = clocks.start_clocks([{"kind": "case", "amount": 3, "unit": "workday", "at": AT}])
        assert clock.pk is not None and not clock._state.adding
        inserts = [q for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "clocks_clock"')]
        assert len(inserts) == (0 if _postgresql() else 1)  # (the calendar's first reads may come before)
        assert deferred.pending() == (1 if _postgresql() else 0)
        assert Clock.objects.get(pk=clock.pk).budget == 3  # the read sent the INSERT ahead of it


@pytest.mark.django_db
def test_draw_into_refuses_what_is_not_new_or_not_of_one_model() -> None:
    if not _postgresql():
        pytest.skip("keys are drawn on PostgreSQL only")
    saved = Group.objects.create(name="已存")
    with pytest.raises(TypeError, match="new instances only"):
        keys.draw_into([saved])
    with pytest.raises(TypeError, match="of one model"):
        keys.draw_into([Group(name="组"), Clock()])


@pytest.mark.django_db(transaction=True)
def test_a_block_dies_with_its_connection_and_two_connections_never_share_a_key() -> None:
    if not _postgresql():
        pytest.skip("keys are drawn on PostgreSQL only")
    keys.reserve(Group, 1)
    assert keys.drawn(Group) > 0
    connection.close()
    assert keys.drawn(Group) == 0  # a new connection (perhaps to another database) draws its own
    mine = [Group(name=f"本{n}") for n in range(keys.BLOCK)]
    keys.draw_into(mine)
    theirs: list[int] = []

    def other_connection() -> None:
        try:
            others = [Group(name=f"他{n}") for n in range(keys.BLOCK)]
            keys.draw_into(others)
            theirs.extend(group.pk for group in others)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_connection)
    thread.start()
    thread.join(timeout=30)
    assert len(theirs) == keys.BLOCK
    assert not {group.pk for group in mine} & set(theirs)
