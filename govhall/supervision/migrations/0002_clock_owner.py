# Placeholder filled by the change that needs it (kept linear so parallel work merges without migration conflicts).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]

    operations: list[migrations.operations.base.Operation] = []
