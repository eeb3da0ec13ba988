"""Statements of a fixed shape built once per database connection and run again with new values.

Django builds and compiles a queryset's SQL on every call. For the short statements of the case actions that costs
several times what the database takes to run them: on the reference machine a `SELECT 1` round trip to PostgreSQL
takes 0.06 ms, while building and compiling the permission query of an action took 0.8 ms of Python
(bench/README.md, "The ORM's cost cut"). Three tools skip that work where the shape never changes:

- `CompiledRead` builds its queryset once per connection with stand-in values, keeps the SQL text and the column
  converters, and on each call only swaps the values in, runs the text and converts the rows exactly as the
  queryset would (dates on SQLite, JSON, booleans…); model instances come with the related ones its
  `select_related()` names, built by Django's own populators. Only plain values can be swapped: integers and
  texts that the queryset passes to the database unchanged (an exact match, `pk=`, `name=`). A lookup that
  rewrites its value (`contains`, `in` with a list) is refused when the read is first compiled, so a wrong use
  fails at once in every test that reaches it, never silently.
- `insert_objects` is `bulk_create` with the INSERT text kept per model and row count; `insert_with_parents`
  inserts rows with the parents they point at (a task and its clock) in one statement, their keys drawn ahead.
- `update_rows` is `filter().update()` for exact and `__in` conditions with the UPDATE text kept per shape.

`insert_objects(…, later=True)` and `update_later` are the trailing writes `core.deferred` can send together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import BigIntegerField, ForeignKey, Model, QuerySet
from django.db.models.query import ModelIterable, get_related_populators  # type: ignore[attr-defined]

from . import deferred, keys
from .cursors import kept_cursor

M = TypeVar("M", bound=Model)
N = TypeVar("N", bound=Model)

_CACHE_ATTR = "_govhall_compiled_reads"
# Stand-ins only compile the SQL, they never run: each must reach the statement's parameters unchanged and be told
# apart from the fixed ones. Integers within a small positive column's range (Django answers "no rows", or "every
# row", without a parameter for a value its column cannot hold), texts with a control character no form accepts.
_INT_STAND_IN = 31_991
_TEXT_STAND_IN = "\x1fgovhall-compiled-{}\x1f"


def _kept_on(connection: Any, attr: str) -> dict[Any, Any]:
    """The statement texts kept on one connection object (one per thread): compiled for that connection."""
    cache: dict[Any, Any] | None = getattr(connection, attr, None)
    if cache is None:
        cache = {}
        setattr(connection, attr, cache)
    return cache


class _Shape:
    __slots__ = (
        "attnames",
        "compiler",
        "converters",
        "fields",
        "model_rows",
        "own_columns",
        "params",
        "populators",
        "positions",
        "sql",
        "width",
    )

    def __init__(self, queryset: QuerySet[Any, Any], stand_ins: tuple[Any, ...], alias: str) -> None:
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        params = list(params)
        positions = []
        for stand_in in stand_ins:
            found = [i for i, value in enumerate(params) if value == stand_in]
            if len(found) != 1:
                raise ValueError(
                    f"CompiledRead: the value {stand_in!r} reached the SQL {len(found)} times, not once as "
                    "given: only exact matches of integers and texts can be compiled"
                )
            positions.append(found[0])
        self.sql = sql
        self.params = params
        self.positions = positions
        self.compiler = compiler
        self.fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        self.width = len(compiler.select)  # the columns of a row of `sql`
        self.converters = compiler.get_converters(self.fields)
        # Rows that are model instances — the model's columns (all, or those only()/defer() leave, the rest
        # deferred) and the related models select_related() follows — built as ModelIterable builds them
        # (Model.from_db, Django's RelatedPopulator).
        query = queryset.query
        self.model_rows = (
            queryset._iterable_class is ModelIterable
            and not query.annotation_select
            and not query.extra_select
            and not getattr(queryset, "_known_related_objects", None)
        )
        self.own_columns = slice(0, 0)
        self.attnames: list[Any] = []
        self.populators: list[Any] = []
        if self.model_rows:
            klass_info = compiler.klass_info
            own = klass_info["select_fields"]
            self.own_columns = slice(own[0], own[-1] + 1)
            self.attnames = [column[0].target.attname for column in compiler.select[self.own_columns]]
            self.populators = get_related_populators(klass_info, compiler.select, alias)

    def bind(self, values: tuple[Any, ...]) -> list[Any]:
        params = list(self.params)
        for position, value in zip(self.positions, values, strict=True):
            params[position] = value
        return params

    def convert(self, rows: Iterable[Any]) -> list[tuple[Any, ...]]:
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        return [tuple(row) for row in rows]

    def run(self, values: tuple[Any, ...], alias: str) -> list[tuple[Any, ...]]:
        cursor = kept_cursor(alias)
        cursor.execute(self.sql, self.bind(values))
        return self.convert(cursor.fetchall())


class CompiledRead(Generic[M]):
    """`CompiledRead(lambda pk: Case.objects.select_for_update().filter(pk=pk), int)`: the function is called once
    per connection with stand-ins of the given types; `rows(42)` and `objects(42)` run the compiled statement."""

    def __init__(self, build: Callable[..., QuerySet[M, Any]], *types: type) -> None:
        for kind in types:
            if kind not in (int, str):
                raise TypeError("CompiledRead takes int and str values only")
        self._build = build
        self._types = types

    def _stand_ins(self) -> tuple[Any, ...]:
        return tuple(
            _INT_STAND_IN + n if kind is int else _TEXT_STAND_IN.format(n)
            for n, kind in enumerate(self._types)
        )

    def _shape(self, alias: str) -> _Shape:
        # Kept on the connection object (one per thread): a compiler belongs to the connection it compiled for.
        # Keyed by the read itself, not its id(): a read made and dropped (a test's) must not leave its shape to
        # another that Python later puts at the same address.
        cache: dict[CompiledRead[Any], _Shape] = _kept_on(connections[alias], _CACHE_ATTR)
        shape = cache.get(self)
        if shape is None:
            stand_ins = self._stand_ins()
            shape = cache[self] = _Shape(self._build(*stand_ins), stand_ins, alias)
        return shape

    def _values(self, values: tuple[Any, ...]) -> tuple[Any, ...]:
        if len(values) != len(self._types):
            raise TypeError(f"CompiledRead takes {len(self._types)} values, {len(values)} given")
        return tuple(kind(value) for kind, value in zip(self._types, values, strict=True))

    def rows(self, *values: Any, using: str = DEFAULT_DB_ALIAS) -> list[tuple[Any, ...]]:
        """The rows as the queryset's `values_list()` would give them."""
        values = self._values(values)
        if not _storable(values):
            return []
        return self._shape(using).run(values, using)

    def rows_with(
        self, guard: deferred.Guard, *values: Any, using: str = DEFAULT_DB_ALIAS
    ) -> Callable[[], list[tuple[Any, ...]]]:
        """`rows(*values)` read in the statement of `guard` (`deferred.Guard.read_along`: the rows as they were
        before that statement, in no particular order), one round trip less. The returned function gives them once
        the guard has run."""
        values = self._values(values)
        shape = self._shape(using)
        received: list[list[tuple[Any, ...]]] = []

        def receive(rows: list[tuple[Any, ...]]) -> None:
            received.append(shape.convert(rows))

        def rows() -> list[tuple[Any, ...]]:
            if not received:
                raise TypeError("CompiledRead.rows_with: the guard has not run")
            return received[0]

        if _storable(values):
            guard.read_along(shape.sql, shape.bind(values), receive)
        else:
            received.append([])
        return rows

    def rows_beside(
        self, write: str, write_params: Sequence[Any], *values: Any, using: str = DEFAULT_DB_ALIAS
    ) -> tuple[tuple[Any, ...] | None, list[tuple[Any, ...]]]:
        """Run `write` — an UPDATE or INSERT ending in RETURNING, which returns at most one row — and `rows(*values)`
        together: (the row it returned, or None; the rows read, in no particular order, as they were before the
        write). On PostgreSQL one statement, the write a WITH part of the read's (one snapshot: the read sees
        the database as the statement found it, without the write); elsewhere the read, then the write — the
        same rows, one round trip more where round trips are free."""
        return self._beside(write, write_params, values, using)

    def objects_beside(
        self, write: str, write_params: Sequence[Any], *values: Any, using: str = DEFAULT_DB_ALIAS
    ) -> tuple[tuple[Any, ...] | None, list[M]]:
        """`rows_beside` giving `objects(*values)`: model instances, in no particular order."""
        shape = self._model_shape(using)
        returned, rows = self._beside(write, write_params, values, using)
        return returned, _built(shape, rows, using)

    def _beside(
        self, write: str, write_params: Sequence[Any], values: tuple[Any, ...], using: str
    ) -> tuple[tuple[Any, ...] | None, list[tuple[Any, ...]]]:
        values = self._values(values)
        shape = self._shape(using)
        cursor = kept_cursor(using)
        if connections[using].vendor != "postgresql" or not _storable(values):
            found = shape.run(values, using) if _storable(values) else []
            cursor.execute(write, list(write_params))
            returned = cursor.fetchall()
            if len(returned) > 1:
                raise TypeError("CompiledRead.rows_beside: the write returned more than one row")
            return (tuple(returned[0]) if returned else None), found
        # One row at least: the write's row (or nulls, "wrote" telling which) beside each row of the read (or
        # beside nulls when it finds none, "found" telling which).
        cursor.execute(
            f'WITH "w" AS ({write}) SELECT "v".*, "r".* {deferred.beside_read(shape.sql)} '
            'LEFT JOIN (SELECT true AS "wrote", "w".* FROM "w") AS "v" ON true',
            [*write_params, *shape.bind(values)],
        )
        rows = cursor.fetchall()
        returned_width = len(cursor.description) - 2 - shape.width
        if len(rows) > 1 and any(row[: 1 + returned_width] != rows[0][: 1 + returned_width] for row in rows):
            raise TypeError("CompiledRead.rows_beside: the write returned more than one row")
        returned_row = tuple(rows[0][1 : 1 + returned_width]) if rows[0][0] else None
        return returned_row, shape.convert(deferred.rows_read(rows, 1 + returned_width))

    def objects_with(
        self,
        other: CompiledRead[N],
        values: tuple[Any, ...],
        other_values: tuple[Any, ...],
        *,
        using: str = DEFAULT_DB_ALIAS,
    ) -> tuple[list[M], list[N]]:
        """`objects(*values)` — one row at most: a record by its key, perhaps locked (`select_for_update`) — and
        `other.objects(*other_values)` (in no particular order) in one statement on PostgreSQL, each read a LATERAL
        part of it; elsewhere one after the other.

        Both reads share the statement's snapshot, taken before it waits for any lock: where this read waits for
        a row another transaction holds, it gets the row as that transaction left it (PostgreSQL reads a locked
        row again once it has it), but `other` sees what was committed before the wait. Use it where `other`
        cannot be changed by the lock's holders, or where a caller reads it again alone before acting on an
        answer the holder may have changed (accept_case: materials handed in while it waited)."""
        pair = _Pair(self, other, values, other_values, using)
        if pair.alone:
            return self.objects(*values, using=using), other.objects(*other_values, using=using)
        cursor = kept_cursor(using)
        cursor.execute(pair.sql, pair.params)
        return pair.split(cursor.fetchall())

    def objects_with_along(
        self,
        guard: deferred.Guard,
        other: CompiledRead[N],
        values: tuple[Any, ...],
        other_values: tuple[Any, ...],
        *,
        using: str = DEFAULT_DB_ALIAS,
    ) -> Callable[[], tuple[list[M], list[N]]]:
        """`objects_with` read in the statement of `guard` (`deferred.Guard.read_along`: the rows as they were before
        that statement), one round trip less; the returned function gives both reads' objects once the guard has
        run. On SQLite (no LATERAL) both are read now, one after the other: a guard's block sends nothing else
        before its guard there, so they see what they would have seen just before it."""
        pair = _Pair(self, other, values, other_values, using)
        received: list[tuple[list[M], list[N]]] = []
        if pair.alone:
            received.append((self.objects(*values, using=using), other.objects(*other_values, using=using)))
        else:
            guard.read_along(pair.sql, pair.params, lambda rows: received.append(pair.split(rows)))

        def objects() -> tuple[list[M], list[N]]:
            if not received:
                raise TypeError("CompiledRead.objects_with_along: the guard has not run")
            return received[0]

        return objects

    def _model_shape(self, using: str) -> _Shape:
        shape = self._shape(using)
        if not shape.model_rows or shape.compiler.query.model is None:
            raise TypeError(
                "CompiledRead.objects needs a queryset of model rows (no values(), annotate() or extra())"
            )
        return shape

    def objects(self, *values: Any, using: str = DEFAULT_DB_ALIAS) -> list[M]:
        """Model instances, with the related ones of `select_related()` in place and the fields `only()` or `defer()`
        leave out deferred, for a queryset of model rows (no `values()`, annotations or extra columns)."""
        shape = self._model_shape(using)
        values = self._values(values)
        if not _storable(values):
            return []
        return _built(shape, shape.run(values, using), using)


