"""core.compiled's model instances with their select_related ones, on the case models: the same objects as the ORM's."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from govhall.cases import actions
from govhall.cases.models import Task
from govhall.core.compiled import CompiledRead

from .test_processing import accepted, open_task

pytestmark = pytest.mark.django_db

TASK_WITH_RELATED = CompiledRead(
    lambda pk: Task.objects.select_related("case__process", "clock", "department", "assignee__staff").filter(
        pk=pk
    ),
    int,
)
RELATED = ("case", "clock", "department", "assignee")


def _fields(obj: object) -> dict[str, object]:
    return {k: v for k, v in vars(obj).items() if not k.startswith("_")}


def _same(mine: Any, theirs: Any) -> None:
    assert (mine is None) == (theirs is None)
    if mine is not None:
        assert type(mine) is type(theirs) and _fields(mine) == _fields(theirs)


def test_objects_bring_what_select_related_names_as_the_orm_does(hall: Any, at: Any) -> None:
    with at(2026, 3, 2, 10):
        unclaimed = open_task(accepted(hall))
        claimed = open_task(accepted(hall))
        actions.claim_task(claimed, by=hall["approver"])
    for task in (unclaimed, claimed):
        expected = Task.objects.select_related("case__process", "clock", "department", "assignee__staff").get(
            pk=task.pk
        )
        with CaptureQueriesContext(connection) as queries:
            (got,) = TASK_WITH_RELATED.objects(task.pk)
            # All that select_related names is in place: reading it costs no statement.
            seen = {name: getattr(got, name) for name in RELATED}
            process = got.case.process
            staff = got.assignee.staff if got.assignee is not None else None
        assert len(queries) == 1
        assert _fields(got) == _fields(expected)
        for name in RELATED:
            _same(seen[name], getattr(expected, name))
        _same(process, expected.case.process)
        _same(staff, expected.assignee.staff if expected.assignee is not None else None)
    assert (
        got.assignee is not None and got.assignee.staff is not None
    )  # the claimed one: a reverse one-to-one
    assert TASK_WITH_RELATED.objects(-1) == []


def test_access_case_answers_as_cases_visible_to_for_every_user_and_case(hall: Any, at: Any) -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.http import Http404

    from govhall.cases.access import access_case, cases_visible_to

    from .conftest import PERSON, uploads_for
    from .test_processing import PERMIT

    with at(2026, 3, 2, 10):
        plain = accepted(hall)  # 市场监管局's case, received by the clerk
        joint = accepted(hall, PERMIT)  # 住建's case; 市场监管 and 民政 review it once the lead review passes
        lead = open_task(joint)
        actions.claim_task(lead, by=hall["zj_approver"])
        actions.act_on_task(lead, by=hall["zj_approver"], action="approve", opinion="同意")
        item = hall.item("企业营业执照注销登记")
        online = actions.submit_application(
            item=item, applicant=PERSON, channel="online", by=hall["applicant"], uploads=uploads_for(item)
        )
    users = [*hall.users.values(), AnonymousUser()]
    seen = 0
    for user in users:
        for case in (plain, joint, online):
            expected = cases_visible_to(user).filter(pk=case.pk).exists()
            try:
                got = access_case(user, case.number)
            except Http404:
                assert not expected, (user, case.number)
            else:
                assert expected and got.pk == case.pk, (user, case.number)
                seen += 1
    # Both answers occur, and through each leg of the rule: a co-department's approver sees the joint case by its
    # task, the lead department's approver by the department, the applicant their own online case.
    assert 0 < seen < len(users) * 3
    mz = hall["mz_approver"]
    assert access_case(mz, joint.number).pk == joint.pk
    with pytest.raises(Http404):
        access_case(mz, plain.number)
    assert access_case(hall["applicant"], online.number).pk == online.pk
    with pytest.raises(Http404):
        access_case(hall["applicant"], plain.number)
    with pytest.raises(Http404):
        access_case(hall["approver"], "no-such-case")
