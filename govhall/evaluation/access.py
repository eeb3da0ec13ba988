"""Who may enter, close, adjust and read evaluation data."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied

from govhall.org.access import has_role
from govhall.org.choices import Role

READERS = (Role.PERFORMANCE_OFFICER, Role.LEADER, Role.CENTER_ADMIN, Role.SUPERVISOR)


def is_officer(user: User | AnonymousUser | None) -> bool:
    return has_role(user, Role.PERFORMANCE_OFFICER)


def require_officer(user: User | AnonymousUser | None) -> None:
    if not is_officer(user):
        raise PermissionDenied("只有绩效办人员可以进行此操作。")


def may_read(user: User | AnonymousUser | None) -> bool:
    return has_role(user, *READERS)


def require_reader(user: User | AnonymousUser | None) -> None:
    if not may_read(user):
        raise PermissionDenied("无权查看考评结果。")
