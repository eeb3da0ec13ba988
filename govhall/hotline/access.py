"""Who sees which work orders: the hotline's operators and the center-wide roles see all of them; a department's
staff see the orders their department holds now (dispatched, answered or closed there); everyone else none."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from govhall.org.access import department_ids, has_role, is_center_wide
from govhall.org.choices import Role

from .actions import DEPARTMENT_ROLES
from .models import WorkOrder


def is_operator(user: User | AnonymousUser | None) -> bool:
    return has_role(user, Role.HOTLINE_OPERATOR)


def sees_all(user: User | AnonymousUser | None) -> bool:
    return is_operator(user) or is_center_wide(user)


def is_department_staff(user: User | AnonymousUser | None) -> bool:
    return has_role(user, *DEPARTMENT_ROLES) and bool(department_ids(user))


def orders_for(user: User | AnonymousUser | None) -> QuerySet[WorkOrder]:
    qs = WorkOrder.objects.select_related("clock", "department")
    if sees_all(user):
        return qs
    if is_department_staff(user):
        return qs.filter(department_id__in=department_ids(user))
    return qs.none()


def may_see_rates(user: User | AnonymousUser | None) -> bool:
    return sees_all(user) or is_department_staff(user)
