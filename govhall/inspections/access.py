"""Who sees which plans and inspections: the center-wide roles all of them; inspectors and department heads those
of their departments; everyone else none. The public sees only results (`public_results`)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from govhall.org.access import department_ids, has_role, is_center_wide

from .actions import PLANNING_ROLES
from .choices import InspectionStatus
from .models import Inspection, InspectionPlan, SupervisedEntity


def is_staff(user: User | AnonymousUser | None) -> bool:
    return is_center_wide(user) or (has_role(user, *PLANNING_ROLES) and bool(department_ids(user)))


def plans_for(user: User | AnonymousUser | None) -> QuerySet[InspectionPlan]:
    qs = InspectionPlan.objects.select_related("department")
    if is_center_wide(user):
        return qs
    if has_role(user, *PLANNING_ROLES):
        return qs.filter(department_id__in=department_ids(user))
    return qs.none()


def inspections_for(user: User | AnonymousUser | None) -> QuerySet[Inspection]:
    qs = Inspection.objects.select_related("entity", "plan", "inspector", "second_inspector")
    if is_center_wide(user):
        return qs
    if has_role(user, *PLANNING_ROLES):
        return qs.filter(entity__department_id__in=department_ids(user))
    return qs.none()


def entities_for(user: User | AnonymousUser | None) -> QuerySet[SupervisedEntity]:
    qs = SupervisedEntity.objects.select_related("risk_class", "department")
    if is_center_wide(user):
        return qs
    if has_role(user, *PLANNING_ROLES):
        return qs.filter(department_id__in=department_ids(user))
    return qs.none()


def public_results() -> QuerySet[Inspection]:
    """Inspections with a recorded result: what 一公开 publishes (no inspector names, no notes)."""
    return (
        Inspection.objects.exclude(status=InspectionStatus.PLANNED)
        .select_related("entity", "entity__department")
        .order_by("-inspected_at", "-pk")
    )
