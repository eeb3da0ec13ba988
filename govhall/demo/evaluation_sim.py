"""The simulator's performance evaluation (绩效考评): for the simulated month, floor peer reviews, recommendations,
panel scores, a few deductions and the attendance machine's export; for the year, every department's goals (a
key-work and an ordinary functional goal, plus the common goals), monthly plans and reports on the clock (some late),
quarterly spot checks, the half-year summary and the year-end scores, the leaders' graded appraisal within its quota,
a social survey of about 2,000 answers imported as a sheet, and one manual veto. Everything goes through
`evaluation.actions`, so `evaluate_month` and `evaluate_year` have something to say about the demo county."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from govhall.calendars.engine import add_working_days
from govhall.core.clock import frozen_at
from govhall.core.tz import SHANGHAI
from govhall.evaluation import actions
from govhall.evaluation.choices import GoalCategory, LeaderGrade
from govhall.evaluation.models import Goal, GoalReport, LeaderAppraisal, PeerReview, SurveyResponse
from govhall.evaluation.yearly import leader_quota, scheme_for
from govhall.org.choices import Role
from govhall.org.models import Department, StaffProfile, Window

KEY_WORK = ["优化营商环境{}专项行动", "{}审批服务“一件事一次办”", "{}领域“放管服”改革攻坚"]
ORDINARY = ["{}年度业务工作目标", "{}政务公开和信息报送"]
COMMON = [("党风廉政建设和作风效能", 40), ("依法行政和法治政府建设", 30), ("安全生产和信访维稳", 30)]
SECTORS = ["企业代表", "群众代表", "人大代表", "政协委员", "行风监督员"]
COMMENTS = [
    "窗口办事效率高，态度好",
    "希望进一步减少材料",
    "午休时间能否安排值班窗口",
    "网上办理系统有时卡顿",
    "个别窗口人员业务不熟",
    "",
    "",
    "",
]


def _users(role: Role) -> list[User]:
    return list(User.objects.filter(groups__name=role.value, is_active=True).order_by("pk"))


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


def _monthly(rng: random.Random, officer: User, month: date, day: date) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    windows = list(Window.objects.filter(active=True).order_by("hall_id", "floor", "number"))
    floors: dict[tuple[int, int], list[Window]] = defaultdict(list)
    for w in windows:
        floors[(w.hall_id, w.floor)].append(w)
    done = set(PeerReview.objects.filter(month=month).values_list("reviewer_id", "reviewee_id"))
    with frozen_at(_at(day, 16)):
        for members in floors.values():
            for reviewer in members:
                others = [w for w in members if w.pk != reviewer.pk]
                for reviewee in rng.sample(others, min(2, len(others))):
                    if (reviewer.pk, reviewee.pk) in done:
                        continue
                    score = rng.choice([95, 92, 90, 88, 85, 80, 75])
                    actions.score_peer(
                        actor=officer, month=month, reviewer=reviewer, reviewee=reviewee, score=score
                    )
                    counts["peer_reviews"] += 1
            for w in rng.sample(members, min(2, len(members))):
                actions.recommend(actor=officer, month=month, window=w, reason="服务热情，群众多次点名表扬")
                counts["recommendations"] += 1
        for w in rng.sample(windows, min(10, len(windows))):
            actions.enter_panel_score(actor=officer, month=month, window=w, score=rng.randint(75, 98))
            counts["panel_scores"] += 1
        staff = list(StaffProfile.objects.filter(active=True, window__isnull=False).order_by("employee_no"))
        for s in rng.sample(staff, min(3, len(staff))):
            actions.deduct(
                actor=officer,
                month=month,
                staff=s,
                points=rng.choice([1, 2, 3]),
                reason="工作时间离岗，考勤巡查发现",
            )
            counts["deductions"] += 1
        lines = ["工号,姓名,应出勤天数,实出勤天数,迟到早退次数"]
        for s in staff:
            absent = rng.choices([0, 1, 2], weights=[8, 2, 1])[0]
            lines.append(f"{s.employee_no},{s.name},21,{21 - absent},{rng.choice([0, 0, 0, 1, 2])}")
        counts["attendance"] = actions.import_attendance(
            actor=officer, month=month, filename="考勤机导出.csv", content="\n".join(lines).encode()
        )
    return dict(counts)


def _goals(rng: random.Random, officer: User, year: int, departments: list[Department]) -> list[Goal]:
    goals: list[Goal] = []
    for title, weight in COMMON:
        goals.append(
            actions.save_goal(
                actor=officer, year=year, title=title, category=GoalCategory.COMMON, weight=weight, lead=None
            )
        )
    for dept in departments:
        name = dept.short_name or dept.name
        others = [d for d in departments if d.pk != dept.pk]
        # Key work ≈ 60% of the functional points, the ordinary goal the rest.
        goals.append(
            actions.save_goal(
                actor=officer,
                year=year,
                title=rng.choice(KEY_WORK).format(name),
                category=GoalCategory.FUNCTIONAL,
                weight=60,
                lead=dept,
                assisting=rng.sample(others, min(2, len(others))),
                key_work=True,
            )
        )
        goals.append(
            actions.save_goal(
                actor=officer,
                year=year,
                title=rng.choice(ORDINARY).format(name),
                category=GoalCategory.FUNCTIONAL,
                weight=40,
                lead=dept,
            )
        )
    return goals


def _reports(rng: random.Random, goals: list[Goal], month: date) -> dict[str, int]:
    """The previous month's plans and reports, sent on time or a few days late (the current month's are not due)."""
    counts: dict[str, int] = defaultdict(int)
    previous = (month - timedelta(days=1)).replace(day=1)
    months = [previous] if previous.year == month.year else []
    for goal in goals:
        if goal.lead is None:
            continue
        for m in months:
            if GoalReport.objects.filter(goal=goal, department=goal.lead, month=m).exists():
                continue
            with frozen_at(_at(m, 9)):
                report = actions.plan_report(
                    actor=None, goal=goal, department=goal.lead, month=m, plan="按计划推进"
                )
            counts["plans"] += 1
            if m == previous:
                last = month - timedelta(days=1)
                lateness = rng.choices([1, 3, 7], weights=[8, 2, 1])[0]
                sent = add_working_days(last, lateness).value
                actions.submit_report(actor=None, report=report, text="本月任务已完成", at=_at(sent, 15))
                counts["reports_late" if lateness > 5 else "reports_on_time"] += 1
    return dict(counts)


def _reviews(
    rng: random.Random, officer: User, year: int, goals: list[Goal], departments: list[Department]
) -> int:
    n = 0
    for goal in goals:
        involved = departments if goal.lead is None else [goal.lead, *goal.assisting.all()]
        for dept in involved:
            base = rng.uniform(78, 98)
            if goal.key_work and goal.lead_id == dept.pk:
                for quarter in (rng.randint(1, 3),):
                    actions.review_goal(
                        actor=officer,
                        goal=goal,
                        department=dept,
                        kind="spot_check",
                        period=quarter,
                        score=min(100, round(base + rng.uniform(-5, 3), 1)),
                        note="季度抽查：进度符合计划",
                    )
                    n += 1
                actions.review_goal(
                    actor=officer,
                    goal=goal,
                    department=dept,
                    kind="half_year",
                    period=1,
                    score=round(base, 1),
                    note="半年小结",
                )
                n += 1
            actions.review_goal(
                actor=officer,
                goal=goal,
                department=dept,
                kind="year_end",
                score=round(base, 1),
                note="年终集中考评",
            )
            n += 1
    return n


def _appraisals(rng: random.Random, year: int, departments: list[Department]) -> int:
    quota = leader_quota(len(departments), scheme_for(year))
    n = 0
    for leader in _users(Role.LEADER):
        if LeaderAppraisal.objects.filter(year=year, leader=leader).exists():
            continue
        excellent = 0
        for dept in departments:
            grade = rng.choices(
                [LeaderGrade.EXCELLENT, LeaderGrade.GOOD, LeaderGrade.FAIR, LeaderGrade.POOR],
                weights=[4, 5, 2, 0.3],
            )[0]
            if grade == LeaderGrade.EXCELLENT and excellent >= quota:
                grade = LeaderGrade.GOOD
            excellent += grade == LeaderGrade.EXCELLENT
            actions.appraise(actor=leader, year=year, department=dept, grade=grade)
            n += 1
    return n


def _survey(rng: random.Random, officer: User, year: int, departments: list[Department], answers: int) -> int:
    if SurveyResponse.objects.filter(year=year).exists():
        return 0
    lines = ["评议代表,代表类别,部门,评价,意见建议"]
    for i in range(answers):
        dept = rng.choice(departments)
        answer = rng.choices(["满意", "基本满意", "不满意"], weights=[7, 2.5, 0.5])[0]
        lines.append(f"代表{i + 1:04d},{rng.choice(SECTORS)},{dept.name},{answer},{rng.choice(COMMENTS)}")
    return actions.import_survey(
        actor=officer, year=year, filename="社会评议.csv", content="\n".join(lines).encode("utf-8")
    )


def run(
    *, seed: int, period: tuple[date, date], case_pks: Sequence[int], log: Callable[[str], None]
) -> dict[str, Any]:
    rng = random.Random(seed + 1310)
    officers = _users(Role.PERFORMANCE_OFFICER)
    departments = list(Department.objects.filter(active=True).order_by("sort_order", "pk"))
    if not officers or not departments:
        return {"skipped": "no performance officer or departments"}
    officer = officers[0]
    month = period[0].replace(day=1)
    year = month.year
    summary: dict[str, Any] = {"month": f"{month:%Y-%m}", "year": year}
    try:
        summary |= _monthly(rng, officer, month, period[-1])
    except ValidationError as exc:  # the month was closed by an earlier run
        summary["monthly_skipped"] = "；".join(exc.messages)
    if not Goal.objects.filter(year=year).exists():
        goals = _goals(rng, officer, year, departments)
        summary["goals"] = len(goals)
        summary |= _reports(rng, goals, month)
        summary["goal_reviews"] = _reviews(rng, officer, year, goals, departments)
        summary["leader_appraisals"] = _appraisals(rng, year, departments)
        veto = rng.choice(departments)
        actions.record_veto(
            actor=officer, year=year, department=veto, reason="发生一般安全生产责任事故（演示数据）"
        )
        summary["vetoes"] = 1
    # About 2,000 representatives answer a county's survey; a small simulated hall (a test, a quick look) gets a
    # proportionally smaller one, so that the other modules' demo data does not dominate its run time.
    answers = 2000 if len(case_pks) >= 200 else max(100, 10 * len(case_pks))
    summary["survey_answers"] = _survey(rng, officer, year, departments, answers=answers)
    log(f"[evaluation] {summary}")
    return summary
