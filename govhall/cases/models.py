from __future__ import annotations

from django.conf import settings
from django.db import models

from govhall.catalog.choices import JoinRule, TimeUnit
from govhall.core.models import TimestampedModel

from .choices import (
    ApplicantKind,
    CaseStatus,
    Channel,
    Decision,
    IntakeOutcome,
    JoinResult,
    PauseKind,
    TaskAction,
    TaskStatus,
)

User = settings.AUTH_USER_MODEL


class Applicant(TimestampedModel):
    """申请人: a person (GB 11643 ID) or an organisation (GB 32100 USCC). One row per identity, reused across cases."""

    kind = models.CharField("申请人类型", max_length=12, choices=ApplicantKind.choices)
    name = models.CharField("姓名/名称", max_length=100)
    id_number = models.CharField("证件号码", max_length=18)
    legal_representative = models.CharField("法定代表人", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    address = models.CharField("联系地址", max_length=200, blank=True)
    user = models.ForeignKey(
        User,
        verbose_name="网上账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applicants",
    )

    class Meta:
        verbose_name = "申请人"
        verbose_name_plural = "申请人"
        # One hall record per identity, and one per identity and online account (see actions.intake._applicant).
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "id_number"],
                condition=models.Q(user=None),
                name="uniq_applicant_hall_identity",
            ),
            models.UniqueConstraint(
                fields=["kind", "id_number", "user"],
                condition=models.Q(user__isnull=False),
                name="uniq_applicant_account_identity",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ApplicantSnapshot(models.Model):
    """The applicant's name and contact details as given in this application. The Applicant row is shared by
    every application of one identity and holds the latest details; pages, notices, messages and the progress
    query of an application read these, so a later application under the same ID never changes an earlier one."""

    applicant_name = models.CharField("申请人姓名/名称（申请时）", max_length=100, default="", blank=True)
    applicant_phone = models.CharField("联系电话（申请时）", max_length=20, default="", blank=True)
    applicant_address = models.CharField("联系地址（申请时）", max_length=200, default="", blank=True)
    applicant_legal_representative = models.CharField(
        "法定代表人（申请时）", max_length=50, default="", blank=True
    )

    class Meta:
        abstract = True


class CaseGroup(ApplicantSnapshot):
    """一件事联办: one intake for a bundle; its cases run in parallel and are concluded together."""

    number = models.CharField("联办编号", max_length=20, unique=True)
    # The applicant's key to the public progress of the whole bundle (one number, one code).
    check_code = models.CharField("查询码", max_length=12, default="", blank=True)
    bundle = models.ForeignKey("catalog.Bundle", verbose_name="一件事", on_delete=models.PROTECT)
    applicant = models.ForeignKey(Applicant, verbose_name="申请人", on_delete=models.PROTECT)
    created_at = models.DateTimeField("受理时间")
    concluded_at = models.DateTimeField("办结时间", null=True, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)

    class Meta:
        verbose_name = "一件事联办"
        verbose_name_plural = "一件事联办"

    def __str__(self) -> str:
        return f"{self.number} {self.bundle.name}"


class Case(ApplicantSnapshot):
    """办件: one application for one item, from receipt to delivery of the result."""

    number = models.CharField("办件编号", max_length=20, unique=True)
    check_code = models.CharField("查询码", max_length=12)
    item = models.ForeignKey(
        "catalog.ServiceItem", verbose_name="事项", on_delete=models.PROTECT, related_name="cases"
    )
    department = models.ForeignKey(
        "org.Department", verbose_name="实施部门", on_delete=models.PROTECT, related_name="cases"
    )
    process = models.ForeignKey(
        "workflow.ProcessDefinition", verbose_name="办理流程", on_delete=models.PROTECT
    )
    group = models.ForeignKey(
        CaseGroup,
        verbose_name="一件事联办",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    applicant = models.ForeignKey(
        Applicant, verbose_name="申请人", on_delete=models.PROTECT, related_name="cases"
    )
    channel = models.CharField("申请渠道", max_length=8, choices=Channel.choices)
    site = models.ForeignKey(
        "org.Site", verbose_name="受理站点", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    window = models.ForeignKey(
        "org.Window",
        verbose_name="受理窗口",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    received_by = models.ForeignKey(
        User, verbose_name="收件人/代办员", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    form_data = models.JSONField("申请表", default=dict, blank=True)
    green_channel = models.BooleanField("绿色通道", default=False)
    appointment_at = models.DateTimeField("预约时间", null=True, blank=True)

    status = models.CharField("状态", max_length=14, choices=CaseStatus.choices, default=CaseStatus.SUBMITTED)
    intake_outcome = models.CharField("受理结论", max_length=16, choices=IntakeOutcome.choices, blank=True)
    intake_reason = models.TextField("不予受理理由", blank=True)
    redirect_agency = models.CharField("有权机关", max_length=200, blank=True)
    decision = models.CharField("审批结果", max_length=10, choices=Decision.choices, blank=True)
    decision_reason = models.TextField("决定理由", blank=True)
    extended = models.BooleanField("已延期", default=False)

    # The case's own time limits, copied once at acceptance (actions.intake) and read by every clock, step budget,
    # notice and page afterwards: editing the catalog item never moves a running case. Empty before acceptance.
    item_version = models.PositiveIntegerField("受理时事项版本", null=True, blank=True)
    catalog_promised_limit = models.PositiveIntegerField("事项承诺时限（受理时）", null=True, blank=True)
    promised_limit = models.PositiveIntegerField("适用承诺时限", null=True, blank=True)
    promised_limit_unit = models.CharField(
        "承诺时限单位", max_length=10, choices=TimeUnit.choices, blank=True
    )
    legal_limit = models.PositiveIntegerField("法定办结时限", null=True, blank=True)
    legal_limit_unit = models.CharField("法定时限单位", max_length=10, choices=TimeUnit.choices, blank=True)
    # The joint review (《行政许可法》第二十六条) the case was accepted with, copied at acceptance with the limits:
    # an admin edit of the item's rule or co-departments afterwards never changes a running case. An empty rule
    # means the template's own; joint_department_ids is None only for a case not yet accepted.
    join_rule = models.CharField("联审汇合规则（受理时）", max_length=8, choices=JoinRule.choices, blank=True)
    join_ratio = models.FloatField("联审同意比例（受理时）", null=True, blank=True)
    joint_department_ids = models.JSONField("联审部门（受理时）", null=True, blank=True)

    received_at = models.DateTimeField("收件时间")
    complete_at = models.DateTimeField("材料齐全时间", null=True, blank=True)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    accepted_day = models.DateField("受理日", null=True, blank=True)
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    concluded_at = models.DateTimeField("办结时间", null=True, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    closed_at = models.DateTimeField("终止时间", null=True, blank=True)

    intake_clock = models.OneToOneField(
        "clocks.Clock", null=True, blank=True, on_delete=models.SET_NULL, related_name="intake_case"
    )
    clock = models.OneToOneField(
        "clocks.Clock", null=True, blank=True, on_delete=models.SET_NULL, related_name="promised_case"
    )
    legal_clock = models.OneToOneField(
        "clocks.Clock", null=True, blank=True, on_delete=models.SET_NULL, related_name="legal_case"
    )
    delivery_clock = models.OneToOneField(
        "clocks.Clock", null=True, blank=True, on_delete=models.SET_NULL, related_name="delivery_case"
    )

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        indexes = [
            models.Index(fields=["department", "status"], name="case_dept_status_idx"),
            models.Index(fields=["status", "received_at"], name="case_status_received_idx"),
            models.Index(fields=["applicant", "received_at"], name="case_applicant_idx"),
            # The big screen's "concluded today" and trend.
            models.Index(fields=["concluded_at"], name="case_concluded_idx"),
            models.Index(fields=["accepted_at"], name="case_accepted_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def has_own_limits(self) -> bool:
        return self.promised_limit is not None and self.legal_limit is not None

    @property
    def green_channel_shortened(self) -> bool:
        """The promised limit that applies is shorter than the item's (绿色通道)."""
        return (
            self.promised_limit is not None
            and self.catalog_promised_limit is not None
            and self.promised_limit < self.catalog_promised_limit
        )

    @property
    def is_open(self) -> bool:
        return self.status in {
            CaseStatus.SUBMITTED,
            CaseStatus.CORRECTION,
            CaseStatus.IN_PROGRESS,
            CaseStatus.SUSPENDED,
            CaseStatus.DECIDED,
        }


class CaseNumberCounter(models.Model):
    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day} #{self.last}"


class CaseMaterial(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey(
        "catalog.Material", verbose_name="对应材料", null=True, blank=True, on_delete=models.SET_NULL
    )
    name = models.CharField("材料名称", max_length=200)
    file = models.FileField("文件", upload_to="cases/%Y/%m/", max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）")
    content_type = models.CharField("类型", max_length=100)
    sm3 = models.CharField("SM3 摘要", max_length=64)
    for_correction = models.BooleanField("补正提交", default=False)
    uploaded_at = models.DateTimeField("上传时间")
    uploaded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"

    def __str__(self) -> str:
        return self.name


class CorrectionNotice(models.Model):
    """一次性告知: at most one per case (the OneToOne is the rule, enforced by the database)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="correction")
    items = models.JSONField("需补正内容")  # [{"material": id | None, "name": str, "reason": str}]
    note = models.TextField("说明", blank=True)
    issued_at = models.DateTimeField("告知时间")
    issued_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField("补齐时间", null=True, blank=True)

    class Meta:
        verbose_name = "一次性补正告知"
        verbose_name_plural = "一次性补正告知"

    def __str__(self) -> str:
        return f"{self.case.number} 补正告知"


class Task(models.Model):
    """One step (or one branch of a parallel step) of a case, for a department and role; claimable by a person."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    step_key = models.CharField("环节", max_length=40)
    step_name = models.CharField("环节名称", max_length=100)
    parallel_key = models.CharField("并联环节", max_length=40, blank=True)
    branch_key = models.CharField("分支", max_length=40, blank=True)
    round = models.PositiveSmallIntegerField("轮次", default=1)
    department = models.ForeignKey("org.Department", verbose_name="办理部门", on_delete=models.PROTECT)
    role = models.CharField("办理角色", max_length=24)
    assignee = models.ForeignKey(
        User,
        verbose_name="办理人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="case_tasks",
    )
    status = models.CharField("状态", max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    outcome = models.CharField("办理意见", max_length=10, choices=TaskAction.choices, blank=True)
    opinion = models.TextField("意见", blank=True)
    created_at = models.DateTimeField("到达时间")
    claimed_at = models.DateTimeField("领取时间", null=True, blank=True)
    completed_at = models.DateTimeField("办理时间", null=True, blank=True)
    clock = models.OneToOneField(
        "clocks.Clock", null=True, blank=True, on_delete=models.SET_NULL, related_name="task"
    )

    class Meta:
        verbose_name = "办理环节"
        verbose_name_plural = "办理环节"
        indexes = [
            models.Index(fields=["department", "status"], name="task_dept_status_idx"),
            models.Index(fields=["assignee", "status"], name="task_assignee_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.step_name}"


class JointReview(models.Model):
    """The join of one parallel step of a case, fixed when the step first opens: the rule (the item's own, else
    the template's) and the co-departments. Later passes (after a return) and coordination rounds reuse it, so
    editing the item while the case runs changes nothing for this case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="joint_reviews")
    step_key = models.CharField("并联环节", max_length=40)
    rule = models.CharField("汇合规则", max_length=8, choices=JoinRule.choices)
    ratio = models.FloatField("同意比例", null=True, blank=True)
    departments = models.ManyToManyField("org.Department", verbose_name="联审部门", related_name="+")
    opened_at = models.DateTimeField("开始时间")
    # The task round of the current pass: branch tasks of earlier rounds belong to a pass a return replaced.
    round = models.PositiveSmallIntegerField("轮次", default=1)
    result = models.CharField(
        "汇合结果", max_length=8, choices=JoinResult.choices, default=JoinResult.PENDING
    )
    coordinations = models.PositiveSmallIntegerField("联审协调次数", default=0)
    coordinating = models.BooleanField("联审协调中", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "并联审批汇合"
        constraints = [
            models.UniqueConstraint(fields=["case", "step_key"], name="uniq_joint_review_case_step")
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.step_key}"


class TaskAttachment(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField("名称", max_length=200)
    file = models.FileField(upload_to="tasks/%Y/%m/", max_length=200)
    size = models.PositiveIntegerField()
    sm3 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class Pause(models.Model):
    """Time not counted: a correction during processing or an art. 45 special procedure."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pauses")
    kind = models.CharField("类型", max_length=20, choices=PauseKind.choices)
    reason = models.TextField("事由")
    expected_days = models.PositiveIntegerField("预计所需时间（工作日）", null=True, blank=True)
    started_at = models.DateTimeField("开始")
    ended_at = models.DateTimeField("结束", null=True, blank=True)
    result = models.TextField("结果", blank=True)
    started_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ended_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "特别程序/暂停"
        verbose_name_plural = "特别程序/暂停"

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_kind_display()}"


class Extension(models.Model):
    """《行政许可法》 art. 42 extension, approved by the agency head."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    amount = models.PositiveIntegerField("延长工作日")
    reason = models.TextField("延期理由")
    approved_by = models.ForeignKey(User, verbose_name="批准人", on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField("批准时间")

    class Meta:
        verbose_name = "延期"
        verbose_name_plural = "延期"

    def __str__(self) -> str:
        return f"{self.case.number} 延期{self.amount}个工作日"


class OutOfProcedureAttempt(models.Model):
    """An action the process did not allow at that point (体外循环/违规操作), refused and kept for supervision."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="violations")
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.SET_NULL)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField("操作", max_length=40)
    reason = models.TextField("拒绝原因")
    at = models.DateTimeField("时间", db_index=True)

    class Meta:
        verbose_name = "违规操作记录"
        verbose_name_plural = "违规操作记录"

    def __str__(self) -> str:
        return f"{self.case.number} {self.action}"


class IdempotencyKey(models.Model):
    """Makes a retried create-application request return the case it created the first time."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="uniq_idempotency_key")]

    def __str__(self) -> str:
        return self.key


__all__ = [
    "Applicant",
    "ApplicantSnapshot",
    "Case",
    "CaseGroup",
    "CaseMaterial",
    "CorrectionNotice",
    "Decision",
    "Extension",
    "IdempotencyKey",
    "JointReview",
    "OutOfProcedureAttempt",
    "Pause",
    "Task",
    "TaskAttachment",
]
