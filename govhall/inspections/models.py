"""Supervised entities and their licences, inspection plans drawn at random (双随机一公开), inspection records and
credit grades. Written only by `inspections.actions`; the configuration tables (licence items, risk classes,
frequencies, checklist, credit rules) are data kept in the admin."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from govhall.org.models import uscc_validator

from .choices import (
    Campaign,
    Grade,
    InspectionStatus,
    Metric,
    OrderStatus,
    PlanKind,
    PlanStatus,
    Result,
    Sector,
    TestResult,
)


class LicenceItem(models.Model):
    """A catalog item whose approval issues a licence to a supervised entity (食品经营许可证核发 → 食品经营许可证)."""

    item = models.OneToOneField(
        "catalog.ServiceItem", verbose_name="事项", on_delete=models.CASCADE, related_name="+"
    )
    licence_name = models.CharField("许可证名称", max_length=50, default="食品经营许可证")
    sector = models.CharField("监管行业", max_length=8, choices=Sector.choices, default=Sector.FOOD)
    valid_years = models.PositiveSmallIntegerField("有效期（年）", default=5)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "发证事项"

    def __str__(self) -> str:
        return f"{self.item} → {self.licence_name}"


class RiskClass(models.Model):
    """风险等级 of an operator (by business form and scale), set when licensed and reviewed on inspection."""

    code = models.CharField("代码", max_length=8, unique=True)
    name = models.CharField("名称", max_length=30)
    rank = models.PositiveSmallIntegerField("排序（越大风险越高）", default=1)
    business_forms = models.CharField(
        "适用业态", max_length=200, blank=True, help_text="发证时按申请表的主体业态定级，多个用“、”分隔"
    )

    class Meta:
        verbose_name = verbose_name_plural = "风险等级"
        ordering = ["rank", "code"]

    def __str__(self) -> str:
        return self.name


class Frequency(models.Model):
    """How many routine inspections a year an entity of a risk class and a credit grade receives."""

    risk_class = models.ForeignKey(RiskClass, verbose_name="风险等级", on_delete=models.CASCADE)
    grade = models.CharField("信用等级", max_length=1, choices=Grade.choices)
    per_year = models.PositiveSmallIntegerField("每年检查次数")

    class Meta:
        verbose_name = verbose_name_plural = "检查频次"
        constraints = [models.UniqueConstraint(fields=["risk_class", "grade"], name="insp_frequency_once")]

    def __str__(self) -> str:
        return f"{self.risk_class} {self.grade} {self.per_year}次/年"


class CreditRule(models.Model):
    """One configurable grading rule: `count` or more of `metric` within `window_days` puts the entity at `grade`
    at best. The worst grade any rule gives is the entity's grade; none matching gives A."""

    grade = models.CharField("评定等级", max_length=1, choices=Grade.choices)
    metric = models.CharField("计数项", max_length=16, choices=Metric.choices)
    count = models.PositiveSmallIntegerField("次数（达到）")
    window_days = models.PositiveSmallIntegerField("统计期（天）", default=365)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "信用评定规则"
        ordering = ["grade", "metric"]
        constraints = [models.CheckConstraint(condition=models.Q(count__gt=0), name="insp_rule_positive")]

    def __str__(self) -> str:
        return f"{self.get_metric_display()}≥{self.count}（{self.window_days}天）→ {self.grade}"


