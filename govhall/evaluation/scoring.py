"""The monthly computation: every automatic item is one grouped aggregate query over the month (no loop over cases),
entered items are read from their tables, then scores, ranks and titles are assigned by the rules in docs/evaluation.md."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, DateTimeField, Func, Q, Sum
from django.db.models.functions import Coalesce

from govhall.cases.models import Case
from govhall.complaints.choices import Finding
from govhall.complaints.models import Complaint
from govhall.core.tz import SHANGHAI as TZ
from govhall.org.models import StaffProfile, Window
from govhall.ratings.choices import BAD_LEVELS, SATISFIED_LEVELS
from govhall.ratings.models import Rating
from govhall.supervision.choices import AlertKind, AlertLevel, CardLevel
from govhall.supervision.models import Alert, Card

from .choices import AppliesTo, ItemKey, Title, UnitKind
from .models import Attendance, Deduction, MonthlyScheme, PanelScore, PeerReview, Recommendation, SchemeItem

CENT = Decimal("0.01")
REFS_KEPT = 20
UPHELD = (Finding.SUBSTANTIATED, Finding.PARTLY)

# The defaults of the scheme (key, applies to, points per unit, cap): see docs/evaluation.md.
DEFAULT_ITEMS: list[tuple[str, str, str, str]] = [
    (ItemKey.CASES_HANDLED, AppliesTo.BOTH, "0.02", "5"),
    (ItemKey.ON_TIME_RATE, AppliesTo.BOTH, "10", "10"),
    (ItemKey.EARLY, AppliesTo.BOTH, "0.05", "3"),
    (ItemKey.OVERDUE_STEPS, AppliesTo.BOTH, "-1", "10"),
    (ItemKey.ALERTS, AppliesTo.BOTH, "-0.5", "10"),
    (ItemKey.YELLOW_CARDS, AppliesTo.BOTH, "-3", "15"),
    (ItemKey.RED_CARDS, AppliesTo.BOTH, "-10", "20"),
    (ItemKey.COMPLAINTS_UPHELD, AppliesTo.BOTH, "-5", "20"),
    (ItemKey.SATISFACTION, AppliesTo.BOTH, "10", "10"),
    (ItemKey.BAD_REVIEWS, AppliesTo.BOTH, "-2", "10"),
    (ItemKey.OUT_OF_PROCEDURE, AppliesTo.BOTH, "-5", "20"),
    (ItemKey.PEER_REVIEW, AppliesTo.WINDOW, "10", "10"),
    (ItemKey.RECOMMENDATIONS, AppliesTo.BOTH, "1", "3"),
    (ItemKey.ATTENDANCE, AppliesTo.STAFF, "10", "10"),
    (ItemKey.PANEL, AppliesTo.BOTH, "5", "5"),
    (ItemKey.DEDUCTIONS, AppliesTo.BOTH, "-1", "30"),
]
DEFAULT_SCHEME = "月度考评方案（默认）"


def ensure_default_scheme() -> MonthlyScheme:
    """The active scheme, creating the default one with its items when there is none (idempotent)."""
    scheme = MonthlyScheme.objects.filter(active=True).order_by("pk").first()
    if scheme is not None:
        return scheme
    scheme, _ = MonthlyScheme.objects.get_or_create(name=DEFAULT_SCHEME, defaults={"active": True})
    for key, applies, points, cap in DEFAULT_ITEMS:
        SchemeItem.objects.get_or_create(
            scheme=scheme,
            key=key,
            defaults={"applies_to": applies, "points": Decimal(points), "cap": Decimal(cap)},
        )
    return scheme


class DayBefore(Func):
    """The instant 24 hours before a datetime column, in the database's own arithmetic (Django's portable
    `F(...) - timedelta` calls a Python function per row on SQLite, which costs seconds over a month of cases)."""

    output_field = DateTimeField()
    template = "(%(expressions)s - INTERVAL '1 day')"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Stored as 'YYYY-MM-DD HH:MM:SS[.ffffff]' text in UTC; datetime() keeps that form (to the second).
        return self.as_sql(compiler, connection, template="datetime(%(expressions)s, '-1 day')", **extra)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime, dt.date, dt.date]:
    """The month's instants [start, end) in Shanghai time, and its first and last day."""
    first = month.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    start = dt.datetime.combine(first, dt.time(), tzinfo=TZ)
    end = dt.datetime.combine(nxt, dt.time(), tzinfo=TZ)
    return start, end, first, nxt - dt.timedelta(days=1)


@dataclass
class Line:
    key: str
    label: str
    value: Decimal
    raw: str
    points: Decimal
    contribution: Decimal
    refs: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "value": str(self.value),
            "raw": self.raw,
            "points": str(self.points),
            "contribution": str(self.contribution),
            "refs": self.refs,
        }