class _Pair(Generic[M, N]):
    """The statement of `CompiledRead.objects_with`: the first read (one row at most) beside each row of the other,
    both LATERAL parts of one SELECT; `alone` where it cannot be one (not PostgreSQL, or a value no column holds)."""

    def __init__(
        self,
        first: CompiledRead[M],
        other: CompiledRead[N],
        values: tuple[Any, ...],
        other_values: tuple[Any, ...],
        using: str,
    ) -> None:
        self.shape, self.other_shape = first._model_shape(using), other._model_shape(using)
        values, other_values = first._values(values), other._values(other_values)
        self.using = using
        self.alone = connections[using].vendor != "postgresql" or not (
            _storable(values) and _storable(other_values)
        )
        self.sql, self.params = "", []
        if not self.alone:
            # One row at least: the first read's row (or nulls, "found" telling which) beside each row of the other.
            self.sql = (
                f'SELECT "a".*, "r".* {deferred.beside_read(self.other_shape.sql)} LEFT JOIN LATERAL '
                f'(SELECT true AS "found", "y".* FROM ({self.shape.sql}) AS "y") AS "a" ON true'
            )
            self.params = [*self.other_shape.bind(other_values), *self.shape.bind(values)]

    def split(self, rows: list[Any]) -> tuple[list[M], list[N]]:
        width = 1 + self.shape.width
        if any(row[:width] != rows[0][:width] for row in rows[1:]):
            raise TypeError("CompiledRead.objects_with: the first read found more than one row")
        mine = [tuple(rows[0][1:width])] if rows[0][0] else []
        return (
            _built(self.shape, self.shape.convert(mine), self.using),
            _built(self.other_shape, self.other_shape.convert(deferred.rows_read(rows, width)), self.using),
        )


