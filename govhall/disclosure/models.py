"""The disclosure catalog (政府信息公开目录) and information requests (依申请公开). Written only by
`disclosure.actions`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from govhall.core.identifiers import mask_phone, mask_resident_id

from .choices import (
    DisclosureCategory,
    DisclosureForm,
    RecordStatus,
    RequestChannel,
    RequesterKind,
    RequestEventKind,
    RequestOutcome,
    RequestStatus,
    Validity,
)


class IndexCounter(models.Model):
    """The last serial used under one index-number prefix (the number rendered with serial 0). Only ever
    incremented: a withdrawn record keeps its number and no number is given out twice."""

    key = models.CharField("前缀", max_length=64, unique=True)
    last = models.PositiveIntegerField("最后序号", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "索引号计数"

    def __str__(self) -> str:
        return f"{self.key} {self.last}"


class DisclosureRecord(models.Model):
    """One piece of proactively disclosed information with its catalog fields (条例第二十二条: 政府信息公开目录)."""

    index_number = models.CharField("索引号", max_length=64, unique=True, null=True, blank=True)
    organ = models.ForeignKey(
        "org.Department", verbose_name="发布机构", on_delete=models.PROTECT, related_name="disclosure_records"
    )
    title = models.CharField("标题", max_length=300)
    document_number = models.CharField("文号", max_length=100, blank=True)
    formed_on = models.DateField("生成日期", help_text="信息形成或者变更的日期（条例第二十六条起算日）")
    category = models.CharField("主题分类", max_length=16, choices=DisclosureCategory.choices, db_index=True)
    theme = models.CharField("主题词", max_length=100, blank=True)
    form = models.CharField(
        "公开形式", max_length=16, choices=DisclosureForm.choices, default=DisclosureForm.WEBSITE
    )
    validity = models.CharField(
        "效力状态", max_length=8, choices=Validity.choices, default=Validity.NOT_APPLICABLE
    )
    summary = models.TextField("内容概述", blank=True)
    body = models.TextField("正文", blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=RecordStatus.choices, default=RecordStatus.DRAFT, db_index=True
    )
    # What the record discloses, when it comes from another module (a normative document, a warning…): the
    # model's label ("rulemaking.normativedocument") and primary key, like a clock's subject.
    source_type = models.CharField("来源类型", max_length=64, blank=True, db_index=True)
    source_id = models.CharField("来源标识", max_length=64, blank=True)
    created_at = models.DateTimeField("登记时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField("公开时间", null=True, blank=True, db_index=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="公开人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    corrected_at = models.DateTimeField("最近更正时间", null=True, blank=True)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="撤回人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdraw_reason = models.TextField("撤回理由", blank=True)
    # 《政府信息公开条例》第二十六条: 20 working days from forming or change; stopped when published.
    clock = models.OneToOneField(
        "clocks.Clock",
        verbose_name="公开时限",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disclosure_record",
    )
    search_text = models.TextField("检索词", blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "政府信息公开目录"
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["source_type", "source_id"], name="disclosure_source_idx"),
            models.Index(fields=["organ", "status"], name="disclosure_organ_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.index_number or '（待公开）'} {self.title}"

    def get_absolute_url(self) -> str:
        if self.index_number:
            return reverse("disclosure:record", args=[self.index_number])
        return reverse("disclosure:staff_record", args=[self.pk])

    @property
    def category_color(self) -> str:
        return DisclosureCategory.color_of(self.category)

    @property
    def is_withdrawn(self) -> bool:
        return self.status == RecordStatus.WITHDRAWN


class RequestNumberCounter(models.Model):
    """Daily sequence of request numbers, incremented under a row lock."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "依申请公开编号计数"

    def __str__(self) -> str:
        return f"{self.day} {self.last}"


