"""The legal office's records: lawsuits against the county's agencies with their hearings and the heads' appearances,
the appearance rules (data), quarterly summaries to the court, administrative reconsiderations, and the corrections
they make to cases of this platform. Written only by `govhall.legal.actions`."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .choices import (
    AbsenceReason,
    ActSource,
    AppearanceRuleKey,
    AppearanceStatus,
    CorrectionSource,
    Instrument,
    LawsuitStatus,
    NamedBy,
    Outcome,
    ReconOutcome,
    ReconProcedure,
    ReconStatus,
    RefusalGround,
    Stage,
)

CLOCK = "clocks.Clock"


def _clock(name: str) -> models.OneToOneField:  # type: ignore[type-arg]
    return models.OneToOneField(
        CLOCK, verbose_name=name, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )


class AppearanceRule(models.Model):
    """One of the cases in which the head must appear. Rules are data: the legal office switches them on or off and
    sets the plaintiff threshold; a rule without a row applies with its default (see `rules.DEFAULTS`)."""

    key = models.CharField("规则", max_length=24, choices=AppearanceRuleKey.choices, unique=True)
    active = models.BooleanField("启用", default=True)
    threshold = models.PositiveIntegerField(
        "人数标准", null=True, blank=True, help_text="仅用于原告人数众多规则"
    )
    note = models.CharField("依据说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "负责人出庭应诉规则"
        ordering = ["key"]

    def __str__(self) -> str:
        return self.get_key_display()


class Lawsuit(models.Model):
    """One instance of an administrative lawsuit in which an agency of this government is the defendant (被告)."""

    court = models.CharField("受理法院", max_length=100)
    case_number = models.CharField("案号", max_length=60)
    stage = models.CharField("审级", max_length=8, choices=Stage.choices, default=Stage.FIRST)
    parent = models.ForeignKey(
        "self",
        verbose_name="前一审级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_instances",
    )
    department = models.ForeignKey("org.Department", verbose_name="被告机关", on_delete=models.PROTECT)
    plaintiffs = models.TextField("原告", help_text="每行一名")
    plaintiff_count = models.PositiveIntegerField("原告人数")
    cause = models.CharField("案由", max_length=200)
    act_source = models.CharField("被诉行政行为来源", max_length=16, choices=ActSource.choices)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="关联办件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    info_request = models.ForeignKey(
        "disclosure.InfoRequest",
        verbose_name="关联政府信息公开申请",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    act_description = models.CharField("被诉行政行为", max_length=300, blank=True)
    # Brought after a reconsideration of this government (复议后起诉) rather than directly.
    reconsideration = models.ForeignKey(
        "Reconsideration",
        verbose_name="经复议",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lawsuits",
    )
    major_impact = models.BooleanField("社会影响重大", default=False)
    state_compensation = models.BooleanField("国家赔偿案件", default=False)
    named_by = models.CharField(
        "要求负责人出庭", max_length=16, choices=NamedBy.choices, blank=True, default=""
    )
    year = models.PositiveIntegerField("年度", db_index=True)
    notice_received_on = models.DateField("收到应诉通知日")
    complaint_received_on = models.DateField("收到起诉状副本日")
    registered_at = models.DateTimeField("报告法制机构时间")
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    report_clock = _clock("应诉通知报告时限")
    defence_clock = _clock("答辩举证期限")
    defence_filed_at = models.DateTimeField("提交答辩状和证据时间", null=True, blank=True)
    appearance_required = models.BooleanField("应当由负责人出庭", default=False)
    appearance_reasons = models.JSONField("出庭理由", default=list, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=LawsuitStatus.choices, default=LawsuitStatus.REGISTERED, db_index=True
    )
    instrument = models.CharField("裁判文书", max_length=10, choices=Instrument.choices, blank=True)
    outcome = models.CharField("裁判结果", max_length=20, choices=Outcome.choices, blank=True)
    judgment_summary = models.TextField("裁判要旨", blank=True)
    judgment_served_on = models.DateField("裁判文书送达日", null=True, blank=True)
    judgment_filing_clock = _clock("裁判文书备案时限")
    judgment_filed_at = models.DateTimeField("裁判文书备案时间", null=True, blank=True)
    appeal_clock = _clock("上诉期限")
    appealed = models.BooleanField("机关提起上诉", null=True, blank=True)
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "行政诉讼案件"
        ordering = ["-notice_received_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["court", "case_number"], name="legal_lawsuit_court_number")
        ]
        indexes = [models.Index(fields=["department", "year"], name="legal_lawsuit_dept_year")]

    def __str__(self) -> str:
        return f"{self.case_number}（{self.court}）"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("legal:lawsuit", args=[self.pk])

    @property
    def lost(self) -> bool:
        from .choices import LOSS_OUTCOMES

        return self.outcome in LOSS_OUTCOMES


class Hearing(models.Model):
    """A court session (开庭) of a lawsuit and who appeared for the agency."""

    lawsuit = models.ForeignKey(
        Lawsuit, verbose_name="案件", on_delete=models.CASCADE, related_name="hearings"
    )
    scheduled_for = models.DateTimeField("开庭时间")
    place = models.CharField("地点", max_length=100, blank=True)
    head_required = models.BooleanField("应当由负责人出庭", default=False)
    absence_clock = _clock("不能出庭书面说明期限")
    appearance = models.CharField(
        "出庭情况", max_length=16, choices=AppearanceStatus.choices, default=AppearanceStatus.PENDING
    )
    head_name = models.CharField("出庭负责人", max_length=50, blank=True)
    head_title = models.CharField("职务", max_length=50, blank=True)
    absence_reason = models.CharField(
        "不能出庭理由", max_length=16, choices=AbsenceReason.choices, blank=True
    )
    absence_explanation = models.TextField("书面说明", blank=True)
    explained_at = models.DateTimeField("说明提交时间", null=True, blank=True)
    explained_in_time = models.BooleanField("按时说明", null=True, blank=True)
    held_at = models.DateTimeField("庭审记录时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "庭审与出庭"
        ordering = ["scheduled_for", "id"]

    def __str__(self) -> str:
        return f"{self.lawsuit.case_number} {self.scheduled_for:%Y-%m-%d}"


class CourtSummary(models.Model):
    """The quarterly summary of heads' appearances sent to the court (季度通报), generated from the records."""

    year = models.PositiveIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度")
    generated_at = models.DateTimeField("生成时间")
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="生成人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    figures = models.JSONField("统计数据", default=dict)
    body = models.TextField("通报正文")

    class Meta:
        verbose_name = verbose_name_plural = "出庭应诉季度通报"
        ordering = ["-year", "-quarter"]
        constraints = [models.UniqueConstraint(fields=["year", "quarter"], name="legal_summary_year_quarter")]

    def __str__(self) -> str:
        return f"{self.year}年第{self.quarter}季度出庭应诉情况通报"


