from __future__ import annotations

import json
import re
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation


class ChineseFirstLocaleMiddleware:
    """Chinese unless the visitor chose another language with the language switch (a cookie).

    Django's LocaleMiddleware follows the browser's Accept-Language, which would show English to a hall kiosk or a
    citizen whose browser happens to be set up in English; the public face of a Chinese hall is Chinese first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


NUL_MESSAGE = (
    "请求中含有空字符（NUL，\\x00）或无效的 Unicode 字符（孤立代理项），已拒绝：请检查输入的内容或文件名。"
)


# "\ud800"…"\udfff" in JSON text: half of a surrogate pair, which JSON allows alone but no UTF-8 text (PostgreSQL,
# the audit chain's hashes, a file name) can hold. A pair decodes to one character and passes.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_nul(value: object) -> bool:
    """NUL, or a lone surrogate: characters no text column, hash or file name can hold."""
    if isinstance(value, str):
        return "\x00" in value or _LONE_SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def error_response(request: HttpRequest, status: int, message: str) -> HttpResponse:
    """A refusal in Chinese: JSON ({"detail": …}) under the API, the site's error page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status, json_dumps_params={"ensure_ascii": False})
    template = "400.html" if status == 400 else "error.html"
    return render(request, template, {"message": message, "status": status}, status=status)


class RejectMalformedInputMiddleware:
    """One gate for input no view should ever see: NUL characters anywhere (path, query, form fields, file names,
    JSON strings, cookies) and over-long URLs.

    PostgreSQL cannot store NUL in text and the file system cannot name a file with it, so such input would otherwise
    fail deep inside a view with a 500; here it is a Chinese 400 before any view or transaction runs. The URL limit
    sits below gunicorn's own (started with --limit-request-line 8190, its maximum, see core/cluster.py), so the answer is
    ours and in Chinese."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.GOVHALL_MAX_URL_LENGTH
        # The URI as the client sent it (percent-encoded): that is what the WSGI server's request-line limit counts, and
        # a decoded PATH_INFO is up to three times shorter than "%E4%B8%AD…", which let long Chinese paths slip past.
        length = len(str(request.META.get("RAW_URI") or request.get_full_path()))
        if length > limit:
            return error_response(
                request, 414, f"请求地址过长（{length} 个字符，上限 {limit}）：请缩短查询条件后重试。"
            )
        if self._has_nul(request):
            return error_response(request, 400, NUL_MESSAGE)
        return self.get_response(request)

    def _has_nul(self, request: HttpRequest) -> bool:
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return True
        if any(_has_nul(k) or _has_nul(v) for k, v in request.GET.lists()):
            return True
        if any(_has_nul(k) or _has_nul(v) for k, v in request.COOKIES.items()):
            return True
        if any(k.startswith("HTTP_") and _has_nul(v) for k, v in request.META.items()):
            return True  # a header value (e.g. the Authorization or a forwarded address) that views and logs read
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return False
        content_type = request.content_type or ""
        if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            if any(_has_nul(k) or _has_nul(v) for k, v in request.POST.lists()):
                return True
            return any(
                _has_nul(k) or any(_has_nul(f.name or "") for f in files)
                for k, files in request.FILES.lists()
            )
        # django-ninja parses an API body as JSON whatever the Content-Type says (octet-stream, none at all), so under
        # /api/ every other body is inspected; elsewhere only the textual types a view could read.
        if not (
            request.path.startswith("/api/")
            or content_type == "application/json"
            or content_type.endswith("+json")
            or content_type.startswith("text/")
        ):
            return False
        try:
            body = request.body
        except RequestDataTooBig:
            return False  # the view answers 413 itself
        if b"\x00" in body:
            return True
        if b"\\u0000" in body or _SURROGATE_ESCAPE.search(body):
            # An escaped NUL in a JSON string (the substring alone could be an escaped backslash before "u0000"), or
            # an escaped half of a surrogate pair that may stand alone; a body that is not JSON cannot be parsed by
            # the view either, so nothing gets through it.
            try:
                return _has_nul(json.loads(body))
            except ValueError:
                return False
        return False
