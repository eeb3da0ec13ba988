# Placeholder filled by the change that needs it (kept linear so parallel work merges without migration conflicts).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_item_joint_review")]

    operations: list[migrations.operations.base.Operation] = []
