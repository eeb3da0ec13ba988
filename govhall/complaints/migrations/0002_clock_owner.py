# Complaint check codes get GOVHALL_CHECK_CODE_DIGITS digits like the cases' (up to 12; 6-digit codes of earlier
# complaints stay valid), and the online complaint form files a complaint at most once per one-time token
# (submission_key, unique per complainant account). The file name is the placeholder's, kept so that parallel work
# merges without migration conflicts.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]

    operations: list[migrations.operations.base.Operation] = [
        migrations.AlterField(
            model_name="complaint",
            name="check_code",
            field=models.CharField(max_length=12, verbose_name="查询码"),
        ),
        migrations.AddField(
            model_name="complaint",
            name="submission_key",
            field=models.CharField(
                blank=True, default="", editable=False, max_length=80, verbose_name="提交令牌"
            ),
        ),
        migrations.AddConstraint(
            model_name="complaint",
            constraint=models.UniqueConstraint(
                condition=~models.Q(submission_key=""),
                fields=("complainant", "submission_key"),
                name="complaint_submission_key_once",
            ),
        ),
    ]
