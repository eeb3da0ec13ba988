"""Performance evaluation (绩效考评): the monthly scheme and what is entered for it, closed months with their frozen
results and recorded adjustments; the yearly department goals, reports, reviews, appraisals, survey and vetoes."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from .choices import (
    AppliesTo,
    GoalCategory,
    Grade,
    ItemKey,
    LeaderGrade,
    MonthStatus,
    ReportStatus,
    ReviewKind,
    SurveyAnswer,
    Title,
    UnitKind,
)

User = settings.AUTH_USER_MODEL


class MonthlyScheme(models.Model):
    """The monthly scheme (考评细则): a base score plus items; one scheme is active."""

    name = models.CharField("方案名称", max_length=100, unique=True)
    active = models.BooleanField("启用", default=True)
    base = models.DecimalField("基础分", default=Decimal("60"), max_digits=7, decimal_places=2)
    honours_cap = models.DecimalField(
        "评优比例上限",
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.20"),
        help_text="荣誉人数不超过人数的该比例",
    )
    red_flag_share = models.DecimalField(
        "红旗窗口比例", max_digits=4, decimal_places=2, default=Decimal("0.10")
    )
    star_share = models.DecimalField("服务之星比例", max_digits=4, decimal_places=2, default=Decimal("0.10"))

    class Meta:
        verbose_name = verbose_name_plural = "月度考评方案"

    def __str__(self) -> str:
        return self.name


class SchemeItem(models.Model):
    """One item: contribution = value × points, kept within ±cap (value: a count, a rate 0–1, or an entered
    average divided by 100)."""

    scheme = models.ForeignKey(MonthlyScheme, on_delete=models.CASCADE, related_name="items")
    key = models.CharField("考评项", max_length=20, choices=ItemKey.choices)
    applies_to = models.CharField("适用对象", max_length=8, choices=AppliesTo.choices, default=AppliesTo.BOTH)
    points = models.DecimalField("每单位分值", max_digits=7, decimal_places=2)
    cap = models.DecimalField("封顶分值", max_digits=7, decimal_places=2)

    class Meta:
        verbose_name = verbose_name_plural = "考评项"
        ordering = ["scheme", "pk"]
        constraints = [models.UniqueConstraint(fields=["scheme", "key"], name="eval_scheme_item_once")]

    def __str__(self) -> str:
        return f"{self.get_key_display()} {self.points}"


class EvaluationMonth(models.Model):
    month = models.DateField("月份（当月1日）", unique=True)
    status = models.CharField("状态", max_length=8, choices=MonthStatus.choices, default=MonthStatus.OPEN)
    scheme = models.ForeignKey(
        MonthlyScheme, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField("结账时间", null=True, blank=True)
    closed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "考评月份"
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%Y年%m月}"


class _Target(models.Model):
    """An entered record about a window or a staff member in a month."""

    month = models.DateField("月份", db_index=True)
    window = models.ForeignKey(
        "org.Window", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    staff = models.ForeignKey(
        "org.StaffProfile", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField("录入时间")

    class Meta:
        abstract = True


class PeerReview(models.Model):
    """楼层互评: a window scores each other window on its floor once a month."""

    month = models.DateField("月份", db_index=True)
    reviewer = models.ForeignKey(
        "org.Window", verbose_name="评分窗口", on_delete=models.PROTECT, related_name="+"
    )
    reviewee = models.ForeignKey(
        "org.Window", verbose_name="被评窗口", on_delete=models.PROTECT, related_name="+"
    )
    score = models.DecimalField("得分", max_digits=5, decimal_places=2)
    entered_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField("录入时间")

    class Meta:
        verbose_name = verbose_name_plural = "楼层互评"
        constraints = [
            models.UniqueConstraint(fields=["month", "reviewer", "reviewee"], name="eval_peer_once"),
            models.CheckConstraint(
                condition=~models.Q(reviewer=models.F("reviewee")), name="eval_peer_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class Recommendation(_Target):
    reason = models.CharField("推荐理由", max_length=200)

    class Meta:
        verbose_name = verbose_name_plural = "楼层推荐"

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class Attendance(models.Model):
    month = models.DateField("月份", db_index=True)
    staff = models.ForeignKey("org.StaffProfile", on_delete=models.PROTECT, related_name="+")
    days_due = models.PositiveSmallIntegerField("应出勤天数")
    days_present = models.PositiveSmallIntegerField("实出勤天数")
    late_times = models.PositiveSmallIntegerField("迟到早退次数", default=0)
    imported_at = models.DateTimeField("导入时间")

    class Meta:
        verbose_name = verbose_name_plural = "考勤"
        constraints = [models.UniqueConstraint(fields=["month", "staff"], name="eval_attendance_once")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class PanelScore(_Target):
    score = models.DecimalField("评分", max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = verbose_name_plural = "评委评分"

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class Deduction(_Target):
    points = models.DecimalField("扣分", max_digits=7, decimal_places=2)
    reason = models.CharField("扣分理由", max_length=200)

    class Meta:
        verbose_name = verbose_name_plural = "扣分"

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class MonthlyResult(models.Model):
    """A frozen result of a closed month: score, rank, title and every item with its records (`items`)."""

    period = models.ForeignKey(EvaluationMonth, on_delete=models.CASCADE, related_name="results")
    unit = models.CharField("对象", max_length=8, choices=UnitKind.choices)
    window = models.ForeignKey(
        "org.Window", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    staff = models.ForeignKey(
        "org.StaffProfile", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("名称", max_length=120)
    score = models.DecimalField("得分", max_digits=7, decimal_places=2)
    rank = models.PositiveIntegerField("名次")
    title = models.CharField("称号", max_length=12, choices=Title.choices, blank=True)
    barred = models.CharField("不得评优原因", max_length=200, blank=True)
    items = models.JSONField("分项明细", default=list)

    class Meta:
        verbose_name = verbose_name_plural = "月度考评结果"
        ordering = ["period", "unit", "rank", "name"]

    def __str__(self) -> str:
        return f"{self.period} {self.name} {self.score}"

    @property
    def adjusted_score(self) -> Decimal:
        return self.score + sum((a.delta for a in self.adjustments.all()), Decimal("0"))


class Adjustment(models.Model):
    """A correction after the month closed: recorded beside the frozen result, never a recompute."""

    result = models.ForeignKey(MonthlyResult, on_delete=models.PROTECT, related_name="adjustments")
    delta = models.DecimalField("调整分值", max_digits=7, decimal_places=2)
    reason = models.CharField("调整理由", max_length=200)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("调整时间")

    class Meta:
        verbose_name = verbose_name_plural = "结果调整"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


# ---- yearly departments --------------------------------------------------------------------------------------------


class YearScheme(models.Model):
    year = models.PositiveSmallIntegerField("年度", unique=True)
    daily_weight = models.DecimalField(
        "日常考核权重", max_digits=4, decimal_places=2, default=Decimal("0.15")
    )
    year_end_weight = models.DecimalField(
        "年终考评权重", max_digits=4, decimal_places=2, default=Decimal("0.55")
    )
    appraisal_weight = models.DecimalField(
        "综合评议权重", max_digits=4, decimal_places=2, default=Decimal("0.30")
    )
    functional_share = models.DecimalField(
        "职能目标占比", max_digits=4, decimal_places=2, default=Decimal("0.70")
    )
    advanced_share = models.DecimalField("先进比例", max_digits=4, decimal_places=2, default=Decimal("0.25"))
    good_share = models.DecimalField("良好比例", max_digits=4, decimal_places=2, default=Decimal("0.45"))
    best_count = models.PositiveSmallIntegerField("最佳名额", default=10)
    leader_excellent_quota = models.DecimalField(
        "领导评议优秀比例上限", max_digits=4, decimal_places=2, default=Decimal("0.30")
    )
    admonish_below = models.DecimalField("诫勉分数线", default=Decimal("60"), max_digits=7, decimal_places=2)
    # Deductions from the daily record (日常考核), per finding, from 100.
    per_red_alert = models.DecimalField(
        "每次红灯超期扣分", default=Decimal("0.5"), max_digits=7, decimal_places=2
    )
    per_yellow_card = models.DecimalField(
        "每张黄牌扣分", default=Decimal("2"), max_digits=7, decimal_places=2
    )
    per_red_card = models.DecimalField("每张红牌扣分", default=Decimal("5"), max_digits=7, decimal_places=2)
    per_overdue_order = models.DecimalField(
        "每份逾期督办单扣分", default=Decimal("3"), max_digits=7, decimal_places=2
    )
    per_upheld_complaint = models.DecimalField(
        "每件属实投诉扣分", default=Decimal("3"), max_digits=7, decimal_places=2
    )
    per_late_report = models.DecimalField(
        "每次目标报告逾期扣分", default=Decimal("1"), max_digits=7, decimal_places=2
    )

    class Meta:
        verbose_name = verbose_name_plural = "年度考评方案"

    def __str__(self) -> str:
        return f"{self.year}年度考评方案"


class Goal(models.Model):
    year = models.PositiveSmallIntegerField("年度", db_index=True)
    title = models.CharField("目标名称", max_length=200)
    category = models.CharField("类别", max_length=12, choices=GoalCategory.choices)
    key_work = models.BooleanField("重点工作", default=False)
    weight = models.DecimalField("分值", default=Decimal("10"), max_digits=7, decimal_places=2)
    lead = models.ForeignKey(
        "org.Department",
        verbose_name="牵头部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assisting = models.ManyToManyField(
        "org.Department", verbose_name="配合部门", blank=True, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "考评目标"
        ordering = ["year", "category", "pk"]

    def __str__(self) -> str:
        return self.title


class GoalReport(models.Model):
    """A department's monthly plan and report on a goal; the report is due on the clock."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="reports")
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    month = models.DateField("月份")
    plan = models.TextField("月度计划", blank=True)
    report = models.TextField("完成情况", blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=ReportStatus.choices, default=ReportStatus.PLANNED
    )
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    clock = models.OneToOneField("clocks.Clock", on_delete=models.PROTECT, related_name="goal_report")

    class Meta:
        verbose_name = verbose_name_plural = "目标月报"
        constraints = [
            models.UniqueConstraint(fields=["goal", "department", "month"], name="eval_report_once")
        ]

    def __str__(self) -> str:
        return f"{self.goal} {self.month:%Y-%m}"