def _built(shape: _Shape, rows: Iterable[tuple[Any, ...]], using: str) -> list[Any]:
    """Model instances of a model-rows shape's (converted) rows, as ModelIterable builds them."""
    model = shape.compiler.query.model
    attnames, own, populators = shape.attnames, shape.own_columns, shape.populators
    found = []
    for row in rows:
        obj = model.from_db(using, attnames, row[own])
        for populator in populators:
            populator.populate(row, obj)
        found.append(obj)
    return found


def _storable(values: tuple[Any, ...]) -> bool:
    # An integer no column can hold matches no row: the ORM answers so without asking the database, and SQLite's
    # driver would fail to bind it.
    return all(not isinstance(v, int) or -(2**63) <= v < 2**63 for v in values)


_INSERT_ATTR = "_govhall_compiled_inserts"


def insert_objects(
    objs: Sequence[M], *, using: str = DEFAULT_DB_ALIAS, later: bool = False, draw_keys: bool = False
) -> None:
    """`bulk_create(objs)` for the hot path: one INSERT … RETURNING of new instances of one model, the statement's
    text built once per connection, model and row count. Each value is prepared exactly as Django's insert compiler
    prepares it (`pre_save` — `auto_now_add`, file fields storing their file —, then `get_db_prep_save`); the new keys
    are set on the instances, which are then saved ones. Like `bulk_create`, no signal is sent: only for rows that have
    no receivers. A value that is a query expression is refused (the ORM is the way for those).

    `later=True`, for rows the caller drops: inside a `core.deferred.deferring()` block the INSERT waits to go out
    with the block's other trailing writes or the statement after them, and returns no keys (the instances keep
    none); elsewhere it runs at once, keys set. With `draw_keys=True` as well, for rows others point at, the keys
    are drawn ahead on PostgreSQL (core.keys) and go in with the rows: the instances have them at once, queued or
    not."""
    if not objs:
        return
    keyed = draw_keys and keys.draw_into(objs, using)
    model, insert, returning_keys, params = _insert(objs, using, "", keyed=keyed)
    if later and deferred.queue_write(
        using, model._meta.db_table, insert, params, updates=False, rows=len(objs)
    ):
        returned = None  # queued: rows the caller drops get no keys back
    else:
        cursor = kept_cursor(using)
        cursor.execute(insert + returning_keys, params)
        returned = cursor.fetchall() if returning_keys else None
    if returned is not None:
        for obj, (pk,) in zip(objs, returned, strict=True):
            setattr(obj, model._meta.pk.attname, pk)
    _saved(objs, using)


