"""Reads of the disclosure catalog and of requests, scoped for the public and for staff."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from govhall.catalog.search import query_tokens
from govhall.org.access import department_ids, has_role, is_center_wide
from govhall.org.choices import Role

from .choices import RecordStatus
from .models import DisclosureRecord, InfoRequest


def public_records() -> QuerySet[DisclosureRecord]:
    """What the public sees: published records and withdrawn ones (which keep their index number and say so)."""
    return (
        DisclosureRecord.objects.filter(status__in=(RecordStatus.PUBLISHED, RecordStatus.WITHDRAWN))
        .select_related("organ")
        .order_by("-published_at", "-id")
    )


def search(records: QuerySet[DisclosureRecord], q: str) -> QuerySet[DisclosureRecord]:
    """Every jieba word of the query must appear in the record's tokens, title or index number."""
    q = (q or "").strip()
    if not q:
        return records
    exact = records.filter(index_number=q)
    if exact.exists():
        return exact
    condition = Q()
    for word in query_tokens(q):
        condition &= (
            Q(search_text__contains=word) | Q(title__icontains=word) | Q(index_number__icontains=word)
        )
    return records.filter(condition)


def find_request(number: str, check_code: str) -> InfoRequest | None:
    number, check_code = (number or "").strip().upper(), (check_code or "").strip()
    if not number or not check_code:
        return None
    return InfoRequest.objects.filter(number=number, check_code=check_code).select_related("organ").first()


def requests_for(user: User | AnonymousUser | None) -> QuerySet[InfoRequest]:
    """The requests a staff member handles: their departments' (disclosure officers, heads), all for center-wide
    roles."""
    requests = InfoRequest.objects.select_related("organ", "clock")
    if is_center_wide(user):
        return requests
    if has_role(user, Role.DISCLOSURE_OFFICER, Role.DEPARTMENT_HEAD):
        return requests.filter(organ_id__in=department_ids(user))
    return requests.none()


def records_for_staff(user: User | AnonymousUser | None) -> QuerySet[DisclosureRecord]:
    records = DisclosureRecord.objects.select_related("organ", "clock")
    if is_center_wide(user):
        return records
    if has_role(user, Role.DISCLOSURE_OFFICER, Role.DEPARTMENT_HEAD):
        return records.filter(organ_id__in=department_ids(user))
    return records.none()
