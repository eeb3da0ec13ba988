"""On the demo county: every item has its template, joint items their co-departments, and guides the flowchart."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from govhall.catalog.choices import ItemStatus
from govhall.catalog.models import ServiceItem
from govhall.demo.loader import seed_demo
from govhall.workflow.engine import expand_branches, get_active, spec_of

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def test_every_demo_item_has_an_active_valid_template(demo_county):
    codes = set(ServiceItem.objects.values_list("process_template", flat=True))
    assert {"instant", "standard", "joint_review", "special_procedure"} <= codes
    for code in codes:
        spec = spec_of(get_active(code))
        assert spec.code == code


def test_joint_review_items_have_two_or_three_co_departments(demo_county):
    joint = list(
        ServiceItem.objects.filter(process_template="joint_review")
        .select_related("department")
        .prefetch_related("joint_departments")
    )
    assert len(joint) >= 10
    spec = spec_of(get_active("joint_review"))
    for item in joint:
        co = list(item.joint_departments.all())
        assert 2 <= len(co) <= 3, item.name
        assert item.department not in co, item.name
        instances = expand_branches(spec.step("joint"), item.department, co)
        assert len(instances) == 1 + len(co)
    permit = next(i for i in joint if i.name == "建筑工程施工许可证核发")
    assert {d.short_name for d in permit.joint_departments.all()} == {"自然资源局", "消防救援大队", "人防办"}
    # Only joint items have co-departments.
    others = ServiceItem.objects.exclude(process_template="joint_review").filter(
        joint_departments__isnull=False
    )
    assert not others.exists()


def test_seeding_again_keeps_the_co_departments(demo_county):
    item = ServiceItem.objects.get(name="建设用地规划许可证核发")
    before = set(item.joint_departments.values_list("pk", flat=True))
    assert seed_demo()["item"] == 0
    assert set(item.joint_departments.values_list("pk", flat=True)) == before


def test_guide_page_shows_the_joint_flowchart_with_department_names(client, demo_county):
    item = ServiceItem.objects.get(name="建筑工程施工许可证核发", status=ItemStatus.PUBLISHED)
    response = client.get(f"/items/{item.impl_code}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="process-title"' in html and "办理流程" in html
    start, end = html.index("<svg"), html.index("</svg>") + len("</svg>")
    root = ET.fromstring(html[start:end])
    assert root.get("role") == "img"
    drawn = [t.text for t in root.iter(f"{SVG}text")]
    for name in [
        "牵头部门受理审查",
        "联合审查",
        "审批决定",
        "县自然资源局",
        "县消防救援大队",
        "县人民防空办公室",
    ]:
        assert name in drawn, name
    assert f"审批人员 · {item.department.name}" in drawn
    # Budgets are the item's own: 3 working days promised, decision share 30 % → 1 day.
    assert "时限1个工作日 · 作出决定" in drawn


def test_guide_page_of_an_instant_item(client, demo_county):
    item = ServiceItem.objects.filter(process_template="instant", status=ItemStatus.PUBLISHED).first()
    html = client.get(f"/items/{item.impl_code}/").content.decode()
    assert "窗口受理并当场办结" in html
    assert "即办流程流程图" in html


def test_guide_page_without_a_configured_process_still_opens(client, demo_county):
    from govhall.workflow.models import ProcessDefinition

    item = ServiceItem.objects.filter(process_template="standard", status=ItemStatus.PUBLISHED).first()
    ProcessDefinition.objects.filter(code="standard").update(active=False)
    response = client.get(f"/items/{item.impl_code}/")
    assert response.status_code == 200
    assert "暂未配置办理流程图" in response.content.decode()
