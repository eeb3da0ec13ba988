from django.db import models
from django.utils import timezone

from .hashchain import GENESIS_HASH


class TimestampedModel(models.Model):
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class AuditEventType(models.TextChoices):
    ITEM_CREATED = "item_created", "创建事项"
    ITEM_UPDATED = "item_updated", "修改事项"
    ITEM_STATUS_CHANGED = "item_status_changed", "事项状态变更"
    CATALOG_IMPORTED = "catalog_imported", "导入事项目录"
    BUNDLE_CREATED = "bundle_created", "创建一件事"
    BUNDLE_UPDATED = "bundle_updated", "修改一件事"
    BUNDLE_STATUS_CHANGED = "bundle_status_changed", "一件事状态变更"
    CALENDAR_YEAR_CONFIRMED = "calendar_year_confirmed", "确认年度节假日安排"
    CALENDAR_DAY_CHANGED = "calendar_day_changed", "修改节假日"
    ORG_UNIT_CREATED = "org_unit_created", "创建组织机构（区划、站点、大厅、部门、窗口）"
    ORG_UNIT_UPDATED = "org_unit_updated", "修改组织机构（区划、站点、大厅、部门、窗口）"
    STAFF_CREATED = "staff_created", "创建工作人员"
    STAFF_UPDATED = "staff_updated", "修改工作人员信息"
    STAFF_ROLES_CHANGED = "staff_roles_changed", "变更人员角色"
    PROCESS_DEFINITION_SAVED = "process_definition_saved", "保存办理流程版本"
    PROCESS_DEFINITION_ACTIVATED = "process_definition_activated", "启用办理流程版本"
    WARN_RULE_SAVED = "warn_rule_saved", "保存预警阈值"
    SUPERVISION_CARD_ISSUED = "supervision_card_issued", "发出黄牌/红牌"
    SUPERVISION_ORDER_ISSUED = "supervision_order_issued", "发出督办单"
    SUPERVISION_ORDER_ANSWERED = "supervision_order_answered", "答复督办单"
    SUPERVISION_ORDER_OVERDUE = "supervision_order_overdue", "督办单逾期（整改通知、责任追究）"
    SUPERVISION_URGED = "supervision_urged", "催办"
    ACCOUNTABILITY_DECIDED = "accountability_decided", "作出责任追究决定"
    COMPLAINT_RECEIVED = "complaint_received", "受理效能投诉"
    COMPLAINT_ASSIGNED = "complaint_assigned", "交办效能投诉"
    COMPLAINT_CONCLUDED = "complaint_concluded", "办结效能投诉"
    HOTLINE_RECORDED = "hotline_recorded", "登记热线工单"
    HOTLINE_DISPATCHED = "hotline_dispatched", "派发热线工单（派单、改派）"
    HOTLINE_RETURNED = "hotline_returned", "退回热线工单"
    HOTLINE_ANSWERED = "hotline_answered", "答复热线工单"
    HOTLINE_CALLED_BACK = "hotline_called_back", "回访热线工单"
    HOTLINE_TRANSFERRED = "hotline_transferred", "热线工单转效能投诉"
    WORKER_ROW_FAILED = "worker_row_failed", "后台任务处理失败（已推迟重试）"
    LOGIN_LOCKED = "login_locked", "登录失败次数过多，暂时锁定"
    LOOKUP_LOCKED = "lookup_locked", "查询码尝试次数过多，暂停查询"
    API_TOKEN_ISSUED = "api_token_issued", "签发接口令牌"
    API_TOKEN_REVOKED = "api_token_revoked", "吊销接口令牌"
    SUPERVISED_ENTITY_SAVED = "supervised_entity_saved", "监管对象建档或更新（含许可证）"
    INSPECTION_PLAN_CREATED = "inspection_plan_created", "制定检查计划"
    INSPECTION_PLAN_DRAWN = "inspection_plan_drawn", "双随机抽取检查对象和检查人员"
    INSPECTION_RECORDED = "inspection_recorded", "记录检查结果"
    INSPECTION_RECTIFY_ORDERED = "inspection_rectify_ordered", "责令整改"
    INSPECTION_RECTIFIED = "inspection_rectified", "整改复查完成"
    INSPECTION_REFERRED = "inspection_referred", "移送立案查处"
    CREDIT_GRADE_CHANGED = "credit_grade_changed", "信用等级变更"
    INSPECTION_CONFIG_SAVED = (
        "inspection_config_saved",
        "保存监督检查配置（发证事项、风险等级、频次、检查要点、信用规则、回避）",
    )
    DISCLOSURE_DRAFTED = "disclosure_drafted", "登记待公开政府信息"
    DISCLOSURE_PUBLISHED = "disclosure_published", "公开政府信息"
    DISCLOSURE_CORRECTED = "disclosure_corrected", "更正已公开政府信息"
    DISCLOSURE_WITHDRAWN = "disclosure_withdrawn", "撤回已公开政府信息"
    INFO_REQUEST_RECEIVED = "info_request_received", "登记政府信息公开申请"
    INFO_REQUEST_HANDLED = "info_request_handled", "办理政府信息公开申请（补正、征求意见、延期）"
    INFO_REQUEST_ANSWERED = "info_request_answered", "答复政府信息公开申请"
    EVALUATION_ENTERED = "evaluation_entered", "录入绩效考评数据"
    EVALUATION_MONTH_CLOSED = "evaluation_month_closed", "月度考评结账"
    EVALUATION_ADJUSTED = "evaluation_adjusted", "调整考评结果"
    EVALUATION_GOAL_SAVED = "evaluation_goal_saved", "保存考评目标"
    EVALUATION_REPORT_SUBMITTED = "evaluation_report_submitted", "报送目标月报"
    EVALUATION_SCHEME_SAVED = "evaluation_scheme_saved", "保存考评方案"
    EVALUATION_YEAR_CLOSED = "evaluation_year_closed", "年度考评结账"
    POWERS_IMPORTED = "powers_imported", "导入权力清单"
    POWER_SAVED = "power_saved", "登记职权"
    POST_SAVED = "post_saved", "登记岗位、任职"
    RISK_POINT_RECORDED = "risk_point_recorded", "登记廉政风险点"
    POWER_EXERCISES_DISCLOSED = "power_exercises_disclosed", "公开权力运行记录"
    INTEGRITY_WARNING_ISSUED = "integrity_warning_issued", "发出廉政预警"
    INTEGRITY_WARNING_PLANNED = "integrity_warning_planned", "报送预警整改方案"
    INTEGRITY_WARNING_CLOSED = "integrity_warning_closed", "廉政预警销号"
    INTEGRITY_WARNING_ESCALATED = "integrity_warning_escalated", "廉政预警逾期升级"
    COMMITMENT_SIGNED = "commitment_signed", "签订廉政风险承诺书"
    ROTATION_PLANNED = "rotation_planned", "制定轮岗计划"
    ROTATION_EXECUTED = "rotation_executed", "执行轮岗"
    INTEGRITY_CONFIG_SAVED = (
        "integrity_config_saved",
        "修改廉政风险防控配置（风险等级、轮岗年限、预警规则、重点部门）",
    )
    LAWSUIT_REGISTERED = "lawsuit_registered", "登记行政诉讼案件（报告应诉通知）"
    LAWSUIT_UPDATED = "lawsuit_updated", "行政诉讼案件变更（出庭要求、答辩、庭审、裁判、上诉）"
    COURT_SUMMARY_ISSUED = "court_summary_issued", "生成负责人出庭应诉季度情况通报"
    APPEARANCE_RULE_SAVED = "appearance_rule_saved", "保存负责人出庭应诉规则"
    RECONSIDERATION_RECEIVED = "reconsideration_received", "收到行政复议申请"
    RECONSIDERATION_UPDATED = "reconsideration_updated", "行政复议案件变更（受理、审理、延期、决定）"
    RULEMAKING_RULE_SAVED = "rulemaking_rule_saved", "保存规范性文件与重大决策时限"
    NORMATIVE_DRAFTED = "normative_drafted", "起草规范性文件"
    NORMATIVE_COMMENT_OPENED = "normative_comment_opened", "规范性文件公开征求意见"
    NORMATIVE_COMMENT_RECORDED = "normative_comment_recorded", "登记、答复规范性文件意见"
    NORMATIVE_COMMENT_CLOSED = "normative_comment_closed", "规范性文件征求意见期届满"
    NORMATIVE_SUBMITTED = "normative_submitted", "规范性文件送合法性审核"
    NORMATIVE_REVIEWED = "normative_reviewed", "规范性文件合法性审核"
    NORMATIVE_DISCUSSED = "normative_discussed", "规范性文件集体审议"
    NORMATIVE_PUBLISHED = "normative_published", "公布规范性文件"
    NORMATIVE_FILED = "normative_filed", "规范性文件报送备案"
    NORMATIVE_EXPIRY_ALERT = "normative_expiry_alert", "规范性文件有效期届满提醒"
    NORMATIVE_EXPIRED = "normative_expired", "规范性文件有效期届满失效"
    NORMATIVE_CLEANUP = "normative_cleanup", "规范性文件清理"
    NORMATIVE_REPEALED = "normative_repealed", "废止规范性文件"
    NORMATIVE_REVIEW_REQUESTED = "normative_review_requested", "受理规范性文件审查申请"
    NORMATIVE_REVIEW_ANSWERED = "normative_review_answered", "答复规范性文件审查申请"
    DECISION_STARTED = "decision_started", "启动重大行政决策"
    DECISION_STEP_DONE = "decision_step_done", "完成重大行政决策程序环节"
    DECISION_EVALUATED = "decision_evaluated", "重大行政决策后评估"