def insert_unless_conflict(obj: Model, *, using: str = DEFAULT_DB_ALIAS) -> bool:
    """`insert_objects([obj])`, or nothing when the row would break one of the table's unique constraints
    (`INSERT … ON CONFLICT DO NOTHING`, on PostgreSQL and SQLite alike): True, with the key set, when the row went
    in. Where a second writer may insert the same row first, this replaces `create()` in a savepoint caught for its
    IntegrityError — one statement instead of three, and the transaction is never broken."""
    insert, returning_keys, params = _insert_unless_conflict(obj, using)
    cursor = kept_cursor(using)
    cursor.execute(insert + returning_keys, params)
    keys = cursor.fetchall()
    return _inserted(obj, keys[0] if keys else None, using)


def insert_unless_conflict_reading(
    obj: Model,
    read: CompiledRead[M],
    *values: Any,
    using: str = DEFAULT_DB_ALIAS,
    unless_found: bool = False,
) -> tuple[bool, list[M]]:
    """`insert_unless_conflict(obj)` with `read.objects(*values)` in the same statement (`objects_beside`: as the
    rows were before the INSERT, in no particular order): (whether the row went in, the objects read).

    `unless_found`: the read finds the row the INSERT would conflict with (a get-or-create). Where the read goes
    first (SQLite), a row found spares the INSERT."""
    if unless_found and connections[using].vendor != "postgresql":
        found = read.objects(*values, using=using)
        if found:
            return False, found
        return insert_unless_conflict(obj, using=using), []
    insert, returning_keys, params = _insert_unless_conflict(obj, using)
    returned, found = read.objects_beside(insert + returning_keys, params, *values, using=using)
    return _inserted(obj, returned, using), found


