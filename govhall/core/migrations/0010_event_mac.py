# Every configuration-log event gets a MAC keyed outside the database (security issue #9 item 2;
# docs/security.md). The existing rows are filled with the MAC of their stored hash, which blesses them as they are:
# run `manage.py verify_audit` before migrating.

from django.db import migrations, models

CHUNK = 2000


def fill_macs(apps, schema_editor):
    from govhall.core.hashchain import entry_mac, mac_key

    event = apps.get_model("core", "AuditEvent")
    alias = schema_editor.connection.alias
    key = mac_key()
    last = 0
    while True:
        rows = list(
            event.objects.using(alias).filter(seq__gt=last).order_by("seq").only("pk", "seq", "hash")[:CHUNK]
        )
        for row in rows:
            row.mac = entry_mac(row.hash, key)
        event.objects.using(alias).bulk_update(rows, ["mac"])
        if len(rows) < CHUNK:
            return
        last = rows[-1].seq


class Migration(migrations.Migration):
    dependencies = [("core", "0009_api_tokens")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="mac",
            field=models.CharField(blank=True, default="", max_length=64, verbose_name="校验码"),
        ),
        migrations.RunPython(fill_macs, migrations.RunPython.noop),
    ]
