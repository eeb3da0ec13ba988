"""The annual report on government information disclosure (政府信息公开工作年度报告, 《政府信息公开条例》第四十九条、
第五十条: published by 31 January for the year before) in the structure of the national tables: proactive
disclosure by category; requests received, carried over and answered by outcome, per kind of requester;
administrative reconsiderations and lawsuits arising (counted by the legal module through `hooks`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import Q

from govhall.core.tz import SHANGHAI
from govhall.org.models import Department

from . import hooks
from .choices import (
    DisclosureCategory,
    NotProcessedReason,
    RequesterKind,
    RequestEventKind,
    RequestOutcome,
    RequestStatus,
    Validity,
    WithholdReason,
)
from .models import DisclosureRecord, InfoRequest, InfoRequestEvent

COLUMNS = [*RequesterKind.values, "total"]
COLUMN_LABELS = {**{k.value: k.label for k in RequesterKind}, "total": "总计"}


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    level: int  # 0: a heading row (一、二…), 1: a sub-row, 2: a sub-sub-row


# The rows of table 三 (收到和处理政府信息公开申请情况), in the national order.
REQUEST_ROWS: list[Row] = [
    Row("new", "一、本年新收政府信息公开申请数量", 0),
    Row("carried_in", "二、上年结转政府信息公开申请数量", 0),
    Row("handled", "三、本年度办理结果", 0),
    Row("disclosed", "（一）予以公开", 1),
    Row("partly", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 1),
    Row("withheld", "（三）不予公开", 1),
    *[Row(f"withheld:{r.value}", f"{i}.{r.label}", 2) for i, r in enumerate(WithholdReason, 1)],
    Row("unavailable", "（四）无法提供", 1),
    Row("unavailable:not_held", "1.本机关不掌握相关政府信息", 2),
    Row("unavailable:needs_creation", "2.没有现成信息需要另行制作", 2),
    Row("unavailable:still_unclear", "3.补正后申请内容仍不明确", 2),
    Row("not_processed", "（五）不予处理", 1),
    Row("not_processed:petition", "1.信访举报投诉类申请", 2),
    Row("not_processed:repeated", "2.重复申请", 2),
    Row("not_processed:publication", "3.要求提供公开出版物", 2),
    Row("not_processed:mass_repeated", "4.无正当理由大量反复申请", 2),
    Row("not_processed:confirmation", "5.要求行政机关确认或重新出具已获取信息", 2),
    Row("other", "（六）其他处理", 1),
    Row("other:abandoned", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", 2),
    Row("other:unpaid", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", 2),
    Row("other:other", "3.其他", 2),
    Row("handled_total", "（七）总计", 1),
    Row("carried_out", "四、结转下年度继续办理", 0),
]
REMEDY_LABELS = {
    "reconsideration": "行政复议",
    "litigation_direct": "行政诉讼（未经复议直接起诉）",
    "litigation_after_reconsideration": "行政诉讼（复议后起诉）",
}
REMEDY_COLUMN_LABELS = {
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
    "total": "总计",
}


def _bounds(year: int) -> tuple[datetime, datetime]:
    return (
        datetime.combine(date(year, 1, 1), time.min, tzinfo=SHANGHAI),
        datetime.combine(date(year + 1, 1, 1), time.min, tzinfo=SHANGHAI),
    )


def _outcome_rows(outcome: str, reason: str) -> list[str]:
    """The rows an answer counts in: its sub-row and the heading above it."""
    if outcome in (RequestOutcome.DISCLOSED, RequestOutcome.ALREADY_PUBLIC):
        return ["disclosed"]
    if outcome == RequestOutcome.PARTLY:
        return ["partly"]
    if outcome == RequestOutcome.WITHHELD:
        return ["withheld", f"withheld:{reason}"]
    if outcome in (RequestOutcome.NOT_EXIST, RequestOutcome.NOT_THIS_AGENCY):
        return ["unavailable", "unavailable:not_held"]
    if outcome == RequestOutcome.NEEDS_CREATION:
        return ["unavailable", "unavailable:needs_creation"]
    if outcome == RequestOutcome.STILL_UNCLEAR:
        return ["unavailable", "unavailable:still_unclear"]
    if outcome == RequestOutcome.REPEATED:
        return ["not_processed", "not_processed:repeated"]
    if outcome == RequestOutcome.NOT_PROCESSED and reason in NotProcessedReason.values:
        return ["not_processed", f"not_processed:{reason}"]
    return ["other", "other:other"]  # special procedure (工商、不动产登记资料) and anything unforeseen


def annual_report(year: int, organ: Department | None = None) -> dict[str, Any]:
    """All the figures of `year` (local calendar year), for one organ or every organ."""
    start, end = _bounds(year)
    records = DisclosureRecord.objects.all()
    requests = InfoRequest.objects.all()
    if organ is not None:
        records = records.filter(organ=organ)
        requests = requests.filter(organ=organ)

    # 二、主动公开政府信息情况
    proactive: dict[str, dict[str, int]] = {}
    published = records.filter(published_at__gte=start, published_at__lt=end)
    withdrawn = records.filter(withdrawn_at__gte=start, withdrawn_at__lt=end)
    in_force = records.filter(published_at__lt=end).filter(
        Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=end)
    )
    in_force = in_force.exclude(validity=Validity.INVALID)
    for category in DisclosureCategory:
        proactive[category.value] = {
            "published": published.filter(category=category).count(),
            "withdrawn": withdrawn.filter(category=category).count(),
            "in_force": in_force.filter(category=category).count(),
        }
    proactive["total"] = {
        k: sum(v[k] for v in proactive.values()) for k in ("published", "withdrawn", "in_force")
    }

    # 三、收到和处理政府信息公开申请情况
    table: dict[str, dict[str, int]] = {row.key: dict.fromkeys(COLUMNS, 0) for row in REQUEST_ROWS}

    def add(key: str, kind: str) -> None:
        table[key][kind] += 1
        table[key]["total"] += 1

    # A request is closed when answered, abandoned or withdrawn; when it was closed decides the year it counts in.
    closed_at: dict[int, datetime] = {}
    for request_id, at in InfoRequestEvent.objects.filter(
        request__in=requests, kind__in=(RequestEventKind.ABANDONED, RequestEventKind.WITHDRAWN)
    ).values_list("request_id", "at"):
        closed_at[request_id] = at
    for row in requests.filter(received_at__lt=end).values(
        "pk", "requester_kind", "received_at", "answered_at", "status", "outcome", "reason_category"
    ):
        kind = row["requester_kind"]
        closed = row["answered_at"] or closed_at.get(row["pk"])
        if closed is not None and closed < start:
            continue  # finished before the year
        if row["received_at"] >= start:
            add("new", kind)
        else:
            add("carried_in", kind)
        if closed is None or closed >= end:
            add("carried_out", kind)
            continue
        if row["status"] == RequestStatus.ANSWERED:
            keys = _outcome_rows(row["outcome"], row["reason_category"])
        elif row["status"] == RequestStatus.ABANDONED:
            keys = ["other", "other:abandoned"]
        else:
            keys = ["other", "other:other"]
        for key in keys:
            add(key, kind)
        add("handled_total", kind)
    return {
        "year": year,
        "organ": organ,
        "proactive": proactive,
        "requests": table,
        "remedies": hooks.remedy_counts(year),
    }
