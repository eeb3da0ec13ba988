"""12345 hotline work orders (工单) and the outside channel Open311 GeoReport v2. Written only by `hotline.actions`."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from govhall.core.identifiers import mask_phone

from .choices import Category, EventKind, LimitUnit, OrderSource, OrderStatus, Satisfaction, Urgency


class WorkOrderNumberCounter(models.Model):
    """Daily sequence for work order numbers, incremented under a row lock."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "工单编号计数"

    def __str__(self) -> str:
        return f"{self.day} {self.last}"


class HotlineLimit(models.Model):
    """The answer limit of one category and urgency, set locally (urgent in office hours, ordinary in working days).
    A category without a row uses the defaults in `hotline.limits`."""

    category = models.CharField("类别", max_length=12, choices=Category.choices)
    urgency = models.CharField("紧急程度", max_length=10, choices=Urgency.choices)
    amount = models.PositiveIntegerField("时限")
    unit = models.CharField("单位", max_length=8, choices=LimitUnit.choices)

    class Meta:
        verbose_name = verbose_name_plural = "工单办理时限"
        constraints = [
            models.UniqueConstraint(fields=["category", "urgency"], name="hotline_limit_once"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="hotline_limit_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}（{self.get_urgency_display()}） {self.amount}{self.get_unit_display()}"


class WorkOrder(models.Model):
    number = models.CharField("工单编号", max_length=20, unique=True)
    source = models.CharField("来源", max_length=10, choices=OrderSource.choices, default=OrderSource.PHONE)
    category = models.CharField("类别", max_length=12, choices=Category.choices, db_index=True)
    urgency = models.CharField("紧急程度", max_length=10, choices=Urgency.choices, default=Urgency.ORDINARY)
    status = models.CharField(
        "状态", max_length=12, choices=OrderStatus.choices, default=OrderStatus.RECORDED, db_index=True
    )
    caller_name = models.CharField("来电人", max_length=50, blank=True)
    caller_phone = models.CharField("来电号码", max_length=20, blank=True)
    subject = models.CharField("标题", max_length=200, blank=True)
    content = models.TextField("诉求内容")
    address = models.CharField("地址", max_length=200, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="关联办件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    item = models.ForeignKey(
        "catalog.ServiceItem",
        verbose_name="关联事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", db_index=True)
    department = models.ForeignKey(
        "org.Department",
        verbose_name="承办部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hotline_orders",
    )
    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True, db_index=True)
    answer = models.TextField("答复内容", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="答复人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    # The call-back (回访): reached or not; when reached, solved and the rating.
    called_back_at = models.DateTimeField("回访时间", null=True, blank=True)
    caller_reached = models.BooleanField("回访接通", null=True, blank=True)
    solved = models.BooleanField("问题已解决", null=True, blank=True)
    satisfaction = models.CharField("满意度", max_length=12, choices=Satisfaction.choices, blank=True)
    callback_note = models.TextField("回访记录", blank=True)
    complaint = models.OneToOneField(
        "complaints.Complaint",
        verbose_name="转办效能投诉",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hotline_order",
    )
    clock = models.OneToOneField(
        "clocks.Clock", verbose_name="办理时限", on_delete=models.PROTECT, related_name="hotline_order"
    )

    class Meta:
        verbose_name = verbose_name_plural = "热线工单"
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["department", "dispatched_at"], name="hotline_dept_month_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.subject or self.content[:20]}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.caller_phone)

    @property
    def category_color(self) -> str:
        return Category.color_of(self.category)

    @property
    def is_open(self) -> bool:
        return self.status in (OrderStatus.RECORDED, OrderStatus.DISPATCHED, OrderStatus.RETURNED)


class WorkOrderEvent(models.Model):
    """The work order's history: every dispatch, re-dispatch, return (with its reason), answer, call-back."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事项", max_length=16, choices=EventKind.choices)
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name="部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "工单流转记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.order.number} {self.get_kind_display()}"


class Open311Request(models.Model):
    """What an outside app sent through Open311 GeoReport v2 besides the request itself: the token it can follow,
    the location and the media link. Points at the work order or the efficiency complaint it became."""

    token = models.CharField("令牌", max_length=40, unique=True)
    service_code = models.CharField("服务代码", max_length=20)
    order = models.OneToOneField(
        WorkOrder, null=True, blank=True, on_delete=models.CASCADE, related_name="open311"
    )
    complaint = models.OneToOneField(
        "complaints.Complaint", null=True, blank=True, on_delete=models.CASCADE, related_name="open311"
    )
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接入账号", on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField("地址", max_length=200, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    long = models.FloatField("经度", null=True, blank=True)
    media_url = models.URLField("图片链接", max_length=500, blank=True)
    device_id = models.CharField("设备标识", max_length=100, blank=True)
    account_id = models.CharField("外部账号", max_length=100, blank=True)
    requested_at = models.DateTimeField("提交时间", db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "Open311 请求"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(order__isnull=False) | models.Q(complaint__isnull=False),
                name="open311_points_somewhere",
            )
        ]

    def __str__(self) -> str:
        return self.token
