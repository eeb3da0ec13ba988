# Throttling of guessable secrets (security issue #9): the counter table and the two lockout audit events.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_settings_and_admin"),
    ]

    operations = [
        migrations.CreateModel(
            name="ThrottleCounter",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=200, unique=True, verbose_name="对象")),
                ("window_start", models.DateTimeField(verbose_name="计数起点")),
                ("count", models.PositiveIntegerField(default=0, verbose_name="失败次数")),
                ("locked_until", models.DateTimeField(blank=True, null=True, verbose_name="锁定至")),
            ],
            options={
                "verbose_name": "失败尝试计数",
                "verbose_name_plural": "失败尝试计数",
            },
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="event_type",
            field=models.CharField(
                choices=[
                    ("item_created", "创建事项"),
                    ("item_updated", "修改事项"),
                    ("item_status_changed", "事项状态变更"),
                    ("catalog_imported", "导入事项目录"),
                    ("bundle_created", "创建一件事"),
                    ("bundle_updated", "修改一件事"),
                    ("bundle_status_changed", "一件事状态变更"),
                    ("calendar_year_confirmed", "确认年度节假日安排"),
                    ("calendar_day_changed", "修改节假日"),
                    ("org_unit_created", "创建组织机构（区划、站点、大厅、部门、窗口）"),
                    ("org_unit_updated", "修改组织机构（区划、站点、大厅、部门、窗口）"),
                    ("staff_created", "创建工作人员"),
                    ("staff_updated", "修改工作人员信息"),
                    ("staff_roles_changed", "变更人员角色"),
                    ("process_definition_saved", "保存办理流程版本"),
                    ("process_definition_activated", "启用办理流程版本"),
                    ("warn_rule_saved", "保存预警阈值"),
                    ("supervision_card_issued", "发出黄牌/红牌"),
                    ("supervision_order_issued", "发出督办单"),
                    ("supervision_order_answered", "答复督办单"),
                    ("supervision_order_overdue", "督办单逾期（整改通知、责任追究）"),
                    ("accountability_decided", "作出责任追究决定"),
                    ("complaint_received", "受理效能投诉"),
                    ("complaint_assigned", "交办效能投诉"),
                    ("complaint_concluded", "办结效能投诉"),
                    ("worker_row_failed", "后台任务处理失败（已推迟重试）"),
                    ("login_locked", "登录失败次数过多，暂时锁定"),
                    ("lookup_locked", "查询码尝试次数过多，暂停查询"),
                ],
                db_index=True,
                max_length=40,
                verbose_name="事件类型",
            ),
        ),
    ]
