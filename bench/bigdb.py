"""Load a big PostgreSQL database fast: ≥300k cases with their tasks, clocks, documents, notifications and about
15 audit entries each, with bulk SQL (INSERT … SELECT over generate_series, COPY for the audit chain).

    .venv/bin/python bench/bigdb.py --database-url postgres://postgres@127.0.0.1:5432/govhall_big --cases 300000
    .venv/bin/python bench/bigdb.py --database-url … --cases 2000 --verify     # small, then verify_audit

The database is migrated and seeded with the demo county first when it is empty. stdout is one JSON object
(rows written per table, seconds per phase); progress goes to stderr. A database that already holds cases is
refused unless --append is given (then another batch is added after what is there).

How the history is made — a *template* and its clones:

1. One real lifecycle of the demo joint-review item (bench/cases_bench.py: 13 actions, each its own
   transaction) runs through the case actions, then one round of `run_due_jobs` seals its documents and sends its
   messages. Every row those calls inserted (pk above the table's maximum before) is the template: the case, its
   materials, tasks, joint reviews, clocks, clock pauses, documents, notifications…
2. Each table's template rows are cloned N−1 times in one `INSERT … SELECT … CROSS JOIN generate_series` per
   table. Clone k shifts every primary key by k × (the template's span in that table) and every foreign key that
   points into a cloned table's template range by the same shift of *that* table, so each clone is a complete
   case whose rows point at one another (foreign keys to reference data — departments, users, items, the
   applicant — are kept). Every date and time column moves k mod 365 + 1 days into the past, so the history is
   spread over a year of cases that concluded before today; case numbers are rewritten as YYYYMMDD + a daily
   sequence of that past day (the day counters are raised to match, so today's numbering cannot collide), other
   unique texts get a "-B<k>" suffix. Sealed PDFs (bytea) are kept on the template only: a clone's document is
   sealed, with its digest and signature record, but without the file.
3. The audit chain is written by Python through COPY, entry by entry, with the real hash and MAC functions
   (`govhall.ledger.chain`, `core.hashchain.entry_mac`). The template's entries, written unlinked by its actions
   (docs/audit.md), are linked first (`ledger.link()`); each clone then repeats them with its own case number and
   id, times shifted like its rows, as entries already linked: a fresh nonce, a writer (a random name per 1000
   clones, numbered 1, 2, 3… without a gap, as one worker connection would) and the content MAC, then the seq,
   link hash and entry MAC the linker would have given them; the chain head is moved to the last entry. The chain
   is therefore complete and `manage.py verify_audit` passes over it (it walks every entry: minutes at 4.5M entries,
   `--verify` runs it). The entries' `before`/`after` payloads are the template's (ids inside them are the
   template's; the fields the chain indexes — subject, subject_id, at — are the clone's). The chain's order is load
   order, not time order (clones are dated in the past but appended after the template).

The plain indexes of a cloned table are dropped before its copy and built again after it (same transaction;
`--keep-indexes` inserts through them instead). Foreign-key triggers are switched off while copying (`session_replication_role = replica`: the copy is correct
by construction, and PostgreSQL would otherwise queue one deferred check per row); `--check-fks` then proves
every foreign key of the cloned tables with one anti-join each.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
# Rows of these models are never cloned (shared reference data, counters and chain heads, written another way).
KEEP_LABELS = {
    "cases.applicant",
    "cases.casenumbercounter",
    "documents.documentcounter",
    "ledger.ledgerentry",
    "ledger.ledgerhead",
    "sessions.session",
    "core.auditevent",
    "documents.sealmaker",  # a department's seal and its key: made once, on the first seal
    "documents.seal",
    "stats.dailyfact",  # derived figures, recomputed by the statistics job
}
DAYS = 365


def _log(message: str) -> None:
    print(f"[bigdb] {message}", file=sys.stderr, flush=True)


def _models() -> list[Any]:
    from django.apps import apps

    return [
        m
        for m in apps.get_models()
        if not m._meta.proxy
        and m._meta.managed
        and m._meta.pk is not None
        and m._meta.pk.get_internal_type() in {"AutoField", "BigAutoField"}
    ]


def _max_pks(models: list[Any]) -> dict[Any, int]:
    from django.db import connection

    result = {}
    with connection.cursor() as cur:
        for m in models:
            cur.execute(f'SELECT COALESCE(MAX("{m._meta.pk.column}"), 0) FROM "{m._meta.db_table}"')
            result[m] = int(cur.fetchone()[0])
    return result


def make_template(log: Callable[[str], None] = _log) -> dict[Any, tuple[int, int]]:
    """Run one lifecycle and one job round; return {model: (max pk before, max pk after)} of the tables that
    grew (the template rows are base < pk <= top)."""
    sys.path.insert(0, str(BENCH_DIR))
    import cases_bench
    from govhall.cases.jobs import run_due_jobs

    models = _models()
    item, cast, uploads = cases_bench._prepare()
    before = _max_pks(models)
    cases_bench.lifecycle(999_999, item, cast, uploads, cases_bench._Quiet())
    for _ in range(5):  # seal every document of the lifecycle and send its messages
        done = run_due_jobs(documents=50)
        if not done.get("documents_sealed") and not done.get("notifications_sent"):
            break
    after = _max_pks(models)
    grown = {m: (before[m], after[m]) for m in models if after[m] > before[m]}
    log("template: " + ", ".join(f"{m._meta.label_lower} {hi - lo}" for m, (lo, hi) in grown.items()))
    return grown


def _unique_sets(model: Any) -> list[tuple[str, ...]]:
    meta = model._meta
    sets = [(f.name,) for f in meta.concrete_fields if f.unique and not f.primary_key]
    sets += [tuple(t) for t in meta.unique_together]
    for c in meta.constraints:
        fields = getattr(c, "fields", None)
        if fields and c.__class__.__name__ == "UniqueConstraint":
            sets.append(tuple(fields))
    return sets


def _clone_sql(model: Any, ranges: dict[Any, tuple[int, int]], copies: int) -> tuple[str, list[Any]]:
    """One INSERT … SELECT cloning the template rows of `model` `copies` times (k = 1 … copies)."""
    from django.db import models as djm

    meta = model._meta
    base, top = ranges[model]
    span = top - base
    table = meta.db_table
    cloned_models = {m._meta.label_lower: m for m in ranges}
    remapped: set[str] = {meta.pk.name}
    for f in meta.concrete_fields:
        if (
            f.is_relation
            and f.related_model is not None
            and f.related_model._meta.label_lower in cloned_models
        ):
            remapped.add(f.name)
    # Unique sets that do not contain a remapped column need one column made unique by the clone number.
    suffixed: set[str] = set()
    for fields in _unique_sets(model):
        if not set(fields) & remapped:
            char = [n for n in fields if isinstance(meta.get_field(n), djm.CharField)]
            if not char:
                raise SystemExit(f"bigdb: cannot make {meta.label_lower} {fields} unique per clone")
            suffixed.add(char[0])
    shift = f"(mod(k.k, {DAYS}) + 1) * interval '1 day'"
    columns, exprs = [], []
    for f in meta.concrete_fields:
        col = f'"{f.column}"'
        columns.append(col)
        if f.primary_key:
            exprs.append(f"t.{col} + k.k * {span}")
        elif f.name in remapped:
            rb, rt = ranges[cloned_models[f.related_model._meta.label_lower]]
            exprs.append(
                f"CASE WHEN t.{col} > {rb} AND t.{col} <= {rt} THEN t.{col} + k.k * {rt - rb} ELSE t.{col} END"
            )
        elif meta.label_lower == "cases.case" and f.name == "number":
            # YYYYMMDD of the shifted day + a 6-digit sequence unique within that day.
            exprs.append(
                f"to_char(to_date(left(t.{col}, 8), 'YYYYMMDD') - (mod(k.k, {DAYS}) + 1), 'YYYYMMDD')"
                f" || lpad((k.k / {DAYS} + 1)::text, 6, '0')"
            )
        elif f.name in suffixed:
            exprs.append(f"left(t.{col}, {f.max_length or 64} - 8) || '-B' || k.k")
        elif isinstance(f, djm.DateTimeField):
            exprs.append(f"t.{col} - {shift}")
        elif isinstance(f, djm.DateField):
            exprs.append(f"(t.{col} - {shift})::date")
        elif isinstance(f, djm.BinaryField):
            exprs.append("NULL" if f.null else "''::bytea")
        else:
            exprs.append(f"t.{col}")
    sql = (
        f'INSERT INTO "{table}" ({", ".join(columns)}) SELECT {", ".join(exprs)} '
        f'FROM "{table}" t CROSS JOIN generate_series(1, %s) AS k(k) '
        f'WHERE t."{meta.pk.column}" > %s AND t."{meta.pk.column}" <= %s'
    )
    return sql, [copies, base, top]


# One writer (docs/audit.md: one database connection under a random name) per this many cloned lifecycles, its
# numbers 1, 2, 3… without a gap across them, as a worker connection that served them one after the other.
LIFECYCLES_PER_WRITER = 1000


def clone_ledger(case_range: tuple[int, int], copies: int, log: Callable[[str], None] = _log) -> int:
    """Append the clones' audit entries (COPY), already linked, and move the head; returns the entries written.

    The template's own entries are linked first (`ledger.link()`), so the chain is complete before the clones are
    added after it. Each clone entry is what the action would have written unlinked — a fresh nonce, its writer's
    next number, the content MAC (`chain.body_mac`) — and what the linker would then have made of it: seq, prev_hash,
    the hash over the fields *with* nonce, writer and writer number, and the entry MAC."""
    import secrets

    from django.db import connection

    from govhall.core.hashchain import canonical, entry_mac, mac_key
    from govhall.ledger.actions import HEAD_PK, link
    from govhall.ledger.chain import body_mac, body_payload, entry_hash, payload
    from govhall.ledger.models import LedgerEntry, LedgerHead

    link()  # the template's entries (and anything else committed unlinked) join the chain first
    base, top = case_range
    span = top - base
    with connection.cursor() as cur:
        cur.execute(
            'SELECT id, number FROM "cases_case" WHERE id > %s AND id <= %s',
            [base, base + span * (copies + 1)],
        )
        number_of = dict(cur.fetchall())
    template = [
        e
        for e in LedgerEntry.objects.filter(subject_id__gt=base, subject_id__lte=top, seq__isnull=False)
        .order_by("seq")
        .values()
        if number_of.get(e["subject_id"]) == e["subject"]
    ]
    head = LedgerHead.objects.select_for_update().get(pk=HEAD_PK)
    seq, previous = head.seq, head.hash
    key = mac_key()
    columns = [f.column for f in LedgerEntry._meta.concrete_fields if not f.primary_key]
    written = 0
    writer, writer_seq = "", 0
    raw = connection.connection  # psycopg 3 connection under Django's
    with (
        raw.cursor() as cur,
        cur.copy(f'COPY "ledger_ledgerentry" ({", ".join(columns)}) FROM STDIN') as copy,
    ):
        for k in range(1, copies + 1):
            if (k - 1) % LIFECYCLES_PER_WRITER == 0:
                writer, writer_seq = secrets.token_hex(16), 0
            delta = dt.timedelta(days=k % DAYS + 1)
            for e in template:
                seq += 1
                writer_seq += 1
                case_id = e["subject_id"] + k * span
                fields = {
                    "at": e["at"] - delta,
                    "actor_id": e["actor_id"],
                    "actor_name": e["actor_name"],
                    "actor_role": e["actor_role"],
                    "subject": number_of[case_id],
                    "subject_id": case_id,
                    "action": e["action"],
                    "before": e["before"],
                    "after": e["after"],
                    "opinion": e["opinion"],
                    "nonce": secrets.token_hex(16),
                    "writer": writer,
                    "writer_seq": writer_seq,
                }
                digest = entry_hash(previous, payload(seq=seq, **fields))
                row = {
                    **fields,
                    "seq": seq,
                    "prev_hash": previous,
                    "hash": digest,
                    "mac": entry_mac(digest, key),
                    "body_mac": body_mac(body_payload(**fields), key),
                    "before": None if e["before"] is None else canonical(e["before"]),
                    "after": None if e["after"] is None else canonical(e["after"]),
                }
                copy.write_row([row[c] for c in columns])
                previous = digest
                written += 1
            if k % 20000 == 0:
                log(f"audit chain: {k}/{copies} clones")
    LedgerHead.objects.filter(pk=HEAD_PK).update(seq=seq, hash=previous)
    return written


def _plain_indexes(cur: Any, table: str) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the table's indexes that back no constraint."""
    cur.execute(
        """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
           LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid
           WHERE i.indrelid = %s::regclass AND c.oid IS NULL AND NOT i.indisunique AND NOT i.indisprimary""",
        [f'"{table}"'],
    )
    return [(str(name), str(definition)) for name, definition in cur.fetchall()]


