from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from govhall.org.access import has_role
from govhall.org.choices import Role
from govhall.org.models import StaffProfile

from .actions import conduct_for


def staff_conduct(request: HttpRequest, pk: int) -> HttpResponse:
    """作风档案 of one staff member: supervisors and leaders only."""
    if not has_role(request.user, Role.SUPERVISOR, Role.LEADER):
        raise PermissionDenied("只有效能监察人员和领导可以查看作风档案")
    staff = get_object_or_404(StaffProfile.objects.select_related("user"), pk=pk)
    return render(request, "supervision/conduct.html", {"conduct": conduct_for(staff)})