class InfoRequest(models.Model):
    """A request for government information (依申请公开, 《政府信息公开条例》第二十七条至第四十五条)."""

    number = models.CharField("申请编号", max_length=20, unique=True)
    check_code = models.CharField("查询码", max_length=12)
    organ = models.ForeignKey(
        "org.Department", verbose_name="受理机关", on_delete=models.PROTECT, related_name="info_requests"
    )
    channel = models.CharField("申请方式", max_length=8, choices=RequestChannel.choices)
    requester_kind = models.CharField(
        "申请人类型", max_length=16, choices=RequesterKind.choices, default=RequesterKind.PERSON
    )
    requester_name = models.CharField("申请人姓名或名称", max_length=100)
    # Resident ID number (自然人) or unified social credit code (组织): 条例第二十九条 身份证明.
    requester_id_number = models.CharField("身份证件号码或统一社会信用代码", max_length=18)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=20)
    address = models.CharField("通信地址", max_length=200, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    description = models.TextField("所需信息的名称、文号或者便于查询的其他特征性描述")
    clarified_description = models.TextField("补正后的描述", blank=True)
    form_wanted = models.CharField("获取信息的方式", max_length=50, blank=True, default="电子数据")
    status = models.CharField(
        "状态", max_length=12, choices=RequestStatus.choices, default=RequestStatus.RECEIVED, db_index=True
    )
    received_at = models.DateTimeField("收到时间", db_index=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # 条例第三十条: the one notice to clarify, given within 7 working days of receipt.
    clarify_requested_at = models.DateTimeField("告知补正时间", null=True, blank=True)
    clarify_items = models.TextField("需要补正的事项", blank=True)
    clarify_due = models.DateField("补正期限", null=True, blank=True)
    clarified_at = models.DateTimeField("收到补正时间", null=True, blank=True)
    # 条例第三十二条: third-party opinion, 15 working days to reply; the main clock is paused meanwhile.
    third_party = models.CharField("第三方", max_length=200, blank=True)
    consult_started_at = models.DateTimeField("征求意见时间", null=True, blank=True)
    consult_due = models.DateField("第三方答复期限", null=True, blank=True)
    consult_ended_at = models.DateTimeField("第三方意见返回时间", null=True, blank=True)
    third_party_opinion = models.TextField("第三方意见", blank=True)
    # 条例第三十三条第二款: +20 working days with the approval of the head of the agency.
    extended_at = models.DateTimeField("延期时间", null=True, blank=True)
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批准延期",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    extension_reason = models.TextField("延期理由", blank=True)
    outcome = models.CharField(
        "答复类型", max_length=20, choices=RequestOutcome.choices, blank=True, db_index=True
    )
    reason_category = models.CharField("理由类别", max_length=20, blank=True)
    answer_text = models.TextField("答复内容", blank=True)
    where_public = models.CharField("已公开的获取途径", max_length=300, blank=True)
    right_agency = models.CharField("负责公开的机关及联系方式", max_length=200, blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True, db_index=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="答复人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # 条例第四十二条: no fee unless the request exceeds the reasonable amount; default none.
    fee = models.DecimalField("信息处理费（元）", max_digits=10, decimal_places=2, default=0)
    answer_document = models.ForeignKey(
        "documents.Document",
        verbose_name="答复书",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    clock = models.OneToOneField(
        "clocks.Clock",
        verbose_name="答复时限",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="info_request",
    )
    records = models.ManyToManyField(
        DisclosureRecord, verbose_name="涉及的公开信息", blank=True, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "政府信息公开申请"
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["organ", "received_at"], name="inforeq_organ_received_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.description[:20]}"

    def get_absolute_url(self) -> str:
        return reverse("disclosure:staff_request", args=[self.number])

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_id(self) -> str:
        if self.requester_kind == RequesterKind.PERSON:
            return mask_resident_id(self.requester_id_number)
        return self.requester_id_number

    @property
    def is_open(self) -> bool:
        return self.status in (RequestStatus.RECEIVED, RequestStatus.CLARIFYING, RequestStatus.CONSULTING)

    @property
    def outcome_color(self) -> str:
        return RequestOutcome.color_of(self.outcome)


class InfoRequestEvent(models.Model):
    """The request's history as the requester sees it on the progress page."""

    request = models.ForeignKey(InfoRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事项", max_length=20, choices=RequestEventKind.choices)
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField("说明", blank=True)
    document = models.ForeignKey(
        "documents.Document",
        verbose_name="文书",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = verbose_name_plural = "依申请公开办理记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.request.number} {self.get_kind_display()}"
