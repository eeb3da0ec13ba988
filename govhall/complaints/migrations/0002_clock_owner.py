# Complaint check codes get GOVHALL_CHECK_CODE_DIGITS digits like the cases' (up to 12; 6-digit codes of earlier
# complaints stay valid). The file name is the placeholder's, kept so that parallel work merges without conflicts.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]

    operations: list[migrations.operations.base.Operation] = [
        migrations.AlterField(
            model_name="complaint",
            name="check_code",
            field=models.CharField(max_length=12, verbose_name="查询码"),
        ),
    ]
