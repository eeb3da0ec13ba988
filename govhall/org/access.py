"""Who may see what: roles from the user's groups, and querysets scoped to a user's departments and sites.

Center-wide roles (administration, supervision, leadership, performance and legal offices) see the whole
center; everyone else sees the departments and sites on their own staff record."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from .choices import Role
from .models import Department, Site, StaffProfile

CENTER_WIDE_ROLES = frozenset(
    {Role.CENTER_ADMIN, Role.SUPERVISOR, Role.LEADER, Role.PERFORMANCE_OFFICER, Role.LEGAL_OFFICER}
)
_CACHE_ATTR = "_govhall_roles"


def user_roles(user: Any) -> set[Role]:
    """The user's roles, read once per user object. A superuser counts as a center administrator."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", True):
        return set()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = {role for role in Role if role.value in names}
        if user.is_superuser:
            cached.add(Role.CENTER_ADMIN)
        setattr(user, _CACHE_ATTR, frozenset(cached))
    return set(cached)


def forget_roles(user: Any) -> None:
    """Drop the cached roles after the user's groups changed."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def has_role(user: Any, *roles: Role | str) -> bool:
    mine = user_roles(user)
    return any(Role(role) in mine for role in roles)


def is_center_wide(user: Any) -> bool:
    return bool(user_roles(user) & CENTER_WIDE_ROLES)


def _profile(user: Any) -> StaffProfile | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.staff
    except StaffProfile.DoesNotExist:
        return None


def departments_for(user: Any) -> QuerySet[Department]:
    if is_center_wide(user):
        return Department.objects.all()
    profile = _profile(user)
    if profile is None or not user_roles(user):
        return Department.objects.none()
    ids = set(profile.departments.values_list("pk", flat=True))
    if profile.window_id and profile.window and profile.window.department_id:
        ids.add(profile.window.department_id)
    return Department.objects.filter(pk__in=ids)


def sites_for(user: Any) -> QuerySet[Site]:
    """Own sites and every site below them: a township center's staff also serve its village points."""
    if is_center_wide(user):
        return Site.objects.all()
    profile = _profile(user)
    if profile is None or not user_roles(user):
        return Site.objects.none()
    own = set(profile.sites.values_list("pk", flat=True))
    if profile.window_id:
        own.add(profile.window.hall.site_id)  # type: ignore[union-attr]
    return Site.objects.filter(Q(pk__in=own) | Q(parent__in=own) | Q(parent__parent__in=own))


def staff_visible_to(user: Any) -> QuerySet[StaffProfile]:
    """Everyone for center-wide roles; otherwise colleagues who share a department or a site, and oneself."""
    if is_center_wide(user):
        return StaffProfile.objects.all()
    profile = _profile(user)
    if profile is None:
        return StaffProfile.objects.none()
    if not user_roles(user):
        return StaffProfile.objects.filter(pk=profile.pk)
    departments = departments_for(user)
    sites = profile.sites.all()
    return StaffProfile.objects.filter(
        Q(pk=profile.pk)
        | Q(departments__in=departments)
        | Q(sites__in=sites)
        | Q(window__department__in=departments)
    ).distinct()
