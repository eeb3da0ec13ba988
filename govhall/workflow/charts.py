"""Flowcharts of concrete items: the active template with the item's departments and promised limit."""

from __future__ import annotations

from collections.abc import Set
from typing import Any

from .engine import get_active, spec_of
from .flowchart import render_svg


def item_branch_names(item: Any, spec: Any) -> dict[str, list[str]]:
    """Branch key → department names for an item: the lead on lead branches, each co-department on joint ones."""
    names: dict[str, list[str]] = {}
    joint: list[str] | None = None
    for step in spec.steps:
        for branch in step.branches:
            if branch.actor.department == "joint":
                if joint is None:
                    joint = [d.name for d in item.joint_departments.all() if d.pk != item.department_id]
                if joint:
                    names[branch.key] = joint
            else:
                names[branch.key] = [item.department.name]
    return names


def item_flowchart_svg(item: Any, *, current: Set[str] = frozenset(), done: Set[str] = frozenset()) -> str:
    """Raises ValidationError ("未配置办理流程") when the item's template has no active version."""
    spec = spec_of(get_active(item.process_template))
    return render_svg(
        spec,
        current=current,
        done=done,
        branch_names=item_branch_names(item, spec),
        promised=(item.promised_limit, item.promised_limit_unit),
        lead_name=item.department.name,
    )
