"""The process-definition admin: Chinese validation errors (never a 500), preview, a new version on save."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from govhall.catalog.actions import ITEM_FIELDS, create_item
from govhall.catalog.codes import make_impl_code
from govhall.catalog.models import ServiceItem
from govhall.core.identifiers import uscc_check_char
from govhall.org.models import Department
from govhall.workflow.engine import get_active
from govhall.workflow.models import ProcessDefinition
from govhall.workflow.standard import STANDARD_TEMPLATES

from .conftest import copy_of, step_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_admin(client, admin_user):
    client.force_login(admin_user)
    return client


def change_url(definition: ProcessDefinition) -> str:
    return reverse("admin:workflow_processdefinition_change", args=[definition.pk])


def test_changelist_and_change_page_show_the_flowchart(client_admin):
    response = client_admin.get(reverse("admin:workflow_processdefinition_changelist"))
    assert response.status_code == 200
    assert "并联审批流程" in response.content.decode()
    definition = get_active("joint_review")
    html = client_admin.get(change_url(definition)).content.decode()
    assert 'role="img"' in html and "联合审查" in html
    # The form holds the specification as editable JSON.
    assert "&quot;lead_review&quot;" in html


def test_invalid_json_is_a_chinese_form_error(client_admin):
    definition = get_active("standard")
    response = client_admin.post(change_url(definition), {"spec_json": '{"code": "standard",'})
    assert response.status_code == 200
    assert "JSON格式错误：第1行第" in response.content.decode()
    assert ProcessDefinition.objects.filter(code="standard").count() == 1


def test_invalid_spec_shows_every_message_and_saves_nothing(client_admin):
    data = copy_of(STANDARD_TEMPLATES["standard"])
    del step_of(data, "review")["budget"]
    step_of(data, "decide")["return_to"] = ["nowhere"]
    response = client_admin.post(
        reverse("admin:workflow_processdefinition_add"), {"spec_json": json.dumps(data)}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "步骤“审查”（review）：缺少时限" in html
    assert "步骤“审批决定”（decide）的可退回步骤“nowhere”不存在" in html
    assert ProcessDefinition.objects.filter(code="standard").count() == 1


def test_code_of_an_existing_definition_cannot_change(client_admin):
    data = copy_of(STANDARD_TEMPLATES["bundle"])
    response = client_admin.post(change_url(get_active("standard")), {"spec_json": json.dumps(data)})
    assert response.status_code == 200
    assert "流程编码不能从“standard”改为“bundle”" in response.content.decode()


def test_preview_draws_without_saving(client_admin):
    data = copy_of(STANDARD_TEMPLATES["standard"])
    step_of(data, "review")["name"] = "材料审查"
    response = client_admin.post(
        change_url(get_active("standard")), {"spec_json": json.dumps(data), "_preview": "预览流程图"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "流程图预览（未保存）" in html and "材料审查" in html
    assert ProcessDefinition.objects.filter(code="standard").count() == 1


def test_saving_makes_a_new_active_version(client_admin, admin_user):
    old = get_active("standard")
    data = copy_of(STANDARD_TEMPLATES["standard"])
    step_of(data, "review")["name"] = "材料审查"
    response = client_admin.post(change_url(old), {"spec_json": json.dumps(data), "_continue": "1"})
    new = get_active("standard")
    assert response.status_code == 302
    assert response["Location"] == change_url(new)
    assert (new.version, new.created_by) == (2, admin_user)
    assert new.spec["steps"][0]["name"] == "材料审查"
    old.refresh_from_db()
    assert old.active is False and old.spec["steps"][0]["name"] == "审查"


def test_definitions_cannot_be_deleted(client_admin):
    definition = get_active("standard")
    response = client_admin.get(reverse("admin:workflow_processdefinition_delete", args=[definition.pk]))
    assert response.status_code == 403


def test_activate_action_refuses_two_versions_of_one_code(client_admin):
    first = get_active("bundle")
    client_admin.post(
        reverse("admin:workflow_processdefinition_add"),
        {"spec_json": json.dumps(STANDARD_TEMPLATES["bundle"])},
    )
    second = get_active("bundle")
    assert second.pk != first.pk
    url = reverse("admin:workflow_processdefinition_changelist")
    response = client_admin.post(
        url, {"action": "activate_selected", "_selected_action": [first.pk, second.pk]}, follow=True
    )
    assert "同一流程只能启用一个版本" in response.content.decode()
    assert get_active("bundle").pk == second.pk
    client_admin.post(url, {"action": "activate_selected", "_selected_action": [first.pk]})
    assert get_active("bundle").pk == first.pk


def _uscc(serial: int) -> str:
    first17 = f"11130682{serial:09d}"
    return first17 + uscc_check_char(first17)


def _item_form(item: ServiceItem, **changes: Any) -> dict[str, Any]:
    """The item admin's POST for `item` as it is, with `changes`."""
    data: dict[str, Any] = {}
    for name in ITEM_FIELDS:
        value = changes.get(name, getattr(item, name))
        if name == "in_hall":
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else value  # an empty optional number (e.g. 联审同意比例)
    data["department"] = item.department_id
    data["joint_departments"] = [d.pk for d in changes.get("joint_departments", [])]
    for prefix, initial in (
        ("form_fields", 0),
        ("materials", 0),
        ("fees", 0),
        ("versions", item.versions.count()),
    ):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": initial,
                f"{prefix}-INITIAL_FORMS": initial,
                f"{prefix}-MIN_NUM_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 1000,
            }
        )
    for index, version in enumerate(item.versions.all()):
        data[f"versions-{index}-id"] = version.pk
        data[f"versions-{index}-item"] = item.pk
    return data


def test_item_admin_sets_joint_departments(client_admin):
    lead = Department.objects.create(name="县住房和城乡建设局", uscc=_uscc(2001), group="economic")
    fire = Department.objects.create(name="县消防救援大队", uscc=_uscc(2002), group="vertical")
    land = Department.objects.create(name="县自然资源局", uscc=_uscc(2003), group="economic")
    code = "000100001000"
    item = create_item(
        basic_code=code,
        impl_code=make_impl_code(lead.uscc or "", "county", code),
        name="建筑工程施工许可证核发",
        item_type="01",
        department=lead,
        power_source="statutory",
        exercise_level="county",
        legal_basis="《中华人民共和国建筑法》第八条",
        acceptance_conditions="申请材料齐全、符合法定形式",
        legal_limit=7,
        legal_limit_unit="workday",
        promised_limit=3,
        promised_limit_unit="workday",
        handling_kind="promised",
        visits=0,
        online_depth="4",
        process_template="joint_review",
    )
    url = reverse("admin:catalog_serviceitem_change", args=[item.pk])
    page = client_admin.get(url).content.decode()
    assert 'name="joint_departments"' in page and "联审部门" in page
    response = client_admin.post(url, _item_form(item, joint_departments=[fire, land]))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(item.joint_departments.all()) == {fire, land}
    assert set(fire.joint_items.all()) == {item}


def test_add_page_starts_from_the_standard_template(client_admin):
    response = client_admin.get(reverse("admin:workflow_processdefinition_add"))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert json.loads(form.initial["spec_json"])["code"] == "standard"
