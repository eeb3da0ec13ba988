"""core.deferred: an action's trailing writes leave as one statement on PostgreSQL, and nothing can tell the
difference from sending each at once — every later statement sees them, a rollback drops them, a failure fails."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from govhall.clocks import actions as clocks
from govhall.clocks.models import Clock
from govhall.core import keys
from govhall.core.compiled import insert_objects, insert_with_parents, update_later, update_rows
from govhall.core.deferred import (
    DeferredWriteError,
    SingleWriteError,
    deferring,
    if_changed,
    pending,
    single_write,
)

pytestmark = pytest.mark.django_db

AT = datetime(2026, 9, 25, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def _clock() -> Clock:
    return clocks.start_clock(kind="case", amount=5, unit="workday", at=AT)


def _recorder(wire: list[str]) -> Any:
    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        wire.append(sql)
        return execute(sql, params, many, context)

    return record


def _batched() -> bool:
    return connection.vendor == "postgresql"


def test_queued_writes_leave_together_at_the_end_of_the_block() -> None:
    clock = _clock()
    groups = [Group(name="deferred-a"), Group(name="deferred-b")]
    with CaptureQueriesContext(connection) as sent, transaction.atomic(), deferring():
        insert_objects(groups, later=True)
        update_later(Clock, {"label": "改过的时限"}, pk=clock.pk)
        # Queued on PostgreSQL (no writable CTEs on SQLite: sent at once there).
        assert pending() == (2 if _batched() else 0)
    writes = [
        q["sql"] for q in sent.captured_queries if "auth_group" in q["sql"] or "clocks_clock" in q["sql"]
    ]
    assert len(writes) == (1 if _batched() else 2)
    if _batched():
        assert writes[0].startswith("WITH ")
        assert all(group.pk is None for group in groups)  # rows the caller drops: no keys come back
    assert set(Group.objects.filter(name__startswith="deferred-").values_list("name", flat=True)) == {
        "deferred-a",
        "deferred-b",
    }
    assert Clock.objects.get(pk=clock.pk).label == "改过的时限"


def test_the_next_statement_carries_the_queue_when_it_cannot_tell() -> None:
    """A statement naming none of the queued tables takes the queue along as its WITH parts: one round trip."""
    clock = _clock()
    with transaction.atomic(), deferring():
        update_later(Clock, {"label": "带走"}, pk=clock.pk)
        wire: list[str] = []  # the statements as they go out (Django's query log keeps the text it was given)
        with CaptureQueriesContext(connection) as sent, connection.execute_wrapper(_recorder(wire)):
            assert not Group.objects.filter(name="deferred-nobody").exists()
        assert len(sent) == 1 and len(wire) == 1
        assert wire[0].startswith("WITH ") == _batched()
        assert ("clocks_clock" in wire[0]) == _batched()
        assert pending() == 0
        assert Clock.objects.get(pk=clock.pk).label == "带走"


def test_a_table_whose_name_begins_another_does_not_stop_the_carrying() -> None:
    """`auth_group` is queued; a statement on `auth_group_permissions` names it only as part of a longer word, so it
    carries the queue (a table is matched as a whole name, quoted or not)."""
    with transaction.atomic(), deferring():
        insert_objects([Group(name="deferred-prefix")], later=True)
        wire: list[str] = []
        with connection.execute_wrapper(_recorder(wire)):
            assert not Group.permissions.through.objects.filter(pk=-1).exists()
        assert len(wire) == 1
        assert wire[0].startswith("WITH ") == _batched()
        assert pending() == 0
    assert Group.objects.filter(name="deferred-prefix").exists()


def test_a_statement_with_parts_of_its_own_takes_the_queue_before_them() -> None:
    """Rows inserted with their parents (one WITH statement) carry the queue as more WITH parts, the values in the
    order of the text; a WITH statement that names a part as the queue names its own ("w0") does not."""
    clock = _clock()
    for model in (ContentType, Permission):
        keys.reserve(model, 1)  # no refill in the block: it would carry the queue itself
    with transaction.atomic(), deferring():
        update_later(Clock, {"label": "随父行同行"}, pk=clock.pk)
        wire: list[str] = []
        pairs = [
            (ContentType(app_label="deferred", model="parent"), Permission(name="子行", codename="child"))
        ]
        with connection.execute_wrapper(_recorder(wire)):
            insert_with_parents(pairs, "content_type")
        assert len(wire) == (1 if _batched() else 2) and pending() == 0  # SQLite: parents, then children
        if _batched():
            assert (
                wire[0].startswith('WITH "w0" AS (UPDATE "clocks_clock"')
                and '"parents" AS (INSERT' in wire[0]
            )
        assert Permission.objects.get(codename="child").content_type.model == "parent"
        assert Clock.objects.get(pk=clock.pk).label == "随父行同行"
        update_later(Clock, {"label": "单独先行"}, pk=clock.pk)
        wire.clear()
        with connection.execute_wrapper(_recorder(wire)), connection.cursor() as cursor:
            cursor.execute('WITH "w0" AS (SELECT %s AS n) SELECT n FROM "w0"', [7])
            assert cursor.fetchone() == (7,)
        assert len(wire) == (2 if _batched() else 1)  # the queue went out alone, first
        assert Clock.objects.get(pk=clock.pk).label == "单独先行"


def test_a_statement_that_reads_a_queued_table_sees_the_writes() -> None:
    clock = _clock()
    with transaction.atomic(), deferring():
        update_later(Clock, {"label": "先写"}, pk=clock.pk)
        insert_objects([Group(name="deferred-read")], later=True)
        with CaptureQueriesContext(connection) as sent:
            # It names a queued table: the queue goes out alone first, then the read, which sees both writes.
            assert Clock.objects.get(pk=clock.pk).label == "先写"
        assert len(sent) == (2 if _batched() else 1)
        assert Group.objects.filter(name="deferred-read").exists()
        assert pending() == 0


def test_a_savepoint_sends_the_queue_first_and_a_rollback_to_it_drops_what_it_queued() -> None:
    clock = _clock()
    wire: list[str] = []
    with transaction.atomic(), deferring():
        update_later(Clock, {"label": "保存点前"}, pk=clock.pk)
        with connection.execute_wrapper(_recorder(wire)):
            with transaction.atomic():
                assert pending() == 0  # sent alone, before the SAVEPOINT
                insert_objects([Group(name="deferred-inside")], later=True)
                User.objects.filter(pk=-1).exists()  # inside the savepoint it carries what was queued there
            try:
                with transaction.atomic():
                    insert_objects([Group(name="deferred-rolled-back")], later=True)
                    raise RuntimeError("a handler rolls this savepoint back and the action goes on")
            except RuntimeError:
                pass
            assert pending() == 0
    statements = [sql.split(" ")[0] for sql in wire]
    if _batched():
        assert statements == ["UPDATE", "SAVEPOINT", "WITH", "RELEASE", "SAVEPOINT", "ROLLBACK", "RELEASE"], (
            wire
        )
    assert Group.objects.filter(name="deferred-inside").exists()
    assert not Group.objects.filter(name="deferred-rolled-back").exists()
    assert Clock.objects.get(pk=clock.pk).label == "保存点前"


def test_two_updates_of_one_table_keep_their_order() -> None:
    """Parts of one statement share a snapshot: a second UPDATE of the same table sends the first before it."""
    clock = _clock()
    with transaction.atomic(), deferring():
        update_later(Clock, {"label": "一"}, pk=clock.pk)
        update_later(Clock, {"label": "二", "warn_ratio": 0.5}, pk=clock.pk)
        assert pending() <= 1
    fresh = Clock.objects.get(pk=clock.pk)
    assert (fresh.label, fresh.warn_ratio) == ("二", 0.5)


def test_a_block_that_raises_leaves_nothing_written() -> None:
    clock = _clock()
    with pytest.raises(RuntimeError), transaction.atomic(), deferring():
        insert_objects([Group(name="deferred-lost")], later=True)
        update_later(Clock, {"label": "丢弃"}, pk=clock.pk)
        raise RuntimeError("the action failed")
    assert not Group.objects.filter(name="deferred-lost").exists()
    assert Clock.objects.get(pk=clock.pk).label != "丢弃"
    assert pending() == 0


def test_writes_outside_a_block_go_at_once() -> None:
    group = Group(name="deferred-none")
    insert_objects([group], later=True)
    assert group.pk is not None and Group.objects.filter(pk=group.pk).exists()


def test_a_carried_write_that_fails_fails_the_block() -> None:
    Group.objects.create(name="deferred-dup")
    clock = _clock()
    with pytest.raises(IntegrityError), transaction.atomic(), deferring():
        insert_objects([Group(name="deferred-dup")], later=True)
        update_later(Clock, {"label": "不应留下"}, pk=clock.pk)
        User.objects.filter(
            pk=-1
        ).exists()  # names neither queued table: it carries them, and fails with them
    assert Group.objects.filter(name="deferred-dup").count() == 1
    assert Clock.objects.get(pk=clock.pk).label != "不应留下"


def test_a_failed_queued_write_fails_the_block_and_is_not_taken_for_the_next_statement() -> None:
    Group.objects.create(name="deferred-taken")
    with pytest.raises(IntegrityError), transaction.atomic(), deferring():
        insert_objects([Group(name="deferred-taken")], later=True)
    if not _batched():
        return  # sent at once on SQLite: the IntegrityError above came from the INSERT itself
    # Sent ahead of a savepoint whose `except IntegrityError` is meant for its own statement: that handler must not
    # swallow the queued write's failure, which fails the whole block.
    with pytest.raises(DeferredWriteError), transaction.atomic(), deferring():
        insert_objects([Group(name="deferred-taken")], later=True)
        try:
            with transaction.atomic():
                Group.objects.create(name="deferred-other")
        except IntegrityError:
            pytest.fail("the queued write's failure was taken for the savepoint's own")
    assert Group.objects.filter(name="deferred-taken").count() == 1
    assert not Group.objects.filter(name="deferred-other").exists()


# --------------------------------------------------------------------------- if_changed: writes kept only if the
# conditional UPDATE they belong to changed rows


def _guarded_block(clock: Clock, *, label: str, names: list[str], wire: list[str]) -> int:
    with (
        transaction.atomic(),
        deferring(),
        connection.execute_wrapper(_recorder(wire)),
        if_changed() as guard,
    ):
        insert_objects([Group(name=name) for name in names], later=True)
        update_later(User, {"first_name": "守卫"}, username="deferred-guarded")
        return update_rows(Clock, {"label": label}, pk=clock.pk, state="running", guard=guard)


def test_the_writes_of_a_guard_that_changed_a_row_go_out_with_it_in_one_statement() -> None:
    clock = _clock()
    User.objects.create_user("deferred-guarded", password="x-unused-pw")
    wire: list[str] = []
    changed = _guarded_block(clock, label="已领取", names=["guarded-a", "guarded-b"], wire=wire)
    assert changed == 1
    if _batched():
        assert len(wire) == 1 and wire[0].startswith('WITH "g" AS (UPDATE "clocks_clock"'), wire
    else:
        assert len(wire) == 3  # SQLite: the guard, then each write
    assert Clock.objects.get(pk=clock.pk).label == "已领取"
    assert set(Group.objects.filter(name__startswith="guarded-").values_list("name", flat=True)) == {
        "guarded-a",
        "guarded-b",
    }
    assert User.objects.get(username="deferred-guarded").first_name == "守卫"


def test_the_writes_of_a_guard_that_matched_nothing_are_not_written() -> None:
    clock = _clock()
    clocks.stop_clocks([clock.pk], at=AT)  # no longer running: the guard's condition fails
    User.objects.create_user("deferred-guarded", password="x-unused-pw")
    wire: list[str] = []
    assert _guarded_block(clock, label="不应出现", names=["guarded-c"], wire=wire) == 0
    assert len(wire) == 1  # on both databases: the guard alone decided
    assert Clock.objects.get(pk=clock.pk).label != "不应出现"
    assert not Group.objects.filter(name="guarded-c").exists()
    assert User.objects.get(username="deferred-guarded").first_name == ""
    # A guard that matches nothing without asking (an empty `__in`) drops the block's writes the same way.
    with transaction.atomic(), if_changed() as guard:
        insert_objects([Group(name="guarded-d")], later=True)
        assert update_rows(Clock, {"label": "x"}, pk__in=[], guard=guard) == 0
    assert not Group.objects.filter(name="guarded-d").exists()


def test_what_was_queued_before_the_block_is_written_whatever_the_guard_finds() -> None:
    clock = _clock()
    clocks.stop_clocks([clock.pk], at=AT)
    with transaction.atomic(), deferring():
        insert_objects([Group(name="guarded-before")], later=True)
        with if_changed() as guard:
            insert_objects([Group(name="guarded-inside")], later=True)
            assert update_rows(Clock, {"label": "x"}, pk=clock.pk, state="running", guard=guard) == 0
    assert Group.objects.filter(name="guarded-before").exists()
    assert not Group.objects.filter(name="guarded-inside").exists()


def test_a_guarded_block_refuses_what_would_break_its_statement() -> None:
    clock = _clock()
    # A statement on a queued write's table before the guard would not see the write; another table is fine.
    with pytest.raises(TypeError, match="between a queued write"), transaction.atomic(), if_changed():
        insert_objects([Group(name="guarded-x")], later=True)
        assert not User.objects.filter(pk=-1).exists()
        Group.objects.filter(name="guarded-x").exists()
    # The block must end with its guard, which must not write its own table in the block.
    with pytest.raises(TypeError, match="without running its guard"), transaction.atomic(), if_changed():
        insert_objects([Group(name="guarded-y")], later=True)
    with pytest.raises(TypeError, match="its own block"), transaction.atomic(), if_changed() as guard:
        update_later(Clock, {"label": "a"}, pk=clock.pk)
        update_rows(Clock, {"label": "b"}, pk=clock.pk, guard=guard)
    # Nor do blocks nest: the outer block's writes would go out without their condition.
    with pytest.raises(TypeError, match="do not nest"), transaction.atomic(), if_changed():
        insert_objects([Group(name="guarded-z")], later=True)
        with if_changed():
            pass
    assert not Group.objects.filter(name__startswith="guarded-").exists()


@pytest.mark.postgres_only
def test_a_single_write_block_sends_its_guard_and_writes_as_its_one_write_and_reads_around_it() -> None:
    clock = _clock()
    wire: list[str] = []
    with single_write(), deferring(), connection.execute_wrapper(_recorder(wire)):
        assert Clock.objects.filter(pk=clock.pk).exists()  # a read before the write
        with if_changed() as guard:
            insert_objects([Group(name="single-a")], later=True)
            assert update_rows(Clock, {"label": "一条语句"}, pk=clock.pk, state="running", guard=guard) == 1
        assert Clock.objects.get(pk=clock.pk).label == "一条语句"  # and one after it
    assert len(wire) == 3 and wire[1].startswith('WITH "g" AS (UPDATE "clocks_clock"'), wire
    assert Group.objects.filter(name="single-a").exists()


@pytest.mark.postgres_only
def test_a_single_write_block_refuses_a_second_write_and_a_lock_before_sending_them() -> None:
    clock = _clock()
    wire: list[str] = []  # recorded inside the block: what reached the database

    def refused(match: str) -> ExitStack:
        stack = ExitStack()
        stack.enter_context(pytest.raises(SingleWriteError, match=match))
        stack.enter_context(single_write())
        stack.enter_context(deferring())
        stack.enter_context(connection.execute_wrapper(_recorder(wire)))
        return stack

    with refused("second write"):
        update_rows(Clock, {"label": "第一条"}, pk=clock.pk)
        update_rows(Clock, {"label": "第二条"}, pk=clock.pk)
    assert len(wire) == 1
    with refused("holds nothing"):
        list(Clock.objects.select_for_update().filter(pk=clock.pk))
    assert len(wire) == 1
    # Writes queued after the first write would leave at the block's end as a second one: refused too.
    with refused("second write"):
        update_rows(Clock, {"label": "第一条"}, pk=clock.pk)
        update_later(Clock, {"label": "排队的"}, pk=clock.pk)
    assert len(wire) == 2
    assert Clock.objects.get(pk=clock.pk).label == "第一条"


def test_single_write_is_for_postgresql_only() -> None:
    if connection.vendor == "postgresql":
        pytest.skip("the refusal is SQLite's")
    with pytest.raises(SingleWriteError, match="only PostgreSQL"), single_write():
        pass


def test_a_counted_write_of_a_guarded_block_reports_its_rows_with_the_guard() -> None:
    running, stopped = _clock(), _clock()
    clocks.stop_clocks([stopped.pk], at=AT)
    User.objects.create_user("deferred-counted", password="x-unused-pw")
    counts: list[int] = []
    wire: list[str] = []
    with transaction.atomic(), connection.execute_wrapper(_recorder(wire)), if_changed() as guard:
        update_later(
            Clock,
            {"label": "数过的"},
            pk__in=[running.pk, stopped.pk],
            state="running",
            counted=counts.append,
        )
        changed = update_rows(
            User, {"first_name": "计数"}, username="deferred-counted", first_name="", guard=guard
        )
    assert (changed, counts) == (1, [1])  # the stopped clock does not match its condition
    assert len(wire) == (1 if _batched() else 2)
    assert Clock.objects.get(pk=running.pk).label == "数过的"
    # The guard matches nothing now (the first name is set): the write is dropped and reports 0.
    with transaction.atomic(), if_changed() as guard:
        update_later(Clock, {"label": "不应出现"}, pk=running.pk, counted=counts.append)
        assert (
            update_rows(User, {"first_name": "x"}, username="deferred-counted", first_name="", guard=guard)
            == 0
        )
    assert counts == [1, 0]
    assert Clock.objects.get(pk=running.pk).label == "数过的"
    # Outside a guarded block a counted write goes at once and reports at once, even in a deferring block.
    with transaction.atomic(), deferring():
        update_later(Clock, {"label": "立即"}, pk=running.pk, counted=counts.append)
        assert counts == [1, 0, 1]


def test_a_read_along_a_guard_sees_the_rows_as_they_were_before_its_statement() -> None:
    """One statement on PostgreSQL carries the guard, its block's writes and the read, with the counts beside it;
    the read sees neither the guard's write nor the block's, on SQLite too (read just before them), and its rows
    come with the guard's count whether the guard changed a row or not, or asked nothing (an empty `__in`)."""
    from govhall.core.compiled import CompiledRead

    labels = CompiledRead(lambda first: Clock.objects.filter(pk__gte=first).values_list("pk", "label"), int)
    first, second = _clock(), _clock()
    Clock.objects.filter(pk__in=[first.pk, second.pk]).update(label="旧")
    counts: list[int] = []
    wire: list[str] = []
    with transaction.atomic(), connection.execute_wrapper(_recorder(wire)), if_changed() as guard:
        update_later(Group, {"name": "x"}, pk=-1, counted=counts.append)
        rows = labels.rows_with(guard, first.pk)
        with pytest.raises(TypeError, match="has not run"):
            rows()
        with pytest.raises(TypeError, match="one read per guard"):
            labels.rows_with(guard, first.pk)
        changed = update_rows(Clock, {"label": "新"}, pk=first.pk, guard=guard)
    assert (changed, counts) == (1, [0])
    assert sorted(rows()) == [(first.pk, "旧"), (second.pk, "旧")]
    assert len(wire) == (1 if _batched() else 3)  # SQLite: the read, the guard, the write
    assert Clock.objects.get(pk=first.pk).label == "新"
    # A read that finds nothing, beside a guard that matches nothing: no rows, and the count still 0.
    with transaction.atomic(), if_changed() as guard:
        rows = labels.rows_with(guard, second.pk + 1000)
        assert update_rows(Clock, {"label": "x"}, pk=first.pk, state="stopped", guard=guard) == 0
    assert rows() == []
    # A guard that asks nothing still reads; an integer no column holds reads nothing, without asking.
    with transaction.atomic(), if_changed() as guard:
        rows = labels.rows_with(guard, second.pk)
        assert update_rows(Clock, {"label": "x"}, pk__in=[], guard=guard) == 0
    assert rows() == [(second.pk, "旧")]
    with transaction.atomic(), if_changed() as guard:
        rows = labels.rows_with(guard, 2**70)
        assert update_rows(Clock, {"label": "新"}, pk=second.pk, guard=guard) == 1
    assert rows() == []


