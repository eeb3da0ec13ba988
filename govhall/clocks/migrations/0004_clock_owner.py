# Clocks carry their owner (department, responsible person, label, link, owning record). Existing clocks get it from
# the records that point at them: the one place that still works out whose clock is whose from the relations.
from collections.abc import Iterator
from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.urls import reverse

BATCH = 1000
FIELDS = [
    "owner_type",
    "owner_id",
    "owner_label",
    "owner_link",
    "owner_department_id",
    "owner_responsible_id",
]
CASE_CLOCKS = [
    ("intake_clock_id", "受理审查时限"),
    ("clock_id", "承诺办结时限"),
    ("legal_clock_id", "法定办结时限"),
    ("delivery_clock_id", "送达时限"),
]


def _owners(apps: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    Case = apps.get_model("cases", "Case")
    Task = apps.get_model("cases", "Task")
    Complaint = apps.get_model("complaints", "Complaint")
    Order = apps.get_model("supervision", "SupervisionOrder")
    StaffProfile = apps.get_model("org", "StaffProfile")
    Department = apps.get_model("org", "Department")

    case_columns = [c for c, _ in CASE_CLOCKS]
    for case in Case.objects.values("pk", "number", "department_id", *case_columns).iterator(BATCH):
        link = reverse("workbench:case", args=[case["number"]])
        for column, what in CASE_CLOCKS:
            if case[column] is not None:
                yield (
                    case[column],
                    {
                        "owner_type": "cases.case",
                        "owner_id": case["pk"],
                        "owner_label": f"办件 {case['number']} {what}",
                        "owner_link": link,
                        "owner_department_id": case["department_id"],
                        "owner_responsible_id": None,
                    },
                )
    tasks = Task.objects.filter(clock__isnull=False).values(
        "pk", "clock_id", "step_name", "department_id", "assignee_id", "case__number"
    )
    for task in tasks.iterator(BATCH):
        yield (
            task["clock_id"],
            {
                "owner_type": "cases.task",
                "owner_id": task["pk"],
                "owner_label": f"办件 {task['case__number']} 环节“{task['step_name']}”"[:200],
                "owner_link": reverse("workbench:case", args=[task["case__number"]]),
                "owner_department_id": task["department_id"],
                "owner_responsible_id": task["assignee_id"],
            },
        )
    for order in Order.objects.values("pk", "clock_id", "number", "department_id").iterator(BATCH):
        yield (
            order["clock_id"],
            {
                "owner_type": "supervision.supervisionorder",
                "owner_id": order["pk"],
                "owner_label": f"督办单 {order['number']} 答复时限",
                "owner_link": reverse("supervision:order", args=[order["pk"]]),
                "owner_department_id": order["department_id"],
                "owner_responsible_id": None,
            },
        )
    # The complaint rule of complaints.actions.handling_department as it stands: the handler's first department,
    # else the complaints office (named in settings, or the department most supervisors sit in).
    office_name = settings.GOVHALL_COMPLAINT_DEPARTMENT
    offices = (
        Department.objects.filter(name=office_name)
        if office_name
        else Department.objects.filter(staff__user__groups__name="supervisor", staff__user__is_active=True)
        .annotate(supervisors=models.Count("staff", distinct=True))
        .order_by("-supervisors", "pk")
    )
    office = offices.values_list("pk", flat=True).first()
    handler_department: dict[int, int | None] = {}
    complaints = Complaint.objects.values("pk", "clock_id", "number", "assigned_to_id")
    for complaint in complaints.iterator(BATCH):
        handler = complaint["assigned_to_id"]
        if handler is not None and handler not in handler_department:
            handler_department[handler] = (
                StaffProfile.objects.filter(user_id=handler)
                .values_list("departments", flat=True)
                .order_by("departments")
                .first()
            )
        yield (
            complaint["clock_id"],
            {
                "owner_type": "complaints.complaint",
                "owner_id": complaint["pk"],
                "owner_label": f"投诉 {complaint['number']} 办理时限",
                "owner_link": reverse("complaints:detail", args=[complaint["number"]]),
                "owner_department_id": (handler_department.get(handler) if handler is not None else None)
                or office,
                "owner_responsible_id": handler,
            },
        )


def fill_owners(apps: Any, schema_editor: Any) -> None:
    Clock = apps.get_model("clocks", "Clock")
    rows = []
    for pk, owner in _owners(apps):
        rows.append(Clock(pk=pk, **owner))
        if len(rows) >= BATCH:
            Clock.objects.bulk_update(rows, FIELDS)
            rows = []
    if rows:
        Clock.objects.bulk_update(rows, FIELDS)


class Migration(migrations.Migration):
    dependencies = [
        ("clocks", "0003_clock_clock_running_due_idx"),
        ("org", "0001_initial"),
        ("cases", "0002_case_case_concluded_idx_case_case_accepted_idx"),
        ("complaints", "0001_initial"),
        ("supervision", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="clock",
            name="owner_department",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="org.department",
                verbose_name="责任部门",
            ),
        ),
        migrations.AddField(
            model_name="clock",
            name="owner_id",
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="所属对象编号"),
        ),
        migrations.AddField(
            model_name="clock",
            name="owner_label",
            field=models.CharField(blank=True, max_length=200, verbose_name="所属对象"),
        ),
        migrations.AddField(
            model_name="clock",
            name="owner_link",
            field=models.CharField(blank=True, max_length=200, verbose_name="所属对象链接"),
        ),
        migrations.AddField(
            model_name="clock",
            name="owner_responsible",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="责任人",
            ),
        ),
        migrations.AddField(
            model_name="clock",
            name="owner_type",
            field=models.CharField(blank=True, max_length=64, verbose_name="所属对象类型"),
        ),
        migrations.AddIndex(
            model_name="clock",
            index=models.Index(fields=["owner_type", "owner_id"], name="clock_owner_idx"),
        ),
        migrations.RunPython(fill_owners, migrations.RunPython.noop),
    ]
