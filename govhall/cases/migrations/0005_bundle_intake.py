# 一件事: one check code and one delivery for the whole bundle.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_binding_joint_review")]

    operations: list[migrations.operations.base.Operation] = [
        migrations.AddField(
            model_name="casegroup",
            name="check_code",
            field=models.CharField(blank=True, default="", max_length=6, verbose_name="查询码"),
        ),
        migrations.AddField(
            model_name="casegroup",
            name="delivered_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="送达时间"),
        ),
    ]