@dataclass
class UnitScore:
    unit: str
    pk: int
    name: str
    lines: list[Line] = field(default_factory=list)
    score: Decimal = Decimal("0")
    rank: int = 0
    title: str = ""
    barred: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "id": self.pk,
            "score": float(self.score),
            "rank": self.rank,
            "title": Title(self.title).label if self.title else "",
            "barred": self.barred,
        }


Counts = dict[str, dict[int, Any]]
Refs = dict[str, dict[int, list[str]]]


def _add(counts: Counts, refs: Refs, key: str, rows: Any, *, ref: bool = True) -> None:
    """Fold (group id, ref label) rows into per-unit counts and the first REFS_KEPT references."""
    for gid, label in rows:
        if gid is None:
            continue
        counts[key][gid] = counts[key].get(gid, 0) + 1
        if ref:
            kept = refs[key].setdefault(gid, [])
            if len(kept) < REFS_KEPT:
                kept.append(str(label))


class _Record:
    """The automatic figures of one month, grouped by window and by staff (one query per source and grouping)."""

    def __init__(self, month: dt.date) -> None:
        start, end, first, last = month_bounds(month)
        self.first, self.last = first, last
        self.window: Counts = defaultdict(dict)
        self.staff: Counts = defaultdict(dict)
        self.window_refs: Refs = defaultdict(dict)
        self.staff_refs: Refs = defaultdict(dict)
        self.user_staff = dict(StaffProfile.objects.filter(window__isnull=False).values_list("user_id", "pk"))
        concluded = Case.objects.filter(concluded_at__gte=start, concluded_at__lt=end)
        figures = {
            "n": Count("pk"),
            "on_time": Count("pk", filter=Q(clock__late=False)),
            "late": Count("pk", filter=Q(clock__late=True)),
            # Concluded (decided) before the due day: at least one working day early, the due day being a working day.
            "early": Count("pk", filter=Q(decided_at__lt=DayBefore("clock__due_at"))),
        }
        for column, into, mapping in (
            ("window_id", self.window, None),
            ("received_by_id", self.staff, self.user_staff),
        ):
            for row in (
                concluded.filter(**{f"{column}__isnull": False}).values(column).annotate(**figures).order_by()
            ):
                gid = row[column] if mapping is None else mapping.get(row[column])
                if gid is None:
                    continue
                for k in ("n", "on_time", "late", "early"):
                    into[k][gid] = into[k].get(gid, 0) + int(row[k])
        alerts = Alert.objects.filter(raised_at__gte=start, raised_at__lt=end)
        kinds = (
            (ItemKey.OVERDUE_STEPS, Q(kind=AlertKind.STEP, level=AlertLevel.RED)),
            (ItemKey.OUT_OF_PROCEDURE, Q(kind=AlertKind.OUT_OF_PROCEDURE)),
            (
                ItemKey.ALERTS,
                Q(level=AlertLevel.RED) & ~Q(kind__in=(AlertKind.STEP, AlertKind.OUT_OF_PROCEDURE)),
            ),
        )
        for key, cond in kinds:
            qs = alerts.filter(cond)
            _add(
                self.window,
                self.window_refs,
                key,
                qs.annotate(w=Coalesce("case__window_id", "responsible__staff__window_id"))
                .values_list("w", "summary")
                .order_by("raised_at"),
            )
            _add(
                self.staff,
                self.staff_refs,
                key,
                (
                    (self.user_staff.get(u), s)
                    for u, s in qs.values_list("responsible_id", "summary").order_by("raised_at")
                ),
            )
        cards = Card.objects.filter(issued_at__gte=start, issued_at__lt=end)
        for key, level in ((ItemKey.YELLOW_CARDS, CardLevel.YELLOW), (ItemKey.RED_CARDS, CardLevel.RED)):
            leveled = cards.filter(level=level)
            _add(
                self.window,
                self.window_refs,
                key,
                leveled.annotate(
                    w=Coalesce("alert__case__window_id", "person__staff__window_id")
                ).values_list("w", "reason"),
            )
            _add(
                self.staff,
                self.staff_refs,
                key,
                ((self.user_staff.get(u), r) for u, r in leveled.values_list("person_id", "reason")),
            )
        upheld = Complaint.objects.filter(concluded_at__gte=start, concluded_at__lt=end, finding__in=UPHELD)
        _add(
            self.window,
            self.window_refs,
            ItemKey.COMPLAINTS_UPHELD,
            upheld.annotate(w=Coalesce("case__window_id", "staff__window_id")).values_list("w", "number"),
        )
        _add(self.staff, self.staff_refs, ItemKey.COMPLAINTS_UPHELD, upheld.values_list("staff_id", "number"))
        ratings = Rating.objects.filter(counted=True, rated_day__gte=first, rated_day__lte=last)
        rfig = {"rated": Count("pk"), "satisfied": Count("pk", filter=Q(level__in=SATISFIED_LEVELS))}
        for column, into in (("window_id", self.window), ("staff_id", self.staff)):
            for row in (
                ratings.filter(**{f"{column}__isnull": False}).values(column).annotate(**rfig).order_by()
            ):
                into["rated"][row[column]] = int(row["rated"])
                into["satisfied"][row[column]] = int(row["satisfied"])
        bad = ratings.filter(level__in=BAD_LEVELS)
        _add(self.window, self.window_refs, ItemKey.BAD_REVIEWS, bad.values_list("window_id", "case__number"))
        _add(self.staff, self.staff_refs, ItemKey.BAD_REVIEWS, bad.values_list("staff_id", "case__number"))


