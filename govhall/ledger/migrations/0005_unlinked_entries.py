# Entries are written unlinked by the case actions and chained by the linker (docs/audit.md): seq, prev_hash and hash
# stay empty until then; nonce, writer, writer_seq and body_mac seal the unlinked entry.
#
# On PostgreSQL the append-only trigger (0002) is replaced by one that allows exactly one more change: the linker
# filling in seq, prev_hash, hash and mac of an entry that has none, leaving everything else as it was. Deleting an
# unlinked entry, or changing it in any other way, is refused as before (the repair setting still lifts the guard).

import importlib

from django.conf import settings
from django.db import migrations, models


GUARD = """
CREATE OR REPLACE FUNCTION govhall_ledger_append_only() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('govhall.ledger_maintenance', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL
        AND OLD.prev_hash = '' AND OLD.hash = '' AND OLD.mac = ''
        AND NEW.prev_hash <> '' AND NEW.hash <> '' AND NEW.mac <> ''
        AND (NEW.id, NEW.at, NEW.actor_id, NEW.actor_name, NEW.actor_role, NEW.subject, NEW.subject_id, NEW.action,
             NEW.before, NEW.after, NEW.opinion, NEW.nonce, NEW.writer, NEW.writer_seq, NEW.body_mac)
            IS NOT DISTINCT FROM
            (OLD.id, OLD.at, OLD.actor_id, OLD.actor_name, OLD.actor_role, OLD.subject, OLD.subject_id, OLD.action,
             OLD.before, OLD.after, OLD.opinion, OLD.nonce, OLD.writer, OLD.writer_seq, OLD.body_mac)
    THEN
        RETURN NEW;  -- the linker chaining an unlinked entry, once
    END IF;
    RAISE EXCEPTION '办件审计链只能追加，不能修改或删除（% 第 % 条记录被拒绝）', TG_OP,
        coalesce(OLD.seq::text, '（待链接，标识 ' || OLD.id || '）')
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Authorised repairs: SET LOCAL govhall.ledger_maintenance = ''on'' in the same transaction.';
END;
$$ LANGUAGE plpgsql
"""


def linking_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # params=None: the text is sent as is, so the % of RAISE is not taken for a placeholder.
        schema_editor.execute(GUARD, params=None)


def append_only_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        previous = importlib.import_module("govhall.ledger.migrations.0002_append_only_trigger")
        schema_editor.execute(previous.CREATE[0], params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0004_entry_mac"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="ledgerentry",
            name="body_mac",
            field=models.CharField(blank=True, default="", max_length=64, verbose_name="内容校验码"),
        ),
        migrations.AddField(
            model_name="ledgerentry",
            name="nonce",
            field=models.CharField(blank=True, default="", max_length=32, verbose_name="随机数"),
        ),
        migrations.AddField(
            model_name="ledgerentry",
            name="writer",
            field=models.CharField(blank=True, default="", max_length=32, verbose_name="写入者"),
        ),
        migrations.AddField(
            model_name="ledgerentry",
            name="writer_seq",
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="写入者序号"),
        ),
        migrations.AlterField(
            model_name="ledgerentry",
            name="hash",
            field=models.CharField(blank=True, default="", max_length=64, verbose_name="哈希"),
        ),
        migrations.AlterField(
            model_name="ledgerentry",
            name="prev_hash",
            field=models.CharField(blank=True, default="", max_length=64, verbose_name="前序哈希"),
        ),
        migrations.AlterField(
            model_name="ledgerentry",
            name="seq",
            field=models.PositiveBigIntegerField(blank=True, null=True, unique=True, verbose_name="序号"),
        ),
        migrations.AddIndex(
            model_name="ledgerentry",
            index=models.Index(
                condition=models.Q(("seq__isnull", True)), fields=["id"], name="ledger_unlinked_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="ledgerentry",
            constraint=models.UniqueConstraint(
                condition=models.Q(("nonce", ""), _negated=True),
                fields=("nonce",),
                name="ledger_nonce_unique",
            ),
        ),
        migrations.RunPython(linking_guard, append_only_guard),
    ]