def _insert_unless_conflict(obj: Model, using: str) -> tuple[str, str, list[Any]]:
    _, insert, returning_keys, params = _insert([obj], using, " ON CONFLICT DO NOTHING")
    if not returning_keys:
        raise TypeError("insert_unless_conflict needs a database that returns the inserted keys")
    return insert, returning_keys, params


def _inserted(obj: Model, returned: Sequence[Any] | None, using: str) -> bool:
    if returned is None:
        return False
    setattr(obj, obj._meta.pk.attname, returned[0])
    _saved([obj], using)
    return True


P = TypeVar("P", bound=Model)


def insert_with_parents(
    pairs: Sequence[tuple[P, M]],
    link: str,
    *,
    using: str = DEFAULT_DB_ALIAS,
    back: str | None = None,
    later: bool = False,
) -> None:
    """Insert new parents and their children, each child's foreign key `link` pointing at its own parent — a task
    and the clock it runs against —, keys set on all and each child's `link` set to its parent. Leave `link` unset
    on the children: their parents have no key yet.

    `back`: an integer column of the parents that takes their own child's key (a clock's `owner_id`: the task it
    runs for, the other way round), set on the parents too. Leave it unset.

    On PostgreSQL the keys of both are drawn ahead (core.keys), so that parent and child name each other as they
    go in (the foreign key is checked at commit, as Django declares it): one statement for all the pairs, or with
    `later=True`, inside a `core.deferred.deferring()` block, two INSERTs queued with the action's trailing writes
    — the keys are known either way. Elsewhere (SQLite: no sequences, no round trips to save) the parents, the
    children, and with `back` one UPDATE of the parents, at once."""
    if not pairs:
        return
    parents = [parent for parent, _ in pairs]
    children = [child for _, child in pairs]
    if any(type(child) is not type(children[0]) for child in children):
        raise TypeError("insert_with_parents: the children must be of one model")
    link_field = _foreign_key(type(children[0]), link)
    if any(getattr(child, link_field.attname) is not None for child in children):
        raise TypeError(f"insert_with_parents: leave {link} unset, the parent's new key goes there")
    back_field = _back_field(parents, back)
    if any(type(parent) is not type(parents[0]) for parent in parents):
        raise TypeError("insert_with_parents: the parents must be of one model")
    if any(obj.pk is not None for obj in (*parents, *children)):
        raise TypeError("insert_with_parents: new instances only (the database assigns the key)")
    if not keys.draw_into(children, using):
        insert_objects(parents, using=using)
        for parent, child in pairs:
            setattr(child, link, parent)
        insert_objects(children, using=using)
        if back_field is not None:
            _link_back(pairs, back_field, using)
        return
    keys.draw_into(parents, using)
    for parent, child in pairs:
        setattr(child, link, parent)
        if back_field is not None:
            setattr(parent, back_field.attname, child.pk)
    parent_model, parents_sql, _, parents_params = _insert(parents, using, "", keyed=True)
    child_model, children_sql, _, children_params = _insert(children, using, "", keyed=True)
    queued = later and deferred.queue_write(
        using, parent_model._meta.db_table, parents_sql, parents_params, updates=False, rows=len(parents)
    )
    if queued:
        deferred.queue_write(
            using,
            child_model._meta.db_table,
            children_sql,
            children_params,
            updates=False,
            rows=len(children),
        )
    else:
        kept_cursor(using).execute(
            f'WITH "parents" AS ({parents_sql}) {children_sql}', [*parents_params, *children_params]
        )
    _saved(parents, using)
    _saved(children, using)


