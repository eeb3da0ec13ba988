# New cases get longer check codes (GOVHALL_CHECK_CODE_DIGITS); 6-digit codes of earlier cases stay valid.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_clock_owner"),
    ]

    operations = [
        migrations.AlterField(
            model_name="case",
            name="check_code",
            field=models.CharField(max_length=12, verbose_name="查询码"),
        ),
        migrations.AlterField(
            model_name="casegroup",
            name="check_code",
            field=models.CharField(blank=True, default="", max_length=12, verbose_name="查询码"),
        ),
    ]
