# Placeholder filled by the change that needs it (kept linear so parallel work merges without migration conflicts).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("clocks", "0003_clock_clock_running_due_idx")]

    operations: list[migrations.operations.base.Operation] = []