def _back_field(parents: Sequence[Model], back: str | None) -> Any:
    if back is None:
        return None
    if any(type(parent) is not type(parents[0]) for parent in parents):
        raise TypeError("insert_with_parents: with `back`, the parents must be of one model")
    field = parents[0]._meta.get_field(back)
    if not isinstance(field, BigIntegerField) or field.is_relation:  # PositiveBigIntegerField is one too
        raise TypeError(f"insert_with_parents: {back} is not a column of keys (a big integer)")
    if any(getattr(parent, field.attname) is not None for parent in parents):
        raise TypeError(f"insert_with_parents: leave {back} unset, the child's new key goes there")
    return field


def _link_back(pairs: Sequence[tuple[Model, Model]], back_field: Any, using: str) -> None:
    """The parents' `back` column set to their children's keys, one UPDATE for all (the children inserted after)."""
    parent_model = type(pairs[0][0])
    for parent, child in pairs:
        setattr(parent, back_field.attname, child.pk)
    if len(pairs) == 1:
        parent, child = pairs[0]
        update_rows(parent_model, {back_field.name: child.pk}, pk=parent.pk, using=using)
        return
    cases = Computed(
        "CASE {id} " + " ".join(["WHEN %s THEN %s"] * len(pairs)) + " END",
        tuple(item for parent, child in pairs for item in (("id", parent.pk), (back_field.name, child.pk))),
    )
    update_rows(
        parent_model, {back_field.name: cases}, pk__in=[parent.pk for parent, _ in pairs], using=using
    )


def _foreign_key(model: type[Model], name: str) -> ForeignKey[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, ForeignKey):
        raise TypeError(f"insert_with_parents: {model.__name__}.{name} is not a foreign key")
    return field


