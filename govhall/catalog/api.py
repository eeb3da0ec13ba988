"""Public catalog endpoints: the published items and their service guides (办事指南).

Only published items exist for the public API: drafts, suspended and abolished items answer 404 like unknown codes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from .choices import (
    ExerciseLevel,
    HandlingKind,
    ItemType,
    JoinRule,
    MaterialForm,
    MaterialSource,
    OnlineDepth,
    PowerSource,
    ProcessTemplate,
    ServiceTarget,
    SpecialProcedure,
    TimeUnit,
    Visits,
)
from .models import Fee, Material, ServiceItem
from .queries import compression, published_guide, published_items
from .search import search_items

router = Router(tags=["服务事项"])

MAX_PAGE_SIZE = 100
# Far past any list; without a bound PostgreSQL refuses an OFFSET beyond bigint with an error (a 500, not a 422).
MAX_OFFSET = 10**9


class DepartmentRef(Schema):
    id: int = Field(..., description="部门ID")
    name: str = Field(..., description="部门名称")


class ItemSummary(Schema):
    impl_code: str = Field(..., description="实施编码（31位）")
    basic_code: str = Field(..., description="基本编码（12位）")
    name: str = Field(..., description="事项名称")
    item_type: ItemType = Field(..., description="事项类型代码")
    item_type_label: str = Field(..., description="事项类型名称")
    department: DepartmentRef = Field(..., description="实施部门")
    legal_limit: int = Field(..., description="法定办结时限")
    legal_limit_unit: TimeUnit = Field(..., description="法定办结时限单位")
    legal_limit_unit_label: str = Field(..., description="法定办结时限单位名称")
    promised_limit: int = Field(..., description="承诺办结时限")
    promised_limit_unit: TimeUnit = Field(..., description="承诺办结时限单位")
    promised_limit_unit_label: str = Field(..., description="承诺办结时限单位名称")
    handling_kind: HandlingKind = Field(..., description="办件类型：instant 即办件，promised 承诺件")
    handling_kind_label: str = Field(..., description="办件类型名称")
    visits: Visits = Field(..., description="到现场次数（0、1、2）")
    online_depth: OnlineDepth = Field(..., description="网上办理深度（1–4，4为全程网办）")
    online_depth_label: str = Field(..., description="网上办理深度名称")
    in_hall: bool = Field(..., description="是否进驻大厅")

    @staticmethod
    def resolve_item_type_label(obj: ServiceItem) -> str:
        return obj.get_item_type_display()

    @staticmethod
    def resolve_legal_limit_unit_label(obj: ServiceItem) -> str:
        return obj.get_legal_limit_unit_display()

    @staticmethod
    def resolve_promised_limit_unit_label(obj: ServiceItem) -> str:
        return obj.get_promised_limit_unit_display()

    @staticmethod
    def resolve_handling_kind_label(obj: ServiceItem) -> str:
        return obj.get_handling_kind_display()

    @staticmethod
    def resolve_online_depth_label(obj: ServiceItem) -> str:
        return obj.get_online_depth_display()


class ItemPage(Schema):
    items: list[ItemSummary] = Field(..., description="本页事项")
    count: int = Field(..., description="符合条件的事项总数")


class MaterialOut(Schema):
    seq: int = Field(..., description="序号")
    name: str = Field(..., description="材料名称")
    required: bool = Field(..., description="是否必要")
    form: MaterialForm = Field(..., description="材料形式")
    form_label: str = Field(..., description="材料形式名称（原件、复印件等）")
    copies: int = Field(..., description="份数")
    source: MaterialSource = Field(..., description="来源渠道")
    source_label: str = Field(..., description="来源渠道名称")
    e_license_ok: bool = Field(..., description="可用电子证照替代")
    blank_form_url: str | None = Field(None, description="空白表格下载地址")
    sample_url: str | None = Field(None, description="示例样表下载地址")
    notes: str = Field(..., description="填报须知")

    @staticmethod
    def resolve_form_label(obj: Material) -> str:
        return obj.get_form_display()

    @staticmethod
    def resolve_source_label(obj: Material) -> str:
        return obj.get_source_display()

    @staticmethod
    def resolve_blank_form_url(obj: Material) -> str | None:
        return obj.blank_form.url if obj.blank_form else None

    @staticmethod
    def resolve_sample_url(obj: Material) -> str | None:
        return obj.sample.url if obj.sample else None


class FeeOut(Schema):
    seq: int = Field(..., description="序号")
    name: str = Field(..., description="收费项目")
    standard: str = Field(..., description="收费标准")
    basis: str = Field(..., description="收费依据")
    waivable: bool = Field(..., description="可否减免")


class WindowOut(Schema):
    hall: str = Field(..., description="大厅")
    floor: int = Field(..., description="楼层")
    number: str = Field(..., description="窗口号")
    name: str = Field(..., description="窗口名称")


class CodeLabel(Schema):
    code: str = Field(..., description="代码")
    label: str = Field(..., description="名称")


class JointReviewOut(Schema):
    departments: list[DepartmentRef] = Field(..., description="协办（联审）部门，不含牵头的实施部门")
    join_rule: JoinRule | None = Field(
        None,
        description="本事项的汇合规则：all 全部同意（会签）、any 任一同意（或签）、ratio 按比例；为空时按办理流程模板",
    )
    join_rule_label: str = Field(..., description="汇合规则名称")
    join_ratio: float | None = Field(
        None, description="按比例同意时所需的同意比例（0.01–1，所需部门数向上取整）"
    )


class ItemDetail(ItemSummary):
    power_source: PowerSource = Field(..., description="权力来源")
    power_source_label: str = Field(..., description="权力来源名称")
    exercise_level: ExerciseLevel = Field(..., description="行使层级")
    exercise_level_label: str = Field(..., description="行使层级名称")
    target: ServiceTarget = Field(..., description="服务对象")
    target_label: str = Field(..., description="服务对象名称")
    legal_basis: str = Field(..., description="设定依据")
    acceptance_conditions: str = Field(..., description="受理条件")
    compression: float | None = Field(
        None, description="时限压缩率 = 1 − 承诺时限/法定时限（单位不同时折算为工作分钟；法定时限为0时为空）"
    )
    window: WindowOut | None = Field(None, description="受理窗口")
    handling_place: str = Field(..., description="办理地点")
    consult_phone: str = Field(..., description="咨询电话")
    complaint_phone: str = Field(..., description="投诉电话")
    process_template: ProcessTemplate = Field(..., description="办理流程模板")
    process_template_label: str = Field(..., description="办理流程名称")
    joint_review: JointReviewOut | None = Field(
        None, description="并联审批设置（仅办理流程为并联审批的事项）"
    )
    special_procedures: list[CodeLabel] = Field(..., description="可能适用的特别程序（不计入办理时限）")
    result_name: str = Field(..., description="审批结果名称")
    version: int = Field(..., description="版本号")
    published_at: datetime | None = Field(None, description="发布时间")
    updated_at: datetime = Field(..., description="最后更新时间")
    materials: list[MaterialOut] = Field(..., description="申请材料")
    fees: list[FeeOut] = Field(..., description="收费项目（空表示不收费）")

    @staticmethod
    def resolve_power_source_label(obj: ServiceItem) -> str:
        return obj.get_power_source_display()

    @staticmethod
    def resolve_exercise_level_label(obj: ServiceItem) -> str:
        return obj.get_exercise_level_display()

    @staticmethod
    def resolve_target_label(obj: ServiceItem) -> str:
        return obj.get_target_display()

    @staticmethod
    def resolve_process_template_label(obj: ServiceItem) -> str:
        return obj.get_process_template_display()

    @staticmethod
    def resolve_joint_review(obj: ServiceItem) -> dict[str, Any] | None:
        if obj.process_template != ProcessTemplate.JOINT_REVIEW:
            return None
        return {
            "departments": [{"id": d.pk, "name": d.name} for d in obj.joint_departments.all()],
            "join_rule": obj.join_rule or None,
            "join_rule_label": obj.get_join_rule_display() if obj.join_rule else "按办理流程模板",
            "join_ratio": obj.join_ratio,
        }

    @staticmethod
    def resolve_compression(obj: ServiceItem) -> float | None:
        return compression(obj)

    @staticmethod
    def resolve_window(obj: ServiceItem) -> dict[str, Any] | None:
        window = obj.window
        if window is None:
            return None
        return {"hall": str(window.hall), "floor": window.floor, "number": window.number, "name": window.name}

    @staticmethod
    def resolve_special_procedures(obj: ServiceItem) -> list[dict[str, str]]:
        return [
            {"code": code, "label": SpecialProcedure(code).label if code in SpecialProcedure.values else code}
            for code in obj.special_procedures or []
        ]

    @staticmethod
    def resolve_materials(obj: ServiceItem) -> list[Material]:
        return list(obj.materials.all())

    @staticmethod
    def resolve_fees(obj: ServiceItem) -> list[Fee]:
        return list(obj.fees.all())


class ItemFilters(Schema):
    q: str | None = Field(None, max_length=100, description="检索词（中文分词全文检索，如“营业执照”）")
    department: int | None = Field(None, ge=1, description="实施部门ID")
    item_type: ItemType | None = Field(None, description="事项类型代码")
    visits: Visits | None = Field(None, description="到现场次数（0、1、2）")
    online_depth: OnlineDepth | None = Field(None, description="网上办理深度（4为全程网办）")
    handling_kind: HandlingKind | None = Field(None, description="办件类型")
    limit: int = Field(20, ge=1, le=MAX_PAGE_SIZE, description="每页条数（1–100）")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过的条数")


def filter_items(queryset: QuerySet[ServiceItem], filters: ItemFilters) -> QuerySet[ServiceItem]:
    if filters.department is not None:
        queryset = queryset.filter(department_id=filters.department)
    if filters.item_type is not None:
        queryset = queryset.filter(item_type=filters.item_type.value)
    if filters.visits is not None:
        queryset = queryset.filter(visits=int(filters.visits))
    if filters.online_depth is not None:
        queryset = queryset.filter(online_depth=filters.online_depth.value)
    if filters.handling_kind is not None:
        queryset = queryset.filter(handling_kind=filters.handling_kind.value)
    if filters.q and filters.q.strip():
        queryset = search_items(queryset, filters.q)
    return queryset


class NotFound(Schema):
    detail: str = Field(..., description="错误信息")


class BadRequest(Schema):
    detail: str = Field(..., description="错误信息（请求体不是有效的 JSON，或请求中含有空字符）")


class QueryError(Schema):
    loc: list[str | int] = Field(..., description='参数位置，如 ["query", "limit"]')
    msg: str = Field(..., description="错误信息（中文，含参数名称）")
    type: str = Field(..., description="错误类型")


class InvalidQuery(Schema):
    detail: list[QueryError] = Field(..., description="参数错误列表")


@router.get(
    "/items",
    response={200: ItemPage, 400: BadRequest, 422: InvalidQuery},
    summary="事项目录",
    description="已发布的政务服务事项，可检索、筛选、分页。",
    operation_id="list_items",
)
def list_items(request: Any, filters: Query[ItemFilters]) -> dict[str, Any]:
    queryset = filter_items(published_items(), filters)
    return {
        "items": list(queryset[filters.offset : filters.offset + filters.limit]),
        "count": queryset.count(),
    }


@router.get(
    "/items/{impl_code}",
    response={200: ItemDetail, 400: BadRequest, 404: NotFound},
    summary="办事指南",
    description="一个已发布事项的完整办事指南，含申请材料和收费。",
    operation_id="get_item",
)
def get_item(request: Any, impl_code: str) -> ServiceItem:
    item = published_guide(impl_code)
    if item is None:
        raise HttpError(404, "未找到该事项")
    return item
