"""core.compiled: a read compiled once per connection gives what its queryset gives, on both databases."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from govhall.clocks import actions as clocks
from govhall.clocks.models import Clock
from govhall.core import deferred, keys
from govhall.core.compiled import (
    CompiledRead,
    Computed,
    insert_objects,
    insert_unless_conflict,
    insert_unless_conflict_reading,
    insert_with_parents,
    update_rows,
)
from govhall.core.cursors import kept_cursor
from govhall.supervision.models import Alert

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")

CLOCK = CompiledRead(lambda pk: Clock.objects.filter(pk=pk), int)
CLOCK_VALUES = CompiledRead(
    lambda kind, pk: (
        Clock.objects.filter(kind=kind, pk__gte=pk)
        .order_by("pk")
        .values_list("pk", "started_at", "start_day", "due_day", "provisional", "late", "warn_ratio", "unit")
    ),
    str,
    int,
)


def _fields(obj: object) -> dict[str, object]:
    return {k: v for k, v in vars(obj).items() if not k.startswith("_")}


def _clocks() -> list[Clock]:
    at = datetime(2026, 9, 25, 10, 30, tzinfo=SHANGHAI)
    return [
        clocks.start_clock(kind="case", amount=5, unit="workday", at=at, warn_ratio=0.75),
        clocks.start_clock(kind="case", amount=20, unit="day", at=at, label="法定时限"),
        clocks.start_clock(kind="step", amount=30, unit="minute", at=at),
    ]


def test_rows_and_objects_equal_the_querysets_own() -> None:
    made = _clocks()
    first = made[0].pk
    expected = list(
        Clock.objects.filter(kind="case", pk__gte=first)
        .order_by("pk")
        .values_list("pk", "started_at", "start_day", "due_day", "provisional", "late", "warn_ratio", "unit")
    )
    got = CLOCK_VALUES.rows("case", first)
    assert got == expected and len(got) == 2
    # Converted as the ORM converts them (SQLite returns texts and integers for these columns).
    _pk, started_at, start_day, due_day, provisional, _late, warn_ratio, unit = got[0]
    assert (
        started_at == datetime(2026, 9, 25, 10, 30, tzinfo=SHANGHAI) and start_day.isoformat() == "2026-09-25"
    )
    assert due_day is not None and provisional is False and warn_ratio == 0.75 and unit == "workday"
    for clock in made:
        (compiled,) = CLOCK.objects(clock.pk)
        assert isinstance(compiled, Clock) and not compiled._state.adding
        assert _fields(compiled) == _fields(Clock.objects.get(pk=clock.pk))
    assert CLOCK.objects(-5) == [] and CLOCK_VALUES.rows("none", first) == []
    # A key no column can hold finds nothing, as with the ORM (SQLite's driver could not even bind it).
    assert CLOCK.objects(2**63) == [] == list(Clock.objects.filter(pk=2**63))


def test_compiled_once_then_the_same_text_with_new_values() -> None:
    made = _clocks()
    with CaptureQueriesContext(connection) as queries:
        for clock in made:
            assert CLOCK.objects(clock.pk)[0].pk == clock.pk
    texts = {q["sql"] for q in queries.captured_queries}
    assert len(queries) == 3 and len(texts) == 3  # one statement per call, each with its own value
    assert CLOCK.objects(made[1].pk)[0].label == "法定时限"
    shapes = connection._govhall_compiled_reads
    assert CLOCK in shapes  # kept on this connection: the next call compiles nothing


def test_values_a_lookup_rewrites_are_refused_when_compiled() -> None:
    Group.objects.create(name="窗口人员测试组")
    contains = CompiledRead(lambda name: Group.objects.filter(name__contains=name), str)
    with pytest.raises(ValueError, match="only exact matches"):
        contains.rows("窗口")
    twice = CompiledRead(lambda pk: Group.objects.filter(pk=pk) | Group.objects.filter(id=pk), int)
    with pytest.raises(ValueError, match="2 times"):
        twice.rows(1)
    with pytest.raises(TypeError, match="int and str"):
        CompiledRead(lambda day: Clock.objects.filter(start_day=day), datetime)
    exact = CompiledRead(lambda name: Group.objects.filter(name=name).values_list("name", flat=True), str)
    with pytest.raises(TypeError, match="1 values, 2 given"):
        exact.rows("a", "b")
    assert exact.rows("窗口人员测试组") == [("窗口人员测试组",)]


def test_objects_are_model_rows_deferred_fields_included() -> None:
    from django.db.models import Count

    user = User.objects.create_user("compiled-probe", password="Probe-pass-2026", email="probe@example.cn")
    only = CompiledRead(lambda pk: User.objects.only("username").filter(pk=pk), int)
    values = CompiledRead(lambda pk: User.objects.filter(pk=pk).values_list("username"), int)
    annotated = CompiledRead(lambda pk: User.objects.annotate(n=Count("groups")).filter(pk=pk), int)
    with pytest.raises(TypeError):
        values.objects(user.pk)
    with pytest.raises(TypeError):
        annotated.objects(user.pk)
    assert values.rows(user.pk) == [("compiled-probe",)]
    (got,) = only.objects(user.pk)
    expected = User.objects.only("username").get(pk=user.pk)
    assert (
        got.get_deferred_fields() == expected.get_deferred_fields() and "email" in got.get_deferred_fields()
    )
    assert _fields(got) == _fields(expected)
    assert got.email == "probe@example.cn"  # a deferred field loads on first use, as the ORM's does


def test_insert_objects_writes_what_bulk_create_writes() -> None:
    at = datetime(2026, 9, 25, 10, 30, tzinfo=SHANGHAI)
    ours = [clocks._new_clock(kind="case", amount=n, unit="workday", at=at, warn_ratio=0.5) for n in (3, 20)]
    theirs = [
        clocks._new_clock(kind="case", amount=n, unit="workday", at=at, warn_ratio=0.5) for n in (3, 20)
    ]
    with CaptureQueriesContext(connection) as queries:
        insert_objects(ours)
    assert len(queries) == 1 and queries.captured_queries[0]["sql"].startswith("INSERT INTO")
    Clock.objects.bulk_create(theirs)
    assert all(c.pk is not None and not c._state.adding for c in ours)
    for mine, other in zip(ours, theirs, strict=True):
        stored, reference = Clock.objects.get(pk=mine.pk), Clock.objects.get(pk=other.pk)
        assert {**_fields(stored), "id": None} == {**_fields(reference), "id": None}
        assert stored.due_day == mine.due_day and stored.started_at == at
    insert_objects([])  # nothing to write: no statement


def test_insert_objects_refuses_what_it_cannot_write_as_the_orm_would() -> None:
    at = datetime(2026, 9, 25, 10, 30, tzinfo=SHANGHAI)
    saved = clocks.start_clock(kind="case", amount=5, unit="workday", at=at)
    with pytest.raises(TypeError, match="new instances only"):
        insert_objects([saved])
    with pytest.raises(TypeError, match="one model"):
        insert_objects([clocks._new_clock(kind="case", amount=1, unit="day", at=at), Group(name="x")])
    expression = clocks._new_clock(kind="case", amount=1, unit="day", at=at)
    expression.budget = F("budget") + 1
    with pytest.raises(TypeError, match="expression"):
        insert_objects([expression])
    assert Clock.objects.count() == 1


def test_insert_with_parents_writes_each_row_pointing_at_its_own_parent() -> None:
    """Rows with the parents they point at (as a task with its clock; here a permission with its content type):
    each child linked to the parent paired with it, in one statement on PostgreSQL (the keys drawn ahead; two on
    SQLite: parents, then children), the values as insert_objects writes them."""
    names = ("甲", "乙", "丙")
    pairs = [
        (
            ContentType(app_label="parents", model=f"model{n}"),
            Permission(name=f"可以办理{name}", codename=f"handle_{n}"),
        )
        for n, name in enumerate(names)
    ]
    for model in (
        ContentType,
        Permission,
    ):  # keys drawn ahead beforehand: the refills are core.keys' own tests
        keys.reserve(model, len(pairs))
    with CaptureQueriesContext(connection) as queries:
        insert_with_parents(pairs, "content_type")
    assert len(queries) == (1 if connection.vendor == "postgresql" else 2)
    for n, (parent, child) in enumerate(pairs):
        assert parent.pk is not None and child.pk is not None
        assert not parent._state.adding and not child._state.adding
        assert child.content_type is parent and child.content_type_id == parent.pk
        stored = Permission.objects.select_related("content_type").get(pk=child.pk)
        assert (stored.name, stored.codename, stored.content_type.model) == (
            f"可以办理{names[n]}",
            f"handle_{n}",
            f"model{n}",
        )
    insert_with_parents([], "content_type")  # nothing to write: no statement


def test_insert_with_parents_refuses_a_child_already_linked() -> None:
    saved = ContentType.objects.create(app_label="parents", model="saved")
    linked = Permission(name="已关联", codename="linked", content_type=saved)
    with pytest.raises(TypeError, match="leave content_type unset"), transaction.atomic():
        insert_with_parents([(ContentType(app_label="parents", model="new"), linked)], "content_type")
    assert not Permission.objects.filter(codename="linked").exists()
    assert not ContentType.objects.filter(app_label="parents", model="new").exists()


def test_insert_unless_conflict_skips_a_row_a_unique_constraint_refuses_and_the_transaction_goes_on() -> None:
    from govhall.cases.models import Applicant

    first = Group(name="unless-conflict")
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            assert insert_unless_conflict(first) is True
        assert len(queries) == 1 and first.pk is not None and not first._state.adding
        second = Group(name="unless-conflict")
        assert insert_unless_conflict(second) is False
        assert second.pk is None and second._state.adding
        # No error was raised inside the transaction: it is not broken, the next statement runs.
        assert Group.objects.filter(name="unless-conflict").count() == 1
        # A partial unique constraint counts too (the hall's one record of an identity: user IS NULL), on both
        # databases; the same identity under an online account is another row.
        hall = Applicant(kind="person", name="甲", id_number="110101199003074514")
        assert insert_unless_conflict(hall) is True
        assert insert_unless_conflict(Applicant(kind="person", name="乙", id_number=hall.id_number)) is False
        account = User.objects.create_user("unless-conflict-account", password="x-unused-pw")
        online = Applicant(kind="person", name="乙", id_number=hall.id_number, user=account)
        assert insert_unless_conflict(online) is True
    assert Applicant.objects.filter(id_number=hall.id_number).count() == 2
    assert Applicant.objects.get(pk=hall.pk).name == "甲"


def test_insert_unless_conflict_reading_brings_the_objects_as_they_were_before_it() -> None:
    """The INSERT … ON CONFLICT DO NOTHING and a read of model rows in one statement on PostgreSQL (the read first
    on SQLite): whether the row went in, and the objects read — without the new row — whether it went in or not;
    a read of keys by `__in` compiles once per number of keys."""
    named = CompiledRead(lambda *names: Group.objects.filter(name__in=names), str, str)
    Group.objects.create(name="reading-a")
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        new = Group(name="reading-b")
        inserted, found = insert_unless_conflict_reading(new, named, "reading-a", "reading-b")
    assert inserted is True and new.pk is not None and not new._state.adding
    assert [g.name for g in found] == ["reading-a"] and isinstance(found[0], Group)
    assert len(queries) == (1 if connection.vendor == "postgresql" else 2)
    again = Group(name="reading-b")
    inserted, found = insert_unless_conflict_reading(again, named, "reading-a", "reading-b")
    assert inserted is False and again.pk is None and again._state.adding
    assert sorted(g.name for g in found) == ["reading-a", "reading-b"]
    with pytest.raises(TypeError, match="model rows"):
        insert_unless_conflict_reading(
            Group(name="x"), CompiledRead(lambda pk: Group.objects.filter(pk=pk).values_list("pk"), int), 1
        )
    assert not Group.objects.filter(name="x").exists()


def test_a_get_or_create_reading_beside_its_insert_spares_the_insert_where_the_read_goes_first() -> None:
    """`unless_found`: the read finds the row the INSERT would conflict with. On PostgreSQL still one statement
    (the INSERT tried, doing nothing, the row read beside it); on SQLite, where the read goes first, a row found
    spares the INSERT (one statement, not two) and none found costs the INSERT after it."""
    named = CompiledRead(lambda name: Group.objects.filter(name=name), str)
    with CaptureQueriesContext(connection) as queries:
        first = Group(name="found-or-made")
        inserted, found = insert_unless_conflict_reading(first, named, "found-or-made", unless_found=True)
    assert inserted is True and first.pk is not None and found == []
    assert len(queries) == (1 if connection.vendor == "postgresql" else 2)
    with CaptureQueriesContext(connection) as queries:
        again = Group(name="found-or-made")
        inserted, found = insert_unless_conflict_reading(again, named, "found-or-made", unless_found=True)
    assert inserted is False and again.pk is None and [g.pk for g in found] == [first.pk]
    assert len(queries) == 1
    assert Group.objects.filter(name="found-or-made").count() == 1


def test_insert_with_parents_links_each_parent_back_to_its_child() -> None:
    """`back`: each parent's column of keys takes its own child's key (a clock naming the record it runs for): on
    PostgreSQL in the one statement (both keys drawn ahead from their sequences), elsewhere by one UPDATE of the
    parents after the two INSERTs — for one pair and for several."""
    at = datetime(2026, 9, 25, 10, 30, tzinfo=SHANGHAI)
    for count in (1, 3):
        pairs = [
            (
                clocks._new_clock(kind="step", amount=2, unit="workday", at=at),
                Alert(level="yellow", kind="case", raised_at=at),
            )
            for _ in range(count)
        ]
        for clock, _ in pairs:
            clock.owner_type = "supervision.alert"
        for model in (Clock, Alert):
            keys.reserve(model, count)
        with CaptureQueriesContext(connection) as queries:
            insert_with_parents(pairs, "clock", back="owner_id")
        assert len(queries) == (1 if connection.vendor == "postgresql" else 3)
        for clock, alert in pairs:
            assert clock.owner_id == alert.pk and alert.clock_id == clock.pk
            stored = Clock.objects.get(pk=clock.pk)
            assert (stored.owner_type, stored.owner_id) == ("supervision.alert", alert.pk)
            assert Alert.objects.get(pk=alert.pk).clock_id == clock.pk
        # A child inserted the usual way afterwards takes the next key: the drawn ones were the sequence's own.
        later = Alert.objects.create(level="red", kind="case", raised_at=at)
        assert later.pk > max(alert.pk for _, alert in pairs)


def test_insert_with_parents_refuses_a_back_column_that_holds_no_keys() -> None:
    at = datetime(2026, 9, 25, 10, 30, tzinfo=SHANGHAI)
    clock = clocks._new_clock(kind="step", amount=2, unit="workday", at=at)
    with pytest.raises(TypeError, match="not a column of keys"):
        insert_with_parents(
            [(clock, Alert(level="yellow", kind="case", raised_at=at))], "clock", back="label"
        )
    clock.owner_id = 7
    with pytest.raises(TypeError, match="leave owner_id unset"):
        insert_with_parents(
            [(clock, Alert(level="yellow", kind="case", raised_at=at))], "clock", back="owner_id"
        )
    assert not Alert.objects.exists() and clock.pk is None


def test_insert_with_parents_later_waits_with_the_trailing_writes_its_keys_known() -> None:
    """`later=True` inside a deferring() block: on PostgreSQL both INSERTs wait in the queue, the keys already set
    and linked both ways (drawn ahead), and leave with the next statement; elsewhere they run at once."""
    at = datetime(2026, 9, 25, 10, 30, tzinfo=SHANGHAI)
    clock = clocks._new_clock(kind="step", amount=2, unit="workday", at=at)
    clock.owner_type = "supervision.alert"
    alert = Alert(level="yellow", kind="case", raised_at=at)
    for model in (Clock, Alert):
        keys.reserve(model, 1)
    with transaction.atomic(), deferred.deferring():
        with CaptureQueriesContext(connection) as queries:
            insert_with_parents([(clock, alert)], "clock", back="owner_id", later=True)
        batched = connection.vendor == "postgresql"
        assert len(queries) == (0 if batched else 3)
        assert deferred.pending() == (2 if batched else 0)
        assert clock.pk is not None and alert.pk is not None
        assert (clock.owner_id, alert.clock_id) == (alert.pk, clock.pk)
        assert Alert.objects.get(pk=alert.pk).clock.owner_id == alert.pk  # the read sent the queue first
        assert deferred.pending() == 0


def test_objects_with_reads_a_locked_row_and_another_read_in_one_statement() -> None:
    """A row by its key, locked, and the rows of another read beside it: one statement on PostgreSQL (two
    elsewhere), each read's objects as its own `objects()` gives them — none, one or several rows of the other;
    no row for the first. A first read that finds several rows is refused."""
    group = Group.objects.create(name="锁定组")
    pair = [User.objects.create(username=f"beside-{n}", last_name="旁") for n in range(2)]
    alone = User.objects.create(username="alone", last_name="独")
    locked = CompiledRead(lambda pk: Group.objects.select_for_update().filter(pk=pk), int)
    users = CompiledRead(lambda name: User.objects.filter(last_name=name), str)
    for name, expected in (("旁", {u.pk for u in pair}), ("独", {alone.pk}), ("无", set())):
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            (found,), others = locked.objects_with(users, (group.pk,), (name,))
        reads = [q for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
        assert len(reads) == (1 if connection.vendor == "postgresql" else 2)
        assert found.pk == group.pk and found.name == "锁定组" and not found._state.adding
        assert {u.pk for u in others} == expected
        assert all(u.last_name == name and u._state.db == "default" for u in others)
    with transaction.atomic():
        assert locked.objects_with(users, (group.pk + 1000,), ("旁",))[0] == []
    if connection.vendor == "postgresql":
        with pytest.raises(TypeError, match="more than one row"):
            users.objects_with(locked, ("旁",), (group.pk,))


def test_objects_with_along_a_guard_reads_both_in_the_guards_statement_as_before_it() -> None:
    """Both reads ride on the guard's statement on PostgreSQL (read at once on SQLite, where the guard's block sends
    nothing before it): the objects as they were before the guard's write, given once the guard has run."""
    group = Group.objects.create(name="守前")
    pair = [User.objects.create(username=f"along-{n}", last_name="随") for n in range(2)]
    by_key = CompiledRead(lambda pk: Group.objects.filter(pk=pk), int)
    users = CompiledRead(lambda name: User.objects.filter(last_name=name), str)
    with (
        transaction.atomic(),
        CaptureQueriesContext(connection) as queries,
        deferred.if_changed() as guard,
    ):
        along = by_key.objects_with_along(guard, users, (group.pk,), ("随",))
        if connection.vendor == "postgresql":
            with pytest.raises(TypeError, match="has not run"):
                along()
        assert update_rows(Group, {"name": "守后"}, pk=group.pk, guard=guard) == 1
    statements = [q for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len(statements) == (1 if connection.vendor == "postgresql" else 3)
    (found,), others = along()
    assert found.name == "守前" and {u.pk for u in others} == {u.pk for u in pair}
    assert Group.objects.get(pk=group.pk).name == "守后"


def test_the_kept_cursor_outlives_no_connection_and_errors_stay_djangos() -> None:
    read = CompiledRead(lambda name: Group.objects.filter(name=name), str)
    Group.objects.create(name="kept-cursor")
    assert [g.name for g in read.objects("kept-cursor")] == ["kept-cursor"]
    first = kept_cursor().cursor
    assert kept_cursor().cursor is first  # the driver's cursor is kept between statements
    with CaptureQueriesContext(connection) as queries:
        read.objects("kept-cursor")
    assert len(queries) == 1  # Django's query log still sees what goes out on it
    # A database error on it is Django's own (wrap_database_errors), as on connection.cursor().
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_objects([Group(name="kept-cursor")])
    assert [g.name for g in read.objects("kept-cursor")] == ["kept-cursor"]


def test_a_thread_lent_the_connection_keeps_a_cursor_of_its_own() -> None:
    """Django's live test server lends the test's connection to its request threads (in-memory SQLite): two of
    them on one kept driver cursor at once failed with "Recursive use of cursors" (a staff page gave a 500)."""
    lent = connections["default"]
    mine = kept_cursor().cursor
    theirs: list[Any] = []

    def request_thread() -> None:
        connections["default"] = lent  # as LiveServerThread does with connections_override
        theirs.append(kept_cursor().cursor)
        theirs.append(kept_cursor().cursor)

    lent.inc_thread_sharing()
    try:
        thread = threading.Thread(target=request_thread)
        thread.start()
        thread.join(timeout=30)
    finally:
        lent.dec_thread_sharing()
    assert theirs[0] is not mine and theirs[1] is theirs[0]  # its own, kept between its statements
    assert kept_cursor().cursor is not theirs[0]  # and this thread gets one of its own back


def test_update_rows_changes_what_update_changes() -> None:
    at = datetime(2026, 9, 25, 10, 30, tzinfo=SHANGHAI)
    made = _clocks()
    user = User.objects.create_user("compiled-owner", password="Probe-pass-2026")
    late = Computed(
        "CASE WHEN {due_at} <= %s THEN %s ELSE %s END", (("due_at", at), ("late", True), ("late", False))
    )
    ids = [c.pk for c in made[:2]]
    with CaptureQueriesContext(connection) as queries:
        changed = update_rows(
            Clock,
            {"state": "stopped", "stopped_at": at, "late": late, "owner_responsible": user},
            pk__in=ids,
            state="running",
        )
    assert changed == 2 and len(queries) == 1
    for clock in Clock.objects.filter(pk__in=ids):
        assert (clock.state, clock.stopped_at, clock.late, clock.owner_responsible_id) == (
            "stopped",
            at,
            False,
            user.pk,
        )
    assert Clock.objects.get(pk=made[2].pk).state == "running"  # not in the list
    # The condition holds no more: nothing changes, and the count says so.
    assert update_rows(Clock, {"state": "paused"}, pk__in=ids, state="running") == 0
    assert update_rows(Clock, {"owner_responsible": None}, pk=made[0].pk) == 1
    assert Clock.objects.get(pk=made[0].pk).owner_responsible_id is None
    later = datetime(2027, 1, 1, tzinfo=SHANGHAI)
    late_now = Computed(
        "CASE WHEN {due_at} <= %s THEN %s ELSE %s END", (("due_at", later), ("late", True), ("late", False))
    )
    assert update_rows(Clock, {"late": late_now}, pk=made[2].pk) == 1
    assert Clock.objects.get(pk=made[2].pk).late is True  # due in 2026: late at 2027
    assert update_rows(Clock, {"state": "x"}, pk__in=[]) == 0
    # `=None` is IS NULL, as in filter(): the same rows, then none once they hold a value.
    assert (
        update_rows(Clock, {"label": "无人负责"}, pk__in=ids, owner_responsible=None)
        == Clock.objects.filter(pk__in=ids, owner_responsible=None).count()
    )
    assert update_rows(Clock, {"label": "有人负责"}, pk=made[1].pk, owner_responsible=None) == 0
    assert Clock.objects.get(pk=made[1].pk).label != "有人负责"


def test_update_rows_refuses_what_it_cannot_say() -> None:
    with pytest.raises(TypeError, match="nothing to set"):
        update_rows(Clock, {}, pk=1)
    with pytest.raises(TypeError, match="only exact and __in"):
        update_rows(Clock, {"state": "stopped"}, pk__gte=1)
    with pytest.raises(TypeError, match="expression"):
        update_rows(Clock, {"budget": F("budget") + 1}, pk=1)
