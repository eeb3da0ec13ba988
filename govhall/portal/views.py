"""The public pages: home, the item catalog with search and filters, the service guide, the department list.

Kiosks and village agent points use the same pages (domain §13), so everything works without JavaScript;
HTMX only swaps the result list in place."""

from __future__ import annotations

from pathlib import PurePosixPath

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from govhall.catalog.choices import HandlingKind, OnlineDepth, SpecialProcedure
from govhall.catalog.department_api import departments_with_counts
from govhall.catalog.models import Material
from govhall.catalog.queries import compression, published_guide, published_items
from govhall.catalog.search import search_items
from govhall.org.models import Department

from .blank_forms import blank_form_pdf
from .forms import PAGE_SIZE, ItemFilterForm


def _is_htmx_partial(request: HttpRequest) -> bool:
    # A history-restore request (back button after a cache miss) must get the full page.
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def _departments_with_items() -> list[Department]:
    # Departments with nothing published are no use as a starting point for an applicant.
    return [d for d in departments_with_counts() if getattr(d, "item_count", 0)]


def home(request: HttpRequest) -> HttpResponse:
    items = published_items()
    stats = items.aggregate(
        total=Count("id"),
        instant=Count("id", filter=Q(handling_kind=HandlingKind.INSTANT)),
        zero_visit=Count("id", filter=Q(visits=0)),
        full_online=Count("id", filter=Q(online_depth=OnlineDepth.FULL)),
    )
    return render(request, "portal/home.html", {"stats": stats, "departments": _departments_with_items()})


def item_list(request: HttpRequest) -> HttpResponse:
    form = ItemFilterForm(request.GET or None, departments=_departments_with_items())
    filters = form.filters()
    queryset = published_items()
    for name in ("department", "item_type", "visits", "online_depth", "handling_kind"):
        if name in filters:
            field = "department_id" if name == "department" else name
            queryset = queryset.filter(**{field: filters[name]})
    query = filters.get("q", "").strip()
    if query:
        queryset = search_items(queryset, query)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    partial = _is_htmx_partial(request)
    context = {"form": form, "page": page, "query": query, "partial": partial}
    if partial:
        response = render(request, "portal/_item_results.html", context)
    else:
        response = render(request, "portal/item_list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def item_detail(request: HttpRequest, impl_code: str) -> HttpResponse:
    item = published_guide(impl_code)
    if item is None:
        return render(
            request,
            "404.html",
            {"message": _("没有找到该事项，可能编码有误，或事项已调整、暂停办理。")},
            status=404,
        )
    procedures = [
        SpecialProcedure(code).label if code in SpecialProcedure.values else code
        for code in item.special_procedures or []
    ]
    return render(
        request,
        "portal/item_detail.html",
        {
            "item": item,
            "materials": list(item.materials.all()),
            "fees": list(item.fees.all()),
            "compression": compression(item),
            "special_procedures": procedures,
        },
    )


def department_list(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/department_list.html", {"departments": departments_with_counts()})


MATERIAL_FILES = {"form": "blank_form", "sample": "sample"}


def material_file(
    request: HttpRequest, impl_code: str, material_id: int, kind: str
) -> FileResponse | HttpResponse:
    """Blank forms and samples of published items, streamed from storage so intranet halls need no media server.

    A form without an uploaded blank is generated from the item's form fields (blank_forms)."""
    field = MATERIAL_FILES.get(kind)
    material = (
        Material.objects.filter(
            pk=material_id, item__in=published_items(), item__impl_code=impl_code.strip().upper()
        )
        .select_related("item__department")
        .first()
    )
    if material is not None and field == "blank_form" and not material.blank_form and material.is_form:
        pdf = blank_form_pdf(material)
        response = HttpResponse(pdf, content_type="application/pdf")
        name = f"{material.name}-{_('空白表格')}.pdf"
        response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
        return response
    if material is None or field is None or not getattr(material, field):
        raise Http404(_("没有找到该材料文件。"))
    stored = getattr(material, field)
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("该材料文件已不存在，请联系窗口。")) from exc
    extension = PurePosixPath(stored.name).suffix
    label = _("空白表格") if field == "blank_form" else _("示例样表")
    return FileResponse(handle, as_attachment=True, filename=f"{material.name}-{label}{extension}")
