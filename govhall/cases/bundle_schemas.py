"""Request and response shapes of the 一件事 (bundle) API (govhall/cases/bundle_api.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

from .choices import Channel
from .schemas import (
    ApplicantIn,
    ApplicantOut,
    ColoredValue,
    DepartmentRef,
    DocumentOut,
    MaterialIn,
    MissingIn,
)


class BundleItemOut(Schema):
    impl_code: str = Field(..., description="事项实施编码")
    name: str = Field(..., description="事项名称")
    department: DepartmentRef = Field(..., description="实施部门")
    promised_limit_text: str = Field(..., description="承诺办结时限")


class BundleMaterialOut(Schema):
    material_id: int = Field(..., description="提交材料时使用的材料ID（共享材料用任一事项的该材料ID均可）")
    name: str = Field(..., description="材料名称")
    required: bool = Field(..., description="必要材料（可用电子证照替代的不算）")
    shared: bool = Field(..., description="多个事项共用，只需提交一次")
    items: list[str] = Field(..., description="需要该材料的事项")
    e_license_ok: bool = Field(..., description="可用电子证照替代")


class BundleSummary(Schema):
    code: str = Field(..., description="一件事编号")
    name: str = Field(..., description="名称")
    description: str = Field(..., description="说明")
    lead_department: DepartmentRef = Field(..., description="牵头部门")
    item_count: int = Field(..., description="包含事项数")


class BundleGuide(BundleSummary):
    items: list[BundleItemOut] = Field(..., description="包含的事项（并联办理）")
    materials: list[BundleMaterialOut] = Field(..., description="合并后的申请材料（共享材料只列一次）")


class BundleApplicationIn(Schema):
    channel: Channel = Field(..., description="申请渠道：window 窗口受理，online 网上申请，agent 村级代办")
    applicant: ApplicantIn = Field(..., description="申请人")
    form_data: dict[str, str] = Field(default_factory=dict, description="一张申请表的内容（键值对）")
    materials: list[MaterialIn] = Field(
        default_factory=list, max_length=100, description="申请材料文件（共享材料只传一次，最多100个）"
    )


BundleIntakeDecision = Literal["accept", "correction", "refuse"]


class BundleIntakeIn(Schema):
    decision: BundleIntakeDecision = Field(
        ...,
        description=(
            "整件事的受理决定：accept 全部受理；correction 一次性告知补正（missing 列明全部事项需补正的材料）；"
            "refuse 不予受理（须写明 reasons）"
        ),
    )
    missing: list[MissingIn] = Field(default_factory=list, max_length=100, description="需补正的全部材料")
    reasons: str = Field("", max_length=2000, description="不予受理的理由")
    remedies: str = Field("", max_length=1000, description="救济途径（为空时使用复议、诉讼的法定告知）")
    note: str = Field("", max_length=2000, description="补正说明")


class BundleCorrectionIn(Schema):
    materials: list[MaterialIn] = Field(..., min_length=1, max_length=100, description="补正材料文件")


class BundleDeliveryIn(Schema):
    method: Literal["窗口领取", "邮寄送达", "电子送达"] = Field("窗口领取", description="送达方式")


class BundleMemberOut(Schema):
    number: str = Field(..., description="办件编号")
    item: str = Field(..., description="事项名称")
    department: DepartmentRef = Field(..., description="实施部门")
    status: ColoredValue = Field(..., description="办件状态")
    current_steps: list[str] = Field(..., description="当前办理环节")
    promised_due_day: date | None = Field(None, description="承诺办结日期")
    decision: ColoredValue | None = Field(None, description="审批结果")


class BundleApplicationOut(Schema):
    number: str = Field(..., description="联办编号（L + 日期 + 序号）")
    check_code: str = Field(..., description="查询码（公开进度查询用）")
    bundle: BundleSummary = Field(..., description="一件事")
    status: ColoredValue = Field(..., description="整件事的状态")
    applicant: ApplicantOut = Field(..., description="申请人")
    created_at: datetime = Field(..., description="收件时间")
    concluded_at: datetime | None = Field(None, description="全部办结时间")
    delivered_at: datetime | None = Field(None, description="一次送达时间")
    members: list[BundleMemberOut] = Field(..., description="各事项的办件（并联办理）")
    correction: list[str] = Field(..., description="一次性告知需补正的材料（待补正时）")
    documents: list[DocumentOut] = Field(..., description="整件事的文书（受理通知书、补正告知书等）")


class BundleProgressQuery(Schema):
    number: str = Field(..., min_length=1, max_length=20, description="联办编号（L 开头）")
    check_code: str = Field(
        ..., min_length=1, max_length=12, description="查询码（6至12位数字，收件时告知申请人；新申请为8位）"
    )


class BundleProgressEntry(Schema):
    at: datetime = Field(..., description="时间")
    item: str = Field(..., description="事项")
    event: str = Field(..., description="事件")


class BundleProgress(Schema):
    number: str = Field(..., description="联办编号")
    bundle: str = Field(..., description="一件事名称")
    applicant: str = Field(..., description="申请人（已脱敏）")
    status: ColoredValue = Field(..., description="整件事的状态")
    received_at: datetime = Field(..., description="收件时间")
    concluded_at: datetime | None = Field(None, description="全部办结时间")
    delivered_at: datetime | None = Field(None, description="一次送达时间")
    members: list[BundleMemberOut] = Field(..., description="各事项办理情况")
    timeline: list[BundleProgressEntry] = Field(..., description="公开的办理过程")
