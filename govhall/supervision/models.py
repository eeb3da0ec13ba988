"""电子监察 records (domain §8): yellow thresholds, alerts, cards, supervision orders, rectification notices and
accountability. Written only by `supervision.actions`; alerts and cards are never edited after they are raised."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .choices import (
    AccountabilityStatus,
    AccountabilityType,
    AlertKind,
    AlertLevel,
    CardLevel,
    OrderOrigin,
    OrderStatus,
    UrgeTarget,
)


class WarnRule(models.Model):
    """Yellow threshold: for one item (or every item) and one step (or the whole case). Exactly one of
    `units_left` (e.g. one working day left) and `ratio_used` (e.g. 0.80 of the budget used) is set."""

    item = models.ForeignKey(
        "catalog.ServiceItem",
        verbose_name="事项（空=全部事项）",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    step_key = models.CharField("环节（空=整个办件）", max_length=40, blank=True)
    units_left = models.PositiveIntegerField("剩余时限（单位同时限）", null=True, blank=True)
    ratio_used = models.DecimalField("已用比例", max_digits=3, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "预警阈值"
        constraints = [
            models.CheckConstraint(
                condition=(Q(units_left__isnull=False, ratio_used__isnull=True))
                | (Q(units_left__isnull=True, ratio_used__isnull=False)),
                name="warnrule_exactly_one_threshold",
            ),
            models.CheckConstraint(
                condition=Q(ratio_used__isnull=True) | (Q(ratio_used__gt=0) & Q(ratio_used__lte=1)),
                name="warnrule_ratio_range",
            ),
            models.UniqueConstraint(
                fields=["item", "step_key"], name="warnrule_one_per_item_step", nulls_distinct=False
            ),
        ]

    def __str__(self) -> str:
        scope = f"{self.item or '全部事项'} / {self.step_key or '整个办件'}"
        return f"{scope}: " + (
            f"剩余 {self.units_left}" if self.units_left is not None else f"已用 {self.ratio_used}"
        )


class Alert(models.Model):
    """One alarm. A clock raises each level at most once (the unique constraint makes this hold across watcher
    processes); other triggers are keyed by `source` (e.g. the audit-chain entry that recorded them)."""

    clock = models.ForeignKey(
        "clocks.Clock", null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    source = models.CharField("来源", max_length=64, null=True, blank=True, unique=True)
    level = models.CharField("级别", max_length=8, choices=AlertLevel.choices)
    kind = models.CharField("类型", max_length=20, choices=AlertKind.choices, db_index=True)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    task = models.ForeignKey(
        "cases.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name="责任部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="责任人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervision_alerts",
    )
    summary = models.CharField("摘要", max_length=200, blank=True)
    # What was late and its staff page, copied from the clock's owner: all a page needs for alerts that are not
    # about a case (complaints, supervision orders, whatever starts a clock next).
    label = models.CharField("对象", max_length=200, blank=True)
    link = models.CharField("链接", max_length=200, blank=True)
    raised_at = models.DateTimeField("告警时间", db_index=True)
    due_at = models.DateTimeField("到期时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "监察告警"
        ordering = ["-raised_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["clock", "level"], name="alert_once_per_clock_level")]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.get_kind_display()} {self.summary}"


class Card(models.Model):
    """黄牌 / 红牌 for a person (when known) and their department."""

    level = models.CharField("级别", max_length=8, choices=CardLevel.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervision_cards",
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name="部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField("事由")
    alert = models.ForeignKey(Alert, verbose_name="告警", on_delete=models.PROTECT, related_name="cards")
    issued_at = models.DateTimeField("发出时间")

    class Meta:
        verbose_name = verbose_name_plural = "黄牌红牌"
        ordering = ["-issued_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["alert", "level"], name="card_once_per_alert_level")]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.person or self.department}"


class SupervisionOrder(models.Model):
    """督办单: addressed to the department head(s), with its own deadline on the shared clock engine."""

    number = models.CharField("编号", max_length=32, unique=True)
    # Empty for a 督办 started by hand from a case or a department (there was no alert).
    alert = models.OneToOneField(
        Alert, verbose_name="告警", null=True, blank=True, on_delete=models.PROTECT, related_name="order"
    )
    origin = models.CharField("来源", max_length=8, choices=OrderOrigin.choices, default=OrderOrigin.AUTO)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="督办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="supervision_orders"
    )
    department = models.ForeignKey(
        "org.Department", verbose_name="被督办部门", on_delete=models.PROTECT, related_name="+"
    )
    addressees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="接收人（部门负责人）", related_name="supervision_orders"
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="直接责任人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    content = models.TextField("督办内容")
    clock = models.OneToOneField("clocks.Clock", on_delete=models.PROTECT, related_name="supervision_order")
    status = models.CharField("状态", max_length=10, choices=OrderStatus.choices, default=OrderStatus.OPEN)
    issued_at = models.DateTimeField("发出时间")
    answer = models.TextField("答复", blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "督办单"
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return self.number


class Urge(models.Model):
    """催办: a supervisor's reminder to the people answering for a case, an alert or a department. It changes no
    deadline; it is recorded, sent as a message and shown on the case and in the conduct files."""

    target = models.CharField("对象", max_length=12, choices=UrgeTarget.choices)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="urges"
    )
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.PROTECT, related_name="urges")
    department = models.ForeignKey(
        "org.Department", verbose_name="被催办部门", on_delete=models.PROTECT, related_name="+"
    )
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="接收人", related_name="supervision_urges"
    )
    text = models.TextField("催办内容")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="催办人", on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("催办时间", db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "催办记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"催办 {self.department} {self.at:%Y-%m-%d}"


class RectificationNotice(models.Model):
    """整改通知, issued when a supervision order's own deadline passed unanswered."""

    order = models.OneToOneField(SupervisionOrder, on_delete=models.PROTECT, related_name="rectification")
    department = models.ForeignKey(
        "org.Department", verbose_name="部门", on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField("整改要求")
    issued_at = models.DateTimeField("发出时间")

    class Meta:
        verbose_name = verbose_name_plural = "整改通知"

    def __str__(self) -> str:
        return f"整改通知（{self.order.number}）"


class Accountability(models.Model):
    """责任追究 record: opened by the watcher, decided by a supervisor."""

    order = models.OneToOneField(
        SupervisionOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="accountability"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="责任人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accountability_records",
    )
    department = models.ForeignKey(
        "org.Department", verbose_name="部门", on_delete=models.PROTECT, related_name="+"
    )
    type = models.CharField("追究方式", max_length=12, choices=AccountabilityType.choices, blank=True)
    decision = models.TextField("决定", blank=True)
    status = models.CharField(
        "状态", max_length=8, choices=AccountabilityStatus.choices, default=AccountabilityStatus.PENDING
    )
    opened_at = models.DateTimeField("立案时间")
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "责任追究"
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return f"责任追究 {self.person or self.department} {self.get_status_display()}"


class WatcherCursor(models.Model):
    """Where the incremental triggers stopped reading (the audit chain's `seq`)."""

    name = models.CharField(max_length=32, primary_key=True)
    position = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "监察游标"

    def __str__(self) -> str:
        return f"{self.name}@{self.position}"
