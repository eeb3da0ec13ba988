"""The normative-document registry (规范性文件) and major administrative decisions (重大行政决策).

Written only by `rulemaking.actions`. Every time limit is a Clock of the one engine owned by its record."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.urls import reverse

from .choices import (
    CitizenReviewOutcome,
    CleanupDecision,
    DecisionStatus,
    DecisionStep,
    DocStage,
    ReviewConclusion,
)


class RulemakingRule(models.Model):
    """The local limits, as data (one row; the defaults when there is none). Local rules differ: these are the common
    values — public comment of at least 7 working days and filing within 30 days of publication for normative
    documents, five years' validity, 30 days of public comment for a major decision."""

    comment_workdays = models.PositiveIntegerField("规范性文件征求意见期（工作日）", default=7)
    filing_days = models.PositiveIntegerField("公布后报送备案时限（自然日）", default=30)
    validity_years = models.PositiveIntegerField("有效期（年）", default=5)
    expiry_alert_days = models.PositiveIntegerField("有效期届满前提醒（自然日）", default=90)
    citizen_review_days = models.PositiveIntegerField("审查申请办理时限（自然日）", default=60)
    decision_comment_days = models.PositiveIntegerField("重大决策征求意见期（自然日）", default=30)

    class Meta:
        verbose_name = verbose_name_plural = "规范性文件与重大决策时限"

    def __str__(self) -> str:
        return f"征求意见 {self.comment_workdays} 个工作日，备案 {self.filing_days} 日，有效期 {self.validity_years} 年"

    @classmethod
    def current(cls) -> RulemakingRule:
        return cls.objects.order_by("pk").first() or cls()


class NumberCounter(models.Model):
    """Yearly sequence of registry numbers (GFWJ-2026-0001, ZDJC-2026-01, SCSQ-2026-0001), bumped under a row lock."""

    prefix = models.CharField(max_length=8)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "登记编号计数"
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="rulemaking_counter_once")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year} {self.last}"


