"""Power runs in the open: the power list, posts, integrity risk points, warnings, commitments, conduct files, post rotation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from govhall.catalog.choices import ItemType, ProcessTemplate

from .choices import (
    Channel,
    Discovery,
    RotationStatus,
    TriggerSource,
    TriggerTarget,
    WarningLevel,
    WarningStatus,
)

# The ten kinds of administrative power of the catalog (公共服务 is a service, not a power).
POWER_TYPES = [(value, label) for value, label in ItemType.choices if value != ItemType.PUBLIC_SERVICE]


class RiskLevel(models.Model):
    """A risk grade (A high, B, C): its colour on the risk map and how many public channels an exercise of a power
    of that grade must be disclosed on. Data, so a county may add or re-colour grades."""

    code = models.CharField("等级代码", max_length=4, unique=True)
    name = models.CharField("名称", max_length=32)
    color = models.CharField("颜色", max_length=16, help_text="red / yellow / blue")
    rank = models.PositiveSmallIntegerField("高低次序", help_text="1 为最高风险", unique=True)
    channels_required = models.PositiveSmallIntegerField("至少公开渠道数", default=1)

    class Meta:
        verbose_name = verbose_name_plural = "风险等级"
        ordering = ["rank"]

    def __str__(self) -> str:
        return f"{self.code}级（{self.name}）"


class KeyDepartment(models.Model):
    """重点部门: a department flagged for integrity-risk control."""

    department = models.OneToOneField(
        "org.Department", verbose_name="部门", on_delete=models.CASCADE, related_name="integrity_key"
    )
    reason = models.CharField("列为重点的理由", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "重点部门"

    def __str__(self) -> str:
        return str(self.department)


class Post(models.Model):
    """岗位 of a department."""

    department = models.ForeignKey(
        "org.Department", verbose_name="部门", on_delete=models.PROTECT, related_name="integrity_posts"
    )
    name = models.CharField("岗位名称", max_length=64)
    duties = models.TextField("岗位职责", blank=True)
    is_key = models.BooleanField("重点岗位", default=False, db_index=True)
    specialised = models.BooleanField(
        "专业性强（不受轮岗年限限制）", default=False, help_text="专业性很强的岗位经批准可不定期轮岗"
    )
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "岗位"
        ordering = ["department_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="integrity_post_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.name}"


class PostAssignment(models.Model):
    """A staff member holding a post from `start_date` until `end_date` (None while they hold it)."""

    post = models.ForeignKey(Post, verbose_name="岗位", on_delete=models.PROTECT, related_name="assignments")
    staff = models.ForeignKey(
        "org.StaffProfile", verbose_name="人员", on_delete=models.PROTECT, related_name="post_assignments"
    )
    start_date = models.DateField("到岗日期")
    end_date = models.DateField("离岗日期", null=True, blank=True)
    alerted_at = models.DateTimeField("轮岗提醒时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "岗位任职"
        ordering = ["post_id", "-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "staff"],
                condition=models.Q(end_date__isnull=True),
                name="integrity_one_open_assignment",
            )
        ]
        indexes = [models.Index(fields=["end_date", "start_date"], name="integrity_assign_open_idx")]

    def __str__(self) -> str:
        return f"{self.staff} @ {self.post}（{self.start_date}起）"


class RotationLimit(models.Model):
    """The longest anyone may hold the same post, by kind of post, and how early the rotation alert goes out."""

    key_post = models.BooleanField("重点岗位", unique=True)
    max_years = models.PositiveSmallIntegerField("同一岗位最长任职年限")
    alert_days = models.PositiveSmallIntegerField("提前提醒天数", default=90)

    class Meta:
        verbose_name = verbose_name_plural = "轮岗年限"

    def __str__(self) -> str:
        return f"{'重点岗位' if self.key_post else '一般岗位'} ≤{self.max_years}年"


class RotationPlan(models.Model):
    assignment = models.ForeignKey(
        PostAssignment, verbose_name="现任职", on_delete=models.PROTECT, related_name="rotation_plans"
    )
    to_post = models.ForeignKey(Post, verbose_name="轮岗至", on_delete=models.PROTECT, related_name="+")
    planned_on = models.DateField("计划轮岗日期")
    status = models.CharField(
        "状态", max_length=10, choices=RotationStatus.choices, default=RotationStatus.PLANNED, db_index=True
    )
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="制定人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("制定时间")
    executed_on = models.DateField("实际轮岗日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "轮岗计划"
        ordering = ["planned_on", "id"]

    def __str__(self) -> str:
        return f"{self.assignment.staff} → {self.to_post}（{self.planned_on}）"


class Power(models.Model):
    """职权: one administrative power of the list. A catalog item is the form one power takes in the hall, so the
    item is linked here, never copied."""

    code = models.CharField("职权编码", max_length=40, unique=True)
    name = models.CharField("职权名称", max_length=200)
    power_type = models.CharField("职权类型", max_length=2, choices=POWER_TYPES, db_index=True)
    department = models.ForeignKey(
        "org.Department", verbose_name="实施部门", on_delete=models.PROTECT, related_name="powers"
    )
    legal_basis = models.TextField("法律依据")
    process_template = models.CharField(
        "运行流程",
        max_length=24,
        choices=ProcessTemplate.choices,
        blank=True,
        default=ProcessTemplate.STANDARD,
    )
    item = models.OneToOneField(
        "catalog.ServiceItem",
        verbose_name="对应政务服务事项",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="power",
    )
    # The highest grade among the power's own, its steps' and its posts' risk points (kept by the actions).
    level = models.ForeignKey(
        RiskLevel,
        verbose_name="风险等级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="powers",
    )
    active = models.BooleanField("有效", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "职权"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("integrity:public_power", args=[self.pk])


class PowerStep(models.Model):
    """A step of the power's flow and the posts that exercise it."""

    power = models.ForeignKey(Power, verbose_name="职权", on_delete=models.CASCADE, related_name="steps")
    key = models.CharField("环节编码", max_length=40)
    name = models.CharField("环节名称", max_length=64)
    order = models.PositiveSmallIntegerField("次序", default=0)
    posts = models.ManyToManyField(Post, verbose_name="行使岗位", blank=True, related_name="steps")

    class Meta:
        verbose_name = verbose_name_plural = "职权运行环节"
        ordering = ["power_id", "order"]
        constraints = [models.UniqueConstraint(fields=["power", "key"], name="integrity_step_unique_key")]

    def __str__(self) -> str:
        return f"{self.power.code} · {self.name}"


