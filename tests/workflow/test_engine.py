"""Runtime navigation: gateways, joins, budgets, branch expansion, and the stored, versioned definitions."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from hypothesis import given
from hypothesis import strategies as st

from govhall.catalog.choices import ProcessTemplate
from govhall.core.clock import frozen_at
from govhall.org.models import Department
from govhall.workflow import engine
from govhall.workflow.actions import activate_definition, save_definition
from govhall.workflow.engine import (
    allowed_actions,
    can_return,
    evaluate_join,
    expand_branches,
    first_step,
    get_active,
    green_channel_limit,
    resolve,
    resolve_budget,
    spec_of,
)
from govhall.workflow.models import ProcessDefinition
from govhall.workflow.schema import Budget, Condition, Join
from govhall.workflow.standard import STANDARD_TEMPLATES
from govhall.workflow.validation import validate_spec

from .conftest import copy_of, step_of

# --- gateways ---------------------------------------------------------------------------------------------------


def routed_spec():
    """review → gateway: big area → expert; foreign investor → report; otherwise → decide."""
    spec = copy_of(STANDARD_TEMPLATES["site_inspection"])
    gateway = step_of(spec, "need_inspection")
    gateway["routes"] = [
        {"when": {"field": "area", "op": "ge", "value": 1000}, "to": "inspect"},
        {"when": {"field": "investor", "op": "in", "value": ["foreign", "hk"]}, "to": "inspect"},
        {"when": {"field": "site_inspection_waived", "op": "truthy"}, "to": "decide"},
    ]
    return validate_spec(spec)


def test_first_step_is_the_start_task():
    spec = validate_spec(copy_of(STANDARD_TEMPLATES["site_inspection"]))
    assert first_step(spec, {}).key == "review"


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ({"site_inspection_waived": True}, "decide"),
        ({"site_inspection_waived": "on"}, "decide"),
        ({"site_inspection_waived": False}, "inspect"),
        ({"site_inspection_waived": "false"}, "inspect"),
        ({"site_inspection_waived": ""}, "inspect"),
        ({"site_inspection_waived": "否"}, "inspect"),
        ({}, "inspect"),  # a missing field makes the condition false: the default route
    ],
)
def test_resolve_follows_the_site_inspection_gateway(form, expected):
    spec = validate_spec(copy_of(STANDARD_TEMPLATES["site_inspection"]))
    assert resolve(spec, "need_inspection", form).key == expected
    # A task resolves to itself whatever the form says.
    assert resolve(spec, "review", form).key == "review"


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ({"area": 1500, "site_inspection_waived": True}, "inspect"),  # routes are tried in order
        (
            {"area": "1000", "site_inspection_waived": True},
            "inspect",
        ),  # numbers typed as text compare as numbers
        ({"area": 999, "site_inspection_waived": True}, "decide"),
        ({"area": "unknown", "site_inspection_waived": True}, "decide"),
        ({"investor": "hk", "site_inspection_waived": True}, "inspect"),
        ({"investor": ["domestic", "foreign"], "site_inspection_waived": True}, "inspect"),
        ({"investor": "domestic", "site_inspection_waived": True}, "decide"),
        ({"investor": "domestic"}, "inspect"),
    ],
)
def test_resolve_evaluates_routes_in_order(form, expected):
    assert resolve(routed_spec(), "need_inspection", form).key == expected


@pytest.mark.parametrize(
    ("op", "value", "actual", "holds"),
    [
        ("eq", "A", "A", True),
        ("eq", 3, "3", True),
        ("eq", "A", "B", False),
        ("ne", "A", "B", True),
        ("ne", 3, 3.0, False),
        ("gt", 10, 11, True),
        ("gt", 10, 10, False),
        ("ge", 10, 10, True),
        ("lt", 10, 9.5, True),
        ("le", 10, 10.5, False),
        ("lt", "2026-01-01", "2025-12-31", True),  # ISO dates compare as text
        ("gt", 10, "ten", False),  # incomparable values never hold
        ("in", ["a", "b"], "b", True),
        ("in", ["a", "b"], "c", False),
        ("truthy", None, 1, True),
        ("truthy", None, 0, False),
        ("falsy", None, "", True),
        ("falsy", None, "yes", False),
    ],
)
def test_condition_operators(op, value, actual, holds):
    condition = Condition(field="x", op=op, value=value)
    assert engine.condition_holds(condition, {"x": actual}) is holds
    # Missing field: false for every operator, falsy and ne included.
    assert engine.condition_holds(condition, {}) is False


def test_resolve_unknown_step_is_a_chinese_error():
    spec = validate_spec(copy_of(STANDARD_TEMPLATES["standard"]))
    with pytest.raises(ValidationError, match="没有步骤“sign”"):
        resolve(spec, "sign", {})


# --- joins ------------------------------------------------------------------------------------------------------

ALL, ANY = Join(rule="all"), Join(rule="any")


@pytest.mark.parametrize(
    ("join", "total", "approvals", "refusals", "state"),
    [
        (ALL, 3, 0, 0, "pending"),
        (ALL, 3, 2, 0, "pending"),
        (ALL, 3, 3, 0, "passed"),
        (ALL, 3, 0, 1, "failed"),  # the first refusal fails a countersign
        (ALL, 3, 2, 1, "failed"),
        (ALL, 1, 1, 0, "passed"),
        (ANY, 3, 0, 0, "pending"),
        (ANY, 3, 1, 0, "passed"),
        (ANY, 3, 0, 2, "pending"),
        (ANY, 3, 1, 2, "passed"),
        (ANY, 3, 0, 3, "failed"),
        (Join(rule="ratio", ratio=0.5), 4, 2, 0, "passed"),
        (Join(rule="ratio", ratio=0.5), 4, 1, 2, "pending"),
        (Join(rule="ratio", ratio=0.5), 4, 1, 3, "failed"),
        (Join(rule="ratio", ratio=0.5), 3, 1, 0, "pending"),  # ceil(1.5) = 2
        (Join(rule="ratio", ratio=0.7), 10, 7, 0, "passed"),  # 0.7 × 10 is 7, not 8
        (Join(rule="ratio", ratio=0.7), 10, 6, 3, "pending"),
        (Join(rule="ratio", ratio=0.7), 10, 6, 4, "failed"),
        (Join(rule="ratio", ratio=1.0), 2, 1, 0, "pending"),
    ],
)
def test_join_truth_table(join, total, approvals, refusals, state):
    assert evaluate_join(join, total, approvals, refusals) == state


@pytest.mark.parametrize(("total", "approvals", "refusals"), [(0, 0, 0), (2, 2, 1), (2, -1, 0)])
def test_join_refuses_impossible_counts(total, approvals, refusals):
    with pytest.raises(ValueError):
        evaluate_join(ALL, total, approvals, refusals)


@st.composite
def join_counts(draw):
    total = draw(st.integers(min_value=1, max_value=60))
    approvals = draw(st.integers(min_value=0, max_value=total))
    refusals = draw(st.integers(min_value=0, max_value=total - approvals))
    percent = draw(st.integers(min_value=1, max_value=100))
    return Join(rule="ratio", ratio=percent / 100), percent, total, approvals, refusals


@given(join_counts())
def test_ratio_join_matches_exact_arithmetic(case):
    join, percent, total, approvals, refusals = case
    need = -(-percent * total // 100)  # exact ceiling in integers
    state = evaluate_join(join, total, approvals, refusals)
    if approvals >= need:
        assert state == "passed"
    elif approvals + (total - approvals - refusals) < need:
        assert state == "failed"
    else:
        assert state == "pending"
    # A pending join can still go either way: one more approval or refusal moves it towards its end.
    if state == "pending":
        pending = total - approvals - refusals
        assert pending > 0
        assert evaluate_join(join, total, approvals + pending, refusals) == "passed"
        assert evaluate_join(join, total, approvals, refusals + pending) == "failed"


@given(st.integers(min_value=1, max_value=40), st.data())
def test_all_and_any_are_the_extreme_ratios(total, data):
    approvals = data.draw(st.integers(min_value=0, max_value=total))
    refusals = data.draw(st.integers(min_value=0, max_value=total - approvals))
    assert evaluate_join(ALL, total, approvals, refusals) == evaluate_join(
        Join(rule="ratio", ratio=1.0), total, approvals, refusals
    )
    any_state = evaluate_join(ANY, total, approvals, refusals)
    assert (any_state == "passed") == (approvals >= 1)
    assert (any_state == "failed") == (refusals == total)


# --- budgets ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("share", "limit", "unit", "expected"),
    [
        (0.5, 10, "workday", (5, "workday")),
        (0.5, 5, "workday", (3, "workday")),  # 2.5 rounds up
        (0.3, 10, "workday", (3, "workday")),  # 0.3 × 10 is 3, not 4
        (0.3, 1, "workday", (1, "workday")),
        (0.2, 1, "day", (1, "day")),  # never less than 1
        (1.0, 30, "minute", (30, "minute")),
        (0.4, 7, "hour", (3, "hour")),
        (0.1, 0, "workday", (1, "workday")),
    ],
)
def test_share_budgets_round_up_to_at_least_one(share, limit, unit, expected):
    assert resolve_budget(Budget(share=share), limit, unit) == expected


def test_fixed_budget_ignores_the_item_limit():
    assert resolve_budget(Budget(amount=20, unit="workday"), 3, "minute") == (20, "workday")


def test_unknown_unit_is_refused():
    with pytest.raises(ValidationError, match="未知的时限单位"):
        resolve_budget(Budget(share=0.5), 10, "fortnight")


@given(st.integers(min_value=1, max_value=100), st.integers(min_value=0, max_value=500))
def test_share_budget_is_the_exact_ceiling(percent, limit):
    amount, _ = resolve_budget(Budget(share=percent / 100), limit, "workday")
    assert amount == max(1, math.ceil(Fraction(percent, 100) * limit))


def test_green_channel_halves_the_joint_review_limit():
    joint = validate_spec(copy_of(STANDARD_TEMPLATES["joint_review"]))
    assert green_channel_limit(joint, 20) == 10
    assert green_channel_limit(joint, 5) == 3
    assert green_channel_limit(validate_spec(copy_of(STANDARD_TEMPLATES["standard"])), 20) is None


# --- branches and actions ---------------------------------------------------------------------------------------


def test_expand_branches_one_instance_per_co_department():
    step = validate_spec(copy_of(STANDARD_TEMPLATES["joint_review"])).step("joint")
    lead, fire, land = "住建局", "消防救援大队", "自然资源局"
    instances = expand_branches(step, lead, [fire, land, fire, lead])
    assert [(b.key, d) for b, d in instances] == [("lead", lead), ("co", fire), ("co", land)]


def test_expand_branches_needs_a_co_department():
    step = validate_spec(copy_of(STANDARD_TEMPLATES["joint_review"])).step("joint")
    with pytest.raises(ValidationError) as caught:
        expand_branches(step, "住建局", [])
    assert caught.value.messages == ["并联审批需要至少一个联审部门。"]


def test_allowed_actions_and_returns():
    spec = validate_spec(copy_of(STANDARD_TEMPLATES["site_inspection"]))
    # The reviewer may disagree (an opinion passed on to the decision), the head decides or returns.
    assert allowed_actions(spec.step("review")) == {"approve", "refuse"}
    assert spec.step("review").on_fail == "decide"
    assert allowed_actions(spec.step("decide")) == {"approve", "return", "refuse"}
    assert allowed_actions(spec.step("need_inspection")) == set()
    assert allowed_actions(spec.step("done")) == set()
    assert can_return(spec.step("decide"), "inspect")
    assert can_return(spec.step("decide"), "review")
    assert not can_return(spec.step("decide"), "done")
    assert not can_return(spec.step("review"), "review")
    assert not can_return(spec.step("inspect"), "decide")


# --- stored definitions -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_migration_ships_the_seven_templates_active():
    active = {d.code: d for d in ProcessDefinition.objects.filter(active=True)}
    assert set(active) == set(ProcessTemplate.values)
    for code, definition in active.items():
        assert definition.version == 1
        assert definition.name == STANDARD_TEMPLATES[code]["name"] == ProcessTemplate(code).label
        assert spec_of(definition) == validate_spec(copy_of(STANDARD_TEMPLATES[code]))


@pytest.mark.django_db
def test_save_definition_creates_the_next_active_version(admin_user, django_assert_max_num_queries):
    first = get_active("standard")
    data = copy_of(STANDARD_TEMPLATES["standard"])
    step_of(data, "review")["budget"] = {"share": 0.6}
    step_of(data, "decide")["budget"] = {"share": 0.4}
    second = save_definition(data, by=admin_user)
    assert (second.version, second.active, second.created_by) == (2, True, admin_user)
    first.refresh_from_db()
    assert first.active is False
    assert get_active("standard").pk == second.pk
    assert spec_of(get_active("standard")).step("review").budget.share == 0.6
    # The old version still answers for the cases that started on it.
    assert spec_of(first).step("review").budget.share == 0.5
    # Cached: the active lookup is one small query, the parse none.
    spec_of(get_active("standard"))
    with django_assert_max_num_queries(1):
        spec_of(get_active("standard"))


@pytest.mark.django_db
def test_save_definition_stamps_the_platform_clock():
    import datetime as dt

    instant = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
    with frozen_at(instant):
        definition = save_definition(copy_of(STANDARD_TEMPLATES["bundle"]))
    assert definition.created_at == instant


@pytest.mark.django_db
def test_save_definition_refuses_an_invalid_spec_and_keeps_the_active_one():
    data = copy_of(STANDARD_TEMPLATES["instant"])
    del step_of(data, "window")["budget"]
    with pytest.raises(ValidationError) as caught:
        save_definition(data)
    assert "步骤“窗口受理并当场办结”（window）：缺少时限" in caught.value.messages
    assert ProcessDefinition.objects.filter(code="instant").count() == 1
    assert get_active("instant").version == 1


@pytest.mark.django_db
def test_versions_are_immutable():
    definition = get_active("standard")
    definition.name = "改过的名称"
    with pytest.raises(ValidationError, match="不能修改"):
        definition.save()
    with pytest.raises(ValidationError, match="不能修改"):
        definition.save(update_fields=["name", "active"])


@pytest.mark.django_db
def test_at_most_one_active_version_per_code():
    spec = get_active("standard").spec
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcessDefinition.objects.create(code="standard", version=9, name="x", spec=spec, active=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcessDefinition.objects.create(code="standard", version=1, name="x", spec=spec, active=False)


@pytest.mark.django_db
def test_activate_an_older_version_again():
    first = get_active("bundle")
    second = save_definition(copy_of(STANDARD_TEMPLATES["bundle"]))
    assert get_active("bundle").pk == second.pk
    activate_definition(first)
    assert get_active("bundle").pk == first.pk
    assert ProcessDefinition.objects.filter(code="bundle", active=True).count() == 1


@pytest.mark.django_db
def test_no_active_version_is_a_chinese_error():
    ProcessDefinition.objects.filter(code="bundle").update(active=False)
    with pytest.raises(ValidationError) as caught:
        get_active("bundle")
    assert caught.value.messages[0].startswith("未配置办理流程")


@pytest.mark.django_db
def test_expand_branches_with_departments():
    lead = Department.objects.create(name="县住房和城乡建设局", group="economic")
    fire = Department.objects.create(name="县消防救援大队", group="vertical")
    step = spec_of(get_active("joint_review")).step("joint")
    assert [(b.key, d) for b, d in expand_branches(step, lead, [fire])] == [("lead", lead), ("co", fire)]
