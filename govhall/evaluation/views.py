"""Evaluation pages: the month (results, entries, closing, Excel), one's own sheet, the year (departments, goals,
survey, vetoes, Excel) and the public honours page with its big-screen JSON. Writes go through `actions`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from govhall.core.clock import now
from govhall.core.tz import SHANGHAI
from govhall.org.access import department_ids, has_role, staff_window
from govhall.org.choices import Role
from govhall.org.models import Department, StaffProfile, Window

from . import actions
from .access import is_officer, may_read, require_reader
from .choices import GoalCategory, LeaderGrade, MonthStatus, ReviewKind, Title
from .export import month_workbook, year_workbook
from .forms import GoalForm, ReviewForm
from .models import EvaluationMonth, Goal, GoalReport, GoalReview, MonthlyResult, SurveyResponse, YearResult
from .queries import (
    closed_period,
    closed_year,
    month_results,
    parse_month,
    parse_year,
    staff_sheet,
    visible_goals,
    year_results,
)

View = Callable[..., HttpResponseBase]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "403.html", {"exception": message}, status=403)


def guarded(view: View) -> View:
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return forbidden(request, str(exc) or "您无权查看此页面。")

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _last_month() -> dt.date:
    today = now().astimezone(SHANGHAI).date().replace(day=1)
    return (today - dt.timedelta(days=1)).replace(day=1)


def _month(request: HttpRequest) -> dt.date:
    text = request.GET.get("month") or request.POST.get("month") or ""
    if not text:
        return _last_month()
    try:
        return parse_month(text)
    except ValidationError:
        return _last_month()


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    texts = (
        [m for ms in exc.message_dict.values() for m in ms] if hasattr(exc, "error_dict") else exc.messages
    )
    for text in texts:
        messages.error(request, text)


def _back(month: dt.date) -> HttpResponse:
    return redirect(f"{reverse('evaluation:month')}?month={month:%Y-%m}")


@guarded
def month_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    month = _month(request)
    reader = may_read(user)
    window_pk, _ = staff_window(user)
    if not reader and not has_role(user, Role.WINDOW_CLERK):
        raise PermissionDenied("此页面需要“绩效办”“领导”“效能监察”或窗口工作人员角色。")
    own = StaffProfile.objects.filter(user=user).first()
    peers: list[Window] = []
    mine: Window | None = Window.objects.filter(pk=window_pk).first() if window_pk else None
    if mine is not None:
        peers = list(Window.objects.filter(hall=mine.hall, floor=mine.floor, active=True).exclude(pk=mine.pk))
    context = {
        "month": month,
        "month_text": f"{month:%Y-%m}",
        "data": month_results(month) if reader else None,
        "officer": is_officer(user),
        "own": own,
        "mine": mine,
        "peers": peers,
        "windows": Window.objects.filter(active=True).order_by("hall", "floor", "number"),
        "staff": StaffProfile.objects.filter(active=True, window__isnull=False).order_by("employee_no"),
        "period": EvaluationMonth.objects.filter(month=month).first(),
    }
    return render(request, "evaluation/month.html", context)


@guarded
def sheet_page(request: HttpRequest, staff_id: int | None = None) -> HttpResponse:
    user = _user(request)
    month = _month(request)
    if staff_id is None:
        own = StaffProfile.objects.filter(user=user).first()
        if own is None:
            raise PermissionDenied("您没有工作人员档案。")
        staff_id = own.pk
    elif not StaffProfile.objects.filter(user=user, pk=staff_id).exists():
        require_reader(user)
    profile = get_object_or_404(StaffProfile, pk=staff_id)
    sheet = staff_sheet(month, staff_id)
    return render(
        request,
        "evaluation/sheet.html",
        {"month": month, "month_text": f"{month:%Y-%m}", "profile": profile, "sheet": sheet},
    )


def _target(request: HttpRequest) -> dict[str, Any]:
    kind, _, pk = (request.POST.get("target") or "").partition(":")
    if kind == "window" and pk.isdigit():
        return {"window": get_object_or_404(Window, pk=int(pk))}
    if kind == "staff" and pk.isdigit():
        return {"staff": get_object_or_404(StaffProfile, pk=int(pk))}
    raise ValidationError({"target": "请选择窗口或工作人员。"})


@require_POST
@guarded
def enter(request: HttpRequest) -> HttpResponse:
    """One form for the entered items: peer review, recommendation, panel score, deduction, attendance upload."""
    user = _user(request)
    month = _month(request)
    kind = request.POST.get("kind", "")
    try:
        if kind == "peer":
            window_pk, _ = staff_window(user)
            reviewer_pk = request.POST.get("reviewer") or window_pk
            reviewer = get_object_or_404(Window, pk=int(reviewer_pk or 0))
            reviewee = get_object_or_404(Window, pk=int(request.POST.get("reviewee") or 0))
            actions.score_peer(
                actor=user, month=month, reviewer=reviewer, reviewee=reviewee, score=request.POST.get("score")
            )
            messages.success(request, f"已给{reviewee}评分。")
        elif kind == "recommend":
            actions.recommend(
                actor=user, month=month, reason=request.POST.get("reason", ""), **_target(request)
            )
            messages.success(request, "已登记楼层推荐。")
        elif kind == "panel":
            actions.enter_panel_score(
                actor=user, month=month, score=request.POST.get("score"), **_target(request)
            )
            messages.success(request, "已登记评委评分。")
        elif kind == "deduct":
            actions.deduct(
                actor=user,
                month=month,
                points=request.POST.get("points"),
                reason=request.POST.get("reason", ""),
                **_target(request),
            )
            messages.success(request, "已登记扣分。")
        elif kind == "attendance":
            upload = request.FILES.get("file")
            if upload is None:
                raise ValidationError({"file": "请选择考勤文件。"})
            n = actions.import_attendance(
                actor=user, month=month, filename=upload.name or "", content=upload.read()
            )
            messages.success(request, f"已导入{n}人的考勤。")
        elif kind == "close":
            actions.close_month(actor=user, month=month)
            messages.success(request, f"{month:%Y年%m月}考评已结账，结果已冻结。")
        else:
            raise ValidationError({"kind": "未知的操作。"})
    except ValidationError as exc:
        _errors(request, exc)
    return _back(month)


@require_POST
@guarded
def adjust(request: HttpRequest) -> HttpResponse:
    text = request.POST.get("result") or ""
    result = get_object_or_404(MonthlyResult, pk=int(text) if text.isdigit() else 0)
    try:
        actions.adjust_result(
            actor=_user(request),
            result=result,
            delta=request.POST.get("delta"),
            reason=request.POST.get("reason", ""),
        )
        messages.success(request, f"已登记对“{result.name}”的调整。")
    except ValidationError as exc:
        _errors(request, exc)
    return _back(result.period.month)


@guarded
def month_excel(request: HttpRequest) -> HttpResponse:
    require_reader(_user(request))
    month = _month(request)
    response = HttpResponse(month_workbook(month_results(month)), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="evaluation-{month:%Y-%m}.xlsx"'
    return response


def _year(request: HttpRequest) -> int:
    try:
        return parse_year(request.GET.get("year") or request.POST.get("year") or now().year)
    except ValidationError:
        return now().year


@guarded
def year_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    year = _year(request)
    head = has_role(user, Role.DEPARTMENT_HEAD)
    if not head:
        require_reader(user)
    pending = (
        GoalReport.objects.filter(goal__year=year, status="planned", department_id__in=department_ids(user))
        .select_related("goal", "department", "clock")
        .order_by("month", "pk")
        if head or is_officer(user)
        else GoalReport.objects.none()
    )
    goals = visible_goals(user, year)
    period = closed_year(year)
    if not may_read(user):  # a department head: the department's goals and the reports to send
        return render(
            request,
            "evaluation/year.html",
            {"year": year, "pending": pending, "goals": goals, "head_only": True, "period": period},
        )
    reports = GoalReport.objects.filter(goal__year=year).values("status").order_by()
    comments = (
        SurveyResponse.objects.filter(year=year)
        .exclude(comment="")
        .select_related("department")
        .order_by("department__sort_order", "department__name", "pk")
    )
    by_department: dict[str, list[str]] = {}
    for c in comments:
        by_department.setdefault(c.department.name, []).append(c.comment)
    return render(
        request,
        "evaluation/year.html",
        {
            "year": year,
            "data": year_results(year),
            "period": period,
            "goals": goals,
            "report_counts": {
                s: sum(1 for r in reports if r["status"] == s) for s in ("planned", "submitted", "late")
            },
            "comments": by_department,
            "officer": is_officer(user),
            "leader": has_role(user, Role.LEADER),
            "pending": pending,
            "grades": LeaderGrade.choices,
            "all_departments": Department.objects.filter(active=True).order_by("sort_order", "name"),
        },
    )


def _back_year(year: int) -> HttpResponse:
    return redirect(f"{reverse('evaluation:year')}?year={year}")


@require_POST
@guarded
def year_enter(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    year = _year(request)
    kind = request.POST.get("kind", "")
    try:
        if kind == "survey":
            upload = request.FILES.get("file")
            if upload is None:
                raise ValidationError({"file": "请选择社会评议文件。"})
            n = actions.import_survey(
                actor=user, year=year, filename=upload.name or "", content=upload.read()
            )
            messages.success(request, f"已导入{n}条社会评议。")
        elif kind == "appraise":
            dept = get_object_or_404(Department, pk=int(request.POST.get("department") or 0))
            actions.appraise(actor=user, year=year, department=dept, grade=request.POST.get("grade", ""))
            messages.success(request, f"已评议{dept.name}。")
        elif kind == "report":
            report = get_object_or_404(GoalReport, pk=int(request.POST.get("report") or 0))
            done = actions.submit_report(actor=user, report=report, text=request.POST.get("text", ""))
            messages.success(request, f"已报送：{done.goal}（{done.get_status_display()}）。")
        elif kind == "veto":
            dept = get_object_or_404(Department, pk=int(request.POST.get("department") or 0))
            actions.record_veto(actor=user, year=year, department=dept, reason=request.POST.get("reason", ""))
            messages.success(request, f"已登记{dept.name}的一票否决事项。")
        elif kind == "close":
            actions.close_year(actor=user, year=year)
            messages.success(request, f"{year}年度考评已结账，结果已冻结。")
        elif kind == "adjust":
            text = request.POST.get("result") or ""
            result = get_object_or_404(YearResult, pk=int(text) if text.isdigit() else 0)
            actions.adjust_year_result(
                actor=user,
                result=result,
                delta=request.POST.get("delta"),
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, f"已登记对“{result.name}”的调整。")
        else:
            raise ValidationError({"kind": "未知的操作。"})
    except ValidationError as exc:
        _errors(request, exc)
    return _back_year(year)


@guarded
def goal_page(request: HttpRequest, goal_id: int | None = None) -> HttpResponse:
    """A goal: the 绩效办 creates or changes it and enters its year-end reviews and spot checks per department;
    a department head involved in it reads it with its reports and reviews."""
    user = _user(request)
    officer = is_officer(user)
    goal = get_object_or_404(Goal, pk=goal_id) if goal_id else None
    if goal is not None and not visible_goals(user, goal.year).filter(pk=goal.pk).exists():
        raise PermissionDenied("该目标不属于您的部门。")
    if goal is None and not officer:
        raise PermissionDenied("只有绩效办人员可以新建目标。")
    year = goal.year if goal is not None else _year(request)
    initial: dict[str, Any] = {"category": GoalCategory.FUNCTIONAL, "weight": 10}
    if goal is not None:
        initial = {
            "title": goal.title,
            "category": goal.category,
            "weight": goal.weight,
            "key_work": goal.key_work,
            "lead": goal.lead_id,
            "assisting": list(goal.assisting.values_list("pk", flat=True)),
        }
    form = GoalForm(initial=initial)
    review_form = ReviewForm(initial={"kind": ReviewKind.YEAR_END, "period": 0})
    if request.method == "POST":
        if not officer:
            raise PermissionDenied("只有绩效办人员可以进行此操作。")
        if request.POST.get("form") == "review" and goal is not None:
            review_form = ReviewForm(request.POST)
            if review_form.is_valid():
                c = review_form.cleaned_data
                try:
                    actions.review_goal(
                        actor=user,
                        goal=goal,
                        department=c["department"],
                        kind=c["kind"],
                        score=c["score"],
                        period=c["period"] or 0,
                        note=c["note"],
                    )
                    messages.success(
                        request, f"已登记{c['department'].name}的{ReviewKind(c['kind']).label}。"
                    )
                    return redirect("evaluation:goal", goal_id=goal.pk)
                except ValidationError as exc:
                    review_form.put_errors(exc)
        else:
            form = GoalForm(request.POST)
            if form.is_valid():
                c = form.cleaned_data
                try:
                    saved = actions.save_goal(
                        actor=user,
                        year=year,
                        title=c["title"],
                        category=c["category"],
                        weight=c["weight"],
                        lead=c["lead"],
                        assisting=list(c["assisting"]),
                        key_work=c["key_work"],
                        goal=goal,
                    )
                    messages.success(request, f"已保存目标“{saved.title}”。")
                    return redirect("evaluation:goal", goal_id=saved.pk)
                except ValidationError as exc:
                    form.put_errors(exc)
    reviews = GoalReview.objects.filter(goal=goal).select_related("department")
    reports = GoalReport.objects.filter(goal=goal).select_related("department")
    if not may_read(user):  # a department head: their departments' records only
        reviews = reviews.filter(department_id__in=department_ids(user))
        reports = reports.filter(department_id__in=department_ids(user))
    context: dict[str, Any] = {
        "year": year,
        "goal": goal,
        "form": form,
        "review_form": review_form,
        "officer": officer,
        "closed": closed_year(year) is not None,
        "reviews": reviews.order_by("department__name", "kind", "period"),
        "reports": reports.order_by("month", "department__name"),
    }
    # A POST that comes back here failed (a success redirects): 422 with the errors on the form.
    return render(request, "evaluation/goal.html", context, status=422 if request.method == "POST" else 200)


@guarded
def year_excel(request: HttpRequest) -> HttpResponse:
    require_reader(_user(request))
    year = _year(request)
    response = HttpResponse(year_workbook(year_results(year)), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="evaluation-{year}.xlsx"'
    return response


def _honours(month: dt.date | None) -> dict[str, Any]:
    """A closed month's honours by title (names only): what the public page and the big screen show."""
    period = (
        closed_period(month) if month else EvaluationMonth.objects.filter(status=MonthStatus.CLOSED).first()
    )
    if period is None:
        return {"month": None, "titles": []}
    rows = MonthlyResult.objects.filter(period=period).exclude(title="").order_by("rank", "name")
    titles = []
    for title in (Title.RED_FLAG, Title.QUALITY, Title.STAR, Title.MODEL_POST):
        names = [r.name for r in rows if r.title == title]
        titles.append({"title": title.label, "names": names})
    return {"month": f"{period.month:%Y-%m}", "titles": titles}


def _public_month(request: HttpRequest) -> dt.date | None:
    try:
        return parse_month(request.GET["month"]) if request.GET.get("month") else None
    except ValidationError:
        return None


def public_page(request: HttpRequest) -> HttpResponse:
    """No login: the honours of the latest closed month (or the one asked for)."""
    return render(request, "evaluation/public.html", _honours(_public_month(request)))


def public_json(request: HttpRequest) -> JsonResponse:
    """The big screen's feed: the same honours as the public page."""
    return JsonResponse(_honours(_public_month(request)), json_dumps_params={"ensure_ascii": False})