class NormativeDocument(models.Model):
    number = models.CharField("登记号", max_length=20, unique=True)
    title = models.CharField("文件名称", max_length=200)
    organ = models.ForeignKey(
        "org.Department", verbose_name="制定机关（起草单位）", on_delete=models.PROTECT, related_name="+"
    )
    stage = models.CharField(
        "阶段", max_length=12, choices=DocStage.choices, default=DocStage.DRAFTING, db_index=True
    )
    summary = models.TextField("起草说明", blank=True)
    body = models.TextField("文件正文", blank=True)
    document_number = models.CharField("文号", max_length=60, blank=True)
    drafted_at = models.DateTimeField("起草登记时间")
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    comment_opened_at = models.DateTimeField("征求意见开始", null=True, blank=True)
    comment_clock = models.OneToOneField(
        "clocks.Clock", null=True, blank=True, on_delete=models.SET_NULL, related_name="normative_comment"
    )
    comment_closed_at = models.DateTimeField("征求意见结束", null=True, blank=True)
    review_conclusion = models.CharField(
        "合法性审核意见", max_length=10, choices=ReviewConclusion.choices, blank=True
    )
    review_opinion = models.TextField("审核意见书", blank=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    meeting = models.CharField("审议会议", max_length=200, blank=True)
    discussed_on = models.DateField("审议日期", null=True, blank=True)
    published_at = models.DateTimeField("公布时间", null=True, blank=True)
    published_on = models.DateField("公布日期", null=True, blank=True)
    # The disclosure record is found again with `disclosure.actions.records_for(self)`; its 索引号 and public address
    # are kept here so the registry lists them without a join into the disclosure catalog.
    index_number = models.CharField("索引号", max_length=60, blank=True)
    disclosure_url = models.CharField("公开地址", max_length=200, blank=True)
    effective_from = models.DateField("施行日期", null=True, blank=True)
    valid_until = models.DateField("有效期至", null=True, blank=True, db_index=True)
    filing_clock = models.OneToOneField(
        "clocks.Clock", null=True, blank=True, on_delete=models.SET_NULL, related_name="normative_filing"
    )
    validity_clock = models.OneToOneField(
        "clocks.Clock", null=True, blank=True, on_delete=models.SET_NULL, related_name="normative_validity"
    )
    filed_at = models.DateTimeField("报送备案时间", null=True, blank=True)
    filed_with = models.CharField("备案机关", max_length=100, blank=True)
    filing_number = models.CharField("备案登记号", max_length=60, blank=True)
    filed_late = models.BooleanField("逾期备案", null=True, blank=True)
    expiry_alerted_at = models.DateTimeField("届满提醒时间", null=True, blank=True)
    ended_at = models.DateTimeField("失效/废止时间", null=True, blank=True)
    end_reason = models.CharField("失效/废止原因", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "规范性文件"
        ordering = ["-drafted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("rulemaking:manage_document", args=[self.number])

    def public_url(self) -> str:
        return reverse("rulemaking:document", args=[self.number])

    @property
    def in_force(self) -> bool:
        return self.stage in (DocStage.PUBLISHED, DocStage.FILED)

    def days_left(self, today: date) -> int | None:
        return (self.valid_until - today).days if self.valid_until else None


class DocumentComment(models.Model):
    """An opinion received during public comment, and the drafting office's answer (adopted or not, and why)."""

    document = models.ForeignKey(NormativeDocument, on_delete=models.CASCADE, related_name="comments")
    commenter = models.CharField("意见人", max_length=100)
    content = models.TextField("意见内容")
    received_at = models.DateTimeField("收到时间")
    answer = models.TextField("采纳情况及理由", blank=True)
    adopted = models.BooleanField("是否采纳", null=True, blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "征求意见"
        ordering = ["received_at", "pk"]

    def __str__(self) -> str:
        return f"{self.document.number} {self.commenter}"


class CleanupRound(models.Model):
    """A periodic clean-up (清理) of the documents in force: one decision per document."""

    year = models.PositiveIntegerField("年度")
    title = models.CharField("清理名称", max_length=200)
    started_at = models.DateTimeField("开始时间")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "规范性文件清理"
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class CleanupItem(models.Model):
    round = models.ForeignKey(CleanupRound, on_delete=models.CASCADE, related_name="items")
    document = models.ForeignKey(NormativeDocument, on_delete=models.PROTECT, related_name="cleanups")
    decision = models.CharField("清理结论", max_length=8, choices=CleanupDecision.choices)
    reason = models.CharField("理由", max_length=500, blank=True)
    decided_at = models.DateTimeField("时间")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "清理结论"
        constraints = [models.UniqueConstraint(fields=["round", "document"], name="rulemaking_cleanup_once")]

    def __str__(self) -> str:
        return f"{self.round} {self.document.number} {self.get_decision_display()}"


class CitizenReview(models.Model):
    """A citizen's (or organisation's) request that a normative document be reviewed for legality."""

    number = models.CharField("申请编号", max_length=20, unique=True)
    document = models.ForeignKey(NormativeDocument, on_delete=models.PROTECT, related_name="citizen_reviews")
    applicant = models.CharField("申请人", max_length=100)
    contact = models.CharField("联系方式", max_length=100, blank=True)
    reason = models.TextField("审查建议及理由")
    received_at = models.DateTimeField("收到时间")
    clock = models.OneToOneField(
        "clocks.Clock", null=True, blank=True, on_delete=models.SET_NULL, related_name="citizen_review"
    )
    outcome = models.CharField("审查结论", max_length=10, choices=CitizenReviewOutcome.choices, blank=True)
    answer = models.TextField("答复内容", blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "规范性文件审查申请"
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.number} {self.applicant}"

    def get_absolute_url(self) -> str:
        return reverse("rulemaking:manage_document", args=[self.document.number])


class MajorDecision(models.Model):
    number = models.CharField("决策编号", max_length=20, unique=True)
    title = models.CharField("决策事项", max_length=200)
    organ = models.ForeignKey(
        "org.Department", verbose_name="决策承办单位", on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField("决策草案说明", blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.PREPARING, db_index=True
    )
    started_at = models.DateTimeField("启动时间")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment_clock = models.OneToOneField(
        "clocks.Clock", null=True, blank=True, on_delete=models.SET_NULL, related_name="major_decision"
    )
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    decision = models.TextField("决定内容", blank=True)
    # The disclosure record is found again with `disclosure.actions.records_for(self)`; its 索引号 and public address
    # are kept here so the registry lists them without a join into the disclosure catalog.
    index_number = models.CharField("索引号", max_length=60, blank=True)
    disclosure_url = models.CharField("公开地址", max_length=200, blank=True)
    published_at = models.DateTimeField("公布时间", null=True, blank=True)
    evaluated_at = models.DateTimeField("评估时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "重大行政决策"
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("rulemaking:manage_decision", args=[self.number])

    def public_url(self) -> str:
        return reverse("rulemaking:decision", args=[self.number])


class DecisionStepRecord(models.Model):
    """One step of a decision's fixed process, done: when, by whom, with what result."""

    decision = models.ForeignKey(MajorDecision, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField("环节", max_length=14, choices=DecisionStep.choices)
    position = models.PositiveSmallIntegerField("顺序")
    done_at = models.DateTimeField("完成时间")
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.TextField("情况说明")
    approved = models.BooleanField("通过", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "重大决策程序环节"
        ordering = ["decision", "position"]
        constraints = [models.UniqueConstraint(fields=["decision", "step"], name="rulemaking_step_once")]

    def __str__(self) -> str:
        return f"{self.decision.number} {self.get_step_display()}"