def test_a_read_beside_a_write_returning_sees_the_rows_as_they_were_before_it() -> None:
    """CompiledRead.rows_beside: a write ending in RETURNING and a read, one statement on PostgreSQL (the read
    before it on SQLite): the write's row or None, and the rows read without the write's change, whether the
    write found its row or not and whether the read finds rows or not."""
    from govhall.core.compiled import CompiledRead

    labels = CompiledRead(lambda first: Clock.objects.filter(pk__gte=first).values_list("pk", "label"), int)
    first, second = _clock(), _clock()
    Clock.objects.filter(pk__in=[first.pk, second.pk]).update(label="旧")
    write = 'UPDATE "clocks_clock" SET "label" = %s WHERE "id" = %s RETURNING "id", "label"'
    wire: list[str] = []
    with transaction.atomic(), connection.execute_wrapper(_recorder(wire)):
        returned, rows = labels.rows_beside(write, ["新", first.pk], first.pk)
    assert returned == (first.pk, "新")
    assert sorted(rows) == [(first.pk, "旧"), (second.pk, "旧")]
    assert len(wire) == (1 if _batched() else 2)
    assert Clock.objects.get(pk=first.pk).label == "新"
    # A write that finds no row, beside a read that finds rows; then one that does, beside a read that finds none.
    returned, rows = labels.rows_beside(write, ["x", second.pk + 1000], second.pk)
    assert (returned, rows) == (None, [(second.pk, "旧")])
    returned, rows = labels.rows_beside(write, ["新", second.pk], second.pk + 1000)
    assert (returned, rows) == ((second.pk, "新"), [])
    # An integer no column holds reads nothing, without asking; the write still runs.
    returned, rows = labels.rows_beside(write, ["旧", second.pk], 2**70)
    assert (returned, rows) == ((second.pk, "旧"), [])
    # A write that returns more than one row is a mistake of the caller's, refused (its transaction rolls back).
    both = 'UPDATE "clocks_clock" SET "label" = %s WHERE "id" IN (%s, %s) RETURNING "id"'
    with pytest.raises(TypeError, match="more than one row"), transaction.atomic():
        labels.rows_beside(both, ["两", first.pk, second.pk], first.pk)
    assert set(Clock.objects.filter(pk__in=[first.pk, second.pk]).values_list("label", flat=True)) == {
        "新",
        "旧",
    }