class AuditEvent(models.Model):
    """Typed, append-only log of configuration changes (who, when, what, before/after).

    Case events get their own hash-chained log; this one covers the catalog, calendar, organisation and supervision
    rules, and is chained too (`seq`, `prev_hash`, `hash`; written only by `core.audit.record_event`)."""

    event_type = models.CharField("事件类型", max_length=40, choices=AuditEventType.choices, db_index=True)
    # Never SET_NULL: deleting a user must not rewrite hashed rows, so the column keeps the old id with no database
    # constraint behind it (as in the case ledger).
    actor = models.ForeignKey(
        "auth.User",
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    object_id = models.CharField("对象标识", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)
    # Set by record_event before hashing (auto_now_add would set it only after the hash was computed).
    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    # The configuration log is a hash chain like the case ledger (govhall/core/hashchain.py), anchored by the same
    # signed checkpoints: an edited, deleted or inserted entry no longer matches its hash or a checkpoint.
    seq = models.PositiveBigIntegerField("序号", unique=True)
    prev_hash = models.CharField("前序哈希", max_length=64)
    hash = models.CharField("哈希", max_length=64)
    # HMAC-SM3 of `hash` under GOVHALL_AUDIT_MAC_KEY (govhall/core/hashchain.py), a key not in the database: an entry
    # appended with SQL has a correct hash but no valid MAC. Blank only on rows no migration has filled.
    mac = models.CharField("校验码", max_length=64, blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = "操作日志"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.get_event_type_display()} {self.object_repr}"


class AuditHead(models.Model):
    """One row (pk=1) holding the configuration log's last seq and hash: without it, deleting the newest entries
    would leave a chain that is still perfectly linked. Every event locks this row, which serialises them."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField("最后序号", default=0)
    hash = models.CharField("最后哈希", max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = verbose_name_plural = "操作日志链头"

    def __str__(self) -> str:
        return f"操作日志链头 #{self.seq}"


class ThrottleCounter(models.Model):
    """Failed attempts at a guessable secret (a check code, a password) per subject, shared by every process.

    Written by govhall.core.throttle only; a row per subject (a case number, an account, a client address)."""

    key = models.CharField("对象", max_length=200, unique=True)
    window_start = models.DateTimeField("计数起点")
    count = models.PositiveIntegerField("失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "失败尝试计数"

    def __str__(self) -> str:
        return f"{self.key} ×{self.count}"


class ApiToken(models.Model):
    """A bearer token for the JSON API, issued to one user (govhall.core.tokens writes these rows).

    Only the SHA-256 of the token is stored: the token itself is shown once, when it is issued."""

    user = models.ForeignKey(
        "auth.User", verbose_name="用户", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("名称", max_length=100, help_text="用途，例如“档案系统对接”")
    prefix = models.CharField("令牌开头", max_length=16, help_text="令牌的前几位，用于辨认，不足以使用")
    token_hash = models.CharField("令牌摘要（SHA-256）", max_length=64, unique=True)
    created_at = models.DateTimeField("签发时间", auto_now_add=True)
    created_by = models.ForeignKey(
        "auth.User", verbose_name="签发人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField("有效期至", null=True, blank=True, help_text="留空表示长期有效")
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "接口令牌"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"
