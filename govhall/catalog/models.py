from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from govhall.core.models import TimestampedModel

from .choices import (
    ExerciseLevel,
    FieldKind,
    HandlingKind,
    ItemStatus,
    ItemType,
    JoinRule,
    MaterialForm,
    MaterialSource,
    OnlineDepth,
    PowerSource,
    Prefill,
    ProcessTemplate,
    ServiceTarget,
    SpecialProcedure,
    TimeUnit,
    Visits,
)
from .codes import validate_basic_code, validate_impl_code


class ServiceItem(TimestampedModel):
    """A service item (政务服务事项) of the implementation list, with its service guide (办事指南)."""

    basic_code = models.CharField("基本编码", max_length=12, db_index=True)
    impl_code = models.CharField("实施编码", max_length=31, unique=True)
    name = models.CharField("事项名称", max_length=200)
    item_type = models.CharField("事项类型", max_length=2, choices=ItemType.choices, db_index=True)
    department = models.ForeignKey(
        "org.Department", verbose_name="实施部门", on_delete=models.PROTECT, related_name="items"
    )
    power_source = models.CharField("权力来源", max_length=20, choices=PowerSource.choices)
    exercise_level = models.CharField("行使层级", max_length=16, choices=ExerciseLevel.choices)
    target = models.CharField(
        "服务对象", max_length=16, choices=ServiceTarget.choices, default=ServiceTarget.BOTH
    )
    legal_basis = models.TextField("设定依据")
    acceptance_conditions = models.TextField("受理条件")
    legal_limit = models.PositiveIntegerField("法定办结时限")
    legal_limit_unit = models.CharField("法定时限单位", max_length=10, choices=TimeUnit.choices)
    promised_limit = models.PositiveIntegerField("承诺办结时限")
    promised_limit_unit = models.CharField("承诺时限单位", max_length=10, choices=TimeUnit.choices)
    handling_kind = models.CharField("办件类型", max_length=10, choices=HandlingKind.choices, db_index=True)
    visits = models.PositiveSmallIntegerField("到现场次数", choices=Visits.choices, db_index=True)
    online_depth = models.CharField("网上办理深度", max_length=1, choices=OnlineDepth.choices, db_index=True)
    in_hall = models.BooleanField("进驻大厅", default=True)
    window = models.ForeignKey(
        "org.Window",
        verbose_name="受理窗口",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="items",
    )
    process_template = models.CharField(
        "办理流程", max_length=24, choices=ProcessTemplate.choices, default=ProcessTemplate.STANDARD
    )
    # Co-departments of a parallel joint review (并联审批); the lead is `department`.
    joint_departments = models.ManyToManyField(
        "org.Department", verbose_name="联审部门", blank=True, related_name="joint_items"
    )
    # The join of that review for this item; blank keeps the process template's rule.
    join_rule = models.CharField("联审汇合规则", max_length=8, choices=JoinRule.choices, blank=True)
    join_ratio = models.FloatField(
        "联审同意比例",
        null=True,
        blank=True,
        validators=[MinValueValidator(0.01), MaxValueValidator(1.0)],
        help_text="汇合规则为“按比例同意”时填写，0.01–1，例如0.6表示至少60%的审查部门同意（向上取整）。",
    )
    special_procedures = models.JSONField("特别程序", default=list, blank=True)
    handling_place = models.CharField("办理地点", max_length=200, blank=True)
    consult_phone = models.CharField("咨询电话", max_length=32, blank=True)
    complaint_phone = models.CharField("投诉电话", max_length=32, blank=True)
    result_name = models.CharField("审批结果名称", max_length=100, blank=True)
    # Everyday and popular names (俗称) of the item, e.g. 准生证 for 生育服务登记: searched like the name.
    aliases = models.CharField(
        "俗称/别名",
        max_length=300,
        blank=True,
        help_text="群众常用的叫法，多个用“、”分隔，例如“准生证、生育证”。网上搜索这些词也能找到本事项。",
    )
    status = models.CharField(
        "状态", max_length=12, choices=ItemStatus.choices, default=ItemStatus.DRAFT, db_index=True
    )
    version = models.PositiveIntegerField("版本", default=1)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    # Space-separated jieba tokens of the name, department and conditions; rebuilt by catalog.search.
    search_text = models.TextField("检索词", blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "政务服务事项"
        ordering = ["department__sort_order", "basic_code", "id"]
        indexes = [models.Index(fields=["status", "department"], name="item_status_dept_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_instant(self) -> bool:
        return self.handling_kind == HandlingKind.INSTANT

    def clean(self) -> None:
        errors: dict[str, str] = {}
        try:
            self.basic_code = validate_basic_code(self.basic_code, self.item_type or None)
        except ValidationError as exc:
            errors["basic_code"] = exc.messages[0]
        try:
            dept_uscc = self.department.uscc if self.department_id else None
            self.impl_code = validate_impl_code(
                self.impl_code, self.basic_code, dept_uscc, level=self.exercise_level or None
            )
        except ValidationError as exc:
            errors["impl_code"] = exc.messages[0]
        if (
            self.legal_limit_unit == self.promised_limit_unit
            and self.promised_limit is not None
            and self.legal_limit is not None
            and self.promised_limit > self.legal_limit
        ):
            errors["promised_limit"] = "承诺办结时限不能超过法定办结时限。"
        if (
            self.handling_kind == HandlingKind.INSTANT
            and self.promised_limit_unit
            in (
                TimeUnit.WORKDAY,
                TimeUnit.DAY,
            )
            and self.promised_limit
            and self.promised_limit > 1
        ):
            errors["promised_limit"] = "即办件的承诺时限应当当场（分钟或小时）或1个工作日内办结。"

        errors.update(self._join_errors())
        unknown = [p for p in (self.special_procedures or []) if p not in SpecialProcedure.values]
        if unknown:
            errors["special_procedures"] = f"未知的特别程序：{'、'.join(map(str, unknown))}"
        if errors:
            raise ValidationError(errors)

    def _join_errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        if self.join_rule and self.process_template != ProcessTemplate.JOINT_REVIEW:
            errors["join_rule"] = (
                f"只有办理流程为“{ProcessTemplate.JOINT_REVIEW.label}”的事项才能设置联审汇合规则。"
            )
        if self.join_rule == JoinRule.RATIO and self.join_ratio is None:
            errors["join_ratio"] = "汇合规则为“按比例同意”时，应填写联审同意比例（0.01–1）。"
        elif self.join_rule != JoinRule.RATIO and self.join_ratio is not None:
            errors["join_ratio"] = "只有汇合规则为“按比例同意”时才能填写联审同意比例。"
        return errors


class Material(models.Model):
    item = models.ForeignKey(
        ServiceItem, verbose_name="事项", on_delete=models.CASCADE, related_name="materials"
    )
    seq = models.PositiveSmallIntegerField("序号")
    name = models.CharField("材料名称", max_length=200)
    required = models.BooleanField("必要", default=True)
    form = models.CharField(
        "材料形式", max_length=20, choices=MaterialForm.choices, default=MaterialForm.ORIGINAL
    )
    copies = models.PositiveSmallIntegerField("份数", default=1)
    source = models.CharField(
        "来源渠道", max_length=16, choices=MaterialSource.choices, default=MaterialSource.APPLICANT
    )
    e_license_ok = models.BooleanField("可用电子证照替代", default=False)
    blank_form = models.FileField("空白表格", upload_to="catalog/forms/", blank=True)
    sample = models.FileField("示例样表", upload_to="catalog/samples/", blank=True)
    notes = models.CharField("填报须知", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "申请材料"
        ordering = ["item", "seq"]
        constraints = [models.UniqueConstraint(fields=["item", "seq"], name="uniq_material_seq")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_form(self) -> bool:
        """An application form the applicant fills in (申请书、申请表、登记表): offered as a blank form to download,
        the uploaded one if any, else one generated from the item's form fields (portal.blank_forms)."""
        return bool(self.blank_form) or "空白表格" in self.notes or self.name.endswith(FORM_SUFFIXES)


FIELD_KEY_RE = r"^[a-z][a-z0-9_]{0,39}$"


class FormField(models.Model):
    """One entry of an item's application form (申请表): what the applicant fills in online or the clerk at the window.

    The values are stored in the case's form_data under `key`, which the process template's routes may read
    (e.g. site_inspection_waived)."""

    item = models.ForeignKey(
        ServiceItem, verbose_name="事项", on_delete=models.CASCADE, related_name="form_fields"
    )
    seq = models.PositiveSmallIntegerField("序号")
    key = models.CharField(
        "字段代码",
        max_length=40,
        validators=[
            RegexValidator(FIELD_KEY_RE, "字段代码应为小写英文字母开头，只含小写字母、数字和下划线。")
        ],
        help_text="申请表数据中的名称（流程模板的条件按它判断），如 shop_name。",
    )
    label = models.CharField("字段名称", max_length=60)
    kind = models.CharField("类型", max_length=12, choices=FieldKind.choices, default=FieldKind.TEXT)
    required = models.BooleanField("必填", default=True)
    choices = models.CharField(
        "可选项", max_length=500, blank=True, help_text="类型为“单选”时填写，多个用“、”分隔。"
    )
    prefill = models.CharField(
        "预填来源", max_length=24, choices=Prefill.choices, default=Prefill.NONE, blank=True
    )
    help_text = models.CharField("填写说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "申请表字段"
        ordering = ["item", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["item", "seq"], name="uniq_form_field_seq"),
            models.UniqueConstraint(fields=["item", "key"], name="uniq_form_field_key"),
        ]

    def __str__(self) -> str:
        return self.label

    def choice_list(self) -> list[str]:
        return [c.strip() for c in re.split(r"[、,，;；\n]+", self.choices or "") if c.strip()]

    def clean(self) -> None:
        if self.kind == FieldKind.CHOICE and len(self.choice_list()) < 2:
            raise ValidationError({"choices": "类型为“单选”时，应至少填写两个可选项，用“、”分隔。"})
        if self.kind != FieldKind.CHOICE and self.choices:
            raise ValidationError({"choices": "只有类型为“单选”的字段才能填写可选项。"})


class Synonym(models.Model):
    """A word people search with and the catalog words it stands for (开饭店 → 食品经营许可)."""

    word = models.CharField("群众用语", max_length=50, unique=True, help_text="如“开饭店”“社保卡”。")
    means = models.CharField(
        "对应规范用语",
        max_length=300,
        help_text="事项名称中的用语，多个用“、”分隔，命中任意一个即可，如“食品经营许可、餐饮”。",
    )

    class Meta:
        verbose_name = verbose_name_plural = "搜索同义词"
        ordering = ["word"]

    def __str__(self) -> str:
        return f"{self.word} → {self.means}"

    def terms(self) -> list[str]:
        return [t.strip() for t in re.split(r"[、,，;；\s]+", self.means or "") if t.strip()]


FORM_SUFFIXES = ("申请书", "申请表", "登记表", "登记书", "申请登记书", "审批表")


class Fee(models.Model):
    item = models.ForeignKey(ServiceItem, verbose_name="事项", on_delete=models.CASCADE, related_name="fees")
    seq = models.PositiveSmallIntegerField("序号", default=1)
    name = models.CharField("收费项目", max_length=200)
    standard = models.CharField("收费标准", max_length=300)
    basis = models.CharField("收费依据", max_length=500)
    waivable = models.BooleanField("可减免", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "收费项目"
        ordering = ["item", "seq"]

    def __str__(self) -> str:
        return self.name


class Bundle(TimestampedModel):
    """一件事: several items behind one form and one intake, handled in parallel, concluded together."""

    code = models.CharField("编号", max_length=32, unique=True)
    name = models.CharField("名称", max_length=200)
    description = models.TextField("说明", blank=True)
    lead_department = models.ForeignKey(
        "org.Department", verbose_name="牵头部门", on_delete=models.PROTECT, related_name="led_bundles"
    )
    promised_limit = models.PositiveIntegerField("承诺办结时限")
    promised_limit_unit = models.CharField(
        "时限单位", max_length=10, choices=TimeUnit.choices, default=TimeUnit.WORKDAY
    )
    status = models.CharField("状态", max_length=12, choices=ItemStatus.choices, default=ItemStatus.DRAFT)
    items: models.ManyToManyField[ServiceItem, BundleItem] = models.ManyToManyField(
        ServiceItem, through="BundleItem", verbose_name="包含事项", related_name="bundles"
    )

    class Meta:
        verbose_name = verbose_name_plural = "一件事"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class BundleItem(models.Model):
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="bundle_entries")
    order = models.PositiveSmallIntegerField("顺序", default=1)

    class Meta:
        verbose_name = verbose_name_plural = "一件事包含事项"
        ordering = ["bundle", "order"]
        constraints = [models.UniqueConstraint(fields=["bundle", "item"], name="uniq_bundle_item")]

    def __str__(self) -> str:
        return f"{self.bundle_id}:{self.item_id}"


class ItemVersion(models.Model):
    """A frozen copy of an item as it was published or changed: the guide an applicant saw on a given day."""

    item = models.ForeignKey(
        ServiceItem, verbose_name="事项", on_delete=models.CASCADE, related_name="versions"
    )
    version = models.PositiveIntegerField("版本")
    status = models.CharField("状态", max_length=12, choices=ItemStatus.choices)
    snapshot = models.JSONField("内容")
    note = models.CharField("变更说明", max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.SET_NULL
    )
    changed_at = models.DateTimeField("变更时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "事项版本"
        ordering = ["item", "-version"]
        constraints = [models.UniqueConstraint(fields=["item", "version"], name="uniq_item_version")]

    def __str__(self) -> str:
        return f"{self.item_id} v{self.version}"
