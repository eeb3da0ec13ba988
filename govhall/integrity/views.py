"""Pages: the public power list and the feed of power exercises (with Atom and JSON), and the staff pages of the risk
map, warnings, rotation and conduct files. State changes go through `integrity.actions` only."""

from __future__ import annotations

import datetime as dt
import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from govhall.calendars import engine
from govhall.core.clock import now
from govhall.org.access import departments_for, has_role, is_center_wide
from govhall.org.choices import Role
from govhall.org.models import Department, StaffProfile
from govhall.supervision.views import forbidden, guarded

from . import actions, queries
from .choices import DueState, WarningLevel, WarningStatus
from .excel import export_risk_map
from .models import POWER_TYPES, Post, PostAssignment, PowerExercise, RiskLevel, RotationPlan, Warning

OVERSIGHT = (Role.SUPERVISOR, Role.LEADER, Role.CENTER_ADMIN)
STAFF_ROLES = (*OVERSIGHT, Role.DEPARTMENT_HEAD)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _errors(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def _oversight(request: HttpRequest) -> bool:
    return has_role(request.user, *OVERSIGHT)


def _staff_department(request: HttpRequest) -> Department | None:
    """None for center-wide oversight roles; the head's own department otherwise (403 if neither)."""
    if _oversight(request) or is_center_wide(request.user):
        return None
    if has_role(request.user, Role.DEPARTMENT_HEAD):
        dept = departments_for(request.user).first()
        if dept is not None:
            return dept
    raise PermissionError


# ---------------------------------------------------------------- public


def public_powers(request: HttpRequest) -> HttpResponse:
    rows = queries.powers(
        department=_int(request.GET.get("department")),
        power_type=request.GET.get("type", ""),
        level=request.GET.get("level", ""),
        q=request.GET.get("q", "").strip(),
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "types": POWER_TYPES,
        "levels": RiskLevel.objects.all(),
        "departments": Department.objects.filter(powers__isnull=False)
        .distinct()
        .order_by("sort_order", "pk"),
        "filters": request.GET,
    }
    return render(request, "integrity/public_powers.html", context)


def public_power(request: HttpRequest, pk: int) -> HttpResponse:
    power = get_object_or_404(queries.powers(), pk=pk)
    svg = ""
    if power.process_template:
        from govhall.workflow.engine import get_active, spec_of
        from govhall.workflow.flowchart import render_svg

        try:
            svg = render_svg(spec_of(get_active(power.process_template)), lead_name=power.department.name)
        except (ValidationError, LookupError, Exception):  # no active template: the page still opens
            svg = ""
    return render(request, "integrity/public_power.html", {"power": power, "svg": svg})


def feed(request: HttpRequest) -> HttpResponse:
    rows = PowerExercise.objects.select_related("power", "department", "level").prefetch_related(
        "disclosures"
    )
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(request, "integrity/feed.html", {"page": page})


def feed_entry(request: HttpRequest, pk: int) -> HttpResponse:
    exercise = get_object_or_404(
        PowerExercise.objects.select_related("power", "department", "level").prefetch_related("disclosures"),
        pk=pk,
    )
    return render(request, "integrity/feed_entry.html", {"e": exercise})


def feed_atom(request: HttpRequest) -> HttpResponse:
    f = Atom1Feed(
        title="权力运行动态公开",
        link=request.build_absolute_uri(reverse("integrity:feed")),
        description="行政权力每次行使的办理结果",
        language="zh-cn",
        feed_url=request.build_absolute_uri(reverse("integrity:feed_atom")),
    )
    for e in queries.public_feed():
        f.add_item(
            title=e.title,
            link=request.build_absolute_uri(e.get_absolute_url()),
            description=e.summary,
            pubdate=e.decided_at,
            unique_id=request.build_absolute_uri(e.get_absolute_url()),
            categories=[e.power.get_power_type_display()],
        )
    return HttpResponse(f.writeString("utf-8"), content_type="application/atom+xml; charset=utf-8")


def feed_json(request: HttpRequest) -> JsonResponse:
    """JSON Feed 1.1."""
    items = [
        {
            "id": str(e.pk),
            "url": request.build_absolute_uri(e.get_absolute_url()),
            "title": e.title,
            "content_text": e.summary,
            "date_published": e.decided_at.isoformat(),
            "tags": [e.power.code, e.level.code if e.level else ""],
        }
        for e in queries.public_feed()
    ]
    return JsonResponse(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "权力运行动态公开",
            "home_page_url": request.build_absolute_uri(reverse("integrity:feed")),
            "feed_url": request.build_absolute_uri(reverse("integrity:feed_json")),
            "items": items,
        },
        json_dumps_params={"ensure_ascii": False},
    )


# ---------------------------------------------------------------- staff


def _gate(request: HttpRequest) -> Department | HttpResponse | None:
    try:
        return _staff_department(request)
    except PermissionError:
        return forbidden(request, "只有效能监察、领导、中心管理员和部门负责人可以查看廉政风险防控页面。")


@guarded
def home(request: HttpRequest) -> HttpResponse:
    dept = _gate(request)
    if isinstance(dept, HttpResponse):
        return dept
    today = engine.local_date(now())
    warnings = Warning.objects.select_related("department", "person")
    if dept is not None:
        warnings = warnings.filter(department=dept)
    context = {
        "department": dept,
        "open_warnings": warnings.exclude(status__in=[WarningStatus.CLOSED, WarningStatus.ESCALATED])[:50],
        "due": queries.rotation_due(today, department=dept)[:50],
        "gaps": len(queries.disclosure_gaps()) if dept is None else None,
        "levels": WarningLevel.choices,
        "departments": Department.objects.order_by("sort_order", "pk") if dept is None else [],
        "oversight": dept is None,
    }
    return render(request, "integrity/home.html", context)


