"""The demo county's power list and integrity-risk control, driven through the integrity module's actions.

Every demo item that is an administrative power becomes a power of its department (linked, not copied), and each
department gets the penalties, inspections and other powers a county agency holds beside its hall items; the list
goes in through the Excel import, as a county would load it. Posts per department, staff in them since dates up to
twelve years back (so some rotations are due), risk points graded in the proportions of Xinle's inventory (453 A,
1,264 B, 2,419 C of 4,136), a few warnings over the period (one left to run late and escalate), a rule on red cards,
the year's commitments, and at the end the worker's jobs: exercises disclosed, late plans escalated, rotation alerts."""

from __future__ import annotations

import io
import random
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from openpyxl import Workbook

from govhall.calendars import engine
from govhall.catalog.choices import ItemType
from govhall.catalog.models import ServiceItem
from govhall.core.clock import frozen_at
from govhall.integrity import actions
from govhall.integrity.choices import Discovery, TriggerSource, WarningLevel
from govhall.integrity.excel import COLUMNS, import_powers
from govhall.integrity.models import KeyDepartment, Post, PostAssignment, Power, TriggerRule
from govhall.integrity.queries import rotation_due
from govhall.org.models import Department, StaffProfile

# Xinle: 453 A, 1,264 B, 2,419 C out of 4,136 points.
SHARES = (("A", 453 / 4136), ("B", (453 + 1264) / 4136), ("C", 1.0))
POSTS = (
    ("窗口受理岗", False, False),
    ("审核岗", False, False),
    ("审批决定岗", True, False),
    ("执法检查岗", True, False),
    ("财务收费岗", True, False),
    ("档案管理岗", False, True),
)
OTHER_POWERS = (
    ("02", "对违反{field}管理规定行为的行政处罚", "《中华人民共和国行政处罚法》第十八条"),
    ("06", "{field}监督检查", "《中华人民共和国行政许可法》第六十一条"),
    ("03", "{field}违法物品的查封、扣押", "《中华人民共和国行政强制法》第九条"),
    ("04", "{field}相关行政事业性收费征收", "《行政事业性收费标准管理办法》第三条"),
    ("07", "{field}相关资格确认", "《中华人民共和国行政许可法》第十二条"),
    ("08", "{field}工作先进集体和个人表彰", "《中华人民共和国公务员法》第五十二条"),
    ("09", "{field}权属、侵权纠纷裁决", "《中华人民共和国行政复议法》第二条"),
    ("10", "{field}信息公示与备案管理", "《企业信息公示暂行条例》第六条"),
)
POINTS = {
    "power": (
        "对不符合条件的申请违规办理",
        "自由裁量权行使不规范，同案不同罚",
        "未按规定时限办理",
        "利用职权索取或收受申请人财物",
        "应回避未回避",
    ),
    "post": (
        "违规泄露申请人信息",
        "对材料齐全的申请拖延受理",
        "检查时吃拿卡要",
        "收费不开票据或擅自减免",
        "审批把关不严",
    ),
}
MEASURES = "实行一次性告知和限时办结，两人以上共同审核，重要事项集体研究，办理结果网上公开，接受电子监察。"
KEY_DEPARTMENTS = ("县市场监督管理局", "县住房和城乡建设局", "县自然资源局", "县财政局", "县交通运输局")


def _grade(rng: random.Random) -> str:
    x = rng.random()
    return next(code for code, share in SHARES if x < share)


def _at(day: date, hour: int) -> datetime:
    return engine.deadline_instant(day - timedelta(days=1)) + timedelta(hours=hour)


def _power_rows(rng: random.Random, departments: list[Department]) -> list[list[str]]:
    rows: list[list[str]] = []
    items = (
        ServiceItem.objects.exclude(item_type=ItemType.PUBLIC_SERVICE)
        .select_related("department")
        .order_by("pk")
    )
    for n, item in enumerate(items, start=1):
        rows.append(
            [
                f"QL-{item.item_type}-{n:04d}",
                item.name,
                item.item_type,
                item.department.name,
                item.legal_basis or "见办事指南",
                item.process_template or "standard",
                item.impl_code,
            ]
        )
    n = len(rows)
    for dept in departments:
        field = (dept.short_name or dept.name).removeprefix("县").removesuffix("局").removesuffix(
            "中心"
        ) or dept.name
        for power_type, pattern, basis in rng.sample(OTHER_POWERS, k=6):
            n += 1
            rows.append(
                [
                    f"QL-{power_type}-{n:04d}",
                    pattern.format(field=field),
                    power_type,
                    dept.name,
                    basis,
                    "",
                    "",
                ]
            )
    return rows


