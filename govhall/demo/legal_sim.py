"""The legal office's year in the demo county: lawsuits against the agencies (some over the simulated cases) with their
hearings, the heads' appearances, judgments and appeals; reconsiderations accepted, refused, extended and decided;
and the quarterly summaries to the court. Everything goes through `govhall.legal.actions`, with `now()` frozen at
each step's instant.

It covers the previous calendar year and the current one up to the end of the simulated period, so that the yearly
appearance check and its two-years-running consequence have something to find: one busy agency has more than ten
lawsuits a year and its head appears in fewer than two."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from time import monotonic
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from govhall.calendars import engine
from govhall.cases.models import Case
from govhall.core.clock import frozen_at
from govhall.core.tz import SHANGHAI
from govhall.disclosure.models import InfoRequest
from govhall.legal import actions
from govhall.legal.choices import (
    LOSS_OUTCOMES,
    AppearanceStatus,
    Instrument,
    Outcome,
    ReconOutcome,
    ReconStatus,
    Stage,
)
from govhall.legal.models import CaseCorrection, Hearing, Lawsuit, Reconsideration
from govhall.legal.queries import appearance_failures
from govhall.legal.rules import year_failures
from govhall.org.models import Department

COURT = "示范县人民法院"
APPEAL_COURT = "示范市中级人民法院"
CAUSES = (
    ("不服行政处罚决定", "罚款决定"),
    ("不服不予许可决定", "不予行政许可决定"),
    ("请求履行法定职责", "未在法定期限内作出答复"),
    ("不服行政强制措施", "查封扣押决定"),
    ("不服撤销登记决定", "撤销登记决定"),
    ("行政赔偿", "行政赔偿请求"),
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
# Yearly volumes for a full-size run; a small run (fewer than FULL_SIZE cases, as in the tests) does a fraction,
# so that the other modules' simulations and the test suite stay quick.
FULL_SIZE = 100
LAWSUITS_PER_YEAR = 18
BUSY_AGENCY_CASES = 11  # more than ten: its head must appear in at least two
RECONS_PER_YEAR = 10
SMALL = {"lawsuits": 5, "busy": 3, "recons": 3}
WIN = ((Outcome.DISMISSED_CLAIM, 14), (Outcome.DISMISSED_SUIT, 2), (Outcome.WITHDRAWN, 2))
LOSS = ((Outcome.REVOKED, 2), (Outcome.CONFIRMED_UNLAWFUL, 1), (Outcome.ORDERED_TO_ACT, 1))
RECON_OUTCOMES = (
    (ReconOutcome.UPHELD, 55),
    (ReconOutcome.REJECTED, 10),
    (ReconOutcome.REVOKED, 10),
    (ReconOutcome.CHANGED, 4),
    (ReconOutcome.CONFIRMED_UNLAWFUL, 5),
    (ReconOutcome.ORDERED_TO_ACT, 6),
    (ReconOutcome.MEDIATED, 5),
    (ReconOutcome.TERMINATED, 5),
)


def quick_source(case: Case | None, info_request: InfoRequest | None) -> bool:
    return case is not None or info_request is not None


def _pick(rng: random.Random, weighted: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _working(day: date) -> date:
    while not engine.is_working_day(day).value:
        day += timedelta(days=1)
    return day


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


class LegalYear:
    def __init__(
        self, *, seed: int, period: tuple[date, date], case_pks: Sequence[int], log: Callable[[str], None]
    ):
        self.rng = random.Random(seed + 16016)
        self.start, self.end = date(period[1].year - 1, 1, 1), period[1]
        self.end_instant = _at(self.end, 18)
        self.case_pks = list(case_pks)
        self.log = log
        officer = User.objects.filter(groups__name="legal_officer", is_active=True).order_by("pk").first()
        if officer is None:
            raise RuntimeError("演示县没有法制办工作人员（legal_officer）")
        self.officer = officer
        self.departments = list(
            Department.objects.filter(active=True, in_hall=True).order_by("sort_order", "pk")
        )
        self.skipped = 0
        full = len(self.case_pks) >= FULL_SIZE
        self.per_year = LAWSUITS_PER_YEAR if full else SMALL["lawsuits"]
        self.busy_cases = BUSY_AGENCY_CASES if full else SMALL["busy"]
        self.recons_per_year = RECONS_PER_YEAR if full else SMALL["recons"]
        self.numbers: dict[tuple[int, str], int] = {}

    # ------------------------------------------------------------------ helpers

    def step(self, when: datetime, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run one action at `when`, unless it lies after the simulated period (it is then still to come)."""
        if when > self.end_instant:
            return None
        with frozen_at(when):
            try:
                return fn(*args, **kwargs)
            except ValidationError:
                self.skipped += 1
                return None

    def case_number(self, year: int, kind: str) -> str:
        n = self.numbers[(year, kind)] = self.numbers.get((year, kind), 0) + 1
        prefix = "示0101行初" if kind == "first" else "示01行终"
        return f"（{year}）{prefix}{n}号"

    def plaintiffs(self, count: int) -> str:
        return "\n".join(
            self.rng.choice(SURNAMES) + self.rng.choice("建国秀英志强丽华海燕伟明")
            for _ in range(min(count, 3))
        )

    def day_in(self, year: int) -> date:
        first, last = max(self.start, date(year, 1, 2)), min(self.end - timedelta(days=2), date(year, 12, 28))
        if last < first:
            return first
        return _working(first + timedelta(days=self.rng.randint(0, (last - first).days)))

    # ------------------------------------------------------------------ lawsuits

    def lawsuits(self) -> None:
        # The busiest defendant in a county is usually market regulation (licences, inspections, fines).
        busy = next((d for d in self.departments if "市场监督" in d.name), self.departments[-1])
        plans: list[tuple[date, Department, dict[str, Any]]] = []
        for year in (self.start.year, self.end.year):
            for _ in range(self.busy_cases):
                plans.append((self.day_in(year), busy, {"busy": True}))
            for _ in range(self.per_year - self.busy_cases):
                others = [d for d in self.departments if d.pk != busy.pk]
                plans.append((self.day_in(year), self.rng.choice(others), {}))
        # Cases of the simulated period taken to court at its end (their hearings are still to come).
        for pk in self.rng.sample(self.case_pks, min(3, len(self.case_pks))):
            case = Case.objects.select_related("department").get(pk=pk)
            plans.append((self.end, case.department, {"case": case}))
        plans.sort(key=lambda p: (p[0], p[1].pk))
        for day, department, extra in plans:
            self.lawsuit(day, department, **extra)

    def lawsuit(
        self,
        day: date,
        department: Department,
        *,
        busy: bool = False,
        case: Case | None = None,
        parent: Lawsuit | None = None,
    ) -> None:
        rng = self.rng
        cause, act = rng.choice(CAUSES)
        many = rng.random() < 0.08
        count = rng.randint(10, 30) if many else rng.randint(1, 3)
        report_delay = 0 if rng.random() < 0.9 else rng.randint(4, 6)
        kwargs: dict[str, Any] = {
            "by": self.officer,
            "department": department,
            "court": APPEAL_COURT if parent else COURT,
            "case_number": self.case_number(day.year, "appeal" if parent else "first"),
            "plaintiffs": parent.plaintiffs if parent else self.plaintiffs(count),
            "plaintiff_count": parent.plaintiff_count if parent else count,
            "cause": parent.cause if parent else cause,
            "notice_received_on": day,
            "major_impact": rng.random() < 0.08,
            "state_compensation": cause == "行政赔偿",
            "named_by": "court" if rng.random() < 0.05 else "",
            "stage": Stage.APPEAL if parent else Stage.FIRST,
            "parent": parent,
        }
        if case is not None:
            kwargs.update(act_source="case", case=case, cause="不服行政许可决定")
        else:
            kwargs.update(act_source="other", act_description=act)
        suit = self.step(_at(day + timedelta(days=report_delay), 10), actions.register_lawsuit, **kwargs)
        if suit is None:
            return
        self.step(
            _at(day + timedelta(days=rng.randint(5, 16)), 15), actions.file_defence, suit, by=self.officer
        )
        hearing_day = _working(day + timedelta(days=rng.randint(35, 60)))
        hearing = self.step(
            _at(day + timedelta(days=20), 9),
            actions.schedule_hearing,
            suit,
            by=self.officer,
            scheduled_for=_at(hearing_day, 9, 30),
            place="第三审判庭",
        )
        if hearing is None:
            return
        head = f"{department.short_name or department.name}负责人"
        if hearing.head_required:
            roll = rng.random()
            if not busy and roll < 0.75:  # the busy agency's head never comes
                self.step(
                    _at(hearing_day - timedelta(days=10), 11),
                    actions.confirm_head_appearance,
                    hearing,
                    by=self.officer,
                    head_name=head,
                    head_title="副局长",
                )
                appeared = True
            else:
                if roll < 0.92:
                    self.step(
                        _at(actions.absence_deadline(hearing_day), 10),
                        actions.explain_absence,
                        hearing,
                        by=self.officer,
                        reason=rng.choice(("illness", "official_duty", "emergency")),
                        explanation="因故不能出庭，委托工作人员及律师出庭应诉",
                    )
                appeared = False
        else:
            appeared = not busy and rng.random() < 0.12
        hearing = Hearing.objects.get(pk=hearing.pk)
        self.step(
            _at(hearing_day, 12),
            actions.record_hearing,
            hearing,
            by=self.officer,
            head_appeared=appeared,
            head_name=head if appeared else "",
        )
        served = _working(hearing_day + timedelta(days=rng.randint(20, 40)))
        lost = rng.random() < 0.2
        if parent is not None:
            outcome = Outcome.REVERSED if lost else Outcome.APPEAL_REJECTED
        else:
            outcome = _pick(rng, LOSS if lost else WIN)
        instrument = (
            Instrument.RULING
            if outcome in (Outcome.DISMISSED_SUIT, Outcome.WITHDRAWN)
            else Instrument.JUDGMENT
        )
        suit = self.step(
            _at(served, 16),
            actions.record_judgment,
            suit,
            by=self.officer,
            instrument=instrument,
            outcome=outcome,
            served_on=served,
            summary="",
        )
        if suit is None:
            return
        self.step(
            _at(served + timedelta(days=rng.randint(2, 16)), 10), actions.file_judgment, suit, by=self.officer
        )
        if suit.stage == Stage.FIRST and suit.appeal_clock is not None:
            appeal = outcome in LOSS_OUTCOMES and rng.random() < 0.5
            self.step(
                _at(served + timedelta(days=rng.randint(5, 12)), 11),
                actions.decide_appeal,
                suit,
                by=self.officer,
                appeal=appeal,
            )
            if appeal:
                self.lawsuit(_working(served + timedelta(days=25)), department, busy=busy, parent=suit)

    # ------------------------------------------------------------------ reconsiderations

    def reconsiderations(self) -> None:
        rng = self.rng
        plans: list[tuple[date, dict[str, Any]]] = [
            (self.day_in(year), {})
            for year in (self.start.year, self.end.year)
            for _ in range(self.recons_per_year)
        ]
        for request in InfoRequest.objects.order_by("pk")[:2]:
            plans.append((max(self.end - timedelta(days=3), self.start), {"info_request": request}))
        concluded = list(
            Case.objects.filter(pk__in=self.case_pks, concluded_at__isnull=False)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for n, pk in enumerate(rng.sample(concluded, min(3, len(concluded)))):
            case = Case.objects.get(pk=pk)
            assert case.concluded_at is not None
            day = engine.local_date(case.concluded_at)
            plans.append((min(day, self.end), {"case": case, "revoke": n == 0}))
        plans.sort(key=lambda p: p[0])
        for day, extra in plans:
            self.reconsideration(day, **extra)

    def reconsideration(
        self,
        day: date,
        *,
        case: Case | None = None,
        info_request: InfoRequest | None = None,
        revoke: bool = False,
    ) -> None:
        rng = self.rng
        if case is not None:
            department, source = case.department, {"act_source": "case", "case": case}
        elif info_request is not None:
            department, source = (
                info_request.organ,
                {"act_source": "info_request", "info_request": info_request},
            )
        else:
            department = rng.choice(self.departments)
            source = {"act_source": "other", "act_description": rng.choice(CAUSES)[1]}
        received = _at(day, 17, 30) if quick_source(case, info_request) else _at(day, rng.randint(9, 16))
        recon = self.step(
            received,
            actions.receive_reconsideration,
            by=self.officer,
            department=department,
            applicant_name=self.plaintiffs(1),
            request="请求撤销该行政行为",
            known_on=day - timedelta(days=rng.randint(5, 50)),
            **source,
        )
        if recon is None:
            return
        quick = quick_source(case, info_request)
        review = received + (timedelta(minutes=10) if quick else timedelta(days=rng.randint(1, 7)))
        if not quick and rng.random() < 0.1:
            self.step(
                review,
                actions.refuse_reconsideration,
                recon,
                by=self.officer,
                ground=rng.choice(("out_of_scope", "too_late", "not_party")),
                reason="经审查，该申请不符合受理条件",
            )
            return
        simplified = quick or rng.random() < 0.3
        recon = self.step(
            review,
            actions.accept_reconsideration,
            recon,
            by=self.officer,
            procedure="simplified" if simplified else "normal",
        )
        if recon is None:
            return
        limit = 30 if simplified else 60
        if not simplified and rng.random() < 0.1:
            self.step(
                review + timedelta(days=50),
                actions.extend_reconsideration,
                recon,
                by=self.officer,
                reason="案情复杂，需补充调查",
            )
            limit += 30
        if quick:  # the simulated period is short: the demo's own cases are decided quickly
            decided = review + timedelta(minutes=20)
        else:
            decided = review + timedelta(days=rng.randint(15, limit + (5 if rng.random() < 0.05 else -2)))
        self.step(
            decided - timedelta(minutes=10),
            actions.hear_reconsideration,
            recon,
            by=self.officer,
            note="书面审理",
        )
        outcome = ReconOutcome.REVOKED if revoke else _pick(rng, RECON_OUTCOMES)
        self.step(
            decided,
            actions.decide_reconsideration,
            recon,
            by=self.officer,
            outcome=outcome,
            text=f"决定{ReconOutcome(outcome).label}",
        )

    # ------------------------------------------------------------------ summaries

    def summaries(self) -> int:
        issued = 0
        for year in (self.start.year, self.end.year):
            for quarter in (1, 2, 3, 4):
                after_quarter = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
                when = _at(_working(after_quarter + timedelta(days=3)), 9)
                if self.step(when, actions.issue_court_summary, by=self.officer, year=year, quarter=quarter):
                    issued += 1
        return issued

    def run(self) -> dict[str, Any]:
        started = monotonic()
        issued = 0
        if self.case_pks:  # nothing was simulated, nothing to go to court about
            self.lawsuits()
            self.reconsiderations()
            issued = self.summaries()
        years = (self.start.year, self.end.year)
        lawsuits = Lawsuit.objects.filter(year__in=years)
        recons = Reconsideration.objects.filter(year__in=years)
        hearings = Hearing.objects.filter(lawsuit__year__in=years)
        summary = {
            "lawsuits": lawsuits.count(),
            "appeals": lawsuits.filter(stage=Stage.APPEAL).count(),
            "lost": lawsuits.filter(outcome__in=list(LOSS_OUTCOMES)).count(),
            "hearings_held": hearings.exclude(appearance=AppearanceStatus.PENDING).count(),
            "head_appeared": hearings.filter(appearance=AppearanceStatus.HEAD_APPEARED).count(),
            "reconsiderations": recons.count(),
            "reconsiderations_decided": recons.filter(status=ReconStatus.DECIDED).count(),
            "reconsiderations_refused": recons.filter(status=ReconStatus.REFUSED).count(),
            "case_corrections": CaseCorrection.objects.count(),
            "court_summaries": issued,
            "failed_this_year": len(year_failures(self.end.year)),
            "failed_two_years_running": len(appearance_failures(self.end.year)),
            "skipped_steps": self.skipped,
        }
        self.log(
            f"法制：行政诉讼{summary['lawsuits']}件（负责人出庭{summary['head_appeared']}次），"
            f"行政复议{summary['reconsiderations']}件，连续两年未达出庭要求{summary['failed_two_years_running']}个机关"
            f"（{monotonic() - started:.1f} 秒）"
        )
        return summary


def run(
    *, seed: int, period: tuple[date, date], case_pks: Sequence[int], log: Callable[[str], None]
) -> dict[str, Any]:
    return LegalYear(seed=seed, period=period, case_pks=case_pks, log=log).run()
