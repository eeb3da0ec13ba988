"""Reads of the registry: who may see what, and the year's figures.

The registry itself is public once a document is published (the portal lists the documents in force, expired and
repealed with their 索引号); drafts, comments, reviews and decisions in preparation are for the legal office, leaders,
supervisors and the drafting organ's staff."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from govhall.core.tz import SHANGHAI
from govhall.org.access import department_ids, has_role, is_center_wide
from govhall.org.choices import Role

from .choices import CitizenReviewOutcome, CleanupDecision, DecisionStatus, DocStage
from .models import CitizenReview, CleanupItem, DocumentComment, MajorDecision, NormativeDocument

REGISTRY_ROLES = (Role.LEGAL_OFFICER, Role.LEADER, Role.SUPERVISOR)
PUBLIC_STAGES = (DocStage.PUBLISHED, DocStage.FILED, DocStage.EXPIRED, DocStage.REPEALED)
IN_FORCE_PUBLIC = (DocStage.PUBLISHED, DocStage.FILED)


def sees_registry(user: User | AnonymousUser | None) -> bool:
    return has_role(user, *REGISTRY_ROLES) or is_center_wide(user)


def may_use_registry(user: User | AnonymousUser | None) -> bool:
    """The staff pages: the registry roles, and department heads for their own organ's documents."""
    return sees_registry(user) or (has_role(user, Role.DEPARTMENT_HEAD) and bool(department_ids(user)))


def documents_for(user: User | AnonymousUser | None) -> QuerySet[NormativeDocument]:
    qs = NormativeDocument.objects.select_related("organ", "comment_clock", "filing_clock", "validity_clock")
    if sees_registry(user):
        return qs
    if has_role(user, Role.DEPARTMENT_HEAD):
        return qs.filter(organ_id__in=department_ids(user))
    return qs.none()


def decisions_for(user: User | AnonymousUser | None) -> QuerySet[MajorDecision]:
    qs = MajorDecision.objects.select_related("organ", "comment_clock")
    if sees_registry(user):
        return qs
    if has_role(user, Role.DEPARTMENT_HEAD):
        return qs.filter(organ_id__in=department_ids(user))
    return qs.none()


def public_documents() -> QuerySet[NormativeDocument]:
    return NormativeDocument.objects.filter(stage__in=PUBLIC_STAGES).select_related("organ")


def public_decisions() -> QuerySet[MajorDecision]:
    return MajorDecision.objects.filter(published_at__isnull=False).select_related("organ")


def _year(year: int) -> tuple[datetime, datetime]:
    return (
        datetime.combine(date(year, 1, 1), time.min, tzinfo=SHANGHAI),
        datetime.combine(date(year + 1, 1, 1), time.min, tzinfo=SHANGHAI),
    )


def yearly_figures(year: int) -> dict[str, Any]:
    """The year's figures (Beijing calendar year): documents drafted, published, filed on time and late (of those
    published in the year), still unfiled past the limit, reviewed for legality, expired and repealed; comments;
    citizen review requests and their outcomes; clean-up results; major decisions by step reached."""
    start, end = _year(year)
    docs = NormativeDocument.objects.all()
    published = docs.filter(published_at__gte=start, published_at__lt=end)
    filed = published.filter(filed_at__isnull=False)
    reviews = CitizenReview.objects.filter(received_at__gte=start, received_at__lt=end)
    answered = reviews.filter(answered_at__isnull=False)
    cleanups = CleanupItem.objects.filter(decided_at__gte=start, decided_at__lt=end)
    decisions = MajorDecision.objects.all()
    in_year = Q(started_at__gte=start, started_at__lt=end)
    published_count = published.count()
    on_time = filed.filter(filed_late=False).count()
    return {
        "year": year,
        "documents": {
            "drafted": docs.filter(drafted_at__gte=start, drafted_at__lt=end).count(),
            "published": published_count,
            "filed": filed.count(),
            "filed_on_time": on_time,
            "filed_late": filed.filter(filed_late=True).count(),
            "unfiled_overdue": published.filter(
                filed_at__isnull=True, filing_clock__due_at__lt=end, stage=DocStage.PUBLISHED
            ).count(),
            "filing_on_time_rate": round(on_time / published_count, 4) if published_count else None,
            "legality_reviewed": docs.filter(reviewed_at__gte=start, reviewed_at__lt=end).count(),
            "comments": DocumentComment.objects.filter(received_at__gte=start, received_at__lt=end).count(),
            "expired": docs.filter(stage=DocStage.EXPIRED, ended_at__gte=start, ended_at__lt=end).count(),
            "repealed": docs.filter(stage=DocStage.REPEALED, ended_at__gte=start, ended_at__lt=end).count(),
            "in_force_at_year_end": docs.filter(published_at__lt=end, valid_until__gte=end.date())
            .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=end))
            .count(),
        },
        "citizen_reviews": {
            "received": reviews.count(),
            "answered": answered.count(),
            "answered_late": answered.filter(clock__late=True).count(),
            **{o.value: answered.filter(outcome=o).count() for o in CitizenReviewOutcome},
        },
        "cleanup": {d.value: cleanups.filter(decision=d).count() for d in CleanupDecision},
        "decisions": {
            "started": decisions.filter(in_year).count(),
            "decided": decisions.filter(decided_at__gte=start, decided_at__lt=end).count(),
            "published": decisions.filter(published_at__gte=start, published_at__lt=end).count(),
            "evaluated": decisions.filter(evaluated_at__gte=start, evaluated_at__lt=end).count(),
            "shelved": decisions.filter(in_year, status=DecisionStatus.SHELVED).count(),
        },
    }
