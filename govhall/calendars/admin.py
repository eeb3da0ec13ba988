"""Admin for the holiday table. Every write goes through govhall.calendars.actions (audit + revision bump);
a whole year is entered on the "录入年度安排" screen (paste or upload, preview, confirm)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html

from govhall.core.admin import ActionAdmin
from govhall.core.auth import signed_in

from . import actions, engine, importing
from .choices import CalendarSource, DayKind
from .models import CalendarDay, CalendarYear

WEEKDAYS = "一二三四五六日"


def _badge(label: str, color: str) -> str:
    return format_html('<span class="govhall-badge govhall-badge-{}">{}</span>', color, label)


def _count_subquery(kind: str) -> Coalesce:
    rows = (
        CalendarDay.objects.filter(date__year=OuterRef("year"), kind=kind)
        .order_by()
        .values("kind")
        .annotate(c=Count("id"))
        .values("c")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


class ArrangementForm(forms.Form):
    text = forms.CharField(
        label="安排内容",
        required=False,
        widget=forms.Textarea(attrs={"rows": 18, "cols": 80, "style": "font-family: monospace"}),
        help_text="每行一项：2027-01-01,元旦 ／ 2027-02-05,2027-02-12,春节 ／ 2027-02-14,调休上班,春节",
    )
    upload = forms.FileField(label="或上传文本文件", required=False)
    notice_title = forms.CharField(label="通知标题", max_length=200, required=False)
    year = forms.IntegerField(label="年度", required=False, help_text="可不填，按文件中的日期确定")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("upload")
        if upload:
            if upload.size > 256 * 1024:
                raise ValidationError("文件过大（最多 256 KB）")
            try:
                data["text"] = importing.decode_upload(upload.read())
            except importing.ArrangementError as exc:
                raise ValidationError(exc.errors) from None
        if not (data.get("text") or "").strip():
            raise ValidationError("请粘贴安排内容或上传文件")
        return data


@admin.register(CalendarYear)
class CalendarYearAdmin(ActionAdmin):
    list_display = [
        "year",
        "confirmed",
        "source_badge",
        "notice_title",
        "holiday_count",
        "makeup_count",
        "confirmed_at",
        "confirmed_by",
    ]
    list_filter = ["confirmed", "source"]
    search_fields = ["notice_title"]
    readonly_fields = [
        "year",
        "confirmed",
        "source",
        "notice_title",
        "confirmed_at",
        "confirmed_by",
        "days_link",
    ]
    change_list_template = "admin/calendars/calendaryear/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[CalendarYear]:
        queryset: QuerySet[CalendarYear] = (
            super()
            .get_queryset(request)
            .select_related("confirmed_by")
            .annotate(n_holidays=_count_subquery(DayKind.HOLIDAY), n_makeups=_count_subquery(DayKind.MAKEUP))
        )
        return queryset

    @admin.display(description="来源", ordering="source")
    def source_badge(self, obj: CalendarYear) -> str:
        return _badge(obj.get_source_display(), CalendarSource.color_of(obj.source))

    @admin.display(description="放假天数", ordering="n_holidays")
    def holiday_count(self, obj: Any) -> int:
        return int(obj.n_holidays)

    @admin.display(description="调休上班天数", ordering="n_makeups")
    def makeup_count(self, obj: Any) -> int:
        return int(obj.n_makeups)

    @admin.display(description="节假日明细")
    def days_link(self, obj: CalendarYear) -> str:
        url = reverse("admin:calendars_calendarday_changelist") + f"?year={obj.year}"
        return format_html('<a href="{}">查看 {} 年的节假日与调休日</a>', url, obj.year)

    # Years are created and changed only by confirming an arrangement (importing.import_arrangement, audited,
    # revision bumped) on the confirmation screen: no hooks, so the change form is read-only.
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The change list shows the confirmation button to those who may confirm.
        return obj is None and self._can_confirm(request)

    def get_urls(self) -> list[URLPattern]:
        custom = [
            path(
                "confirm/",
                self.admin_site.admin_view(self.confirm_view),
                name="calendars_calendaryear_confirm",
            )
        ]
        return custom + super().get_urls()

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = {**(extra_context or {}), "can_confirm": self._can_confirm(request)}
        return super().changelist_view(request, extra_context)

    def _can_confirm(self, request: HttpRequest) -> bool:
        return request.user.has_perm("calendars.change_calendaryear")

    def confirm_view(self, request: HttpRequest) -> HttpResponse:
        if not self._can_confirm(request):
            raise PermissionDenied
        preview: importing.ParsedArrangement | None = None
        errors: list[str] = []
        form = ArrangementForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            text = form.cleaned_data["text"]
            title = form.cleaned_data["notice_title"] or None
            year = form.cleaned_data["year"]
            try:
                if "confirm" in request.POST:
                    cy = importing.import_arrangement(
                        text, notice_title=title, year=year, actor=signed_in(request)
                    )
                    messages.success(request, f"已确认 {cy.year} 年节假日安排：{cy.notice_title}")
                    return HttpResponseRedirect(reverse("admin:calendars_calendaryear_changelist"))
                preview = importing.parse_arrangement(text, year=year)
                if not (title or preview.notice_title):
                    errors.append("缺少通知标题：请填写“通知标题”或在内容中加一行“通知,……”")
                    preview = None
            except importing.ArrangementError as exc:
                errors = exc.errors
            # Carry the parsed text (possibly from an upload) into the confirmation step.
            form = ArrangementForm(
                initial={
                    "text": text,
                    "notice_title": title or "",
                    "year": year or (preview and preview.year),
                }
            )
        next_year = timezone.localdate().year + 1
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "录入并确认年度节假日安排",
            "form": form,
            "errors": errors,
            "preview": preview,
            "preview_rows": self._preview_rows(preview) if preview else [],
            "existing": CalendarYear.objects.filter(pk=preview.year).first() if preview else None,
            "example": (
                f"通知,国务院办公厅关于{next_year}年部分节假日安排的通知\n"
                f"{next_year}-01-01,元旦\n"
                f"{next_year}-02-05,{next_year}-02-12,春节\n"
                f"{next_year}-02-14,调休上班,春节"
            ),
        }
        return TemplateResponse(request, "admin/calendars/calendaryear/confirm.html", context)

    @staticmethod
    def _preview_rows(parsed: importing.ParsedArrangement) -> list[dict[str, Any]]:
        rows = [(d, "休", n) for d, n in parsed.holidays] + [(d, "班", n) for d, n in parsed.makeup_days]
        return [
            {"date": d, "weekday": f"周{WEEKDAYS[d.weekday()]}", "kind": k, "name": n}
            for d, k, n in sorted(rows)
        ]


class YearFilter(admin.SimpleListFilter):
    title = "年度"
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        years = CalendarYear.objects.order_by("-year").values_list("year", flat=True)
        return [(str(y), f"{y}年") for y in years]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(date__year=int(value))
        return queryset


if TYPE_CHECKING:  # generic for the type checker only
    _CalendarDayFormBase = forms.ModelForm[CalendarDay]
else:
    _CalendarDayFormBase = forms.ModelForm


class CalendarDayForm(_CalendarDayFormBase):
    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "name"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day = data.get("date") or (self.instance.date if self.instance.pk else None)
        kind = data.get("kind")
        if isinstance(day, date) and kind:
            try:
                problems = actions.check_day(day, kind, data.get("name") or "")
            except ValueError as exc:
                problems = [str(exc)]
            if problems:
                raise ValidationError(problems)
        return data


@admin.register(CalendarDay)
class CalendarDayAdmin(ActionAdmin):
    form = CalendarDayForm
    list_display = ["date", "weekday", "kind_badge", "name", "provisional_note"]
    list_filter = [YearFilter, "kind"]
    search_fields = ["name"]
    date_hierarchy = "date"
    ordering = ["date"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Moving a row to another date is a removal plus an addition; keep the two audit events honest.
        return ["date"] if obj is not None else []

    @admin.display(description="星期")
    def weekday(self, obj: CalendarDay) -> str:
        return f"周{WEEKDAYS[obj.date.weekday()]}"

    @admin.display(description="类型", ordering="kind")
    def kind_badge(self, obj: CalendarDay) -> str:
        return _badge(obj.get_kind_display(), DayKind.color_of(obj.kind))

    @admin.display(description="说明")
    def provisional_note(self, obj: CalendarDay) -> str:
        return "" if engine.get_calendar().is_confirmed(obj.date.year) else "所在年度未确认，暂不生效"

    def create_object(self, request: HttpRequest, form: Any, formsets: list[Any]) -> CalendarDay:
        data = form.cleaned_data
        return actions.set_day(
            data["date"], data["kind"], data["name"], actor=signed_in(request), note="管理后台修改"
        )

    def update_object(
        self, request: HttpRequest, obj: CalendarDay, changes: dict[str, Any], form: Any, formsets: list[Any]
    ) -> CalendarDay:
        kind, name = changes.get("kind", obj.kind), changes.get("name", obj.name)
        return actions.set_day(obj.date, kind, name, actor=signed_in(request), note="管理后台修改")

    def delete_object(self, request: HttpRequest, obj: CalendarDay) -> None:
        actions.remove_day(obj.date, actor=signed_in(request), note="管理后台删除")
