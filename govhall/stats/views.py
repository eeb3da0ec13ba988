"""Monthly report (page and Excel) for supervisors and leaders, and the public monthly statistics."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from govhall.calendars.engine import local_date
from govhall.core.clock import now
from govhall.org.access import require_role
from govhall.org.choices import Role
from govhall.queueing.queries import published_waits

from .indicators import INDICATORS
from .queries import Row, indicator_table

REPORT_ROLES = (Role.SUPERVISOR, Role.LEADER, Role.PERFORMANCE_OFFICER, Role.CENTER_ADMIN)


def month_period(text: str | None) -> tuple[date, date]:
    """`YYYY-MM` → (first day, last day); the current month (Beijing time) when absent or malformed."""
    first: date | None = None
    if text:
        try:
            year, month = (int(p) for p in text.split("-"))
            first = date(year, month, 1)
        except ValueError:
            first = None
    if first is None:
        first = local_date(now()).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def _require_report_access(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    require_role(
        request.user, *REPORT_ROLES, message="月度统计报表仅限效能监察、领导、绩效办和中心管理员查看"
    )
    return None


def _report(period: tuple[date, date]) -> dict[str, Any]:
    overall = indicator_table(period)[0]
    departments = indicator_table(period, by="department")
    lines = [(ind, ind.display(overall.values[ind.code])) for ind in INDICATORS]
    return {
        "overall": overall,
        "overall_lines": lines,
        "departments": departments,
        "indicators": INDICATORS,
        "period": period,
    }


def _trend(period: tuple[date, date]) -> dict[str, list[Any]]:
    days = {row.key: row for row in indicator_table(period, by="day")}
    labels: list[str] = []
    accepted: list[int | None] = []
    concluded: list[int | None] = []
    day = period[0]
    while day <= period[1]:
        row = days.get(day)
        labels.append(f"{day.month}-{day.day}")
        accepted.append(row.sums["accepted"] if row else 0)
        concluded.append(row.sums["concluded"] if row else 0)
        day += timedelta(days=1)
    return {"labels": labels, "accepted": accepted, "concluded": concluded}


def monthly_report(request: HttpRequest) -> HttpResponse:
    denied = _require_report_access(request)
    if denied:
        return denied
    period = month_period(request.GET.get("month"))
    context = _report(period) | {"month": f"{period[0]:%Y-%m}", "trend": _trend(period)}
    return render(request, "stats/monthly.html", context)


def _sheet_rows(rows: list[Row]) -> list[list[Any]]:
    return [
        [
            row.label,
            *(row.values[ind.code] if row.values[ind.code] is not None else "—" for ind in INDICATORS),
        ]
        for row in rows
    ]


def monthly_excel(request: HttpRequest) -> HttpResponse:
    from openpyxl import Workbook

    denied = _require_report_access(request)
    if denied:
        return denied
    period = month_period(request.GET.get("month"))
    report = _report(period)
    month = f"{period[0]:%Y-%m}"
    book = Workbook()
    overall = book.active
    assert overall is not None
    overall.title = "总体"
    overall.append([f"{month} 月度统计报表（{period[0]:%Y年%m月%d日}至{period[1]:%Y年%m月%d日}）"])
    overall.append(["指标", "数值", "计算公式（说明）"])
    row: Row = report["overall"]
    for ind in INDICATORS:
        value = row.values[ind.code]
        note = ind.formula + (f"；{ind.note}" if ind.note else "")
        overall.append([ind.name, value if value is not None else "—", note])
    by_department = book.create_sheet("按部门")
    by_department.append(["部门", *(ind.name for ind in INDICATORS)])
    for line in _sheet_rows(report["departments"]):
        by_department.append(line)
    by_department.append([])
    by_department.append(["说明（计算公式）"])
    for ind in INDICATORS:
        by_department.append([ind.name, ind.formula + (f"；{ind.note}" if ind.note else "")])
    for sheet in (overall, by_department):
        for ws_row in sheet.iter_rows():
            for cell in ws_row:
                if isinstance(cell.value, Decimal):
                    cell.value = float(cell.value)  # Decimal → number cell
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="monthly-{month}.xlsx"'
    return response


def public_monthly(request: HttpRequest) -> HttpResponse:
    """No login, no personal data: overall figures and one row per department."""
    period = month_period(request.GET.get("month"))
    context = _report(period) | {
        "month": f"{period[0]:%Y-%m}",
        "public": True,
        # Waiting time at the windows (取号到首次叫号), a figure centres publish beside the case indicators.
        "waits": published_waits(*period),
    }
    return render(request, "stats/public.html", context)
