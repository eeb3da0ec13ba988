"""validate_spec: each rule refuses a broken specification with a Chinese message naming the step."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from govhall.workflow.schema import ProcessSpec
from govhall.workflow.standard import STANDARD_TEMPLATES
from govhall.workflow.validation import validate_spec

from .conftest import copy_of, step_of


def errors_of(data: Any) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        validate_spec(data)
    return caught.value.messages


def assert_error(data: Any, *fragments: str) -> list[str]:
    messages = errors_of(data)
    assert any(all(f in m for f in fragments) for m in messages), messages
    return messages


@pytest.mark.parametrize("code", sorted(STANDARD_TEMPLATES))
def test_every_standard_template_is_valid_and_round_trips(code):
    spec = validate_spec(copy_of(STANDARD_TEMPLATES[code]))
    assert isinstance(spec, ProcessSpec)
    assert spec.code == code
    # What is stored and what an administrator edits parse back to the same specification.
    assert validate_spec(spec.to_json()) == spec
    assert validate_spec(spec.to_editable_json()) == spec


def test_not_an_object():
    assert errors_of([1, 2]) == ["流程定义应为JSON对象（{…}）"]


# --- shape (pydantic, translated) --------------------------------------------------------------------------


def test_type_errors_are_chinese_with_the_step_and_field_path(standard):
    step_of(standard, "review")["budget"] = {"share": "一半"}
    step_of(standard, "decide")["decides"] = "maybe"
    messages = errors_of(standard)
    assert "步骤“review” › 时限 › 比例：应为数字" in messages
    assert "步骤“decide” › 作出决定：应为 true 或 false" in messages


def test_missing_field_and_unknown_field(standard):
    del step_of(standard, "review")["name"]
    step_of(standard, "decide")["retrun_to"] = ["review"]
    messages = errors_of(standard)
    assert "步骤“review” › 名称：缺少必填项" in messages
    assert "步骤“decide” › retrun_to：不是可用的字段" in messages


def test_unknown_kind_role_and_action(standard):
    step_of(standard, "review")["kind"] = "approval"
    step_of(standard, "decide")["actor"]["role"] = "supervisor"
    step_of(standard, "decide")["actions"] = ["approve", "veto"]
    messages = errors_of(standard)
    assert any(m.startswith("步骤“review” › 类型：取值应为以下之一") and "'gateway'" in m for m in messages)
    assert any(m.startswith("步骤“decide” › 办理人 › 角色：取值应为以下之一") for m in messages)
    assert any(m.startswith("步骤“decide” › 可用操作 › 第2项：取值应为以下之一") for m in messages)


def test_step_key_must_be_a_slug(standard):
    step_of(standard, "review")["key"] = "Review Step"
    assert_error(standard, "步骤“Review Step” › 编码", "只能由小写字母、数字和下划线组成")


@pytest.mark.parametrize(
    ("budget", "fragment"),
    [
        ({"share": 0}, "应大于0"),
        ({"share": 1.5}, "应不大于1"),
        ({"amount": 0, "unit": "workday"}, "应大于0"),
        ({"amount": 3}, "时限应填写数量和单位，或填写占承诺时限的比例"),
        ({"amount": 3, "unit": "workday", "share": 0.5}, "只能填写"),
        ({"amount": 3, "unit": "week"}, "取值应为以下之一"),
    ],
)
def test_budget_forms(standard, budget, fragment):
    step_of(standard, "review")["budget"] = budget
    assert_error(standard, "步骤“review” › 时限", fragment)


@pytest.mark.parametrize("factor", [0, 1, 1.5, -0.2])
def test_green_channel_factor_out_of_range(joint, factor):
    joint["green_channel"]["factor"] = factor
    assert_error(joint, "绿色通道 › 时限系数：")


def test_green_channel_factor_inside_range(joint):
    joint["green_channel"]["factor"] = 0.99
    assert validate_spec(joint).green_channel.factor == 0.99


def test_unknown_template_code(standard):
    standard["code"] = "express"
    assert_error(standard, "流程编码“express”不是标准流程之一")


def test_condition_value_must_fit_the_operator(site):
    step_of(site, "need_inspection")["routes"][0]["when"] = {"field": "area", "op": "in", "value": 3}
    assert_error(site, "步骤“need_inspection” › 第1条路由 › 条件", "运算符“in”的值应为列表")
    step_of(site, "need_inspection")["routes"][0]["when"] = {"field": "area", "op": "gt"}
    assert_error(site, "运算符“gt”需要一个可比较的值")


# --- references and structure --------------------------------------------------------------------------------


def test_duplicate_step_keys(standard):
    standard["steps"].insert(1, {**step_of(standard, "review"), "next": "decide"})
    assert_error(standard, "步骤编码“review”重复")


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda s: s.update(start="intake"), "开始步骤“intake”不存在"),
        (lambda s: step_of(s, "review").update(next="sign"), "步骤“审查”（review）的下一步“sign”不存在"),
        (
            lambda s: step_of(s, "decide").update(return_to=["intake"]),
            "步骤“审批决定”（decide）的可退回步骤“intake”不存在",
        ),
    ],
)
def test_unknown_references(standard, mutate, message):
    mutate(standard)
    assert message in errors_of(standard)


def test_unknown_route_target_default_and_on_fail(site, joint):
    gateway = step_of(site, "need_inspection")
    gateway["routes"][0]["to"] = "nowhere"
    gateway["default"] = "elsewhere"
    messages = errors_of(site)
    assert "步骤“是否需要现场勘查”（need_inspection）的第1条路由的去向“nowhere”不存在" in messages
    assert "步骤“是否需要现场勘查”（need_inspection）的默认去向“elsewhere”不存在" in messages
    step_of(joint, "joint")["on_fail"] = "archive"
    assert "步骤“联合审查”（joint）的未通过时去向“archive”不存在" in errors_of(joint)


def test_unreachable_step(standard):
    standard["steps"].insert(2, {**step_of(standard, "review"), "key": "orphan", "name": "复核"})
    assert "步骤“复核”（orphan）从开始步骤无法到达" in errors_of(standard)


def test_step_that_cannot_reach_an_end(standard):
    del step_of(standard, "decide")["next"]
    messages = errors_of(standard)
    assert "步骤“审批决定”（decide）：缺少下一步" in messages
    assert "步骤“审批决定”（decide）之后流程无法办结" in messages
    assert "步骤“审查”（review）之后流程无法办结" in messages


def test_no_end_step(standard):
    standard["steps"] = [s for s in standard["steps"] if s["kind"] != "end"]
    step_of(standard, "decide")["next"] = "review"
    assert "流程没有办结步骤（kind 为 end）" in errors_of(standard)


def test_parallel_without_branches_or_join(joint):
    step_of(joint, "joint")["branches"] = []
    step_of(joint, "joint")["join"] = None
    messages = errors_of(joint)
    assert "步骤“联合审查”（joint）：并联步骤没有分支" in messages
    assert "步骤“联合审查”（joint）：并联步骤缺少汇合规则" in messages


def test_ratio_rule_needs_a_ratio_and_only_it(joint):
    step_of(joint, "joint")["join"] = {"rule": "ratio"}
    assert "步骤“联合审查”（joint）：按比例汇合（ratio）需要设置比例" in errors_of(joint)
    step_of(joint, "joint")["join"] = {"rule": "all", "ratio": 0.5}
    assert "步骤“联合审查”（joint）：只有按比例汇合（ratio）才能设置比例" in errors_of(joint)
    step_of(joint, "joint")["join"] = {"rule": "ratio", "ratio": 1.2}
    assert_error(joint, "步骤“joint” › 汇合规则 › 比例：应不大于1")
    step_of(joint, "joint")["join"] = {"rule": "ratio", "ratio": 0.6}
    assert validate_spec(joint).step("joint").join.ratio == 0.6


def test_task_without_budget_or_actor(standard):
    del step_of(standard, "review")["budget"]
    del step_of(standard, "decide")["actor"]
    messages = errors_of(standard)
    assert "步骤“审查”（review）：缺少时限" in messages
    assert "步骤“审批决定”（decide）：缺少办理人" in messages


def test_joint_department_outside_a_parallel_branch(standard):
    step_of(standard, "review")["actor"]["department"] = "joint"
    assert "步骤“审查”（review）：联审部门（joint）只能在并联步骤的分支中办理" in errors_of(standard)


def test_joint_branch_must_fan_out_per_department_and_only_joint_may(joint):
    branches = step_of(joint, "joint")["branches"]
    branches[1]["per_department"] = False
    branches[0]["per_department"] = True
    messages = errors_of(joint)
    assert (
        "步骤“联合审查”（joint）的分支“协办部门审查”（co）：联审部门（joint）的分支应按部门展开（per_department）"
        in messages
    )
    assert (
        "步骤“联合审查”（joint）的分支“牵头部门审查”（lead）：只有联审部门（joint）的分支才能按部门展开"
        in messages
    )


def test_gateway_without_default_or_routes(site):
    gateway = step_of(site, "need_inspection")
    del gateway["default"]
    assert "步骤“是否需要现场勘查”（need_inspection）：分支判断缺少默认去向" in errors_of(site)
    gateway["default"] = "inspect"
    gateway["routes"] = []
    assert "步骤“是否需要现场勘查”（need_inspection）：分支判断没有路由条件" in errors_of(site)


def test_fields_of_another_kind_are_refused(standard, site):
    step_of(standard, "review")["default"] = "decide"
    step_of(standard, "done")["next"] = "review"
    messages = errors_of(standard)
    assert "步骤“审查”（review）：办理步骤不能设置“默认去向”" in messages
    assert "步骤“办结”（done）：办结不能设置“下一步”" in messages
    step_of(site, "need_inspection")["actor"] = {"role": "approver"}
    assert "步骤“是否需要现场勘查”（need_inspection）：分支判断不能设置“办理人”" in errors_of(site)


def test_actions_rules(standard):
    review = step_of(standard, "review")
    review["actions"] = ["return"]
    messages = errors_of(standard)
    assert "步骤“审查”（review）：可用操作必须包含“通过”（approve）" in messages
    assert "步骤“审查”（review）：允许退回但没有指定可退回步骤" in messages
    # 不同意 at a review step is an opinion passed on (to on_fail, else next); a deciding step cannot have on_fail.
    review["actions"] = ["approve", "refuse"]
    review["on_fail"] = "decide"
    validate_spec(standard)  # a review's 不同意 goes on to the decision
    review["actions"] = ["approve"]
    assert "步骤“审查”（review）：指定了不同意时去向，但可用操作中没有“不同意”（refuse）" in errors_of(
        standard
    )
    del review["on_fail"]
    step_of(standard, "decide")["on_fail"] = "review"
    assert "步骤“审批决定”（decide）：作出决定的步骤“不同意”即办结，不能再指定不同意时去向" in errors_of(
        standard
    )
    del step_of(standard, "decide")["on_fail"]
    review["actions"] = ["approve", "approve"]
    assert "步骤“审查”（review）：可用操作重复" in errors_of(standard)
    review["actions"] = ["approve"]
    step_of(standard, "decide")["actions"] = ["approve", "refuse"]
    assert "步骤“审批决定”（decide）：指定了可退回步骤，但可用操作中没有“退回”（return）" in errors_of(
        standard
    )


# --- graph ------------------------------------------------------------------------------------------------------


def test_cycle_through_next_edges(standard):
    step_of(standard, "decide")["next"] = "review"
    step_of(standard, "decide")["return_to"] = []
    step_of(standard, "decide")["actions"] = ["approve", "refuse"]
    step_of(standard, "review")["next"] = "decide"
    messages = errors_of(standard)
    assert any(m.startswith("流程存在循环：") and "review → decide → review" in m for m in messages), messages


def test_cycle_through_a_gateway_route(site):
    step_of(site, "need_inspection")["routes"][0]["to"] = "review"
    assert_error(site, "流程存在循环", "need_inspection → review")


def test_return_only_to_an_earlier_step(standard):
    step_of(standard, "review")["return_to"] = ["decide"]
    step_of(standard, "review")["actions"] = ["approve", "return"]
    assert "步骤“审查”（review）只能退回到它之前的步骤，“decide”不在它之前" in errors_of(standard)


def test_return_to_self_is_refused(standard):
    step_of(standard, "decide")["return_to"] = ["decide"]
    assert "步骤“审批决定”（decide）的可退回步骤不能是它自己" in errors_of(standard)


def test_return_to_a_gateway_is_refused(site):
    step_of(site, "decide")["return_to"] = ["need_inspection"]
    assert "步骤“审批决定”（decide）的可退回步骤“need_inspection”不是办理步骤或并联步骤" in errors_of(site)


def test_a_path_without_a_decision(site, standard):
    step_of(standard, "decide")["decides"] = False
    step_of(standard, "decide")["actions"] = ["approve", "return"]
    assert_error(standard, "流程可以不作决定就办结")
    # Only the waived-inspection path skips the decision: still refused.
    gateway = step_of(site, "need_inspection")
    gateway["routes"][0]["to"] = "done"
    assert_error(site, "流程可以不作决定就办结")


def test_a_path_deciding_twice(standard):
    review = step_of(standard, "review")
    review["decides"] = True
    assert "步骤“审查”（review）之后还有作出决定的步骤“decide”，一个办件只能决定一次" in errors_of(standard)


def test_all_messages_are_reported_at_once(standard):
    del step_of(standard, "review")["budget"]
    step_of(standard, "decide")["actor"] = None
    standard["start"] = "nowhere"
    assert len(errors_of(standard)) >= 3
