"""Submission with an idempotency key (the API's ``Idempotency-Key`` header, the apply forms' one-time token)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from govhall.core.clock import now

from ..form_tokens import FORM_HASH, earlier_case
from ..models import Case, IdempotencyKey
from .intake import submit_application


@transaction.atomic
def submit_application_once(*, key: str, request_hash: str, by: User, **fields: Any) -> Case:
    """submit_application and its key in one transaction: a concurrent retry with the same key fails on the key's
    unique constraint (IntegrityError) and its case is rolled back with it; the caller then answers with the case
    the winner stored. (Safe to nest: submit_application raises no OutOfProcedure, whose supervision record an
    outer rollback would lose.)"""
    case = submit_application(by=by, **fields)
    IdempotencyKey.objects.create(user=by, key=key, request_hash=request_hash, case=case, created_at=now())
    return case


def submit_once(*, key: str | None, by: User, create: Callable[[], Case]) -> tuple[Case, bool]:
    """Run `create` (a submission returning its case, or a bundle's first member) and store `key` with its case
    in the same transaction; returns (case, created). A submission whose key is already stored, also by a
    concurrent request that committed first, returns the stored case and creates nothing. No key: just create."""
    if key is None:
        return create(), True
    try:
        with transaction.atomic():
            case = create()
            IdempotencyKey.objects.create(
                user=by, key=key, request_hash=FORM_HASH, case=case, created_at=now()
            )
    except IntegrityError:
        earlier = earlier_case(by, key)
        if earlier is None:
            raise
        return earlier, False
    return case, True