@guarded
def risk_map(request: HttpRequest) -> HttpResponse:
    dept = _gate(request)
    if isinstance(dept, HttpResponse):
        return dept
    data = queries.risk_map(dept)
    if request.GET.get("format") == "xlsx":
        buffer = io.BytesIO()
        export_risk_map(buffer, data)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
        response["Content-Disposition"] = "attachment; filename=risk-map.xlsx"
        return response
    return render(request, "integrity/risk_map.html", {"map": data})


@guarded
def issue(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("integrity:home")
    if not _oversight(request):
        return forbidden(request, "只有效能监察人员和领导可以发出廉政预警。")
    department = Department.objects.filter(pk=_int(request.POST.get("department")) or 0).first()
    person = StaffProfile.objects.filter(pk=_int(request.POST.get("person")) or 0).first()
    if department is None:
        messages.error(request, "请选择预警单位。")
        return redirect("integrity:home")
    try:
        warning = actions.issue_warning(
            level=request.POST.get("level", ""),
            department=department,
            person=person,
            reason=request.POST.get("reason", ""),
            by=request.user,  # type: ignore[arg-type]
        )
    except ValidationError as exc:
        for m in _errors(exc):
            messages.error(request, m)
        return redirect("integrity:home")
    return redirect(warning)


@guarded
def warning_detail(request: HttpRequest, pk: int) -> HttpResponse:
    warning = get_object_or_404(
        Warning.objects.select_related("department", "person", "letter", "plan_clock"), pk=pk
    )
    oversight = _oversight(request)
    own = warning.person is not None and warning.person.user_id == request.user.pk
    head = (
        has_role(request.user, Role.DEPARTMENT_HEAD)
        and departments_for(request.user).filter(pk=warning.department_id).exists()
    )
    if not (oversight or own or head):
        return forbidden(request, "您无权查看这份廉政预警。")
    if request.method == "POST":
        act = request.POST.get("act")
        try:
            if act == "plan" and (own or head):
                actions.submit_plan(warning, plan=request.POST.get("plan", ""), by=request.user)  # type: ignore[arg-type]
                messages.success(request, "整改方案已报送。")
            elif act == "close" and oversight:
                actions.close_warning(warning, note=request.POST.get("note", ""), by=request.user)  # type: ignore[arg-type]
                messages.success(request, "预警已销号。")
            else:
                return forbidden(request, "您不能进行此项操作。")
        except ValidationError as exc:
            for m in _errors(exc):
                messages.error(request, m)
        return redirect(warning)
    return render(
        request,
        "integrity/warning.html",
        {"w": warning, "may_plan": own or head, "may_close": oversight, "chain": _chain(warning)},
    )


def _chain(warning: Warning) -> list[Warning]:
    chain = [warning]
    while chain[0].escalated_from_id is not None and len(chain) < 5:
        prev = chain[0].escalated_from
        assert prev is not None
        chain.insert(0, prev)
    return chain


@guarded
def rotation(request: HttpRequest) -> HttpResponse:
    dept = _gate(request)
    if isinstance(dept, HttpResponse):
        return dept
    today = engine.local_date(now())
    if request.method == "POST":
        try:
            if request.POST.get("act") == "plan":
                assignment = get_object_or_404(PostAssignment, pk=_int(request.POST.get("assignment")) or 0)
                if dept is not None and assignment.post.department_id != dept.pk:
                    raise Http404
                to_post = get_object_or_404(Post, pk=_int(request.POST.get("to_post")) or 0)
                planned_on = dt.date.fromisoformat(request.POST.get("planned_on", ""))
                actions.plan_rotation(
                    assignment=assignment,
                    to_post=to_post,
                    planned_on=planned_on,
                    by=request.user,  # type: ignore[arg-type]
                )
                messages.success(request, "轮岗计划已登记。")
            elif request.POST.get("act") == "execute":
                plan = get_object_or_404(RotationPlan, pk=_int(request.POST.get("plan")) or 0)
                if dept is not None and plan.assignment.post.department_id != dept.pk:
                    raise Http404
                actions.execute_rotation(plan, on=today, by=request.user)  # type: ignore[arg-type]
                messages.success(request, "已执行轮岗。")
        except ValueError:
            messages.error(request, "计划轮岗日期格式应为 YYYY-MM-DD。")
        except ValidationError as exc:
            for m in _errors(exc):
                messages.error(request, m)
        return redirect("integrity:rotation")
    due = queries.rotation_due(today, department=dept)
    plans = RotationPlan.objects.filter(status="planned").select_related(
        "assignment__staff", "assignment__post", "to_post"
    )
    if dept is not None:
        plans = plans.filter(assignment__post__department=dept)
    planned = {p.assignment_id for p in plans}
    posts: dict[int, list[Post]] = {}
    for post in Post.objects.filter(
        active=True, department_id__in={d.assignment.post.department_id for d in due}
    ):
        posts.setdefault(post.department_id, []).append(post)
    rows = [
        {
            "due": d,
            "planned": d.assignment.pk in planned,
            "posts": posts.get(d.assignment.post.department_id, []),
        }
        for d in due
    ]
    return render(
        request,
        "integrity/rotation.html",
        {"rows": rows, "plans": plans, "today": today, "overdue": DueState.OVERDUE},
    )


@guarded
def conduct(request: HttpRequest, pk: int) -> HttpResponse:
    if not _oversight(request):
        return forbidden(request, "只有效能监察人员和领导可以查看作风档案。")
    staff = get_object_or_404(StaffProfile.objects.select_related("user"), pk=pk)
    return render(request, "integrity/conduct.html", {"f": queries.conduct_file(staff)})
