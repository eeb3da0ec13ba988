from django.db import migrations, models

import govhall.catalog.choices


def copy_join_from_items(apps, schema_editor):
    """Cases accepted before the snapshot take their item's join as it stands now (the best record left); a case
    whose parallel step has already opened keeps what its JointReview fixed then."""
    Case = apps.get_model("cases", "Case")
    ServiceItem = apps.get_model("catalog", "ServiceItem")
    items = ServiceItem.objects.filter(cases__accepted_at__isnull=False).distinct()
    for item in items.iterator():
        departments = sorted(item.joint_departments.values_list("pk", flat=True))
        Case.objects.filter(item=item, accepted_at__isnull=False).update(
            join_rule=item.join_rule, join_ratio=item.join_ratio, joint_department_ids=departments
        )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_item_joint_review"),
        ("cases", "0008_applicant_snapshot"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="join_rule",
            field=models.CharField(
                blank=True,
                choices=govhall.catalog.choices.JoinRule.choices,
                max_length=8,
                verbose_name="联审汇合规则（受理时）",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="join_ratio",
            field=models.FloatField(blank=True, null=True, verbose_name="联审同意比例（受理时）"),
        ),
        migrations.AddField(
            model_name="case",
            name="joint_department_ids",
            field=models.JSONField(blank=True, null=True, verbose_name="联审部门（受理时）"),
        ),
        migrations.RunPython(copy_join_from_items, migrations.RunPython.noop),
    ]
