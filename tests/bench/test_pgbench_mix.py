"""The pgbench replay's copy keeps UNIQUE the tables the mix writes only with ON CONFLICT: repeated, such an INSERT must
do what it does in govhall (nothing, or raise a counter), not pile up duplicates that later reads of the mix would
return — and a conflict target needs its index."""

from __future__ import annotations

from .scripts import load


def test_only_tables_every_insert_of_which_skips_a_conflict_keep_their_unique_indexes() -> None:
    mix = [
        [
            (
                "submit",
                ['INSERT INTO "applicant" ("name") VALUES (\'甲\') ON CONFLICT DO NOTHING RETURNING "id"'],
            ),
            (
                "accept",
                [
                    'WITH "w0" AS (INSERT INTO "through" VALUES (1, 2)), '
                    '"w1" AS (INSERT INTO "counter" VALUES (1) ON CONFLICT DO NOTHING) '
                    'INSERT INTO "ledger" VALUES (3)'
                ],
            ),
        ],
        [
            ("open", ['INSERT INTO "review" VALUES (1) ON CONFLICT DO NOTHING RETURNING "id"']),
            (
                "decide",
                [
                    'INSERT INTO "doc_counter" ("kind", "last") VALUES (\'a\', 1), (\'b\', 1) '
                    'ON CONFLICT ("kind") DO UPDATE SET "last" = "doc_counter"."last" + 1 RETURNING "kind", "last"'
                ],
            ),
            ("again", ['INSERT INTO "counter" VALUES (2)', 'SELECT "id" FROM "review"']),
        ],
    ]
    # "counter" has a plain INSERT too (in the second lifecycle): made plain, or that INSERT would collide.
    assert load("pgbench_mix").tables_inserted_only_on_conflict(mix) == {"applicant", "review", "doc_counter"}


def test_rows_inserted_with_keys_drawn_ahead_take_fresh_keys_in_the_replay() -> None:
    """A case, its clocks, a task go in with keys govhall drew ahead: replayed, each row takes the next key of its
    table's sequence (the captured one exists already); what points at them, and every other value — quoted texts
    with parentheses, doubled quotes and escaped ones included —, stays as captured."""
    sql = (
        'WITH "w0" AS (INSERT INTO "clocks_clock" ("id", "label", "note") VALUES '
        "(65, 'a''(b', E'x\\'y)\\\\'), (66, 'c', '(')), "
        '"w1" AS (INSERT INTO "cases_task" ("id", "case_id") VALUES (7, 65)) '
        'INSERT INTO "ledger_ledgerentry" ("seq", "subject_id") VALUES (NULL, 65)'
    )
    clock, task = (
        f"nextval(pg_get_serial_sequence('\"{t}\"', 'id'))" for t in ("clocks_clock", "cases_task")
    )
    assert load("pgbench_mix").fresh_keys(sql) == (
        'WITH "w0" AS (INSERT INTO "clocks_clock" ("id", "label", "note") VALUES '
        f"({clock}, 'a''(b', E'x\\'y)\\\\'), ({clock}, 'c', '(')), "
        f'"w1" AS (INSERT INTO "cases_task" ("id", "case_id") VALUES ({task}, 65)) '
        'INSERT INTO "ledger_ledgerentry" ("seq", "subject_id") VALUES (NULL, 65)'
    )
