"""The seven standard process templates (domain §6), the single source of the data migration that ships them.

Budgets are shares of the item's promised limit, so one template fits a 3-day and a 30-day item alike; the one
fixed budget is the upper authority's review of a reported item (《行政许可法》第四十三条: 20 days).
Every template decides exactly once on every path, and returns go only to earlier steps."""

from __future__ import annotations

from typing import Any

END: dict[str, Any] = {"key": "done", "name": "办结", "kind": "end"}


def _share(share: float) -> dict[str, Any]:
    return {"share": share}


def _review(
    share: float, *, next_key: str, name: str = "审查", disagree_to: str | None = None
) -> dict[str, Any]:
    """The reviewer's step: 同意, or 不同意 with reasons — an opinion, not a decision: the case goes on to the
    deciding step (`disagree_to`, else the next one), where the head decides on the reviewer's reasons
    (《行政许可法》第三十四条、第三十八条: the organ reviews, then decides; a refusal states its reasons)."""
    step: dict[str, Any] = {
        "key": "review",
        "name": name,
        "kind": "task",
        "actor": {"role": "approver", "department": "lead"},
        "budget": _share(share),
        "actions": ["approve", "refuse"],
        # Hearing, expert review, testing … may be started while the application is under review (art. 45).
        "special_procedures": True,
        "next": next_key,
    }
    if disagree_to and disagree_to != next_key:
        step["on_fail"] = disagree_to
    return step


def _decide(share: float, *, return_to: list[str], name: str = "审批决定") -> dict[str, Any]:
    return {
        "key": "decide",
        "name": name,
        "kind": "task",
        "actor": {"role": "department_head", "department": "lead"},
        "budget": _share(share),
        "actions": ["approve", "return", "refuse"],
        "decides": True,
        "return_to": return_to,
        "next": "done",
    }


INSTANT: dict[str, Any] = {
    "code": "instant",
    "name": "即办流程",
    "description": "即办件：材料齐全、符合法定形式的，窗口工作人员当场审查并作出决定，当场办结、当场出件。",
    "start": "window",
    "steps": [
        {
            "key": "window",
            "name": "窗口受理并当场办结",
            "kind": "task",
            "actor": {"role": "window_clerk", "department": "lead"},
            "budget": _share(1.0),
            "actions": ["approve", "refuse"],
            "decides": True,
            "next": "done",
        },
        END,
    ],
}

STANDARD: dict[str, Any] = {
    "code": "standard",
    "name": "标准承诺件流程",
    "description": "承诺件：窗口受理后由审批人员审查，部门负责人作出准予或不予的决定，在承诺时限内办结。",
    "start": "review",
    "steps": [
        _review(0.5, next_key="decide"),
        _decide(0.5, return_to=["review"]),
        END,
    ],
}

SITE_INSPECTION: dict[str, Any] = {
    "code": "site_inspection",
    "name": "含现场勘查流程",
    "description": (
        "需要核查经营场所、设施设备等实际情况的事项：审查后组织现场勘查，勘查合格后作出决定；"
        "适用告知承诺或已有核查结论、免于现场勘查的，审查后直接作出决定。"
    ),
    "start": "review",
    "steps": [
        _review(0.4, next_key="need_inspection", disagree_to="decide"),
        {
            "key": "need_inspection",
            "name": "是否需要现场勘查",
            "kind": "gateway",
            "routes": [
                {
                    "when": {"field": "site_inspection_waived", "op": "truthy"},
                    "to": "decide",
                    "label": "免于现场勘查",
                }
            ],
            "default": "inspect",
            "default_label": "需要现场勘查",
        },
        {
            "key": "inspect",
            "name": "现场勘查",
            "kind": "task",
            "actor": {"role": "approver", "department": "lead"},
            "budget": _share(0.3),
            "actions": ["approve", "return"],
            "special_procedures": False,
            "return_to": ["review"],
            "next": "decide",
        },
        _decide(0.3, return_to=["review", "inspect"]),
        END,
    ],
}

