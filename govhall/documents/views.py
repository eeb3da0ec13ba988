"""The public verification pages: anyone holding a notice can check it, the QR code leads here."""

from __future__ import annotations

import hmac
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from .actions import sealed_pdf
from .choices import DocumentStatus
from .forms import VerifyUploadForm
from .models import Document
from .naming import organ_name
from .signing import VerificationReport, verify_bytes


def mask_name(name: str) -> str:
    """张* / 欧阳** for people; 容县******公司 for organisations: enough to recognise, not to harvest."""
    name = name.strip()
    if len(name) <= 1:
        return "*" * len(name)
    if len(name) <= 4:
        return name[0] + "*" * (len(name) - 1)
    return name[:2] + "*" * (len(name) - 4) + name[-2:]


def _token_matches(request: HttpRequest, document: Document) -> bool:
    token = request.GET.get("t", "")
    return bool(token) and hmac.compare_digest(token.encode(), document.verify_token.encode())


def _upload(request: HttpRequest) -> tuple[VerifyUploadForm, VerificationReport | None, int]:
    if request.method != "POST":
        return VerifyUploadForm(), None, 200
    form = VerifyUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return form, None, 400
    return form, verify_bytes(form.cleaned_data["file"]), 200


@require_http_methods(["GET", "POST"])
def verify_upload(request: HttpRequest) -> HttpResponse:
    form, report, status = _upload(request)
    return render(request, "documents/verify.html", {"form": form, "report": report}, status=status)


@require_http_methods(["GET", "POST"])
def document_detail(request: HttpRequest, number: str) -> HttpResponse:
    document = get_object_or_404(Document.objects.select_related("department", "seal"), number=number)
    token_ok = _token_matches(request, document)
    form, report, status = _upload(request)
    stored = None
    if document.status == DocumentStatus.SEALED and document.pdf:
        stored = verify_bytes(bytes(document.pdf))
    context: dict[str, Any] = {
        "document": document,
        "organ": organ_name(document.department),
        "recipient": document.recipient if token_ok else mask_name(document.recipient),
        "token": request.GET.get("t", "") if token_ok else "",
        "stored": stored,
        "form": form,
        "report": report,
        "other_number": report is not None and bool(report.number) and report.number != document.number,
    }
    return render(request, "documents/detail.html", context, status=status)


@require_GET
def document_pdf(request: HttpRequest, number: str) -> HttpResponse:
    document = get_object_or_404(Document, number=number)
    if not _token_matches(request, document):
        raise PermissionDenied("下载文书需要文书上二维码中的验证令牌。")
    response = HttpResponse(sealed_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"{document.number}.pdf") or ""
    response["Cache-Control"] = "private, no-store"
    return response
