"""Who may act on the legal office's records: the legal office (legal_officer) for every agency; an agency's head and
approvers for their own agency's lawsuits (they receive the court's papers and answer them)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User

from govhall.org.access import department_ids, has_role, require_role
from govhall.org.choices import Role

AGENCY_ROLES = (Role.DEPARTMENT_HEAD, Role.APPROVER)


def is_legal_officer(user: User | AnonymousUser | None) -> bool:
    return has_role(user, Role.LEGAL_OFFICER)


def require_legal_office(by: User | AnonymousUser | None, what: str) -> None:
    require_role(by, Role.LEGAL_OFFICER, message=f"只有法制机构工作人员可以{what}")


def require_for_agency(by: User | AnonymousUser | None, department_id: int, what: str) -> None:
    """The legal office, or the defendant agency's head or approvers."""
    if is_legal_officer(by):
        return
    if has_role(by, *AGENCY_ROLES) and department_id in department_ids(by):
        return
    require_role(by, Role.LEGAL_OFFICER, message=f"只有法制机构或被告机关负责人可以{what}")
