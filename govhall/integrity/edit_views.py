"""Staff pages that change the inventory: posts, who holds them, risk points (one by one or from Excel), key
departments. The gate is the one of the other integrity staff pages: oversight roles (supervisor, leader, centre
admin) act on every department, a department head on their own; flagging a key department is for oversight only.
Every write is an `integrity.actions` call."""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from govhall.org.models import Department
from govhall.supervision.views import forbidden, guarded

from . import actions
from .forms import (
    AssignForm,
    EndAssignmentForm,
    KeyDepartmentForm,
    PostForm,
    RiskImportForm,
    RiskPointForm,
    attach,
)
from .models import KeyDepartment, Post, PostAssignment, RiskPoint
from .risk_excel import export_risk_points, import_risk_points
from .views import XLSX, _gate, _int, _oversight


def _scoped_post(dept: Department | None, pk: int) -> Post:
    post = get_object_or_404(Post.objects.select_related("department"), pk=pk)
    if dept is not None and post.department_id != dept.pk:
        raise Http404
    return post


@guarded
def posts(request: HttpRequest) -> HttpResponse:
    """The posts of the department(s) in scope, and the form to create one."""
    dept = _gate(request)
    if isinstance(dept, HttpResponse):
        return dept
    form = PostForm(request.POST or None, scope=dept)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            post = actions.save_post(
                department=d["department"],
                name=d["name"],
                is_key=d["is_key"],
                specialised=d["specialised"],
                duties=d["duties"],
                by=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(request, f"岗位“{post.name}”已建立。")
            return redirect("integrity:post", post.pk)
    rows = Post.objects.select_related("department").order_by(
        "department__sort_order", "department_id", "name"
    )
    if dept is not None:
        rows = rows.filter(department=dept)
    status = 422 if form.errors else 200
    return render(request, "integrity/posts.html", {"posts": rows, "form": form}, status=status)


@guarded
def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a post; its holders, with the forms to assign a staff member and end an assignment."""
    dept = _gate(request)
    if isinstance(dept, HttpResponse):
        return dept
    post = _scoped_post(dept, pk)
    initial = {
        "department": post.department_id,
        "name": post.name,
        "is_key": post.is_key,
        "specialised": post.specialised,
        "duties": post.duties,
        "active": post.active,
    }
    act = request.POST.get("act") if request.method == "POST" else None
    form = PostForm(request.POST if act == "edit" else None, scope=dept, post=post, initial=initial)
    assign = AssignForm(request.POST if act == "assign" else None, post=post)
    end = EndAssignmentForm(request.POST if act == "end" else None)
    user = request.user
    if act == "edit" and form.is_valid():
        d = form.cleaned_data
        try:
            actions.update_post(
                post,
                name=d["name"],
                is_key=d["is_key"],
                specialised=d["specialised"],
                duties=d["duties"],
                active=d["active"],
                by=user,  # type: ignore[arg-type]
            )
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(request, "岗位已保存。")
            return redirect("integrity:post", post.pk)
    elif act == "assign" and assign.is_valid():
        try:
            actions.assign_post(
                post=post,
                staff=assign.cleaned_data["staff"],
                start_date=assign.cleaned_data["start_date"],
                by=user,  # type: ignore[arg-type]
            )
        except ValidationError as exc:
            attach(assign, exc)
        else:
            messages.success(request, "任职已登记。")
            return redirect("integrity:post", post.pk)
    elif act == "end" and end.is_valid():
        assignment = get_object_or_404(
            PostAssignment, pk=_int(request.POST.get("assignment")) or 0, post=post
        )
        try:
            actions.end_assignment(assignment, end_date=end.cleaned_data["end_date"], by=user)  # type: ignore[arg-type]
        except ValidationError as exc:
            attach(end, exc)
        else:
            messages.success(request, f"{assignment.staff.name}的任职已结束。")
            return redirect("integrity:post", post.pk)
    elif act not in (None, "edit", "assign", "end"):
        return forbidden(request, "您不能进行此项操作。")
    failed = any(f.errors for f in (form, assign, end))
    context = {
        "post": post,
        "form": form,
        "assign": assign,
        "end": end,
        "assignments": post.assignments.select_related("staff").order_by("-start_date", "-pk"),
        "points": post.risk_points.filter(active=True).select_related("level"),
    }
    return render(request, "integrity/post.html", context, status=422 if failed else 200)


@guarded
def risk_points(request: HttpRequest) -> HttpResponse:
    """Record one risk point; upload or download the risk-point sheet."""
    dept = _gate(request)
    if isinstance(dept, HttpResponse):
        return dept
    if request.GET.get("format") == "xlsx":
        buffer = io.BytesIO()
        export_risk_points(buffer, department=dept)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
        response["Content-Disposition"] = "attachment; filename=risk-points.xlsx"
        return response
    act = request.POST.get("act") if request.method == "POST" else None
    form = RiskPointForm(request.POST if act == "record" else None, scope=dept)
    upload = RiskImportForm(
        request.POST if act == "import" else None, request.FILES if act == "import" else None
    )
    import_errors: list[str] = []
    if act == "record" and form.is_valid():
        d = form.cleaned_data
        try:
            point = actions.record_risk_point(
                power=d["power_obj"] if d["step_obj"] is None else None,
                step=d["step_obj"],
                post=d["post"],
                description=d["description"],
                level=d["level"],
                discovery=d["discovery"],
                measures=d["measures"],
                by=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(request, f"风险点已登记（{point.level.code}级）。")
            return redirect("integrity:risk_points")
    elif act == "import" and upload.is_valid():
        if dept is not None:
            # The sheet may name any department's powers and posts: a head uploads through the centre.
            return forbidden(request, "风险点清单的批量导入由效能监察人员或中心管理员办理。")
        result = import_risk_points(upload.cleaned_data["file"], by=request.user)
        if result.errors:
            import_errors = [str(e) for e in result.errors]
        else:
            messages.success(request, f"导入完成：新增{result.created}个，修改{result.updated}个。")
            return redirect("integrity:risk_points")
    elif act not in (None, "record", "import"):
        return forbidden(request, "您不能进行此项操作。")
    rows = RiskPoint.objects.filter(active=True).select_related(
        "power", "step__power", "post", "level", "department"
    )
    if dept is not None:
        rows = rows.filter(department=dept)
    failed = bool(form.errors or upload.errors or import_errors)
    context = {
        "form": form,
        "upload": upload,
        "import_errors": import_errors,
        "points": rows.order_by("-pk")[:100],
        "may_import": dept is None,
    }
    return render(request, "integrity/risk_points.html", context, status=422 if failed else 200)


@guarded
def key_departments(request: HttpRequest) -> HttpResponse:
    """Flag a key department (重点部门) or lift the flag: oversight roles only."""
    if not _oversight(request):
        return forbidden(request, "只有效能监察人员、领导和中心管理员可以确定重点部门。")
    act = request.POST.get("act") if request.method == "POST" else None
    form = KeyDepartmentForm(request.POST if act == "flag" else None)
    if act == "flag" and form.is_valid():
        try:
            actions.save_config(
                KeyDepartment(department=form.cleaned_data["department"], reason=form.cleaned_data["reason"]),
                by=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(request, f"{form.cleaned_data['department'].name}已列为重点部门。")
            return redirect("integrity:key_departments")
    elif act == "unflag":
        key = get_object_or_404(KeyDepartment, pk=_int(request.POST.get("key")) or 0)
        actions.delete_config(key, by=request.user)  # type: ignore[arg-type]
        messages.success(request, f"{key.department.name}已不再列为重点部门。")
        return redirect("integrity:key_departments")
    rows = KeyDepartment.objects.select_related("department").order_by("department__sort_order", "pk")
    return render(
        request,
        "integrity/key_departments.html",
        {"keys": rows, "form": form},
        status=422 if form.errors else 200,
    )
