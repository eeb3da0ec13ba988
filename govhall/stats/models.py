"""Daily aggregates (统计事实表) behind every published figure (domain §8).

The indicators (indicators.py) are ratios of integer counters; the counters are summed from `DailyFact` rows, which
`refresh.refresh_facts` keeps up to date from the case audit chain (govhall.ledger), so a report over years of cases
reads a few thousand small rows instead of millions of cases."""

from __future__ import annotations

from django.db import models
from django.db.models import F
from django.db.models.functions import Coalesce

COUNTERS = (
    "accepted",
    "concluded",
    "on_time",
    "late",
    "early",
    "duration_sum",
    "instant_cases",
    "instant_same_day",
    "refused",
    "not_accepted",
    "redirected",
    "withdrawn",
)


class DailyFact(models.Model):
    """Counters of one calendar day (Asia/Shanghai) for one combination of department, window, staff member, item
    and site level. Each event is counted on the day it was recorded, so a published month never changes later."""

    day = models.DateField("日期")
    department = models.ForeignKey(
        "org.Department", verbose_name="部门", on_delete=models.PROTECT, related_name="+"
    )
    window = models.ForeignKey(
        "org.Window", verbose_name="窗口", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    staff = models.ForeignKey(
        "org.StaffProfile",
        verbose_name="工作人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    item = models.ForeignKey(
        "catalog.ServiceItem", verbose_name="事项", on_delete=models.PROTECT, related_name="+"
    )
    # Site kind (center / township / village); "" for applications without a site (online).
    site_level = models.CharField("站点层级", max_length=16, blank=True, default="")

    accepted = models.PositiveIntegerField("受理件数", default=0)
    concluded = models.PositiveIntegerField("办结件数", default=0)
    on_time = models.PositiveIntegerField("按期办结件数", default=0)
    late = models.PositiveIntegerField("超期办结件数", default=0)
    early = models.PositiveIntegerField("提前办结件数", default=0)
    duration_sum = models.PositiveBigIntegerField("办理工作日合计", default=0)
    instant_cases = models.PositiveIntegerField("即办件受理件数", default=0)
    instant_same_day = models.PositiveIntegerField("即办件当场办结件数", default=0)
    refused = models.PositiveIntegerField("不予许可件数", default=0)
    not_accepted = models.PositiveIntegerField("不予受理件数", default=0)
    redirected = models.PositiveIntegerField("非本机关职权件数", default=0)
    withdrawn = models.PositiveIntegerField("撤回件数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "统计日数据"
        constraints = [
            # Coalesce: window and staff are often empty and must still identify one row (NULLs are distinct in a
            # plain unique index, on SQLite and PostgreSQL alike).
            models.UniqueConstraint(
                F("day"),
                F("department"),
                Coalesce("window", 0),
                Coalesce("staff", 0),
                F("item"),
                F("site_level"),
                name="stats_dailyfact_key",
            )
        ]
        indexes = [
            models.Index(fields=["day", "department"], name="stats_fact_day_dept_idx"),
            models.Index(fields=["department", "day"], name="stats_fact_dept_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.department_id}/{self.item_id}"


class FactCursor(models.Model):
    """One row (pk=1): the last audit-chain seq folded into DailyFact. Locked by the refresher, so only one runs."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField("已处理序号", default=0)
    updated_at = models.DateTimeField("更新时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "统计游标"

    def __str__(self) -> str:
        return f"统计游标 #{self.seq}"
