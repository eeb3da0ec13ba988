# Per-item join rule of the parallel joint review (并联审批); blank keeps the process template's rule.
import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_item_joint_departments")]

    operations = [
        migrations.AddField(
            model_name="serviceitem",
            name="join_ratio",
            field=models.FloatField(
                blank=True,
                help_text="汇合规则为“按比例同意”时填写，0.01–1，例如0.6表示至少60%的审查部门同意（向上取整）。",
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(0.01),
                    django.core.validators.MaxValueValidator(1.0),
                ],
                verbose_name="联审同意比例",
            ),
        ),
        migrations.AddField(
            model_name="serviceitem",
            name="join_rule",
            field=models.CharField(
                blank=True,
                choices=[("all", "全部同意（会签）"), ("any", "任一同意（或签）"), ("ratio", "按比例同意")],
                max_length=8,
                verbose_name="联审汇合规则",
            ),
        ),
    ]
