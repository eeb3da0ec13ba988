from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from govhall.core.models import AuditEvent, AuditEventType
from govhall.org.models import Department

from .conftest import County, resident_id, uscc

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(county: County) -> Client:
    user = User.objects.create_superuser("root", "root@example.org", "pw-123456")
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", ["region", "site", "hall", "department", "window", "staffprofile"])
def test_changelists_and_add_forms_render(admin_client: Client, staff_factory: Any, model: str) -> None:
    staff_factory(["window_clerk"], phone="13812345678", id_number=resident_id())
    assert admin_client.get(reverse(f"admin:org_{model}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:org_{model}_add")).status_code == 200


def test_site_filters_by_kind_and_parent(admin_client: Client, county: County) -> None:
    url = reverse("admin:org_site_changelist")
    page = admin_client.get(url, {"kind": "village", "parent__id__exact": county.town_site.pk})
    content = page.content.decode()
    assert "杨梅镇龙湾村代办点" in content and "灵山镇便民服务中心" not in content.split("result_list")[-1]


def test_hall_change_has_session_and_window_inlines(admin_client: Client, county: County) -> None:
    page = admin_client.get(reverse("admin:org_hall_change", args=[county.hall.pk])).content.decode()
    assert "sessions-TOTAL_FORMS" in page and "windows-TOTAL_FORMS" in page
    assert "A06" in page


def test_staff_list_masks_phone_and_id_and_shows_roles(admin_client: Client, staff_factory: Any) -> None:
    number = resident_id()
    staff_factory(["window_clerk", "approver"], phone="13812345678", id_number=number)
    page = admin_client.get(reverse("admin:org_staffprofile_changelist")).content.decode()
    assert "138****5678" in page and "13812345678" not in page
    assert number[:6] + "********" + number[-4:] in page and number not in page
    assert "窗口工作人员、审批人员" in page


def test_invalid_uscc_in_admin_gives_chinese_field_error(admin_client: Client) -> None:
    good = uscc(77)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    response = admin_client.post(
        reverse("admin:org_department_add"),
        {
            "name": "县审计局",
            "uscc": bad,
            "group": "economic",
            "in_hall": "on",
            "sort_order": 0,
            "active": "on",
        },
    )
    assert response.status_code == 200
    assert "统一社会信用代码校验位不正确" in response.content.decode()
    assert not Department.objects.filter(name="县审计局").exists()


def test_invalid_id_number_in_admin_gives_chinese_field_error(
    admin_client: Client, staff_factory: Any
) -> None:
    profile = staff_factory(["approver"])
    good = resident_id()
    response = admin_client.post(
        reverse("admin:org_staffprofile_change", args=[profile.pk]),
        {
            "user": profile.user.pk,
            "name": profile.name,
            "employee_no": profile.employee_no,
            "id_number": good[:17] + ("0" if good[17] != "0" else "1"),
            "departments": [d.pk for d in profile.departments.all()],
            "roles": ["approver"],
            "active": "on",
        },
    )
    assert response.status_code == 200
    assert "身份证号码校验位不正确" in response.content.decode()


def test_roles_changed_in_admin_are_audited(admin_client: Client, staff_factory: Any) -> None:
    profile = staff_factory(["approver"])
    response = admin_client.post(
        reverse("admin:org_staffprofile_change", args=[profile.pk]),
        {
            "user": profile.user.pk,
            "name": profile.name,
            "employee_no": profile.employee_no,
            "departments": [d.pk for d in profile.departments.all()],
            "roles": ["approver", "department_head"],
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(profile.user.groups.values_list("name", flat=True)) == {"approver", "department_head"}
    event = AuditEvent.objects.get(event_type=AuditEventType.STAFF_ROLES_CHANGED)
    assert event.actor is not None and event.actor.username == "root"


def test_staff_added_in_admin_is_audited(admin_client: Client, county: County) -> None:
    user = User.objects.create_user("newcomer")
    response = admin_client.post(
        reverse("admin:org_staffprofile_add"),
        {"user": user.pk, "name": "新同事", "employee_no": "N001", "roles": ["approver"], "active": "on"},
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.STAFF_CREATED, object_repr__contains="新同事"
    ).exists()
    assert set(user.groups.values_list("name", flat=True)) == {"approver"}


def test_every_registered_admin_writes_only_through_actions() -> None:
    from django.contrib import admin
    from django.contrib.auth.models import Group

    from govhall.core.admin import ActionAdmin

    not_action = [
        f"{model._meta.label}: {type(model_admin).__name__}"
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, ActionAdmin)
    ]
    assert not_action == []
    # Django's own GroupAdmin is gone; the account list stays, read-only (staff are made in the staff admin).
    assert not admin.site.is_registered(Group) and admin.site.is_registered(User)


def test_the_account_admin_is_read_only(admin_client: Client) -> None:
    target = User.objects.create_user("someone", password="pw-123456")
    assert admin_client.get(reverse("admin:auth_user_changelist"), {"q": "someone"}).status_code == 200
    assert admin_client.get(reverse("admin:auth_user_add")).status_code == 403
    changed = admin_client.post(
        reverse("admin:auth_user_change", args=[target.pk]), {"username": "renamed", "is_superuser": "on"}
    )
    assert changed.status_code in (302, 403)
    target.refresh_from_db()
    assert target.username == "someone" and not target.is_superuser
    assert (
        admin_client.post(reverse("admin:auth_user_delete", args=[target.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert User.objects.filter(pk=target.pk).exists()