SPECIAL_PROCEDURE: dict[str, Any] = {
    "code": "special_procedure",
    "name": "含特别程序流程",
    "description": (
        "依法需要听证、专家评审、检验检测或公示的事项：审查后履行特别程序，再作出决定。"
        "特别程序所需时间书面告知申请人，不计入办理时限（《行政许可法》第四十五条）。"
    ),
    "start": "review",
    "steps": [
        _review(0.4, next_key="special", disagree_to="decide"),
        {
            "key": "special",
            "name": "特别程序（听证/专家评审/公示）",
            "kind": "task",
            "actor": {"role": "approver", "department": "lead"},
            "budget": _share(0.3),
            "actions": ["approve"],
            "special_procedures": True,
            "next": "decide",
        },
        _decide(0.3, return_to=["review"]),
        END,
    ],
}

REPORT_UPWARD: dict[str, Any] = {
    "code": "report_upward",
    "name": "上报上级审批流程",
    "description": (
        "由上级机关决定的事项：本级初审并提出初审意见后报上级机关，上级机关的审批结果录入系统后办结。"
        "上级机关审查时限依《行政许可法》第四十三条按20个工作日计。"
    ),
    "start": "review",
    "steps": [
        _review(0.5, next_key="preliminary", name="初审"),
        {
            "key": "preliminary",
            "name": "初审意见",
            "kind": "task",
            "actor": {"role": "department_head", "department": "lead"},
            "budget": _share(0.5),
            "actions": ["approve", "return"],
            "return_to": ["review"],
            "next": "upper",
        },
        {
            "key": "upper",
            "name": "上级机关审批（结果录入）",
            "kind": "task",
            "actor": {"role": "approver", "department": "lead"},
            "budget": {"amount": 20, "unit": "workday"},
            "actions": ["approve", "return", "refuse"],
            "decides": True,
            "return_to": ["review"],
            "next": "done",
        },
        END,
    ],
}

JOINT_REVIEW: dict[str, Any] = {
    "code": "joint_review",
    "name": "并联审批流程",
    "description": (
        "并联审批（联审联办）：牵头部门受理审查后，牵头部门和各协办部门同时审查，各部门均须提出意见，"
        "全部同意后由牵头部门作出决定；有部门不同意的，牵头部门只能作出不予许可决定，或启动联审协调，"
        "由不同意的部门重新提出意见。事项可另行设置汇合规则（或签、按比例）。重大项目可走绿色通道，承诺时限减半。"
    ),
    "start": "lead_review",
    "steps": [
        {
            "key": "lead_review",
            "name": "牵头部门受理审查",
            "kind": "task",
            "actor": {"role": "approver", "department": "lead"},
            "budget": _share(0.2),
            "actions": ["approve", "refuse"],
            "special_procedures": True,
            "next": "joint",
            # 不同意 at the lead's review goes to the lead's head for the decision, without the joint review.
            "on_fail": "decide",
        },
        {
            "key": "joint",
            "name": "联合审查",
            "kind": "parallel",
            "budget": _share(0.5),
            "branches": [
                {
                    "key": "lead",
                    "name": "牵头部门审查",
                    "actor": {"role": "approver", "department": "lead"},
                    "budget": _share(0.5),
                },
                {
                    "key": "co",
                    "name": "协办部门审查",
                    "actor": {"role": "approver", "department": "joint"},
                    "budget": _share(0.5),
                    "per_department": True,
                },
            ],
            "join": {"rule": "all"},
            "next": "decide",
            "on_fail": "decide",
        },
        {
            "key": "decide",
            "name": "审批决定",
            "kind": "task",
            "actor": {"role": "department_head", "department": "lead"},
            "budget": _share(0.3),
            "actions": ["approve", "return", "refuse"],
            "decides": True,
            "return_to": ["lead_review"],
            "next": "done",
        },
        END,
    ],
    "green_channel": {"factor": 0.5, "note": "重大项目经批准进入绿色通道，优先办理，承诺时限减半。"},
}

BUNDLE: dict[str, Any] = {
    "code": "bundle",
    "name": "一件事联办流程",
    "description": (
        "“一件事”中的单个事项：一次申请、一窗受理后，各事项同时审查、分别决定，"
        "全部办结后统一出件（由办件系统同步办结）。"
    ),
    "start": "review",
    "steps": [
        _review(0.5, next_key="decide"),
        _decide(0.5, return_to=["review"]),
        END,
    ],
}

STANDARD_TEMPLATES: dict[str, dict[str, Any]] = {
    t["code"]: t
    for t in (INSTANT, STANDARD, SITE_INSPECTION, SPECIAL_PROCEDURE, REPORT_UPWARD, JOINT_REVIEW, BUNDLE)
}
