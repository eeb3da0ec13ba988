"""Rating pages: the applicant's rating (signed link from the notice's QR code or the SMS, own account online), the
window rating device, the hotline entry, the staff home (bad reviews, appeals), a bad review's handling page and the
public results. Every change goes through `ratings.actions`."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from govhall.calendars.engine import local_date
from govhall.cases.choices import CaseStatus
from govhall.cases.models import Case
from govhall.clocks.actions import status as clock_status
from govhall.core.auth import signed_in
from govhall.core.clock import now
from govhall.org.access import has_role, require_role
from govhall.org.choices import Role
from govhall.org.models import Department, Window

from . import actions, tokens
from .choices import OPEN_REVIEW, AppealStatus, Level, RatingChannel, ReviewStatus
from .forms import (
    AppealForm,
    CallbackForm,
    DecideAppealForm,
    FeedbackForm,
    HotlineRatingForm,
    RatingForm,
    RectifyForm,
    VerifyForm,
)
from .models import Appeal, BadReview, Rating
from .queries import (
    appeals_for,
    may_see_rater,
    rating_counts,
    ratings_about,
    rectification_figures,
    reviews_for,
)

STAFF_ROLES = tuple(Role)


def _apply_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            key = field if field in form.fields else None
            if field.startswith("dimension_") and f"dim_{field[10:]}" in form.fields:
                key = f"dim_{field[10:]}"
            form.add_error(key, errs)
    else:
        form.add_error(None, exc.messages)


def _rating_context(case: Case) -> dict[str, Any]:
    rating = Rating.objects.filter(case=case).select_related("review").first()
    review = getattr(rating, "review", None) if rating is not None else None
    return {"case": case, "rating": rating, "review": review}


# ---------------------------------------------------------------- the applicant


def _rate(
    request: HttpRequest, case: Case, *, channel: str, template: str = "ratings/rate.html", **proof: str
) -> HttpResponse:
    context = _rating_context(case)
    dims = actions.dimensions_for(case)
    form = RatingForm(request.POST or None, dimensions=dims)
    if request.method == "POST" and context["rating"] is None and form.is_valid():
        try:
            actions.submit_rating(
                case,
                channel=channel,
                level=form.cleaned_data["level"],
                dimensions=form.dimensions(),
                comment=form.cleaned_data["comment"],
                anonymous=form.cleaned_data["anonymous"],
                by=request.user,
                **proof,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "感谢您的评价！")
            return redirect(request.get_full_path())
    context.update(form=form, concluded=case.status == CaseStatus.CONCLUDED, levels=list(Level))
    return render(request, template, context, status=422 if form.errors else 200)


def _case_from_token(token: str) -> Case:
    pk = tokens.read(tokens.CASE_SALT, token)
    case = (
        Case.objects.select_related("item", "department", "applicant").filter(pk=pk).first() if pk else None
    )
    if case is None:
        raise Http404("评价链接无效")
    return case


def rate_sms(request: HttpRequest, token: str) -> HttpResponse:
    return _rate(request, _case_from_token(token), channel=RatingChannel.SMS, token=token)


def rate_qr(request: HttpRequest, token: str) -> HttpResponse:
    return _rate(request, _case_from_token(token), channel=RatingChannel.QR, token=token)


@login_required
def rate_online(request: HttpRequest, number: str) -> HttpResponse:
    """一事一评 on the applicant's own account, from their case page."""
    me = signed_in(request)
    case = (
        Case.objects.select_related("item", "department", "applicant")
        .filter(number=number, applicant__user=me)
        .first()
    )
    if case is None:
        raise Http404("办件不存在")
    return _rate(request, case, channel=RatingChannel.ONLINE)


def case_panel(request: HttpRequest, case: Case) -> SafeString:
    """The rating section of the applicant's case page (registered with the cases portal)."""
    context = _rating_context(case) | {
        "concluded": case.status == CaseStatus.CONCLUDED,
        "rate_url": reverse("ratings:online", args=[case.number]),
    }
    return mark_safe(render_to_string("ratings/_case_panel.html", context, request=request))


# ---------------------------------------------------------------- window rating device


def _window_case(window: Window) -> Case | None:
    """The case just handled at this window (received, accepted or concluded there in the last minutes), unrated."""
    since = now() - timedelta(minutes=int(settings.GOVHALL_RATING_WINDOW_MINUTES))
    candidates = (
        Case.objects.filter(window=window, rating__isnull=True)
        .exclude(status=CaseStatus.WITHDRAWN)
        .filter(Q(concluded_at__gte=since) | Q(accepted_at__gte=since) | Q(received_at__gte=since))
        .select_related("item", "department")[:50]
    )

    def last(case: Case) -> Any:
        return max(t for t in (case.concluded_at, case.accepted_at, case.received_at) if t is not None)

    return max(candidates, key=last, default=None)


