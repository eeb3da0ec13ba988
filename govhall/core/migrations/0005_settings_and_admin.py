# Placeholder filled by the change that needs it (kept linear so parallel work merges without migration conflicts).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0004_alter_auditevent_event_type")]

    operations: list[migrations.operations.base.Operation] = []
