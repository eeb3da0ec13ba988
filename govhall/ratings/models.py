"""好差评: one rating per service per case, its bad-review rectification on the clock, appeals and the record.

Written only by `ratings.actions`. A rating is never edited after it is given (国办发〔2019〕51号: 不得强制、干预
评价): the rectification, call-back and appeal are rows of their own, and an upheld appeal only takes the rating out
of the statistics (`counted`), keeping it in the record."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .choices import (
    BAD_LEVELS,
    SATISFIED_LEVELS,
    AppealGround,
    AppealStatus,
    CallbackResult,
    Level,
    RatingChannel,
    RatingEventKind,
    ReviewFinding,
    ReviewStatus,
)


class Rating(models.Model):
    # One rating per service (一事一评): every case, every member case of a 一件事 bundle, is rated once.
    case = models.OneToOneField(
        "cases.Case", verbose_name="办件", on_delete=models.PROTECT, related_name="rating"
    )
    level = models.CharField("评价等级", max_length=1, choices=Level.choices)
    # {dimension code: level value} for the national content dimensions (online or offline set).
    dimensions = models.JSONField("分项评价", default=dict, blank=True)
    comment = models.TextField("评价意见", blank=True)
    channel = models.CharField("评价渠道", max_length=8, choices=RatingChannel.choices, db_index=True)
    online = models.BooleanField("网上办件评价", default=False)
    is_default = models.BooleanField("默认评价", default=False)
    # 实名评价: given from the applicant's account, with the check code, or by phone to the hotline. A rater may
    # choose anonymity (匿名): then no call-back is made and nobody sees any contact.
    real_name = models.BooleanField("实名评价", default=True)
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="评价人账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ratings_given",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人（热线）",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ratings_entered",
    )
    rated_at = models.DateTimeField("评价时间")
    rated_day = models.DateField("评价日")
    # Who and what is rated, copied from the case when rated so the indicator reads one table.
    department = models.ForeignKey(
        "org.Department", verbose_name="被评价部门", on_delete=models.PROTECT, related_name="+"
    )
    window = models.ForeignKey(
        "org.Window",
        verbose_name="被评价窗口",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    staff = models.ForeignKey(
        "org.StaffProfile",
        verbose_name="被评价工作人员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    item = models.ForeignKey(
        "catalog.ServiceItem", verbose_name="事项", on_delete=models.PROTECT, related_name="+"
    )
    # False once an appeal is upheld (申诉复核): kept in the record, left out of every figure.
    counted = models.BooleanField("计入统计", default=True)
    excluded_at = models.DateTimeField("剔除时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "好差评评价"
        ordering = ["-rated_at", "-pk"]
        indexes = [
            # The satisfaction indicator reads only these columns: on PostgreSQL an index-only scan.
            models.Index(
                fields=["rated_day", "department"],
                include=["level", "counted", "is_default", "window", "staff", "item"],
                name="rating_day_dept_idx",
            ),
            models.Index(fields=["department", "rated_day"], name="rating_dept_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_level_display()}"

    @property
    def stars(self) -> int:
        return int(self.level)

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS

    @property
    def level_color(self) -> str:
        return Level.color_of(self.level)

    @property
    def is_satisfied(self) -> bool:
        return self.level in SATISFIED_LEVELS


class BadReview(models.Model):
    """差评整改: the unit that handled the case verifies, rectifies and feeds back within the limit."""

    rating = models.OneToOneField(
        Rating, verbose_name="差评", on_delete=models.PROTECT, related_name="review"
    )
    number = models.CharField("整改编号", max_length=24, unique=True)
    department = models.ForeignKey(
        "org.Department", verbose_name="整改责任部门", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        "状态", max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.VERIFYING, db_index=True
    )
    clock = models.OneToOneField(
        "clocks.Clock", verbose_name="整改反馈时限", on_delete=models.PROTECT, related_name="bad_review"
    )
    callback_required = models.BooleanField("须回访（实名差评）", default=True)
    finding = models.CharField("核实结论", max_length=10, choices=ReviewFinding.choices, blank=True)
    verification = models.TextField("核实情况", blank=True)
    verified_at = models.DateTimeField("核实时间", null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rectification = models.TextField("整改措施", blank=True)
    rectified_at = models.DateTimeField("整改时间", null=True, blank=True)
    rectified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    feedback = models.TextField("反馈评价人内容", blank=True)
    fed_back_at = models.DateTimeField("反馈时间", null=True, blank=True, db_index=True)
    fed_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("差评时间", db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "差评整改"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in (ReviewStatus.VERIFYING, ReviewStatus.RECTIFYING, ReviewStatus.FEEDBACK)

    @property
    def called_back(self) -> bool:
        return any(c.result != CallbackResult.UNREACHABLE for c in self.callbacks.all())


class Callback(models.Model):
    """回访: one call to the rater, recorded with its result (real-name bad reviews: 100%)."""

    review = models.ForeignKey(
        BadReview, verbose_name="差评整改", on_delete=models.PROTECT, related_name="callbacks"
    )
    result = models.CharField("回访结果", max_length=12, choices=CallbackResult.choices)
    notes = models.TextField("回访记录")
    at = models.DateTimeField("回访时间")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="回访人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "差评回访"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.review_id} {self.get_result_display()}"


class Appeal(models.Model):
    """申诉复核: the rated department asks to take a mistaken or malicious rating out of the statistics."""

    rating = models.ForeignKey(Rating, verbose_name="评价", on_delete=models.PROTECT, related_name="appeals")
    department = models.ForeignKey(
        "org.Department", verbose_name="申诉部门", on_delete=models.PROTECT, related_name="+"
    )
    ground = models.CharField("申诉理由类别", max_length=10, choices=AppealGround.choices)
    reason = models.TextField("申诉理由")
    evidence = models.TextField("证据说明")
    evidence_file = models.FileField(
        "证据材料", upload_to="ratings/appeals/%Y/%m/", blank=True, max_length=200
    )
    status = models.CharField(
        "状态", max_length=10, choices=AppealStatus.choices, default=AppealStatus.PENDING, db_index=True
    )
    filed_at = models.DateTimeField("申诉时间")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申诉人", on_delete=models.PROTECT, related_name="+"
    )
    decision = models.TextField("复核意见", blank=True)
    decided_at = models.DateTimeField("复核时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="复核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = verbose_name_plural = "评价申诉"
        ordering = ["-filed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rating"], condition=models.Q(status="pending"), name="rating_one_pending_appeal"
            )
        ]

    def __str__(self) -> str:
        return f"申诉 {self.rating_id} {self.get_status_display()}"


class RatingEvent(models.Model):
    """Append-only record of everything that happened to a rating (评价档案)."""

    rating = models.ForeignKey(Rating, verbose_name="评价", on_delete=models.PROTECT, related_name="events")
    kind = models.CharField("事件", max_length=16, choices=RatingEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField("时间")
    note = models.TextField("说明", blank=True)
    data = models.JSONField("内容", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "评价档案"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.rating_id} {self.get_kind_display()}"


class Invitation(models.Model):
    """A concluded case waiting for its rating (one per case), found from the audit chain after `Cursor`: the rating
    SMS is sent from it, and the default rating (when configured) given to it once it has waited long enough."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="+")
    concluded_at = models.DateTimeField("办结时间")
    sent_at = models.DateTimeField("短信发送时间", null=True, blank=True)
    # Rated or defaulted: nothing more to do for it.
    settled = models.BooleanField("已评价", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "评价邀请"
        indexes = [models.Index(fields=["settled", "concluded_at"], name="rating_invite_open_idx")]

    def __str__(self) -> str:
        return f"{self.case_id}"


class Cursor(models.Model):
    """One row per job: the last audit-chain seq the rating invitation job has read."""

    name = models.CharField(max_length=32, primary_key=True)
    seq = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "评价任务游标"

    def __str__(self) -> str:
        return f"{self.name} #{self.seq}"


class ReviewNumberCounter(models.Model):
    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "差评整改编号计数"

    def __str__(self) -> str:
        return f"{self.day} {self.last}"
