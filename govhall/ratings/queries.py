"""Scoped reads of ratings and the satisfaction figures (domain: 好差评 results feed the indicators).

Rater protection (国办发〔2019〕51号 requires protecting raters' information): staff pages never show who gave a
rating. The contact for the call-back (name and phone of a real-name rater) is shown only to whoever may handle the
bad review — the head of the rated department and the supervisors — and never to the rated staff member, who sees
the level, the dimensions and the comment of the ratings about them, nothing that names the rater."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth

from govhall.org.access import department_ids, has_role, is_center_wide
from govhall.org.choices import Role

from .actions import can_handle_review
from .choices import SATISFIED_LEVELS, AppealStatus, CallbackResult, ReviewStatus
from .models import Appeal, BadReview, Rating


def reviews_for(user: User | AnonymousUser) -> QuerySet[BadReview]:
    """Bad reviews the user handles or oversees: all for supervisors and center-wide roles, their departments' for
    department heads, none for anybody else."""
    qs = BadReview.objects.select_related("rating", "rating__item", "department", "clock", "rating__window")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if getattr(user, "is_superuser", False) or has_role(user, Role.SUPERVISOR) or is_center_wide(user):
        return qs
    if has_role(user, Role.DEPARTMENT_HEAD):
        return qs.filter(department_id__in=department_ids(user))
    return qs.none()


def appeals_for(user: User | AnonymousUser) -> QuerySet[Appeal]:
    qs = Appeal.objects.select_related("rating", "rating__item", "department")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if getattr(user, "is_superuser", False) or has_role(user, Role.SUPERVISOR) or is_center_wide(user):
        return qs
    if has_role(user, Role.DEPARTMENT_HEAD):
        return qs.filter(department_id__in=department_ids(user))
    return qs.none()


def ratings_about(user: User | AnonymousUser) -> QuerySet[Rating]:
    """The ratings of the staff member's own service (without rater identity in any page that shows them)."""
    staff = getattr(user, "staff", None) if getattr(user, "is_authenticated", False) else None
    if staff is None:
        return Rating.objects.none()
    return Rating.objects.filter(staff=staff).select_related("item")


def may_see_rater(user: User | AnonymousUser, review: BadReview) -> bool:
    return review.rating.real_name and can_handle_review(user, review.department_id)


def _count_fields() -> dict[str, Any]:
    return {
        "rated": Count("pk"),
        "satisfied": Count("pk", filter=Q(level__in=SATISFIED_LEVELS)),
        "default_rated": Count("pk", filter=Q(is_default=True)),
    }


_COLUMNS = {
    "department": "department_id",
    "window": "window_id",
    "staff": "staff_id",
    "item": "item_id",
    "day": "rated_day",
}


def rating_counts(
    period: tuple[date, date], by: str | None = None, department: Any = None
) -> dict[Any, dict[str, int]]:
    """{group key: {"rated", "satisfied", "default_rated"}} over counted ratings given in the period (upheld appeals
    excluded); key None for the total. Groupings as in stats.queries (site_level: not rated by site, so empty)."""
    qs = Rating.objects.filter(counted=True, rated_day__gte=period[0], rated_day__lte=period[1])
    if department is not None:
        qs = qs.filter(department=department)
    if by is None:
        return {None: {k: int(v or 0) for k, v in qs.aggregate(**_count_fields()).items()}}
    if by == "month":
        rows = qs.annotate(g=TruncMonth("rated_day")).values("g").annotate(**_count_fields()).order_by()
        return {
            (r["g"].date() if hasattr(r["g"], "date") else r["g"]): {
                k: int(r[k]) for k in ("rated", "satisfied", "default_rated")
            }
            for r in rows
        }
    column = _COLUMNS.get(by)
    if column is None:
        return {}
    rows = qs.values(column).annotate(**_count_fields()).order_by()
    return {r[column]: {k: int(r[k]) for k in ("rated", "satisfied", "default_rated")} for r in rows}


def rectification_figures(period: tuple[date, date]) -> dict[str, Any]:
    """Bad reviews of the period and how they were handled: closed, on time, call-back rate of real-name ones."""
    reviews = BadReview.objects.filter(rating__rated_day__gte=period[0], rating__rated_day__lte=period[1])
    counted = reviews.exclude(status=ReviewStatus.WITHDRAWN)
    required = counted.filter(callback_required=True)
    called = required.filter(callbacks__isnull=False).exclude(callbacks__result=CallbackResult.UNREACHABLE)
    figures: dict[str, Any] = {
        "bad_reviews": counted.count(),
        "closed": counted.filter(status=ReviewStatus.CLOSED).count(),
        "closed_on_time": counted.filter(status=ReviewStatus.CLOSED, clock__late=False).count(),
        "callback_required": required.count(),
        "called_back": called.values("pk").distinct().count(),
        "appeals_upheld": Appeal.objects.filter(
            status=AppealStatus.UPHELD, rating__rated_day__gte=period[0], rating__rated_day__lte=period[1]
        ).count(),
    }
    req = figures["callback_required"]
    figures["callback_rate"] = round(100 * figures["called_back"] / req, 2) if req else None
    return figures
