"""The flowchart of a process as a self-contained inline SVG (办理流程图, domain §6 and §13).

No external service, script or web font: the text uses the fonts of the reader's machine, WenQuanYi Zen Hei
first (installed with the platform), so intranet halls and village kiosks draw it the same way.

Layout, top to bottom: steps are placed in layers by their longest distance from the start; an edge to the next
layer drops straight (or with one dog-leg), an edge that skips layers runs down a lane on the right, and returns
(return_to) run up dashed lanes on the left. A parallel step is one block: its branches side by side between a
fan-out and a fan-in bar, one box per co-department when their names are known."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from .engine import resolve_budget
from .schema import Actor, Branch, Budget, Condition, ProcessSpec, Step

FONT_FAMILY = "'WenQuanYi Zen Hei', 'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', sans-serif"
ROLE_LABELS = {
    "window_clerk": "窗口工作人员",
    "approver": "审批人员",
    "department_head": "部门负责人",
    "agent": "村级代办员",
}
UNIT_TEXT = {"workday": "{n}个工作日", "day": "{n}个自然日", "hour": "{n}小时", "minute": "{n}分钟"}
OP_TEXT = {"eq": "＝", "ne": "≠", "gt": "＞", "ge": "≥", "lt": "＜", "le": "≤"}
JOIN_TEXT = {"all": "会签：全部同意", "any": "或签：任一同意"}

INK = "#1f2328"
MUTED = "#57606a"
LINE = "#6e7781"
RETURN = "#bc4c00"
STATE_STYLE = {
    "current": ("#dbeafe", "#1d4ed8"),
    "done": ("#dcfce7", "#15803d"),
}
STATE_TEXT = {"current": "当前步骤", "done": "已完成"}

MARGIN = 16
V_GAP = 48
H_GAP = 36
LANE_GAP = 22
TASK_H = 74
BRANCH_H = 66
BRANCH_GAP = 16
PAR_TITLE_H = 50
PAR_BAR_GAP = 22


def _text_width(text: str, size: float) -> float:
    # CJK glyphs are square; Latin letters and digits about 0.6 em.
    return sum(size if ord(ch) > 0x2E7F else size * 0.6 for ch in text)


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _budget_text(budget: Budget | None, promised: tuple[int, str] | None) -> str:
    if budget is None:
        return ""
    if promised is not None:
        amount, unit = resolve_budget(budget, promised[0], promised[1])
        return "时限" + UNIT_TEXT.get(unit, "{n}" + unit).format(n=amount)
    if budget.share is not None:
        return f"承诺时限的{budget.share * 100:g}%"
    return "时限" + UNIT_TEXT.get(budget.unit or "", "{n}").format(n=budget.amount)


def _value_text(value: object) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(_value_text(v) for v in value)
    return str(value)


def condition_text(condition: Condition) -> str:
    if condition.op == "truthy":
        return f"{condition.field}为是"
    if condition.op == "falsy":
        return f"{condition.field}为否"
    if condition.op == "in":
        return f"{condition.field}属于{_value_text(condition.value)}"
    return f"{condition.field}{OP_TEXT[condition.op]}{_value_text(condition.value)}"


@dataclass
class _Node:
    key: str
    kind: str
    w: float
    h: float
    rank: int = 0
    x: float = 0.0  # centre
    y: float = 0.0  # top
    step: Step | None = None

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def mid(self) -> float:
        return self.y + self.h / 2


@dataclass
class _BranchBox:
    branch: Branch
    title: str
    department: str
    detail: str
    w: float


@dataclass
class _Canvas:
    parts: list[str] = field(default_factory=list)
    min_x: float = float("inf")
    min_y: float = float("inf")
    max_x: float = float("-inf")
    max_y: float = float("-inf")

    def extend(self, x0: float, y0: float, x1: float, y1: float) -> None:
        self.min_x, self.max_x = min(self.min_x, x0, x1), max(self.max_x, x0, x1)
        self.min_y, self.max_y = min(self.min_y, y0, y1), max(self.max_y, y0, y1)

    def add(self, svg: str) -> None:
        self.parts.append(svg)

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float = 12,
        bold: bool = False,
        anchor: str = "middle",
        fill: str = INK,
        halo: bool = False,
    ) -> None:
        width = _text_width(text, size)
        x0 = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
        self.extend(x0, y - size, x0 + width, y + size * 0.3)
        attrs = f'x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" text-anchor="{anchor}" fill="{fill}"'
        if bold:
            attrs += ' font-weight="bold"'
        if halo:
            # A white outline under the glyphs keeps edge labels readable where they cross a line.
            attrs += ' stroke="#ffffff" stroke-width="3" paint-order="stroke"'
        self.add(f"<text {attrs}>{escape(text)}</text>")

    def polyline(self, points: list[tuple[float, float]], *, marker: str, color: str, dashed: bool) -> None:
        for x, y in points:
            self.extend(x, y, x, y)
        d = "M" + " L".join(f"{_n(x)},{_n(y)}" for x, y in points)
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        self.add(
            f'<path d="{d}" fill="none" stroke="{color}" stroke-width="1.5"{dash} marker-end="url(#{marker})"/>'
        )


class _Layout:
    def __init__(
        self,
        spec: ProcessSpec,
        current: Set[str],
        done: Set[str],
        branch_names: Mapping[str, list[str]] | None,
        promised: tuple[int, str] | None,
        lead_name: str | None,
    ) -> None:
        self.spec = spec
        self.current = current
        self.done = done
        self.branch_names = branch_names or {}
        self.promised = promised
        self.lead_name = lead_name
        self.has_parallel = any(s.kind == "parallel" for s in spec.steps)
        self.nodes: dict[str, _Node] = {}
        self.branch_boxes: dict[str, list[_BranchBox]] = {}
        self.prefix = (
            "wf"
            + hashlib.sha1(
                json.dumps(
                    [spec.to_json(), sorted(current), sorted(done), self.branch_names, promised, lead_name],
                    sort_keys=True,
                    ensure_ascii=False,
                ).encode()
            ).hexdigest()[:8]
        )

    # -- texts ------------------------------------------------------------------------------------------------

    def state(self, key: str) -> str | None:
        if key in self.current:
            return "current"
        if key in self.done:
            return "done"
        return None

    def actor_text(self, actor: Actor | None) -> str:
        if actor is None:
            return ""
        role = ROLE_LABELS.get(actor.role, actor.role)
        if actor.department == "joint":
            return f"{role} · 联审部门"
        # Only a joint review has more than one department to tell apart.
        if self.has_parallel:
            return f"{role} · {self.lead_name or '牵头部门'}"
        return role

    def task_lines(self, step: Step) -> list[str]:
        detail = _budget_text(step.budget, self.promised)
        if step.decides:
            detail = f"{detail} · 作出决定" if detail else "作出决定"
        return [step.name, self.actor_text(step.actor), detail]

    def join_text(self, step: Step) -> str:
        join = step.join
        text = JOIN_TEXT.get(join.rule, "") if join else ""
        if join and join.rule == "ratio" and join.ratio is not None:
            text = f"按比例：不少于{join.ratio * 100:g}%同意"
        budget = _budget_text(step.budget, self.promised)
        return f"{text} · {budget}" if text and budget else text or budget

    def make_branch_boxes(self, step: Step) -> list[_BranchBox]:
        boxes = []
        for branch in step.branches:
            names = self.branch_names.get(branch.key)
            role = ROLE_LABELS.get(branch.actor.role, branch.actor.role)
            detail = f"{role} · {_budget_text(branch.budget, self.promised)}"
            if names:
                departments = list(names)
            elif branch.actor.department == "joint":
                departments = ["各联审部门"]
            else:
                departments = [self.lead_name or "牵头部门"]
            for dept in departments:
                width = max(_text_width(branch.name, 13), _text_width(dept, 12), _text_width(detail, 11)) + 24
                boxes.append(_BranchBox(branch, branch.name, dept, detail, max(width, 128)))
        return boxes

    # -- geometry -------------------------------------------------------------------------------------------

    def build_nodes(self) -> None:
        self.nodes["__start__"] = _Node("__start__", "start", 40, 40)
        for step in self.spec.steps:
            if step.kind == "task":
                width = max(
                    _text_width(line, 14 if i == 0 else 12) for i, line in enumerate(self.task_lines(step))
                )
                node = _Node(step.key, "task", max(150, width + 28), TASK_H, step=step)
            elif step.kind == "gateway":
                node = _Node(
                    step.key, "gateway", max(140, _text_width(step.name, 13) * 1.5 + 40), 66, step=step
                )
            elif step.kind == "parallel":
                boxes = self.make_branch_boxes(step)
                self.branch_boxes[step.key] = boxes
                inner = sum(b.w for b in boxes) + BRANCH_GAP * max(len(boxes) - 1, 0)
                title = max(_text_width(step.name, 14), _text_width(self.join_text(step), 12))
                height = PAR_TITLE_H + 4 + PAR_BAR_GAP + BRANCH_H + PAR_BAR_GAP + 4 + 16
                node = _Node(step.key, "parallel", max(inner, title) + 36, height, step=step)
            else:
                node = _Node(step.key, "end", 48, 48, step=step)
            self.nodes[step.key] = node

    def edges(self) -> list[tuple[str, str, str]]:
        """(source, target, label) of the forward edges, the start edge first."""
        out: list[tuple[str, str, str]] = []
        if self.spec.start in self.nodes:
            out.append(("__start__", self.spec.start, ""))
        for step in self.spec.steps:
            if step.kind == "gateway":
                for route in step.routes:
                    out.append((step.key, route.to, route.label or condition_text(route.when)))
                if step.default:
                    out.append((step.key, step.default, step.default_label or "其他情形"))
            elif step.kind == "parallel":
                split = step.on_fail is not None and step.on_fail != step.next
                if step.next:
                    out.append((step.key, step.next, "通过" if split else ""))
                if split and step.on_fail:
                    out.append((step.key, step.on_fail, "未通过"))
            elif step.next:
                split = step.on_fail is not None and step.on_fail != step.next
                out.append((step.key, step.next, "同意" if split else ""))
                if split and step.on_fail:
                    out.append((step.key, step.on_fail, "不同意"))
        return [e for e in out if e[0] in self.nodes and e[1] in self.nodes]

    def assign_ranks(self, edges: list[tuple[str, str, str]]) -> None:
        succ: dict[str, list[str]] = {k: [] for k in self.nodes}
        for src, dst, _ in edges:
            succ[src].append(dst)
        order: list[str] = []
        state: dict[str, int] = {}

        def visit(key: str) -> None:
            state[key] = 1
            for nxt in succ[key]:
                if nxt not in state:
                    visit(nxt)
            state[key] = 2
            order.append(key)

        visit("__start__")
        for key in self.nodes:  # steps an unvalidated spec cannot reach still get drawn
            if key not in state:
                visit(key)
        order.reverse()
        position = {k: i for i, k in enumerate(order)}
        rank = dict.fromkeys(self.nodes, 0)
        for key in order:
            for nxt in succ[key]:
                if position[nxt] > position[key]:  # back edges of an invalid spec are ignored
                    rank[nxt] = max(rank[nxt], rank[key] + 1)
        for key, node in self.nodes.items():
            node.rank = rank[key]

    def _barycentre(
        self, node: _Node, rank: int, preds: dict[str, list[str]], spec_order: dict[str, int]
    ) -> tuple[float, int]:
        xs = [self.nodes[p].x for p in preds[node.key] if self.nodes[p].rank < rank]
        return (sum(xs) / len(xs) if xs else 0.0, spec_order.get(node.key, -1))

    def place(self, edges: list[tuple[str, str, str]]) -> dict[int, float]:
        layers: dict[int, list[_Node]] = {}
        for node in self.nodes.values():
            layers.setdefault(node.rank, []).append(node)
        preds: dict[str, list[str]] = {k: [] for k in self.nodes}
        for src, dst, _ in edges:
            preds[dst].append(src)
        spec_order = {s.key: i for i, s in enumerate(self.spec.steps)}
        layer_top: dict[int, float] = {}
        y = 0.0
        for rank in sorted(layers):
            row = layers[rank]

            row.sort(key=functools.partial(self._barycentre, rank=rank, preds=preds, spec_order=spec_order))
            total = sum(n.w for n in row) + H_GAP * (len(row) - 1)
            x = -total / 2
            height = max(n.h for n in row)
            for node in row:
                node.x = x + node.w / 2
                node.y = y + (height - node.h) / 2
                x += node.w + H_GAP
            layer_top[rank] = y
            y += height + V_GAP
        return layer_top

    # -- drawing ----------------------------------------------------------------------------------------------

    def draw_edges(
        self, canvas: _Canvas, edges: list[tuple[str, str, str]], layer_top: dict[int, float]
    ) -> None:
        right = max(n.x + n.w / 2 for n in self.nodes.values())
        left = min(n.x - n.w / 2 for n in self.nodes.values())
        lane_r = 0
        labels: list[tuple[float, float, str, str]] = []
        arrow = f"{self.prefix}-arrow"
        for src_key, dst_key, label in edges:
            src, dst = self.nodes[src_key], self.nodes[dst_key]
            if dst.rank == src.rank + 1:
                mid = layer_top[dst.rank] - V_GAP / 2
                if abs(src.x - dst.x) < 0.5:
                    points = [(src.x, src.bottom), (dst.x, dst.y)]
                else:
                    points = [(src.x, src.bottom), (src.x, mid), (dst.x, mid), (dst.x, dst.y)]
                canvas.polyline(points, marker=arrow, color=LINE, dashed=False)
                if label:
                    labels.append((dst.x + 6, dst.y - 8, label, "start"))
            else:
                lane = right + 28 + LANE_GAP * lane_r
                lane_r += 1
                start = (src.x + src.w / 2, src.mid)
                points = [start, (lane, src.mid), (lane, dst.mid), (dst.x + dst.w / 2, dst.mid)]
                canvas.polyline(points, marker=arrow, color=LINE, dashed=False)
                if label:
                    labels.append((start[0] + 6, src.mid - 7, label, "start"))
        back = f"{self.prefix}-back"
        returns = [
            (self.nodes[step.key], self.nodes[target])
            for step in self.spec.steps
            for target in step.return_to
            if target in self.nodes
        ]
        # Short returns on the inner lanes, so lanes nest instead of crossing.
        returns.sort(key=lambda pair: pair[0].rank - pair[1].rank)
        for lane_l, (src, dst) in enumerate(returns):
            lane = left - 28 - LANE_GAP * lane_l
            points = [
                (src.x - src.w / 2, src.mid + 6),
                (lane, src.mid + 6),
                (lane, dst.mid - 6),
                (dst.x - dst.w / 2, dst.mid - 6),
            ]
            canvas.polyline(points, marker=back, color=RETURN, dashed=True)
            if lane_l == 0:
                labels.append((lane - 4, (src.mid + dst.mid) / 2, "退回", "end"))
        for x, y, text, anchor in labels:
            canvas.text(x, y, text, size=11, anchor=anchor, fill=MUTED, halo=True)

    def _box_style(self, key: str, fill: str = "#ffffff", stroke: str = MUTED) -> str:
        state = self.state(key)
        width = "1.5"
        if state:
            fill, stroke = STATE_STYLE[state]
            width = "2.5"
        return f'fill="{fill}" stroke="{stroke}" stroke-width="{width}"'

    def _open_group(self, canvas: _Canvas, key: str, title: str) -> None:
        state = self.state(key)
        suffix = f"（{STATE_TEXT[state]}）" if state else ""
        canvas.add(f"<g data-step={quoteattr(key)}><title>{escape(title + suffix)}</title>")

    def draw_nodes(self, canvas: _Canvas) -> None:
        for node in self.nodes.values():
            left, top = node.x - node.w / 2, node.y
            canvas.extend(left, top, left + node.w, node.bottom)
            if node.kind == "start":
                canvas.add('<g data-step="__start__"><title>开始</title>')
                canvas.add(
                    f'<circle cx="{_n(node.x)}" cy="{_n(node.mid)}" r="20" fill="#ffffff" stroke="{MUTED}" '
                    'stroke-width="1.5"/>'
                )
                canvas.text(node.x, node.mid + 4.5, "开始", size=12)
                canvas.add("</g>")
                continue
            step = node.step
            assert step is not None
            self._open_group(canvas, step.key, step.name)
            if node.kind == "task":
                canvas.add(
                    f'<rect x="{_n(left)}" y="{_n(top)}" width="{_n(node.w)}" height="{_n(node.h)}" rx="10" '
                    f"{self._box_style(step.key)}/>"
                )
                lines = self.task_lines(step)
                canvas.text(node.x, top + 24, lines[0], size=14, bold=True)
                if lines[1]:
                    canvas.text(node.x, top + 44, lines[1], fill=MUTED)
                if lines[2]:
                    canvas.text(node.x, top + 62, lines[2], fill=MUTED)
            elif node.kind == "gateway":
                pts = [(node.x, top), (left + node.w, node.mid), (node.x, node.bottom), (left, node.mid)]
                points = " ".join(f"{_n(x)},{_n(y)}" for x, y in pts)
                canvas.add(f'<polygon points="{points}" {self._box_style(step.key, fill="#fff8e1")}/>')
                canvas.text(node.x, node.mid + 4.5, step.name, size=13)
            elif node.kind == "end":
                canvas.add(
                    f'<circle cx="{_n(node.x)}" cy="{_n(node.mid)}" r="24" {self._box_style(step.key)}/>'
                    f'<circle cx="{_n(node.x)}" cy="{_n(node.mid)}" r="19" fill="none" stroke="{MUTED}" '
                    'stroke-width="1"/>'
                )
                if len(step.name) <= 2:
                    canvas.text(node.x, node.mid + 4.5, step.name, size=12, bold=True)
                else:
                    canvas.text(node.x + 30, node.mid + 4.5, step.name, size=12, bold=True, anchor="start")
            else:
                self.draw_parallel(canvas, node, step)
            canvas.add("</g>")

    def draw_parallel(self, canvas: _Canvas, node: _Node, step: Step) -> None:
        left, top = node.x - node.w / 2, node.y
        canvas.add(
            f'<rect x="{_n(left)}" y="{_n(top)}" width="{_n(node.w)}" height="{_n(node.h)}" rx="12" '
            f'{self._box_style(step.key, fill="#f6f8fa")} stroke-dasharray="5 3"/>'
        )
        canvas.text(node.x, top + 22, step.name, size=14, bold=True)
        join = self.join_text(step)
        if join:
            canvas.text(node.x, top + 41, join, fill=MUTED)
        boxes = self.branch_boxes.get(step.key, [])
        if not boxes:
            return
        bar_out = top + PAR_TITLE_H
        box_top = bar_out + 4 + PAR_BAR_GAP
        bar_in = box_top + BRANCH_H + PAR_BAR_GAP
        inner = sum(b.w for b in boxes) + BRANCH_GAP * (len(boxes) - 1)
        x = node.x - inner / 2
        centres = []
        for box in boxes:
            centres.append(x + box.w / 2)
            x += box.w + BRANCH_GAP
        bar_left, bar_right = min(centres) - 8, max(centres) + 8
        for y in (bar_out, bar_in):
            canvas.add(
                f'<rect x="{_n(bar_left)}" y="{_n(y)}" width="{_n(bar_right - bar_left)}" height="4" fill="{INK}"/>'
            )
        arrow = f"{self.prefix}-arrow"
        x = node.x - inner / 2
        for box, centre in zip(boxes, centres, strict=True):
            canvas.polyline(
                [(centre, bar_out + 4), (centre, box_top)], marker=arrow, color=LINE, dashed=False
            )
            canvas.polyline(
                [(centre, box_top + BRANCH_H), (centre, bar_in)], marker=arrow, color=LINE, dashed=False
            )
            canvas.add(
                f"<g data-branch={quoteattr(box.branch.key)}><title>{escape(box.title)}：{escape(box.department)}</title>"
            )
            canvas.add(
                f'<rect x="{_n(x)}" y="{_n(box_top)}" width="{_n(box.w)}" height="{BRANCH_H}" rx="8" '
                f"{self._box_style(step.key)}/>"
            )
            canvas.text(centre, box_top + 21, box.title, size=13, bold=True)
            canvas.text(centre, box_top + 40, box.department, fill=INK)
            canvas.text(centre, box_top + 57, box.detail, size=11, fill=MUTED)
            canvas.add("</g>")
            x += box.w + BRANCH_GAP

    def draw_legend(self, canvas: _Canvas) -> None:
        entries: list[tuple[str, str]] = []
        if any(s.return_to for s in self.spec.steps):
            entries.append(("return", "虚线：可退回的步骤"))
        for state in ("current", "done"):
            if any(self.state(s.key) == state for s in self.spec.steps):
                entries.append((state, STATE_TEXT[state]))
        if not entries:
            return
        x, y = canvas.min_x, canvas.max_y + 22
        for kind, text in entries:
            if kind == "return":
                canvas.add(
                    f'<path d="M{_n(x)},{_n(y - 4)} L{_n(x + 24)},{_n(y - 4)}" stroke="{RETURN}" '
                    'stroke-width="1.5" stroke-dasharray="6 4"/>'
                )
            else:
                fill, stroke = STATE_STYLE[kind]
                canvas.add(
                    f'<rect x="{_n(x)}" y="{_n(y - 11)}" width="24" height="14" rx="3" fill="{fill}" '
                    f'stroke="{stroke}" stroke-width="2"/>'
                )
            canvas.text(x + 30, y, text, size=11, anchor="start", fill=MUTED)
            x += 30 + _text_width(text, 11) + 20

    def description(self, edges: Iterable[tuple[str, str, str]]) -> str:
        names = {s.key: s.name for s in self.spec.steps}
        names["__start__"] = "开始"
        parts = []
        for src, dst, label in edges:
            text = f"{names[src]} → {names[dst]}"
            parts.append(f"{text}（{label}）" if label else text)
        for step in self.spec.steps:
            for target in step.return_to:
                if target in names:
                    parts.append(f"{step.name}可退回{names[target]}")
        for step in self.spec.steps:
            if step.kind == "parallel":
                boxes = self.branch_boxes.get(step.key, [])
                branches = "、".join(f"{b.title}（{b.department}）" for b in boxes)
                parts.append(f"{step.name}同时进行：{branches}；{self.join_text(step)}")
        for key, label in ((k, "当前步骤") for k in self.current):
            if key in names:
                parts.append(f"{label}：{names[key]}")
        done = [names[k] for k in self.done if k in names]
        if done:
            parts.append("已完成：" + "、".join(done))
        return "；".join(parts) + "。"

    def render(self) -> str:
        self.build_nodes()
        edges = self.edges()
        self.assign_ranks(edges)
        layer_top = self.place(edges)
        body = _Canvas()
        self.draw_edges(body, edges, layer_top)
        self.draw_nodes(body)
        self.draw_legend(body)
        dx, dy = MARGIN - body.min_x, MARGIN - body.min_y
        width = body.max_x - body.min_x + 2 * MARGIN
        height = body.max_y - body.min_y + 2 * MARGIN
        title = f"{self.spec.name}流程图"
        p = self.prefix
        marker = (
            '<marker id="{id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" '
            'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{color}"/></marker>'
        )
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="workflow-chart" role="img" '
            f'aria-labelledby="{p}-title {p}-desc" aria-label={quoteattr(title)} '
            f'width="{_n(width)}" height="{_n(height)}" viewBox="0 0 {_n(width)} {_n(height)}" '
            # Shrinks to a narrow screen only so far that the text stays legible; beyond that the page scrolls.
            f'style="max-width:100%;min-width:{_n(width * 0.8)}px;height:auto" '
            f'font-family="{FONT_FAMILY}">'
            f'<title id="{p}-title">{escape(title)}</title>'
            f'<desc id="{p}-desc">{escape(self.description(edges))}</desc>'
            "<defs>"
            + marker.format(id=f"{p}-arrow", color=LINE)
            + marker.format(id=f"{p}-back", color=RETURN)
            + "</defs>"
            f'<g transform="translate({_n(dx)},{_n(dy)})">' + "".join(body.parts) + "</g></svg>"
        )


def render_svg(
    spec: ProcessSpec,
    *,
    current: Set[str] = frozenset(),
    done: Set[str] = frozenset(),
    branch_names: dict[str, list[str]] | None = None,
    promised: tuple[int, str] | None = None,
    lead_name: str | None = None,
) -> str:
    """The flowchart of `spec` as an inline SVG document fragment (valid XML).

    current / done: step keys drawn blue / green. branch_names: branch key → department names, one box each
    (a per-department branch without names is drawn once as "各联审部门"). promised: the item's promised limit
    (amount, unit), to print budgets as time rather than shares. lead_name: the lead department's name."""
    return _Layout(spec, current, done, branch_names, promised, lead_name).render()