def run(
    *, seed: int, period: tuple[date, date], case_pks: Sequence[int], log: Callable[[str], None]
) -> dict[str, Any]:
    rng = random.Random(seed * 7919 + 15)
    start, end = period
    end_at = _at(end, 18)
    departments = list(Department.objects.filter(active=True).order_by("sort_order", "pk"))
    with frozen_at(_at(start, 8)):
        levels = actions.ensure_levels()
        actions.ensure_rotation_limits()
        for dept in departments:
            if dept.name in KEY_DEPARTMENTS and not KeyDepartment.objects.filter(department=dept).exists():
                actions.save_config(KeyDepartment(department=dept, reason="审批、执法、资金管理权力集中"))
        if not TriggerRule.objects.exists():
            actions.save_config(
                TriggerRule(
                    name="30天内红牌2次黄色预警",
                    source=TriggerSource.RED_CARD,
                    threshold=2,
                    window_days=30,
                    level=WarningLevel.YELLOW,
                )
            )
        # The power list, through the Excel import a county loads it with.
        buffer = io.BytesIO()
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.append([label for _, label, _ in COLUMNS])
        for row in _power_rows(rng, departments):
            ws.append(row)
        wb.save(buffer)
        buffer.seek(0)
        imported = import_powers(buffer)
        if imported.errors:
            raise RuntimeError(f"demo power list: {imported.errors[:3]}")

        # Posts and who holds them.
        staff_by_dept: dict[int, list[StaffProfile]] = {}
        for profile in (
            StaffProfile.objects.filter(active=True).prefetch_related("departments").order_by("pk")
        ):
            for dept in profile.departments.all():
                staff_by_dept.setdefault(dept.pk, []).append(profile)
        posts: list[Post] = []
        held: list[tuple[Post, StaffProfile, date]] = []
        busy = set(PostAssignment.objects.filter(end_date__isnull=True).values_list("staff_id", flat=True))
        with_powers = set(Power.objects.values_list("department_id", flat=True))
        for dept in departments:
            if dept.pk not in with_powers:
                continue
            dept_posts = actions.create_posts(dept, POSTS)
            posts.extend(dept_posts)
            for i, profile in enumerate(staff_by_dept.get(dept.pk, [])):
                if profile.pk in busy:
                    continue
                busy.add(profile.pk)
                held.append(
                    (
                        dept_posts[i % len(dept_posts)],
                        profile,
                        start - timedelta(days=rng.randint(120, 12 * 365)),
                    )
                )
        actions.assign_posts(held)
        assignments = len(held)
        actions.sign_commitments(
            [
                (profile, date(start.year, 1, 1) + timedelta(days=rng.randint(0, 20)))
                for _p, profile, _d in held
            ],
            year=start.year,
            text="严格执行廉洁从政各项规定，不以权谋私，不吃拿卡要，自觉接受监督。",
        )

        # Risk points on powers and posts, in Xinle's proportions.
        points = {"A": 0, "B": 0, "C": 0}
        discoveries = Discovery.values
        specs: list[dict[str, Any]] = []
        for power in Power.objects.filter(level__isnull=True).order_by("pk"):
            specs.append({"power": power, "description": rng.choice(POINTS["power"])})
        for post in posts:
            if not post.specialised:
                specs.append({"post": post, "description": rng.choice(POINTS["post"])})
        for spec in specs:
            grade = _grade(rng)
            spec.update(level=levels[grade], discovery=rng.choice(discoveries), measures=MEASURES)
            points[grade] += 1
        actions.record_risk_points(specs)

    # Warnings over the period: one on the first day is left to run late, the others answered.
    warnings = 0
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    people = [a for a in PostAssignment.objects.filter(end_date__isnull=True).select_related("post", "staff")]
    rng.shuffle(people)
    for i, assignment in enumerate(people[:6]):
        day = days[0] if i == 0 else rng.choice(days)
        with frozen_at(_at(day, 10)):
            warning = actions.issue_warning(
                level=(WarningLevel.BLUE, WarningLevel.BLUE, WarningLevel.YELLOW)[i % 3],
                department=assignment.post.department,
                person=assignment.staff if i % 2 == 0 else None,
                reason=rng.choice(
                    ("群众反映办事拖延", "多次出现超期办件", "收费公示不规范", "执法检查记录不全")
                ),
                plan_days=3 if i == 0 else None,
            )
            warnings += 1
        if i % 2 == 1:
            with frozen_at(_at(day, 16)):
                actions.submit_plan(warning, plan="一、查找原因；二、建立台账；三、限期整改并接受回访。")

    # The worker's jobs at the end of the period.
    disclosed = 0
    while True:
        batch = actions.disclose_exercises(limit=500, at=end_at)
        disclosed += batch
        if not batch:
            break
    escalated = actions.escalate_overdue_warnings(at=end_at)
    by_rule = actions.apply_trigger_rules(at=end_at)
    alerts = actions.send_rotation_alerts(at=end_at)
    due = rotation_due(end)
    planned = 0
    with frozen_at(end_at):
        for d in due[:3]:
            others = [
                p
                for p in posts
                if p.department_id == d.assignment.post.department_id and p.pk != d.assignment.post_id
            ]
            if others and not d.assignment.rotation_plans.exists():
                actions.plan_rotation(
                    assignment=d.assignment, to_post=others[0], planned_on=end + timedelta(days=30)
                )
                planned += 1
    summary = {
        "powers": Power.objects.count(),
        "posts": len(posts),
        "assignments": assignments,
        "risk_points": points,
        "warnings": warnings,
        "escalated": escalated,
        "warnings_by_rule": by_rule,
        "exercises_disclosed": disclosed,
        "rotations_due": len(due),
        "rotation_alerts": alerts,
        "rotations_planned": planned,
    }
    log(f"integrity: {summary}")
    return summary
