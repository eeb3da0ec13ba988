"""Reads of the legal office's records, scoped by role: the legal office, supervisors and leaders see everything; an
agency's head and approvers see their agency's lawsuits and reconsiderations; everyone else nothing.

`appearance_failures(year)` is the contract the department evaluation reads for its one-vote veto."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from govhall.org.access import department_ids, has_role
from govhall.org.choices import Role

from .access import AGENCY_ROLES
from .models import CaseCorrection, Lawsuit, Reconsideration
from .rules import year_failures

WIDE_ROLES = (Role.LEGAL_OFFICER, Role.SUPERVISOR, Role.LEADER, Role.CENTER_ADMIN)


def sees_all(user: User | AnonymousUser | None) -> bool:
    return has_role(user, *WIDE_ROLES)


def may_use(user: User | AnonymousUser | None) -> bool:
    return sees_all(user) or (has_role(user, *AGENCY_ROLES) and bool(department_ids(user)))


def lawsuits_for(user: User | AnonymousUser | None) -> QuerySet[Lawsuit]:
    qs = Lawsuit.objects.select_related(
        "department", "defence_clock", "appeal_clock", "judgment_filing_clock"
    )
    if sees_all(user):
        return qs
    if has_role(user, *AGENCY_ROLES):
        return qs.filter(department_id__in=department_ids(user))
    return qs.none()


def reconsiderations_for(user: User | AnonymousUser | None) -> QuerySet[Reconsideration]:
    qs = Reconsideration.objects.select_related("department", "review_clock", "decision_clock")
    if sees_all(user):
        return qs
    if has_role(user, *AGENCY_ROLES):
        return qs.filter(department_id__in=department_ids(user))
    return qs.none()


def corrections_for_case(case_id: int) -> QuerySet[CaseCorrection]:
    return CaseCorrection.objects.filter(case_id=case_id).select_related("lawsuit", "reconsideration")


def appearance_failures(year: int) -> dict[int, str]:
    """Department id → reason, for the agencies that failed the head-appearance requirement in `year` and in
    `year - 1` (two years running): such an agency is removed from the year's honours."""
    this_year = year_failures(year)
    if not this_year:
        return {}
    last_year = year_failures(year - 1)
    return {
        dept: f"连续两年未达到行政机关负责人出庭应诉要求：{year - 1}年{last_year[dept]}；{year}年{reason}"
        for dept, reason in this_year.items()
        if dept in last_year
    }
