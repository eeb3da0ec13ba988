"""When must the head of an agency appear in court (行政机关负责人出庭应诉), per lawsuit and per year.

Per lawsuit (Yuyao rules, as data in `AppearanceRule`): the agency's first case of the year, cases with many plaintiffs
(10 or more by default), cases of major social impact, appeals heard after the agency lost at first instance,
state-compensation cases, and cases the court or the legal office names. The rules were adopted under
《行政诉讼法》第三条第三款 (被诉行政机关负责人应当出庭应诉).

Per year: an agency with more than 10 lawsuits in the year has its head appear in at least 2 of them; and a head who
had to appear and did not, without a written explanation filed in time, is a failure of that year."""

from __future__ import annotations

from dataclasses import dataclass

from .choices import AppearanceRuleKey, AppearanceStatus, Stage
from .models import AppearanceRule, Hearing, Lawsuit

DEFAULT_PLAINTIFFS = 10
# An agency with more than CASES_THRESHOLD lawsuits in a year has its head appear in at least MIN_APPEARANCES.
CASES_THRESHOLD = 10
MIN_APPEARANCES = 2


@dataclass(frozen=True)
class Rule:
    key: str
    active: bool
    threshold: int | None


def load_rules() -> dict[str, Rule]:
    """Every rule key with its configuration; a key without a row applies with its default."""
    rules = {
        key: Rule(key, True, DEFAULT_PLAINTIFFS if key == AppearanceRuleKey.MANY_PLAINTIFFS else None)
        for key in AppearanceRuleKey.values
    }
    for row in AppearanceRule.objects.all():
        threshold = row.threshold
        if row.key == AppearanceRuleKey.MANY_PLAINTIFFS and not threshold:
            threshold = DEFAULT_PLAINTIFFS
        rules[row.key] = Rule(row.key, row.active, threshold)
    return rules


def is_first_of_year(lawsuit: Lawsuit) -> bool:
    """No lawsuit against the same agency in the same year was received before this one."""
    earlier = Lawsuit.objects.filter(department_id=lawsuit.department_id, year=lawsuit.year).exclude(
        pk=lawsuit.pk
    )
    return not (
        earlier.filter(notice_received_on__lt=lawsuit.notice_received_on).exists()
        or earlier.filter(notice_received_on=lawsuit.notice_received_on, pk__lt=lawsuit.pk).exists()
    )


def reasons_for(lawsuit: Lawsuit, rules: dict[str, Rule] | None = None) -> list[str]:
    """The keys of the active rules that this lawsuit meets, in the order of AppearanceRuleKey."""
    rules = rules if rules is not None else load_rules()
    met: list[str] = []

    def on(key: str) -> bool:
        return rules[key].active

    if on(AppearanceRuleKey.FIRST_OF_YEAR) and is_first_of_year(lawsuit):
        met.append(AppearanceRuleKey.FIRST_OF_YEAR)
    threshold = rules[AppearanceRuleKey.MANY_PLAINTIFFS].threshold or DEFAULT_PLAINTIFFS
    if on(AppearanceRuleKey.MANY_PLAINTIFFS) and lawsuit.plaintiff_count >= threshold:
        met.append(AppearanceRuleKey.MANY_PLAINTIFFS)
    if on(AppearanceRuleKey.MAJOR_IMPACT) and lawsuit.major_impact:
        met.append(AppearanceRuleKey.MAJOR_IMPACT)
    if (
        on(AppearanceRuleKey.APPEAL_AFTER_LOSS)
        and lawsuit.stage == Stage.APPEAL
        and lawsuit.parent is not None
        and lawsuit.parent.lost
    ):
        met.append(AppearanceRuleKey.APPEAL_AFTER_LOSS)
    if on(AppearanceRuleKey.STATE_COMPENSATION) and lawsuit.state_compensation:
        met.append(AppearanceRuleKey.STATE_COMPENSATION)
    if on(AppearanceRuleKey.NAMED) and lawsuit.named_by:
        met.append(AppearanceRuleKey.NAMED)
    return met


def reason_labels(keys: list[str]) -> list[str]:
    labels = dict(AppearanceRuleKey.choices)
    return [str(labels.get(k, k)) for k in keys]


@dataclass
class YearRecord:
    department_id: int
    cases: int = 0
    required: int = 0
    heard: int = 0  # lawsuits with at least one hearing held
    appeared: int = 0  # lawsuits in which a head appeared at a hearing
    absent_required: int = (
        0  # required lawsuits with a hearing the head missed without a valid, timely explanation
    )

    def failures(self) -> list[str]:
        reasons = []
        if self.cases > CASES_THRESHOLD and self.appeared < MIN_APPEARANCES:
            reasons.append(
                f"全年行政诉讼案件{self.cases}件（超过{CASES_THRESHOLD}件），负责人出庭{self.appeared}件，"
                f"不足{MIN_APPEARANCES}件"
            )
        if self.absent_required:
            reasons.append(f"应当由负责人出庭的{self.absent_required}件案件负责人未出庭且未按时书面说明")
        return reasons


def year_records(year: int) -> dict[int, YearRecord]:
    """Per agency, its lawsuits of `year` (by the day the court notice was received) and the heads' appearances."""
    records: dict[int, YearRecord] = {}
    lawsuits = list(Lawsuit.objects.filter(year=year).values("pk", "department_id", "appearance_required"))
    by_pk = {row["pk"]: row for row in lawsuits}
    hearings: dict[int, list[str]] = {}
    for lawsuit_id, appearance in Hearing.objects.filter(lawsuit_id__in=list(by_pk)).values_list(
        "lawsuit_id", "appearance"
    ):
        hearings.setdefault(lawsuit_id, []).append(appearance)
    for row in lawsuits:
        rec = records.setdefault(row["department_id"], YearRecord(row["department_id"]))
        rec.cases += 1
        rec.required += row["appearance_required"]
        held = [a for a in hearings.get(row["pk"], []) if a != AppearanceStatus.PENDING]
        rec.heard += bool(held)
        rec.appeared += AppearanceStatus.HEAD_APPEARED in held
        rec.absent_required += row["appearance_required"] and AppearanceStatus.ABSENT in held
    return records


def year_failures(year: int) -> dict[int, str]:
    """Agencies that failed the appearance requirement in `year`: id → reason."""
    return {dept: "；".join(rec.failures()) for dept, rec in year_records(year).items() if rec.failures()}
