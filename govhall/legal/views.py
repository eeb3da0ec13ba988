"""The legal office's pages: the register of lawsuits and reconsiderations, a page for each with its time limits and
the next steps, and the year's figures with the quarterly summaries. Reads through `queries`, writes through
`actions`; an agency's head sees and answers only its own lawsuits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as djforms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from govhall.calendars.engine import local_date
from govhall.clocks.actions import status as clock_status
from govhall.clocks.models import Clock
from govhall.core.clock import now

from . import actions, forms, queries
from .access import is_legal_officer
from .models import CourtSummary, Hearing, Lawsuit, Reconsideration
from .report import annual_report
from .rules import reason_labels

View = Callable[..., HttpResponseBase]


def guarded(view: View) -> View:
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            if not queries.may_use(request.user):
                raise PermissionDenied("此页面需要“法制办”角色，或被告机关的负责人、审批人员。")
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return render(request, "403.html", {"exception": str(exc)}, status=403)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _apply_errors(form: djforms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


def _run(request: HttpRequest, form: djforms.Form, do: Callable[[dict[str, Any]], Any], done: str) -> bool:
    if not form.is_valid():
        return False
    try:
        do(form.cleaned_data)
    except ValidationError as exc:
        _apply_errors(form, exc)
        return False
    messages.success(request, done)
    return True


def _clock(clock: Clock | None) -> dict[str, Any] | None:
    if clock is None:
        return None
    return {"clock": clock, "status": clock_status(clock)}


@guarded
@require_http_methods(["GET", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    officer = is_legal_officer(request.user)
    suit_form = forms.LawsuitForm(request.POST if request.POST.get("op") == "lawsuit" else None)
    recon_form = forms.ReconForm(request.POST if request.POST.get("op") == "recon" else None)
    if request.method == "POST":
        user = request.user
        if request.POST.get("op") == "lawsuit":

            def do_suit(d: dict[str, Any]) -> Lawsuit:
                parent = Lawsuit.objects.filter(pk=d["parent_id"]).first() if d.get("parent_id") else None
                return actions.register_lawsuit(
                    by=user,  # type: ignore[arg-type]
                    department=d["department"],
                    court=d["court"],
                    case_number=d["case_number"],
                    stage=d["stage"],
                    parent=parent,
                    plaintiffs=d["plaintiffs"],
                    plaintiff_count=d.get("plaintiff_count"),
                    cause=d["cause"],
                    act_source=d["act_source"],
                    act_case_number=d.get("act_case_number") or "",
                    act_request_number=d.get("act_request_number") or "",
                    act_description=d.get("act_description") or "",
                    notice_received_on=d["notice_received_on"],
                    complaint_received_on=d.get("complaint_received_on"),
                    major_impact=d["major_impact"],
                    state_compensation=d["state_compensation"],
                    named_by=d.get("named_by") or "",
                )

            if _run(request, suit_form, do_suit, "已登记行政诉讼案件"):
                return redirect("legal:home")
        elif request.POST.get("op") == "recon":

            def do_recon(d: dict[str, Any]) -> Reconsideration:
                return actions.receive_reconsideration(
                    by=user,  # type: ignore[arg-type]
                    department=d["department"],
                    applicant_name=d["applicant_name"],
                    applicant_count=d["applicant_count"],
                    act_source=d["act_source"],
                    act_case_number=d.get("act_case_number") or "",
                    act_request_number=d.get("act_request_number") or "",
                    act_description=d.get("act_description") or "",
                    request=d["request"],
                    known_on=d.get("known_on"),
                )

            if _run(request, recon_form, do_recon, "已登记行政复议申请"):
                return redirect("legal:home")
    suits = list(queries.lawsuits_for(request.user)[:200])
    recons = list(queries.reconsiderations_for(request.user)[:200])
    return render(
        request,
        "legal/home.html",
        {
            "suits": [(s, _clock(s.defence_clock)) for s in suits],
            "recons": [(r, _clock(r.decision_clock or r.review_clock)) for r in recons],
            "suit_form": suit_form,
            "recon_form": recon_form,
            "officer": officer,
        },
        status=422 if request.method == "POST" else 200,
    )


@guarded
@require_http_methods(["GET", "POST"])
def lawsuit(request: HttpRequest, pk: int) -> HttpResponse:
    suit = get_object_or_404(queries.lawsuits_for(request.user), pk=pk)
    user: Any = request.user
    op = request.POST.get("op", "")
    bound = {op: request.POST} if request.method == "POST" else {}
    f = {
        "flags": forms.FlagsForm(
            bound.get("flags"),
            initial={
                "major_impact": suit.major_impact,
                "state_compensation": suit.state_compensation,
                "named_by": suit.named_by,
            },
        ),
        "hearing": forms.HearingForm(bound.get("hearing")),
        "confirm": forms.ConfirmForm(bound.get("confirm")),
        "absence": forms.AbsenceForm(bound.get("absence")),
        "record": forms.RecordHearingForm(bound.get("record")),
        "judgment": forms.JudgmentForm(bound.get("judgment")),
        "appeal": forms.AppealForm(bound.get("appeal")),
    }

    def hearing_of(d: dict[str, Any]) -> Hearing:
        return get_object_or_404(Hearing, pk=d["hearing"], lawsuit=suit)

    steps: dict[str, tuple[Callable[[dict[str, Any]], Any], str]] = {
        "flags": (
            lambda d: actions.set_appearance_flags(
                suit,
                by=user,
                major_impact=d["major_impact"],
                state_compensation=d["state_compensation"],
                named_by=d.get("named_by") or "",
            ),
            "已更新负责人出庭情形",
        ),
        "hearing": (
            lambda d: actions.schedule_hearing(
                suit, by=user, scheduled_for=d["scheduled_for"], place=d["place"]
            ),
            "已登记开庭",
        ),
        "confirm": (
            lambda d: actions.confirm_head_appearance(
                hearing_of(d), by=user, head_name=d["head_name"], head_title=d["head_title"]
            ),
            "已确认负责人出庭",
        ),
        "absence": (
            lambda d: actions.explain_absence(
                hearing_of(d), by=user, reason=d["reason"], explanation=d["explanation"]
            ),
            "已提交不能出庭书面说明",
        ),
        "record": (
            lambda d: actions.record_hearing(
                hearing_of(d),
                by=user,
                head_appeared=d["head_appeared"],
                head_name=d["head_name"],
                head_title=d["head_title"],
            ),
            "已记录庭审出庭情况",
        ),
        "judgment": (
            lambda d: actions.record_judgment(
                suit,
                by=user,
                instrument=d["instrument"],
                outcome=d["outcome"],
                served_on=d["served_on"],
                summary=d["summary"],
            ),
            "已登记裁判结果",
        ),
        "appeal": (lambda d: actions.decide_appeal(suit, by=user, appeal=d["appeal"]), "已记录是否上诉"),
    }
    status = 200
    if request.method == "POST":
        if op == "defence":
            try:
                actions.file_defence(suit, by=user)
                messages.success(request, "已提交答辩状和证据")
                return redirect(suit.get_absolute_url())
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
        elif op == "file":
            try:
                actions.file_judgment(suit, by=user)
                messages.success(request, "裁判文书已备案")
                return redirect(suit.get_absolute_url())
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
        elif op in steps:
            do, done = steps[op]
            if _run(request, f[op], do, done):
                return redirect(suit.get_absolute_url())
        status = 422
    hearings = [
        {
            "hearing": h,
            "clock": _clock(h.absence_clock),
            "confirm": forms.ConfirmForm(initial={"hearing": h.pk}),
            "absence": forms.AbsenceForm(initial={"hearing": h.pk}),
            "record": forms.RecordHearingForm(initial={"hearing": h.pk}),
        }
        for h in suit.hearings.select_related("absence_clock")
    ]
    return render(
        request,
        "legal/lawsuit.html",
        {
            "suit": suit,
            "reasons": reason_labels(suit.appearance_reasons),
            "clocks": [
                ("应诉通知报告（3日）", _clock(suit.report_clock)),
                ("答辩举证（15日）", _clock(suit.defence_clock)),
                ("裁判文书备案（10个工作日）", _clock(suit.judgment_filing_clock)),
                ("上诉期限", _clock(suit.appeal_clock)),
            ],
            "hearings": hearings,
            "forms": f,
            "officer": is_legal_officer(request.user),
            "today": local_date(now()),
        },
        status=status,
    )


@guarded
@require_http_methods(["GET", "POST"])
def reconsideration(request: HttpRequest, pk: int) -> HttpResponse:
    recon = get_object_or_404(queries.reconsiderations_for(request.user), pk=pk)
    user: Any = request.user
    op = request.POST.get("op", "")
    bound = {op: request.POST} if request.method == "POST" else {}
    f: dict[str, djforms.Form] = {
        "accept": forms.AcceptForm(bound.get("accept")),
        "refuse": forms.RefuseForm(bound.get("refuse")),
        "hear": forms.HearForm(bound.get("hear")),
        "extend": forms.ExtendForm(bound.get("extend")),
        "decide": forms.DecideForm(bound.get("decide")),
    }
    steps: dict[str, tuple[Callable[[dict[str, Any]], Any], str]] = {
        "accept": (
            lambda d: actions.accept_reconsideration(recon, by=user, procedure=d["procedure"]),
            "已受理",
        ),
        "refuse": (
            lambda d: actions.refuse_reconsideration(recon, by=user, ground=d["ground"], reason=d["reason"]),
            "已决定不予受理",
        ),
        "hear": (lambda d: actions.hear_reconsideration(recon, by=user, note=d["note"]), "已记录审理"),
        "extend": (
            lambda d: actions.extend_reconsideration(recon, by=user, reason=d["reason"], days=d["days"]),
            "已延长审理期限",
        ),
        "decide": (
            lambda d: actions.decide_reconsideration(recon, by=user, outcome=d["outcome"], text=d["text"]),
            "已作出复议决定",
        ),
    }
    status = 200
    if request.method == "POST":
        if op in steps:
            if not is_legal_officer(user):
                raise PermissionDenied("只有法制机构工作人员可以办理行政复议")
            do, done = steps[op]
            if _run(request, f[op], do, done):
                return redirect(recon.get_absolute_url())
        status = 422
    return render(
        request,
        "legal/reconsideration.html",
        {
            "recon": recon,
            "review": _clock(recon.review_clock),
            "decision": _clock(recon.decision_clock),
            "late_application": actions.application_late(recon),
            "forms": f,
            "officer": is_legal_officer(user),
        },
        status=status,
    )


@guarded
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    if not queries.sees_all(request.user):
        raise PermissionDenied("年度法治政府建设数据需要“法制办”、效能监察或领导角色。")
    try:
        year = int(request.GET.get("year") or local_date(now()).year)
    except ValueError:
        year = local_date(now()).year
    form = forms.SummaryForm(request.POST or None, initial={"year": year})
    status = 200
    if request.method == "POST":
        user: Any = request.user
        if _run(
            request,
            form,
            lambda d: actions.issue_court_summary(by=user, year=d["year"], quarter=d["quarter"]),
            "已生成季度通报",
        ):
            return redirect(f"{request.path}?year={form.cleaned_data['year']}")
        status = 422
    return render(
        request,
        "legal/report.html",
        {
            "year": year,
            "figures": annual_report(year),
            "summaries": CourtSummary.objects.filter(year=year).order_by("quarter"),
            "form": form,
            "officer": is_legal_officer(request.user),
        },
        status=status,
    )
