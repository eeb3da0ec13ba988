"""Inspection pages: the staff desk (plans, the draw, inspections and their forms, entities) and the public results
page (一公开). Reads go through `inspections.access`, writes through `inspections.actions`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from govhall.org.access import departments_for
from govhall.org.models import Department

from . import access, actions
from .choices import Campaign, Grade, InspectionStatus, OrderStatus, PlanKind, TestResult
from .models import ChecklistItem, GradeChange, RiskClass
from .publishing import records_for

View = Callable[..., HttpResponseBase]


def guarded(view: View) -> View:
    """Logged in (else the login page), staff of the module (else the Chinese 403 page with its reason)."""

    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            if not access.is_staff(request.user):
                raise PermissionDenied("此页面需要“监督检查人员”或“部门负责人”角色。")
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return render(request, "403.html", {"exception": str(exc)}, status=403)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _apply_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


class PlanForm(forms.Form):
    name = forms.CharField(label="计划名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=PlanKind.choices)
    campaign = forms.ChoiceField(label="专项内容", choices=Campaign.choices, required=False)
    product_kind = forms.CharField(label="重点品种", max_length=30, required=False)
    department = forms.ModelChoiceField(label="实施部门", queryset=Department.objects.none())
    risk_classes = forms.ModelMultipleChoiceField(
        label="风险等级（不选为全部）", queryset=RiskClass.objects.all(), required=False
    )
    starts_on = forms.DateField(label="开始日期", widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label="结束日期", widget=forms.DateInput(attrs={"type": "date"}))
    sample_size = forms.IntegerField(label="抽取户数（0为全部）", min_value=0, initial=0)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = departments_for(user)


class DrawForm(forms.Form):
    seed = forms.CharField(label="随机种子（留空自动生成）", max_length=64, required=False)


class RectifyForm(forms.Form):
    requirement = forms.CharField(label="整改要求", widget=forms.Textarea(attrs={"rows": 2}))
    days = forms.IntegerField(
        label="整改期限（工作日）", min_value=1, max_value=actions.MAX_RECTIFY_DAYS, initial=10
    )


class ReviewForm(forms.Form):
    note = forms.CharField(label="复查情况", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ReferForm(forms.Form):
    reason = forms.CharField(label="移送理由", widget=forms.Textarea(attrs={"rows": 2}))
    to_unit = forms.CharField(label="移送至", max_length=100)
    penalty_case_number = forms.CharField(label="立案编号", max_length=40, required=False)


class RecordForm(forms.Form):
    """One yes/no per checklist line, the notes and one rapid test (optional)."""

    notes = forms.CharField(label="检查情况", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    sample = forms.CharField(label="快检样品", max_length=60, required=False)
    test_item = forms.CharField(label="检测项目", max_length=60, required=False)
    test_result = forms.ChoiceField(label="快检结果", choices=TestResult.choices, required=False)

    def __init__(self, *args: Any, checklist: list[ChecklistItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.checklist = checklist
        for item in checklist:
            self.fields[f"item_{item.pk}"] = forms.ChoiceField(
                label=f"{item.code} {item.text}{'（重点项）' if item.serious else ''}",
                choices=[("yes", "符合"), ("no", "不符合")],
                widget=forms.RadioSelect,
                initial="yes",
            )

    def answers(self) -> list[actions.Answer]:
        return [
            actions.Answer(item, self.cleaned_data[f"item_{item.pk}"] == "yes") for item in self.checklist
        ]

    def tests(self) -> list[actions.Test]:
        sample = self.cleaned_data.get("sample") or ""
        if not sample:
            return []
        return [
            actions.Test(
                sample, self.cleaned_data.get("test_item") or "", self.cleaned_data.get("test_result") or ""
            )
        ]


@guarded
@require_http_methods(["GET", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    """Plans (with the form for a new one), the inspections to do and done, the entities."""
    user = request.user
    form = PlanForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = actions.create_plan(
                by=user,  # type: ignore[arg-type]
                name=data["name"],
                kind=data["kind"],
                campaign=data.get("campaign") or "",
                product_kind=data.get("product_kind") or "",
                department=data["department"],
                risk_classes=data.get("risk_classes") or [],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                sample_size=data.get("sample_size") or 0,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"已制定检查计划“{plan.name}”")
            return redirect(plan.get_absolute_url())
    status = request.GET.get("status", "")
    inspections = access.inspections_for(user)
    if status in InspectionStatus.values:
        inspections = inspections.filter(status=status)
    page = Paginator(inspections.order_by("-planned_on", "-pk"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "inspections/home.html",
        {
            "form": form,
            "plans": access.plans_for(user)[:30],
            "page": page,
            "status": status,
            "statuses": InspectionStatus.choices,
            "entities": access.entities_for(user).order_by("-grade", "name")[:30],
            "entity_count": access.entities_for(user).count(),
        },
    )


@guarded
@require_http_methods(["GET", "POST"])
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    """A plan: its candidates and draw (re-run on the page to verify), the button that draws."""
    obj = get_object_or_404(access.plans_for(request.user), pk=pk)
    form = DrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.draw_plan(obj, by=request.user, seed=form.cleaned_data["seed"])  # type: ignore[arg-type]
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "已随机抽取检查对象和检查人员，名单已公开")
            return redirect(obj.get_absolute_url())
    return render(
        request,
        "inspections/plan.html",
        {
            "plan": obj,
            "form": form,
            "inspections": obj.inspections.select_related("entity", "inspector", "second_inspector"),
            "verified": actions.verify_draw(obj) if obj.draw else None,
            "published": records_for(obj),
        },
    )


@guarded
@require_http_methods(["GET", "POST"])
def inspection(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_object_or_404(access.inspections_for(request.user), pk=pk)
    user: Any = request.user
    checklist = list(ChecklistItem.objects.filter(sector=obj.entity.sector, active=True))
    action = request.POST.get("action", "") if request.method == "POST" else ""
    record_form = RecordForm(request.POST if action == "record" else None, checklist=checklist)
    rectify_form = RectifyForm(request.POST if action == "rectify" else None)
    review_form = ReviewForm(request.POST if action == "review" else None)
    refer_form = ReferForm(request.POST if action == "refer" else None)
    forms_by_action: dict[str, forms.Form] = {
        "record": record_form,
        "rectify": rectify_form,
        "review": review_form,
        "refer": refer_form,
    }
    form = forms_by_action.get(action)
    if form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            if action == "record":
                actions.record_inspection(
                    obj,
                    by=user,
                    answers=record_form.answers(),
                    tests=record_form.tests(),
                    notes=data["notes"],
                )
            elif action == "rectify":
                actions.order_rectification(obj, by=user, requirement=data["requirement"], days=data["days"])
            elif action == "review":
                actions.complete_rectification(obj.rectification, by=user, note=data["note"])
            else:
                actions.refer_case(
                    obj,
                    by=user,
                    reason=data["reason"],
                    to_unit=data["to_unit"],
                    penalty_case_number=data["penalty_case_number"],
                )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect(obj.get_absolute_url())
    order = getattr(obj, "rectification", None)
    return render(
        request,
        "inspections/inspection.html",
        {
            "inspection": obj,
            "findings": obj.findings.select_related("item"),
            "tests": obj.tests.all(),
            "order": order,
            "order_open": order is not None and order.status == OrderStatus.OPEN,
            "referral": getattr(obj, "referral", None),
            "record_form": record_form,
            "rectify_form": rectify_form,
            "review_form": review_form,
            "refer_form": refer_form,
            "planned": obj.status == InspectionStatus.PLANNED,
            "published": records_for(obj),
        },
    )


@guarded
def entity(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_object_or_404(access.entities_for(request.user), pk=pk)
    return render(
        request,
        "inspections/entity.html",
        {
            "entity": obj,
            "licences": obj.licences.all(),
            "inspections": obj.inspections.order_by("-planned_on", "-pk"),
            "changes": obj.grade_changes.all(),
            "per_year": actions.frequency_of(obj),
        },
    )


def results(request: HttpRequest) -> HttpResponse:
    """Public: every recorded inspection result and every grade change, newest first (一公开)."""
    q = (request.GET.get("q") or "").strip()
    rows = access.public_results()
    changes = GradeChange.objects.select_related("entity").order_by("-changed_at", "-pk")
    if q:
        rows = rows.filter(entity__name__contains=q)
        changes = changes.filter(entity__name__contains=q)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "inspections/results.html",
        {"page": page, "changes": changes[:50], "q": q, "grades": Grade.choices},
    )
