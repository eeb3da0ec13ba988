"""Figures computed from the records: the annual rule-of-law report (法治政府建设年度报告: cases, appearance rate, loss
rate, reconsiderations by outcome), the quarterly summary to the court, and the remedy counter for the disclosure
annual report (reconsiderations and lawsuits arising from information requests)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from django.db.models import Q

from govhall.org.models import Department

from .choices import (
    LOSS_OUTCOMES,
    RECON_CORRECTED,
    ActSource,
    AppearanceStatus,
    Outcome,
    ReconOutcome,
    ReconStatus,
    Stage,
)
from .models import Hearing, Lawsuit, Reconsideration
from .queries import appearance_failures
from .rules import year_failures, year_records


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _late(rows: list[Any], attr: str) -> int:
    return sum(1 for row in rows if getattr(row, attr) is not None and getattr(row, attr).late)


def annual_report(year: int) -> dict[str, Any]:
    lawsuits = list(
        Lawsuit.objects.filter(year=year).select_related(
            "report_clock", "defence_clock", "judgment_filing_clock"
        )
    )
    concluded = [s for s in lawsuits if s.outcome]
    lost = [s for s in concluded if s.outcome in LOSS_OUTCOMES]
    records = year_records(year)
    heard = sum(r.heard for r in records.values())
    appeared = sum(r.appeared for r in records.values())
    required = [s for s in lawsuits if s.appearance_required]
    required_appeared = (
        Hearing.objects.filter(
            lawsuit__in=[s.pk for s in required], appearance=AppearanceStatus.HEAD_APPEARED
        )
        .values("lawsuit_id")
        .distinct()
        .count()
    )
    names = dict(Department.objects.filter(pk__in=list(records)).values_list("pk", "name"))
    failures = year_failures(year)
    recons = list(Reconsideration.objects.filter(year=year).select_related("review_clock", "decision_clock"))
    decided = [r for r in recons if r.status == ReconStatus.DECIDED]
    by_outcome = Counter(r.outcome for r in decided)
    corrected = sum(by_outcome[o] for o in RECON_CORRECTED)
    return {
        "year": year,
        "litigation": {
            "cases": len(lawsuits),
            "by_stage": {stage: sum(1 for s in lawsuits if s.stage == stage) for stage in Stage.values},
            "concluded": len(concluded),
            "lost": len(lost),
            "loss_rate": _rate(len(lost), len(concluded)),
            "by_outcome": {o: n for o, n in sorted(Counter(s.outcome for s in concluded).items())},
            "report_late": _late(lawsuits, "report_clock"),
            "defence_late": _late(lawsuits, "defence_clock"),
            "judgment_filing_late": _late(lawsuits, "judgment_filing_clock"),
        },
        "appearance": {
            "cases_heard": heard,
            "head_appeared": appeared,
            "appearance_rate": _rate(appeared, heard),
            "required": len(required),
            "required_appeared": required_appeared,
            "by_department": [
                {
                    "department_id": dept,
                    "department": names.get(dept, ""),
                    "cases": rec.cases,
                    "required": rec.required,
                    "heard": rec.heard,
                    "head_appeared": rec.appeared,
                    "absent_required": rec.absent_required,
                    "failure": failures.get(dept, ""),
                }
                for dept, rec in sorted(records.items())
            ],
            "failed_departments": {str(k): v for k, v in sorted(failures.items())},
            "failed_two_years_running": {str(k): v for k, v in sorted(appearance_failures(year).items())},
        },
        "reconsideration": {
            "received": len(recons),
            "accepted": sum(1 for r in recons if r.accepted_at is not None),
            "refused": sum(1 for r in recons if r.status == ReconStatus.REFUSED),
            "decided": len(decided),
            "pending": sum(
                1
                for r in recons
                if r.status in (ReconStatus.RECEIVED, ReconStatus.ACCEPTED, ReconStatus.HEARD)
            ),
            "by_outcome": {o: by_outcome.get(o, 0) for o in ReconOutcome.values},
            "corrected": corrected,
            "correction_rate": _rate(corrected, len(decided)),
            "simplified": sum(1 for r in recons if r.procedure == "simplified"),
            "extended": sum(1 for r in recons if r.extended),
            "review_late": _late(recons, "review_clock"),
            "decision_late": _late(recons, "decision_clock"),
        },
    }


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return start, end


def quarter_summary(year: int, quarter: int) -> tuple[dict[str, Any], str]:
    """The quarter's figures for the court: lawsuits received, hearings held and who appeared, per agency."""
    start, end = quarter_bounds(year, quarter)
    received = Counter(
        Lawsuit.objects.filter(notice_received_on__gte=start, notice_received_on__lt=end).values_list(
            "department_id", flat=True
        )
    )
    hearings = Hearing.objects.filter(
        ~Q(appearance=AppearanceStatus.PENDING),
        scheduled_for__date__gte=start,
        scheduled_for__date__lt=end,
    ).values_list("lawsuit__department_id", "appearance")
    held: Counter[int] = Counter()
    appeared: Counter[int] = Counter()
    absent: Counter[int] = Counter()
    for dept, appearance in hearings:
        held[dept] += 1
        appeared[dept] += appearance == AppearanceStatus.HEAD_APPEARED
        absent[dept] += appearance == AppearanceStatus.ABSENT
    depts = sorted(set(received) | set(held))
    names = dict(Department.objects.filter(pk__in=depts).values_list("pk", "name"))
    rows = [
        {
            "department_id": d,
            "department": names.get(d, ""),
            "received": received[d],
            "hearings": held[d],
            "head_appeared": appeared[d],
            "absent": absent[d],
        }
        for d in depts
    ]
    totals = {
        "received": sum(received.values()),
        "hearings": sum(held.values()),
        "head_appeared": sum(appeared.values()),
        "absent": sum(absent.values()),
    }
    totals["appearance_rate"] = _rate(totals["head_appeared"], totals["hearings"])  # type: ignore[assignment]
    lines = [
        f"{year}年第{quarter}季度行政机关负责人出庭应诉情况通报",
        f"本季度收到行政诉讼应诉通知{totals['received']}件，开庭{totals['hearings']}次，"
        f"行政机关负责人出庭{totals['head_appeared']}次，应出庭未出庭{totals['absent']}次。",
    ]
    lines += [
        f"{r['department']}：收案{r['received']}件，开庭{r['hearings']}次，负责人出庭{r['head_appeared']}次"
        + (f"，应出庭未出庭{r['absent']}次" if r["absent"] else "")
        + "。"
        for r in rows
    ]
    return {"year": year, "quarter": quarter, "totals": totals, "departments": rows}, "\n".join(lines)