class RiskPoint(models.Model):
    """廉政风险点 on a power, a step of it, or a post."""

    power = models.ForeignKey(
        Power,
        verbose_name="职权",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="risk_points",
    )
    step = models.ForeignKey(
        PowerStep,
        verbose_name="环节",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="risk_points",
    )
    post = models.ForeignKey(
        Post, verbose_name="岗位", null=True, blank=True, on_delete=models.CASCADE, related_name="risk_points"
    )
    description = models.TextField("风险点描述")
    discovery = models.CharField("查找方式", max_length=16, choices=Discovery.choices)
    level = models.ForeignKey(
        RiskLevel, verbose_name="风险等级", on_delete=models.PROTECT, related_name="points"
    )
    measures = models.TextField("防控措施", blank=True)
    # The department the point belongs to (the power's, or the post's), kept for the risk map.
    department = models.ForeignKey(
        "org.Department", verbose_name="部门", on_delete=models.PROTECT, related_name="+", editable=False
    )
    active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = verbose_name_plural = "廉政风险点"
        ordering = ["level__rank", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(power__isnull=False)
                | models.Q(step__isnull=False)
                | models.Q(post__isnull=False),
                name="integrity_risk_point_has_target",
            )
        ]
        indexes = [models.Index(fields=["department", "level"], name="integrity_point_map_idx")]

    def __str__(self) -> str:
        return f"{self.level.code}级 {self.description[:40]}"