def _entered(month: dt.date) -> tuple[Counts, Counts, Refs, Refs]:
    first = month.replace(day=1)
    w: Counts = defaultdict(dict)
    s: Counts = defaultdict(dict)
    wr: Refs = defaultdict(dict)
    sr: Refs = defaultdict(dict)
    for row in (
        PeerReview.objects.filter(month=first).values("reviewee_id").annotate(a=Avg("score"), n=Count("pk"))
    ):
        w["peer"][row["reviewee_id"]] = row["a"]
        wr[ItemKey.PEER_REVIEW][row["reviewee_id"]] = [f"{row['n']}个窗口评分"]
    for model, key, agg in (
        (Recommendation, ItemKey.RECOMMENDATIONS, Count("pk")),
        (PanelScore, ItemKey.PANEL, Avg("score")),
        (Deduction, ItemKey.DEDUCTIONS, Sum("points")),
    ):
        qs = model.objects.filter(month=first)
        for column, into in (("window_id", w), ("staff_id", s)):
            for row in qs.filter(**{f"{column}__isnull": False}).values(column).annotate(v=agg).order_by():
                into[key][row[column]] = row["v"]
        if key in (ItemKey.RECOMMENDATIONS, ItemKey.DEDUCTIONS):
            label = "reason"
            for column, refs in (("window_id", wr), ("staff_id", sr)):
                for gid, text in qs.filter(**{f"{column}__isnull": False}).values_list(column, label):
                    refs[key].setdefault(gid, []).append(str(text))
    for sid, due, present, late in Attendance.objects.filter(month=first).values_list(
        "staff_id", "days_due", "days_present", "late_times"
    ):
        s["attendance"][sid] = (due, present, late)
    return w, s, wr, sr


def _clamp(x: Decimal, cap: Decimal) -> Decimal:
    return max(-cap, min(cap, x)).quantize(CENT, ROUND_HALF_UP)


def _rate(num: int, den: int) -> tuple[Decimal, str]:
    if den == 0:
        return Decimal("1"), "本月无此类记录，按满分计"
    return (Decimal(num) / Decimal(den)).quantize(Decimal("0.0001"), ROUND_HALF_UP), f"{num}/{den}"


def _line(
    item: SchemeItem, gid: int, counts: Counts, entered: Counts, refs: Refs, entered_refs: Refs
) -> Line:
    key = item.key

    def c(k: str) -> int:
        return int(counts.get(k, {}).get(gid, 0))

    value: Decimal
    raw: str
    if key == ItemKey.CASES_HANDLED:
        value, raw = Decimal(c("n")), f"办结{c('n')}件"
    elif key == ItemKey.ON_TIME_RATE:
        value, raw = _rate(c("on_time"), c("on_time") + c("late"))
    elif key == ItemKey.EARLY:
        value, raw = Decimal(c("early")), f"提前办结{c('early')}件"
    elif key == ItemKey.SATISFACTION:
        value, raw = _rate(c("satisfied"), c("rated"))
    elif key == ItemKey.PEER_REVIEW:
        avg = entered.get("peer", {}).get(gid)
        value = Decimal(avg or 0) / 100
        raw = f"平均{Decimal(avg).quantize(CENT)}分" if avg is not None else "本月无互评"
    elif key == ItemKey.PANEL:
        avg = entered.get(key, {}).get(gid)
        value = Decimal(avg or 0) / 100
        raw = f"平均{Decimal(avg).quantize(CENT)}分" if avg is not None else "本月无评委评分"
    elif key == ItemKey.RECOMMENDATIONS:
        value = Decimal(entered.get(key, {}).get(gid) or 0)
        raw = f"{value}次"
    elif key == ItemKey.DEDUCTIONS:
        value = Decimal(entered.get(key, {}).get(gid) or 0)
        raw = f"扣{value}分"
    elif key == ItemKey.ATTENDANCE:
        att = entered.get("attendance", {}).get(gid)
        if att is None:
            value, raw = Decimal("0"), "未导入考勤"
        else:
            due, present, late = att
            value, raw = _rate(present, due)
            raw += f"，迟到早退{late}次"
    else:
        value, raw = Decimal(c(key)), f"{c(key)}次"
    contribution = _clamp(value * item.points, item.cap)
    found = refs.get(key, {}).get(gid) or entered_refs.get(key, {}).get(gid) or []
    return Line(key, _LABELS[key], value, raw, item.points, contribution, list(found))


