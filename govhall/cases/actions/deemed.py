"""Deemed acceptance (《行政许可法》第三十二条): an application left without an intake decision for 5 working days counts
as accepted from the day its complete materials were received. Run by `run_jobs`; a bundle (一件事) is accepted as a
whole, through its one intake decision."""

from __future__ import annotations

from django.db import transaction

from govhall.core.clock import now
from govhall.core.worker import deferred_ids, record_row_failure

from ..choices import CaseStatus
from ..models import Case
from .bundles import accept_bundle
from .intake import accept_case


def _deem_accepted(case: Case) -> bool:
    if case.group is None:
        accept_case(case, by=None, deemed=True)
        return True
    if case.status != CaseStatus.SUBMITTED:
        return False  # a sibling earlier in this batch accepted the whole bundle, this member with it
    accept_bundle(case.group, by=None, deemed=True)
    return True


def deem_accepted_due(*, limit: int = 200) -> int:
    """Art. 32: accept every application whose 5-working-day intake clock has run out. Several workers may run this
    at once: each claims its rows with SKIP LOCKED. Returns the number accepted."""
    at = now()
    done = 0
    with transaction.atomic():
        due = list(
            Case.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=CaseStatus.SUBMITTED, intake_clock__due_at__lte=at, intake_clock__state="running")
            .exclude(pk__in=[int(pk) for pk in deferred_ids(Case, at=at)])
            .order_by("intake_clock__due_at")
            .values_list("pk", flat=True)[:limit]
        )
        for pk in due:
            case = Case.objects.get(pk=pk)
            try:
                with transaction.atomic():
                    accepted = _deem_accepted(case)
            except Exception as exc:
                # The others are still accepted; this one is retried later (with back-off) and shown to the operator.
                record_row_failure(case, exc, task="run_jobs: deem_accepted", at=at)
            else:
                done += accepted
    return done


__all__ = ["deem_accepted_due"]