class ChecklistItem(models.Model):
    """One line of the inspection checklist (检查要点表) of a sector."""

    sector = models.CharField("监管行业", max_length=8, choices=Sector.choices, default=Sector.FOOD)
    code = models.CharField("编号", max_length=12)
    text = models.CharField("检查内容", max_length=200)
    serious = models.BooleanField("重点项（不符合即判不符合）", default=False)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "检查要点"
        ordering = ["sector", "sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["sector", "code"], name="insp_checklist_code_once")]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class SupervisedEntity(models.Model):
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True, validators=[uscc_validator])
    name = models.CharField("名称", max_length=100)
    address = models.CharField("经营场所", max_length=200, blank=True)
    legal_representative = models.CharField("法定代表人/负责人", max_length=50, blank=True)
    sector = models.CharField("监管行业", max_length=8, choices=Sector.choices, default=Sector.FOOD)
    business_form = models.CharField("主体业态", max_length=30, blank=True)
    department = models.ForeignKey(
        "org.Department",
        verbose_name="监管部门",
        on_delete=models.PROTECT,
        related_name="supervised_entities",
    )
    # A canteen run by a government department: that department's staff may not inspect it (回避).
    affiliated_department = models.ForeignKey(
        "org.Department",
        verbose_name="所属机关（单位食堂等）",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    risk_class = models.ForeignKey(RiskClass, verbose_name="风险等级", on_delete=models.PROTECT)
    grade = models.CharField("信用等级", max_length=1, choices=Grade.choices, default=Grade.A, db_index=True)
    graded_at = models.DateTimeField("评定时间", null=True, blank=True)
    near_school = models.BooleanField("校园周边", default=False)
    rural_market = models.BooleanField("农村集贸市场", default=False)
    product_kinds = models.CharField("经营品种", max_length=200, blank=True, help_text="多个用“、”分隔")
    active = models.BooleanField("在营", default=True)
    created_at = models.DateTimeField("建档时间")

    class Meta:
        verbose_name = verbose_name_plural = "监管对象"
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("inspections:entity", args=[self.pk])


class Licence(models.Model):
    entity = models.ForeignKey(SupervisedEntity, on_delete=models.CASCADE, related_name="licences")
    name = models.CharField("许可证名称", max_length=50)
    number = models.CharField("许可证编号", max_length=30, unique=True)
    case = models.OneToOneField(
        "cases.Case",
        verbose_name="发证办件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    business_items = models.TextField("经营项目", blank=True)
    issued_on = models.DateField("发证日期")
    valid_until = models.DateField("有效期至")

    class Meta:
        verbose_name = verbose_name_plural = "许可证"
        ordering = ["-issued_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} {self.number}"


class Recusal(models.Model):
    """A declared conflict (回避): this inspector is never drawn for this entity."""

    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="检查人员", on_delete=models.CASCADE)
    entity = models.ForeignKey(SupervisedEntity, verbose_name="监管对象", on_delete=models.CASCADE)
    reason = models.CharField("回避理由", max_length=200)

    class Meta:
        verbose_name = verbose_name_plural = "回避登记"
        constraints = [models.UniqueConstraint(fields=["inspector", "entity"], name="insp_recusal_once")]

    def __str__(self) -> str:
        return f"{self.inspector} / {self.entity}"


class InspectionPlan(models.Model):
    name = models.CharField("计划名称", max_length=100)
    kind = models.CharField("类型", max_length=8, choices=PlanKind.choices)
    campaign = models.CharField("专项内容", max_length=16, choices=Campaign.choices, blank=True)
    product_kind = models.CharField("重点品种", max_length=30, blank=True)
    sector = models.CharField("监管行业", max_length=8, choices=Sector.choices, default=Sector.FOOD)
    department = models.ForeignKey("org.Department", verbose_name="实施部门", on_delete=models.PROTECT)
    risk_classes = models.ManyToManyField(RiskClass, verbose_name="风险等级（空为全部）", blank=True)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    sample_size = models.PositiveIntegerField("抽取户数（0为全部应检对象）", default=0)
    status = models.CharField("状态", max_length=8, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="制定人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("制定时间")
    # The draw: seed and every input, so anyone can re-run it (verify_draw) and get the same pairs.
    seed = models.CharField("随机种子", max_length=64, blank=True)
    candidates = models.JSONField("候选名单", null=True, blank=True)
    draw = models.JSONField("抽取结果", null=True, blank=True)
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="抽取人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = verbose_name_plural = "检查计划"
        ordering = ["-starts_on", "-pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("inspections:plan", args=[self.pk])


class Inspection(models.Model):
    plan = models.ForeignKey(
        InspectionPlan,
        verbose_name="检查计划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    entity = models.ForeignKey(
        SupervisedEntity, verbose_name="监管对象", on_delete=models.PROTECT, related_name="inspections"
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="检查人员（主）", on_delete=models.PROTECT, related_name="+"
    )
    second_inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="检查人员（二）", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        "状态",
        max_length=12,
        choices=InspectionStatus.choices,
        default=InspectionStatus.PLANNED,
        db_index=True,
    )
    planned_on = models.DateField("计划检查日期")
    inspected_at = models.DateTimeField("检查时间", null=True, blank=True, db_index=True)
    result = models.CharField("检查结果", max_length=8, choices=Result.choices, blank=True)
    notes = models.TextField("检查情况", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "检查记录"
        ordering = ["-planned_on", "-pk"]
        indexes = [models.Index(fields=["entity", "inspected_at"], name="insp_entity_done_idx")]

    def __str__(self) -> str:
        return f"{self.entity} {self.planned_on}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:inspection", args=[self.pk])


class Finding(models.Model):
    """The answer to one checklist line; a non-compliant line is a finding (问题)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    item = models.ForeignKey(ChecklistItem, verbose_name="检查要点", on_delete=models.PROTECT)
    compliant = models.BooleanField("符合")
    serious = models.BooleanField("重点项", default=False)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "检查要点结果"
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="insp_finding_once")]

    def __str__(self) -> str:
        return f"{self.item.code} {'符合' if self.compliant else '不符合'}"


class RapidTest(models.Model):
    """快速检测 of a sample on the spot."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="tests")
    sample = models.CharField("样品", max_length=60)
    test_item = models.CharField("检测项目", max_length=60)
    result = models.CharField("结果", max_length=8, choices=TestResult.choices)

    class Meta:
        verbose_name = verbose_name_plural = "快速检测"

    def __str__(self) -> str:
        return f"{self.sample} {self.test_item}"


class RectificationOrder(models.Model):
    """责令整改: the operator has a number of working days; the limit runs on the shared clock engine."""

    inspection = models.OneToOneField(Inspection, on_delete=models.CASCADE, related_name="rectification")
    requirement = models.TextField("整改要求")
    days = models.PositiveSmallIntegerField("整改期限（工作日）")
    status = models.CharField("状态", max_length=8, choices=OrderStatus.choices, default=OrderStatus.OPEN)
    issued_at = models.DateTimeField("下达时间")
    completed_at = models.DateTimeField("整改完成时间", null=True, blank=True)
    review_note = models.TextField("复查情况", blank=True)
    clock = models.OneToOneField(
        "clocks.Clock",
        verbose_name="整改时限",
        on_delete=models.PROTECT,
        related_name="inspection_rectification",
    )

    class Meta:
        verbose_name = verbose_name_plural = "责令整改"

    def __str__(self) -> str:
        return f"整改 {self.inspection}"


class Referral(models.Model):
    """Referral to a penalty case (移送立案查处) of what the inspection found."""

    inspection = models.OneToOneField(Inspection, on_delete=models.CASCADE, related_name="referral")
    reason = models.TextField("移送理由")
    to_unit = models.CharField("移送至", max_length=100)
    penalty_case_number = models.CharField("立案编号", max_length=40, blank=True)
    referred_at = models.DateTimeField("移送时间")
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="移送人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "移送立案"

    def __str__(self) -> str:
        return f"移送 {self.inspection}"


class GradeChange(models.Model):
    entity = models.ForeignKey(SupervisedEntity, on_delete=models.CASCADE, related_name="grade_changes")
    old_grade = models.CharField("原等级", max_length=1, choices=Grade.choices, blank=True)
    new_grade = models.CharField("新等级", max_length=1, choices=Grade.choices)
    reason = models.TextField("评定理由")
    changed_at = models.DateTimeField("评定时间", db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "信用等级变更"
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.entity} {self.old_grade or '—'}→{self.new_grade}"


class LicenceSource(models.Model):
    """A decided licence case the licence job has handled: with the licence it made, or why it made none. The
    one-to-one on the case makes the job idempotent (a case is handled once, whatever the rounds)."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="+")
    licence = models.ForeignKey(Licence, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    skipped = models.CharField("未建档原因", max_length=200, blank=True)
    handled_at = models.DateTimeField("处理时间")

    class Meta:
        verbose_name = verbose_name_plural = "发证办件处理记录"

    def __str__(self) -> str:
        return f"{self.case_id} {self.skipped or self.licence_id}"
