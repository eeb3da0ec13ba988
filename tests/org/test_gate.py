"""The one permission gate: require_role, the page decorator and the request helper built on it."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from govhall.org.access import require_request_role, require_role, role_required
from govhall.org.choices import Role

from .conftest import County

pytestmark = pytest.mark.django_db


def test_require_role_passes_a_holder_and_refuses_others_in_chinese(staff_factory: Any) -> None:
    approver = staff_factory([Role.APPROVER]).user
    require_role(approver, Role.APPROVER)
    require_role(approver, Role.SUPERVISOR, Role.APPROVER)
    require_role(approver)  # any staff role
    with pytest.raises(PermissionDenied, match="审批需要“效能监察”角色"):
        require_role(approver, Role.SUPERVISOR, what="审批")
    with pytest.raises(PermissionDenied, match=r"^只有监察人员可以$"):
        require_role(approver, Role.SUPERVISOR, message="只有监察人员可以")
    with pytest.raises(PermissionDenied, match="工作人员"):
        require_role(AnonymousUser())
    with pytest.raises(PermissionDenied):
        require_role(None, Role.APPROVER)


def test_require_role_with_a_department_needs_membership(staff_factory: Any, county: County) -> None:
    approver = staff_factory([Role.APPROVER], departments=[county.scj]).user
    require_role(approver, Role.APPROVER, department=county.scj)
    require_role(approver, Role.APPROVER, department=county.scj.pk)
    with pytest.raises(PermissionDenied, match="审批：您不属于该办理部门"):
        require_role(approver, Role.APPROVER, department=county.rsj, what="审批")


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return HttpResponse(message, status=403)


def test_role_required_renders_the_gate_and_later_refusals_as_403(staff_factory: Any) -> None:
    approver = staff_factory([Role.APPROVER]).user

    @role_required(Role.SUPERVISOR, forbidden=_forbidden)
    def supervisors_only(request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")

    @role_required(forbidden=_forbidden)
    def staff_refused_by_an_action(request: HttpRequest) -> HttpResponse:
        raise PermissionDenied("您不属于该办理部门")

    @role_required(forbidden=_forbidden, login_only=True)
    def anyone_logged_in(request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")

    factory = RequestFactory()
    request = factory.get("/x/")
    request.user = approver
    refused = supervisors_only(request)
    assert refused.status_code == 403 and refused.content.decode() == "此页面需要“效能监察”角色。"
    refused = staff_refused_by_an_action(request)
    assert refused.status_code == 403 and refused.content.decode() == "您不属于该办理部门"

    applicant = User.objects.create_user("someone")
    request.user = applicant
    assert anyone_logged_in(request).status_code == 200
    assert staff_refused_by_an_action(request).status_code == 403

    request.user = AnonymousUser()
    assert anyone_logged_in(request).status_code == 302  # to the login page


def test_require_request_role_reads_the_api_user_from_request_auth(staff_factory: Any) -> None:
    supervisor = staff_factory([Role.SUPERVISOR]).user
    request = RequestFactory().get("/api/v1/x")
    request.user = AnonymousUser()
    request.auth = supervisor  # type: ignore[attr-defined]
    require_request_role(request, Role.SUPERVISOR)
    request.auth = None  # type: ignore[attr-defined]
    with pytest.raises(PermissionDenied):
        require_request_role(request, Role.SUPERVISOR)
