"""Public department list: the agencies that implement catalog items, with how many published items each has.

In the catalog, not in org: counting published items is catalog knowledge, and org sits below the catalog."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from ninja import Field, Router, Schema

from govhall.org.choices import DepartmentGroup
from govhall.org.models import Department

from .api import BadRequest
from .choices import ItemStatus

router = Router(tags=["部门"])


def departments_with_counts() -> QuerySet[Department]:
    """Active departments, each annotated with ``item_count``: its published items."""
    return Department.objects.filter(active=True).annotate(
        item_count=Count("items", filter=Q(items__status=ItemStatus.PUBLISHED))
    )


class DepartmentOut(Schema):
    id: int = Field(..., description="部门ID（事项筛选参数 department 使用）")
    name: str = Field(..., description="部门名称")
    short_name: str = Field(..., description="简称")
    uscc: str | None = Field(None, description="统一社会信用代码")
    group: DepartmentGroup = Field(..., description="考评分组")
    group_label: str = Field(..., description="考评分组名称")
    in_hall: bool = Field(..., description="是否进驻中心")
    item_count: int = Field(..., description="已发布事项数")

    @staticmethod
    def resolve_group_label(obj: Department) -> str:
        return obj.get_group_display()


@router.get(
    "/departments",
    response={200: list[DepartmentOut], 400: BadRequest},
    summary="部门列表",
    description="启用的实施部门及其已发布事项数。",
    operation_id="list_departments",
)
def list_departments(request: Any) -> QuerySet[Department]:
    return departments_with_counts()
