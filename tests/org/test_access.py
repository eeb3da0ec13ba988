from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from govhall.org.access import (
    department_ids,
    departments_for,
    forget_roles,
    has_role,
    is_center_wide,
    sites_for,
    staff_visible_to,
    staff_window,
    user_roles,
)
from govhall.org.choices import Role
from govhall.org.models import Department, Site

from .conftest import County

pytestmark = pytest.mark.django_db


def test_roles_of_anonymous_and_inactive_users(staff_factory: Any) -> None:
    assert user_roles(AnonymousUser()) == set()
    assert user_roles(None) == set()
    profile = staff_factory([Role.APPROVER])
    profile.user.is_active = False
    assert user_roles(profile.user) == set()
    assert departments_for(AnonymousUser()).count() == 0


def test_has_role_accepts_values_and_members(staff_factory: Any) -> None:
    user = staff_factory([Role.APPROVER, Role.DEPARTMENT_HEAD]).user
    assert has_role(user, Role.APPROVER)
    assert has_role(user, "leader", "department_head")
    assert not has_role(user, Role.SUPERVISOR, Role.CENTER_ADMIN)


@pytest.mark.parametrize(
    "role",
    [Role.CENTER_ADMIN, Role.SUPERVISOR, Role.LEADER, Role.PERFORMANCE_OFFICER, Role.LEGAL_OFFICER],
)
def test_center_wide_roles_see_everything(county: County, staff_factory: Any, role: Role) -> None:
    user = staff_factory([role], departments=[county.rsj]).user
    staff_factory([Role.APPROVER], departments=[county.scj])
    assert set(departments_for(user)) == set(Department.objects.all())
    assert sites_for(user).count() == Site.objects.count()
    assert staff_visible_to(user).count() == 2


def test_clerk_sees_own_department_and_colleagues_only(county: County, staff_factory: Any) -> None:
    clerk = staff_factory([Role.WINDOW_CLERK], departments=[county.scj], sites=[county.center]).user
    colleague = staff_factory([Role.APPROVER], departments=[county.scj])
    stranger = staff_factory([Role.APPROVER], departments=[county.rsj])
    assert list(departments_for(clerk)) == [county.scj]
    visible = set(staff_visible_to(clerk))
    assert colleague in visible and clerk.staff in visible
    assert stranger not in visible


def test_window_department_counts_as_own(county: County, staff_factory: Any) -> None:
    # A clerk at another department's window (a 综窗 posting) serves that department too.
    clerk = staff_factory([Role.WINDOW_CLERK], departments=[], window=county.rsj_window).user
    assert list(departments_for(clerk)) == [county.rsj]
    assert county.center in sites_for(clerk)


def test_township_staff_see_their_villages(county: County, staff_factory: Any) -> None:
    agent = staff_factory([Role.AGENT], departments=[], sites=[county.town_site]).user
    assert set(sites_for(agent)) == {county.town_site, *county.village_sites}
    assert county.other_town_site not in sites_for(agent)
    assert departments_for(agent).count() == 0


def test_village_agents_share_visibility_by_site(county: County, staff_factory: Any) -> None:
    a = staff_factory([Role.AGENT], departments=[], sites=[county.village_sites[0]])
    b = staff_factory([Role.AGENT], departments=[], sites=[county.village_sites[0]])
    c = staff_factory([Role.AGENT], departments=[], sites=[county.village_sites[1]])
    visible = set(staff_visible_to(a.user))
    assert b in visible and c not in visible


def test_user_without_roles_sees_only_self(county: County, staff_factory: Any) -> None:
    profile = staff_factory([Role.APPROVER])
    staff_factory([Role.APPROVER])
    assert user_roles(profile.user) == {Role.APPROVER}
    profile.user.groups.clear()
    forget_roles(profile.user)
    assert list(staff_visible_to(profile.user)) == [profile]
    assert departments_for(profile.user).count() == 0


def _context(user: Any) -> tuple[Any, ...]:
    """What a request's permission checks read from the cached context, in comparable form."""
    profile = getattr(user, "staff", None) if hasattr(user, "_state") else None
    return (
        user_roles(user),
        sorted(departments_for(user).values_list("pk", flat=True)),
        staff_window(user),
        None if profile is None else (profile.pk, profile.name, profile.window_id),
        (user.pk, user.username, user.is_superuser, user.is_active, user.password, user.last_login),
    )


def _without_roles(user: Any) -> Any:
    user.groups.clear()  # a staff record whose roles were all taken away
    return user


def test_the_signed_in_user_arrives_with_the_context_a_fresh_user_would_read(
    county: County, staff_factory: Any
) -> None:
    """The backend's one statement (user row + roles, staff record, departments, window site) answers every
    permission check as the user object Django's own lookup gives, read lazily: over a matrix of users."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from govhall.core.auth import LockoutModelBackend

    users = [
        staff_factory([Role.WINDOW_CLERK], departments=[county.scj], sites=[county.center]).user,
        staff_factory([Role.APPROVER, Role.DEPARTMENT_HEAD], departments=[county.scj, county.rsj]).user,
        staff_factory([Role.SUPERVISOR], departments=[county.rsj]).user,
        _without_roles(staff_factory([Role.APPROVER], departments=[county.rsj]).user),
        User.objects.create_user("no-staff-record", password="Probe-pass-2026"),
        User.objects.create_superuser("root-probe", password="Probe-pass-2026"),
    ]
    backend = LockoutModelBackend()
    for user in users:
        fresh = User.objects.get(pk=user.pk)
        with CaptureQueriesContext(connection) as read:
            signed_in = backend.get_user(user.pk)
            assert signed_in is not None
            roles = user_roles(signed_in)
            staff_window(signed_in)
            ids = department_ids(signed_in) if not is_center_wide(signed_in) else None
        assert len(read) == 1, [q["sql"] for q in read.captured_queries]
        assert roles == user_roles(fresh)
        assert ids == (department_ids(fresh) if not is_center_wide(fresh) else None)
        assert _context(signed_in) == _context(fresh), user.username


def test_a_role_given_shows_at_the_next_sign_in_not_before(county: County, staff_factory: Any) -> None:
    """The context is as fresh as the request: read with the user, once per request, like the lazy read was."""
    from django.contrib.auth.models import Group

    from govhall.core.auth import LockoutModelBackend

    user = staff_factory([Role.WINDOW_CLERK], departments=[county.scj]).user
    backend = LockoutModelBackend()
    before = backend.get_user(user.pk)
    user.groups.add(Group.objects.get(name=Role.APPROVER.value))
    assert not has_role(before, Role.APPROVER)  # this request's user keeps what it was read with
    assert has_role(backend.get_user(user.pk), Role.APPROVER)
    user.groups.clear()
    assert user_roles(backend.get_user(user.pk)) == set()
