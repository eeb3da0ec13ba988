"""Queue tickets (排队取号) of a service hall: queues, the per-day number counter, tickets and their history.

Written only by govhall/queueing/actions.py."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from govhall.org.choices import WindowKind

from .choices import TicketChannel, TicketEventType, TicketStatus

prefix_validator = RegexValidator(r"^[A-Z]{1,2}$", "号码前缀为 1–2 个大写字母，如 A、B、AB")


class Queue(models.Model):
    """One line of a hall (e.g. A 综合受理, D 不动产登记): the windows that call from it share its numbers."""

    hall = models.ForeignKey("org.Hall", verbose_name="大厅", on_delete=models.CASCADE, related_name="queues")
    prefix = models.CharField("号码前缀", max_length=2, validators=[prefix_validator])
    name = models.CharField("队列名称", max_length=100)
    window_kind = models.CharField("窗口类型", max_length=16, choices=WindowKind.choices, blank=True)
    department = models.ForeignKey(
        "org.Department",
        verbose_name="部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="queues",
    )
    windows = models.ManyToManyField("org.Window", verbose_name="叫号窗口", blank=True, related_name="queues")
    minutes_per_ticket = models.PositiveSmallIntegerField(
        "预估每号办理分钟数", default=8, help_text="尚无近期办理记录时用于估算等候时间"
    )
    sort_order = models.PositiveIntegerField("排序", default=0)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "排队队列"
        ordering = ["hall", "sort_order", "prefix"]
        constraints = [models.UniqueConstraint(fields=["hall", "prefix"], name="uniq_queue_prefix_per_hall")]

    def __str__(self) -> str:
        return f"{self.prefix} {self.name}"


class TicketCounter(models.Model):
    """The last number given in a queue on a day; incremented by one UPDATE that holds the row lock."""

    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["queue", "day"], name="uniq_ticket_counter_day")]

    def __str__(self) -> str:
        return f"{self.queue_id}:{self.day:%Y-%m-%d}={self.last}"


class Ticket(models.Model):
    queue = models.ForeignKey(Queue, verbose_name="队列", on_delete=models.PROTECT, related_name="tickets")
    day = models.DateField("取号日期")
    seq = models.PositiveIntegerField("当日序号")
    number = models.CharField("号码", max_length=8)
    code = models.CharField("凭条码", max_length=16, unique=True)
    item = models.ForeignKey(
        "catalog.ServiceItem",
        verbose_name="办理事项",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    channel = models.CharField("取号方式", max_length=8, choices=TicketChannel.choices)
    status = models.CharField(
        "状态", max_length=12, choices=TicketStatus.choices, default=TicketStatus.WAITING, db_index=True
    )
    # A ticket transferred to another window waits there ahead of new ones (priority 1) and only there.
    priority = models.PositiveSmallIntegerField("优先级", default=0)
    target_window = models.ForeignKey(
        "org.Window",
        verbose_name="转至窗口",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    window = models.ForeignKey(
        "org.Window",
        verbose_name="叫号窗口",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    taken_at = models.DateTimeField("取号时间")
    ahead_at_take = models.PositiveIntegerField("取号时前面人数", default=0)
    estimate_minutes = models.PositiveIntegerField("取号时预计等候分钟", default=0)
    first_called_at = models.DateTimeField("首次叫号时间", null=True, blank=True)
    last_called_at = models.DateTimeField("最近叫号时间", null=True, blank=True)
    call_count = models.PositiveSmallIntegerField("叫号次数", default=0)
    served_at = models.DateTimeField("开始办理时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="代取人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办理人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    case = models.OneToOneField(
        "cases.Case",
        verbose_name="办件",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="queue_ticket",
    )

    class Meta:
        verbose_name = verbose_name_plural = "排队号"
        ordering = ["-taken_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["queue", "day", "seq"], name="uniq_ticket_seq_per_day")
        ]
        indexes = [
            models.Index(fields=["queue", "day", "status"], name="ticket_queue_day_status"),
            models.Index(fields=["day", "status"], name="ticket_day_status"),
        ]

    def __str__(self) -> str:
        return f"{self.number}（{self.day:%Y-%m-%d}）"

    @property
    def status_enum(self) -> TicketStatus:
        return TicketStatus(self.status)

    @property
    def wait(self) -> dt.timedelta | None:
        """Waiting time: from taking the ticket to its first call (docs/queueing.md)."""
        return self.first_called_at - self.taken_at if self.first_called_at else None


class TicketEvent(models.Model):
    ticket = models.ForeignKey(Ticket, verbose_name="排队号", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事件", max_length=16, choices=TicketEventType.choices)
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    window = models.ForeignKey(
        "org.Window", verbose_name="窗口", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "排队号记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket.number} {self.get_kind_display()}"
