# Placeholder filled by the change that needs it (kept linear so parallel work merges without migration conflicts).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_case_case_concluded_idx_case_case_accepted_idx")]

    operations: list[migrations.operations.base.Operation] = []
