"""Public and staff pages of the disclosure module (filled in below the core)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse("")


catalog = record_detail = lookup = annual_report_view = request_form = progress = answer_pdf = _todo
staff_home = staff_record = staff_record_new = staff_request = _todo