class GoalReview(models.Model):
    """A quarterly spot check, the half-year summary or the year-end evaluation of a department on a goal."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="reviews")
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类型", max_length=12, choices=ReviewKind.choices)
    period = models.PositiveSmallIntegerField("季度/半年（年终为0）", default=0)
    score = models.DecimalField("得分（百分制）", max_digits=5, decimal_places=2)
    note = models.TextField("情况说明", blank=True)
    by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = verbose_name_plural = "目标考核"
        constraints = [
            models.UniqueConstraint(fields=["goal", "department", "kind", "period"], name="eval_review_once")
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class LeaderAppraisal(models.Model):
    year = models.PositiveSmallIntegerField("年度")
    leader = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    grade = models.CharField("等次", max_length=10, choices=LeaderGrade.choices)
    at = models.DateTimeField("评议时间")

    class Meta:
        verbose_name = verbose_name_plural = "领导评议"
        constraints = [
            models.UniqueConstraint(fields=["year", "leader", "department"], name="eval_leader_once")
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class SurveyResponse(models.Model):
    """One answer of the social survey (社会评议) about one department, imported from Excel."""

    year = models.PositiveSmallIntegerField("年度", db_index=True)
    respondent = models.CharField("评议代表", max_length=60)
    sector = models.CharField("代表类别", max_length=30, blank=True)
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    answer = models.CharField("评价", max_length=12, choices=SurveyAnswer.choices)
    comment = models.TextField("意见建议", blank=True)
    imported_at = models.DateTimeField("导入时间")

    class Meta:
        verbose_name = verbose_name_plural = "社会评议"
        indexes = [models.Index(fields=["year", "department"], name="eval_survey_year_dept_idx")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class VetoItem(models.Model):
    """一票否决 item: a source (see vetoes.py) that names the departments it bars in a year."""

    key = models.CharField("否决事项代码", max_length=40, unique=True)
    name = models.CharField("否决事项", max_length=100)
    source = models.CharField("数据来源", max_length=40)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "一票否决事项"

    def __str__(self) -> str:
        return self.name


class VetoFinding(models.Model):
    """A veto recorded by hand (source `manual`): e.g. a safety accident or a discipline case."""

    year = models.PositiveSmallIntegerField("年度")
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("事由", max_length=200)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = verbose_name_plural = "一票否决登记"

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class EvaluationYear(models.Model):
    """A year of the department evaluation; once closed its results are the frozen `YearResult` rows."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    status = models.CharField("状态", max_length=8, choices=MonthStatus.choices, default=MonthStatus.OPEN)
    closed_at = models.DateTimeField("结账时间", null=True, blank=True)
    closed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "考评年度"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年度"


