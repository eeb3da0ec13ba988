"""The published indicators of domain §8, defined once: name, formula text and computation over summed counters.

Every page, export and API shows `Indicator.formula` next to the figure, so the definition a reader sees is the one
the code computes. Counters are the DailyFact columns (see models.COUNTERS) plus `complaints`, which comes from the
efficiency-complaint app, and `rated`, `satisfied`, `default_rated`, which come from the ratings (好差评)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

DASH = "—"


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    formula: str
    # count: the numerator itself; rate: numerator ÷ denominator × 100%; average: numerator ÷ denominator;
    # unavailable: no data source yet (shown as "—" with the formula and `note`).
    kind: str
    numerator: str = ""
    denominator: str = ""
    unit: str = ""
    note: str = ""

    def compute(self, sums: Mapping[str, int | None]) -> Decimal | int | None:
        """The value from summed counters; None when it is undefined (no data source, or a zero denominator)."""
        if self.kind == "unavailable":
            return None
        top = sums.get(self.numerator)
        if self.kind == "count":
            return None if top is None else int(top)
        bottom = sums.get(self.denominator)
        if top is None or not bottom:
            return None
        ratio = Decimal(int(top)) / Decimal(int(bottom))
        if self.kind == "rate":
            return (ratio * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return ratio.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    def display(self, value: Decimal | int | None) -> str:
        if value is None:
            return DASH
        if self.kind == "rate":
            return f"{value}%"
        if self.kind == "average":
            return f"{value} {self.unit}"
        return f"{value}{self.unit}"


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "accepted",
        "受理件数",
        "受理件数 = 统计期内受理（含视为受理）的办件数",
        "count",
        "accepted",
        unit="件",
    ),
    Indicator(
        "concluded",
        "办结件数",
        "办结件数 = 统计期内作出决定并办结（含一件事联办一并办结）的办件数",
        "count",
        "concluded",
        unit="件",
    ),
    Indicator(
        "conclusion_rate",
        "办结率",
        "办结率 = 统计期内受理且在统计期结束前办结的件数 ÷ 统计期内受理件数 × 100%（同一批受理的办件，不超过 100%）",
        "rate",
        "cohort_concluded",
        "cohort_accepted",
    ),
    Indicator(
        "on_time_rate",
        "按期办结率",
        "按期办结率 = 按期办结件数 ÷ 办结件数 × 100%（按期：承诺时限未超期）",
        "rate",
        "on_time",
        "concluded",
    ),
    Indicator(
        "overdue_rate",
        "超期办结率",
        "超期办结率 = 超期办结件数 ÷ 办结件数 × 100%（超期：决定时已过承诺时限）",
        "rate",
        "late",
        "concluded",
    ),
    Indicator(
        "early_rate",
        "提前办结率",
        "提前办结率 = 提前办结件数 ÷ 办结件数 × 100%（提前：决定日比承诺到期日至少早一个工作日）",
        "rate",
        "early",
        "concluded",
    ),
    Indicator(
        "average_duration",
        "平均办理时长",
        "平均办理时长 = 办结件办理工作日合计 ÷ 办结件数（办理工作日：受理日之后至决定日的工作日数）",
        "average",
        "duration_sum",
        "concluded",
        unit="个工作日",
    ),
    Indicator(
        "instant_share",
        "即办件占比",
        "即办件占比 = 即办件受理件数 ÷ 受理件数 × 100%",
        "rate",
        "instant_cases",
        "accepted",
    ),
    Indicator(
        "on_site_rate",
        "现场办结率",
        "现场办结率 = 即办件当日在窗口办结件数 ÷ 即办件受理件数 × 100%",
        "rate",
        "instant_same_day",
        "instant_cases",
    ),
    Indicator(
        "satisfaction_rate",
        "满意率",
        "满意率 = （非常满意 + 满意 + 基本满意）评价数 ÷ 评价数 × 100%"
        "（好差评，国办发〔2019〕51号；申诉成立的评价不计入，默认评价计入并单独列示）",
        "rate",
        "satisfied",
        "rated",
    ),
    Indicator(
        "rated",
        "评价数",
        "评价数 = 统计期内收到并计入统计的好差评评价数（含默认评价）",
        "count",
        "rated",
        unit="条",
    ),
    Indicator(
        "default_rated",
        "其中默认评价数",
        "默认评价数 = 办结后逾期未评价、按规定记为默认评价的数量",
        "count",
        "default_rated",
        unit="条",
    ),
    Indicator(
        "complaints",
        "效能投诉件数",
        "效能投诉件数 = 统计期内收到的效能投诉数",
        "count",
        "complaints",
        unit="件",
    ),
)

BY_CODE: dict[str, Indicator] = {ind.code: ind for ind in INDICATORS}


def compute_all(sums: Mapping[str, int | None]) -> dict[str, Decimal | int | None]:
    return {ind.code: ind.compute(sums) for ind in INDICATORS}