def load(
    cases: int, *, check_fks: bool = False, keep_indexes: bool = False, log: Callable[[str], None] = _log
) -> dict[str, Any]:
    """Fill the (migrated, seeded) database of the current Django connection with `cases` cases; returns figures."""
    from django.db import connection, transaction

    from govhall.core import keys

    if connection.vendor != "postgresql":
        raise SystemExit("bigdb loads PostgreSQL only")
    started = time.perf_counter()
    phases: dict[str, float] = {}
    ranges = make_template(log)
    phases["template_s"] = round(time.perf_counter() - started, 2)
    ranges = {m: r for m, r in ranges.items() if m._meta.label_lower not in KEEP_LABELS}
    case_model = next(m for m in ranges if m._meta.label_lower == "cases.case")
    if ranges[case_model][1] - ranges[case_model][0] != 1:
        raise SystemExit("bigdb: the template must hold exactly one case")
    copies = cases - 1
    rows: dict[str, int] = {}
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL session_replication_role = replica")
        cur.execute("SET LOCAL synchronous_commit = off")
        cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for model in ranges:
            sql, params = _clone_sql(model, ranges, copies)
            t = time.perf_counter()
            # Plain indexes (not those behind a primary key or a unique constraint) are dropped for the copy and
            # built again after it, in the same transaction: one sort instead of millions of index insertions.
            indexes = [] if keep_indexes else _plain_indexes(cur, model._meta.db_table)
            for name, _definition in indexes:
                cur.execute(f"DROP INDEX {name}")
            cur.execute(sql, params)
            rows[model._meta.label_lower] = cur.rowcount
            for _name, definition in indexes:
                cur.execute(definition)
            log(
                f"{model._meta.label_lower}: {rows[model._meta.label_lower]} rows in {time.perf_counter() - t:.1f}s"
            )
        # Identity sequences past the clones.
        for model in ranges:
            table, pk = model._meta.db_table, model._meta.pk.column
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{pk}'), "
                f'(SELECT MAX("{pk}") FROM "{table}"))'
            )
        # Keys this process drew ahead before the copy (govhall.core.keys) may be among the clones' keys.
        keys.forget()
        # The daily case-number counters of the past days, at the highest number used that day.
        cur.execute(
            """INSERT INTO cases_casenumbercounter (day, last)
               SELECT to_date(left(number, 8), 'YYYYMMDD'), MAX(right(number, 6)::int) FROM cases_case
               WHERE number ~ '^[0-9]{14}$' GROUP BY 1
               ON CONFLICT (day) DO UPDATE SET last = GREATEST(cases_casenumbercounter.last, EXCLUDED.last)"""
        )
    phases["clone_rows_s"] = round(time.perf_counter() - t0, 2)
    t0 = time.perf_counter()
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SET LOCAL synchronous_commit = off")
        rows["ledger.ledgerentry"] = clone_ledger(ranges[case_model], copies, log)
    phases["audit_chain_s"] = round(time.perf_counter() - t0, 2)
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        for model in ranges:
            cur.execute(f'ANALYZE "{model._meta.db_table}"')
        cur.execute('ANALYZE "ledger_ledgerentry"')
    phases["analyze_s"] = round(time.perf_counter() - t0, 2)
    result: dict[str, Any] = {"cases": cases, "rows": rows}
    if check_fks:
        t0 = time.perf_counter()
        result["fk_violations"] = check_foreign_keys(list(ranges))
        phases["check_fks_s"] = round(time.perf_counter() - t0, 2)
    phases["total_s"] = round(time.perf_counter() - started, 2)
    result["seconds"] = phases
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM cases_case")
        result["cases_in_db"] = cur.fetchone()[0]
        cur.execute("SELECT COUNT(*) FROM ledger_ledgerentry")
        result["ledger_entries_in_db"] = cur.fetchone()[0]
        cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        result["database_size"] = cur.fetchone()[0]
    return result


