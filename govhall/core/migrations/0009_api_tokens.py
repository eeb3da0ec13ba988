# API tokens (security issue #9 item 6): bearer tokens stored as SHA-256, and their two audit events.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_chained_audit"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
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
                    ("api_token_issued", "签发接口令牌"),
                    ("api_token_revoked", "吊销接口令牌"),
                ],
                db_index=True,
                max_length=40,
                verbose_name="事件类型",
            ),
        ),
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="用途，例如“档案系统对接”", max_length=100, verbose_name="名称"
                    ),
                ),
                (
                    "prefix",
                    models.CharField(
                        help_text="令牌的前几位，用于辨认，不足以使用", max_length=16, verbose_name="令牌开头"
                    ),
                ),
                (
                    "token_hash",
                    models.CharField(max_length=64, unique=True, verbose_name="令牌摘要（SHA-256）"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="签发时间")),
                (
                    "expires_at",
                    models.DateTimeField(
                        blank=True, help_text="留空表示长期有效", null=True, verbose_name="有效期至"
                    ),
                ),
                ("last_used_at", models.DateTimeField(blank=True, null=True, verbose_name="最近使用")),
                ("revoked_at", models.DateTimeField(blank=True, null=True, verbose_name="吊销时间")),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="签发人",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="api_tokens",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="用户",
                    ),
                ),
            ],
            options={
                "verbose_name": "接口令牌",
                "verbose_name_plural": "接口令牌",
                "ordering": ["-created_at", "-id"],
            },
        ),
    ]
