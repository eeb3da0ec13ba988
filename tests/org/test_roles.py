from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management.sql import emit_post_migrate_signal

from govhall.org.choices import Role
from govhall.org.roles import ensure_role_groups

pytestmark = pytest.mark.django_db


def _perms(role: Role) -> set[str]:
    group = Group.objects.get(name=role.value)
    return {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }


def test_every_role_has_a_group_after_migrate() -> None:
    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in Role}


def test_center_admin_maintains_org_catalog_and_calendars() -> None:
    perms = _perms(Role.CENTER_ADMIN)
    for needed in [
        "org.change_department",
        "org.add_window",
        "org.change_staffprofile",
        "catalog.change_serviceitem",
        "catalog.add_material",
        "auth.add_user",
        "core.view_auditevent",
    ]:
        assert needed in perms
    calendar_perms = {p for p in perms if p.startswith("calendars.")}
    # Granted by app label: every calendars model the app defines, not a hand-kept list.
    expected = {
        f"calendars.{p.codename}" for p in Permission.objects.filter(content_type__app_label="calendars")
    }
    assert expected and calendar_perms == expected
    assert "core.change_auditevent" not in perms  # the audit log is append-only


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.LEADER, Role.PERFORMANCE_OFFICER, Role.LEGAL_OFFICER])
def test_oversight_roles_only_view(role: Role) -> None:
    perms = _perms(role)
    assert "catalog.view_serviceitem" in perms and "org.view_department" in perms
    assert all(p.split(".")[1].startswith("view_") for p in perms)


@pytest.mark.parametrize("role", [Role.WINDOW_CLERK, Role.APPROVER, Role.AGENT])
def test_front_line_roles_view_the_catalog(role: Role) -> None:
    perms = _perms(role)
    assert "catalog.view_serviceitem" in perms
    assert not any(p.startswith("org.") or not p.split(".")[1].startswith("view_") for p in perms)


def test_applicant_group_has_no_permissions() -> None:
    assert _perms(Role.APPLICANT) == set()


def test_ensure_is_idempotent_and_restores_defaults_without_removing_extras() -> None:
    admin = Group.objects.get(name=Role.CENTER_ADMIN)
    before = admin.permissions.count()
    ensure_role_groups()
    assert Group.objects.filter(name=Role.CENTER_ADMIN).count() == 1
    assert admin.permissions.count() == before

    clerk = Group.objects.get(name=Role.WINDOW_CLERK)
    removed = Permission.objects.get(codename="view_serviceitem")
    extra = Permission.objects.get(codename="view_window")
    clerk.permissions.remove(removed)
    clerk.permissions.add(extra)
    ensure_role_groups()
    assert set(clerk.permissions.all()) >= {removed, extra}


def test_post_migrate_recreates_deleted_groups() -> None:
    Group.objects.filter(name__in=[Role.SUPERVISOR, Role.AGENT]).delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert Group.objects.filter(name=Role.SUPERVISOR).exists()
    assert "catalog.view_serviceitem" in _perms(Role.AGENT)
