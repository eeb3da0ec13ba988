"""The yearly department evaluation (Nantong model): daily record 15% + year-end 55% + appraisal 30%, ranked and
graded within each department group by quota, with the one-vote veto. Every component keeps its figures."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q

from govhall.complaints.models import Complaint
from govhall.org.choices import DepartmentGroup
from govhall.org.models import Department
from govhall.supervision.choices import AlertLevel, CardLevel, OrderStatus
from govhall.supervision.models import Alert, Card, SupervisionOrder

from .choices import (
    LEADER_GRADE_POINTS,
    SURVEY_POINTS,
    GoalCategory,
    Grade,
    ReportStatus,
    ReviewKind,
    SurveyAnswer,
)
from .models import Goal, GoalReport, GoalReview, LeaderAppraisal, SurveyResponse, YearScheme
from .vetoes import _year_bounds, vetoed

CENT = Decimal("0.01")
HUNDRED = Decimal("100")


def scheme_for(year: int) -> YearScheme:
    scheme, _ = YearScheme.objects.get_or_create(year=year)
    return scheme


def round_half_up(x: Decimal) -> int:
    return int(x.to_integral_value(ROUND_HALF_UP))


def grade_quotas(n: int, scheme: YearScheme) -> tuple[int, int]:
    """(先进 places, 先进+良好 places) for a group of n: each rounded half up (n=6: 1.5→2 先进, 4.2→4 in all)."""
    advanced = round_half_up(scheme.advanced_share * n)
    upto_good = round_half_up((scheme.advanced_share + scheme.good_share) * n)
    return advanced, max(advanced, upto_good)


@dataclass
class DeptScore:
    pk: int
    name: str
    group: str
    daily: Decimal = HUNDRED
    year_end: Decimal = Decimal("0")
    appraisal: Decimal = Decimal("0")
    total: Decimal = Decimal("0")
    rank: int = 0
    grade: str = ""
    best: bool = False
    vetoes: list[str] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        return (self.total, self.year_end, self.appraisal, self.daily)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "id": self.pk,
            "group": DepartmentGroup(self.group).label if self.group else "",
            "score": float(self.total),
            "rank": self.rank,
            "grade": Grade(self.grade).label if self.grade else "",
            "best": self.best,
            "daily": float(self.daily),
            "year_end": float(self.year_end),
            "appraisal": float(self.appraisal),
            "vetoes": self.vetoes,
            "detail": self.detail,
        }


def _daily(year: int, scheme: YearScheme, depts: dict[int, DeptScore]) -> None:
    start, end = _year_bounds(year)
    found: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in (
        Alert.objects.filter(
            raised_at__gte=start, raised_at__lt=end, level=AlertLevel.RED, department__isnull=False
        )
        .values("department_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        found[row["department_id"]]["red_alerts"] = row["n"]
    for row in (
        Card.objects.filter(issued_at__gte=start, issued_at__lt=end, department__isnull=False)
        .values("department_id")
        .annotate(
            y=Count("pk", filter=Q(level=CardLevel.YELLOW)),
            r=Count("pk", filter=Q(level=CardLevel.RED)),
        )
        .order_by()
    ):
        found[row["department_id"]]["yellow_cards"] = row["y"]
        found[row["department_id"]]["red_cards"] = row["r"]
    for row in (
        SupervisionOrder.objects.filter(
            issued_at__gte=start,
            issued_at__lt=end,
            status__in=(OrderStatus.OVERDUE, OrderStatus.ANSWERED_LATE),
        )
        .values("department_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        found[row["department_id"]]["overdue_orders"] = row["n"]
    for row in (
        Complaint.objects.filter(
            concluded_at__gte=start,
            concluded_at__lt=end,
            finding__in=("substantiated", "partly"),
            department__isnull=False,
        )
        .values("department_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        found[row["department_id"]]["upheld_complaints"] = row["n"]
    for row in (
        GoalReport.objects.filter(goal__year=year, status=ReportStatus.LATE)
        .values("department_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        found[row["department_id"]]["late_reports"] = row["n"]
    per = {
        "red_alerts": scheme.per_red_alert,
        "yellow_cards": scheme.per_yellow_card,
        "red_cards": scheme.per_red_card,
        "overdue_orders": scheme.per_overdue_order,
        "upheld_complaints": scheme.per_upheld_complaint,
        "late_reports": scheme.per_late_report,
    }
    for pk, d in depts.items():
        counts = found.get(pk, {})
        deduction = sum((per[k] * counts.get(k, 0) for k in per), Decimal("0"))
        d.daily = max(Decimal("0"), HUNDRED - deduction).quantize(CENT)
        d.detail["daily"] = {k: counts.get(k, 0) for k in per} | {"deduction": str(deduction)}


def _year_end(year: int, scheme: YearScheme, depts: dict[int, DeptScore]) -> None:
    goals = list(Goal.objects.filter(year=year).prefetch_related("assisting"))
    reviews = {
        (g, d): s
        for g, d, s in GoalReview.objects.filter(goal__year=year, kind=ReviewKind.YEAR_END).values_list(
            "goal_id", "department_id", "score"
        )
    }
    for pk, d in depts.items():
        parts: dict[str, list[tuple[Decimal, Decimal, str]]] = {
            GoalCategory.FUNCTIONAL: [],
            GoalCategory.COMMON: [],
        }
        for g in goals:
            # Common goals apply to every department; functional goals to their lead and assisting departments.
            if (
                g.category == GoalCategory.COMMON
                or g.lead_id == pk
                or any(a.pk == pk for a in g.assisting.all())
            ):
                parts[g.category].append((g.weight, reviews.get((g.pk, pk), Decimal("0")), g.title))
        averages: dict[str, Decimal | None] = {}
        for cat, rows in parts.items():
            weight = sum((w for w, _, _ in rows), Decimal("0"))
            averages[cat] = sum((w * s for w, s, _ in rows), Decimal("0")) / weight if weight else None
        f, c = averages[GoalCategory.FUNCTIONAL], averages[GoalCategory.COMMON]
        if f is not None and c is not None:
            value = scheme.functional_share * f + (1 - scheme.functional_share) * c
        else:
            value = f if f is not None else (c if c is not None else Decimal("0"))
        d.year_end = value.quantize(CENT, ROUND_HALF_UP)
        d.detail["year_end"] = {
            GoalCategory(cat).label: [{"goal": t, "weight": str(w), "score": str(s)} for w, s, t in rows]
            for cat, rows in parts.items()
        }


def _appraisal(year: int, depts: dict[int, DeptScore]) -> None:
    leaders: dict[int, list[int]] = defaultdict(list)
    for dept, grade in LeaderAppraisal.objects.filter(year=year).values_list("department_id", "grade"):
        leaders[dept].append(LEADER_GRADE_POINTS[grade])
    survey: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        SurveyResponse.objects.filter(year=year)
        .values("department_id", "answer")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        survey[row["department_id"]][row["answer"]] = row["n"]
    for pk, d in depts.items():
        halves: list[Decimal] = []
        if leaders.get(pk):
            halves.append(Decimal(sum(leaders[pk])) / len(leaders[pk]))
        answers = survey.get(pk, {})
        n = sum(answers.values())
        if n:
            halves.append(Decimal(sum(SURVEY_POINTS[a] * k for a, k in answers.items())) / n)
        d.appraisal = (
            (sum(halves, Decimal("0")) / len(halves)).quantize(CENT, ROUND_HALF_UP)
            if halves
            else Decimal("0")
        )
        d.detail["appraisal"] = {
            "leaders": len(leaders.get(pk, [])),
            "survey": {SurveyAnswer(a).label: k for a, k in sorted(answers.items())},
        }


def _blocks(units: list[DeptScore]) -> list[list[DeptScore]]:
    out: list[list[DeptScore]] = []
    for u in units:
        if out and out[-1][0].key == u.key:
            out[-1].append(u)
        else:
            out.append([u])
    return out


def grade_group(units: list[DeptScore], scheme: YearScheme) -> None:
    """Rank and grade one group (rules in docs/evaluation.md)."""
    units.sort(key=lambda u: (tuple(-x for x in u.key), u.name))
    for i, u in enumerate(units):
        u.rank = units[i - 1].rank if i and units[i - 1].key == u.key else i + 1
    advanced_q, upto_good = grade_quotas(len(units), scheme)
    given = 0
    for block in _blocks([u for u in units if not u.vetoes]):
        if given + len(block) > advanced_q:
            break
        for u in block:
            u.grade = Grade.ADVANCED
        given += len(block)
    good_q = upto_good - given
    for block in _blocks([u for u in units if not u.grade]):
        if len(block) > good_q:
            break
        for u in block:
            u.grade = Grade.GOOD
        good_q -= len(block)
    for u in units:
        if not u.grade:
            u.grade = Grade.ADMONISH if (u.vetoes or u.total < scheme.admonish_below) else Grade.PASS


def choose_best(units: list[DeptScore], count: int) -> None:
    ranked = sorted(
        (u for u in units if u.grade == Grade.ADVANCED), key=lambda u: (tuple(-x for x in u.key), u.name)
    )
    left = count
    for block in _blocks(ranked):
        if len(block) > left:
            break
        for u in block:
            u.best = True
        left -= len(block)


def evaluate_year(year: int) -> list[DeptScore]:
    scheme = scheme_for(year)
    depts = {
        pk: DeptScore(pk, name, group)
        for pk, name, group in Department.objects.filter(active=True).values_list("pk", "name", "group")
    }
    _daily(year, scheme, depts)
    _year_end(year, scheme, depts)
    _appraisal(year, depts)
    vetoes = vetoed(year)
    for pk, d in depts.items():
        d.total = (
            scheme.daily_weight * d.daily
            + scheme.year_end_weight * d.year_end
            + scheme.appraisal_weight * d.appraisal
        ).quantize(CENT, ROUND_HALF_UP)
        d.vetoes = vetoes.get(pk, [])
    groups: dict[str, list[DeptScore]] = defaultdict(list)
    for d in depts.values():
        groups[d.group].append(d)
    out: list[DeptScore] = []
    for group in DepartmentGroup:
        units = groups.get(group.value, [])
        grade_group(units, scheme)
        out.extend(units)
    choose_best(out, scheme.best_count)
    return out


def leader_quota(n_departments: int, scheme: YearScheme) -> int:
    """How many 优秀 one leader may give: the quota share of the departments, rounded down."""
    return int((scheme.leader_excellent_quota * n_departments).to_integral_value(ROUND_FLOOR))