_LABELS = {str(k): str(k.label) for k in ItemKey}


def _quota(share: Decimal, n: int) -> int:
    return int((share * n).to_integral_value(ROUND_FLOOR))


def rank(units: list[UnitScore]) -> None:
    """Competition ranking (1, 2, 2, 4) by score; display order by score, then name."""
    units.sort(key=lambda u: (-u.score, u.name))
    for i, u in enumerate(units):
        u.rank = units[i - 1].rank if i and units[i - 1].score == u.score else i + 1


def assign_titles(
    units: list[UnitScore], first_title: str, second_title: str, first_n: int, cap_n: int
) -> None:
    """Titles in rank order among units not barred: `first_n` of the first title, then the second up to `cap_n`
    honours in all. A block of equal scores that would overflow a quota goes whole to the next title (or, at the
    cap, gets none): the cap is a ceiling, never exceeded by a tie."""
    eligible = [u for u in units if not u.barred]
    i, given, first_left = 0, 0, min(first_n, cap_n)
    while i < len(eligible):
        j = i
        while j < len(eligible) and eligible[j].score == eligible[i].score:
            j += 1
        block = eligible[i:j]
        if first_left and len(block) <= first_left:
            title = first_title
            first_left -= len(block)
        elif given + len(block) <= cap_n:
            title, first_left = second_title, 0
        else:
            break
        for u in block:
            u.title = title
        given += len(block)
        i = j


def _score_units(
    kind: str,
    members: list[tuple[int, str]],
    items: list[SchemeItem],
    base: Decimal,
    counts: Counts,
    entered: Counts,
    refs: Refs,
    entered_refs: Refs,
) -> list[UnitScore]:
    mine = [i for i in items if i.applies_to in (AppliesTo.BOTH, kind)]
    out = []
    for pk, name in members:
        u = UnitScore(kind, pk, name)
        u.lines = [_line(i, pk, counts, entered, refs, entered_refs) for i in mine]
        u.score = (base + sum((ln.contribution for ln in u.lines), Decimal("0"))).quantize(CENT)
        reasons = []
        if counts.get(ItemKey.COMPLAINTS_UPHELD, {}).get(pk):
            reasons.append("本月有属实投诉")
        if counts.get(ItemKey.RED_CARDS, {}).get(pk):
            reasons.append("本月被亮红牌")
        u.barred = "、".join(reasons)
        out.append(u)
    rank(out)
    return out


@dataclass
class MonthEvaluation:
    month: dt.date
    windows: list[UnitScore]
    staff: list[UnitScore]


def evaluate(month: dt.date, scheme: MonthlyScheme | None = None) -> MonthEvaluation:
    """Compute the month from the record now (used before the month is closed, and to close it)."""
    scheme = scheme or ensure_default_scheme()
    items = list(scheme.items.all())
    record = _Record(month)
    we, se, wer, ser = _entered(month)
    windows = [
        (pk, f"{number}号窗口 {name}")
        for pk, number, name in Window.objects.filter(active=True).values_list("pk", "number", "name")
    ]
    staff = [
        (pk, f"{name}（{no}）")
        for pk, name, no in StaffProfile.objects.filter(active=True, window__isnull=False).values_list(
            "pk", "name", "employee_no"
        )
    ]
    w = _score_units(UnitKind.WINDOW, windows, items, scheme.base, record.window, we, record.window_refs, wer)
    s = _score_units(UnitKind.STAFF, staff, items, scheme.base, record.staff, se, record.staff_refs, ser)
    assign_titles(
        w,
        Title.RED_FLAG,
        Title.QUALITY,
        _quota(scheme.red_flag_share, len(w)),
        _quota(scheme.honours_cap, len(w)),
    )
    assign_titles(
        s, Title.STAR, Title.MODEL_POST, _quota(scheme.star_share, len(s)), _quota(scheme.honours_cap, len(s))
    )
    return MonthEvaluation(month.replace(day=1), w, s)
