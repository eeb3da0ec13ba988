"""The holiday table: the State Council's yearly arrangement, one row per special day.

Semantics for a confirmed year: a day is a rest day iff it has a holiday row, or it is a Saturday/Sunday
without a make-up row. Years without a confirmed CalendarYear use the provisional rule in engine.py.
Rows change only through govhall.calendars.actions, which audit and bump CalendarRevision."""

from __future__ import annotations

from django.db import models

from .choices import CalendarSource, DayKind


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField("年度", primary_key=True)
    confirmed = models.BooleanField("已确认", default=False)
    source = models.CharField(
        "来源", max_length=16, choices=CalendarSource.choices, default=CalendarSource.NOTICE
    )
    notice_title = models.CharField("通知标题", max_length=200, blank=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        "auth.User", verbose_name="确认人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "年度节假日安排"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年（{'已确认' if self.confirmed else '未确认'}）"


class CalendarDay(models.Model):
    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=16, choices=DayKind.choices)
    name = models.CharField("节日名称", max_length=64, blank=True, help_text="如：春节；调休上班日填所属节日")

    class Meta:
        verbose_name = verbose_name_plural = "节假日与调休日"
        ordering = ["date"]

    def __str__(self) -> str:
        label = "休" if self.kind == DayKind.HOLIDAY else "班"
        return f"{self.date:%Y-%m-%d} {label} {self.name}".rstrip()


class CalendarRevision(models.Model):
    """Singleton (pk=1). Every process compares `token` with its cached copy to notice changes.

    A random token rather than the counter alone: after a rolled-back change the counter value can be
    reused by a different change, and a process that cached the rolled-back data would then never reload."""

    counter = models.PositiveBigIntegerField("修订号", default=0)
    token = models.CharField("修订标识", max_length=32, blank=True)
    changed_at = models.DateTimeField("修改时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "日历修订号"

    def __str__(self) -> str:
        return f"日历修订 {self.counter}"