class YearResult(models.Model):
    """A department's frozen result of a closed year: the three parts, total, rank, grade, 最佳, vetoes, detail."""

    period = models.ForeignKey(EvaluationYear, on_delete=models.CASCADE, related_name="results")
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("部门", max_length=120)
    group = models.CharField("分组", max_length=20, blank=True)
    daily = models.DecimalField("日常考核", max_digits=7, decimal_places=2)
    year_end = models.DecimalField("年终考评", max_digits=7, decimal_places=2)
    appraisal = models.DecimalField("综合评议", max_digits=7, decimal_places=2)
    score = models.DecimalField("总分", max_digits=7, decimal_places=2)
    rank = models.PositiveIntegerField("组内名次")
    grade = models.CharField("等次", max_length=10, choices=Grade.choices)
    best = models.BooleanField("最佳", default=False)
    vetoes = models.JSONField("一票否决", default=list)
    detail = models.JSONField("得分依据", default=dict)
    position = models.PositiveIntegerField("排列顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "年度考评结果"
        ordering = ["period", "position"]
        constraints = [models.UniqueConstraint(fields=["period", "department"], name="eval_year_result_once")]

    def __str__(self) -> str:
        return f"{self.period} {self.name} {self.score}"

    @property
    def adjusted_score(self) -> Decimal:
        return self.score + sum((a.delta for a in self.adjustments.all()), Decimal("0"))


class YearAdjustment(models.Model):
    """A correction after the year closed: recorded beside the frozen result, never a recompute."""

    result = models.ForeignKey(YearResult, on_delete=models.PROTECT, related_name="adjustments")
    delta = models.DecimalField("调整分值", max_digits=7, decimal_places=2)
    reason = models.CharField("调整理由", max_length=200)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("调整时间")

    class Meta:
        verbose_name = verbose_name_plural = "年度结果调整"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


__all__ = ["Grade", "UnitKind"]
