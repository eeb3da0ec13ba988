"""Process templates (流程固化) as data: the pydantic models of a process specification.

A specification is stored as JSON in `ProcessDefinition.spec`; `validation.validate_spec` turns a dict into a
`ProcessSpec` and refuses anything the runtime could not follow (see that module for the rules). The models are
frozen: one parsed specification is shared by every case that runs on its definition."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SLUG_PATTERN = r"^[a-z0-9_]+$"

Slug = Annotated[str, Field(min_length=1, max_length=40, pattern=SLUG_PATTERN)]
Text = Annotated[str, Field(min_length=1, max_length=100)]
BudgetUnit = Literal["workday", "day", "hour", "minute"]
# The roles of org.choices.Role that handle cases; the others supervise, evaluate or apply.
ActorRole = Literal["window_clerk", "approver", "department_head", "agent"]
ActorDepartment = Literal["lead", "joint"]
ActionCode = Literal["approve", "return", "refuse"]
ConditionOp = Literal["eq", "ne", "gt", "ge", "lt", "le", "in", "truthy", "falsy"]
StepKind = Literal["task", "parallel", "gateway", "end"]
JoinRule = Literal["all", "any", "ratio"]

ACTOR_ROLES: tuple[str, ...] = ("window_clerk", "approver", "department_head", "agent")
STEP_KINDS: tuple[str, ...] = ("task", "parallel", "gateway", "end")


class _Frozen(BaseModel):
    # Unknown keys are refused: a misspelt "retrun_to" must not silently mean "no return".
    model_config = ConfigDict(extra="forbid", frozen=True)


class Budget(_Frozen):
    """A step's time budget: a fixed amount and unit, or a share of the item's promised limit."""

    amount: Annotated[int, Field(gt=0)] | None = None
    unit: BudgetUnit | None = None
    share: Annotated[float, Field(gt=0, le=1)] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Budget:
        fixed = self.amount is not None or self.unit is not None
        if self.share is not None and fixed:
            raise ValueError("时限只能填写“数量和单位”或“占承诺时限的比例”其中一种")
        if self.share is None and (self.amount is None or self.unit is None):
            raise ValueError("时限应填写数量和单位，或填写占承诺时限的比例")
        return self


class Actor(_Frozen):
    role: ActorRole
    department: ActorDepartment = "lead"


class Condition(_Frozen):
    field: Annotated[str, Field(min_length=1, max_length=100)]
    op: ConditionOp
    value: Any = None

    @model_validator(mode="after")
    def _value_fits_op(self) -> Condition:
        if self.op == "in" and not isinstance(self.value, list):
            raise ValueError("运算符“in”的值应为列表")
        if self.op in ("gt", "ge", "lt", "le") and (
            self.value is None or isinstance(self.value, (list, dict))
        ):
            raise ValueError(f"运算符“{self.op}”需要一个可比较的值（数字、文本或日期）")
        return self


class Route(_Frozen):
    when: Condition
    to: str
    # Shown on the flowchart edge instead of the raw condition (e.g. "免于现场勘查").
    label: Annotated[str, Field(max_length=40)] = ""


class Branch(_Frozen):
    key: Slug
    name: Text
    actor: Actor
    budget: Budget
    per_department: bool = False


class Join(_Frozen):
    rule: JoinRule
    ratio: Annotated[float, Field(gt=0, le=1)] | None = None


def _default_actions() -> list[ActionCode]:
    return ["approve"]


class Step(_Frozen):
    key: Slug
    name: Text
    kind: StepKind
    actor: Actor | None = None
    budget: Budget | None = None
    actions: list[ActionCode] = Field(default_factory=_default_actions)
    decides: bool = False
    next: str | None = None
    on_fail: str | None = None
    return_to: list[str] = Field(default_factory=list)
    special_procedures: bool = False
    branches: list[Branch] = Field(default_factory=list)
    join: Join | None = None
    routes: list[Route] = Field(default_factory=list)
    default: str | None = None
    # Flowchart text of the default edge of a gateway (e.g. "需要现场勘查").
    default_label: Annotated[str, Field(max_length=40)] = ""

    @property
    def fail_target(self) -> str | None:
        """Where a parallel step goes when its join fails (defaults to `next`)."""
        return self.on_fail or self.next

    def forward_targets(self) -> list[str]:
        """Step keys this step may move to without a return: next, on_fail, routes and default."""
        targets: list[str] = []
        for key in (self.next, self.on_fail, *(r.to for r in self.routes), self.default):
            if key is not None and key not in targets:
                targets.append(key)
        return targets


class GreenChannel(_Frozen):
    factor: Annotated[float, Field(gt=0, lt=1)]
    note: Annotated[str, Field(max_length=200)] = ""


class ProcessSpec(_Frozen):
    code: Annotated[str, Field(min_length=1, max_length=24)]
    name: Text
    description: Annotated[str, Field(max_length=1000)] = ""
    start: str
    steps: list[Step]
    green_channel: GreenChannel | None = None

    def step(self, key: str) -> Step:
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(key)

    def has_step(self, key: str) -> bool:
        return any(step.key == key for step in self.steps)

    def to_json(self) -> dict[str, Any]:
        """The stored form: every field, so the JSON in the database reads without knowing the defaults."""
        return self.model_dump(mode="json")

    def to_editable_json(self) -> dict[str, Any]:
        """The form an administrator edits: defaults left out."""
        return self.model_dump(mode="json", exclude_defaults=True)


__all__ = [
    "Actor",
    "Branch",
    "Budget",
    "Condition",
    "GreenChannel",
    "Join",
    "ProcessSpec",
    "Route",
    "Step",
]
