# Placeholder filled by the change that needs it (kept linear so parallel work merges without migration conflicts).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_append_only_trigger")]

    operations: list[migrations.operations.base.Operation] = []
