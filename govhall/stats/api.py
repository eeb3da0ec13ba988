"""Public statistics JSON: the monthly indicators of the published report, each with its formula."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema

from govhall.catalog.api import BadRequest, InvalidQuery
from govhall.ratings.queries import rectification_figures

from .indicators import INDICATORS
from .queries import Row, indicator_table
from .views import month_period

router = Router(tags=["统计"])
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class IndicatorOut(Schema):
    code: str = Field(..., description="指标代码")
    name: str = Field(..., description="指标名称")
    formula: str = Field(..., description="计算公式")
    value: float | int | None = Field(
        ..., description="数值（比率为百分数，如 98.5 表示 98.5%）；无数据时为 null"
    )
    display: str = Field(..., description="显示值（含单位；无数据时为“—”）")


class DepartmentIndicatorsOut(Schema):
    department_id: int | None = Field(..., description="部门ID")
    name: str = Field(..., description="部门名称")
    indicators: list[IndicatorOut]


class RectificationOut(Schema):
    bad_reviews: int = Field(..., description="差评数（申诉成立的不计）")
    closed: int = Field(..., description="已整改反馈数")
    closed_on_time: int = Field(..., description="按期整改反馈数")
    callback_required: int = Field(..., description="实名差评数（须回访）")
    called_back: int = Field(..., description="已回访数")
    callback_rate: float | None = Field(..., description="实名差评回访率（%）")
    appeals_upheld: int = Field(..., description="申诉成立、不计入统计的评价数")


class PublicStatsOut(Schema):
    month: str = Field(..., description="统计月份 YYYY-MM")
    start: date = Field(..., description="统计期首日")
    end: date = Field(..., description="统计期末日")
    indicators: list[IndicatorOut] = Field(..., description="总体指标")
    departments: list[DepartmentIndicatorsOut] = Field(..., description="分部门指标")
    rectification: RectificationOut = Field(..., description="差评整改情况（好差评）")


class PublicStatsQuery(Schema):
    month: str | None = Field(None, description="统计月份 YYYY-MM（如 2026-03），缺省为本月")


def _indicators(row: Row) -> list[dict[str, Any]]:
    out = []
    for ind in INDICATORS:
        value = row.values[ind.code]
        out.append(
            {
                "code": ind.code,
                "name": ind.name,
                "formula": ind.formula,
                "value": float(value) if ind.kind in ("rate", "average") and value is not None else value,
                "display": ind.display(value),
            }
        )
    return out


@router.get(
    "/stats/public",
    response={200: PublicStatsOut, 400: BadRequest, 422: InvalidQuery},
    summary="公开月度统计",
    description="政务服务中心月度公开指标（受理、办结、按期办结率、满意率等），附计算公式；无需认证，不含个人信息。",
    operation_id="public_stats",
    auth=None,
)
def public_stats(request: Any, query: Query[PublicStatsQuery]) -> dict[str, Any]:
    text = (query.month or "").strip()
    if text and not _MONTH.match(text):
        raise ValidationError({"month": "格式不正确，应为 YYYY-MM（如 2026-03）"})
    period = month_period(text or None)
    overall = indicator_table(period)[0]
    departments = indicator_table(period, by="department")
    return {
        "month": f"{period[0]:%Y-%m}",
        "start": period[0],
        "end": period[1],
        "indicators": _indicators(overall),
        "departments": [
            {"department_id": row.key, "name": row.label, "indicators": _indicators(row)}
            for row in departments
        ],
        "rectification": rectification_figures(period),
    }
