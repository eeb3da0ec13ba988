"""Rotation due dates by hand: same post at most 10 years, key posts at most 5, alerts 90 days ahead."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError

from govhall.integrity import actions
from govhall.integrity.choices import DueState, RotationStatus
from govhall.integrity.models import PostAssignment, RotationLimit
from govhall.integrity.queries import add_years, rotation_due
from govhall.notifications.models import Notification

from .conftest import local


def test_add_years_keeps_the_day_and_folds_29_february() -> None:
    assert add_years(date(2016, 3, 1), 10) == date(2026, 3, 1)
    assert add_years(date(2024, 2, 29), 5) == date(2029, 2, 28)
    assert add_years(date(2020, 2, 29), 4) == date(2024, 2, 29)


@pytest.fixture
def held(county: Any) -> dict[str, PostAssignment]:
    p = county.posts
    return {
        # ordinary post since 1 March 2016: 10 years reached 1 March 2026 → overdue on 1 July 2026
        "old": actions.assign_post(post=p["inspect"], staff=county["clerk"], start_date=date(2016, 3, 1)),
        # key post since 15 September 2021: due 15 September 2026, alert from 17 June 2026 (90 days before)
        "key": actions.assign_post(post=p["license"], staff=county["clerk2"], start_date=date(2021, 9, 15)),
        # key post since 29 February 2024: due 28 February 2029, not yet in the alert window
        "leap": actions.assign_post(post=p["permit"], staff=county["zj"], start_date=date(2024, 2, 29)),
        # specialised post: exempt whatever the years
        "expert": actions.assign_post(post=p["archive"], staff=county["head"], start_date=date(2001, 1, 1)),
    }


def test_rotation_due_on_hand_computed_dates(held: dict[str, PostAssignment]) -> None:
    due = rotation_due(date(2026, 7, 1))
    assert [(d.assignment.pk, d.due_on, d.alert_on, d.state) for d in due] == [
        (held["old"].pk, date(2026, 3, 1), date(2025, 12, 1), DueState.OVERDUE),
        (held["key"].pk, date(2026, 9, 15), date(2026, 6, 17), DueState.SOON),
    ]
    # the day before the alert window opens the key post is not listed; on the day it is
    assert [d.assignment.pk for d in rotation_due(date(2026, 6, 16))] == [held["old"].pk]
    assert [d.assignment.pk for d in rotation_due(date(2026, 6, 17))] == [held["old"].pk, held["key"].pk]
    everyone = {d.assignment.pk: d for d in rotation_due(date(2026, 7, 1), everyone=True)}
    assert everyone[held["leap"].pk].due_on == date(2029, 2, 28)
    assert everyone[held["leap"].pk].state == DueState.OK
    assert held["expert"].pk not in everyone


def test_limits_are_data(held: dict[str, PostAssignment]) -> None:
    RotationLimit.objects.filter(key_post=True).update(max_years=4, alert_days=30)
    due = {d.assignment.pk: d for d in rotation_due(date(2026, 7, 1))}
    assert due[held["key"].pk].due_on == date(2025, 9, 15)
    assert due[held["key"].pk].state == DueState.OVERDUE


def test_alerts_go_once_then_plan_and_execute(county: Any, held: dict[str, PostAssignment]) -> None:
    with time_machine.travel(local(2026, 7, 1, 9), tick=False):
        assert actions.send_rotation_alerts() == 2
        assert actions.send_rotation_alerts() == 0
    texts = Notification.objects.filter(kind="integrity").values_list("body", flat=True)
    assert any("应于2026-09-15前轮岗" in t for t in texts)
    with time_machine.travel(local(2026, 7, 2, 9), tick=False):
        plan = actions.plan_rotation(
            assignment=held["key"],
            to_post=county.posts["inspect"],
            planned_on=date(2026, 8, 3),
            by=county["head"].user,
        )
        with pytest.raises(ValidationError) as exc:
            actions.plan_rotation(
                assignment=held["key"], to_post=county.posts["inspect"], planned_on=date(2026, 8, 3)
            )
        assert "已有待执行的轮岗计划" in str(exc.value)
        new = actions.execute_rotation(plan, on=date(2026, 8, 3), by=county["head"].user)
    held["key"].refresh_from_db()
    plan.refresh_from_db()
    assert held["key"].end_date == date(2026, 8, 2)
    assert (new.post, new.start_date) == (county.posts["inspect"], date(2026, 8, 3))
    assert plan.status == RotationStatus.EXECUTED
    assert held["key"].pk not in [d.assignment.pk for d in rotation_due(date(2026, 9, 16))]
    with pytest.raises(ValidationError):
        actions.execute_rotation(plan, on=date(2026, 8, 4))
