"""Runtime navigation of a process: pure functions the cases app calls. Nothing here writes to the database.

Definitions are immutable, so parsed specifications are cached per process for good; only "which version is
active" is read from the database on every `get_active`, so a new version saved on another server is used at
once."""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Literal, TypeVar

from django.core.exceptions import ValidationError
from django.db.models.signals import post_delete, post_save

from govhall.catalog.choices import ProcessTemplate, TimeUnit
from govhall.core.compiled import CompiledRead

from .models import ProcessDefinition
from .schema import Branch, Budget, Condition, Join, ProcessSpec, Step
from .validation import validate_spec

JoinState = Literal["pending", "passed", "failed"]
D = TypeVar("D")

_lock = threading.Lock()
_definitions: dict[tuple[str, int, int], ProcessDefinition] = {}
_specs: dict[int, ProcessSpec] = {}


def clear_caches(**_: Any) -> None:
    """Forget cached definitions (a rolled-back test can reuse a primary key for different content)."""
    with _lock:
        _definitions.clear()
        _specs.clear()


def _on_definition_change(sender: Any, **kwargs: Any) -> None:
    if getattr(sender, "_meta", None) is not None and sender._meta.label == "workflow.ProcessDefinition":
        clear_caches()


post_save.connect(_on_definition_change, dispatch_uid="workflow_definition_saved")
post_delete.connect(_on_definition_change, dispatch_uid="workflow_definition_deleted")


# The active version's key and number only (core.compiled), not its specification: that is cached per version.
ACTIVE_VERSION = CompiledRead(
    lambda code: (
        ProcessDefinition.objects.filter(code=code, active=True)
        .order_by("code", "-version", "pk")
        .values_list("pk", "version")[:1]
    ),
    str,
)


def get_active(code: str, active: list[tuple[Any, ...]] | None = None) -> ProcessDefinition:
    """The active version of template `code`; ValidationError "未配置办理流程" when there is none.

    One indexed query every call (another server may have activated a new version), `ACTIVE_VERSION` — or none,
    when the caller has just read its rows (`active`) in a statement of its own (an application reads them in
    its case-number counter's); the instance returned is the one cached for that (code, version), so its parsed
    specification is cached with it."""
    if active is None:
        active = ACTIVE_VERSION.rows(code)
    if not active:
        label = ProcessTemplate(code).label if code in ProcessTemplate.values else code
        raise ValidationError(f"未配置办理流程：“{label}”没有启用的流程版本。", code="no_process")
    pk, version = active[0]
    key = (code, version, pk)
    cached = _definitions.get(key)
    if cached is None:
        # A version's row never changes once saved (a change is a new version): read it whole only once.
        found = ProcessDefinition.objects.get(pk=pk)
        with _lock:
            cached = _definitions.setdefault(key, found)
    return cached


def spec_of(definition: ProcessDefinition) -> ProcessSpec:
    """The parsed specification of a stored definition (cached by primary key: versions never change)."""
    if definition.pk is None:
        return validate_spec(definition.spec)
    spec = _specs.get(definition.pk)
    if spec is None:
        spec = validate_spec(definition.spec)
        with _lock:
            _specs[definition.pk] = spec
    return spec


def spec_by_id(definition_id: int) -> ProcessSpec:
    """spec_of for a definition known by primary key (a case's `process_id`): no query once cached."""
    spec = _specs.get(definition_id)
    if spec is None:
        return spec_of(ProcessDefinition.objects.get(pk=definition_id))
    return spec


# --------------------------------------------------------------------------------------------- navigation


_FALSE_WORDS = frozenset({"", "0", "false", "no", "off", "none", "null", "否", "无"})


def _truthy(value: Any) -> bool:
    # Form posts carry "on"/"false"/"0" as text; a ticked box and a typed "是" both mean yes.
    if isinstance(value, str):
        return value.strip().lower() not in _FALSE_WORDS
    return bool(value)


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def _comparable(left: Any, right: Any) -> tuple[Any, Any]:
    """Compare numbers as numbers even when the form sent them as text ("120" vs 100)."""
    a, b = _number(left), _number(right)
    if a is not None and b is not None:
        return a, b
    return left, right


def condition_holds(condition: Condition, form_data: dict[str, Any]) -> bool:
    """Evaluate one route condition; a field missing from the form makes every condition false."""
    if condition.field not in form_data:
        return False
    actual = form_data[condition.field]
    op = condition.op
    if op == "truthy":
        return _truthy(actual)
    if op == "falsy":
        return not _truthy(actual)
    if op == "in":
        options = condition.value if isinstance(condition.value, list) else []
        values = actual if isinstance(actual, list) else [actual]
        return any(_comparable(v, o)[0] == _comparable(v, o)[1] for v in values for o in options)
    left, right = _comparable(actual, condition.value)
    try:
        if op == "eq":
            return bool(left == right)
        if op == "ne":
            return bool(left != right)
        if op == "gt":
            return bool(left > right)
        if op == "ge":
            return bool(left >= right)
        if op == "lt":
            return bool(left < right)
        if op == "le":
            return bool(left <= right)
    except TypeError:
        return False
    raise ValueError(op)