def _insert(
    objs: Sequence[M], using: str, conflict: str, *, keyed: bool = False
) -> tuple[type[M], str, str, list[Any]]:
    """(model, INSERT text, its RETURNING clause — empty where the database returns no keys, or the keys are
    `keyed`: drawn ahead and written with the rows —, the values)."""
    model = type(objs[0])
    if any(type(obj) is not model for obj in objs):
        raise TypeError("insert_objects: the instances must be of one model")
    meta = model._meta
    if not keyed and any(obj.pk is not None for obj in objs):
        raise TypeError("insert_objects: new instances only (the database assigns the key)")
    for obj in objs:
        # As bulk_create: a foreign key given as an object saved since gets its id, an unsaved one is refused.
        obj._prepare_related_fields_for_save(operation_name="insert_objects")  # type: ignore[attr-defined]
    connection = connections[using]
    fields = _insert_fields(model, "insert_objects")
    if keyed:
        fields = [meta.pk, *fields]
    key = (model, len(objs), conflict, keyed)
    cache: dict[tuple[type[Model], int, str, bool], tuple[str, str]] = _kept_on(connection, _INSERT_ATTR)
    compiled = cache.get(key)
    if compiled is None:
        qn = connection.ops.quote_name
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        insert = (
            f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
            f"VALUES {', '.join([row] * len(objs))}{conflict}"
        )
        returning_keys = (
            f" RETURNING {qn(meta.pk.column)}"
            if connection.features.can_return_rows_from_bulk_insert and not keyed
            else ""
        )
        compiled = cache[key] = (insert, returning_keys)
    insert, returning_keys = compiled
    params = [value for obj in objs for value in _insert_values(obj, fields, connection, "insert_objects")]
    return model, insert, returning_keys, params


def _insert_fields(model: type[Model], caller: str) -> list[Any]:
    """The columns bulk_create writes: all but an auto-incremented key, which the database assigns and returns."""
    meta = model._meta
    if any(getattr(f, "generated", False) for f in meta.local_concrete_fields):
        raise TypeError(f"{caller}: a model with generated columns needs the ORM")
    return [f for f in meta.local_concrete_fields if not (f.primary_key and _auto(f))]


def _insert_values(obj: Model, fields: Sequence[Any], connection: Any, caller: str) -> list[Any]:
    """Each field's value prepared exactly as Django's insert compiler prepares it: `pre_save`, then
    `get_db_prep_save`."""
    values = []
    for field in fields:
        value = field.pre_save(obj, True)
        if hasattr(value, "resolve_expression"):
            raise TypeError(f"{caller}: {field.name} is an expression; use the ORM")
        values.append(field.get_db_prep_save(value, connection=connection))
    return values


def _saved(objs: Sequence[Model], using: str) -> None:
    for obj in objs:
        obj._state.adding = False
        obj._state.db = using


def _auto(field: Any) -> bool:
    return bool(getattr(field, "db_returning", False))


@dataclass(frozen=True)
class Computed:
    """A value the database computes in an UPDATE: SQL with `{column}` names of the model's fields and `%s` for
    each of `params`, given as (field name, value) so that each value is prepared as that field's own
    (`Computed("CASE WHEN {due_at} <= %s THEN %s ELSE %s END", (("due_at", at), ("late", True), ("late", False)))`)."""

    sql: str
    params: tuple[tuple[str, Any], ...] = ()


_UPDATE_ATTR = "_govhall_compiled_updates"


def update_rows(
    model: type[Model],
    values: dict[str, Any],
    *,
    using: str = DEFAULT_DB_ALIAS,
    guard: deferred.Guard | None = None,
    **where: Any,
) -> int:
    """`model.objects.filter(**where).update(**values)` for the hot path, returning the rows changed: the statement's
    text built once per connection and shape (the fields set, the conditions, the length of each `__in` list). A
    condition is an exact match (`pk=`, `state=`; `=None` is `IS NULL`, as in `filter()`) or `name__in=` a
    collection; a value is a plain value or a model instance for a foreign key, prepared as the ORM prepares it
    (`get_db_prep_save`), or a `Computed`. No signal is sent, as with `update()`. With `guard` (a
    `core.deferred.if_changed()` block), the writes queued in the block go out with this UPDATE and take effect
    only if it changes rows."""
    statement = _update_statement(model, values, using, where)
    if guard is not None:
        return guard.run(model._meta.db_table, *statement) if statement is not None else guard.run_nothing()
    if statement is None:
        return 0
    cursor = kept_cursor(using)
    cursor.execute(*statement)
    return int(cursor.rowcount)


