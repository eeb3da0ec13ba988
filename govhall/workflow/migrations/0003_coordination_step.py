# Placeholder filled by the change that needs it (kept linear so parallel work merges without migration conflicts).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("workflow", "0002_standard_templates")]

    operations: list[migrations.operations.base.Operation] = []
