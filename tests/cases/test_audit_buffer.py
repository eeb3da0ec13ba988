"""The audit entries an action logs are buffered and written with its trailing writes; `send_log_ahead` writes the
buffer early, only in the outermost action, so a nested action's failure can still drop its own entries."""

from __future__ import annotations

import contextlib

from django.core.exceptions import ValidationError

from govhall.cases import actions
from govhall.cases.actions._common import guarded, log, send_log_ahead
from govhall.cases.events import CaseEvent
from govhall.core.clock import now
from govhall.ledger.models import LedgerEntry

from .conftest import PERSON, uploads_for

CANCEL = "企业营业执照注销登记"


@guarded("test_inner")
def _inner(case, *, by):
    log(case, CaseEvent.WITHDRAWN, by=by, at=now())
    send_log_ahead()  # nested: a no-op, the entry stays in the buffer
    raise ValidationError("内层失败")


@guarded("test_outer")
def _outer(case, *, by):
    log(case, CaseEvent.ACCEPTED, by=by, at=now())  # still in the buffer when the inner action starts
    with contextlib.suppress(ValidationError):  # the inner action's savepoint rolled back; the outer goes on
        _inner(case, by=by)
    log(case, CaseEvent.DELIVERED, by=by, at=now())
    send_log_ahead()  # outermost: the entries leave with the next statement (here: before the commit)


def test_an_early_send_in_a_nested_action_keeps_its_failure_from_taking_the_outer_entries(hall):
    item = hall.item(CANCEL)
    case = actions.submit_application(
        item=item, applicant=PERSON, channel="window", by=hall["clerk"], uploads=uploads_for(item)
    )
    _outer(case, by=hall["clerk"])
    written = LedgerEntry.objects.filter(subject=case.number).order_by("pk").values_list("action", flat=True)
    assert list(written) == ["submitted", CaseEvent.ACCEPTED.value, CaseEvent.DELIVERED.value]