def update_later(
    model: type[Model],
    values: dict[str, Any],
    *,
    using: str = DEFAULT_DB_ALIAS,
    counted: Callable[[int], None] | None = None,
    **where: Any,
) -> None:
    """`update_rows` for a write whose row count the caller does not need: inside a `core.deferred.deferring()`
    block it goes out with the block's other trailing writes, elsewhere at once. `counted(rows)`: the caller does
    need it after all, later — inside an `if_changed()` block the write rides on the guard and the guard reports
    it (0 when the guard matched nothing); elsewhere it is sent at once and reported at once."""
    statement = _update_statement(model, values, using, where)
    if statement is None:
        if counted is not None:
            counted(0)
        return
    if deferred.queue_write(using, model._meta.db_table, *statement, updates=True, counted=counted):
        return
    cursor = kept_cursor(using)
    cursor.execute(*statement)
    if counted is not None:
        counted(int(cursor.rowcount))


def _update_statement(
    model: type[Model], values: dict[str, Any], using: str, where: dict[str, Any]
) -> tuple[str, list[Any]] | None:
    if not values:
        raise TypeError("update_rows: nothing to set")
    meta = model._meta
    connection = connections[using]
    conditions: list[tuple[Any, str, list[Any]]] = []
    for name, value in where.items():
        field_name, _, lookup = name.partition("__")
        field = meta.pk if field_name == "pk" else meta.get_field(field_name)
        if lookup == "in":
            items = list(value)
            if not items:
                return None  # as the ORM: an empty IN matches nothing, and no statement is sent
            conditions.append((field, "in", items))
        elif lookup == "":
            # None is IS NULL, as the ORM's filter(name=None) says it.
            conditions.append((field, "exact", [value]) if value is not None else (field, "isnull", []))
        else:
            raise TypeError(f"update_rows: only exact and __in conditions, not {name}")
    sets: list[tuple[Any, Any]] = [(meta.get_field(name), value) for name, value in values.items()]
    shape = (
        model,
        tuple((f.name, v.sql if isinstance(v, Computed) else None) for f, v in sets),
        tuple((f.name, kind, len(items)) for f, kind, items in conditions),
    )
    cache: dict[Any, str] = _kept_on(connection, _UPDATE_ATTR)
    sql = cache.get(shape)
    if sql is None:
        qn = connection.ops.quote_name
        columns = {f.name: qn(f.column) for f in meta.concrete_fields}
        assignments = [
            f"{qn(f.column)} = " + (v.sql.format(**columns) if isinstance(v, Computed) else "%s")
            for f, v in sets
        ]
        tests = [
            f"{qn(f.column)} = %s"
            if kind == "exact"
            else f"{qn(f.column)} IS NULL"
            if kind == "isnull"
            else f"{qn(f.column)} IN ({', '.join(['%s'] * len(items))})"
            for f, kind, items in conditions
        ]
        sql = cache[shape] = (
            f"UPDATE {qn(meta.db_table)} SET {', '.join(assignments)} WHERE {' AND '.join(tests)}"
        )
    params: list[Any] = []
    for field, value in sets:
        if isinstance(value, Computed):
            params.extend(_prepared(meta.get_field(name), v, connection) for name, v in value.params)
        else:
            params.append(_prepared(field, value, connection))
    for field, _kind, items in conditions:
        params.extend(
            field.get_db_prep_value(field.get_prep_value(v), connection, prepared=True) for v in items
        )
    return sql, params


def _prepared(field: Any, value: Any, connection: Any) -> Any:
    if hasattr(value, "resolve_expression"):
        raise TypeError(f"update_rows: {field.name} is an expression; use Computed or the ORM")
    if isinstance(value, Model):
        value = value.prepare_database_save(field)  # a foreign key's instance: its key
    return field.get_db_prep_save(value, connection=connection)