REMEDY_KEYS = ("upheld", "corrected", "other", "pending", "total")
RECON_UPHELD = frozenset({ReconOutcome.UPHELD, ReconOutcome.REJECTED})
LAWSUIT_UPHELD = frozenset({Outcome.DISMISSED_CLAIM, Outcome.APPEAL_REJECTED})


def _empty() -> dict[str, int]:
    return dict.fromkeys(REMEDY_KEYS, 0)


def remedy_counter(year: int) -> dict[str, dict[str, int]]:
    """Reconsiderations and first-instance lawsuits of `year` arising from information requests, by outcome, for the
    disclosure annual report: upheld (维持/驳回), corrected (纠正), other (不予受理, 撤诉, 调解, 终止…), pending."""
    recon = _empty()
    for r in Reconsideration.objects.filter(year=year, act_source=ActSource.INFO_REQUEST):
        if r.status == ReconStatus.REFUSED:
            key = "other"
        elif r.status != ReconStatus.DECIDED:
            key = "pending"
        elif r.outcome in RECON_UPHELD:
            key = "upheld"
        elif r.outcome in RECON_CORRECTED:
            key = "corrected"
        else:
            key = "other"
        recon[key] += 1
        recon["total"] += 1
    direct, after = _empty(), _empty()
    for s in Lawsuit.objects.filter(year=year, act_source=ActSource.INFO_REQUEST, stage=Stage.FIRST):
        row = after if s.reconsideration_id else direct
        if not s.outcome:
            key = "pending"
        elif s.outcome in LAWSUIT_UPHELD:
            key = "upheld"
        elif s.outcome in LOSS_OUTCOMES:
            key = "corrected"
        else:
            key = "other"
        row[key] += 1
        row["total"] += 1
    return {"reconsideration": recon, "litigation_direct": direct, "litigation_after_reconsideration": after}
