"""Request and response shapes of the case-handling API (govhall/cases/api.py).

Field names follow the case actions, so that a ValidationError keyed by an action's field (``applicant.id_number``,
``materials``, ``opinion`` …) names the same field the client sent."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Schema

from govhall.catalog.api import MAX_OFFSET
from govhall.catalog.choices import SpecialProcedure

from .choices import ApplicantKind, Channel, TaskAction

# Chinese names of the fields the actions and the API report errors on (ValidationError keys).
FIELD_LABELS: dict[str, str] = {
    "month": "统计月份",
    "item": "事项",
    "bundle": "一件事",
    "channel": "申请渠道",
    "applicant": "申请人",
    "applicant.kind": "申请人类型",
    "applicant.name": "申请人姓名/名称",
    "applicant.id_number": "证件号码",
    "applicant.phone": "联系电话",
    "applicant.legal_representative": "法定代表人",
    "form_data": "申请表",
    "materials": "申请材料",
    "green_channel": "绿色通道",
    "appointment_at": "预约时间",
    "decision": "受理决定",
    "missing": "需补正材料",
    "reasons": "理由",
    "remedies": "救济途径",
    "agency": "有权机关",
    "note": "说明",
    "action": "操作",
    "opinion": "意见",
    "return_to": "退回环节",
    "attachments": "附件",
    "kind": "特别程序类型",
    "reason": "事由",
    "expected_days": "预计所需工作日",
    "result": "结果",
    "amount": "延长工作日",
    "Idempotency-Key": "幂等键",
}
_PART_LABELS = {"content_base64": "文件内容", "filename": "文件名", "material_id": "材料ID", "name": "名称"}


def field_label(field: str) -> str:
    """``materials.0.content_base64`` → ``申请材料第1项的文件内容``: the Chinese name where one is known."""
    if field in FIELD_LABELS:
        return FIELD_LABELS[field]
    head, _, rest = field.partition(".")
    index, _, tail = rest.partition(".")
    if head in FIELD_LABELS and index.isdigit():
        return f"{FIELD_LABELS[head]}第{int(index) + 1}项" + (
            f"的{_PART_LABELS.get(tail, tail)}" if tail else ""
        )
    return field


# --- shared pieces -------------------------------------------------------------------------------------------


class ColoredValue(Schema):
    value: str = Field(..., description="代码")
    label: str = Field(..., description="中文名称")
    color: str = Field(..., description="显示颜色（green、yellow、red、blue、orange、purple、gray）")


class DepartmentRef(Schema):
    id: int = Field(..., description="部门ID")
    name: str = Field(..., description="部门名称")


class Problem(Schema):
    detail: str = Field(..., description="错误信息（中文）")


class Conflict(Schema):
    detail: str = Field(..., description="错误信息（中文）")
    code: Literal["out_of_procedure", "conflict"] = Field(
        ..., description="out_of_procedure：流程不允许的操作（已记录备查）；conflict：他人已先办理"
    )


class FieldError(Schema):
    field: str | None = Field(None, description="出错的字段（如 applicant.id_number）")
    loc: list[str | int] = Field(..., description="字段位置")
    msg: str = Field(..., description="错误信息（中文，含字段名称）")
    type: str = Field(..., description="错误类型")


class Invalid(Schema):
    detail: list[FieldError] = Field(..., description="参数错误列表")


# --- input ---------------------------------------------------------------------------------------------------


class ApplicantIn(Schema):
    kind: ApplicantKind = Field(..., description="申请人类型：person 自然人，enterprise 法人及其他组织")
    name: str = Field(..., min_length=1, max_length=100, description="姓名或单位名称")
    id_number: str = Field(
        ...,
        min_length=1,
        max_length=18,
        description="证件号码：自然人为18位居民身份证号码，法人为统一社会信用代码",
    )
    phone: str = Field("", max_length=20, description="联系电话")
    legal_representative: str = Field("", max_length=50, description="法定代表人（法人申请必填）")
    address: str = Field("", max_length=200, description="联系地址")


class MaterialIn(Schema):
    material_id: int | None = Field(
        None, ge=1, description="对应的事项材料ID（办事指南 materials 中的材料）；为空表示其他补充文件"
    )
    filename: str = Field(..., min_length=1, max_length=200, description="文件名（.pdf、.jpg、.png、.ofd）")
    content_base64: str = Field(..., min_length=1, description="文件内容（Base64 编码）")


class CaseCreateIn(Schema):
    item: str = Field(..., min_length=1, max_length=31, description="事项实施编码（31位）")
    channel: Channel = Field(..., description="申请渠道：window 窗口受理，online 网上申请，agent 村级代办")
    applicant: ApplicantIn = Field(..., description="申请人")
    form_data: dict[str, Any] = Field(default_factory=dict, description="申请表内容（键值对）")
    materials: list[MaterialIn] = Field(
        default_factory=list, max_length=50, description="申请材料文件（最多50个）"
    )
    green_channel: bool = Field(False, description="绿色通道（重大项目，由窗口或部门认定；网上申请不可选）")
    appointment_at: datetime | None = Field(None, description="预约办理时间（ISO 8601）")


class MissingIn(Schema):
    material_id: int | None = Field(None, ge=1, description="需补正的事项材料ID；为空时须填写名称")
    name: str = Field("", max_length=200, description="材料名称（material_id 为空时必填）")
    reason: str = Field("", max_length=500, description="需补正的原因")


IntakeDecision = Literal["accept", "correction", "refuse", "redirect", "instant"]


class IntakeIn(Schema):
    decision: IntakeDecision = Field(
        ...,
        description=(
            "受理决定：accept 予以受理；correction 一次性告知补正（须列明 missing）；refuse 不予受理（须写明 reasons）；"
            "redirect 不属于本机关职权（须写明 agency）；instant 即办件当场办结"
        ),
    )
    missing: list[MissingIn] = Field(default_factory=list, max_length=100, description="需补正的全部材料")
    reasons: str = Field("", max_length=2000, description="不予受理或告知的理由")
    remedies: str = Field("", max_length=1000, description="救济途径（为空时使用复议、诉讼的法定告知）")
    agency: str = Field("", max_length=200, description="有权受理的行政机关（redirect）")
    note: str = Field("", max_length=2000, description="补正说明或即办意见")


class TaskActionIn(Schema):
    action: TaskAction = Field(..., description="办理操作：approve 同意，return 退回，refuse 不同意")
    opinion: str = Field("", max_length=2000, description="办理意见（退回、不同意时必填）")
    return_to: str | None = Field(
        None, max_length=40, description="退回到的环节代码（action 为 return 时必填）"
    )


class CoordinationIn(Schema):
    opinion: str = Field(..., max_length=2000, description="协调事项（协调会议或协调意见，记入审计链）")


class PauseIn(Schema):
    kind: SpecialProcedure = Field(
        ..., description="特别程序类型（听证、检验、检测、鉴定、专家评审、公示等）"
    )
    reason: str = Field(..., max_length=2000, description="启动特别程序的事由")
    expected_days: int = Field(..., ge=1, le=365, description="预计所需工作日（书面告知申请人）")


class PauseEndIn(Schema):
    result: str = Field("", max_length=2000, description="特别程序结果")


class ExtensionIn(Schema):
    amount: int = Field(..., description="延长的工作日数（一般不超过10个，联合办理不超过15个）")
    reason: str = Field(..., max_length=2000, description="延期理由（告知申请人）")


class CorrectionIn(Schema):
    materials: list[MaterialIn] = Field(..., min_length=1, max_length=50, description="补正材料文件")


class WithdrawIn(Schema):
    reason: str = Field("", max_length=2000, description="撤回理由")


class TaskPaging(Schema):
    limit: int = Field(20, ge=1, le=100, description="每页条数（1–100）")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过的条数")


class ProgressQuery(Schema):
    number: str = Field(..., min_length=1, max_length=20, description="办件编号")
    check_code: str = Field(
        ..., min_length=1, max_length=12, description="查询码（6至12位数字，收件时告知申请人；新办件为8位）"
    )


# --- output --------------------------------------------------------------------------------------------------


class ItemRef(Schema):
    impl_code: str = Field(..., description="事项实施编码")
    name: str = Field(..., description="事项名称")
    handling_kind: ColoredValue = Field(..., description="办件类型（即办件、承诺件）")
    promised_limit: int = Field(
        ..., description="事项的承诺办结时限（已受理的办件为受理时的事项版本，未受理的为现行目录）"
    )
    promised_limit_unit: str = Field(..., description="承诺时限单位")
    promised_limit_text: str = Field(..., description="承诺办结时限（如“3个工作日”）")
    legal_limit: int = Field(..., description="法定办结时限")
    legal_limit_unit: str = Field(..., description="法定时限单位")
    legal_limit_text: str = Field(..., description="法定办结时限（如“15个工作日”）")


class CaseLimitsOut(Schema):
    item_version: int = Field(..., description="受理时的事项版本号")
    promised_limit: int = Field(..., description="本办件适用的承诺办结时限（绿色通道已缩短）")
    promised_limit_unit: str = Field(..., description="承诺时限单位（workday、day、hour、minute）")
    promised_limit_text: str = Field(..., description="本办件适用的承诺办结时限（如“7个工作日”）")
    legal_limit: int = Field(..., description="法定办结时限")
    legal_limit_unit: str = Field(..., description="法定时限单位")
    legal_limit_text: str = Field(..., description="法定办结时限（如“20个工作日”）")
    green_channel_shortened: bool = Field(..., description="承诺时限是否因绿色通道而短于事项承诺时限")


class ApplicantOut(Schema):
    kind: ColoredValue = Field(..., description="申请人类型")
    name: str = Field(..., description="姓名或名称")
    id_number: str = Field(..., description="证件号码（身份证号码已脱敏）")
    phone: str = Field(..., description="联系电话（已脱敏）")
    legal_representative: str = Field(..., description="法定代表人")


ClockKindCode = Literal["intake", "promised", "legal", "delivery", "step"]


class ClockOut(Schema):
    kind: ClockKindCode = Field(
        ...,
        description="时限：intake 受理审查（5个工作日），promised 承诺，legal 法定，delivery 送达，step 环节",
    )
    label: str = Field(..., description="时限名称")
    light: ColoredValue = Field(..., description="电子监察灯（绿灯正常、黄灯预警、红灯超期）")
    state: ColoredValue = Field(..., description="计时状态（计时中、暂停计时、已停止）")
    due_at: datetime | None = Field(None, description="到期时刻（到期日24:00，暂停计时时为空）")
    due_day: date | None = Field(None, description="到期日（北京时间）")
    remaining: int | None = Field(None, description="剩余量（以 unit 计；负数为已超期；已停止时为空）")
    unit: str = Field(..., description="单位：workday 工作日，day 自然日，minute 办公时间分钟")
    unit_label: str = Field(..., description="单位名称")
    remaining_text: str = Field(..., description="剩余时间（如“剩余 3 个工作日”“已超期 1 个工作日”）")
    provisional: bool = Field(..., description="暂定：计算用到了尚未公布放假安排的年度")
    budget: int = Field(..., description="时限")
    extension: int = Field(..., description="已延长")
    late: bool | None = Field(None, description="是否超期办结（已停止时）")


class TaskOut(Schema):
    id: int = Field(..., description="任务ID")
    case_number: str = Field(..., description="办件编号")
    step_key: str = Field(..., description="环节代码")
    step_name: str = Field(..., description="环节名称")
    branch_key: str = Field(..., description="并联审查分支（非并联环节为空）")
    round: int = Field(..., description="轮次（退回或联审协调后加1）")
    department: DepartmentRef = Field(..., description="办理部门")
    role: str = Field(..., description="办理角色代码")
    role_label: str = Field(..., description="办理角色名称")
    assignee: str | None = Field(None, description="办理人")
    status: ColoredValue = Field(..., description="任务状态")
    outcome: ColoredValue | None = Field(None, description="办理结果")
    opinion: str = Field(..., description="办理意见")
    created_at: datetime = Field(..., description="到达时间")
    claimed_at: datetime | None = Field(None, description="领取时间")
    completed_at: datetime | None = Field(None, description="办理时间")
    clock: ClockOut | None = Field(None, description="环节时限")
    allowed_actions: list[str] = Field(..., description="本环节允许的操作（未完成的任务）")
    return_targets: list[str] = Field(..., description="可退回到的环节代码")


class CaseSummary(Schema):
    number: str = Field(..., description="办件编号")
    item: str = Field(..., description="事项名称")
    applicant: str = Field(..., description="申请人（已脱敏）")
    status: ColoredValue = Field(..., description="办件状态")
    green_channel: bool = Field(..., description="绿色通道")
    promised: ClockOut | None = Field(None, description="承诺办结时限")


class MyTask(TaskOut):
    case: CaseSummary = Field(..., description="所属办件")


class TaskPage(Schema):
    items: list[MyTask] = Field(..., description="本页任务（按环节到期时间排序）")
    count: int = Field(..., description="待办任务总数")


class TaskResult(Schema):
    task: TaskOut = Field(..., description="任务")
    case_status: ColoredValue = Field(..., description="办理后的办件状态")


class PauseOut(Schema):
    id: int = Field(..., description="特别程序ID")
    kind: ColoredValue = Field(..., description="类型")
    reason: str = Field(..., description="事由")
    expected_days: int | None = Field(None, description="预计所需工作日")
    started_at: datetime = Field(..., description="开始时间")
    ended_at: datetime | None = Field(None, description="结束时间")
    result: str = Field(..., description="结果")


class ExtensionOut(Schema):
    id: int = Field(..., description="延期ID")
    amount: int = Field(..., description="延长工作日")
    reason: str = Field(..., description="延期理由")
    approved_by: str = Field(..., description="批准人")
    approved_at: datetime = Field(..., description="批准时间")


class CorrectionItemOut(Schema):
    material_id: int | None = Field(None, description="事项材料ID")
    name: str = Field(..., description="材料名称")
    reason: str = Field(..., description="原因")


class CorrectionOut(Schema):
    items: list[CorrectionItemOut] = Field(..., description="需补正的全部材料（一次性告知）")
    note: str = Field(..., description="说明")
    issued_at: datetime = Field(..., description="告知时间")
    resolved_at: datetime | None = Field(None, description="补齐时间")


class DocumentOut(Schema):
    id: int = Field(..., description="文书ID")
    number: str = Field(..., description="文书编号")
    kind: ColoredValue = Field(..., description="文书种类")
    title: str = Field(..., description="标题")
    status: ColoredValue = Field(..., description="签章状态")
    issued_at: datetime = Field(..., description="出具时间")
    url: str = Field(..., description="下载已签章 PDF 的地址")


class CaseMaterialOut(Schema):
    id: int = Field(..., description="文件ID")
    material_id: int | None = Field(None, description="对应的事项材料ID")
    name: str = Field(..., description="材料名称")
    original_name: str = Field(..., description="原文件名")
    size: int = Field(..., description="大小（字节）")
    sm3: str = Field(..., description="SM3 摘要")
    for_correction: bool = Field(..., description="是否补正提交")
    uploaded_at: datetime = Field(..., description="上传时间")


class CaseDetail(Schema):
    number: str = Field(..., description="办件编号")
    check_code: str = Field(..., description="查询码（告知申请人，用于公开进度查询）")
    status: ColoredValue = Field(..., description="办件状态")
    item: ItemRef = Field(..., description="事项")
    limits: CaseLimitsOut | None = Field(
        None, description="本办件的办理时限：受理时从事项复制，此后修改事项目录不影响本办件；未受理时为空"
    )
    department: DepartmentRef = Field(..., description="实施部门")
    applicant: ApplicantOut = Field(..., description="申请人")
    channel: ColoredValue = Field(..., description="申请渠道")
    group: str | None = Field(None, description="一件事联办编号")
    green_channel: bool = Field(..., description="绿色通道")
    extended: bool = Field(..., description="已延期")
    form_data: dict[str, Any] = Field(..., description="申请表")
    intake_outcome: ColoredValue | None = Field(None, description="受理结论")
    intake_reason: str = Field(..., description="不予受理或告知的理由")
    redirect_agency: str = Field(..., description="有权机关（非本机关职权时）")
    decision: ColoredValue | None = Field(None, description="审批结果")
    decision_reason: str = Field(..., description="决定理由")
    appointment_at: datetime | None = Field(None, description="预约时间")
    received_at: datetime = Field(..., description="收件时间")
    complete_at: datetime | None = Field(None, description="材料齐全时间")
    accepted_at: datetime | None = Field(None, description="受理时间")
    accepted_day: date | None = Field(None, description="受理日（时限起算日）")
    decided_at: datetime | None = Field(None, description="决定时间")
    concluded_at: datetime | None = Field(None, description="办结时间")
    delivered_at: datetime | None = Field(None, description="送达时间")
    closed_at: datetime | None = Field(None, description="终止时间")
    clocks: list[ClockOut] = Field(
        ..., description="办件时限：受理审查、承诺办结、法定办结（与承诺时限并列）、送达"
    )
    tasks: list[TaskOut] = Field(..., description="办理环节")
    pauses: list[PauseOut] = Field(..., description="特别程序（不计入办理时限）")
    extensions: list[ExtensionOut] = Field(..., description="延期")
    correction: CorrectionOut | None = Field(None, description="一次性补正告知")
    materials: list[CaseMaterialOut] = Field(..., description="申请材料文件")
    documents: list[DocumentOut] = Field(..., description="文书")


class TimelineEntry(Schema):
    at: datetime = Field(..., description="时间")
    event: str = Field(..., description="事件（一句话）")
    title: str = Field(..., description="事件名称（与办件进度页一致）")
    detail: str = Field(..., description="说明")
    actor: str = Field(..., description="办理人（工作人员只显示角色）")


class Progress(Schema):
    number: str = Field(..., description="办件编号")
    item: str = Field(..., description="事项名称")
    department: str = Field(..., description="实施部门")
    applicant: str = Field(..., description="申请人（已脱敏）")
    status: ColoredValue = Field(..., description="办件状态")
    current_steps: list[str] = Field(..., description="当前办理环节")
    received_at: datetime = Field(..., description="收件时间")
    accepted_at: datetime | None = Field(None, description="受理时间")
    promised_due_day: date | None = Field(None, description="承诺办结日期")
    promised_provisional: bool = Field(..., description="承诺办结日期为暂定（跨未公布放假安排的年度）")
    concluded_at: datetime | None = Field(None, description="办结时间")
    correction: list[str] = Field(..., description="需补正的材料（待补正时）")
    timeline: list[TimelineEntry] = Field(..., description="公开的办理过程")
