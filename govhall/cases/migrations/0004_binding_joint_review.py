# Binding joint review: the join a case captured when its parallel step opened (rule, co-departments, result).
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_case_own_limits"),
        ("org", "0002_actions_admin"),
    ]

    operations = [
        migrations.CreateModel(
            name="JointReview",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("step_key", models.CharField(max_length=40, verbose_name="并联环节")),
                (
                    "rule",
                    models.CharField(
                        choices=[
                            ("all", "全部同意（会签）"),
                            ("any", "任一同意（或签）"),
                            ("ratio", "按比例同意"),
                        ],
                        max_length=8,
                        verbose_name="汇合规则",
                    ),
                ),
                ("ratio", models.FloatField(blank=True, null=True, verbose_name="同意比例")),
                ("opened_at", models.DateTimeField(verbose_name="开始时间")),
                ("round", models.PositiveSmallIntegerField(default=1, verbose_name="轮次")),
                (
                    "result",
                    models.CharField(
                        choices=[
                            ("pending", "审查中"),
                            ("passed", "联合审查通过"),
                            ("failed", "联合审查未通过"),
                        ],
                        default="pending",
                        max_length=8,
                        verbose_name="汇合结果",
                    ),
                ),
                ("coordinations", models.PositiveSmallIntegerField(default=0, verbose_name="联审协调次数")),
                ("coordinating", models.BooleanField(default=False, verbose_name="联审协调中")),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="joint_reviews",
                        to="cases.case",
                    ),
                ),
                (
                    "departments",
                    models.ManyToManyField(related_name="+", to="org.department", verbose_name="联审部门"),
                ),
            ],
            options={
                "verbose_name": "并联审批汇合",
                "verbose_name_plural": "并联审批汇合",
                "constraints": [
                    models.UniqueConstraint(fields=("case", "step_key"), name="uniq_joint_review_case_step")
                ],
            },
        ),
    ]
