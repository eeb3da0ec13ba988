"""Submission with an idempotency key (the API's ``Idempotency-Key`` header)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from govhall.core.clock import now

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
