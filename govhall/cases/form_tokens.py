"""One-time tokens of the online apply forms (网上申请、一件事在线申请).

Each opened form carries a fresh token; the first submission stores it as an Idempotency-Key of the applicant's
account (the API's mechanism, under its own prefix so an API client's key never meets a form's), and any later
submission with the same token (a double click, a reload, a retried POST) shows the application the first one
created instead of creating another. A POST without a well-formed token (a form kept from before the token, a
replayed or scripted request) creates nothing: the form comes back with a fresh token and "表单已过期，请重新提交"."""

from __future__ import annotations

import re
import secrets

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect

from .models import Case, IdempotencyKey

TOKEN_FIELD = "submission_token"
# Forms have no request body to compare (files are re-chosen), so every form key stores this one digest.
FORM_HASH = "apply-form"
_PREFIX = "form:"
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


EXPIRED = "表单已过期，请重新提交"


def new_token() -> str:
    return secrets.token_urlsafe(24)


def with_fresh_token(request: HttpRequest) -> QueryDict:
    """The posted fields with a new token in place of the missing or malformed one: the form is shown again, filled
    in, and its next submission is a first one."""
    data = request.POST.copy()
    data[TOKEN_FIELD] = new_token()
    return data


def posted_key(request: HttpRequest) -> str | None:
    """The idempotency key of a posted form; None when the form carried no well-formed token."""
    token = str(request.POST.get(TOKEN_FIELD, ""))
    return _PREFIX + token if _TOKEN_RE.match(token) else None


def earlier_case(user: User, key: str | None) -> Case | None:
    """The case an earlier submission of the same form created for this account, if any."""
    if key is None or user.pk is None:
        return None
    stored = IdempotencyKey.objects.select_related("case__group").filter(user=user, key=key).first()
    return stored.case if stored is not None else None


def already_submitted(request: HttpRequest, case: Case) -> HttpResponse:
    """A repeated submission of one form: show what the first one created (the bundle's page for a bundle)."""
    messages.info(request, "该申请表已提交过，未重复创建申请。以下是首次提交的办理情况。")
    if case.group is not None:
        return redirect("cases_portal:my_bundle", number=case.group.number)
    return redirect("cases_portal:my_case", number=case.number)
