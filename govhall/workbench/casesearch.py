"""办件查询 and its Excel export: one filter for the page and the file, over the cases the user may see
(`cases.access.cases_visible_to`), so an export never holds a case the list would not show.

Personal information (《个人信息保护法》第六条, minimum necessary): the applicant's name, ID number and phone are
matched exactly, never by fragments, and the list and the export show the ID number and the phone masked."""

from __future__ import annotations

import datetime as dt
import io
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from govhall.calendars import engine
from govhall.cases.access import cases_visible_to
from govhall.cases.choices import OPEN_STATUSES, ApplicantKind
from govhall.cases.models import Case
from govhall.clocks.actions import status as clock_status
from govhall.clocks.choices import Light
from govhall.core.identifiers import mask_phone, mask_resident_id
from govhall.org.access import departments_for
from govhall.stats.lights import green_case_filter, red_case_filter, yellow_case_filter

from .forms import CaseFilterForm

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

EXPORT_LIMIT = 50_000


def filter_form(user: User | AnonymousUser, data: Any) -> CaseFilterForm:
    return CaseFilterForm(data or None, departments=departments_for(user))


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=engine.CALENDAR_TZ)


def filtered_cases(user: User | AnonymousUser, form: CaseFilterForm, at: dt.datetime) -> QuerySet[Case]:
    """The user's visible cases narrowed by the form's valid fields (an invalid form narrows nothing further than
    its valid fields: the page shows the errors beside the fields)."""
    cases = cases_visible_to(user)
    if not form.is_bound:
        return cases
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    text = {
        k: (data.get(k) or "").strip() for k in ("number", "item", "applicant_name", "id_number", "phone")
    }
    if text["number"]:
        cases = cases.filter(number__contains=text["number"])
    if text["item"]:
        cases = cases.filter(item__name__icontains=text["item"])
    if text["applicant_name"]:
        cases = cases.filter(applicant_name=text["applicant_name"])
    if text["id_number"]:
        cases = cases.filter(applicant__id_number=text["id_number"])
    if text["phone"]:
        cases = cases.filter(Q(applicant_phone=text["phone"]))
    if data.get("status"):
        cases = cases.filter(status=data["status"])
    if data.get("channel"):
        cases = cases.filter(channel=data["channel"])
    if data.get("department"):
        cases = cases.filter(department_id=data["department"])
    if data.get("received_from"):
        cases = cases.filter(received_at__gte=_day_start(data["received_from"]))
    if data.get("received_to"):
        cases = cases.filter(received_at__lt=_day_start(data["received_to"] + dt.timedelta(days=1)))
    if data.get("concluded_from"):
        cases = cases.filter(concluded_at__gte=_day_start(data["concluded_from"]))
    if data.get("concluded_to"):
        cases = cases.filter(concluded_at__lt=_day_start(data["concluded_to"] + dt.timedelta(days=1)))
    light = data.get("light")
    if light == "red" or data.get("overdue"):
        cases = cases.filter(red_case_filter(at))
    if light == "yellow":
        cases = cases.filter(yellow_case_filter(at))
    elif light == "green":
        cases = cases.filter(green_case_filter(at))
    return cases


def masked_id_number(case: Case) -> str:
    if case.applicant.kind == ApplicantKind.PERSON:
        return mask_resident_id(case.applicant.id_number)
    return str(case.applicant.id_number)


EXPORT_COLUMNS = (
    "办件编号",
    "事项",
    "申请人",
    "证件号码（脱敏）",
    "联系电话（脱敏）",
    "部门",
    "渠道",
    "状态",
    "时限灯",
    "收件时间",
    "受理日",
    "办结时间",
    "承诺到期",
)


def _local(instant: dt.datetime | None) -> str:
    return f"{instant.astimezone(engine.CALENDAR_TZ):%Y-%m-%d %H:%M}" if instant is not None else ""


def export_xlsx(cases: QuerySet[Case], at: dt.datetime, title: str) -> bytes:
    """The filtered list as an Excel workbook: one row per case, personal data masked."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "办件"
    sheet.append([title])
    sheet.append(list(EXPORT_COLUMNS))
    rows = cases.select_related("item", "applicant", "department", "clock").order_by("-received_at", "-pk")
    for case in rows[:EXPORT_LIMIT]:
        light = ""
        if case.clock is not None and case.status in OPEN_STATUSES:
            light = str(Light(clock_status(case.clock, at).light).label)
        sheet.append(
            [
                case.number,
                case.item.name,
                case.applicant_name,
                masked_id_number(case),
                mask_phone(case.applicant_phone),
                case.department.name,
                case.get_channel_display(),
                case.get_status_display(),
                light,
                _local(case.received_at),
                case.accepted_day.isoformat() if case.accepted_day else "",
                _local(case.concluded_at),
                _local(case.clock.due_at) if case.clock is not None else "",
            ]
        )
    for column, width in zip(
        "ABCDEFGHIJKLM", (22, 30, 14, 22, 16, 22, 10, 14, 10, 18, 12, 18, 18), strict=True
    ):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