class PowerExercise(models.Model):
    """One exercise of a power: a case of an item linked to it, reached a decision."""

    power = models.ForeignKey(Power, verbose_name="职权", on_delete=models.PROTECT, related_name="exercises")
    case = models.OneToOneField(
        "cases.Case", verbose_name="办件", on_delete=models.PROTECT, related_name="power_exercise"
    )
    level = models.ForeignKey(
        RiskLevel, verbose_name="风险等级", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department", verbose_name="部门", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("公开标题", max_length=200)
    summary = models.TextField("公开内容")
    decided_at = models.DateTimeField("决定时间", db_index=True)
    recorded_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = verbose_name_plural = "权力运行记录"
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("integrity:feed_entry", args=[self.pk])


class ExerciseDisclosure(models.Model):
    """The exercise published on one public channel."""

    exercise = models.ForeignKey(
        PowerExercise, verbose_name="权力运行记录", on_delete=models.CASCADE, related_name="disclosures"
    )
    channel = models.CharField("公开渠道", max_length=10, choices=Channel.choices)
    url = models.CharField("公开地址", max_length=200)
    published_at = models.DateTimeField("公开时间")

    class Meta:
        verbose_name = verbose_name_plural = "权力运行公开"
        constraints = [
            models.UniqueConstraint(
                fields=["exercise", "channel"], name="integrity_disclosure_once_per_channel"
            )
        ]

    def __str__(self) -> str:
        return f"{self.exercise_id} {self.get_channel_display()}"


class TriggerRule(models.Model):
    """A warning raised by rule: `threshold` or more `source` events for one person (or department) within
    `window_days` days raise a `level` warning."""

    name = models.CharField("规则名称", max_length=64)
    source = models.CharField("计数对象", max_length=16, choices=TriggerSource.choices)
    target = models.CharField(
        "预警对象", max_length=12, choices=TriggerTarget.choices, default=TriggerTarget.PERSON
    )
    threshold = models.PositiveSmallIntegerField("次数（达到即预警）")
    window_days = models.PositiveSmallIntegerField("统计天数", default=30)
    level = models.CharField("预警等级", max_length=8, choices=WarningLevel.choices)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "预警触发规则"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Warning(models.Model):
    """廉政预警 to a unit or a person, with its sealed supervision letter and the rectification plan on the clock."""

    number = models.CharField("预警编号", max_length=24, unique=True)
    level = models.CharField("预警等级", max_length=8, choices=WarningLevel.choices, db_index=True)
    status = models.CharField(
        "状态", max_length=10, choices=WarningStatus.choices, default=WarningStatus.OPEN, db_index=True
    )
    department = models.ForeignKey(
        "org.Department", verbose_name="预警单位", on_delete=models.PROTECT, related_name="integrity_warnings"
    )
    person = models.ForeignKey(
        "org.StaffProfile",
        verbose_name="预警个人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="integrity_warnings",
    )
    reason = models.TextField("预警事由")
    rule = models.ForeignKey(
        TriggerRule,
        verbose_name="触发规则",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="warnings",
    )
    escalated_from = models.OneToOneField(
        "self",
        verbose_name="由此预警升级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalated_to",
    )
    issued_at = models.DateTimeField("发出时间", db_index=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发出人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    letter = models.ForeignKey(
        "documents.Document",
        verbose_name="监察建议书",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    plan_days = models.PositiveSmallIntegerField("整改方案报送时限（工作日）")
    plan_clock = models.OneToOneField(
        "clocks.Clock",
        verbose_name="整改时限",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    plan = models.TextField("整改方案", blank=True)
    plan_submitted_at = models.DateTimeField("方案报送时间", null=True, blank=True)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    closing_note = models.TextField("销号意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "廉政预警"
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"{self.number} {self.get_level_display()} {self.person or self.department}"

    def get_absolute_url(self) -> str:
        return reverse("integrity:warning", args=[self.pk])


class Commitment(models.Model):
    """廉政风险承诺书 signed by a staff member for a year."""

    staff = models.ForeignKey(
        "org.StaffProfile",
        verbose_name="人员",
        on_delete=models.PROTECT,
        related_name="integrity_commitments",
    )
    year = models.PositiveSmallIntegerField("年度")
    text = models.TextField("承诺内容")
    signed_on = models.DateField("签订日期")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = verbose_name_plural = "廉政风险承诺书"
        ordering = ["-year", "staff_id"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "year"], name="integrity_commitment_once_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.staff} {self.year}年承诺书"


class WarningCounter(models.Model):
    """Last warning number used per year; its row lock serialises numbering."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
