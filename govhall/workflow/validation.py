"""`validate_spec`: a process specification the runtime can follow, or a list of Chinese messages naming the step.

Two passes. Pydantic checks the shape (types, ranges, unknown keys); its errors are translated with the field
path spelt in Chinese. Then the graph rules, which pydantic cannot express:

- step keys unique; every reference (start, next, on_fail, return_to, route targets, default) names a step;
- each kind has what it needs: a task an actor, a budget and a next step; a parallel step branches, a join and a
  next step; a gateway a default; and nothing that belongs to another kind;
- the forward edges (next, on_fail, routes, default) form no cycle — a case goes back only through return_to, and
  only to a step before it;
- every step is reachable from start and can reach an end step;
- no path from start to an end avoids a deciding step, and no path decides twice;
- "joint" (the item's co-departments) only in parallel branches, and those branches fan out per department."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Any

import pydantic
from django.core.exceptions import ValidationError

from govhall.catalog.choices import ProcessTemplate

from .schema import ProcessSpec, Step

FIELD_LABELS: dict[str, str] = {
    "code": "流程编码",
    "name": "名称",
    "description": "说明",
    "start": "开始步骤",
    "steps": "步骤",
    "green_channel": "绿色通道",
    "factor": "时限系数",
    "note": "说明",
    "key": "编码",
    "kind": "类型",
    "actor": "办理人",
    "role": "角色",
    "department": "部门",
    "budget": "时限",
    "amount": "数量",
    "unit": "单位",
    "share": "比例",
    "actions": "可用操作",
    "decides": "作出决定",
    "next": "下一步",
    "on_fail": "未通过时去向",
    "return_to": "可退回步骤",
    "special_procedures": "允许特别程序",
    "branches": "分支",
    "per_department": "按部门展开",
    "join": "汇合规则",
    "rule": "规则",
    "ratio": "比例",
    "routes": "路由",
    "when": "条件",
    "field": "表单字段",
    "op": "运算符",
    "value": "值",
    "to": "去向",
    "label": "标签",
    "default": "默认去向",
    "default_label": "默认去向标签",
}

KIND_LABELS = {"task": "办理步骤", "parallel": "并联步骤", "gateway": "分支判断", "end": "办结"}

# Which optional fields each kind may use; a non-default value elsewhere is refused as meaningless.
_KIND_FIELDS: dict[str, set[str]] = {
    "task": {"actor", "budget", "actions", "decides", "next", "on_fail", "return_to", "special_procedures"},
    "parallel": {"budget", "next", "on_fail", "branches", "join"},
    "gateway": {"routes", "default", "default_label"},
    "end": set(),
}
_COMMON_FIELDS = {"key", "name", "kind"}


def _pydantic_message(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "缺少必填项"
    if kind == "extra_forbidden":
        return "不是可用的字段"
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace(" or ", ", ")
        return f"取值应为以下之一：{expected.replace(', ', '、')}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "应为整数"
    if kind in ("float_type", "float_parsing", "finite_number"):
        return "应为数字"
    if kind in ("bool_type", "bool_parsing"):
        return "应为 true 或 false"
    if kind == "string_type":
        return "应为文本"
    if kind == "list_type":
        return "应为列表"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "应为对象（{…}）"
    if kind == "greater_than":
        return f"应大于{ctx.get('gt')}"
    if kind == "greater_than_equal":
        return f"应不小于{ctx.get('ge')}"
    if kind == "less_than":
        return f"应小于{ctx.get('lt')}"
    if kind == "less_than_equal":
        return f"应不大于{ctx.get('le')}"
    if kind == "string_too_short":
        return "不能为空"
    if kind == "string_too_long":
        return f"不能超过{ctx.get('max_length')}个字符"
    if kind == "string_pattern_mismatch":
        return "只能由小写字母、数字和下划线组成"
    if kind == "value_error":
        return str(ctx.get("error", error.get("msg", "")))
    return f"格式不正确（{kind}）"


def _path_label(loc: Sequence[Any], data: Any) -> str:
    """A pydantic location such as ('steps', 2, 'budget', 'share') spelt as 步骤“review” › 时限 › 比例."""
    parts: list[str] = []
    node: Any = data
    parent_field = ""
    for item in loc:
        if isinstance(item, int):
            element = node[item] if isinstance(node, list) and 0 <= item < len(node) else None
            key = element.get("key") if isinstance(element, dict) else None
            if parent_field == "steps":
                parts[-1:] = [f"步骤“{key}”" if isinstance(key, str) and key else f"第{item + 1}个步骤"]
            elif parent_field == "branches":
                parts[-1:] = [f"分支“{key}”" if isinstance(key, str) and key else f"第{item + 1}个分支"]
            elif parent_field == "routes":
                parts[-1:] = [f"第{item + 1}条路由"]
            else:
                parts.append(f"第{item + 1}项")
            node = element
            parent_field = ""
            continue
        name = str(item)
        parts.append(FIELD_LABELS.get(name, name))
        node = node.get(name) if isinstance(node, dict) else None
        parent_field = name
    return " › ".join(parts)


def _translate(exc: pydantic.ValidationError, data: Any) -> list[str]:
    messages = []
    for error in exc.errors():
        # Pydantic names the union member it tried (e.g. "int" in "int | None"); that is not a field.
        label = _path_label(error["loc"], data)
        text = _pydantic_message(error)
        messages.append(f"{label}：{text}" if label else text)
    return list(dict.fromkeys(messages))


def step_label(step: Step) -> str:
    return f"步骤“{step.name}”（{step.key}）"


class _Checker:
    def __init__(self, spec: ProcessSpec) -> None:
        self.spec = spec
        self.errors: list[str] = []
        self.by_key: dict[str, Step] = {}
        for step in spec.steps:
            self.by_key.setdefault(step.key, step)

    def error(self, message: str) -> None:
        if message not in self.errors:
            self.errors.append(message)

    def forward(self, key: str) -> list[str]:
        step = self.by_key.get(key)
        return [t for t in step.forward_targets() if t in self.by_key] if step else []

    def run(self) -> list[str]:
        spec = self.spec
        if spec.code not in ProcessTemplate.values:
            self.error(f"流程编码“{spec.code}”不是标准流程之一（{'、'.join(ProcessTemplate.values)}）")
        seen: set[str] = set()
        for step in spec.steps:
            if step.key in seen:
                self.error(f"步骤编码“{step.key}”重复")
            seen.add(step.key)
        if not any(s.kind == "end" for s in spec.steps):
            self.error("流程没有办结步骤（kind 为 end）")
        if spec.start not in self.by_key:
            self.error(f"开始步骤“{spec.start}”不存在")
        before = len(self.errors)
        for step in spec.steps:
            self.check_references(step)
        # The graph rules below need every reference to resolve; incomplete steps they can cope with.
        unresolved = (
            len(self.errors) > before or spec.start not in self.by_key or len(seen) != len(spec.steps)
        )
        for step in spec.steps:
            self.check_kind(step)
        if unresolved:
            return self.errors
        cycle = self.find_cycle()
        if cycle:
            self.error(f"流程存在循环：{' → '.join(cycle)}（只能通过“可退回步骤”回到之前的步骤）")
            return self.errors
        self.check_reachability()
        self.check_returns()
        self.check_decisions()
        return self.errors

    # -- per step -----------------------------------------------------------------------------------------

    def check_references(self, step: Step) -> None:
        label = step_label(step)
        refs: list[tuple[str, str | None]] = [("下一步", step.next), ("未通过时去向", step.on_fail)]
        refs += [("默认去向", step.default)]
        refs += [(f"第{i}条路由的去向", r.to) for i, r in enumerate(step.routes, start=1)]
        refs += [("可退回步骤", key) for key in step.return_to]
        for what, key in refs:
            if key is not None and key not in self.by_key:
                self.error(f"{label}的{what}“{key}”不存在")
            elif key == step.key:
                self.error(f"{label}的{what}不能是它自己")

    def check_kind(self, step: Step) -> None:
        label = step_label(step)
        allowed = _KIND_FIELDS[step.kind] | _COMMON_FIELDS
        for name, field in Step.model_fields.items():
            if name in allowed:
                continue
            default = field.get_default(call_default_factory=True)
            if getattr(step, name) != default:
                self.error(f"{label}：{KIND_LABELS[step.kind]}不能设置“{FIELD_LABELS.get(name, name)}”")
        if step.kind == "task":
            self.check_task(step, label)
        elif step.kind == "parallel":
            self.check_parallel(step, label)
        elif step.kind == "gateway":
            if not step.routes:
                self.error(f"{label}：分支判断没有路由条件")
            if step.default is None:
                self.error(f"{label}：分支判断缺少默认去向")

    def check_task(self, step: Step, label: str) -> None:
        if step.actor is None:
            self.error(f"{label}：缺少办理人")
        elif step.actor.department == "joint":
            self.error(f"{label}：联审部门（joint）只能在并联步骤的分支中办理")
        if step.budget is None:
            self.error(f"{label}：缺少时限")
        if step.next is None:
            self.error(f"{label}：缺少下一步")
        if len(set(step.actions)) != len(step.actions):
            self.error(f"{label}：可用操作重复")
        if "approve" not in step.actions:
            self.error(f"{label}：可用操作必须包含“通过”（approve）")
        # At a deciding step "refuse" is the refusal (不予许可); elsewhere it is a reviewer's 不同意 with reasons,
        # passed on to `on_fail` (else `next`) for the decision.
        if step.on_fail is not None and "refuse" not in step.actions:
            self.error(f"{label}：指定了不同意时去向，但可用操作中没有“不同意”（refuse）")
        if step.on_fail is not None and step.decides:
            self.error(f"{label}：作出决定的步骤“不同意”即办结，不能再指定不同意时去向")
        if "return" in step.actions and not step.return_to:
            self.error(f"{label}：允许退回但没有指定可退回步骤")
        if step.return_to and "return" not in step.actions:
            self.error(f"{label}：指定了可退回步骤，但可用操作中没有“退回”（return）")

    def check_parallel(self, step: Step, label: str) -> None:
        if not step.branches:
            self.error(f"{label}：并联步骤没有分支")
        if step.join is None:
            self.error(f"{label}：并联步骤缺少汇合规则")
        elif step.join.rule == "ratio" and step.join.ratio is None:
            self.error(f"{label}：按比例汇合（ratio）需要设置比例")
        elif step.join.rule != "ratio" and step.join.ratio is not None:
            self.error(f"{label}：只有按比例汇合（ratio）才能设置比例")
        if step.next is None:
            self.error(f"{label}：缺少下一步")
        branch_keys: set[str] = set()
        for branch in step.branches:
            where = f"{label}的分支“{branch.name}”（{branch.key}）"
            if branch.key in branch_keys:
                self.error(f"{label}：分支编码“{branch.key}”重复")
            branch_keys.add(branch.key)
            if branch.per_department and branch.actor.department != "joint":
                self.error(f"{where}：只有联审部门（joint）的分支才能按部门展开")
            if branch.actor.department == "joint" and not branch.per_department:
                self.error(f"{where}：联审部门（joint）的分支应按部门展开（per_department）")

    # -- graph ------------------------------------------------------------------------------------------------

    def find_cycle(self) -> list[str]:
        white, grey, black = 0, 1, 2
        color = dict.fromkeys(self.by_key, white)
        stack: list[str] = []

        def visit(key: str) -> list[str]:
            color[key] = grey
            stack.append(key)
            for nxt in self.forward(key):
                if color[nxt] == grey:
                    return [*stack[stack.index(nxt) :], nxt]
                if color[nxt] == white:
                    found = visit(nxt)
                    if found:
                        return found
            stack.pop()
            color[key] = black
            return []

        for key in self.by_key:
            if color[key] == white:
                found = visit(key)
                if found:
                    return found
        return []

    def reachable_from(self, starts: Iterable[str], *, avoid: AbstractSet[str] = frozenset()) -> set[str]:
        seen: set[str] = set()
        todo = [k for k in starts if k not in avoid]
        while todo:
            key = todo.pop()
            if key in seen:
                continue
            seen.add(key)
            todo.extend(k for k in self.forward(key) if k not in avoid)
        return seen

    def check_reachability(self) -> None:
        reached = self.reachable_from([self.spec.start])
        for step in self.spec.steps:
            if step.key not in reached:
                self.error(f"{step_label(step)}从开始步骤无法到达")
        ends = {s.key for s in self.spec.steps if s.kind == "end"}
        if not ends:
            return  # already reported once; every step would repeat it
        for step in self.spec.steps:
            if step.kind != "end" and not (self.reachable_from([step.key]) & ends):
                self.error(f"{step_label(step)}之后流程无法办结")

    def check_returns(self) -> None:
        for step in self.spec.steps:
            for target in step.return_to:
                if step.key not in self.reachable_from(self.forward(target)):
                    self.error(f"{step_label(step)}只能退回到它之前的步骤，“{target}”不在它之前")
                elif self.by_key[target].kind not in ("task", "parallel"):
                    self.error(f"{step_label(step)}的可退回步骤“{target}”不是办理步骤或并联步骤")

    def check_decisions(self) -> None:
        deciders = {s.key for s in self.spec.steps if s.decides}
        undecided = self.reachable_from([self.spec.start], avoid=deciders)
        for key in undecided:
            if self.by_key[key].kind == "end":
                self.error(
                    f"流程可以不作决定就办结：从开始步骤到“{key}”的某条路径上没有作出决定的步骤（decides）"
                )
                break
        for key in deciders:
            later = self.reachable_from(self.forward(key)) & deciders
            if later:
                self.error(
                    f"{step_label(self.by_key[key])}之后还有作出决定的步骤“{'、'.join(sorted(later))}”，一个办件只能决定一次"
                )


def validate_spec(data: dict[str, Any]) -> ProcessSpec:
    """Parse and check a process specification; raise ValidationError with every problem found, in Chinese."""
    if not isinstance(data, dict):
        raise ValidationError(["流程定义应为JSON对象（{…}）"])
    try:
        spec = ProcessSpec.model_validate(data)
    except pydantic.ValidationError as exc:
        raise ValidationError(_translate(exc, data)) from None
    errors = _Checker(spec).run()
    if errors:
        raise ValidationError(errors)
    return spec
