# The configuration log becomes a hash chain (issue #9 item 2): seq/prev_hash/hash on every event, the head row,
# and the existing events chained in the order they were written (by id).

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

GENESIS_HASH = "0" * 64


def chain_existing(apps, schema_editor):
    # The hash definition is the application's (it is a contract: verify_audit recomputes it the same way).
    from govhall.core.audit import FIELDS, payload
    from govhall.core.hashchain import link_hash

    AuditEvent = apps.get_model("core", "AuditEvent")
    AuditHead = apps.get_model("core", "AuditHead")
    seq, previous = 0, GENESIS_HASH
    for row in AuditEvent.objects.order_by("id").values(
        "id", *[f for f in FIELDS if f not in ("seq", "prev_hash", "hash")]
    ):
        seq += 1
        digest = link_hash(previous, payload({**row, "seq": seq}))
        AuditEvent.objects.filter(id=row["id"]).update(seq=seq, prev_hash=previous, hash=digest)
        previous = digest
    AuditHead.objects.update_or_create(id=1, defaults={"seq": seq, "hash": previous})


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_security_throttle"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="操作人",
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="created_at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name="时间"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(null=True, verbose_name="序号"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(default="", max_length=64, verbose_name="前序哈希"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", max_length=64, verbose_name="哈希"),
            preserve_default=False,
        ),
        migrations.CreateModel(
            name="AuditHead",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("seq", models.PositiveBigIntegerField(default=0, verbose_name="最后序号")),
                ("hash", models.CharField(default="0" * 64, max_length=64, verbose_name="最后哈希")),
            ],
            options={"verbose_name": "操作日志链头", "verbose_name_plural": "操作日志链头"},
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(unique=True, verbose_name="序号"),
        ),
    ]
