"""On PostgreSQL, refuse UPDATE and DELETE on the ledger table at the database level.

The hash chain detects any change afterwards; this trigger stops the accidental ones (a stray UPDATE in psql, an
admin script) before they happen. Nothing in the application updates or deletes entries.

Repair procedure (only with a written authorisation, and record it): in one transaction,

    BEGIN;
    SET LOCAL govhall.ledger_maintenance = 'on';
    -- the authorised UPDATE/DELETE on ledger_ledgerentry
    COMMIT;

then run `manage.py verify_audit`. SET LOCAL ends with the transaction, so the guard is back on by itself.
TRUNCATE is not guarded (row triggers do not fire on it, and the test suite's flush relies on it): run the
application under a database role without the TRUNCATE privilege on this table.

SQLite has no session settings a trigger could read, and the test suite empties tables with DELETE there, so
the guard is PostgreSQL-only; on SQLite only the hash chain protects the entries."""

from django.db import migrations

CREATE = [
    """
CREATE OR REPLACE FUNCTION govhall_ledger_append_only() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('govhall.ledger_maintenance', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '办件审计链只能追加，不能修改或删除（% 第 % 条记录被拒绝）', TG_OP, OLD.seq
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Authorised repairs: SET LOCAL govhall.ledger_maintenance = ''on'' in the same transaction.';
END;
$$ LANGUAGE plpgsql
""",
    "DROP TRIGGER IF EXISTS ledger_entry_append_only ON ledger_ledgerentry",
    """
CREATE TRIGGER ledger_entry_append_only
    BEFORE UPDATE OR DELETE ON ledger_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION govhall_ledger_append_only()
""",
]

DROP = [
    "DROP TRIGGER IF EXISTS ledger_entry_append_only ON ledger_ledgerentry",
    "DROP FUNCTION IF EXISTS govhall_ledger_append_only()",
]


def create_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            # params=None: the text is sent as is, so the % of RAISE is not taken for a placeholder.
            schema_editor.execute(statement, params=None)


def drop_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(create_guard, drop_guard)]