def check_foreign_keys(models: list[Any]) -> dict[str, int]:
    """Rows whose foreign key names a missing row, per constrained column of the given models (all 0 when sound)."""
    from django.db import connection

    bad: dict[str, int] = {}
    with connection.cursor() as cur:
        for m in models:
            for f in m._meta.concrete_fields:
                if not f.is_relation or f.related_model is None or not getattr(f, "db_constraint", False):
                    continue
                target = f.target_field
                cur.execute(
                    f'SELECT COUNT(*) FROM "{m._meta.db_table}" a WHERE a."{f.column}" IS NOT NULL AND NOT EXISTS '
                    f'(SELECT 1 FROM "{f.related_model._meta.db_table}" b WHERE b."{target.column}" = a."{f.column}")'
                )
                count = cur.fetchone()[0]
                if count:
                    bad[f"{m._meta.label_lower}.{f.name}"] = count
    return bad


def verify_chain() -> dict[str, Any]:
    from govhall.ledger.actions import verify

    t0 = time.perf_counter()
    report = verify()
    return {
        "ok": report.ok,
        "checked": report.checked,
        "reason": report.reason_zh,
        "seconds": round(time.perf_counter() - t0, 1),
    }


def prepare_database(log: Callable[[str], None] = _log) -> None:
    """migrate + seed_demo (quietly)."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from govhall.catalog.models import ServiceItem

    if not ServiceItem.objects.exists():
        log("seed_demo")
        with open(os.devnull, "w") as devnull:
            call_command("seed_demo", verbosity=0, stdout=devnull)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or None, required=False)
    parser.add_argument("--cases", type=int, default=300_000)
    parser.add_argument("--append", action="store_true", help="add to a database that already holds cases")
    parser.add_argument(
        "--check-fks", action="store_true", help="prove every foreign key of the cloned tables"
    )
    parser.add_argument("--verify", action="store_true", help="walk the whole audit chain afterwards")
    parser.add_argument(
        "--keep-indexes", action="store_true", help="insert through the indexes instead of rebuilding them"
    )
    parser.add_argument("--drop", action="store_true", help="drop the database at the end (a throwaway run)")
    args = parser.parse_args(argv)
    if not args.database_url:
        raise SystemExit("bigdb needs --database-url postgres://… (PostgreSQL only)")
    sys.path.insert(0, str(BENCH_DIR))
    import run as bench_run

    var_dir = tempfile.mkdtemp(prefix="govhall-bigdb-")
    try:
        bench_run._configure_environment(args.database_url, var_dir)
        with contextlib.ExitStack() as stack:
            existed = (
                stack.enter_context(bench_run._postgres_database(args.database_url)) if args.drop else None
            )
            if not args.drop:
                _create_if_missing(args.database_url)
            import django

            django.setup()
            prepare_database()
            from govhall.cases.models import Case

            if Case.objects.exists() and not args.append:
                raise SystemExit("bigdb: the database already holds cases (use --append, or a new database)")
            result = load(args.cases, check_fks=args.check_fks, keep_indexes=args.keep_indexes)
            if args.verify:
                _log("verify_audit (walks every entry)")
                result["verify_audit"] = verify_chain()
            del existed
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def _create_if_missing(url: str) -> None:
    from urllib.parse import urlsplit, urlunsplit

    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(("postgresql", parts.netloc, "/postgres", parts.query, ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            _log(f"created database {name!r}")


if __name__ == "__main__":
    sys.exit(main())
