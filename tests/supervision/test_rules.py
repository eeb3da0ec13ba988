"""Yellow thresholds per item and per step: the most specific rule wins and moves the yellow instant."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from govhall.clocks import actions as clocks
from govhall.core.models import AuditEvent
from govhall.supervision.actions import save_warn_rule, warn_kwargs, warn_rule_for
from govhall.supervision.models import Alert, WarnRule

from .conftest import CANCEL, local, sweep_at


def test_most_specific_rule_wins(hall):
    item, other = hall.item(CANCEL), hall.item("最低生活保障对象认定")
    admin = hall["supervisor"]
    assert warn_rule_for(item, "review") is None
    save_warn_rule(by=admin, step_key="review", units_left=2)
    assert warn_rule_for(item, "review") == (2, None)
    assert warn_rule_for(item, "") is None  # a step rule is not a whole-case rule
    save_warn_rule(by=admin, item=item, step_key="review", ratio_used="0.5")
    assert warn_rule_for(item, "review") == (None, 0.5)
    assert warn_rule_for(other, "review") == (2, None)
    save_warn_rule(by=admin, item=item, units_left=1)
    save_warn_rule(by=admin, ratio_used="0.9")
    assert warn_rule_for(item, "") == (1, None)
    assert warn_rule_for(other, "") == (None, 0.9)
    # Saving again replaces the rule, audited.
    save_warn_rule(by=admin, step_key="review", units_left=3)
    assert WarnRule.objects.filter(item=None, step_key="review").count() == 1
    assert warn_rule_for(other, "review") == (3, None)
    assert AuditEvent.objects.filter(event_type="warn_rule_saved").count() == 5


def test_rules_are_validated_and_guarded(hall):
    with pytest.raises(PermissionDenied):
        save_warn_rule(by=hall["approver"], units_left=1)
    with pytest.raises(ValidationError):
        save_warn_rule(by=hall["supervisor"], units_left=1, ratio_used="0.5")
    with pytest.raises(ValidationError):
        save_warn_rule(by=hall["supervisor"], ratio_used="1.5")
    with pytest.raises(IntegrityError), transaction.atomic():
        WarnRule.objects.create(step_key="x")  # neither threshold: the database refuses it too


def test_a_rule_moves_the_yellow_instant_the_watcher_sees(hall):
    item = hall.item(CANCEL)
    start = local(2026, 3, 2, 10)  # Monday
    default = clocks.start_clock(kind="step", amount=5, unit="workday", at=start)
    save_warn_rule(by=hall["supervisor"], item=item, step_key="review", units_left=3)
    ruled = clocks.start_clock(kind="step", amount=5, unit="workday", at=start, **warn_kwargs(item, "review"))
    save_warn_rule(by=hall["supervisor"], item=item, step_key="review", ratio_used="0.2")
    ratio = clocks.start_clock(kind="step", amount=5, unit="workday", at=start, **warn_kwargs(item, "review"))
    assert default.warn_at == local(2026, 3, 7, 0, 0)  # due end of Mon 9 March: yellow after Friday
    assert ruled.warn_at == local(2026, 3, 5, 0, 0)  # 3 working days left: yellow from Thursday
    assert ratio.warn_at == local(2026, 3, 4, 0, 0)  # 20% of 5 = 1 working day used: yellow from Wednesday
    sweep_at(local(2026, 3, 4, 0, 0))
    assert set(Alert.objects.values_list("clock_id", flat=True)) == {ratio.pk}
    sweep_at(local(2026, 3, 5, 0, 0))
    assert set(Alert.objects.values_list("clock_id", flat=True)) == {ratio.pk, ruled.pk}
    sweep_at(local(2026, 3, 7, 0, 0))
    assert Alert.objects.filter(level="yellow").count() == 3


def test_case_actions_start_clocks_with_the_configured_thresholds(hall, at):
    from .conftest import accepted, open_task

    item = hall.item(CANCEL)
    save_warn_rule(by=hall["supervisor"], item=item, step_key="review", ratio_used="0.5")
    save_warn_rule(by=hall["supervisor"], item=item, units_left=2)
    with at(2026, 3, 2, 10):
        case = accepted(hall)
        task = open_task(case)
    assert (task.clock.warn_units, task.clock.warn_ratio) == (None, 0.5)
    assert task.clock.warn_at == local(2026, 3, 4, 0, 0)  # 1 of 2 working days used
    assert case.clock.warn_units == 2
    assert case.clock.warn_at == local(2026, 3, 4, 0, 0)  # 3-day promise, 2 days left from Wednesday