class Reconsideration(models.Model):
    """An application for administrative reconsideration (行政复议) against an agency of this government."""

    number = models.CharField("案号", max_length=30, unique=True)
    year = models.PositiveIntegerField("年度", db_index=True)
    applicant_name = models.CharField("申请人", max_length=200)
    applicant_count = models.PositiveIntegerField("申请人人数", default=1)
    department = models.ForeignKey("org.Department", verbose_name="被申请人", on_delete=models.PROTECT)
    act_source = models.CharField("被申请行政行为来源", max_length=16, choices=ActSource.choices)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="关联办件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    info_request = models.ForeignKey(
        "disclosure.InfoRequest",
        verbose_name="关联政府信息公开申请",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    act_description = models.CharField("被申请行政行为", max_length=300, blank=True)
    request = models.TextField("复议请求")
    known_on = models.DateField("知道该行政行为之日", null=True, blank=True)
    received_at = models.DateTimeField("收到申请时间")
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="收件人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    review_clock = _clock("受理审查时限")
    status = models.CharField(
        "状态", max_length=10, choices=ReconStatus.choices, default=ReconStatus.RECEIVED, db_index=True
    )
    procedure = models.CharField("审理程序", max_length=12, choices=ReconProcedure.choices, blank=True)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    refusal_ground = models.CharField(
        "不予受理依据", max_length=16, choices=RefusalGround.choices, blank=True
    )
    refusal_reason = models.TextField("不予受理理由", blank=True)
    decision_clock = _clock("复议决定期限")
    heard_at = models.DateTimeField("审理时间", null=True, blank=True)
    hearing_note = models.TextField("审理情况", blank=True)
    extended = models.BooleanField("已延长审理期限", default=False)
    extension_reason = models.CharField("延期理由", max_length=200, blank=True)
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    outcome = models.CharField("复议决定", max_length=20, choices=ReconOutcome.choices, blank=True)
    decision_text = models.TextField("决定内容", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "行政复议案件"
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["department", "year"], name="legal_recon_dept_year")]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("legal:reconsideration", args=[self.pk])


class CaseCorrection(models.Model):
    """A decision that set aside, changed or found unlawful an act made in a case of this platform: shown on the
    staff case page so that whoever handles the case, or a later one like it, sees it."""

    case = models.ForeignKey("cases.Case", verbose_name="办件", on_delete=models.CASCADE, related_name="+")
    source = models.CharField("来源", max_length=16, choices=CorrectionSource.choices)
    lawsuit = models.ForeignKey(
        Lawsuit, null=True, blank=True, on_delete=models.CASCADE, related_name="corrections"
    )
    reconsideration = models.ForeignKey(
        Reconsideration, null=True, blank=True, on_delete=models.CASCADE, related_name="corrections"
    )
    outcome_label = models.CharField("结果", max_length=50)
    note = models.TextField("说明", blank=True)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = verbose_name_plural = "办件纠错记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_source_display()}：{self.outcome_label}"
