from __future__ import annotations

from django.conf import settings
from django.db import models

from .choices import ClockKind, ClockState, ClockUnit


class Clock(models.Model):
    """One time limit running against the working-day calendar (domain §3).

    The deadline is stored, not derived on read, so that supervision can find what is due with an index
    (`due_at`, `warn_at`, `next_check_at`) instead of scanning open cases. Pauses and extensions move it;
    `clocks.actions` is the only writer."""

    kind = models.CharField("类型", max_length=16, choices=ClockKind.choices)
    label = models.CharField("名称", max_length=100, blank=True)
    unit = models.CharField("单位", max_length=8, choices=ClockUnit.choices)
    budget = models.PositiveIntegerField("时限")
    extension = models.PositiveIntegerField("延长", default=0)
    paused_amount = models.PositiveIntegerField("暂停累计", default=0)
    # Office hours snapshot for minute clocks, so that a later change of a hall's hours doesn't move running deadlines.
    sessions = models.CharField("办公时段", max_length=100, blank=True)
    started_at = models.DateTimeField("起算时间")
    start_day = models.DateField("起算日")
    state = models.CharField("状态", max_length=8, choices=ClockState.choices, default=ClockState.RUNNING)
    paused_since = models.DateTimeField("暂停开始", null=True, blank=True)
    due_day = models.DateField("到期日", null=True, blank=True)
    due_at = models.DateTimeField("到期时间", null=True, blank=True, db_index=True)
    warn_at = models.DateTimeField("预警时间", null=True, blank=True)
    # The next instant the light changes (warn_at, then due_at); null when paused or stopped.
    next_check_at = models.DateTimeField("下次检查", null=True, blank=True, db_index=True)
    provisional = models.BooleanField("暂定（含未确认年度）", default=False, db_index=True)
    stopped_at = models.DateTimeField("停止时间", null=True, blank=True)
    late = models.BooleanField("超期", null=True, blank=True)
    # Yellow threshold for this clock (domain §8: configurable per item and step); null = the engine default.
    warn_units = models.PositiveIntegerField("预警剩余时限", null=True, blank=True)
    warn_ratio = models.FloatField("预警已用比例", null=True, blank=True)
    # The owner (see `clocks.owner.ClockOwner`): whose time limit this is. Supervision reads these instead of finding
    # out which model points at the clock, so anything put on a clock gets lights, alerts and escalation.
    owner_type = models.CharField("所属对象类型", max_length=64, blank=True)
    owner_id = models.PositiveBigIntegerField("所属对象编号", null=True, blank=True)
    owner_label = models.CharField("所属对象", max_length=200, blank=True)
    owner_link = models.CharField("所属对象链接", max_length=200, blank=True)
    owner_department = models.ForeignKey(
        "org.Department",
        verbose_name="责任部门",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    owner_responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="责任人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "时限计时"
        verbose_name_plural = "时限计时"
        indexes = [
            # The big screen's overdue list walks running clocks by deadline; stopped ones are the bulk of the table.
            models.Index(
                fields=["due_at"], condition=models.Q(state="running"), name="clock_running_due_idx"
            ),
            # The clocks of one owning record (a case, a complaint…).
            models.Index(fields=["owner_type", "owner_id"], name="clock_owner_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.budget}{self.get_unit_display()}"

    @property
    def total(self) -> int:
        """Budget in units including extensions and paused time: what the deadline is counted from the start."""
        return self.budget + self.extension + self.paused_amount


class ClockPause(models.Model):
    """One interval during which a clock did not run (correction, art. 45 special procedure)."""

    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="pauses")
    started_at = models.DateTimeField("开始")
    ended_at = models.DateTimeField("结束", null=True, blank=True)
    amount = models.PositiveIntegerField("不计时长", null=True, blank=True)

    class Meta:
        verbose_name = "暂停计时"
        verbose_name_plural = "暂停计时"

    def __str__(self) -> str:
        return f"{self.clock} 暂停 {self.started_at:%Y-%m-%d %H:%M}"
