"""The SVG flowchart: well-formed XML, accessible, every step drawn, states and departments shown."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from govhall.workflow.flowchart import render_svg
from govhall.workflow.standard import STANDARD_TEMPLATES
from govhall.workflow.validation import validate_spec

from .conftest import copy_of, step_of

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def group(root: ET.Element, key: str) -> ET.Element:
    found = [g for g in root.iter(f"{SVG}g") if g.get("data-step") == key]
    assert len(found) == 1, key
    return found[0]


@pytest.mark.parametrize("code", sorted(STANDARD_TEMPLATES))
def test_every_template_draws_as_valid_accessible_svg(code):
    spec = validate_spec(copy_of(STANDARD_TEMPLATES[code]))
    svg = render_svg(spec)
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label") == f"{spec.name}流程图"
    assert root.find(f"{SVG}title").text == f"{spec.name}流程图"
    assert "WenQuanYi Zen Hei" in root.get("font-family") and root.get("font-family").endswith("sans-serif")
    assert float(root.get("width")) > 100 and float(root.get("height")) > 200
    drawn = texts(root)
    for step in spec.steps:
        assert step.name in drawn, step.name
        group(root, step.key)
    assert "开始" in drawn
    # No external resource of any kind.
    assert "href" not in svg and "http://" not in svg.replace("http://www.w3.org/2000/svg", "")
    # Every referenced marker is defined in the same document.
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    for path in root.iter(f"{SVG}path"):
        marker = path.get("marker-end")
        if marker:
            assert marker[len("url(#") : -1] in ids


def test_budgets_roles_and_gateway_labels():
    spec = validate_spec(copy_of(STANDARD_TEMPLATES["site_inspection"]))
    drawn = texts(parse(render_svg(spec)))
    assert "审批人员" in drawn and "部门负责人" in drawn
    assert "承诺时限的40%" in drawn
    assert "免于现场勘查" in drawn and "需要现场勘查" in drawn
    # With the item's promised limit the budgets read as time.
    drawn = texts(parse(render_svg(spec, promised=(10, "workday"))))
    assert "时限4个工作日" in drawn and "时限3个工作日 · 作出决定" in drawn


def test_return_edges_are_dashed_and_forward_edges_solid():
    spec = validate_spec(copy_of(STANDARD_TEMPLATES["site_inspection"]))
    root = parse(render_svg(spec))
    paths = [p for p in root.iter(f"{SVG}path") if p.get("marker-end")]
    dashed = [p for p in paths if p.get("stroke-dasharray")]
    solid = [p for p in paths if not p.get("stroke-dasharray")]
    returns = sum(len(s.return_to) for s in spec.steps)
    forward = 1 + sum(len(s.forward_targets()) for s in spec.steps)  # + the start edge
    assert (len(dashed), len(solid)) == (returns, forward)
    assert "退回" in texts(root)


def test_current_and_done_steps_are_highlighted():
    spec = validate_spec(copy_of(STANDARD_TEMPLATES["standard"]))
    root = parse(render_svg(spec, current={"decide"}, done={"review"}))

    def fill(key: str) -> str:
        return next(group(root, key).iter(f"{SVG}rect")).get("fill")

    assert fill("decide") == "#dbeafe"
    assert fill("review") == "#dcfce7"
    assert group(root, "decide").find(f"{SVG}title").text == "审批决定（当前步骤）"
    assert group(root, "review").find(f"{SVG}title").text == "审查（已完成）"
    assert "当前步骤" in texts(root) and "已完成" in texts(root)
    plain = parse(render_svg(spec))
    assert next(group(plain, "decide").iter(f"{SVG}rect")).get("fill") == "#ffffff"


def test_parallel_step_draws_one_box_per_co_department():
    spec = validate_spec(copy_of(STANDARD_TEMPLATES["joint_review"]))
    names = {"co": ["县自然资源局", "县消防救援大队", "县人民防空办公室"], "lead": ["县住房和城乡建设局"]}
    root = parse(render_svg(spec, branch_names=names, lead_name="县住房和城乡建设局"))
    boxes = [g for g in root.iter(f"{SVG}g") if g.get("data-branch")]
    assert [b.get("data-branch") for b in boxes] == ["lead", "co", "co", "co"]
    drawn = texts(root)
    for name in names["co"]:
        assert name in drawn
    assert "会签：全部同意 · 承诺时限的50%" in drawn
    assert drawn.count("协办部门审查") == 3
    # Without names the co-department branch is one box for all of them.
    root = parse(render_svg(spec))
    assert [g.get("data-branch") for g in root.iter(f"{SVG}g") if g.get("data-branch")] == ["lead", "co"]
    assert "各联审部门" in texts(root)


def test_ratio_join_and_failed_join_edge_are_labelled():
    data = copy_of(STANDARD_TEMPLATES["joint_review"])
    joint = step_of(data, "joint")
    joint["join"] = {"rule": "ratio", "ratio": 0.6}
    joint["on_fail"] = "lead_review_again"
    data["steps"].insert(
        2,
        {
            "key": "lead_review_again",
            "name": "补充审查",
            "kind": "task",
            "actor": {"role": "approver"},
            "budget": {"share": 0.1},
            "next": "decide",
        },
    )
    root = parse(render_svg(validate_spec(data)))
    drawn = texts(root)
    assert any(t.startswith("按比例：不少于60%同意") for t in drawn)
    assert "未通过" in drawn and "通过" in drawn


def test_text_from_the_specification_is_escaped():
    data = copy_of(STANDARD_TEMPLATES["standard"])
    step_of(data, "review")["name"] = '<script>alert("x")</script> & 审查'
    svg = render_svg(validate_spec(data))
    assert "<script>" not in svg
    assert '<script>alert("x")</script> & 审查' in texts(parse(svg))
