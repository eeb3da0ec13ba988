"""The org admin writes only through org.actions: every save leaves the action's audit event, a rule the action
enforces shows as a Chinese error on the form, and writes without an action are not offered."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from govhall.core.models import AuditEvent, AuditEventType
from govhall.org.models import Department, Hall, Window

from .conftest import County

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(county: County) -> User:
    return User.objects.create_superuser("root", "root@example.org", "pw-123456")


@pytest.fixture
def admin_client(root: User) -> Client:
    client = Client()
    client.force_login(root)
    return client


def _department_form(department: Department, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": department.name,
        "short_name": department.short_name,
        "uscc": department.uscc or "",
        "group": department.group,
        "in_hall": "on" if department.in_hall else "",
        "phone": department.phone,
        "sort_order": department.sort_order,
        "active": "on" if department.active else "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


def test_a_change_form_post_goes_through_the_update_action(
    admin_client: Client, county: County, root: User
) -> None:
    url = reverse("admin:org_department_change", args=[county.scj.pk])
    response = admin_client.post(url, _department_form(county.scj, short_name="市监局", phone="0775-5321234"))
    assert response.status_code == 302, response.content.decode()[:2000]
    county.scj.refresh_from_db()
    assert county.scj.short_name == "市监局"
    event = AuditEvent.objects.get(event_type=AuditEventType.ORG_UNIT_UPDATED)
    assert event.actor == root
    assert event.object_id == str(county.scj.pk)
    assert event.before == {"short_name": "", "phone": ""}
    assert event.after == {"short_name": "市监局", "phone": "0775-5321234"}


def test_a_list_editable_post_goes_through_the_update_action(admin_client: Client, county: County) -> None:
    url = reverse("admin:org_department_changelist")
    response = admin_client.post(
        url,
        {
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "2",
            "form-0-id": county.scj.pk,
            "form-0-sort_order": "7",
            "form-1-id": county.rsj.pk,
            "form-1-sort_order": str(county.rsj.sort_order),
            "_save": "保存",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    county.scj.refresh_from_db()
    assert county.scj.sort_order == 7
    events = AuditEvent.objects.filter(event_type=AuditEventType.ORG_UNIT_UPDATED)
    # Only the row that changed is saved, and it is audited.
    assert [(e.object_id, e.after) for e in events] == [(str(county.scj.pk), {"sort_order": 7})]


def test_an_action_rule_is_shown_in_chinese_on_the_form_and_nothing_is_written(
    admin_client: Client, county: County
) -> None:
    window = county.rsj_window  # on the 3rd floor
    url = reverse("admin:org_hall_change", args=[county.hall.pk])
    response = admin_client.post(
        url,
        {
            "site": county.center.pk,
            "name": county.hall.name,
            "floors": "2",
            "sessions-TOTAL_FORMS": "0",
            "sessions-INITIAL_FORMS": "0",
            "windows-TOTAL_FORMS": "0",
            "windows-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "已有窗口位于3层，楼层数不能少于3。" in response.content.decode()
    assert Hall.objects.get(pk=county.hall.pk).floors == 3
    assert county.hall.sessions.count() == 2  # the office hours were not replaced either
    assert Window.objects.get(pk=window.pk).floor == 3
    assert not AuditEvent.objects.filter(event_type=AuditEventType.ORG_UNIT_UPDATED).exists()


def test_a_window_added_in_the_admin_is_created_by_the_action(admin_client: Client, county: County) -> None:
    response = admin_client.post(
        reverse("admin:org_window_add"),
        {"hall": county.hall.pk, "floor": "5", "number": "B01", "name": "综合窗口", "kind": "comprehensive"},
    )
    assert response.status_code == 200
    assert "综合服务大厅共3层，楼层应在1–3之间。" in response.content.decode()
    assert not Window.objects.filter(number="B01").exists()
    response = admin_client.post(
        reverse("admin:org_window_add"),
        {
            "hall": county.hall.pk,
            "floor": "2",
            "number": "B01",
            "name": "综合窗口",
            "kind": "comprehensive",
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    window = Window.objects.get(number="B01")
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.ORG_UNIT_CREATED, object_id=str(window.pk), actor__username="root"
    ).exists()


def test_hall_office_hours_are_replaced_through_the_action(admin_client: Client, county: County) -> None:
    response = admin_client.post(
        reverse("admin:org_hall_change", args=[county.hall.pk]),
        {
            "site": county.center.pk,
            "name": county.hall.name,
            "floors": "3",
            "sessions-TOTAL_FORMS": "1",
            "sessions-INITIAL_FORMS": "0",
            "sessions-0-start": "08:30",
            "sessions-0-end": "17:00",
            "windows-TOTAL_FORMS": "0",
            "windows-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert [str(s) for s in county.hall.sessions.all()] == ["08:30–17:00"]
    event = AuditEvent.objects.get(event_type=AuditEventType.ORG_UNIT_UPDATED)
    assert event.before == {"sessions": ["09:00–12:00", "13:30–17:30"]}
    assert event.after == {"sessions": ["08:30–17:00"]}


def test_writes_without_an_action_are_not_offered(admin_client: Client, county: County) -> None:
    # Organisation units are deactivated, never deleted: no delete action exists, so the admin offers none.
    assert admin_client.get(reverse("admin:org_department_delete", args=[county.scj.pk])).status_code == 403
    page = admin_client.get(reverse("admin:org_department_changelist")).content.decode()
    assert "delete_selected" not in page
    assert Department.objects.filter(pk=county.scj.pk).exists()


def test_staff_changes_are_audited_with_personal_data_masked(
    admin_client: Client, staff_factory: Any, root: User
) -> None:
    profile = staff_factory(["approver"])
    response = admin_client.post(
        reverse("admin:org_staffprofile_change", args=[profile.pk]),
        {
            "name": profile.name,
            "employee_no": profile.employee_no,
            "phone": "13812345678",
            "departments": [d.pk for d in profile.departments.all()],
            "roles": ["approver"],
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(event_type=AuditEventType.STAFF_UPDATED)
    assert event.actor == root
    assert event.before["phone"] == "" and event.after["phone"] == "138****5678"
    assert not AuditEvent.objects.filter(event_type=AuditEventType.STAFF_ROLES_CHANGED).exists()