def _step(spec: ProcessSpec, key: str) -> Step:
    try:
        return spec.step(key)
    except KeyError:
        raise ValidationError(f"流程“{spec.name}”中没有步骤“{key}”。", code="unknown_step") from None


def resolve(spec: ProcessSpec, key: str, form_data: dict[str, Any]) -> Step:
    """From step `key`, follow gateways (routes in order, then the default) to a task, parallel or end step."""
    seen: set[str] = set()
    step = _step(spec, key)
    while step.kind == "gateway":
        if step.key in seen:
            raise ValidationError(f"流程“{spec.name}”的分支判断形成循环。", code="gateway_loop")
        seen.add(step.key)
        target = next((r.to for r in step.routes if condition_holds(r.when, form_data)), step.default)
        if target is None:
            raise ValidationError(f"分支判断“{step.name}”没有默认去向。", code="no_default")
        step = _step(spec, target)
    return step


def first_step(spec: ProcessSpec, form_data: dict[str, Any]) -> Step:
    return resolve(spec, spec.start, form_data)


def evaluate_join(join: Join, total: int, approvals: int, refusals: int) -> JoinState:
    """State of a parallel step's join after `approvals` and `refusals` of `total` branch instances."""
    if total < 1 or approvals < 0 or refusals < 0 or approvals + refusals > total:
        raise ValueError(f"invalid join counts: total={total} approvals={approvals} refusals={refusals}")
    if join.rule == "all":
        need = total
    elif join.rule == "any":
        need = 1
    else:
        if join.ratio is None:
            raise ValueError("ratio join without ratio")
        # Fraction of the decimal text, so 0.7 × 10 needs 7 and not 8 (0.7 * 10 == 7.000000000000001).
        need = max(1, math.ceil(Fraction(str(join.ratio)) * total))
    if approvals >= need:
        return "passed"
    if total - refusals < need:
        return "failed"
    return "pending"


def join_outcome(join: Join, total: int, approvals: int, refusals: int) -> JoinState:
    """When a parallel step's join closes, and how (binding joint review).

    Under "any" (或签) the first approval closes it: one department's consent is all the rule asks for, so the
    branches still open are no longer needed. Under "all" (会签) and "ratio" every branch gives its opinion —
    each department's opinion is its own statutory judgement and goes on record, and a coordination needs to know
    every department that refused — so the join closes only when the last branch has answered, even when the
    outcome is already certain: passed when enough approved (all of them; at least the ratio's share, rounded
    up), failed otherwise. Under "any" the join fails only when every branch has refused."""
    settled = evaluate_join(join, total, approvals, refusals)
    if join.rule == "any" and settled == "passed":
        return "passed"
    if approvals + refusals < total:
        return "pending"
    return settled


def join_of(rule: str, ratio: float | None) -> Join:
    """The Join a case captured (its item's rule or its template's), as the engine's model."""
    return Join.model_validate({"rule": rule, "ratio": ratio if rule == "ratio" else None})


def resolve_budget(budget: Budget, promised_limit: int, promised_unit: str) -> tuple[int, str]:
    """(amount, unit) of a step budget for an item; shares of the promised limit are rounded up, at least 1."""
    if budget.amount is not None and budget.unit is not None:
        return budget.amount, budget.unit
    if promised_unit not in TimeUnit.values:
        raise ValidationError(f"未知的时限单位“{promised_unit}”。", code="unit")
    if budget.share is None:
        raise ValidationError("时限既没有数量也没有比例。", code="budget")
    amount = math.ceil(Fraction(str(budget.share)) * Fraction(max(promised_limit, 0)))
    return max(1, amount), promised_unit


def green_channel_limit(spec: ProcessSpec, promised_limit: int) -> int | None:
    """The shortened promised limit of a 绿色通道 case (rounded up, at least 1); None when the template has none."""
    if spec.green_channel is None:
        return None
    return max(1, math.ceil(Fraction(str(spec.green_channel.factor)) * promised_limit))


def expand_branches(step: Step, lead_department: D, joint_departments: Sequence[D]) -> list[tuple[Branch, D]]:
    """One (branch, department) per branch instance: per-department branches once per co-department."""
    instances: list[tuple[Branch, D]] = []
    co: list[D] = []
    for dept in joint_departments:
        if dept != lead_department and dept not in co:
            co.append(dept)
    for branch in step.branches:
        if branch.per_department:
            if not co:
                raise ValidationError("并联审批需要至少一个联审部门。", code="no_joint_departments")
            instances.extend((branch, dept) for dept in co)
        else:
            instances.append((branch, lead_department))
    return instances


def can_return(step: Step, target_key: str) -> bool:
    return step.kind == "task" and "return" in step.actions and target_key in step.return_to


def allowed_actions(step: Step) -> set[str]:
    return set(step.actions) if step.kind == "task" else set()
