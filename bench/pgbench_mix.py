"""The PostgreSQL limit for govhall's statement mix on this machine: one lifecycle's statements, replayed by pgbench.

    .venv/bin/python bench/pgbench_mix.py --database-url postgres://postgres@127.0.0.1:5432/govhall_mix [--seconds 10]

1. **Capture.** Two lifecycles of bench/cases_bench.py (the demo joint-review item, 13 actions) run through the case
   actions on the given database (migrated and seeded first when empty); every statement each action sends is
   recorded with its parameters bound, as the server received it (Django's client-side binding).
2. **Replay copy.** The database is copied (`CREATE DATABASE … TEMPLATE`) and, in the copy only, every UNIQUE index
   is rebuilt as a plain index on the same columns: the replayed INSERTs repeat the captured values (case number,
   audit seq, document number…) and must not collide, while every index still costs what it costs. A table the mix
   writes only with `INSERT … ON CONFLICT` (an applicant on record, a joint review per case and step: `DO
   NOTHING`; a grant's two document counters: `DO UPDATE`) keeps its UNIQUE indexes: repeated, such an INSERT does
   what the same INSERT does when it meets its row in govhall (nothing, or raise the counter) — and its conflict
   target needs the index. A row that went in with a key drawn ahead (a case, a clock, a task: govhall.core.keys)
   takes a fresh key from its sequence in the replay (`fresh_keys`), as it did when it took its key on the way in. Made plain, it would add a duplicate each time, and a read that joins those rows to others (the
   branch tasks with their review) would return more of them every replay: the replay would slow down as it runs.
3. **pgbench, prepared** (`-M prepared`): one pgbench transaction = one lifecycle = the 13 actions' captured
   statements, each action's `BEGIN … COMMIT` included (psycopg 3 sends BEGIN and COMMIT as statements: they are
   captured and counted, as `cases_bench.py` counts them); an action captured without them (a claim or a delivery
   on its own: one write, no transaction, docs/cases.md) is replayed without them, each statement committing by
   itself, as it ran. Client 0 replays lifecycle A, client 1 lifecycle B, so two clients
   update different case rows (as two servers would) and meet where govhall's writers meet (the day's case-number
   counter, the documents' counters; the audit entries are INSERTed unlinked, with no shared row — their linking
   is the linker's work, not in the mix: `cases_bench.link_rate`, the throughput table's linker line).
   tps = lifecycles/s, run for 1 and 2 clients.
4. **One server call per action**: each action's statements become one PL/pgSQL function (SELECT → PERFORM,
   RETURNING dropped, savepoints dropped; static SQL, so its plans are cached) and the script calls the 13
   functions, each in its own transaction. This is the floor for a design that sends one round trip per action.

The replay knows nothing of Python: it is what PostgreSQL alone costs for the same statements and commits
(13 commits per lifecycle, each waiting for its WAL flush). The copy is dropped at the end. stdout: one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Collection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent


def _log(message: str) -> None:
    print(f"[pgbench_mix] {message}", file=sys.stderr, flush=True)


class _Capture:
    """A cases_bench recorder that keeps the statements of each action (in order), as they went out: Django's query
    log (which also has BEGIN and COMMIT) keeps the text a statement was given, and a statement that carried the
    action's queued trailing writes (govhall.core.deferred) went out with them as its WITH parts, so those
    statements are taken from an execute wrapper instead."""

    def __init__(self) -> None:
        self.actions: list[tuple[str, list[str]]] = []

    def call(self, name: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        connection.queries_log.clear()  # positions in the log stay exact (it keeps its last 9000 entries)
        wire: dict[int, str] = {}

        def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            position = len(connection.queries_log)  # where Django will log this statement once it has run
            wire[position] = connection.ops.compose_sql(sql, params) if params is not None else sql
            return execute(sql, params, many, context)

        with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(record):
            result = fn(*args, **kwargs)
        logged = [q["sql"] for q in captured.captured_queries]
        sent = [wire.get(captured.initial_queries + n, sql) for n, sql in enumerate(logged)]
        self.actions.append((name, sent))
        return result


def capture(lifecycles: int = 2, *, warmup: bool = True) -> list[list[tuple[str, list[str]]]]:
    """Run `lifecycles` lifecycles (after one warm-up) and return their statements per action."""
    sys.path.insert(0, str(BENCH_DIR))
    import cases_bench

    item, cast, uploads = cases_bench._prepare()
    if warmup:
        cases_bench.lifecycle(880_000, item, cast, uploads, cases_bench._Quiet())
    result = []
    for i in range(lifecycles):
        rec = _Capture()
        cases_bench.lifecycle(880_001 + i, item, cast, uploads, rec)
        result.append(rec.actions)
    return result


def _statement(sql: str) -> str:
    return sql.strip().rstrip(";") + ";"


def script_prepared(mix: list[list[tuple[str, list[str]]]]) -> str:
    """A pgbench script: client n replays lifecycle n mod len(mix), each action as it ran (in its own BEGIN …
    COMMIT when it had one, statement by statement in autocommit when it had none)."""
    lines: list[str] = []
    for n, actions in enumerate(mix):
        lines.append(
            f"\\if :client_id % {len(mix)} = {n}" if n == 0 else f"\\elif :client_id % {len(mix)} = {n}"
        )
        for _name, statements in actions:
            # psycopg 3 sends (and Django logs) BEGIN and COMMIT of an atomic block: they are in the capture.
            lines.extend(_statement(s) for s in statements)
    lines.append("\\endif")
    return "\n".join(lines) + "\n"


_RETURNING = re.compile(r"\s+RETURNING\s+[^']*$", re.IGNORECASE | re.DOTALL)


def _plpgsql(sql: str) -> str | None:
    s = sql.strip().rstrip(";")
    head = s.split(None, 1)[0].upper()
    if head in {"BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK"}:
        return None  # a function body is one transaction step; the captured run never rolled back
    if head == "SELECT":
        return "PERFORM " + s[len("SELECT") :].lstrip() + ";"
    if head == "WITH" and _main_verb(s) == "SELECT":
        # A read that carried an action's queued writes (govhall.core.deferred): PERFORM cannot take a data-modifying
        # WITH, so its rows go into a variable and are dropped.
        return s + " INTO _r;"
    return _RETURNING.sub("", s) + ";"


def _main_verb(sql: str) -> str:
    """The verb of a WITH statement's main part: the first SELECT/INSERT/UPDATE/DELETE outside parentheses,
    quotes and quoted names."""
    depth, quote, i = 0, "", 0
    while i < len(sql):
        ch = sql[i]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0 and ch.isalpha() and (i == 0 or not sql[i - 1].isalnum()):
            word = re.match(r"[A-Za-z]+", sql[i:])
            if word and word.group(0).upper() in {"SELECT", "INSERT", "UPDATE", "DELETE"}:
                return word.group(0).upper()
            i += len(word.group(0)) if word else 1
            continue
        i += 1
    return ""


def functions_sql(mix: list[list[tuple[str, list[str]]]]) -> tuple[str, str]:
    """(CREATE FUNCTION statements, the pgbench script calling them): one function per action."""
    ddl: list[str] = []
    lines: list[str] = []
    for n, actions in enumerate(mix):
        lines.append(
            f"\\if :client_id % {len(mix)} = {n}" if n == 0 else f"\\elif :client_id % {len(mix)} = {n}"
        )
        for a, (_name, statements) in enumerate(actions):
            body = "\n".join(b for b in (_plpgsql(s) for s in statements) if b)
            fn = f"bench_mix_l{n}_a{a}"
            ddl.append(
                f"CREATE FUNCTION {fn}() RETURNS void LANGUAGE plpgsql AS $bench$\nDECLARE _r record;\nBEGIN\n{body}\n"
                "END\n$bench$;"
            )
            lines.append(f"SELECT {fn}();")
    lines.append("\\endif")
    return "\n".join(ddl), "\n".join(lines) + "\n"


def _admin_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(("postgresql", parts.netloc, "/postgres", parts.query, ""))


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def tables_inserted_only_on_conflict(mix: list[list[tuple[str, list[str]]]]) -> set[str]:
    """The tables every INSERT of the mix writes with an ON CONFLICT clause, DO NOTHING or DO UPDATE (an INSERT's own
    text runs up to the next INSERT of the statement: the parts of a writable CTE each have theirs)."""
    guarded: set[str] = set()
    plain: set[str] = set()
    for actions in mix:
        for _name, statements in actions:
            for statement in statements:
                parts = _INSERT.split(statement)
                # split() with one group: [before, table, its text, table, its text, …]
                for table, text in zip(parts[1::2], parts[2::2], strict=True):
                    (guarded if " ON CONFLICT " in text else plain).add(table)
    return guarded - plain


_INSERT = re.compile(r'INSERT INTO "([^"]+)"')


# An INSERT of rows whose keys govhall drew ahead from their sequence (govhall.core.keys): the key is its first column.
_KEYED_INSERT = re.compile(r'INSERT INTO "([^"]+)" \("id", [^)]*\) VALUES ')


def fresh_keys(sql: str) -> str:
    """`sql` with each row that went in with a key drawn ahead (a case, its clocks, a task) taking a fresh key from its
    table's sequence instead: replayed, the captured key exists already. What points at such a row keeps the
    captured key — a row that exists, so foreign keys are still checked —, as it did when those rows took their key
    from the sequence as they went in; the replay pays one `nextval` per row where govhall draws a block per
    statement."""
    out: list[str] = []
    last = 0
    for match in _KEYED_INSERT.finditer(sql):
        sequence = f"nextval(pg_get_serial_sequence('\"{match.group(1)}\"', 'id'))"
        i = match.end()
        while i < len(sql) and sql[i] == "(":
            key = re.match(r"\d+", sql[i + 1 :])
            if key is None:
                raise ValueError(f"a keyed INSERT whose row does not begin with its key: {sql[i : i + 80]}")
            out.append(sql[last : i + 1])
            out.append(sequence)
            last = i + 1 + key.end()
            i = _row_end(sql, i)
            if sql.startswith(", (", i):
                i += 2
            else:
                break
    out.append(sql[last:])
    return "".join(out)


def _row_end(sql: str, i: int) -> int:
    """The position after the parenthesised row that opens at `i`, its quoted values (standard '…' with '' inside, and
    E'…' with backslash escapes) skipped whole."""
    depth = 0
    while i < len(sql):
        ch = sql[i]
        if ch == "'":
            escapes = i > 0 and sql[i - 1] in "Ee"
            i += 1
            while i < len(sql):
                if escapes and sql[i] == "\\":
                    i += 2
                    continue
                if sql[i] == "'":
                    if sql.startswith("''", i):
                        i += 2
                        continue
                    break
                i += 1
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("an INSERT row without its closing parenthesis")


@contextlib.contextmanager
def replay_copy(url: str, keep_unique: Collection[str] = ()) -> Any:
    """A copy of the database with its UNIQUE indexes made plain, but those of the tables in `keep_unique`; yields
    its URL, drops it afterwards."""
    import psycopg
    from psycopg import sql

    source = urlsplit(url).path.lstrip("/")
    name = f"{source}_replay"[:63]
    with psycopg.connect(_admin_url(url), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        # CREATE DATABASE … TEMPLATE needs the source without sessions (ours are closed by the caller).
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [source],
        )
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(source))
        )
    copy_url = _with_db(url, name)
    try:
        with psycopg.connect(copy_url, autocommit=True) as conn:
            rows = conn.execute(
                """SELECT i.indexrelid::regclass::text, c.conname, t.relname, pg_get_indexdef(i.indexrelid)
                   FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
                   JOIN pg_namespace ns ON ns.oid = t.relnamespace AND ns.nspname = 'public'
                   LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.contype = 'u'
                   WHERE i.indisunique AND NOT i.indisprimary"""
            ).fetchall()
            for index, constraint, table, definition in rows:
                if table in keep_unique:
                    continue
                # one a foreign key depends on stays unique
                with contextlib.suppress(psycopg.Error), conn.transaction():
                    if constraint:
                        conn.execute(
                            sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                                sql.Identifier(table), sql.Identifier(constraint)
                            )
                        )
                    else:
                        conn.execute(sql.SQL("DROP INDEX {}").format(sql.SQL(index)))
                    conn.execute(definition.replace("CREATE UNIQUE INDEX", "CREATE INDEX", 1))
        yield copy_url
    finally:
        with psycopg.connect(_admin_url(url), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def pgbench(url: str, script: str, clients: int, seconds: float, work_dir: str) -> dict[str, Any]:
    path = Path(work_dir) / f"mix-{clients}-{abs(hash(script)) % 10**8}.sql"
    path.write_text(script, encoding="utf-8")
    parts = urlsplit(url)
    env = dict(os.environ)
    if parts.password:
        env["PGPASSWORD"] = parts.password
    cmd = [
        "pgbench",
        "-n",
        "-M",
        "prepared",
        "-c",
        str(clients),
        "-j",
        str(clients),
        "-T",
        str(max(1, round(seconds))),
        "-h",
        parts.hostname or "127.0.0.1",
        "-p",
        str(parts.port or 5432),
        "-U",
        parts.username or "postgres",
        "-f",
        str(path),
        parts.path.lstrip("/"),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    out = proc.stdout + proc.stderr
    tps = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", out)
    failed = re.search(r"number of failed transactions: (\d+)", out)
    if proc.returncode != 0 or tps is None:
        raise SystemExit(f"pgbench failed ({proc.returncode}):\n{out[-3000:]}")
    done = re.search(r"number of transactions actually processed: (\d+)", out)
    return {
        "clients": clients,
        "lifecycles_per_s": round(float(tps.group(1)), 1),
        "lifecycles": int(done.group(1)) if done else None,
        "failed": int(failed.group(1)) if failed else 0,
    }


def replay(
    url: str, mix: list[list[tuple[str, list[str]]]], seconds: float, clients: tuple[int, ...] = (1, 2)
) -> dict[str, Any]:
    """Run both replays on a copy of `url`'s database (whose Django connections must be closed)."""
    import psycopg

    work_dir = tempfile.mkdtemp(prefix="govhall-pgbench-")
    result: dict[str, Any] = {
        "statements_per_lifecycle": round(sum(len(s) for _n, s in mix[0]), 1),
        "transactions_per_lifecycle": len(mix[0]),
    }
    mix = [[(name, [fresh_keys(s) for s in statements]) for name, statements in actions] for actions in mix]
    try:
        with replay_copy(url, tables_inserted_only_on_conflict(mix)) as copy_url:
            prepared = script_prepared(mix)
            result["prepared"] = [pgbench(copy_url, prepared, c, seconds, work_dir) for c in clients]
            ddl, calls = functions_sql(mix)
            with psycopg.connect(copy_url, autocommit=True) as conn:
                conn.execute(ddl)
            result["one_call_per_action"] = [pgbench(copy_url, calls, c, seconds, work_dir) for c in clients]
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or None)
    parser.add_argument("--seconds", type=float, default=10.0, help="per pgbench run (default 10)")
    parser.add_argument("--mix-out", default="", help="also write the captured statements here (JSON)")
    args = parser.parse_args(argv)
    if not args.database_url:
        raise SystemExit("pgbench_mix needs --database-url postgres://… (PostgreSQL only)")
    sys.path.insert(0, str(BENCH_DIR))
    import bigdb
    import run as bench_run

    var_dir = tempfile.mkdtemp(prefix="govhall-mix-")
    try:
        bench_run._configure_environment(args.database_url, var_dir)
        bigdb._create_if_missing(args.database_url)
        import django

        django.setup()
        from django.db import connections

        bigdb.prepare_database(_log)
        _log("capturing two lifecycles")
        mix = capture(2)
        connections.close_all()
        if args.mix_out:
            Path(args.mix_out).write_text(json.dumps(mix, ensure_ascii=False, indent=1), encoding="utf-8")
        _log("replaying with pgbench")
        result = replay(args.database_url, mix, args.seconds)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