def window_device(request: HttpRequest, window_id: int) -> HttpResponse:
    """评价器: a tablet at the window shows the case just handled there and the applicant taps the stars."""
    window = get_object_or_404(Window.objects.select_related("hall", "department"), pk=window_id)
    key = request.GET.get("key", "") or request.POST.get("key", "")
    if tokens.read(tokens.DEVICE_SALT, key) != window.pk:
        raise PermissionDenied("评价器未绑定本窗口（请由中心管理员在好差评页面打开本窗口的评价器）")
    case = _window_case(window)
    form = None
    thanks = request.GET.get("done") == "1"
    if case is not None:
        form = RatingForm(request.POST or None, dimensions=actions.dimensions_for(case))
        if request.method == "POST" and request.POST.get("case") == case.number and form.is_valid():
            try:
                actions.submit_rating(
                    case,
                    channel=RatingChannel.WINDOW,
                    level=form.cleaned_data["level"],
                    dimensions=form.dimensions(),
                    comment=form.cleaned_data["comment"],
                    anonymous=form.cleaned_data["anonymous"],
                    device_key=key,
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                return redirect(f"{request.path}?key={key}&done=1")
    return render(
        request,
        "ratings/window.html",
        {"window": window, "case": case, "form": form, "key": key, "thanks": thanks},
        status=422 if form is not None and form.errors else 200,
    )


def _qr_svg(value: str) -> SafeString:
    from reportlab.graphics import renderSVG
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    widget = QrCodeWidget(value, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    size = 220
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    svg = str(renderSVG.drawToString(drawing))
    return mark_safe(svg[svg.index("<svg") :])


@login_required
def window_card(request: HttpRequest, window_id: int) -> HttpResponse:
    """The printable window card (窗口评价二维码): the QR code opens the window's rating page on the applicant's own
    phone, which offers the case just handled at that window (一次一评)."""
    window = get_object_or_404(Window.objects.select_related("hall", "department"), pk=window_id)
    user = signed_in(request)
    staff = getattr(user, "staff", None)
    if not (
        user.is_superuser
        or has_role(user, Role.CENTER_ADMIN, Role.SUPERVISOR)
        or (staff is not None and staff.window_id == window.pk)
    ):
        raise PermissionDenied("只有中心管理员、效能监察人员和本窗口工作人员可以打印窗口评价二维码")
    url = (
        settings.GOVHALL_PUBLIC_URL
        + reverse("ratings:window", args=[window.pk])
        + f"?key={tokens.device_key(window.pk)}"
    )
    return render(request, "ratings/card.html", {"window": window, "qr": _qr_svg(url), "url": url})


# ---------------------------------------------------------------- staff


def _require_staff(request: HttpRequest) -> None:
    require_role(request.user, *STAFF_ROLES, message="好差评管理页面仅限工作人员")


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    """What the signed-in staff member has to do about ratings: bad reviews to verify, rectify and feed back,
    appeals to decide, and the ratings of their own service (without who gave them)."""
    _require_staff(request)
    user = signed_in(request)
    reviews = reviews_for(user).filter(status__in=OPEN_REVIEW).order_by("clock__due_at", "pk")
    appeals = appeals_for(user).filter(status=AppealStatus.PENDING).order_by("filed_at")
    windows: list[tuple[Window, str]] = []
    if user.is_superuser or has_role(user, Role.CENTER_ADMIN, Role.SUPERVISOR):
        windows = [
            (w, tokens.device_key(w.pk))
            for w in Window.objects.filter(active=True).order_by("hall", "number")[:200]
        ]
    else:
        staff = getattr(user, "staff", None)
        if staff is not None and staff.window_id is not None and staff.window is not None:
            windows = [(staff.window, tokens.device_key(staff.window_id))]
    return render(
        request,
        "ratings/staff_home.html",
        {
            "reviews": [(r, clock_status(r.clock)) for r in reviews[:200]],
            "appeals": appeals[:200],
            "can_decide": has_role(user, Role.SUPERVISOR),
            "mine": ratings_about(user).order_by("-rated_at")[:50],
            "windows": windows,
            "hotline": has_role(user, Role.HOTLINE_OPERATOR, Role.SUPERVISOR),
        },
    )


def _review_or_404(request: HttpRequest, number: str) -> BadReview:
    review = reviews_for(request.user).filter(number=number).first()
    if review is None:
        if BadReview.objects.filter(number=number).exists():
            raise PermissionDenied("只有被评价部门负责人和效能监察人员可以查看差评整改")
        raise Http404("差评整改不存在")
    return review


OPS: dict[str, type[forms.Form]] = {
    "verify": VerifyForm,
    "callback": CallbackForm,
    "rectify": RectifyForm,
    "feedback": FeedbackForm,
    "appeal": AppealForm,
}


@login_required
def review_detail(request: HttpRequest, number: str) -> HttpResponse:
    review = _review_or_404(request, number)
    user = signed_in(request)
    bound: dict[str, forms.Form] = {}
    op = request.POST.get("op", "")
    if request.method == "POST":
        if op not in OPS:
            raise PermissionDenied("未知操作")
        form = OPS[op](request.POST, request.FILES)
        bound[op] = form
        if form.is_valid():
            data = form.cleaned_data
            try:
                if op == "verify":
                    actions.verify_review(
                        review, by=user, finding=data["finding"], verification=data["verification"]
                    )
                elif op == "callback":
                    actions.record_callback(review, by=user, result=data["result"], notes=data["notes"])
                elif op == "rectify":
                    actions.rectify_review(review, by=user, rectification=data["rectification"])
                elif op == "feedback":
                    actions.feed_back(review, by=user, feedback=data["feedback"])
                else:
                    actions.file_appeal(
                        review.rating,
                        by=user,
                        ground=data["ground"],
                        reason=data["reason"],
                        evidence=data["evidence"],
                        evidence_file=data.get("evidence_file"),
                    )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, "已保存")
                return redirect("ratings:review", number=review.number)
    forms_ = {name: bound.get(name) or cls() for name, cls in OPS.items()}
    review = _review_or_404(request, number)
    case = Case.objects.only("applicant_name", "applicant_phone", "number").get(pk=review.rating.case_id)
    return render(
        request,
        "ratings/review.html",
        {
            "review": review,
            "rating": review.rating,
            "clock": clock_status(review.clock),
            "forms": forms_,
            "show_rater": may_see_rater(user, review),
            "case": case,
            "callbacks": review.callbacks.all(),
            "appeals": review.rating.appeals.all(),
            "can_handle": actions.can_handle_review(user, review.department_id),
            "events": review.rating.events.all(),
        },
        status=422 if any(f.errors for f in bound.values()) else 200,
    )


@login_required
def appeal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    appeal = appeals_for(user).filter(pk=pk).first()
    if appeal is None:
        if Appeal.objects.filter(pk=pk).exists():
            raise PermissionDenied("无权查看该申诉")
        raise Http404("申诉不存在")
    form = DecideAppealForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.decide_appeal(
                    appeal,
                    by=user,
                    upheld=form.cleaned_data["upheld"],
                    decision=form.cleaned_data["decision"],
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, "已复核")
                return redirect("ratings:appeal", pk=appeal.pk)
        else:
            # Only a supervisor gets as far as the form's errors.
            require_role(user, Role.SUPERVISOR, message="只有效能监察人员可以复核申诉")
    appeal.refresh_from_db()
    return render(
        request,
        "ratings/appeal.html",
        {"appeal": appeal, "form": form, "can_decide": has_role(user, Role.SUPERVISOR)},
        status=422 if form.errors else 200,
    )


@login_required
def hotline_entry(request: HttpRequest) -> HttpResponse:
    """12345 hotline: the operator enters the rating the caller gives, after the caller read out the check code."""
    require_role(
        request.user,
        Role.HOTLINE_OPERATOR,
        Role.SUPERVISOR,
        message="只有热线话务员和效能监察人员可以录入热线评价",
    )
    form = HotlineRatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        case = Case.objects.filter(number=form.cleaned_data["case_number"].strip()).first()
        if case is None:
            form.add_error("case_number", "办件编号不存在")
        else:
            try:
                actions.submit_rating(
                    case,
                    channel=RatingChannel.HOTLINE,
                    level=form.cleaned_data["level"],
                    comment=form.cleaned_data["comment"],
                    anonymous=form.cleaned_data["anonymous"],
                    check_code=form.cleaned_data["check_code"],
                    by=request.user,
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, f"已录入办件 {case.number} 的热线评价")
                return redirect("ratings:hotline")
    return render(request, "ratings/hotline.html", {"form": form}, status=422 if form.errors else 200)


# ---------------------------------------------------------------- public


def _month(text: str | None) -> tuple[date, date]:
    first: date | None = None
    if text:
        try:
            year, month = (int(p) for p in text.split("-"))
            first = date(year, month, 1)
        except ValueError:
            first = None
    if first is None:
        first = local_date(now()).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def public_results(request: HttpRequest) -> HttpResponse:
    """公开: satisfaction per department and the rectifications fed back in the month; nothing about raters."""
    period = _month(request.GET.get("month"))
    counts = rating_counts(period, "department")
    names = dict(Department.objects.filter(pk__in=list(counts)).values_list("pk", "name"))
    rows: list[dict[str, Any]] = []
    for pk, c in counts.items():
        rate = round(100 * c["satisfied"] / c["rated"], 2) if c["rated"] else None
        rows.append({"name": names.get(pk, ""), "rate": rate, **c})
    rows.sort(key=lambda r: (-(r["rate"] or 0.0), r["name"]))
    total = rating_counts(period)[None]
    rectified = (
        BadReview.objects.filter(
            status=ReviewStatus.CLOSED, fed_back_at__date__gte=period[0], fed_back_at__date__lte=period[1]
        )
        .select_related("rating__item", "department")
        .order_by("-fed_back_at")[:100]
    )
    return render(
        request,
        "ratings/public.html",
        {
            "month": f"{period[0]:%Y-%m}",
            "rows": rows,
            "total": total,
            "rate": round(100 * total["satisfied"] / total["rated"], 2) if total["rated"] else None,
            "figures": rectification_figures(period),
            "rectified": rectified,
        },
    )
